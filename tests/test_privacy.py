"""The privacy suite: no real name and no unconsented word leaves the project, through any output.

A project of its own (``tests/data/privacy``): 27 mapped residents of the Bassin minier and
beyond, named in the transcripts in the forms people and exports write (capitals, no accents,
soft hyphen and zero-width space inside, en dash in a compound, Cyrillic look-alike letter,
surname alone, nickname), a document *named* after a person, a memo with a real name and a phone
number, a code label and an attribute value holding names; four people with different consents
(Habitant B refused quotation and radio, Habitante C refused analysis), an interviewer of the team
(« Enquêtrice ») and one nobody declared (« Camille (VRAC) »).

Every export, in every format, is read back independently of the gate: ZIP members (names and
XML with tags removed), PDF text by two extractors and attachments, file names.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
import spacy

from miam_qual import ConsentError, ExportError, Project, QuoteError
from miam_qual.demo import REPO_ROOT
from miam_qual.exchange import export_qdpx
from miam_qual.nlp import CACHE_DIR, CachedWordCounts
from miam_qual.privacy import Pseudonyms
from miam_qual.privacy.gate import STAGING_PREFIX, ExportGate, LeakError
from miam_qual.publication import (
    edit_quote,
    export_exhibition,
    export_radio,
    export_social_cards,
    export_spreadsheet,
    list_quotes,
    propose_quote,
    quote_consents,
    set_quote_status,
    synthesize_recordings,
)
from miam_qual.publication.quotes import check_light_edit
from miam_qual.reports import write_report
from miam_qual.reports.segments import write_segments

DATA = Path(__file__).parent / "data" / "privacy"
BLANK = spacy.blank("fr")
TARGETS = ["radio", "exposition", "rapport", "réseaux sociaux"]
#: Forms written in the sources, each a real name the mapping covers (fold-compared below).
WRITTEN_FORMS = [
    "Ayşe", "Yıldız", "YILDIZ", "łukasz", "SØREN", "Ahmed", "Nguyễn", "Marie–Hélène", "Benali",
    "Sophie Durand", "Dragic", "Kjaer", "Fatima-Zahra", "Jean-Pierre", "Rorette", "Zaïnaba",
    "Tchavolo", "N’Diaye", "Émile Zola", "Priscila", "Gonçalves", "Thị Hương",
]  # fmt: skip


def _fold(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    table = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "–": "-", "’": "'"})
    return text.translate(table).replace("\u00ad", "").replace("\u200b", "")


def build(root: Path) -> Project:
    project = Project.create(root, codebook=REPO_ROOT / "codebooks" / "livre_de_codes.yml")
    project.add_coder("camille")
    project.add_coder("karim")
    project.import_participants(DATA / "participants.csv", by="test")
    project.import_files(
        [DATA / "temoignage_priv_01.vtt", DATA / "entretien_Ahmed_Benali.txt"], by="test"
    )
    project.import_files([DATA / "temoignage_priv_03.txt"], participant="Habitante C", by="test")
    project.set_attributes("entretien_Ahmed_Benali.txt", participant="Habitant D")
    project.identify_speaker("Enquêtrice", interviewer=True, by="test")
    project.add_code("chez_ayse", "Chez Ayşe Yıldız", parent="lien_social", by="test")
    text = project.text("temoignage_priv_01.vtt")
    for coder in ("camille", "karim"):
        for excerpt, code in [
            ("Avec Ayşe Yıldız, et YILDIZ me prête sa voiture", "chez_ayse"),
            ("Monsieur Benali et Sophie Durand viennent au marché", "entraide"),
            ("Les légumes sont moins chers depuis l'épicerie éphémère", "prix"),
            ("Moi je viens pour la convivialité", "convivialite"),
            ("Et les enfants goûtent des choses nouvelles", "legumes"),
        ]:
            start = text.index(excerpt)
            project.code("temoignage_priv_01.vtt", start, start + len(excerpt), code, coder=coder)
    other = project.text("entretien_Ahmed_Benali.txt")
    for excerpt, code in [
        ("Le prix du panier a baissé", "prix"),
        ("Zaïnaba et Tchavolo", "entraide"),
    ]:
        start = other.index(excerpt)
        project.code(
            "entretien_Ahmed_Benali.txt", start, start + len(excerpt), code, coder="camille"
        )
    refused = project.text("temoignage_priv_03.txt")
    project.code("temoignage_priv_03.txt", 0, len(refused.strip()), "prix", coder="camille")
    project.code("temoignage_priv_03.txt", 0, len(refused.strip()), "prix", coder="karim")
    coding = project.codings(document="temoignage_priv_01.vtt").iloc[0]["coding_id"]
    project.set_memo("coding", coding, "Vrai nom : Ahmed Benali (06 12 34 56 78)", author="camille")
    project.set_memo("participant", "Habitante C", "Priscila Gonçalves, voisine.", author="karim")
    (root / "prive").mkdir()
    shutil.copy(DATA / "pseudonymes.yml", root / "prive" / "pseudonymes.yml")
    synthesize_recordings(project)
    for coding_id in project.codings(coder="camille").drop_duplicates("selection_id")["coding_id"]:
        quote = propose_quote(project, coding_id, targets=TARGETS, by="léa")
        set_quote_status(project, quote, "retenue", by="léa")
        allowed = quote_consents(project, quote).set_index("target")["allowed"]
        targets = [t for t in TARGETS if allowed[t]]
        if targets:
            edit_quote(project, quote, targets=targets, by="léa")
            set_quote_status(project, quote, "validée", by="léa")
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("vie_privee") / "projet"
    build(root).close()
    return root


@pytest.fixture
def project(built, tmp_path):
    copy = tmp_path / "projet"
    shutil.copytree(built, copy)
    opened = Project.open(copy)
    yield opened
    opened.close()


# -- reading back, independently of the gate ----------------------------------------------------
def everything_readable(folder: Path) -> dict[str, str]:
    """``{relative path: text}`` for every file under ``folder`` (and its own name)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        parts = [relative]
        if path.is_file():
            parts.append(_file_text(path))
        found[relative] = "\n".join(parts)
    return found


