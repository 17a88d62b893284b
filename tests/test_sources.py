"""Source readers (miam_qual.sources) on real files from tests/data/sources/."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import miam_qual.sources as sources
from miam_qual.errors import EncodingError, UnreadableFile
from miam_qual.sources import SUPPORTED_SUFFIXES, Timecode, Unit, detect_turns, read_source
from miam_qual.text import normalise_text

DATA = Path(__file__).parent / "data" / "sources"

INTERVIEW = (
    "Entretien avec une habitante du quartier\n"
    "\n"
    "[00:00:05] Enquêtrice : Bonjour, merci de me recevoir. Vous faites vos courses où ?\n"
    "[00:00:12] Habitante 3 : Au marché, le samedi… Les prix ont « explosé », 5 € le kilo !\n"
    "Il m’a dit : c'est trop cher.\n"
    "\n"
    "Alors je vais à l'épicerie solidaire, ça soulage le cœur.\n"
    "[00:01:40] Enquêtrice : Et l'œuf bio ?\n"
)


def read_one(name: str, **options):
    docs = read_source(DATA / name, **options)
    assert len(docs) == 1
    return docs[0]


def spans(doc, kind=None):
    return [
        (u.start, u.end, doc.text[u.start : u.end])
        for u in doc.units
        if kind is None or u.kind == kind
    ]


def test_public_names():
    assert sorted(sources.__all__) == sorted(
        ["read_source", "SUPPORTED_SUFFIXES", "SourceDocument", "Unit", "Timecode", "detect_turns"]
    )
    assert set(SUPPORTED_SUFFIXES) == {
        ".txt",
        ".md",
        ".docx",
        ".odt",
        ".vtt",
        ".srt",
        ".html",
        ".otr",
        ".json",
        ".csv",
        ".xlsx",
    }


# --- plain text and encodings ---------------------------------------------------------------


# The file's time marks are taken out of the text the coder reads (tests/test_transcript_formats.py
# covers every form of them); speaker labels stay.
INTERVIEW_TEXT = (
    "Entretien avec une habitante du quartier\n"
    "\n"
    "Enquêtrice : Bonjour, merci de me recevoir. Vous faites vos courses où ?\n"
    "Habitante 3 : Au marché, le samedi… Les prix ont « explosé », 5 € le kilo !\n"
    "Il m’a dit : c'est trop cher.\n"
    "\n"
    "Alors je vais à l'épicerie solidaire, ça soulage le cœur.\n"
    "Enquêtrice : Et l'œuf bio ?\n"
)


@pytest.mark.parametrize(
    ("name", "encoding"), [("entretien_utf8.txt", "utf-8"), ("entretien_cp1252.txt", "cp1252")]
)
def test_txt_interview_with_turns(name, encoding):
    doc = read_one(name)
    assert (DATA / name).read_bytes().decode(encoding).replace("\r\n", "\n") == INTERVIEW
    text = INTERVIEW_TEXT
    assert (doc.name, doc.kind, doc.encoding, doc.text) == (name, "transcript", encoding, text)
    turn1 = (
        "Habitante 3 : Au marché, le samedi… Les prix ont « explosé », 5 € le kilo !\n"
        "Il m’a dit : c'est trop cher.\n\nAlors je vais à l'épicerie solidaire, ça soulage le cœur."
    )
    first = "Enquêtrice : Bonjour, merci de me recevoir. Vous faites vos courses où ?"
    last = "Enquêtrice : Et l'œuf bio ?"
    assert spans(doc, "turn") == [
        (42, 42 + len(first), first),
        (text.index(turn1), text.index(turn1) + len(turn1), turn1),
        (text.index(last), text.index(last) + len(last), last),
    ]
    turns = [u for u in doc.units if u.kind == "turn"]
    assert [(t.index, t.speaker, t.role, t.begin_ms, t.end_ms) for t in turns] == [
        (0, "Enquêtrice", "interviewer", 5_000, 12_000),
        (1, "Habitante 3", "participant", 12_000, 100_000),
        (2, "Enquêtrice", "interviewer", 100_000, None),
    ]
    alors = text.index("Alors")
    assert spans(doc, "paragraph") == [
        (0, 40, "Entretien avec une habitante du quartier"),
        (42, alors - 2, text[42 : alors - 2]),
        (alors, len(text) - 1, text[alors:-1]),
    ]
    assert text[42 : alors - 2].endswith("c'est trop cher.")
    assert [u.index for u in doc.units if u.kind == "paragraph"] == [0, 1, 2]
    # Units come in document order; of two starting together, the longer first.
    assert [(u.kind, u.start) for u in doc.units][:4] == [
        ("paragraph", 0),
        ("paragraph", 42),
        ("turn", 42),
        ("turn", text.index(turn1)),
    ]
    # Each mark's words, without the speaker label, until the next mark.
    assert [(t.begin_ms, t.end_ms, text[t.start : t.end]) for t in doc.timecodes] == [
        (5_000, 12_000, first.removeprefix("Enquêtrice : ")),
        (12_000, 100_000, turn1.removeprefix("Habitante 3 : ")),
        (100_000, 100_000, "Et l'œuf bio ?"),
    ]


def test_latin1_txt():
    doc = read_one("latin1.txt")
    assert doc.encoding == "latin-1"
    assert doc.text.startswith("Habitant : Ça coûte cher, très cher. À côté,")
    first = "Habitant : Ça coûte cher, très cher. À côté, l'épicerie est fermée."
    assert spans(doc, "turn") == [(0, 67, first), (68, 81, "E : D'accord.")]
    assert [u.role for u in doc.units if u.kind == "turn"] == ["participant", "interviewer"]


def test_bom_crlf_txt():
    doc = read_one("bom_crlf.txt")
    assert doc.encoding == "utf-8-sig"
    assert doc.text == (
        "Intervieweur : Première question ?\nHabitante : Réponse ici.\n\nDeuxième paragraphe.\n"
    )
    assert spans(doc, "turn") == [
        (0, 34, "Intervieweur : Première question ?"),
        (35, 81, "Habitante : Réponse ici.\n\nDeuxième paragraphe."),
    ]
    assert spans(doc, "paragraph") == [
        (0, 59, "Intervieweur : Première question ?\nHabitante : Réponse ici."),
        (61, 81, "Deuxième paragraphe."),
    ]


def test_utf16_txt():
    doc = read_one("utf16.txt")
    assert (doc.encoding, doc.kind) == ("utf-16", "transcript")
    assert doc.text == "Directrice : Le budget alimentaire a baissé de 12 %.\n"
    turn = next(u for u in doc.units if u.kind == "turn")
    assert (turn.speaker, turn.role) == ("Directrice", "participant")


def test_broken_txt_names_offset():
    with pytest.raises(EncodingError) as err:
        read_source(DATA / "casse.txt")
    assert str(err.value).startswith("« casse.txt » : octet 55 (0x9D) indécodable")


def test_binary_txt():
    with pytest.raises(UnreadableFile, match=r"^« binaire.txt » : octet 4 nul — fichier binaire"):
        read_source(DATA / "binaire.txt")


def test_text_without_turns(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Premier paragraphe.\n  \nIl m'a dit : c'est trop cher.\n", encoding="utf-8")
    doc = read_one_path(path)
    assert doc.kind == "text"
    assert spans(doc) == [
        (0, 19, "Premier paragraphe."),
        (23, 52, "Il m'a dit : c'est trop cher."),
    ]
    assert doc.timecodes == []


def read_one_path(path: Path):
    [doc] = read_source(path)
    return doc


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(UnreadableFile, match=r"^« a.pdf » : format « .pdf » non pris en charge"):
        read_source(tmp_path / "a.pdf")
    with pytest.raises(UnreadableFile, match=r"\.txt, \.md, \.docx"):
        read_source(tmp_path / "sans_extension")
    with pytest.raises(UnreadableFile, match=r"^« absent.txt » : fichier introuvable"):
        read_source(tmp_path / "absent.txt")


def test_empty_txt(tmp_path):
    (tmp_path / "vide.txt").write_bytes(b"\xef\xbb\xbf \r\n")
    with pytest.raises(UnreadableFile, match="^« vide.txt » : le fichier ne contient aucun texte"):
        read_source(tmp_path / "vide.txt")


# --- speaker turns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "speaker", "role"),
    [
        ("Enquêtrice : Bonjour.", "Enquêtrice", "interviewer"),
        ("Enquêteur: Bonjour.", "Enquêteur", "interviewer"),
        ("E : Bonjour.", "E", "interviewer"),
        ("Intervieweur\u00a0: Bonjour.", "Intervieweur", "interviewer"),
        ("Animatrice\u202f: Bonjour.", "Animatrice", "interviewer"),
        ("Q : Et ensuite ?", "Q", "interviewer"),
        ("STAGIAIRE : Oui.", "STAGIAIRE", "interviewer"),
        ("Habitante 3 : Oui.", "Habitante 3", "participant"),
        ("Habitant : Oui.", "Habitant", "participant"),
        ("M. D. : Oui.", "M. D.", "participant"),
        ("Mme Lefebvre : Oui.", "Mme Lefebvre", "participant"),
        ("Directrice : Oui.", "Directrice", "participant"),
        ("Camille (VRAC) : Oui.", "Camille (VRAC)", "participant"),
        ("00:01:23 Habitante : Oui.", "Habitante", "participant"),
    ],
)
def test_turn_labels(line, speaker, role):
    [turn] = detect_turns(line)
    assert (turn.start, turn.end, turn.speaker, turn.role) == (0, len(line), speaker, role)


@pytest.mark.parametrize(
    "line",
    [
        "Il m'a dit : c'est trop cher.",
        "Paul m'a dit : non.",
        "Date : 12 mars 2024",
        "Résultat : on a arrêté.",
        "Le Directeur Général Adjoint Aux Finances Et Au Budget : non",
        "Rendez-vous à 10:30 demain",
        "Voir https://exemple.fr",
        "enquêtrice : en minuscule",
    ],
)
def test_sentences_with_colons_are_not_turns(line):
    assert detect_turns(line) == []


def test_turn_timecodes_mm_ss_and_untimed_turns():
    text = "[01:05] E : Bonjour.\nHabitant : Oui.\n[02:00.5] E : Merci."
    turns = detect_turns(text)
    assert [(text[t.start : t.end], t.begin_ms, t.end_ms) for t in turns] == [
        ("[01:05] E : Bonjour.", 65_000, 120_500),
        ("Habitant : Oui.", None, None),
        ("[02:00.5] E : Merci.", 120_500, None),
    ]
    assert all(isinstance(t, Unit) for t in turns)


# --- markdown -------------------------------------------------------------------------------


def test_md_front_matter():
    doc = read_one("notes.md")
    assert doc.attributes == {
        "participant": "Habitante 3",
        "quartier": "Belsunce",
        "date": "2024-03-12",
        "âge": "47",  # values are the text as written; projet.yml types them
    }
    assert doc.text == "# Notes de terrain\n\nVisite de l'épicerie *solidaire*.\n"
    assert (doc.kind, doc.encoding) == ("text", "utf-8")
    assert spans(doc) == [
        (0, 18, "# Notes de terrain"),
        (20, 53, "Visite de l'épicerie *solidaire*."),
    ]


def test_md_malformed_front_matter_names_line():
    with pytest.raises(UnreadableFile, match=r"^« notes_malformees.md » : ligne 4 : en-tête YAML"):
        read_source(DATA / "notes_malformees.md")


def test_md_unclosed_front_matter(tmp_path):
    path = tmp_path / "ouvert.md"
    path.write_text("---\nclé: valeur\nTexte.\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"^« ouvert.md » : ligne 1 : .*jamais refermé"):
        read_source(path)


def test_md_without_front_matter_keeps_rules(tmp_path):
    path = tmp_path / "simple.md"
    path.write_text("Titre\n\n---\n\nSuite.", encoding="utf-8")
    doc = read_one_path(path)
    assert doc.attributes == {}
    assert doc.text == "Titre\n\n---\n\nSuite."


# --- office ---------------------------------------------------------------------------------


def test_docx():
    doc = read_one("entretien.docx")
    assert (doc.kind, doc.encoding, doc.attributes) == ("transcript", None, {})
    assert doc.text == (
        "Enquêteur : Comment choisissez-vous vos produits ?\n"
        "Habitant : Au prix, surtout.\n"
        "Produit\nPrix\nPain\n1,20 €\n"
        "Enquêteur : Merci."
    )
    assert spans(doc, "turn") == [
        (0, 50, "Enquêteur : Comment choisissez-vous vos produits ?"),
        (51, 104, "Habitant : Au prix, surtout.\nProduit\nPrix\nPain\n1,20 €"),
        (105, 123, "Enquêteur : Merci."),
    ]


def test_odt():
    doc = read_one("entretien.odt")
    assert doc.text == (
        "Entretien 7\nAnimatrice :  Bienvenue à\ttous.\nHabitante 2 : Merci.\nDeuxième ligne."
    )
    assert spans(doc, "turn") == [
        (12, 43, "Animatrice :  Bienvenue à\ttous."),
        (44, 80, "Habitante 2 : Merci.\nDeuxième ligne."),
    ]
    assert [u.role for u in doc.units if u.kind == "turn"] == ["interviewer", "participant"]


@pytest.mark.parametrize("name", ["corrompu.docx", "entretien_utf8.txt"])
def test_broken_docx(name, tmp_path):
    path = tmp_path / (Path(name).stem + ".docx")
    path.write_bytes((DATA / name).read_bytes())
    with pytest.raises(UnreadableFile, match=r"archive endommagée ou pas un fichier \.docx"):
        read_source(path)


def test_docx_renamed_odt_and_broken_odt(tmp_path):
    path = tmp_path / "faux.odt"
    path.write_bytes((DATA / "entretien.docx").read_bytes())
    with pytest.raises(UnreadableFile, match=r"^« faux.odt » : archive endommagée"):
        read_source(path)
    path = tmp_path / "faux.docx"
    path.write_bytes((DATA / "entretien.odt").read_bytes())
    with pytest.raises(UnreadableFile, match=r"^« faux.docx » : archive endommagée"):
        read_source(path)


# --- subtitles ------------------------------------------------------------------------------


def test_vtt_voices_tags_and_note_header():
    doc = read_one("temoignage.vtt")
    assert doc.kind == "transcript"
    assert doc.media == "temoignage_03.wav"
    assert doc.attributes == {"media": "temoignage_03.wav", "participant": "Habitante 3"}
    assert doc.text == (
        "Enquêtrice : Qu'achetez-vous en premier ?\n"
        "Habitante 3 : Du pain, des & pâtes. Et du lait.\n"
        "Enquêtrice : Merci beaucoup."
    )
    cues = [(t.begin_ms, t.end_ms, doc.text[t.start : t.end]) for t in doc.timecodes]
    assert cues == [
        (1_000, 4_500, "Qu'achetez-vous en premier ?"),
        (5_000, 8_000, "Du pain, des & pâtes."),
        (8_000, 10_250, "Et du lait."),
        (3_600_000, 3_602_000, "Merci beaucoup."),
    ]
    assert [(t.start, t.end) for t in doc.timecodes] == [(13, 41), (56, 77), (78, 89), (103, 118)]
    assert [(u.index, u.speaker, u.role, u.begin_ms, u.end_ms) for u in doc.units] == [
        (0, "Enquêtrice", "interviewer", 1_000, 4_500),
        (1, "Habitante 3", "participant", 5_000, 10_250),
        (2, "Enquêtrice", "interviewer", 3_600_000, 3_602_000),
    ]
    assert spans(doc) == [
        (0, 41, "Enquêtrice : Qu'achetez-vous en premier ?"),
        (42, 89, "Habitante 3 : Du pain, des & pâtes. Et du lait."),
        (90, 118, "Enquêtrice : Merci beaucoup."),
    ]


def test_vtt_malformed_timing_names_line():
    with pytest.raises(UnreadableFile) as err:
        read_source(DATA / "malforme.vtt")
    assert str(err.value).startswith(
        "« malforme.vtt » : ligne 6 : horodatage illisible « 00:00:03.000 --> 00:00:0  »"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("00:00:01.000 --> 00:00:02.000\nBonjour.\n", "ligne 1 : en-tête « WEBVTT » manquant"),
        (
            "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nBonjour.\n",
            "ligne 3 : la fin précède le début",
        ),
        ("WEBVTT\n\nBonjour.\nSuite.\n", "ligne 3 : bloc sans horodatage"),
    ],
)
def test_vtt_errors(tmp_path, content, message):
    path = tmp_path / "t.vtt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UnreadableFile, match=f"^« t.vtt » : {message}"):
        read_source(path)


def test_vtt_without_speakers_one_cue_per_line(tmp_path):
    path = tmp_path / "sans.vtt"
    path.write_text(
        "WEBVTT - titre\n\n00:01.000 --> 00:02.000\nPremière phrase.\n\n"
        "00:02.000 --> 00:03.000\nSeconde phrase.\n",
        encoding="utf-8",
    )
    doc = read_one_path(path)
    assert doc.text == "Première phrase.\nSeconde phrase."
    assert doc.units == []
    assert doc.timecodes == [Timecode(0, 16, 1_000, 2_000), Timecode(17, 32, 2_000, 3_000)]


def test_srt():
    doc = read_one("entretien.srt")
    assert doc.text == (
        "Enquêteur : Vous venez souvent ?\nHabitant : Tous les jours. Surtout le matin."
    )
    assert [(t.begin_ms, t.end_ms, doc.text[t.start : t.end]) for t in doc.timecodes] == [
        (1_000, 3_000, "Vous venez souvent ?"),
        (3_500, 6_000, "Tous les jours."),
        (6_000, 7_000, "Surtout le matin."),
    ]
    assert [(s, e, t) for s, e, t in spans(doc)] == [
        (0, 32, "Enquêteur : Vous venez souvent ?"),
        (33, 77, "Habitant : Tous les jours. Surtout le matin."),
    ]
    assert [(u.role, u.begin_ms, u.end_ms) for u in doc.units] == [
        ("interviewer", 1_000, 3_000),
        ("participant", 3_500, 7_000),
    ]


def test_srt_malformed(tmp_path):
    path = tmp_path / "t.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nA.\n\n2\n00:00:03 --> x\nB.\n", "utf-8")
    with pytest.raises(UnreadableFile, match=r"^« t.srt » : ligne 6 : horodatage illisible"):
        read_source(path)


# --- questionnaires -------------------------------------------------------------------------


def answers(doc):
    return [(u.start, u.end, u.question, doc.text[u.start : u.end]) for u in doc.units]


def test_csv_french_excel():
    docs = read_source(DATA / "questionnaire_fr.csv")
    assert [d.name for d in docs] == ["questionnaire_fr.csv#H01", "questionnaire_fr.csv#H02"]
    h01, h02 = docs
    q1, q2 = "Q1 Où faites-vous vos courses ?", "Q2 Qu’est-ce qui vous manque ?"
    assert (h01.kind, h01.encoding) == ("questionnaire", "cp1252")
    assert h01.text == (
        f"{q1}\nAu marché… et à l’épicerie\n\n{q2}\nDes légumes frais,\nmoins chers « vraiment »."
    )
    assert answers(h01) == [
        (32, 58, q1, "Au marché… et à l’épicerie"),
        (91, 135, q2, "Des légumes frais,\nmoins chers « vraiment »."),
    ]
    assert h01.attributes == {"Âge": "47", "Quartier": "Belsunce"}
    assert h02.attributes == {"Quartier": "Noailles"}
    assert answers(h02) == [(31, 50, q2, "Rien, 5 € suffisent")]


def test_csv_comma_default_answer_columns_by_length():
    docs = read_source(DATA / "questionnaire.csv")
    assert [d.name for d in docs] == ["questionnaire.csv#R001", "questionnaire.csv#R002"]
    answer = "J'aimerais un marché plus proche de chez moi, avec des prix, accessibles"
    assert docs[0].text == f"Commentaire libre\n{answer}"
    assert answers(docs[0]) == [(18, 18 + len(answer), "Commentaire libre", answer)]
    assert docs[1].attributes == {"age": "51", "quartier": "Belsunce"}


def test_csv_explicit_columns(tmp_path):
    docs = read_source(DATA / "questionnaire.csv", answer_columns=["quartier"], id_column="age")
    assert [(d.name, d.text, d.attributes) for d in docs] == [
        (
            "questionnaire.csv#34",
            "quartier\nNoailles",
            {
                "Commentaire libre": "J'aimerais un marché plus proche de chez moi, "
                "avec des prix, accessibles"
            },
        ),
        (
            "questionnaire.csv#51",
            "quartier\nBelsunce",
            {
                "Commentaire libre": "Les fruits sont trop chers pour une famille de cinq personnes ici"
            },
        ),
    ]


def test_csv_errors(tmp_path):
    with pytest.raises(UnreadableFile, match=r"^« irregulier.csv » : ligne 3 : 4 cellules"):
        read_source(DATA / "irregulier.csv")
    with pytest.raises(UnreadableFile) as err:
        read_source(DATA / "questionnaire.csv", answer_columns=["Q9"])
    assert str(err.value) == (
        "« questionnaire.csv » : colonne « Q9 » introuvable. Colonnes disponibles : « age », "
        "« quartier », « Commentaire libre »."
    )
    path = tmp_path / "doublon.csv"
    path.write_text("id;Q1\nA;oui\nB;non\nA;peut-être\n", encoding="utf-8")
    with pytest.raises(
        UnreadableFile, match=r"^« doublon.csv » : lignes 2 et 4 : identifiant « A »"
    ):
        read_source(path)
    path = tmp_path / "court.csv"
    path.write_text("âge;ville\n3;Nice\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="aucune colonne de réponse ouverte"):
        read_source(path)


def test_csv_tab_and_multiline_line_numbers(tmp_path):
    path = tmp_path / "tab.csv"
    path.write_text('N°\tQ1\n1\t"a\nb"\n2\tc\td\n', encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"^« tab.csv » : ligne 4 : 3 cellules"):
        read_source(path)


def test_small_tables_are_read_like_questionnaires(tmp_path):
    """Metadata and participant tables go through the questionnaires' CSV reader: same encodings,
    delimiter sniffing, quoted line breaks and line numbers."""
    from miam_qual import importing, participants
    from miam_qual.sources.tables import read_table

    assert importing.read_table is read_table
    path = tmp_path / "metadonnees.csv"
    path.write_bytes(
        "\n fichier ; vague;site\nentretien.txt;bilan;« Fosse 13 »\n;;\n"
        'note.txt;"état\ninitial";\n'.encode("cp1252")
    )
    assert read_table(path) == [
        (3, {"fichier": "entretien.txt", "vague": "bilan", "site": "« Fosse 13 »"}),
        (5, {"fichier": "note.txt", "vague": "état\ninitial"}),
    ]
    path.write_text("fichier,vague\na.txt,bilan\nb.txt,bilan,en trop\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"^« metadonnees.csv » : ligne 3 : 3 cellules pour 2"):
        read_table(path)
    path.write_bytes(b"fichier;vague\nb.txt;\x81\n")
    with pytest.raises(EncodingError, match="metadonnees.csv"):
        read_table(path)
    assert "read_table" not in vars(participants) or participants.read_table is read_table


def test_xlsx():
    docs = read_source(DATA / "questionnaire.xlsx")
    question = "Q1 Que pensez-vous des prix ?"
    assert [(d.name, d.text, d.attributes, d.encoding) for d in docs] == [
        (
            "questionnaire.xlsx#1",
            f"{question}\nTrop élevés pour nous.",
            {"Date": "2024-03-12", "Âge": "47"},
            None,
        ),
        ("questionnaire.xlsx#3", f"{question}\nÇa dépend\ndes saisons.", {}, None),
    ]
    assert answers(docs[1]) == [(30, 52, question, "Ça dépend\ndes saisons.")]


def test_corrupt_xlsx():
    with pytest.raises(UnreadableFile, match=r"^« corrompu.xlsx » : classeur endommagé"):
        read_source(DATA / "corrompu.xlsx")


# --- round trip -----------------------------------------------------------------------------

FRENCH_CHARS = "abcdeéèêëàâçîïôûùüœæÉÈÀÇŒ’…€«»\u00a0\t ,.;:!?'-\n"
french_text = st.text(
    alphabet=st.sampled_from(FRENCH_CHARS + "\r") | st.sampled_from("😀🍞🥕e\u0301"),
    min_size=1,
    max_size=200,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(original=french_text, bom=st.booleans())
def test_txt_round_trip_utf8(tmp_path, original, bom):
    assume(original.strip())
    path = tmp_path / "rt.txt"
    path.write_bytes(("\ufeff" if bom else "").encode() + original.encode("utf-8"))
    check_round_trip(path, original)


# "â" is left out: "â€" plus one more punctuation byte is, in cp1252, the very bytes of UTF-8
# punctuation ("â€™" is "’"), so such a file is refused as mixed rather than guessed.
CP1252_CHARS = FRENCH_CHARS.replace("â", "")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(original=st.text(alphabet=st.sampled_from(CP1252_CHARS + "\r"), min_size=1, max_size=200))
def test_txt_round_trip_cp1252(tmp_path, original):
    assume(original.strip())
    data = original.encode("cp1252")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        assume(data.isascii())  # non-ASCII bytes that form valid UTF-8 are UTF-8 by rule
    path = tmp_path / "rt.txt"
    path.write_bytes(data)
    check_round_trip(path, original)


def check_round_trip(path, original):
    [doc] = read_source(path)
    assert doc.text == normalise_text(original)
    for unit in doc.units:
        assert 0 <= unit.start < unit.end <= len(doc.text)
        assert doc.text[unit.start : unit.end].strip() == doc.text[unit.start : unit.end]
    for timecode in doc.timecodes:
        assert 0 <= timecode.start < timecode.end <= len(doc.text)


# --- speed ----------------------------------------------------------------------------------


def test_timing_30000_words(tmp_path, capsys):
    words = "alors je vais au marché le samedi parce que les légumes sont moins chers".split()
    turns = []
    for i in range(300):
        label = "Enquêtrice" if i % 2 == 0 else "Habitante 3"
        body = " ".join(words[(i + j) % len(words)] for j in range(99))
        turns.append(f"[{i // 60:02d}:{i % 60:02d}] {label} : {body}.\n\nSuite du tour.\n")
    path = tmp_path / "long.txt"
    path.write_text("".join(turns), encoding="utf-8")
    size = path.stat().st_size
    started = time.perf_counter()
    [doc] = read_source(path)
    elapsed = time.perf_counter() - started
    assert len([u for u in doc.units if u.kind == "turn"]) == 300
    with capsys.disabled():
        print(
            f"\n30 000-word .txt, 300 turns ({size / 1e6:.2f} MB): {elapsed * 1000:.1f} ms "
            f"({size / 1e6 / elapsed:.0f} MB/s)"
        )


def test_speaker_labels_with_lowercase_words_but_not_narration():
    from miam_qual.sources.turns import detect_turns

    text = (
        "Responsable cantine : on jette moins.\n"
        "Mère de famille : c'est vrai.\n"
        "Paul dit : ce n'est pas un tour.\n"
        "Il m'a dit : c'est trop cher.\n"
        "Camille (VRAC) : merci.\n"
    )
    assert [u.speaker for u in detect_turns(text)] == [
        "Responsable cantine",
        "Mère de famille",
        "Camille (VRAC)",
    ]
