"""The Excel workbook: every coded segment with its attributes, plus the summary tables.

Each sheet has a styled, frozen header row and filters. Text is written exactly as stored and
always as text: a text starting with ``=`` never runs as a formula, one that looks like a link or
a number stays as written. Written with XlsxWriter, row by row (``constant_memory``: 200,000
rows stay small in memory).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import xlsxwriter

from ..fileio import atomic_write_bytes
from .data import ReportData
from .labels import column_label
from .review import AUDIT_HEADERS, THREAD_HEADERS

if TYPE_CHECKING:
    from ..project import Project

HEADER_STYLE = {
    "bold": True,
    "font_color": "#FFFFFF",
    "bg_color": "#2E7D32",
    "pattern": 1,
    "valign": "vcenter",
    "text_wrap": True,
}
#: Columns of the segments sheet left out (internal identifiers are kept; these are noise).
SEGMENT_SKIP = {"participant_key"}
WIDE_COLUMNS = {"text": 70, "memo": 40}
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
#: Nothing a participant said is ever read as a formula, a link or a number.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    "remove_timezone": True,
    "default_date_format": "dd/mm/yyyy hh:mm",
}


def _cell(value: object) -> object:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and not value:  # an empty text is an empty cell
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):
        value = value.translate(_ILLEGAL)
    return value


def _column(values: pd.Series) -> list[Any]:
    """A column's values as plain Python values for the sheet (``None``: an empty cell)."""
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        if not values.isna().any():
            return values.tolist()
    return [_cell(v) for v in values.tolist()]


def _write_text(sheet: Any, row: int, column: int, text: str) -> None:
    # XlsxWriter copies a string shaped like its rich-text markup (« <r>…</r> ») into the XML
    # unescaped: such a text goes in as plain fragments, which it escapes.
    if text.startswith("<r>") and text.endswith("</r>"):
        sheet.write_rich_string(row, column, text[:1], text[1:2], text[2:])
    else:
        sheet.write_string(row, column, text)


def _sheet(
    book: Any,
    header_format: Any,
    title: str,
    frame: pd.DataFrame,
    headers: list[str],
    widths: dict[int, int],
) -> None:
    """One sheet, written row by row."""
    sheet = book.add_worksheet(title)
    for index, header in enumerate(headers):
        width = widths.get(index + 1, max(12, min(len(header) + 4, 30)))
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    if headers:
        sheet.autofilter(0, 0, max(len(frame), 0), len(headers) - 1)
    for index, header in enumerate(headers):
        sheet.write_string(0, index, header, header_format)
    columns = [_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    for number, values in enumerate(zip(*columns, strict=True), start=1):
        for index, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                _write_text(sheet, number, index, value)
            else:
                sheet.write(number, index, value)


def workbook_bytes(project: Project, data: ReportData) -> bytes:
    """The workbook as bytes. Sheets: « Segments codés » (one row per coding of
    ``project.codings()`` within the report's scope, every column, French headers), « Thèmes »,
    « Codes », « Codes par codeur », « Accord », « Désaccords », « Vagues », then the review of
    codings: « Revue - fils ouverts » and « Revue - changements » (``reports/review.py``)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    header_format = book.add_format(HEADER_STYLE)
    segments = data.codings[[c for c in data.codings.columns if c not in SEGMENT_SKIP]]
    headers = [column_label(project, c) for c in segments.columns]
    widths = {
        i: WIDE_COLUMNS[c] for i, c in enumerate(segments.columns, start=1) if c in WIDE_COLUMNS
    }
    _sheet(book, header_format, "Segments codés", segments, headers, widths)
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
        _sheet(book, header_format, title, frame, headers, {})
    for title, frame, names in (
        ("Revue - fils ouverts", data.review_threads, THREAD_HEADERS),
        ("Revue - changements", data.review_changes, AUDIT_HEADERS),
    ):
        headers = [names.get(c, c) for c in frame.columns]
        wide = {i: 60 for i, c in enumerate(frame.columns, start=1) if c in ("passage", "text")}
        _sheet(book, header_format, title, frame, headers, wide)
    book.close()
    return buffer.getvalue()


def write_xlsx(project: Project, data: ReportData, path: Path) -> Path:
    """Write the workbook to ``path`` (atomically) and return it."""
    atomic_write_bytes(path, workbook_bytes(project, data))
    return path
