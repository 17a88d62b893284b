"""The self-contained HTML report: one file, images embedded as base64 PNG, print styles.

Every piece of text goes through Jinja2 autoescaping (``miam_qual.templating``), so an excerpt
containing ``<script>`` is shown as text and never run.
"""

from __future__ import annotations

import base64
from pathlib import Path

from ..common import frame_rows
from ..fileio import atomic_write_text
from ..summaries import WORD_SAMPLE
from ..templating import environment
from .data import DISAGREEMENTS_SHOWN, ReportData
from .labels import french_number, french_percent

TEMPLATES = Path(__file__).parent / "templates"


def _image(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _decimal(value: float) -> str:
    return french_number(value, 3)


def _points(value: float) -> str:
    if value != value:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{french_number(100 * value)}\u00a0pts"


def _level(value: float) -> str:
    if value != value:
        return ""
    return "good" if value >= 0.8 else "fair" if value >= 0.667 else "poor"


def report_environment():
    """The report templates' Jinja2 environment (``miam_qual.templating``: autoescaped), with
    the report's French number filters."""
    return environment(
        TEMPLATES,
        image=_image,
        nombre=french_number,
        pourcent=french_percent,
        decimal=_decimal,
        points=_points,
        niveau=_level,
        rows=frame_rows,
    )


def render_html(data: ReportData, project_colors: dict[str, str]) -> str:
    """The report as one HTML string."""
    template = report_environment().get_template("rapport.html.j2")
    return template.render(
        d=data, colors=project_colors, shown=DISAGREEMENTS_SHOWN, word_sample=WORD_SAMPLE
    )


def write_html(data: ReportData, path: Path, project_colors: dict[str, str]) -> Path:
    """Write the HTML report to ``path`` (atomically) and return it."""
    atomic_write_text(path, render_html(data, project_colors))
    return path
