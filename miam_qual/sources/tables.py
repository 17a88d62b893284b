"""Questionnaires: ``.csv`` and ``.xlsx`` files with one respondent per row.

Each row becomes one ``questionnaire`` document named ``"<file>#<respondent id>"``. Its text lists,
for each open-answer column in order, the column header on one line, the answer on the next line(s)
and a blank line between questions; each answer is an ``answer`` unit covering just the answer.
Empty answers are left out (no header line, no unit); a respondent with no answer at all yields no
document. The other columns (except the id column) become attributes, values as stripped strings,
empty values omitted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from miam_qual.errors import UnreadableFile
from miam_qual.sources.limits import check_archive, read_bytes
from miam_qual.sources.model import SourceDocument, Unit
from miam_qual.text import decode_bytes, fold, normalise_text, quote_name

__all__ = ["read_csv", "read_table", "read_xlsx", "default_answer_columns"]

_ID_NAMES = frozenset(
    ["id", "identifiant", "repondant", "repondante", "n°", "no", "numero", "num", "n"]
)
_QUESTION_HEADER = re.compile(r"Q\d+", re.IGNORECASE)
_DELIMITERS = ";,\t"
_LONG_ANSWER = 40

Row = tuple[int, list[str]]  # (1-based line in the file, cells)


def _fold(s: str) -> str:
    """Header key: folded, without surrounding spaces or a trailing colon/period."""
    return fold(s).rstrip(" .:")


def default_answer_columns(
    headers: list[str], rows: list[Row], *, exclude: str | None
) -> list[str]:
    """Return the open-answer columns chosen when ``answer_columns`` is not given.

    A column is an open answer when its header starts with ``Q`` followed by digits (``Q1``,
    ``q12 - Pourquoi…``), or contains a ``?``, or its non-empty answers average more than 40
    characters. The id column is never one.
    """
    chosen = []
    for i, header in enumerate(headers):
        if header == exclude:
            continue
        if _QUESTION_HEADER.match(header) or "?" in header:
            chosen.append(header)
            continue
        values = [cells[i].strip() for _, cells in rows if i < len(cells) and cells[i].strip()]
        if values and sum(map(len, values)) / len(values) > _LONG_ANSWER:
            chosen.append(header)
    return chosen


def _clean_headers(filename: str, raw: list[str]) -> list[str]:
    headers = [" ".join(h.split()) or f"Colonne {i + 1}" for i, h in enumerate(raw)]
    seen: set[str] = set()
    for header in headers:
        if header in seen:
            raise UnreadableFile(
                f"{quote_name(filename)} : ligne 1 : la colonne « {header} » apparaît deux fois. "
                "Renommez l'une des deux."
            )
        seen.add(header)
    return headers


def _pick_column(filename: str, headers: list[str], wanted: str) -> str:
    if wanted not in headers:
        raise UnreadableFile(
            f"{quote_name(filename)} : colonne « {wanted} » introuvable. Colonnes disponibles : "
            + ", ".join(f"« {h} »" for h in headers)
            + "."
        )
    return wanted


def build_documents(
    filename: str,
    raw_headers: list[str],
    rows: Iterable[Row],
    *,
    answer_columns: list[str] | None,
    id_column: str | None,
    encoding: str | None,
) -> list[SourceDocument]:
    """Turn a header row and data rows into one document per respondent (see module docstring).

    Raises :class:`UnreadableFile` for a ragged row, an unknown column, no open-answer column, an
    empty or duplicate respondent id.
    """
    name = quote_name(filename)
    headers = _clean_headers(filename, raw_headers)
    width = len(headers)
    kept: list[Row] = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            raise UnreadableFile(
                f"{name} : ligne {line} : {len(cells)} cellules pour {width} colonnes d'en-tête. "
                "Vérifiez les séparateurs et les guillemets de cette ligne."
            )
        kept.append((line, (cells + [""] * width)[:width]))

    if id_column is not None:
        id_column = _pick_column(filename, headers, id_column)
    else:
        id_column = next((h for h in headers if _fold(h) in _ID_NAMES), None)
    if answer_columns is not None:
        answers = [_pick_column(filename, headers, column) for column in answer_columns]
    else:
        answers = default_answer_columns(headers, kept, exclude=id_column)
    if not answers:
        raise UnreadableFile(
            f"{name} : aucune colonne de réponse ouverte reconnue. Indiquez-les avec "
            "answer_columns parmi : " + ", ".join(f"« {h} »" for h in headers) + "."
        )
    answer_index = [(headers.index(h), h) for h in answers]
    id_index = headers.index(id_column) if id_column is not None else None
    attribute_index = [(i, h) for i, h in enumerate(headers) if h not in answers and i != id_index]

    documents: list[SourceDocument] = []
    first_line_of: dict[str, int] = {}
    for number, (line, cells) in enumerate(kept, start=1):
        if id_index is None:
            respondent = f"R{number:03d}"
        else:
            respondent = cells[id_index].strip()
            if not respondent:
                raise UnreadableFile(f"{name} : ligne {line} : identifiant « {id_column} » vide.")
        if respondent in first_line_of:
            raise UnreadableFile(
                f"{name} : lignes {first_line_of[respondent]} et {line} : identifiant "
                f"« {respondent} » en double. Chaque répondant doit avoir son identifiant."
            )
        first_line_of[respondent] = line
        parts: list[str] = []
        units: list[Unit] = []
        length = 0
        for i, header in answer_index:
            answer = cells[i].strip()
            if not answer:
                continue
            block = f"{header}\n"
            if parts:
                block = "\n\n" + block
            parts.append(block)
            length += len(block)
            units.append(
                Unit(
                    kind="answer",
                    start=length,
                    end=length + len(answer),
                    index=len(units),
                    question=header,
                )
            )
            parts.append(answer)
            length += len(answer)
        if not units:
            continue
        documents.append(
            SourceDocument(
                name=f"{filename}#{respondent}",
                text="".join(parts),
                kind="questionnaire",
                units=units,
                attributes={h: cells[i].strip() for i, h in attribute_index if cells[i].strip()},
                encoding=encoding,
            )
        )
    return documents


# --- csv ------------------------------------------------------------------------------------


def _records(text: str, delimiter: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    line = 1
    for cells in reader:
        rows.append((line, cells))
        line = reader.line_num + 1
    return rows


def _consistent(rows: list[Row]) -> bool:
    if not rows:
        return False
    width = len(rows[0][1])
    return width > 1 and all(len(cells) == width for _, cells in rows[1:20] if any(cells))


def _sample_records(sample: str, delimiter: str) -> list[Row]:
    try:
        records = _records(sample, delimiter)
    except csv.Error:
        return []
    # The sample may end inside a record: drop its last one unless it is the only data row.
    return records[:-1] if len(records) > 2 else records


def _sniff_delimiter(text: str) -> str:
    """Pick ``;``, ``,`` or tab: csv.Sniffer's guess if it gives a steady column count, else the
    header's most frequent candidate that does."""
    cut = text.rfind("\n", 0, 65536)
    sample = text if len(text) <= 65536 or cut < 0 else text[: cut + 1]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = None
    if delimiter and _consistent(_sample_records(sample, delimiter)):
        return delimiter
    header = text.split("\n", 1)[0]
    ranked = sorted(_DELIMITERS, key=header.count, reverse=True)
    for candidate in ranked:
        if _consistent(_sample_records(sample, candidate)):
            return candidate
    return delimiter or ranked[0]