def _file_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in {".docx", ".xlsx", ".qdpx"}:
        with zipfile.ZipFile(path) as archive:
            parts = archive.namelist()
            for name in archive.namelist():
                raw = archive.read(name)
                if name.endswith((".xml", ".rels", ".qde", ".txt")):
                    decoded = raw.decode("utf-8", "replace")
                    parts += [decoded, re.sub(r"<[^>]+>", "", decoded)]
            return "\n".join(parts)
    if suffix == ".pdf":
        import pypdfium2 as pdfium
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        parts = [page.extract_text() or "" for page in reader.pages]
        parts += [str(v) for v in (reader.metadata or {}).values()]
        parts += list((reader.attachments or {}).keys())
        document = pdfium.PdfDocument(str(path))
        parts += [document[i].get_textpage().get_text_range() for i in range(len(document))]
        document.close()
        return "\n".join(parts)
    if suffix == ".html":  # embedded pictures are base64 noise, not words
        raw = path.read_text(encoding="utf-8")
        return re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "data:", raw)
    if suffix in {".md", ".csv", ".txt", ".json"}:
        return path.read_text(encoding="utf-8-sig")
    return ""  # audio and pictures: their words are the checked PDF pages and cue texts


def assert_no_real_name(folder: Path, pseudonyms: Pseudonyms) -> int:
    """No form of any mapped name in any file or file name under ``folder``; returns how many
    files had text to read (so a test cannot pass by reading nothing)."""
    texts = everything_readable(folder)
    assert texts, f"rien n'a été écrit dans {folder}"
    forms = [re.compile(rf"(?<!\w){re.escape(_fold(f))}(?!\w)") for f in WRITTEN_FORMS]
    read = 0
    for relative, text in texts.items():
        assert pseudonyms.find(text) == [], relative
        folded = _fold(" ".join(text.split()))
        leaked = [
            f for f, pattern in zip(WRITTEN_FORMS, forms, strict=True) if pattern.search(folded)
        ]
        assert not leaked, (relative, leaked)
        read += len(text) > len(relative) + 1
    return read


