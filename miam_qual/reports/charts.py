"""Charts for reports, drawn with matplotlib (Agg, no display) and returned as PNG bytes.

Each chart is drawn once: the figure is made without pyplot, the room its labels need is measured
before drawing (``_Layout``) instead of cropping after a first draw (``bbox_inches="tight"``), and
titles are placed, not positioned automatically. A report's 14 charts take about a second instead
of three (``benchmarks/bench_report.py``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import offset_copy

from .labels import french_number

PALETTE = ["#2E7D32", "#F57C00", "#1565C0", "#6A1B9A", "#C62828", "#00838F", "#9E9D24", "#5D4037"]
INK = "#263238"
DPI = 110
WIDTH = 7.6  # inches: the width of a Word page's text
TICK_SIZE = 8
TITLE_SIZE = 11
#: Inches: a line of axis label or legend, a title, the gap between labels and the axes.
LINE, TITLE, GAP, EDGE = 0.2, 0.38, 0.1, 0.12


@dataclass
class _Layout:
    """A figure whose margins are measured from its labels (inches), then set once."""

    figure: Figure
    canvas: FigureCanvasAgg

    @classmethod
    def make(cls, width: float, height: float) -> _Layout:
        figure = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
        return cls(figure, FigureCanvasAgg(figure))

    def text_width(self, labels: list[str], size: float = TICK_SIZE) -> float:
        """The width in inches of the widest of ``labels`` in DejaVu Sans at ``size`` points."""
        if not labels:
            return 0.0
        renderer = self.canvas.get_renderer()
        font = FontProperties(size=size)
        widest = max(
            renderer.get_text_width_height_descent(label, font, ismath=False)[0] for label in labels
        )
        return widest / DPI

    def axes(self, *, left: float, right: float, top: float, bottom: float) -> Axes:
        """Axes inside the given margins (inches)."""
        width, height = self.figure.get_size_inches()
        self.figure.subplots_adjust(
            left=min(left / width, 0.6), right=1 - right / width,
            top=1 - top / height, bottom=min(bottom / height, 0.6),
        )  # fmt: skip
        return self.figure.add_subplot()

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
        return buffer.getvalue()


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#B0BEC5")
    ax.spines["bottom"].set_color("#B0BEC5")
    ax.tick_params(colors=INK, labelsize=TICK_SIZE)
    ax.grid(axis="x", color="#ECEFF1", linewidth=0.8)
    ax.set_axisbelow(True)


def _title(ax: Axes, title: str) -> None:
    if title:  # placed above the axes (y given: no automatic placement, which costs a draw)
        ax.set_title(
            title, color=INK, fontsize=TITLE_SIZE, loc="left", fontweight="bold", y=1.0, pad=8
        )


def _row_labels(figure: Figure, ax: Axes, labels: list[str]) -> None:
    """One label per bar, left of the axes: plain texts, a fraction of the cost of tick marks
    (a chart of 100 codes draws in a third of the time)."""
    ax.set_yticks([])
    ax.set_ylim(-0.6, len(labels) - 0.4)
    place = offset_copy(ax.get_yaxis_transform(), figure, x=-4, units="points")
    for row, label in enumerate(labels):
        ax.text(0, row, label, transform=place, ha="right", va="center", fontsize=TICK_SIZE,
                color=INK)  # fmt: skip


def _short(label: str, width: int = 38) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _bar_height(rows: int) -> float:
    return min(max(0.8 + 0.32 * rows, 2.0), 14)


def bars_by_group(
    table: pd.DataFrame, *, title: str = "", xlabel: str = "Segments codés"
) -> bytes | None:
    """Horizontal stacked bars: one bar per row (index: labels), one colour per column (groups)."""
    if table.empty or not table.to_numpy().sum():
        return None
    table = table.iloc[::-1]
    labels = [_short(str(i)) for i in table.index]
    groups = [str(c) for c in table.columns]
    legend_rows = -(-len(groups) // 4) if len(groups) > 1 else 0
    extra = legend_rows * LINE + (GAP if legend_rows else 0)
    layout = _Layout.make(WIDTH, _bar_height(len(table)) + extra)
    ax = layout.axes(
        left=layout.text_width(labels) + GAP + EDGE, right=0.3,
        top=TITLE if title else EDGE, bottom=2 * LINE + GAP + EDGE + extra,
    )  # fmt: skip
    positions = np.arange(len(table))
    left = np.zeros(len(table))
    for k, column in enumerate(table.columns):
        values = table[column].to_numpy(dtype=float)
        ax.barh(positions, values, left=left, color=PALETTE[k % len(PALETTE)], label=groups[k],
                height=0.7)  # fmt: skip
        left += values
    _row_labels(layout.figure, ax, labels)
    _style(ax)
    ax.set_xlabel(xlabel, color=INK, fontsize=9)
    _title(ax, title)
    if legend_rows:
        layout.figure.legend(
            fontsize=7.5, frameon=False, loc="lower center", ncols=min(len(groups), 4),
            bbox_to_anchor=(0.5, EDGE / layout.figure.get_size_inches()[1]),
        )  # fmt: skip
    return layout.png()


def heatmap(matrix: pd.DataFrame, *, title: str = "", max_codes: int = 40) -> bytes | None:
    """Co-occurrence heat map of a square code × code table (diagonal blanked); the ``max_codes``
    codes with the most co-occurrences are kept so the labels stay readable."""
    if matrix.empty:
        return None
    values = matrix.to_numpy(dtype=float).copy()
    np.fill_diagonal(values, np.nan)
    if np.nansum(values) == 0:
        return None
    if len(matrix) > max_codes:
        keep = np.argsort(-np.nansum(values, axis=1), kind="stable")[:max_codes]
        keep.sort()
        values = values[np.ix_(keep, keep)]
        names = [str(matrix.index[i]) for i in keep]
    else:
        names = [str(i) for i in matrix.index]
    labels = [_short(x, 28) for x in names]
    side = min(2.2 + 0.22 * len(labels), 9.0)  # inches: the square of cells
    probe = _Layout.make(1, 1)
    label_width = probe.text_width(labels, 7)
    left = label_width + GAP + EDGE
    bottom = label_width * 0.87 + GAP + 2 * EDGE  # labels turned 60°
    top = TITLE if title else EDGE
    right = 1.3  # the colour bar and its label
    layout = _Layout.make(left + side + right, top + side + bottom)
    ax = layout.axes(left=left, right=right, top=top, bottom=bottom)
    image = ax.imshow(values, cmap="YlOrBr", aspect="equal")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7,
                  rotation_mode="anchor")  # fmt: skip
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    if len(labels) <= 20:
        peak = np.nanmax(values)
        for (r, c), v in np.ndenumerate(values):
            if v == v and v > 0:
                ax.text(c, r, french_number(v), ha="center", va="center", fontsize=6,
                        color="white" if v > peak * 0.6 else INK)  # fmt: skip
    # the colour bar in axes of its own, so that the square of cells keeps the room measured
    width, height = layout.figure.get_size_inches()
    slot = layout.figure.add_axes(
        ((left + side + 0.2) / width, (bottom + side * 0.2) / height, 0.18 / width,
         side * 0.6 / height)
    )  # fmt: skip
    bar = layout.figure.colorbar(image, cax=slot)
    bar.ax.tick_params(labelsize=7)
    bar.set_label("Cooccurrences", fontsize=8)
    _title(ax, title)
    return layout.png()


def agreement_bars(table: pd.DataFrame, *, title: str = "") -> bytes | None:
    """Krippendorff's alpha per code (``agreement`` result), with the usual 0.667 / 0.8 marks."""
    rows = table[table["code_id"] != "*"].dropna(subset=["alpha"])
    if rows.empty:
        return None
    rows = rows.iloc[::-1]
    labels = [_short(str(c)) for c in rows["code"]]
    layout = _Layout.make(WIDTH, _bar_height(len(rows)))
    ax = layout.axes(
        left=layout.text_width(labels) + GAP + EDGE, right=0.3,
        top=TITLE if title else EDGE, bottom=2 * LINE + GAP + EDGE,
    )  # fmt: skip
    colors = [
        "#2E7D32" if a >= 0.8 else "#F9A825" if a >= 0.667 else "#C62828" for a in rows["alpha"]
    ]
    positions = np.arange(len(rows))
    ax.barh(positions, rows["alpha"], color=colors, height=0.7)
    _row_labels(layout.figure, ax, labels)
    for mark, style in ((0.667, ":"), (0.8, "--")):
        ax.axvline(mark, color="#607D8B", linestyle=style, linewidth=1)
    low = min(0.0, float(rows["alpha"].min()) - 0.05)
    ax.set_xlim(low, 1.0)
    _style(ax)
    ax.set_xlabel("Alpha de Krippendorff (seuils 0,667 et 0,8)", color=INK, fontsize=9)
    _title(ax, title)
    return layout.png()


def saturation_curve(table: pd.DataFrame, *, title: str = "") -> bytes | None:
    """Cumulative number of distinct codes against documents coded (``saturation`` result)."""
    if table.empty:
        return None
    layout = _Layout.make(WIDTH, 3.0)
    ax = layout.axes(
        left=0.75, right=0.3, top=TITLE if title else EDGE, bottom=2 * LINE + GAP + EDGE
    )
    ax.step(table["rank"], table["cumulative_codes"], where="post", color=PALETTE[0], linewidth=2)
    ax.fill_between(
        table["rank"], table["cumulative_codes"], step="post", color=PALETTE[0], alpha=0.12
    )
    _style(ax)
    ax.grid(axis="y", color="#ECEFF1", linewidth=0.8)
    ax.set_xlabel("Documents, dans l'ordre du codage", color=INK, fontsize=9)
    ax.set_ylabel("Codes distincts", color=INK, fontsize=9)
    _title(ax, title)
    return layout.png()
