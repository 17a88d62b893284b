"""Word processor sources: ``.docx`` (python-docx) and ``.odt`` (odfpy).

The text is the body's paragraphs (and headings) joined by ``\\n``, table cells included row by row
in document order; headers, footers, footnotes and comments are left out, and core properties
(title, author) are not attributes. Paragraphs and speaker turns are then found as for ``.txt``,
and time marks too (:mod:`.marks`). A ``.docx`` table laid out as time | speaker | text makes the
document a timed transcript, one line per row (:mod:`.marks` too).
"""

from __future__ import annotations

import zipfile
from itertools import count
from pathlib import Path
from xml.parsers.expat import ExpatError
from xml.sax import SAXException

from miam_qual.errors import UnreadableFile
from miam_qual.sources.limits import check_archive, check_text
from miam_qual.sources.marks import TableRow, document_with_marks, table_transcript, timed_rows
from miam_qual.sources.model import SourceDocument
from miam_qual.text import normalise_text, quote_name

__all__ = ["read_docx", "read_odt"]


def _broken(path: Path, kind: str) -> UnreadableFile:
    return UnreadableFile(
        f"{quote_name(path.name)} : archive endommagée ou pas un fichier {kind}. "
        f"Rouvrez-le dans votre traitement de texte et enregistrez-le à nouveau au format {kind}."
    )


# --- docx -----------------------------------------------------------------------------------


def read_docx(path: Path) -> SourceDocument:
    """Read a ``.docx`` file as one document; raise :class:`UnreadableFile` if it is not one."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    check_archive(path, kind=".docx")
    try:
        document = docx.Document(str(path))
        lines = list(_docx_lines(document.element.body, document))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError):
        raise _broken(path, ".docx") from None
    return _document(path, lines)


def _document(path: Path, lines: list) -> SourceDocument:
    if any(isinstance(line, TableRow) for line in lines):
        return table_transcript(path.name, lines)
    text = "\n".join(lines)
    check_text(path.name, text)
    return document_with_marks(path.name, normalise_text(text), encoding=None, place="paragraphe")


def _docx_cells(table) -> list[list[str]]:
    """The text of each row's cells, a merged cell once."""
    rows = []
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(cell.text)
        rows.append(cells)
    return rows


def _docx_lines(container, parent, tables=None):
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    tables = count(1) if tables is None else tables
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent).text
        elif child.tag == qn("w:tbl"):
            table = Table(child, parent)
            rows = timed_rows(_docx_cells(table), table_number=next(tables))
            if rows is not None:
                yield from rows
                continue
            for row in table.rows:
                seen = set()
                for cell in row.cells:
                    # A merged cell is listed once per grid column it spans.
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from _docx_lines(cell._tc, cell, tables)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _docx_lines(content, parent, tables)


# --- odt ------------------------------------------------------------------------------------

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_PARAGRAPHS = {(_TEXT_NS, "p"), (_TEXT_NS, "h")}
_SKIPPED = {
    (_TEXT_NS, "note"),
    (_TEXT_NS, "tracked-changes"),
    ("urn:oasis:names:tc:opendocument:xmlns:office:1.0", "annotation"),
    ("urn:oasis:names:tc:opendocument:xmlns:drawing:1.0", "frame"),
}


def read_odt(path: Path) -> SourceDocument:
    """Read an ``.odt`` file as one document; raise :class:`UnreadableFile` if it is not one."""
    from odf.opendocument import load

    check_archive(path, kind=".odt")
    try:
        document = load(str(path))
        body = document.text
    except (zipfile.BadZipFile, KeyError, ValueError, SAXException, ExpatError, AttributeError):
        raise _broken(path, ".odt") from None
    if document.mimetype != "application/vnd.oasis.opendocument.text":
        raise _broken(path, ".odt")
    lines: list[str] = []
    _odt_collect(body, lines)
    return _document(path, lines)


def _odt_collect(node, lines: list[str]) -> None:
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname in _PARAGRAPHS:
            parts: list[str] = []
            _odt_inline(child, parts)
            lines.append("".join(parts))
        elif qname is not None and qname not in _SKIPPED:
            _odt_collect(child, lines)


def _odt_inline(node, parts: list[str]) -> None:
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
            continue
        qname = getattr(child, "qname", None)
        if qname == (_TEXT_NS, "s"):
            parts.append(" " * int(child.getAttribute("c") or 1))
        elif qname == (_TEXT_NS, "tab"):
            parts.append("\t")
        elif qname == (_TEXT_NS, "line-break"):
            parts.append("\n")
        elif qname not in _SKIPPED:
            _odt_inline(child, parts)
