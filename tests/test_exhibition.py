"""Exhibition panels (PDF with bleed, PNG previews) and square social cards, read back."""

from __future__ import annotations

import shutil
import struct

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from test_publication_support import fill, validated

from miam_qual.cli import main
from miam_qual.publication import Quotes, export_exhibition, export_social_cards

ALL = ["radio", "exposition", "rapport", "réseaux sociaux"]
MM = 72 / 25.4
needs_pdftoppm = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm absent : aperçus PNG non testables"
)


@pytest.fixture
def ready(project):
    codings = fill(project)
    return project, validated(project, codings, ALL)


def png_size(path):
    with open(path, "rb") as handle:
        header = handle.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_a3_portrait_panels_one_per_theme_with_bleed_and_the_quotes(ready, tmp_path):
    project, _ = ready
    report = export_exhibition(project, tmp_path / "expo", png=False)
    reader = PdfReader(str(tmp_path / "expo" / "panneaux.pdf"))
    # Habitante C refuses the exhibition: her theme « pratiques » keeps only Habitante A's quote.
    assert len(reader.pages) == 3
    for page in reader.pages:
        assert float(page.trimbox.width) == pytest.approx(297 * MM, abs=0.5)
        assert float(page.trimbox.height) == pytest.approx(420 * MM, abs=0.5)
        assert float(page.mediabox.width) == pytest.approx(
            303 * MM, abs=0.5
        )  # 3 mm bleed each side
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "Accès à une alimentation de qualité" in text and "Lien social" in text
    assert "Habitante, 50-59 ans, cité Saint-Élie" in text
    assert "voisine Martine L." in text
    assert "lentilles" not in text  # refused quote
    singles = sorted((tmp_path / "expo" / "panneaux").glob("*.pdf"))
    assert [len(PdfReader(str(p)).pages) for p in singles] == [1, 1, 1]
    assert "refus de l'usage « exposition »" in report.summary()


@needs_pdftoppm
def test_a2_landscape_panels_and_their_png_previews(ready, tmp_path):
    project, _ = ready
    export_exhibition(project, tmp_path / "expo", paper="A2", orientation="paysage", png_dpi=30,
                      with_word_cloud=False)  # fmt: skip
    page = PdfReader(str(tmp_path / "expo" / "panneaux.pdf")).pages[0]
    assert float(page.trimbox.width) == pytest.approx(594 * MM, abs=0.5)
    assert float(page.trimbox.height) == pytest.approx(420 * MM, abs=0.5)
    pngs = sorted((tmp_path / "expo" / "panneaux_png").glob("*.png"))
    assert len(pngs) == 3
    width, height = png_size(pngs[0])
    assert width == pytest.approx(600 / 25.4 * 30, abs=2) and height == pytest.approx(
        426 / 25.4 * 30, abs=2
    )


def test_quotes_too_long_for_a_panel_are_refused(ready, tmp_path):
    project, _ = ready
    report = export_exhibition(
        project, tmp_path / "expo", max_chars=60, png=False, with_word_cloud=False
    )
    too_long = report.refused[report.refused["reason"].str.contains("trop longue")]
    kept = Quotes(project).list().set_index("quote_id").loc[report.exported]
    assert len(too_long) > 0 and (kept["public_text"].str.len() <= 60).all()
    assert set(too_long["quote_id"]).isdisjoint(report.exported)


def test_many_quotes_split_a_theme_over_several_panels(ready, tmp_path):
    project, _ = ready
    export_exhibition(
        project, tmp_path / "expo", cards_per_panel=1, png=False, with_word_cloud=False
    )
    reader = PdfReader(str(tmp_path / "expo" / "panneaux.pdf"))
    assert len(reader.pages) == 6  # one card per panel: 4 of Habitante A, 2 of Habitant B
    assert "(1/2)" in reader.pages[0].extract_text()


@needs_pdftoppm
def test_social_cards_are_square_pngs(ready, tmp_path):
    project, _ = ready
    report = export_social_cards(project, tmp_path / "cartes")
    cards = sorted((tmp_path / "cartes" / "cartes").glob("*.png"))
    assert [c.stem for c in cards] == sorted(report.exported)
    assert all(png_size(c) == (1080, 1080) for c in cards)
    text = PdfReader(str(tmp_path / "cartes" / "cartes.pdf")).pages[0].extract_text()
    assert "Habitante" in text


@needs_pdftoppm
def test_cli_exports_every_format(ready, tmp_path):
    project, _ = ready
    runner = CliRunner()
    for fmt in ("radio", "exposition", "tableur", "reseaux"):
        out = tmp_path / fmt
        result = runner.invoke(main, ["citations", "exporter", "-p", str(project.root), "-f", fmt, "-o", str(out),
                                      "--marge-ms", "100", "--papier", "A3", "--sans-nuage"])  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "citation(s) exportée(s)" in result.output and (out / "rapport_export.txt").exists()
    refused = runner.invoke(main, ["citations", "exporter", "-p", str(project.root), "-f", "radio", "-o",
                                   str(tmp_path / "strict"), "--strict"])  # fmt: skip
    assert refused.exit_code == 1 and "mode strict" in refused.output
    listing = runner.invoke(
        main, ["citations", "liste", "-p", str(project.root), "--statut", "validée"]
    )
    assert listing.exit_code == 0 and "C001 [validée]" in listing.output


def test_every_citations_command_has_french_help():
    runner = CliRunner()
    for args in (["citations"], ["citations", "exporter"], ["citations", "liste"]):
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and "Utilisation :" in result.output
    assert (
        "Exporte les citations" in runner.invoke(main, ["citations", "exporter", "--help"]).output
    )
