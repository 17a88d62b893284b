"""The Excel workbook: every coded segment with its attributes, plus the summary tables.

Each sheet has a styled, frozen header row and filters. Text is written exactly as stored; a
text starting with ``=`` is typed as a string so a participant's words never run as a formula.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..fileio import atomic_write_bytes
from .data import ReportData
from .labels import column_label

if TYPE_CHECKING:
    from ..project import Project

HEADER_FILL = PatternFill("solid", fgColor="2E7D32")
HEADER_FONT = Font(bold=True, color="FFFFFF")
#: Columns of the segments sheet left out (internal identifiers are kept; these are noise).
SEGMENT_SKIP = {"participant_key"}
WIDE_COLUMNS = {"text": 70, "memo": 40}
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):
        value = value.translate(_ILLEGAL)
    return value


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # never a formula, whatever the participant said
    return cell


def _sheet(
    book: Workbook, title: str, frame: pd.DataFrame, headers: list[str], widths: dict[int, int]
) -> None:
    """One sheet, streamed (write-only mode keeps 200,000 rows fast and small in memory)."""
    sheet = book.create_sheet(title)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(
            index, max(12, min(len(header) + 4, 30))
        )
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(frame) + 1, 1)}"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in frame.itertuples(index=False):
        values = [_cell(v) for v in row]
        sheet.append(
            [
                _text_cell(sheet, v) if isinstance(v, str) and v.startswith("=") else v
                for v in values
            ]
        )


def workbook_bytes(project: Project, data: ReportData) -> bytes:
    """The workbook as bytes. Sheets: « Segments codés » (one row per coding of
    ``project.codings()`` within the report's scope, every column, French headers), « Thèmes »,
    « Codes », « Codes par codeur », « Accord », « Désaccords », « Vagues »."""
    book = Workbook(write_only=True)
    segments = data.codings[[c for c in data.codings.columns if c not in SEGMENT_SKIP]]
    headers = [column_label(project, c) for c in segments.columns]
    widths = {
        i: WIDE_COLUMNS[c] for i, c in enumerate(segments.columns, start=1) if c in WIDE_COLUMNS
    }
    _sheet(book, "Segments codés", segments, headers, widths)
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
        _sheet(book, title, frame, [column_label(project, c) for c in frame.columns], {})
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(project: Project, data: ReportData, path: Path) -> Path:
    """Write the workbook to ``path`` (atomically) and return it."""
    atomic_write_bytes(path, workbook_bytes(project, data))
    return path