def all_exports(project: Project, out: Path) -> dict[str, Path]:
    export_radio(project, out / "radio")
    export_exhibition(project, out / "expo", png=True, png_dpi=20)
    export_social_cards(project, out / "cartes", size_px=200)
    export_spreadsheet(project, out / "tableur")
    write_report(project, out / "rapport", format="all", nlp=BLANK)
    export_qdpx(project, out / "echange" / "projet.qdpx")
    write_segments(project, out / "segments")
    return {
        name: out / name
        for name in ("radio", "expo", "cartes", "tableur", "rapport", "echange", "segments")
    }


# -- the whole project, every export, every format -----------------------------------------------
def test_no_real_name_in_any_export_in_any_format(project, tmp_path):
    folders = all_exports(project, tmp_path / "sorties")
    pseudonyms = Pseudonyms.load(project.root)
    suffixes = set()
    for name, folder in folders.items():
        assert assert_no_real_name(folder, pseudonyms) >= 1, name
        suffixes |= {p.suffix for p in folder.rglob("*") if p.is_file()}
        assert not list(folder.glob(f"{STAGING_PREFIX}*")), name
    assert {".docx", ".xlsx", ".csv", ".md", ".pdf", ".png", ".wav", ".html", ".qdpx"} <= suffixes
    # the words are there, under their pseudonyms
    html = (folders["rapport"] / "revue_des_themes.html").read_text(encoding="utf-8")
    assert "Chez Leyla Y." in html and "Karim B." in html
    assert "06 12 34 56 78" in html  # a memo is kept, only the name in it is replaced
    assert "entretien_Karim_B..txt" in html or "entretien_Karim_B" in html


def test_the_report_leaves_out_whoever_refused_analysis(project, tmp_path):
    write_report(project, tmp_path / "rapport", format="all", nlp=BLANK)
    html = (tmp_path / "rapport" / "revue_des_themes.html").read_text(encoding="utf-8")
    assert "cantine de mes enfants" not in html and "Habitante C" not in html
    book = openpyxl.load_workbook(tmp_path / "rapport" / "revue_des_themes.xlsx")
    rows = list(book["Segments codés"].iter_rows(min_row=2, values_only=True))
    everything = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "cantine de mes enfants" not in everything and "Habitante C" not in everything
    expected = project.codings()
    expected = expected[expected["document"] != "temoignage_priv_03.txt"]
    assert len(rows) == len(expected)  # counts included: her codings are not counted either
    document = docx.Document(str(tmp_path / "rapport" / "revue_des_themes.docx"))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "cantine de mes enfants" not in body
    # the register counts three people: Habitante C is not counted
    page = re.sub(r"\s+", " ", html)
    assert re.search(r'class="value">3</div><div class="label">Participant', page)


def test_the_segments_export_honours_consent_like_the_report(project, tmp_path):
    path = write_segments(project, tmp_path / "segments")
    assert path == tmp_path / "segments" / "segments_codes.xlsx"
    report = write_report(project, tmp_path / "r.xlsx", format="xlsx", nlp=BLANK)[0]
    rows = list(openpyxl.load_workbook(path)["Segments codés"].iter_rows(values_only=True))
    same = openpyxl.load_workbook(report)["Segments codés"].iter_rows(values_only=True)
    assert rows == list(same)  # the report's sheet, row for row
    everything = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "cantine de mes enfants" not in everything and "Habitante C" not in everything
    speaker, text = rows[0].index("Locuteur·rice"), rows[0].index("Extrait")
    assert {r[text] for r in rows[1:] if r[speaker] == "Habitant B"} == {"(extrait non citable)"}
    assert "Karim B." in everything  # under pseudonyms


def test_the_report_quotes_only_with_written_consent(project, tmp_path):
    write_report(project, tmp_path / "r.xlsx", format="xlsx", nlp=BLANK)
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["Segments codés"]
    headers = [c.value for c in sheet[1]]
    text, speaker = headers.index("Extrait"), headers.index("Locuteur·rice")
    by_speaker: dict[str, set[str]] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        by_speaker.setdefault(row[speaker], set()).add(row[text])
    assert by_speaker["Habitant B"] == {"(extrait non citable)"}  # refused written quotation
    assert "(extrait non citable)" not in by_speaker["Habitante A"]


