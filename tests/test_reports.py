"""Reports read back: parse the HTML, open the DOCX and the XLSX, compare with the database."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import openpyxl
import pytest
import spacy
from click.testing import CliRunner
from docx import Document

from miam_qual import ExportError, Project
from miam_qual.cli import main
from miam_qual.reports import build_report_data, write_report

BLANK = spacy.blank("fr")


def consenting(project, pseudonym: str) -> None:
    """Register ``pseudonym`` with consent to analysis and written quotation."""
    project.add_participant(pseudonym)
    for use in ("analyse", "citation"):
        project.set_consent(pseudonym, use, True, date="2025-01-01")


@pytest.fixture(scope="module")
def report_files(built_demo, tmp_path_factory):
    """The demo's report in every format, written once for the tests that only read it."""
    folder = tmp_path_factory.mktemp("rapport")
    shutil.copytree(built_demo, folder / "demo_projet")
    with Project.open(folder / "demo_projet") as project:
        paths = write_report(project, folder / "rapports", format="all", nlp=BLANK)
        yield project, {p.suffix: p for p in paths}


def test_html_is_self_contained_and_complete(report_files):
    project, files = report_files
    page = lxml.html.parse(str(files[".html"])).getroot()
    assert page.get("lang") == "fr"
    assert not page.xpath("//script")
    assert not page.xpath("//link[@rel='stylesheet']")
    images = page.xpath("//img/@src")
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    assert all(href.startswith("#") for href in page.xpath("//a/@href"))
    assert "@media print" in page.xpath("//style")[0].text
    titles = [h.text_content() for h in page.xpath("//h2")]
    assert "5. Accord inter-codeurs" in titles
    sections = {s.get("id") for s in page.xpath("//section[@class='theme']")}
    assert sections == {f"theme-{t.id}" for t in project.codebook.themes()}
    cards = page.xpath(
        "//div[@class='card'][div[@class='label']='Segments codés']/div[@class='value']"
    )
    assert cards[0].text_content() == str(len(project.codings()))
    agreement_rows = page.xpath("//h2[@id='accord']/following-sibling::table[1]/tbody/tr")
    assert agreement_rows[0].xpath("td")[0].text_content() == "Ensemble des codes"


def test_html_escapes_every_excerpt(project, tmp_path):
    source = tmp_path / "piege.txt"
    source.write_text(
        "Habitante 1 : <script>alert('x')</script> & le prix <b>fort</b>.\n", encoding="utf-8"
    )
    project.import_files([source], by="test")
    consenting(project, "Habitante 1")
    text = project.text("piege.txt")
    start = text.index("<script>")
    project.code(
        "piege.txt",
        start,
        len(text.rstrip()),
        "prix",
        coder="camille",
        memo="<img src=x onerror=alert(1)>",
    )
    project.code("piege.txt", start, len(text.rstrip()), "prix", coder="karim")
    [html_path] = write_report(project, tmp_path / "r.html", format="html", nlp=BLANK)
    raw = html_path.read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    page = lxml.html.fromstring(raw)
    assert (
        not page.xpath("//script") and not page.xpath("//b") and not page.xpath("//img[@onerror]")
    )
    quotes = [q.text_content() for q in page.xpath("//blockquote")]
    assert any("<script>alert('x')</script>" in q for q in quotes)


