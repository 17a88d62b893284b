"""Small writers shared by the exports: times, durations, inert tables and escaped Markdown.

Exported files are read by spreadsheet programs and Markdown renderers, so the words they carry
must stay words: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
would run as a formula (a questionnaire answer ``=HYPERLINK(…)``), and a quote holding ``*`` or
``<script>`` would be rendered as markup. ``write_table`` and ``markdown_text`` neutralise both.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+|!~])")


def clock(ms: float | int | None) -> str:
    """``hh:mm:ss.mmm`` (empty for ``None``)."""
    if ms is None or ms != ms:  # NaN
        return ""
    ms = int(round(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def short_duration(ms: float | int) -> str:
    """``1 min 05 s`` or ``12,3 s`` (French decimal comma)."""
    seconds = ms / 1000
    if seconds >= 60:
        minutes, rest = divmod(int(round(seconds)), 60)
        return f"{minutes} min {rest:02d} s"
    return f"{seconds:.1f} s".replace(".", ",")


def inert(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text starting like a formula gets a leading
    apostrophe (the usual mark of "this is text"); other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def markdown_text(text: str) -> str:
    """``text`` escaped for Markdown: it shows as written and never becomes markup or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def write_table(frame: pd.DataFrame, csv_path: Path, xlsx_path: Path, *, sheet: str) -> list[Path]:
    """Write ``frame`` as a ``;`` CSV (UTF-8 with BOM, for spreadsheets) and an XLSX sheet with a
    bold, frozen header and readable column widths. Both are inert: no cell is a formula (the
    XLSX holds text as text, ``miam_qual.workbook``; CSV cells starting like a formula are
    marked)."""
    from ..fileio import atomic_write_bytes
    from ..workbook import Sheet, workbook_bytes

    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_object_dtype(safe[column]) or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(inert)
    safe.columns = [inert(c) for c in safe.columns]
    safe.to_csv(csv_path, sep=";", index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
    widths = {
        str(column): min(max(10, max([len(str(column))] + [len(str(v)) for v in values]) + 2), 70)
        for column, values in ((c, frame[c].head(200)) for c in frame.columns)
    }
    table = Sheet.from_frame(sheet[:31], frame, widths=widths)
    atomic_write_bytes(xlsx_path, workbook_bytes([table]))
    return [csv_path, xlsx_path]