def test_the_exchange_archive_honours_analysis_consent(project, tmp_path):
    archive = export_qdpx(project, tmp_path / "projet.qdpx")
    with zipfile.ZipFile(archive) as zf:
        xml = zf.read("project.qde").decode("utf-8")
        sources = [zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("sources/")]
    assert "Habitante C" not in xml and "Priscila" not in xml
    assert not any("cantine de mes enfants" in s for s in sources)
    assert len(sources) == 2  # her document (all hers) is left out
    assert 'name="entretien_Karim_B..txt"' in xml or "entretien_Karim_B" in xml


# -- the final guard ----------------------------------------------------------------------------
EXPORTS = {
    "radio": lambda p, d: export_radio(p, d),
    "exposition": lambda p, d: export_exhibition(p, d, png=True, png_dpi=20),
    "cartes": lambda p, d: export_social_cards(p, d, size_px=200),
    "tableur": lambda p, d: export_spreadsheet(p, d),
    "rapport": lambda p, d: write_report(p, d, format="all", nlp=BLANK),
    "echange": lambda p, d: export_qdpx(p, d / "projet.qdpx"),
    "segments": lambda p, d: write_segments(p, d),
}


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_the_gate_stops_an_export_whose_pseudonymisation_failed(
    project, tmp_path, monkeypatch, kind
):
    """Pseudonymisation broken on purpose: only the final read-back stands between the names and
    the files. Removing the gate makes this test fail."""
    monkeypatch.setattr(Pseudonyms, "apply", lambda self, text: text or "")
    destination = tmp_path / kind
    if kind == "radio":  # the radio refuses names heard in a clip before writing anything
        monkeypatch.setattr(Pseudonyms, "find", _find_outside_sources(Pseudonyms.find))
    with pytest.raises(LeakError) as stopped:
        EXPORTS[kind](project, destination)
    message = str(stopped.value)
    assert "arrêté, rien n'a été écrit" in message
    assert "A… B…" in message or "L… Y…" in message or "…" in message
    for form in ("Ahmed", "Benali", "Ayşe", "Yıldız", "Sophie"):
        assert form not in message
    assert not destination.exists() or not any(destination.rglob("*"))


def _find_outside_sources(find):
    """``find`` that answers nothing for the radio's heard-text check (the source span), so that
    the clips get written and the read-back alone must catch the names."""

    def patched(self, text):
        import inspect

        caller = inspect.stack()[1].function
        return [] if caller == "audible" else find(self, text)

    return patched


def test_a_stopped_export_leaves_no_file_and_keeps_the_previous_one(project, tmp_path, monkeypatch):
    destination = tmp_path / "expo"
    export_exhibition(project, destination, png=True, png_dpi=20)
    before = {p: p.read_bytes() for p in destination.rglob("*") if p.is_file()}
    from miam_qual.publication import exhibition

    def broken(pdf, targets, **options):
        Path(targets[0]).parent.mkdir(parents=True, exist_ok=True)
        Path(targets[0]).write_bytes(b"half a picture")
        raise ExportError("rendu interrompu")

    monkeypatch.setattr(exhibition, "pdf_to_pngs", broken)
    with pytest.raises(ExportError, match="rendu interrompu"):
        export_exhibition(project, destination, png=True, png_dpi=20)
    after = {p: p.read_bytes() for p in destination.rglob("*") if p.is_file()}
    assert after == before  # the stopped export left nothing, the previous one is untouched


def test_reexporting_removes_what_consent_no_longer_allows(project, tmp_path):
    destination = tmp_path / "cartes"
    first = export_social_cards(project, destination, size_px=200)
    cards = {p.stem for p in (destination / "cartes").glob("*.png")}
    assert cards == set(first.exported) and len(cards) >= 3
    quotes = list_quotes(project).set_index("quote_id")
    hers = {q for q in cards if quotes.loc[q, "participant"] == "Habitante A"}
    assert hers and cards - hers
    project.set_consent("Habitante A", "citation", False, date="2026-01-01", by="léa")
    again = export_social_cards(project, destination, size_px=200)
    # her cards are gone from the folder, not just from the new export's list
    assert {p.stem for p in (destination / "cartes").glob("*.png")} == cards - hers
    assert set(again.refused["quote_id"]) == hers
    assert all("retiré (2026-01-01)" in r for r in again.refused["reason"])


