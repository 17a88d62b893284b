"""The Excel workbook: every coded segment with its attributes, plus the summary tables.

Each sheet has a styled, frozen header row and filters. Text is written exactly as stored and
always as text: a text starting with ``=`` never runs as a formula, one that looks like a link or
a number stays as written (``miam_qual.workbook``, the package's XLSX writer).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..fileio import atomic_write_bytes
from ..workbook import Sheet
from ..workbook import workbook_bytes as xlsx_bytes
from .data import ReportData
from .labels import column_label
from .review import AUDIT_HEADERS, THREAD_HEADERS
from .segments import segments_sheet

if TYPE_CHECKING:
    from ..project import Project


def workbook_bytes(project: Project, data: ReportData) -> bytes:
    """The workbook as bytes. Sheets: « Segments codés » (one row per coding of
    ``project.codings()`` within the report's scope, every column, French headers), « Thèmes »,
    « Codes », « Codes par codeur », « Accord », « Désaccords », « Vagues », then the review of
    codings: « Revue - fils ouverts » and « Revue - changements » (``reports/review.py``)."""
    sheets = [segments_sheet(project, data.codings)]
    for title, frame in (
        ("Thèmes", data.themes),
        ("Codes", data.codes),
        ("Codes par codeur", data.codes_by_coder),
        ("Accord", data.agreement),
        ("Désaccords", data.disagreements),
        ("Vagues", data.waves),
    ):
        if frame is None:
            continue
        headers = [column_label(project, c) for c in frame.columns]
        sheets.append(Sheet.from_frame(title, frame, headers=headers))
    for title, frame, names in (
        ("Revue - fils ouverts", data.review_threads, THREAD_HEADERS),
        ("Revue - changements", data.review_changes, AUDIT_HEADERS),
    ):
        headers = [names.get(c, c) for c in frame.columns]
        sheets.append(
            Sheet.from_frame(title, frame, headers=headers, widths={"passage": 60, "text": 60})
        )
    return xlsx_bytes(sheets)


def write_xlsx(project: Project, data: ReportData, path: Path) -> Path:
    """Write the workbook to ``path`` (atomically) and return it."""
    atomic_write_bytes(path, workbook_bytes(project, data))
    return path
