"""Exhibition panels (PDF with bleed, PNG previews) and square social cards, read back."""

from __future__ import annotations

import colorsys
import struct

import numpy as np
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops
from pypdf import PdfReader
from test_publication_support import fill, validated

from miam_qual.cli import main
from miam_qual.publication import export_exhibition, export_social_cards, list_quotes
from miam_qual.publication.rendering import pdf_to_pngs
from miam_qual.text import slug

ALL = ["radio", "exposition", "rapport", "réseaux sociaux"]
MM = 72 / 25.4


@pytest.fixture
def ready(project):
    codings = fill(project)
    return project, validated(project, codings, ALL)


def render(pdf, *, index=0, dpi=10):
    """Page ``index`` of ``pdf`` as an RGB picture, rendered by PDFium at ``dpi``."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        return document[index].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def ink(image):
    """Share of pixels that are not (near) white: 0 for a blank page."""
    gray = image.convert("L")
    return sum(gray.histogram()[:235]) / (image.width * image.height)


def differing(one, other):
    """Share of pixels that differ clearly between two pictures of the same size."""
    gray = ImageChops.difference(one, other).convert("L")
    return sum(gray.histogram()[30:]) / (one.width * one.height)


def hue(rgb):
    return colorsys.rgb_to_hls(*(c / 255 for c in rgb))[0]


def rgb(color):
    return tuple(int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))


def theme_colors(project):
    quotes = list_quotes(project)
    return dict(zip(quotes["quote_id"], quotes["color"], strict=True))


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
    # the page as a printer sees it: 303 × 426 mm at 10 dpi, with ink on it
    page = render(tmp_path / "expo" / "panneaux.pdf", dpi=10)
    assert page.size == (120, 168)  # ceil(303 / 25.4 × 10), ceil(426 / 25.4 × 10)
    assert 0.2 < ink(page) < 0.9
    assert differing(render(singles[0], dpi=10), page) < 0.02  # the first panel, alone
    assert differing(render(singles[1], dpi=10), page) > 0.1
    assert "refus de l'usage « exposition »" in report.summary()


def test_a2_landscape_panels_and_their_png_previews(ready, tmp_path):
    project, _ = ready
    export_exhibition(project, tmp_path / "expo", paper="A2", orientation="paysage", png_dpi=30,
                      with_word_cloud=False)  # fmt: skip
    page = PdfReader(str(tmp_path / "expo" / "panneaux.pdf")).pages[0]
    assert float(page.trimbox.width) == pytest.approx(594 * MM, abs=0.5)
    assert float(page.trimbox.height) == pytest.approx(420 * MM, abs=0.5)
    pngs = sorted((tmp_path / "expo" / "panneaux_png").glob("*.png"))
    assert len(pngs) == 3
    for png in pngs:
        width, height = png_size(png)
        assert width == pytest.approx(600 / 25.4 * 30, abs=1)
        assert height == pytest.approx(426 / 25.4 * 30, abs=1)
    # each preview is its panel: the band at its top is drawn in the colour of its theme
    # files are named after the (pseudonymised) theme title: panneau_01_<title slug>
    colors = {slug(code.label, prefix="theme"): code.color for code in project.codebook.themes()}
    for png in pngs:
        picture = Image.open(png).convert("RGB")
        theme = png.stem.split("_", 2)[2]
        band = picture.getpixel((width // 2, 12))
        assert all(abs(a - b) <= 3 for a, b in zip(band, rgb(colors[theme]), strict=True)), png
        assert 0.2 < ink(picture) < 0.9


def test_quotes_too_long_for_a_panel_are_refused(ready, tmp_path):
    project, _ = ready
    report = export_exhibition(
        project, tmp_path / "expo", max_chars=60, png=False, with_word_cloud=False
    )
    too_long = report.refused[report.refused["reason"].str.contains("trop longue")]
    kept = list_quotes(project).set_index("quote_id").loc[report.exported]
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


def test_social_cards_are_square_pngs(ready, tmp_path):
    project, _ = ready
    report = export_social_cards(project, tmp_path / "cartes")
    cards = sorted((tmp_path / "cartes" / "cartes").glob("*.png"))
    assert [c.stem for c in cards] == sorted(report.exported)
    assert all(png_size(c) == (1080, 1080) for c in cards)
    colors = theme_colors(project)
    for card in cards:
        picture = Image.open(card).convert("RGB")
        # a dark background in the hue of the quote's theme, with light text on it
        background = picture.getpixel((8, 8))
        assert sum(background) < sum(rgb(colors[card.stem]))
        assert abs(hue(background) - hue(rgb(colors[card.stem]))) < 0.02, card
        light = int((np.asarray(picture.resize((270, 270))).min(axis=2) > 200).sum())
        assert light > 100, card
    # any size comes out exact, not only the default (PDFium rounds a page up to whole pixels)
    small = pdf_to_pngs(tmp_path / "cartes" / "cartes.pdf",
                        [tmp_path / "petites" / c.name for c in cards], size_px=333)  # fmt: skip
    assert {png_size(c) for c in small} == {(333, 333)}
    text = PdfReader(str(tmp_path / "cartes" / "cartes.pdf")).pages[0].extract_text()
    assert "Habitante" in text


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


def lowest_ink(page, *, foot_mm=16, bleed_mm=3, paper_mm=(297, 420)):
    """Where a panel's content ends: the lowest row (a share of the page's height, 0 at the top)
    holding ink between the side margins, above the foot that carries the credit line."""
    gray = np.asarray(page.convert("L"))
    height, width = gray.shape
    per_mm = height / (paper_mm[1] + 2 * bleed_mm)
    foot = int((bleed_mm + paper_mm[1] - foot_mm) * per_mm)
    side = int((bleed_mm + 20) * per_mm)
    rows = np.flatnonzero((gray[:foot, side : width - side] < 200).any(axis=1))
    return rows.max() / height


def test_demo_panels_fill_their_page_and_give_many_people_a_voice(demo_project, tmp_path):
    """The A3 panel of the demo once showed three quotes of one man and left its bottom fifth
    empty: now its people differ and its word cloud grows down to the foot of the page."""
    report = export_exhibition(demo_project, tmp_path / "expo", theme="acces", png=False)
    shown = list_quotes(demo_project).set_index("quote_id").loc[report.exported]
    assert len(shown) >= 2 and shown["participant"].is_unique
    page = render(tmp_path / "expo" / "panneaux.pdf", dpi=20)
    assert lowest_ink(page) > 0.8  # the bottom fifth is not empty


def test_panels_without_a_cloud_stretch_their_cards_to_the_foot(ready, tmp_path):
    project, _ = ready
    export_exhibition(project, tmp_path / "expo", png=False, with_word_cloud=False)
    for index in range(3):
        page = render(tmp_path / "expo" / "panneaux.pdf", index=index, dpi=20)
        assert lowest_ink(page) > 0.8, index


def test_people_alternate_on_a_theme_s_panels(ready, tmp_path):
    project, _ = ready
    export_exhibition(
        project, tmp_path / "expo", cards_per_panel=1, png=False, with_word_cloud=False
    )
    reader = PdfReader(str(tmp_path / "expo" / "panneaux.pdf"))
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    social = [t for t in texts if t.startswith("Lien social")]
    who = ["A" if "Habitante, 50-59 ans" in t else "B" for t in social]
    assert who == ["A", "B", "A"]  # quotes C002 and C004 of Habitante A, C005 of Habitant B


def test_panel_word_clouds_keep_content_words_only():
    from miam_qual.nlp import load_nlp
    from miam_qual.publication.exhibition import cloud_words

    chatty = (
        "Bon, vous avez rien vu, disons, ben voilà, genre c'est jamais simple, quoi. Vraiment, "
        "on peut jamais aller au marché acheter des légumes, vous avez vu les prix ? "
    ) * 20
    for nlp in (load_nlp("blank"), load_nlp()):
        words = set(cloud_words([chatty], nlp=nlp)["word"])
        assert words.isdisjoint({"avez", "rien", "jamais", "vraiment", "disons", "voilà", "genre"})
        assert {"marché", "légumes", "prix"} <= words