def test_nothing_goes_into_prive_and_prive_is_private(project, tmp_path):
    with pytest.raises(ExportError, match="dossier privé"):
        export_spreadsheet(project, project.root / "prive" / "export")
    with pytest.raises(ExportError, match="dossier privé"):
        write_report(project, project.root / "prive", format="html", nlp=BLANK)
    with pytest.raises(ExportError, match="dossier privé"):
        export_qdpx(project, project.root / "prive" / "x.qdpx")
    assert sorted(p.name for p in (project.root / "prive").iterdir()) == ["pseudonymes.yml"]
    Pseudonyms.load(project.root)  # a folder made by hand is tightened when read
    assert stat.S_IMODE((project.root / "prive").stat().st_mode) == 0o700
    assert stat.S_IMODE((project.root / "prive" / "pseudonymes.yml").stat().st_mode) == 0o600
    fresh = Pseudonyms(tmp_path / "autre" / "prive" / "pseudonymes.yml")
    fresh.add("Ahmed Benali", "Karim B.")
    assert stat.S_IMODE((tmp_path / "autre" / "prive").stat().st_mode) == 0o700
    assert stat.S_IMODE(fresh.path.stat().st_mode) == 0o600


# -- consent per speaker -------------------------------------------------------------------------
def test_a_quote_over_two_speakers_needs_both(project):
    text = project.text("temoignage_priv_01.vtt")
    start = text.index("on mange mieux")
    end = text.index("le jeudi") + len("le jeudi")
    quote = propose_quote(project, document="temoignage_priv_01.vtt", start=start, end=end,
                           targets=["radio"], by="léa")  # fmt: skip
    set_quote_status(project, quote, "retenue", by="léa")
    with pytest.raises(QuoteError, match="Habitant B : refus de l'usage « voix à la radio »"):
        set_quote_status(project, quote, "validée", by="léa")
    consents = quote_consents(project, quote).set_index("target")
    assert not consents.loc["radio", "allowed"] and consents.loc["exposition", "allowed"]


def test_an_unregistered_speaker_is_refused_by_name(project, tmp_path):
    text = project.text("entretien_Ahmed_Benali.txt")
    start = text.index("Et les voisins")
    end = text.index("ça fait du monde") + len("ça fait du monde")
    quote = propose_quote(project, document="entretien_Ahmed_Benali.txt", start=start, end=end,
                           targets=["exposition"], by="léa")  # fmt: skip
    set_quote_status(project, quote, "retenue", by="léa")
    with pytest.raises(QuoteError, match=r"locuteur « Camille \(VRAC\) » non identifié"):
        set_quote_status(project, quote, "validée", by="léa")
    project.identify_speaker("Camille (VRAC)", interviewer=True, by="léa")
    set_quote_status(project, quote, "validée", by="léa")  # the team's own words need no consent


def test_a_radio_clip_margin_never_takes_in_a_refusing_neighbour(project, tmp_path):
    text = project.text("temoignage_priv_01.vtt")
    start = text.index("Et les enfants goûtent")
    quotes = list_quotes(project)
    quote = quotes.loc[quotes["start"] == start, "quote_id"].iloc[0]
    report = export_radio(project, tmp_path / "r1", padding_ms=0)
    assert quote in report.exported
    # 2 s of margin before 45 s would take in Habitant B's last words (his cue ends at 44 s, and
    # he refuses the radio): another speaker's words are never in a clip's margin, so it stops
    # at the end of his cue; what is heard is checked all the same (the consent of every voice
    # between the clip's real in and out points)
    report = export_radio(project, tmp_path / "r2", padding_ms=2000)
    assert quote in report.exported
    sheet = (tmp_path / "r2" / "feuille_de_montage.csv").read_text(encoding="utf-8-sig")
    (row,) = [line.split(";") for line in sheet.splitlines() if line.startswith(quote)]
    assert 44_000 <= int(row[6]) < 45_000  # debut_ms


