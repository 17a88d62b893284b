"""Charts for reports, drawn with matplotlib (Agg backend, no display) and returned as PNG bytes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .labels import french_number  # noqa: E402

PALETTE = ["#2E7D32", "#F57C00", "#1565C0", "#6A1B9A", "#C62828", "#00838F", "#9E9D24", "#5D4037"]
INK = "#263238"


def _style(ax: plt.Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#B0BEC5")
    ax.spines["bottom"].set_color("#B0BEC5")
    ax.tick_params(colors=INK, labelsize=8)
    ax.grid(axis="x", color="#ECEFF1", linewidth=0.8)
    ax.set_axisbelow(True)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def _short(label: str, width: int = 38) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def bars_by_group(
    table: pd.DataFrame, *, title: str = "", xlabel: str = "Segments codés"
) -> bytes | None:
    """Horizontal stacked bars: one bar per row (index: labels), one colour per column (groups)."""
    if table.empty or not table.to_numpy().sum():
        return None
    table = table.iloc[::-1]
    height = 0.8 + 0.32 * len(table)
    fig, ax = plt.subplots(figsize=(7.6, min(max(height, 2.0), 14)))
    left = np.zeros(len(table))
    for k, column in enumerate(table.columns):
        values = table[column].to_numpy(dtype=float)
        ax.barh(
            [_short(str(i)) for i in table.index], values, left=left,
            color=PALETTE[k % len(PALETTE)], label=str(column), height=0.7,
        )  # fmt: skip
        left += values
    _style(ax)
    ax.set_xlabel(xlabel, color=INK, fontsize=9)
    if title:
        ax.set_title(title, color=INK, fontsize=11, loc="left", fontweight="bold")
    if len(table.columns) > 1:
        ax.legend(
            fontsize=7.5, frameon=False, loc="upper center", bbox_to_anchor=(0.4, -0.5 / height - 0.06),
            ncols=min(len(table.columns), 4),
        )  # fmt: skip
    return _png(fig)


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
        labels = [str(matrix.index[i]) for i in keep]
    else:
        labels = [str(i) for i in matrix.index]
    size = min(2.5 + 0.28 * len(labels), 13)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(values, cmap="YlOrBr", aspect="equal")
    ax.set_xticks(
        range(len(labels)), [_short(x, 28) for x in labels], rotation=60, ha="right", fontsize=7
    )
    ax.set_yticks(range(len(labels)), [_short(x, 28) for x in labels], fontsize=7)
    if len(labels) <= 20:
        for (r, c), v in np.ndenumerate(values):
            if v == v and v > 0:
                ax.text(c, r, french_number(v), ha="center", va="center", fontsize=6,
                        color="white" if v > np.nanmax(values) * 0.6 else INK)  # fmt: skip
    bar = fig.colorbar(image, ax=ax, shrink=0.6)
    bar.ax.tick_params(labelsize=7)
    bar.set_label("Cooccurrences", fontsize=8)
    if title:
        ax.set_title(title, color=INK, fontsize=11, loc="left", fontweight="bold")
    return _png(fig)


def agreement_bars(table: pd.DataFrame, *, title: str = "") -> bytes | None:
    """Krippendorff's alpha per code (``agreement`` result), with the usual 0.667 / 0.8 marks."""
    rows = table[table["code_id"] != "*"].dropna(subset=["alpha"])
    if rows.empty:
        return None
    rows = rows.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.6, min(max(0.8 + 0.3 * len(rows), 2.0), 14)))
    colors = [
        "#2E7D32" if a >= 0.8 else "#F9A825" if a >= 0.667 else "#C62828" for a in rows["alpha"]
    ]
    ax.barh([_short(c) for c in rows["code"]], rows["alpha"], color=colors, height=0.7)
    for mark, style in ((0.667, ":"), (0.8, "--")):
        ax.axvline(mark, color="#607D8B", linestyle=style, linewidth=1)
    low = min(0.0, float(rows["alpha"].min()) - 0.05)
    ax.set_xlim(low, 1.0)
    _style(ax)
    ax.set_xlabel("Alpha de Krippendorff (seuils 0,667 et 0,8)", color=INK, fontsize=9)
    if title:
        ax.set_title(title, color=INK, fontsize=11, loc="left", fontweight="bold")
    return _png(fig)


def saturation_curve(table: pd.DataFrame, *, title: str = "") -> bytes | None:
    """Cumulative number of distinct codes against documents coded (``saturation`` result)."""
    if table.empty:
        return None
    fig, ax = plt.subplots(figsize=(7.6, 3.0))
    ax.step(table["rank"], table["cumulative_codes"], where="post", color=PALETTE[0], linewidth=2)
    ax.fill_between(
        table["rank"], table["cumulative_codes"], step="post", color=PALETTE[0], alpha=0.12
    )
    _style(ax)
    ax.grid(axis="y", color="#ECEFF1", linewidth=0.8)
    ax.set_xlabel("Documents, dans l'ordre du codage", color=INK, fontsize=9)
    ax.set_ylabel("Codes distincts", color=INK, fontsize=9)
    if title:
        ax.set_title(title, color=INK, fontsize=11, loc="left", fontweight="bold")
    return _png(fig)
