"""The package's one XLSX writer: plain tables, each cell exactly what it holds.

Reports, the coded-segments export and the publication tables write their workbooks here. A
sheet is a title, a header row (bold, white on green, frozen, with filters) and rows of text,
numbers and booleans. Nothing a participant said ever becomes a formula, a link, a date or a
number: text goes to the shared-string table, escaped; the writer has no way to write a formula.

The sheet XML is written directly (Office Open XML, ECMA-376 part 1, SpreadsheetML), one string
per row: 85,000 cells take 0.1–0.2 s, where a general-purpose library spent about a second
on its per-cell bookkeeping (``benchmarks/bench_report.py``). What is written is small on
purpose, and shaped as Excel writes it: a shared-string table, one header style, column widths,
a frozen header row and an autofilter with its hidden ``_xlnm._FilterDatabase`` name.

    from miam_qual.workbook import Sheet, workbook_bytes
    data = workbook_bytes([Sheet.from_frame("Codes", frame, widths={"text": 70})])
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Excel's limit on the characters (UTF-16 units) of one cell; longer text is cut and ends with
#: ``CUT_MARK``.
CELL_LIMIT = 32_767
CUT_MARK = " […]"
#: Characters a sheet title may not hold (Excel refuses the file otherwise).
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Control characters XML 1.0 cannot carry (tab, line feed and carriage return stay).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: A text Excel would read as an escaped character (« _x000D_ »): its underscore is escaped.
_ESCAPE_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

#: Header cells: bold white on the project's green, wrapped, vertically centred (style 1).
_STYLES = (
    f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF2E7D32"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
    'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


@dataclass
class Sheet:
    """One sheet: ``title`` (at most 31 characters, none of ``[]:*?/\\``, no apostrophe at either
    end, not ``History``), ``headers``, ``rows``
    (sequences as long as ``headers``; ``None``, NaN and ``""`` are empty cells) and column
    ``widths`` in characters (default: from the header, between 12 and 30)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = field(default_factory=list)

    @classmethod
    def from_frame(
        cls,
        title: str,
        frame: Any,
        *,
        headers: Sequence[str] | None = None,
        widths: Mapping[str, float] | None = None,
    ) -> Sheet:
        """A sheet of a pandas DataFrame: one row per row, ``headers`` (default: the column
        names), ``widths`` by column name."""
        names = [str(c) for c in frame.columns]
        heads = list(headers) if headers is not None else names
        chosen = widths or {}
        sizes = [chosen.get(n, default_width(h)) for n, h in zip(names, heads, strict=True)]
        columns = [frame.iloc[:, i].tolist() for i in range(frame.shape[1])]
        return cls(title, heads, zip(*columns, strict=True), sizes)


def default_width(header: str) -> float:
    """A column's width (in characters) when nothing else is known: its header's, within 12–30."""
    return max(12, min(len(header) + 4, 30))


def column_letters(index: int) -> str:
    """``0`` → ``A``, ``25`` → ``Z``, ``26`` → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value: str) -> str:
    """``value`` as it goes into a cell: without the control characters XML cannot carry, cut
    to Excel's limit (ending with ``CUT_MARK``). Excel counts UTF-16 units: a character outside
    the Basic Multilingual Plane (an emoji) counts twice, and is never cut in half."""
    value = _ILLEGAL.sub("", value)
    if len(value) > CELL_LIMIT // 2:
        units = value.encode("utf-16-le")
        if len(units) > 2 * CELL_LIMIT:
            room = 2 * (CELL_LIMIT - len(CUT_MARK))
            value = units[:room].decode("utf-16-le", errors="ignore") + CUT_MARK
    return value


class _Strings:
    """The shared-string table: each distinct text once, cells refer to it by number."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0  # text cells

    def cell(self, ref: str, value: str, style: str = "") -> str:
        self.count += 1
        number = self.index.get(value)
        if number is None:
            number = self.index[value] = len(self.index)
        return f'<c r="{ref}"{style} t="s"><v>{number}</v></c>'

    def xml(self) -> str:
        items = "".join(
            f'<si><t xml:space="preserve">{_escape(_lookalikes(cell_text(text)))}</t></si>'
            for text in self.index
        )
        return (
            f'{_DECLARATION}<sst xmlns="{_MAIN}" count="{self.count}" '
            f'uniqueCount="{len(self.index)}">{items}</sst>'
        )


def _lookalikes(text: str) -> str:
    return _ESCAPE_LOOKALIKE.sub(r"_x005F_\1", text) if "_x" in text else text