def test_withdrawal_then_renewal(project, tmp_path):
    first = export_exhibition(project, tmp_path / "e0", png=False, with_word_cloud=False)
    quotes = list_quotes(project).set_index("quote_id")
    hers = {q for q in first.exported if quotes.loc[q, "participant"] == "Habitante A"}
    assert hers
    project.set_consent("Habitante A", "exposition", False, date="2026-01-10", by="léa")
    withdrawn = export_exhibition(project, tmp_path / "e1", png=False, with_word_cloud=False)
    assert not hers & set(withdrawn.exported)
    assert set(withdrawn.refused["quote_id"]) == hers
    with pytest.raises(ConsentError, match="daté après le retrait"):
        project.set_consent("Habitante A", "exposition", True, date="2025-12-01", by="léa")
    project.set_consent("Habitante A", "exposition", True, date="2026-02-01", by="léa")
    renewed = export_exhibition(project, tmp_path / "e2", png=False, with_word_cloud=False)
    assert hers <= set(renewed.exported)


def test_a_withdrawal_takes_her_words_out_of_the_word_cache(project, tmp_path):
    """The report keeps each passage's content words in ``.cache/``: after she withdraws her
    consent to written quotation, the next report on the whole project forgets her passages'."""
    hers = project.codings()
    hers = hers[hers["speaker"] == "Habitante A"]
    assert len(hers)

    def cached_texts() -> set[str]:
        [path] = (project.root / CACHE_DIR).glob("mots_*.json")
        return set(json.loads(path.read_text())["counts"])

    def key(text: str) -> str:
        return "lemmes:3:" + hashlib.sha256(text.encode()).hexdigest()

    write_report(
        project, tmp_path / "r0.xlsx", format="xlsx", nlp=CachedWordCounts(project.root, "blank")
    )
    keys = {key(t) for t in hers["text"]}
    assert keys & cached_texts()
    project.set_consent("Habitante A", "citation", False, date="2026-01-10", by="léa")
    theme = project.codebook.themes()[0].id
    write_report(  # a report on one theme keeps the rest of the cache
        project, tmp_path / "r1.xlsx", format="xlsx", themes=[theme],
        nlp=CachedWordCounts(project.root, "blank"),
    )  # fmt: skip
    assert keys & cached_texts()
    write_report(
        project, tmp_path / "r2.xlsx", format="xlsx", nlp=CachedWordCounts(project.root, "blank")
    )
    assert not keys & cached_texts()
    assert cached_texts()  # the others' words stay


# -- what the gate reads --------------------------------------------------------------------------
def gate_with(project: Project, tmp_path: Path, write) -> Path:
    destination = tmp_path / "sortie"
    with ExportGate(project.root, destination, what="essai") as gate:
        write(gate)
    return destination