def test_docx_has_headings_tables_and_images(report_files):
    project, files = report_files
    doc = Document(str(files[".docx"]))
    headings = [
        (p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")
    ]
    assert ("Heading 1", "1. Vue d'ensemble") in headings
    assert ("Heading 1", "5. Accord inter-codeurs") in headings
    theme_labels = {t.label for t in project.codebook.themes()}
    assert theme_labels <= {text for style, text in headings if style == "Heading 2"}
    assert len(doc.inline_shapes) >= 3
    overview = doc.tables[0]
    assert [c.text for c in overview.rows[0].cells] == [
        "Thème",
        "Segments codés",
        "Documents",
        "Participant·es",
    ]
    assert len(overview.rows) == len(project.codebook.themes()) + 1
    assert doc.core_properties.language == "fr-FR"


def test_xlsx_lists_every_coded_segment(report_files):
    project, files = report_files
    book = openpyxl.load_workbook(files[".xlsx"])
    assert book.sheetnames[0] == "Segments codés"
    sheet = book["Segments codés"]
    codings = project.codings()
    assert sheet.max_row - 1 == len(codings)
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == [
        "Identifiant du codage",
        "Identifiant du passage",
        "Identifiant du document",
    ]
    assert "Vague d'enquête" in headers and "Extrait" in headers
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet["A1"].font.bold
    by_id = codings.set_index("coding_id")
    text_column = headers.index("Extrait")
    vague_column = headers.index("Vague d'enquête")
    hidden = set()
    for row in sheet.iter_rows(min_row=2, values_only=True):
        expected = by_id.loc[row[0]]
        if row[text_column] == "(extrait non citable)":
            hidden.add(expected["speaker"] or expected["document"])
            continue
        assert row[text_column] == expected["text"]
        assert row[vague_column] == (
            expected["vague"] if isinstance(expected["vague"], str) else None
        )
    assert {"Thèmes", "Codes", "Accord", "Désaccords", "Vagues"} <= set(book.sheetnames)
    # Habitant 11 refused written quotation (demo register): his words are counted, not quoted
    assert "Habitant 11" in hidden and "Habitante 1" not in hidden


def extracts_in_workbook(project, tmp_path, text: str, spans: list[tuple[int, int]]):
    """Code ``spans`` of a document holding ``text``, write the workbook; its « Segments codés »
    sheet and the « Extrait » cells, in row order."""
    source = tmp_path / "piege.txt"
    source.write_text(text, encoding="utf-8")
    consenting(project, "Habitante 1")
    project.import_files([source], by="test", participant="Habitante 1")
    for start, end in spans:
        project.code("piege.txt", start, end, "prix", coder="camille")
    [path] = write_report(project, tmp_path / "r.xlsx", format="xlsx", nlp=BLANK)
    sheet = openpyxl.load_workbook(path)["Segments codés"]
    headers = [c.value for c in sheet[1]]
    column = headers.index("Extrait") + 1
    return sheet, [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]


def test_formula_like_text_stays_text(project, tmp_path):
    _sheet, [cell] = extracts_in_workbook(
        project, tmp_path, "=SOMME(A1:A9) coûte cher\n", [(0, 13)]
    )
    assert cell.value == "=SOMME(A1:A9)" and cell.data_type == "s"


def test_markup_and_link_like_text_stays_text(project, tmp_path):
    text = "<r><t>Le prix</t></r>\nwww.exemple.fr 0612\n"
    sheet, cells = extracts_in_workbook(project, tmp_path, text, [(0, 21), (22, 41)])
    assert sorted((c.value, c.data_type) for c in cells) == [
        ("<r><t>Le prix</t></r>", "s"),
        ("www.exemple.fr 0612", "s"),
    ]
    assert not sheet._hyperlinks


def test_a_workbook_alone_draws_no_picture(built_demo, tmp_path):
    shutil.copytree(built_demo, tmp_path / "projet")
    script = (
        "import sys, spacy\nfrom miam_qual import Project\n"
        "from miam_qual.reports import write_report\n"
        "with Project.open(sys.argv[1]) as p:\n"
        "    print(write_report(p, sys.argv[2], format='xlsx', nlp=spacy.blank('fr')))\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = tmp_path / "r.xlsx"
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "projet"), str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.stdout.split("\n")[-2] == "False", done.stderr
    assert openpyxl.load_workbook(out)["Segments codés"].max_row > 1


def test_theme_and_coder_filters(demo_project, tmp_path):
    data = build_report_data(demo_project, themes=["acces"], coders=["karim"], nlp=BLANK)
    assert [s.code_id for s in data.summaries] == ["acces"]
    assert set(data.codings["coder"]) == {"karim"}
    assert set(data.codings["theme_id"]) == {"acces"}
    assert data.agreement is None and "deux codeurs" in data.agreement_note


def test_unknown_format_is_refused(demo_project, tmp_path):
    with pytest.raises(ExportError, match="Format de rapport inconnu"):
        write_report(demo_project, tmp_path / "sortie", format="pdf", nlp=BLANK)
    assert not (tmp_path / "sortie").exists()


def test_cli_rapport(built_demo, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["rapport", "--help"])
    assert result.exit_code == 0 and "revue des thèmes" in result.output
    copy = tmp_path / "projet"
    shutil.copytree(built_demo, copy)
    out = tmp_path / "sortie"
    result = runner.invoke(
        main,
        ["rapport", "-p", str(copy), "-f", "xlsx", "-f", "html", "-o", str(out), "-t", "acces"],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "revue_des_themes.html",
        "revue_des_themes.xlsx",
    ]
    assert "2 fichier(s) écrit(s)" in result.output
    result = runner.invoke(main, ["rapport", "-p", str(copy), "-o", str(out), "-t", "inconnu"])
    assert result.exit_code == 1 and "Code inconnu" in result.output
    result = runner.invoke(main, ["rapport", "-p", str(copy), "-o", str(out), "-c", "camile"])
    assert result.exit_code == 1 and "Codeur inconnu « camile »" in result.output


def test_cli_exporter_segments(built_demo, tmp_path):
    runner = CliRunner()
    copy = tmp_path / "projet"
    shutil.copytree(built_demo, copy)
    out = tmp_path / "segments_acces.xlsx"
    result = runner.invoke(
        main, ["exporter-segments", "-p", str(copy), "-o", str(out), "-k", "acces", "-c", "camille"]
    )
    assert result.exit_code == 0, result.output
    assert f"Segments codés écrits dans {out}" in result.output
    sheet = openpyxl.load_workbook(out)["Segments codés"]
    headers = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    with Project.open(copy) as project:
        expected = project.codings(code="acces", coder="camille")
        themes = {project.codebook.get("acces").label}
    assert len(rows) == len(expected) > 0
    assert {r[headers.index("Codeur·se")] for r in rows} == {"camille"}
    assert {r[headers.index("Thème")] for r in rows} == themes
    assert sorted(r[0] for r in rows) == sorted(expected["coding_id"])
    before = sorted(p.relative_to(copy) for p in copy.rglob("*"))
    result = runner.invoke(
        main, ["exporter-segments", "-p", str(copy), "-o", str(copy / "prive" / "s.xlsx")]
    )
    assert result.exit_code == 1 and "dossier privé" in result.output
    assert sorted(p.relative_to(copy) for p in copy.rglob("*")) == before
    for option, name, message in (("-c", "camile", "Codeur inconnu « camile »"),
                                  ("-k", "inconnu", "Code inconnu « inconnu »")):  # fmt: skip
        result = runner.invoke(
            main,
            ["exporter-segments", "-p", str(copy), "-o", str(tmp_path / "x.xlsx"), option, name],
        )
        assert result.exit_code == 1 and message in result.output, result.output
        assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.slow
def test_word_lists_are_the_trained_pipelines_and_kept_for_the_next_report(demo_project, tmp_path):
    from miam_qual.nlp import CACHE_DIR, load_nlp

    write_report(demo_project, tmp_path / "r.html", format="html")
    assert len(list((demo_project.root / CACHE_DIR).glob("mots_*.json"))) == 1
    cached = build_report_data(demo_project)  # read from the cache file
    direct = build_report_data(demo_project, nlp=load_nlp())
    pairs = [(a, b) for s, t in zip(cached.summaries, direct.summaries, strict=True)
             for a, b in [(s, t), *zip(s.codes, t.codes, strict=True)]]  # fmt: skip
    assert any(not a.words.empty for a, _ in pairs)
    for a, b in pairs:
        assert a.words.to_dict("records") == b.words.to_dict("records"), a.code_id


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium absent")
def test_html_renders_in_chromium(report_files, tmp_path):
    from PIL import Image

    _, files = report_files
    shot = tmp_path / "rapport.png"
    subprocess.run(
        ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
         "--window-size=1200,2000", files[".html"].as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    image = Image.open(shot).convert("RGB")
    # the green cover band is drawn at the top, the white page below it
    assert image.getpixel((20, 20))[1] > image.getpixel((20, 20))[0] + 40
    assert len(image.resize((60, 100)).getcolors(maxcolors=10_000) or []) > 20
