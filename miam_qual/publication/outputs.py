"""Small writers shared by the exports (tables, times) and the reader that checks exported files
for real names (``exported_text``), used as a last guard and by the tests."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pandas as pd

TEXT_SUFFIXES = {".md", ".csv", ".txt", ".html"}


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


def write_table(frame: pd.DataFrame, csv_path: Path, xlsx_path: Path, *, sheet: str) -> list[Path]:
    """Write ``frame`` as a ``;`` CSV (UTF-8 with BOM, for spreadsheets) and an XLSX sheet with a
    bold, frozen header and readable column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    frame.to_csv(csv_path, sep=";", index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if isinstance(v, float) and v != v else v for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        ws.column_dimensions[ws.cell(1, index).column_letter].width = min(max(10, longest + 2), 70)
    book.save(xlsx_path)
    return [csv_path, xlsx_path]


def exported_text(path: Path) -> str:
    """All the text a reader of ``path`` can see: DOCX paragraphs and tables, XLSX cells, PDF
    text, plain text files. Other files (audio, images) give ``""``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return path.read_text(encoding="utf-8-sig")
    if suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
        for section in document.sections:
            parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
        with zipfile.ZipFile(path) as archive:  # core properties (title, author) too
            if "docProps/core.xml" in archive.namelist():
                parts.append(archive.read("docProps/core.xml").decode("utf-8"))
        return "\n".join(parts)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        parts = [
            str(v)
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        ]
        book.close()
        return "\n".join(parts)
    if suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        parts = [page.extract_text() or "" for page in reader.pages]
        parts += [str(v) for v in (reader.metadata or {}).values()]
        return "\n".join(parts)
    return ""


def guard_files(files: list[Path], pseudonyms) -> None:
    """Read every written file back; if one still holds a real name of the private mapping, delete
    all of them and raise ``ExportError`` (see ``Pseudonyms.guard``)."""
    from ..errors import ExportError

    try:
        pseudonyms.guard({Path(p).name: exported_text(p) for p in files})
    except ExportError:
        for path in files:
            Path(path).unlink(missing_ok=True)
        raise