@pytest.mark.parametrize(
    "where",
    ["docx_comment", "docx_app", "docx_header", "xlsx_sheet", "xlsx_comment", "xlsx_footer",
     "pdf_hyphen", "pdf_attachment", "file_name", "picture_words", "csv"],
)  # fmt: skip
def test_the_gate_reads_every_hiding_place(project, tmp_path, where):
    def write(gate: ExportGate) -> None:
        folder = gate.path
        if where.startswith("docx"):
            document = docx.Document()
            paragraph = document.add_paragraph("Rien à signaler.")
            if where == "docx_comment":
                document.add_comment(paragraph.runs, text="Voir Ahmed Benali", author="léa")
            if where == "docx_header":
                document.sections[0].header.paragraphs[0].text = "Dossier Ayşe Yıldız"
            document.save(str(folder / "note.docx"))
            if where == "docx_app":
                _rewrite_member(folder / "note.docx", "docProps/app.xml",
                                lambda xml: xml.replace("</Properties>", "<Company>Sophie Durand</Company></Properties>"))  # fmt: skip
        elif where.startswith("xlsx"):
            book = openpyxl.Workbook()
            sheet = book.active
            sheet["A1"] = "Rien"
            if where == "xlsx_sheet":
                sheet.title = "Łukasz Wójcik"
            if where == "xlsx_comment":
                sheet["A1"].comment = openpyxl.comments.Comment("Søren Kjær", "léa")
            if where == "xlsx_footer":
                sheet.oddFooter.center.text = "Nguyễn Thị Hương"
            book.save(folder / "tableau.xlsx")
        elif where == "pdf_hyphen":
            _pdf(folder / "page.pdf", "<p>Notre voisin Sofi&#8208;<br>ane Haddad</p>")
        elif where == "pdf_attachment":
            _pdf(folder / "page.pdf", "<p>Rien.</p>", attachment=("liste.txt", "Dragan Dragić"))
        elif where == "file_name":
            (folder / "panneau_06_recettes_ayse.pdf").write_bytes(b"")
            _pdf(folder / "panneau_06_recettes_ayse.pdf", "<p>Recettes</p>")
        elif where == "picture_words":
            gate.picture("nuage de mots", ["légumes", "tchavolo", "marché"])
        elif where == "csv":
            (folder / "t.csv").write_text('texte\n"MARIE-HELENE"\n', encoding="utf-8")

    with pytest.raises(LeakError) as stopped:
        gate_with(project, tmp_path, write)
    assert not (tmp_path / "sortie").exists()
    message = str(stopped.value)
    assert "…" in message
    for real in ("Ahmed", "Ayşe", "Sophie", "Łukasz", "Søren", "Nguyễn", "Sofiane", "Dragan",
                 "ayse", "Tchavolo", "tchavolo", "MARIE"):  # fmt: skip
        assert real not in message