def _escape(text: str) -> str:
    """``text`` for XML (``&``, ``<``, ``>``; quotes too, for attributes)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;")


def _cell(ref: str, value: Any, strings: _Strings) -> str:
    """One cell's XML, or ``""`` for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return strings.cell(ref, value) if value else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if isinstance(value, float):
        return f'<c r="{ref}"><v>{float(value)!r}</v></c>' if math.isfinite(value) else ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return _cell(ref, ", ".join(map(str, value)), strings)
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return ""
    if hasattr(value, "item"):  # a numpy scalar
        return _cell(ref, value.item(), strings)
    return strings.cell(ref, str(value))


def _check_titles(sheets: Sequence[Sheet]) -> None:
    seen: set[str] = set()
    for sheet in sheets:
        title = sheet.title
        if (
            not title
            or len(title) > 31
            or _TITLE_FORBIDDEN.search(title)
            or title.startswith("'")
            or title.endswith("'")
            or title.lower() == "history"  # reserved by Excel
        ):
            raise ValueError(f"Sheet title not allowed in XLSX: {title!r}")
        if title.lower() in seen:
            raise ValueError(f"Two sheets named {title!r}")
        seen.add(title.lower())


def _sheet_xml(sheet: Sheet, selected: bool, strings: _Strings) -> tuple[str, str]:
    """The worksheet's XML and the range of its filter (``A1:C10``)."""
    letters = [column_letters(i) for i in range(len(sheet.headers))]
    width = len(letters)
    header = "".join(
        strings.cell(f"{letter}1", str(text), ' s="1"')
        for letter, text in zip(letters, sheet.headers, strict=True)
    )
    parts = [f'<row r="1">{header}</row>']
    number = 1
    for number, row in enumerate(sheet.rows, start=2):
        if len(row) != width:
            raise ValueError(f"Row {number} of {sheet.title!r} has {len(row)} cells, not {width}")
        cells = "".join(
            [
                _cell(f"{letter}{number}", value, strings)
                for letter, value in zip(letters, row, strict=True)
            ]
        )
        parts.append(f'<row r="{number}">{cells}</row>')
    last = f"{letters[-1] if letters else 'A'}{number}"
    widths = list(sheet.widths) or [default_width(str(h)) for h in sheet.headers]
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w + 0.71:.2f}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    tab = ' tabSelected="1"' if selected else ""
    view = (
        f'<sheetView{tab} workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
    )
    xml = (
        f'{_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">'
        f'<dimension ref="A1:{last}"/><sheetViews>{view}</sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
        f"<sheetData>{''.join(parts)}</sheetData>"
        + (f'<autoFilter ref="A1:{last}"/>' if width else "")
        + "</worksheet>"
    )
    return xml, f"A1:{last}"


def _absolute(area: str) -> str:
    return ":".join("$" + re.sub(r"(\d+)$", r"$\1", ref) for ref in area.split(":"))


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The workbook holding ``sheets`` in order, as the bytes of an ``.xlsx`` file. Raises
    ``ValueError`` for a sheet title Excel refuses, two sheets with one title, no sheet, or a
    row whose length differs from the header's."""
    sheets = list(sheets)
    if not sheets:
        raise ValueError("A workbook needs at least one sheet")
    _check_titles(sheets)
    buffer = io.BytesIO()
    strings = _Strings()
    entries, names, overrides, relations = [], [], [], []
    for index, sheet in enumerate(sheets, start=1):
        xml, area = _sheet_xml(sheet, index == 1, strings)
        entries.append((f"xl/worksheets/sheet{index}.xml", xml))
        quoted = _escape(sheet.title.replace("'", "''"))
        names.append(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index - 1}" hidden="1">'
            f"'{quoted}'!{_absolute(area)}</definedName>"
        )
        overrides.append(
            f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="{_CONTENT_SHEET}"/>'
        )
        relations.append(
            f'<Relationship Id="rId{index}" Type="{_RELS}/worksheet" '
            f'Target="worksheets/sheet{index}.xml"/>'
        )
    listed = "".join(
        f'<sheet name="{_escape(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    workbook = (
        f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{listed}</sheets><definedNames>{''.join(names)}</definedNames></workbook>"
    )
    count = len(sheets)
    relations.append(
        f'<Relationship Id="rId{count + 1}" Type="{_RELS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{count + 2}" Type="{_RELS}/sharedStrings" '
        'Target="sharedStrings.xml"/>'
    )
    content_types = (
        f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/>'
        f"{''.join(overrides)}</Types>"
    )
    package_rels = (
        f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook_rels = (
        f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELS}">{"".join(relations)}</Relationships>'
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as archive:
        for name, text in [
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", package_rels),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels),
            ("xl/styles.xml", _STYLES),
            ("xl/sharedStrings.xml", strings.xml()),
            *entries,
        ]:
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()
