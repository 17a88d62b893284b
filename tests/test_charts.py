"""Report charts and word clouds, looked at as pictures: drawn, sized, nothing cut at the edges."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from miam_qual.reports import charts
from miam_qual.summaries import word_cloud_png

LONG = "Pouvoir d'agir et démocratie alimentaire locale"  # cut at 38 characters, with …


def picture(png: bytes | None) -> np.ndarray:
    assert png is not None and png.startswith(b"\x89PNG")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def ink(pixels: np.ndarray) -> np.ndarray:
    """Where something is drawn: pixels clearly darker than the white background."""
    return pixels.sum(axis=2) < 3 * 235


def assert_nothing_cut(pixels: np.ndarray) -> None:
    """Labels, legend and title lie inside the picture: its outer 2 pixels are blank."""
    drawn = ink(pixels)
    assert drawn.any()
    for edge in (drawn[:2], drawn[-2:], drawn[:, :2], drawn[:, -2:]):
        assert not edge.any()


@pytest.mark.parametrize("rows", [1, 7, 60])
def test_bars_keep_long_labels_and_legend_inside(rows):
    groups = [
        "atelier",
        "entretien partenaire",
        "questionnaire",
        "témoignage d'habitant",
        "observation",
    ]
    table = pd.DataFrame(
        np.arange(rows * len(groups)).reshape(rows, len(groups)) % 7 + 1,
        index=[f"{LONG} {i}" for i in range(rows)],
        columns=groups,
    )
    pixels = picture(
        charts.bars_by_group(table, title="Segments codés par thème et type de source")
    )
    assert pixels.shape[1] == round(charts.WIDTH * charts.DPI)
    assert_nothing_cut(pixels)
    # the labels take the room measured for them: ink left of the bars, none beyond the margin
    left_margin = ink(pixels)[:, : pixels.shape[1] // 3].any(axis=0)
    assert left_margin[5:60].any()
    # every group's colour is in the picture (bars and legend)
    colours = {tuple(int(charts.PALETTE[k][i : i + 2], 16) for i in (1, 3, 5)) for k in range(5)}
    seen = {tuple(p) for p in pixels.reshape(-1, 3)[::7]}
    assert colours <= seen


def test_nothing_to_draw_gives_no_picture():
    assert charts.bars_by_group(pd.DataFrame()) is None
    assert charts.bars_by_group(pd.DataFrame({"a": [0, 0]}, index=["x", "y"])) is None
    assert (
        charts.heatmap(pd.DataFrame([[3, 0], [0, 2]], index=["a", "b"], columns=["a", "b"])) is None
    )
    assert word_cloud_png(pd.DataFrame(columns=["word", "count"])) is None


@pytest.mark.parametrize("codes", [3, 40, 55])
def test_heatmap_keeps_rotated_labels_and_colour_bar_inside(codes):
    labels = [f"{LONG[: 10 + i % 30]} {i}" for i in range(codes)]
    rng = np.random.default_rng(codes)
    values = rng.integers(0, 9, (codes, codes))
    matrix = pd.DataFrame(values + values.T, index=labels, columns=labels)
    pixels = picture(charts.heatmap(matrix, title="Cooccurrence des codes"))
    assert_nothing_cut(pixels)
    height, width = pixels.shape[:2]
    assert abs(height - width) < 0.35 * width  # the square of cells keeps its room


def test_agreement_and_saturation_charts():
    table = pd.DataFrame(
        {
            "code_id": ["*", *[f"c{i}" for i in range(30)]],
            "code": ["Ensemble", *[f"{LONG} {i}" for i in range(30)]],
            "alpha": [0.8, *np.linspace(-0.2, 1.0, 30)],
        }
    )
    pixels = picture(charts.agreement_bars(table, title="Accord par code"))
    assert_nothing_cut(pixels)
    red, green = (198, 40, 40), (46, 125, 50)  # below 0.667, from 0.8
    seen = {tuple(p) for p in pixels.reshape(-1, 3)}
    assert red in seen and green in seen
    saturation = pd.DataFrame(
        {"rank": range(1, 21), "cumulative_codes": np.minimum(range(1, 21), 12)}
    )
    assert_nothing_cut(picture(charts.saturation_curve(saturation, title="Courbe de saturation")))


def test_word_cloud_is_deterministic_and_in_the_code_colour():
    words = pd.DataFrame(
        {"word": ["épicerie", "prix", "légume", "cantine", "goût"], "count": [9, 7, 5, 3, 1]}
    )
    first = word_cloud_png(words, color="#1565C0")
    assert first == word_cloud_png(words, color="#1565C0")
    pixels = picture(first)
    assert pixels.shape == (360, 800, 3)
    drawn = pixels[ink(pixels)]
    assert len(drawn) > 2000
    assert (drawn[:, 2] >= drawn[:, 0]).all()  # shades of the blue, never another hue
    transparent = Image.open(
        io.BytesIO(word_cloud_png(words, width=400, height=200, transparent=True))
    )
    assert transparent.mode == "RGBA" and transparent.size == (400, 200)
    assert np.asarray(transparent)[..., 3].min() == 0