def _csv_rows(path: Path) -> tuple[list[str], list[Row], str]:
    """The one CSV reader: ``(header, rows, encoding)`` of a ``;``, ``,`` or tab separated file
    in any supported encoding (sizes checked first); leading blank lines skipped.

    Raises ``UnreadableFile`` (unreadable, malformed, no header) or ``EncodingError``.
    """
    try:
        raw, encoding = decode_bytes(read_bytes(path), filename=path.name)
    except OSError as err:
        raise UnreadableFile(
            f"{quote_name(path.name)} : lecture impossible ({err.strerror})."
        ) from err
    text = normalise_text(raw)
    try:
        rows = _records(text, _sniff_delimiter(text))
    except csv.Error as err:
        raise UnreadableFile(f"{quote_name(path.name)} : CSV illisible ({err}).") from None
    while rows and not any(c.strip() for c in rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise UnreadableFile(f"{quote_name(path.name)} : ligne 1 : en-têtes de colonnes absents.")
    return rows[0][1], rows[1:], encoding


def read_table(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a small CSV table (metadata, participants) as ``(line, {header: value})``.

    Same reading as questionnaires (``_csv_rows``). Headers and values are stripped, empty values
    left out, blank rows skipped; ``line`` is the row's first line in the file. Raises
    ``UnreadableFile`` for a row with more cells than headers, naming its line.
    """
    path = Path(path)
    header, rows, _encoding = _csv_rows(path)
    header = [h.strip() for h in header]
    table = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise UnreadableFile(
                f"{quote_name(path.name)} : ligne {line} : {len(cells)} cellules pour "
                f"{len(header)} colonnes."
            )
        table.append(
            (line, {h: c.strip() for h, c in zip(header, cells, strict=False) if c.strip()})
        )
    return table


def read_csv(
    path: Path, *, answer_columns: list[str] | None = None, id_column: str | None = None
) -> list[SourceDocument]:
    """Read a CSV questionnaire (``;``, ``,`` or tab separated, any supported encoding)."""
    header, rows, encoding = _csv_rows(path)
    return build_documents(
        path.name,
        header,
        rows,
        answer_columns=answer_columns,
        id_column=id_column,
        encoding=encoding,
    )


# --- xlsx -----------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalise_text(str(value))


def read_xlsx(
    path: Path, *, answer_columns: list[str] | None = None, id_column: str | None = None
) -> list[SourceDocument]:
    """Read the first sheet of an ``.xlsx`` questionnaire; the first row holds the headers."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(path, kind=".xlsx")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = [
                (line, [_cell_text(v) for v in values])
                for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        finally:
            workbook.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, IndexError, OSError):
        raise UnreadableFile(
            f"{quote_name(path.name)} : classeur endommagé ou pas un fichier .xlsx. "
            "Rouvrez-le dans votre tableur et enregistrez-le au format .xlsx."
        ) from None
    if not rows or not any(c.strip() for c in rows[0][1]):
        raise UnreadableFile(f"{quote_name(path.name)} : ligne 1 : en-têtes de colonnes absents.")
    header = rows[0][1]
    while header and not header[-1].strip():
        header = header[:-1]
    return build_documents(
        path.name,
        header,
        rows[1:],
        answer_columns=answer_columns,
        id_column=id_column,
        encoding=None,
    )
