"""Code colours: CIEDE2000 against Sharma, Wu and Dalal's published test pairs; suggested colours
stay in their theme's family yet distinct from their neighbours; the codebook panel proposes one
and warns about a colour too close to a neighbour's. Read back from the YAML file."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from notebook_guard import differences, fingerprint

from miam_qual import Project, load_codebook
from miam_qual.colors import TOO_CLOSE, delta_e, hex_to_lab, lab_to_hex, suggest_color, too_close
from miam_qual.demo import REPO_ROOT
from miam_qual.widgets import CodebookEditor, CodebookPanel


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [  # pairs 1, 2, 3, 4 and 17 of the CIEDE2000 test data (Sharma, Wu, Dalal, 2005, table 1)
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
        ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
        ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ],
)
def test_ciede2000_matches_the_published_pairs(first, second, expected) -> None:
    assert delta_e(first, second) == pytest.approx(expected, abs=5e-5)
    assert delta_e(second, first) == pytest.approx(expected, abs=5e-5)


def test_lab_round_trip_and_gamut() -> None:
    for color in ("#2e7d32", "#ef6c00", "#000000", "#ffffff", "#1565c0"):
        assert lab_to_hex(hex_to_lab(color)) == color
    assert lab_to_hex((50.0, 150.0, 0.0)) is None  # no sRGB colour is that vivid


def hue(color: str) -> float:
    _, a, b = hex_to_lab(color)
    return math.degrees(math.atan2(b, a))


def test_the_demo_codebook_has_no_neighbours_alike() -> None:
    book = load_codebook(REPO_ROOT / "codebooks" / "livre_de_codes.yml")
    assert too_close(book) == []
    for code in book:
        if code.parent is not None:  # each code stays in its theme's family
            gap = abs((hue(code.color) - hue(book.get(code.parent).color) + 180) % 360 - 180)
            assert gap <= 30, (code.id, code.color)


def test_a_new_code_gets_a_distinct_colour_of_its_family(project: Project) -> None:
    theme = project.codebook.get("acces")
    added = [
        project.add_code(f"sous_code_{n}", f"Sous-code {n}", parent="acces", by="camille")
        for n in range(2)  # six sub-codes in all: still apart (a family holds about that many)
    ]
    book = load_codebook(project.codebook_path)  # as written to the YAML file
    siblings = [c.color for c in book if c.parent == "acces"]
    for code in added:
        color = book.get(code.id).color
        assert color.lower() != theme.color.lower()
        assert abs((hue(color) - hue(theme.color) + 180) % 360 - 180) <= 30
        others = [c for c in siblings if c != color] + [theme.color]
        assert min(delta_e(color, other) for other in others) >= TOO_CLOSE
    assert suggest_color(book, None) not in {c.color for c in book if c.parent is None}


def test_the_panel_proposes_a_colour_and_warns_about_a_close_one(project: Project) -> None:
    panel = CodebookPanel(project, by="camille")
    editor: CodebookEditor = panel.editor
    editor.select("prix")
    panel.show()
    before = fingerprint(project.root)
    panel.suggest_button.click()  # only the picker changes: nothing is written
    proposed = panel.field["color"].value
    assert differences(before, fingerprint(project.root)) == []
    book = project.codebook
    neighbours = [c.color for c in book if c.parent == "acces" and c.id != "prix"]
    assert min(delta_e(proposed, c) for c in [*neighbours, book.get("acces").color]) >= TOO_CLOSE
    panel.save_button.click()
    assert load_codebook(project.codebook_path).get("prix").color.lower() == proposed.lower()
    assert editor.status_level == "info"

    close = book.get("proximite").color  # the same colour as a sibling: saved, with a warning
    panel.field["color"].value = close
    panel.save_button.click()
    assert load_codebook(project.codebook_path).get("prix").color.lower() == close.lower()
    assert editor.status_level == "attention"
    assert "proche de « Offre alimentaire de proximité »" in editor.status