def _rewrite_member(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        items = [(i, archive.read(i.filename)) for i in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in items:
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            archive.writestr(info, data)


def _pdf(path: Path, body: str, attachment: tuple[str, str] | None = None) -> None:
    from weasyprint import HTML, Attachment

    attachments = [Attachment(string=attachment[1], base_url=None)] if attachment else []
    if attachment:
        attachments[0].name = attachment[0]
    HTML(string=f"<html><body style='width:30mm'>{body}</body></html>").write_pdf(
        str(path), attachments=attachments
    )


def test_a_clean_export_moves_in_and_a_killed_one_is_swept(project, tmp_path):
    destination = tmp_path / "sortie"
    destination.mkdir()
    stale = destination / f"{STAGING_PREFIX}mort"  # left by a killed export, names inside
    stale.mkdir()
    (stale / "brouillon.txt").write_text("Ahmed Benali", encoding="utf-8")
    with ExportGate(project.root, destination, what="essai") as gate:
        (gate.path / "ok.txt").write_text("Karim B. au marché", encoding="utf-8")
        (gate.path / "sous").mkdir()
        (gate.path / "sous" / "a.md").write_text("rien", encoding="utf-8")
    assert sorted(p.relative_to(destination).as_posix() for p in gate.files) == [
        "ok.txt",
        "sous/a.md",
    ]
    assert not stale.exists()
    assert (destination / "ok.txt").read_text(encoding="utf-8") == "Karim B. au marché"
    with ExportGate(project.root, destination, what="essai") as gate:  # sous/a.md no longer made
        (gate.path / "ok.txt").write_text("encore", encoding="utf-8")
    assert not (destination / "sous").exists()
    with ExportGate(project.root, destination, what="autre") as gate:  # another kind keeps it
        (gate.path / "autre.txt").write_text("x", encoding="utf-8")
    assert (destination / "ok.txt").exists()


def test_an_unreadable_file_type_is_not_let_out(project, tmp_path):
    with pytest.raises(ExportError, match="ne sait pas relire"):
        gate_with(project, tmp_path, lambda g: (g.path / "x.bin").write_bytes(b"\x00\x01"))
    assert not (tmp_path / "sortie").exists()


# -- inert exports --------------------------------------------------------------------------------
def test_formulas_and_markup_stay_words(project, tmp_path):
    source = tmp_path / "formule.txt"
    source.write_text('=HYPERLINK("http://x";"clic") et *gras* <b>fort</b>\n', encoding="utf-8")
    project.import_files([source], participant="Habitante A", by="test")
    text = project.text("formule.txt")
    quote = propose_quote(project, document="formule.txt", start=0, end=len(text.strip()),
                           targets=["radio", "rapport"], by="léa")  # fmt: skip
    edit_quote(project, quote, targets=["rapport"], by="léa")
    set_quote_status(project, quote, "retenue", by="léa")
    set_quote_status(project, quote, "validée", by="léa")
    export_spreadsheet(project, tmp_path / "t")
    csv_text = (tmp_path / "t" / "citations.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ";=HYPERLINK" not in csv_text
    sheet = openpyxl.load_workbook(tmp_path / "t" / "citations.xlsx").active
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_settings_cannot_break_out_of_the_panels(project, tmp_path):
    (project.root / "publication.yml").write_text(
        'structure: "\\"; } </style><link rel=attachment href=\\"file:///etc/passwd\\"><style>"\n'
        'couleurs:\n  acces: "#2E7D32"\n',
        encoding="utf-8",
    )
    reopened = Project.open(project.root)
    try:
        export_exhibition(reopened, tmp_path / "e", png=False, with_word_cloud=False)
    finally:
        reopened.close()
    from pypdf import PdfReader

    reader = PdfReader(str(tmp_path / "e" / "panneaux.pdf"))
    assert not reader.attachments
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "root:" not in text and "</style>" in text  # shown as words, never run


# -- meaning-preserving edits --------------------------------------------------------------------
ORIGINAL = "Je ne mange pas de légumes. Les enfants aiment la cantine. On vient le jeudi."


@pytest.mark.parametrize(
    "display",
    [
        "Je mange de légumes. Les enfants aiment la cantine. On vient le jeudi.",
        "Je ne mange […] de légumes. Les enfants aiment la cantine.",
        "Les enfants n'aiment pas la cantine. On vient le jeudi.",
        "Les enfants aiment la cantine. On ne vient jamais le jeudi.",
        "Les enfants aiment la cantine de Ahmed. On vient le jeudi.",
    ],
)
def test_light_edits_keep_negations_and_add_no_name(display):
    with pytest.raises(QuoteError):
        check_light_edit(ORIGINAL, display)


@pytest.mark.parametrize(
    "display",
    [
        "[…] Les enfants aiment la cantine. On vient le jeudi.",  # a whole sentence cut
        "Je ne mange pas de légumes. […] On vient le jeudi.",
        "Je ne mange pas de légumes. Les enfants aiment la cantinne. On vient le Jeudi.",
    ],
)
def test_light_edits_that_keep_the_meaning_pass(display):
    check_light_edit(ORIGINAL, display)


def test_a_recording_named_after_a_person_is_named_by_its_pseudonym(project, tmp_path):
    source = tmp_path / "temoignage_priv_04.vtt"
    text = (DATA / "temoignage_priv_01.vtt").read_text(encoding="utf-8")
    source.write_text(
        text.replace("media: temoignage_priv_01.wav", "media: entretien_Sophie_Durand.wav"),
        encoding="utf-8",
    )
    project.import_files([source], by="test")
    synthesize_recordings(project)
    document = project.text("temoignage_priv_04.vtt")
    start = document.index("Les légumes sont moins chers")
    quote = propose_and_validate(project, "temoignage_priv_04.vtt", start, start + 40, ["radio"])
    report = export_radio(project, tmp_path / "radio")
    assert quote in report.exported
    cues = (tmp_path / "radio" / "feuille_de_montage.csv").read_text(encoding="utf-8-sig")
    assert "entretien_Julie_M..wav" in cues and "Sophie" not in cues and "Durand" not in cues


def propose_and_validate(project, document: str, start: int, end: int, targets: list[str]) -> str:
    quote = propose_quote(
        project, document=document, start=start, end=end, targets=targets, by="léa"
    )
    set_quote_status(project, quote, "retenue", by="léa")
    set_quote_status(project, quote, "validée", by="léa")
    return quote


def test_markdown_shows_quoted_words_as_written():
    from miam_qual.publication.outputs import markdown_text

    quoted = "Il a dit *non* <script>x</script> [voir](http://x) # 1 | 2\nfin"
    escaped = markdown_text(quoted)
    assert "\n" not in escaped and "<script>" not in escaped
    assert re.sub(r"\\(.)", r"\1", escaped) == quoted.replace("\n", " ")
