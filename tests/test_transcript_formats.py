"""Every transcript format gives the expected text, speakers and times.

The fixtures in ``tests/data/sources/transcripts/`` were written by hand after each tool's
documentation and source (the ``.docx`` by ``fabriquer_docx.py``). Each is imported through
``Project.import_files``; malformed variants are refused in French, naming the file and the place,
and leave the project as it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from miam_qual import Project, UnreadableFile
from miam_qual.importing import UndeclaredAttributeWarning
from miam_qual.sources import read_source
from miam_qual.sources.plain import document_from_text

DATA = Path(__file__).parent / "data" / "sources" / "transcripts"


def imported(project: Project, path: Path) -> tuple[str, list[tuple], list[tuple]]:
    """Import ``path``; return its text, its turns and its timecodes as plain tuples."""
    project.import_files([path])
    name = path.name
    text = project.text(name)
    turns = [
        (t.speaker, t.role, _ms(t.begin_ms), _ms(t.end_ms), text[t.start : t.end])
        for t in project.units(name, "turn").itertuples()
    ]
    cues = [
        (int(c.begin_ms), int(c.end_ms), text[c.start : c.end])
        for c in project.timecodes(name).itertuples()
    ]
    return text, turns, cues


def _ms(value) -> int | None:
    return None if value is None or value != value else int(value)  # NaN when unknown


def document_row(project: Project, name: str):
    documents = project.documents()
    return documents.set_index("document").loc[name]


def refused(project: Project, path: Path, *words: str) -> str:
    """Import ``path``, expect a French refusal naming it and ``words``; the project is unchanged."""
    before = sorted(p.name for p in (project.root / "corpus").iterdir())
    with pytest.raises(UnreadableFile) as caught:
        project.import_files([path])
    message = str(caught.value)
    assert message.startswith(f"« {path.name} » : ")
    for word in words:
        assert word in message
    assert project.documents().empty
    assert sorted(p.name for p in (project.root / "corpus").iterdir()) == before
    return message


def variant(tmp_path: Path, fixture: str, old: str, new: str) -> Path:
    """A copy of a fixture with ``old`` replaced by ``new`` (once, and it must be there)."""
    text = (DATA / fixture).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / fixture
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# --- noScribe ----------------------------------------------------------------------------------


def test_noscribe_html(project: Project):
    text, turns, cues = imported(project, DATA / "marche_noscribe.html")
    s01 = (
        "S01 : Oui, tous les samedis. Les légumes sont moins chers qu'à la supérette. (..) "
        "Et il y a l'épicerie solidaire juste à côté."
    )
    assert text == (
        "Enquêtrice : Bonjour, vous venez souvent au marché ? Le samedi surtout ?\n"
        f"{s01}\n"
        "Enquêtrice : Et la cantine des enfants ?"
    )
    # The label the user wrote over noScribe's « S00 » wins; « S01 » was kept as it was.
    assert turns == [
        (
            "Enquêtrice",
            "interviewer",
            0,
            4100,
            "Enquêtrice : Bonjour, vous venez souvent au marché ? Le samedi surtout ?",
        ),
        ("S01", "participant", 4300, 13200, s01),
        ("Enquêtrice", "interviewer", 13500, 15000, "Enquêtrice : Et la cantine des enfants ?"),
    ]
    assert cues == [
        (0, 2480, "Bonjour, vous venez souvent au marché ?"),
        (2480, 4100, "Le samedi surtout ?"),
        (4300, 9050, "Oui, tous les samedis. Les légumes sont moins chers qu'à la supérette."),
        (9050, 10050, "(..)"),
        (10050, 13200, "Et il y a l'épicerie solidaire juste à côté."),
        (13500, 15000, "Et la cantine des enfants ?"),
    ]
    row = document_row(project, "marche_noscribe.html")
    assert (row["kind"], row["media"]) == ("transcript", "marche_samedi.mp3")


def test_noscribe_refusals(project: Project, tmp_path: Path):
    reversed_times = variant(
        tmp_path, "marche_noscribe.html", "ts_2480_4100_S00", "ts_4100_2480_S00"
    )
    refused(project, reversed_times, "ligne 19", "ts_4100_2480_S00", "inversés")
    going_back = variant(
        tmp_path, "marche_noscribe.html", "ts_13500_15000_S00", "ts_3500_15000_S00"
    )
    refused(project, going_back, "ligne 21", "avant le précédent", "croissant")
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Compte rendu du marché</p></body></html>", encoding="utf-8")
    refused(project, page, "pas une transcription noScribe")


def test_noscribe_words_typed_outside_segments(project: Project, tmp_path: Path):
    # Corrected in an editor: a word typed between two segments, and a segment saved as an empty
    # anchor followed by its words. Each word belongs to the segment before it.
    page = tmp_path / "marche_corrige.html"
    page.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'  # saved as XHTML: lxml wants no declaration
        '<html><head><meta name="audio_source" content="/home/karim/marche.m4a"></head><body>'
        '<p><a name="ts_1000_2000_S00">S00: Le prix du pain</a> vraiment'
        '<a name="ts_2000_3500_S00"></a> a encore monté.</p>'
        "</body></html>",
        encoding="utf-8",
    )
    text, turns, cues = imported(project, page)
    assert text == "S00 : Le prix du pain vraiment a encore monté."
    assert turns == [("S00", "participant", 1000, 3500, text)]
    assert cues == [(1000, 2000, "Le prix du pain vraiment"), (2000, 3500, "a encore monté.")]
    assert document_row(project, page.name)["media"] == "marche.m4a"


# --- oTranscribe -------------------------------------------------------------------------------


def test_otranscribe_otr(project: Project):
    text, turns, cues = imported(project, DATA / "cantine_reunion.otr")
    mother = (
        "Mère de famille : Les menus sont meilleurs, il y a du bio deux fois par semaine.\n"
        "Mais le prix a augmenté. Pour nous c'est 3,20 € le repas."
    )
    assert text == (
        "Animatrice : Qu'est-ce que vous pensez de la nouvelle cantine ?\n"
        f"{mother}\n"
        "Animatrice : Et l'épicerie solidaire, vous y allez\u00a0?"
    )
    assert turns == [
        (
            "Animatrice",
            "interviewer",
            2500,
            7250,
            "Animatrice : Qu'est-ce que vous pensez de la nouvelle cantine ?",
        ),
        ("Mère de famille", "participant", 7250, 21000, mother),
        # The last mark says when the turn begins, not when it ends.
        (
            "Animatrice",
            "interviewer",
            21000,
            None,
            "Animatrice : Et l'épicerie solidaire, vous y allez\u00a0?",
        ),
    ]
    assert cues == [
        (2500, 7250, "Qu'est-ce que vous pensez de la nouvelle cantine ?"),
        (
            7250,
            15800,
            "Les menus sont meilleurs, il y a du bio deux fois par semaine.\nMais le prix a augmenté.",
        ),
        (15800, 21000, "Pour nous c'est 3,20 € le repas."),
        (21000, 21000, "Et l'épicerie solidaire, vous y allez\u00a0?"),
    ]
    assert "allez\u00a0?" in text  # the no-break space typed before « ? » stays
    row = document_row(project, "cantine_reunion.otr")
    assert (row["kind"], row["media"]) == ("transcript", "cantine_reunion.m4a")


def test_otranscribe_refusals(project: Project, tmp_path: Path):
    unreadable = variant(
        tmp_path, "cantine_reunion.otr", 'data-timestamp=\\"15.8\\"', 'data-timestamp=\\"1 min\\"'
    )
    refused(project, unreadable, "paragraphe 3", "« 1 min »", "secondes")
    going_back = variant(
        tmp_path, "cantine_reunion.otr", 'data-timestamp=\\"21\\"', 'data-timestamp=\\"12\\"'
    )
    refused(project, going_back, "paragraphe 4", "précède", "croissant")
    broken = variant(tmp_path, "cantine_reunion.otr", '"media":', '"media"')
    refused(project, broken, "ligne 1", "JSON illisible")
    other = tmp_path / "autre.otr"
    other.write_text(json.dumps({"texte": "Bonjour"}), encoding="utf-8")
    refused(project, other, "pas un fichier oTranscribe")


# --- Whisper, faster-whisper, WhisperX ---------------------------------------------------------


def test_whisper_json_segments_and_words(project: Project):
    text, turns, cues = imported(project, DATA / "epicerie_whisper.json")
    assert text == (
        "Bonjour, je suis bénévole à l'épicerie solidaire.\nOn ouvre le mardi et le vendredi."
    )
    assert turns == []  # Whisper alone names no speaker
    # Each word is timed on its own: a passage's times are its words' times.
    assert cues == [
        (0, 620, "Bonjour,"),
        (700, 820, "je"),
        (820, 1040, "suis"),
        (1040, 1600, "bénévole"),
        (1600, 1720, "à"),
        (1720, 2400, "l'épicerie"),
        (2400, 3200, "solidaire."),
        (3600, 3740, "On"),
        (3740, 4020, "ouvre"),
        (4020, 4120, "le"),
        (4120, 4500, "mardi"),
        (4500, 4620, "et"),
        (4620, 4740, "le"),
        (4740, 5900, "vendredi."),
    ]
    start = text.index("bénévole")
    assert project.span_times("epicerie_whisper.json", start, start + len("bénévole")) == (
        1040,
        1600,
    )
    row = document_row(project, "epicerie_whisper.json")
    assert row["kind"] == "transcript" and row["media"] is None


def test_whisperx_json_speakers(project: Project):
    text, turns, cues = imported(project, DATA / "epicerie_whisperx.json")
    second = (
        "SPEAKER_01 : Depuis 2022, quand la cantine a fermé le mercredi. "
        "Le panier coûte deux euros."
    )
    assert text == f"SPEAKER_00 : Vous venez à l'épicerie depuis quand ?\n{second}"
    assert turns == [
        (
            "SPEAKER_00",
            "participant",
            31,
            2514,
            "SPEAKER_00 : Vous venez à l'épicerie depuis quand ?",
        ),
        ("SPEAKER_01", "participant", 3015, 8200, second),
    ]
    # WhisperX leaves « 2022, » without times: that segment is timed as a whole.
    assert cues == [
        (31, 251, "Vous"),
        (291, 592, "venez"),
        (612, 692, "à"),
        (712, 1393, "l'épicerie"),
        (1453, 1854, "depuis"),
        (1894, 2214, "quand"),
        (2254, 2514, "?"),
        (3015, 6380, "Depuis 2022, quand la cantine a fermé le mercredi."),
        (6600, 6700, "Le"),
        (6720, 7100, "panier"),
        (7120, 7500, "coûte"),
        (7520, 7800, "deux"),
        (7820, 8200, "euros."),
    ]


def test_faster_whisper_list_of_segments(project: Project):
    text, turns, cues = imported(project, DATA / "marche_faster_whisper.json")
    assert text == (
        "Le marché du samedi, c'est le moins cher du quartier.\n"
        "Sauf pour la viande, là, c'est pareil."
    )
    assert turns == []
    assert cues == [
        (0, 2840, "Le marché du samedi, c'est le moins cher du quartier."),
        (3100, 5500, "Sauf pour la viande, là, c'est pareil."),
    ]


def test_whisper_refusals(project: Project, tmp_path: Path):
    fixture = "epicerie_whisper.json"
    reversed_times = variant(
        tmp_path, fixture, '"start": 3.6, "end": 5.9', '"start": 3.6, "end": 2.9'
    )
    refused(project, reversed_times, "segment 2", "la fin (2.9 s) précède le début (3.6 s)")
    going_back = variant(
        tmp_path,
        "marche_faster_whisper.json",
        '"start": 0.0, "end": 2.84',
        '"start": 3.5, "end": 4.0',
    )
    message = refused(project, going_back, "segment 2", "avant le segment précédent", "croissant")
    assert "(3.1 s)" in message and "(3.5 s)" in message
    word = variant(tmp_path, fixture, '"start": 0.82, "end": 1.04', '"start": 0.82, "end": 0.5')
    refused(project, word, "segment 1, mot 3", "précède le début")
    missing = variant(tmp_path, fixture, '"start": 0.0, "end": 3.2', '"start": "0:00", "end": 3.2')
    refused(project, missing, "segment 1", "temps manquants ou illisibles")
    broken = variant(tmp_path, "marche_faster_whisper.json", '"id": 2,', '"id": 2')
    refused(project, broken, "ligne 3", "JSON illisible")
    other = tmp_path / "reglages.json"
    other.write_text(json.dumps({"langue": "fr"}), encoding="utf-8")
    refused(project, other, "pas une transcription Whisper")


# --- f4/f5transkript ---------------------------------------------------------------------------


F4_TURNS = [
    ("I", "interviewer", 0, 4200, "I: Vous faites vos courses où, d’habitude ?"),
    (
        "B",
        "participant",
        4200,
        11700,
        "B: Au marché du samedi, et à l’épicerie solidaire quand c’est la fin du mois.",
    ),
    ("I", "interviewer", 11700, 15000, "I: Et la cantine, vos enfants y mangent ?"),
    ("B", "participant", 15000, 19500, "B: Oui, trois jours par semaine."),
]


def test_f4_marks_in_txt(project: Project):
    text, turns, cues = imported(project, DATA / "marche_f4.txt")
    # f4 writes each mark at the end of its paragraph: the paragraph ends then, the next begins.
    assert text == "\n\n".join(turn[-1] for turn in F4_TURNS) + "\n"
    assert turns == F4_TURNS
    assert cues == [(begin, end, words.split(": ", 1)[1]) for _, _, begin, end, words in F4_TURNS]


def test_f4_marks_in_docx(project: Project):
    text, turns, cues = imported(project, DATA / "marche_f4.docx")
    assert text == (
        "I: Vous faites vos courses où, d’habitude ?\n"
        "B: Au marché du samedi, et à l’épicerie solidaire.\n"
        "I: Et la cantine ?"
    )
    assert [turn[:4] for turn in turns] == [
        ("I", "interviewer", 0, 4200),
        ("B", "participant", 4200, 11700),
        ("I", "interviewer", 11700, 15000),
    ]
    assert cues == [
        (0, 4200, "Vous faites vos courses où, d’habitude ?"),
        (4200, 11700, "Au marché du samedi, et à l’épicerie solidaire."),
        (11700, 15000, "Et la cantine ?"),
    ]


def test_f4_refusals(project: Project, tmp_path: Path):
    going_back = variant(tmp_path, "marche_f4.txt", "#00:00:15-0#", "#00:00:10-0#")
    refused(project, going_back, "ligne 5", "« #00:00:10-0# » précède", "ligne 3", "croissant")
    malformed = variant(tmp_path, "marche_f4.txt", "#00:00:11-7#", "#00:0:11-7#")
    refused(project, malformed, "ligne 3", "repère de temps illisible « #00:0:11-7# »")


# --- marks typed at the start of lines: .txt and .docx -----------------------------------------


def test_bracket_and_parenthesis_marks_in_txt(project: Project):
    text, turns, cues = imported(project, DATA / "cantine_crochets.txt")
    responsable = "Responsable cantine : Oui, depuis trois ans.\nOn sert deux cents repas par jour."
    assert text == (
        "Entretien n° 12 — cantine scolaire, le 14 mars\n"
        "\n"
        "Enquêtrice : Bonjour ! Vous êtes responsable de la cantine ?\n"
        f"{responsable}\n"
        "Enquêtrice : Et le bio ?\n"
        "Responsable cantine : Un repas sur deux, à peu près.\n"
    )
    assert turns == [
        (
            "Enquêtrice",
            "interviewer",
            3000,
            7250,
            "Enquêtrice : Bonjour ! Vous êtes responsable de la cantine ?",
        ),
        ("Responsable cantine", "participant", 7250, 62000, responsable),
        ("Enquêtrice", "interviewer", 62000, 65000, "Enquêtrice : Et le bio ?"),
        (
            "Responsable cantine",
            "participant",
            65000,
            None,
            "Responsable cantine : Un repas sur deux, à peu près.",
        ),
    ]
    assert cues == [
        (3000, 7250, "Bonjour ! Vous êtes responsable de la cantine ?"),
        (7250, 41000, "Oui, depuis trois ans."),
        (41000, 62000, "On sert deux cents repas par jour."),
        (62000, 65000, "Et le bio ?"),
        (65000, 65000, "Un repas sur deux, à peu près."),
    ]


def test_bracket_marks_in_docx(project: Project):
    text, turns, cues = imported(project, DATA / "cantine_crochets.docx")
    assert text == (
        "Entretien à la cantine\n"
        "Enquêtrice : Combien de repas par jour ?\n"
        "Cuisinier : Deux cents, et trente le mercredi.\n"
        "Enquêtrice : Avec du bio ?"
    )
    assert [turn[:4] for turn in turns] == [
        ("Enquêtrice", "interviewer", 3000, 6500),
        ("Cuisinier", "participant", 6500, 12000),
        ("Enquêtrice", "interviewer", 12000, None),
    ]
    assert cues == [
        (3000, 6500, "Combien de repas par jour ?"),
        (6500, 12000, "Deux cents, et trente le mercredi."),
        (12000, 12000, "Avec du bio ?"),
    ]


def test_mark_refusals(project: Project, tmp_path: Path):
    going_back = variant(tmp_path, "cantine_crochets.txt", "[01:02]", "[00:30]")
    refused(project, going_back, "ligne 6", "« [00:30] » précède", "« (00:41) », ligne 5")
    malformed = variant(tmp_path, "cantine_crochets.txt", "[00:00:07.250]", "[00:75:07]")
    refused(project, malformed, "ligne 4", "repère de temps illisible « [00:75:07] »")


def test_marks_in_markdown_count_lines_from_the_file_top(project: Project, tmp_path: Path):
    path = tmp_path / "marche.md"
    body = "[00:00:02] Enquêtrice : Le marché ?\n[00:00:01] Habitante 2 : Le samedi.\n"
    path.write_text("---\nlieu: marché\n---\n" + body, encoding="utf-8")
    refused(project, path, "ligne 5", "« [00:00:01] » précède", "ligne 4")
    path.write_text("---\nlieu: marché\n---\n" + body.replace("00:00:01", "00:00:04"))
    with pytest.warns(UndeclaredAttributeWarning, match="lieu"):
        text, turns, cues = imported(project, path)
    assert text == "Enquêtrice : Le marché ?\nHabitante 2 : Le samedi.\n"
    assert cues == [(2000, 4000, "Le marché ?"), (4000, 4000, "Le samedi.")]


def test_texts_without_marks_read_as_before(tmp_path: Path):
    # Times written inside sentences, or look-alikes in a file with no real mark, stay words.
    text = (
        "Notes du marché\n"
        "Arrivée vers 10:30, la file devant l'épicerie (déjà 20 personnes).\n"
        "[1:2:3] n'est pas un repère : aucune ligne n'en a un vrai.\n"
        "Enquêtrice : Et à 12:00 ?\n"
    )
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    [doc] = read_source(path)
    assert doc == document_from_text("notes.txt", text, encoding="utf-8")
    assert doc.timecodes == []


# --- Word tables: time | speaker | text ---------------------------------------------------------


def test_docx_table_time_speaker_text(project: Project):
    text, turns, cues = imported(project, DATA / "epicerie_tableau.docx")
    volunteer = "Bénévole : Le panier est à deux euros.\nEt gratuit pour les familles suivies."
    # The header row is left out; a row of the same speaker continues the turn; the paragraphs
    # around the table stay, untimed.
    assert text == (
        "Épicerie solidaire — atelier du 3 avril\n"
        "Animatrice : On commence par les prix ?\n"
        f"{volunteer}\n"
        "Animatrice : Merci.\n"
        "(rires)\n"
        "Fin de l’enregistrement."
    )
    assert turns == [
        ("Animatrice", "interviewer", 5000, 9000, "Animatrice : On commence par les prix ?"),
        ("Bénévole", "participant", 9000, 20000, volunteer),
        ("Animatrice", "interviewer", 20000, None, "Animatrice : Merci.\n(rires)"),
    ]
    assert cues == [
        (5000, 9000, "On commence par les prix ?"),
        (9000, 14000, "Le panier est à deux euros."),
        (14000, 20000, "Et gratuit pour les familles suivies."),
        (20000, 20000, "Merci.\n(rires)"),
    ]


def _table_variant(tmp_path: Path, row: int, time: str) -> Path:
    import docx

    path = tmp_path / "epicerie_tableau.docx"
    shutil.copy(DATA / path.name, path)
    document = docx.Document(str(path))
    document.tables[0].rows[row].cells[0].text = time
    document.save(str(path))
    return path


def test_docx_table_refusals(project: Project, tmp_path: Path):
    refused(
        project,
        _table_variant(tmp_path, 3, "00:00:04"),
        "tableau 1, ligne 4",
        "précède",
        "tableau 1, ligne 3",
    )
    refused(
        project, _table_variant(tmp_path, 2, "neuf secondes"), "tableau 1, ligne 3", "illisible"
    )


def test_an_ordinary_docx_table_stays_text(tmp_path: Path):
    import docx

    document = docx.Document()
    grid = document.add_table(rows=2, cols=3)
    for cell, value in zip(grid.rows[0].cells, ["Jour", "Lieu", "Prix"], strict=True):
        cell.text = value
    for cell, value in zip(grid.rows[1].cells, ["samedi", "marché", "2 €"], strict=True):
        cell.text = value
    path = tmp_path / "prix.docx"
    document.save(str(path))
    [doc] = read_source(path)
    assert doc.text == "Jour\nLieu\nPrix\nsamedi\nmarché\n2 €" and doc.timecodes == []


# --- hostile files -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".html", ".otr", ".json"])
def test_transcript_above_the_limit_is_refused_without_being_read(tmp_path: Path, suffix: str):
    from miam_qual.sources.limits import MAX_TEXT_BYTES

    path = tmp_path / f"enorme{suffix}"
    with path.open("wb") as handle:
        handle.truncate(MAX_TEXT_BYTES + 1)  # sparse: no disk, and reading it would cost 50 MB
    with pytest.raises(UnreadableFile, match=rf"^« enorme\{suffix} » : fichier trop volumineux"):
        read_source(path)


def test_json_nested_too_deep_is_refused(tmp_path: Path):
    path = tmp_path / "profond.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(
        UnreadableFile, match=r"^« profond.json » : JSON imbriqué trop profondément"
    ):
        read_source(path)
