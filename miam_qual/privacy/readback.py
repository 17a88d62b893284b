"""Everything a reader of an exported file can see, as text: the privacy gate reads it back.

``readable_text(path)`` returns ``(place, text)`` pairs for one file — each place a French label
naming where the text sits (``conducteur_radio.docx › commentaires``), so that a refusal can say
where the name is. What is read:

- plain text formats (Markdown, CSV, HTML, JSON, XML, subtitles): the decoded text; HTML also as
  the text a browser shows (a name split by tags is joined again);
- zipped office and exchange formats (DOCX, XLSX, ODT, PPTX, QDPX…): every member's name, and
  every XML member in full — paragraphs with their runs joined, every text node, every attribute
  value. That covers body text, tables, headers and footers, comments, footnotes, sheet titles,
  document properties (``core.xml``, ``app.xml``) and the sources of a ``.qdpx``;
- PDF: the text of every page (PDFium's extraction, which keeps line-break hyphenation visible to
  the name matcher), the document information, XMP metadata, and embedded files (name and content);
- pictures (PNG, JPEG): their text chunks and metadata. The words *drawn* in a picture cannot be
  read back from pixels: exports declare them to the gate (``ExportGate.picture``) instead;
- audio (WAV, MP3…): the container's tags.

A file type not listed here raises ``UnreadableExport``: the gate never lets out what it could not
read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import ExportError

TEXT_SUFFIXES = {
    ".md", ".txt", ".csv", ".tsv", ".json", ".xml", ".svg", ".qde", ".qdc", ".vtt", ".srt",
    ".yml", ".yaml", ".css",
}  # fmt: skip
HTML_SUFFIXES = {".html", ".htm"}
ZIP_SUFFIXES = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".qdpx", ".zip"}
PICTURE_SUFFIXES = {".png", ".jpg", ".jpeg"}
AUDIO_SUFFIXES = {".wav", ".mp3", ".ogg", ".opus", ".m4a", ".flac", ".aac"}
#: XML elements whose descendants' text is joined without a separator (a paragraph whose runs a
#: word processor split mid-word): WordprocessingML/DrawingML/ODF paragraphs and headings, shared
#: strings and rich text of spreadsheets, REFI-QDA descriptions.
_JOINED = {"p", "h", "si", "is", "r", "t", "Description", "PlainTextContent", "text"}


_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


class UnreadableExport(ExportError):
    """Raised when the gate cannot read an exported file back, so cannot let it out."""


def readable_text(path: Path, *, label: str | None = None) -> list[tuple[str, str]]:
    """``(place, text)`` pairs holding everything a reader of ``path`` can see (see module)."""
    path = Path(path)
    label = label or path.name
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            return [(label, _decode(path.read_bytes()))]
        if suffix in HTML_SUFFIXES:
            raw = _decode(path.read_bytes())
            # embedded pictures are base64 noise: their words are declared to the gate instead
            markup = _DATA_URI.sub("data:", raw)
            return [(label, markup), (f"{label} (texte affiché)", _html_text(raw))]
        if suffix in ZIP_SUFFIXES:
            return list(_zip_text(path, label))
        if suffix == ".pdf":
            return list(_pdf_text(path, label))
        if suffix in PICTURE_SUFFIXES:
            return [(f"{label} (métadonnées de l'image)", _picture_text(path))]
        if suffix in AUDIO_SUFFIXES:
            return [(f"{label} (étiquettes du son)", _audio_tags(path))]
    except UnreadableExport:
        raise
    except Exception as err:  # a file we wrote and cannot parse: refuse rather than guess
        raise UnreadableExport(
            f"« {label} » : relecture impossible avant la sortie du fichier ({type(err).__name__}). "
            "L'export est arrêté par prudence."
        ) from err
    raise UnreadableExport(
        f"« {label} » : type de fichier « {suffix or 'sans extension'} » que la vérification des "
        "noms ne sait pas relire ; l'export est arrêté par prudence."
    )


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _html_text(raw: str) -> str:
    from lxml import html

    try:
        tree = html.fromstring(raw or "<html/>")
    except Exception:  # an unparsable page is still checked as raw text
        return ""
    for element in tree.iter("script", "style"):
        element.text = ""
    blocks = []
    for element in tree.iter():
        if element.tag in ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "blockquote", "div"):
            blocks.append("".join(element.itertext()))
    return "\n".join(blocks)


def xml_text(data: bytes) -> str:
    """Every text node, attribute value and joined paragraph of an XML document (see module)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=True)
    root = etree.fromstring(data, parser=parser)
    if root is None:
        return _decode(data)
    parts: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text:
            parts.append(element.text)
        if element.tail:
            parts.append(element.tail)
        parts.extend(v for v in element.attrib.values() if not v.startswith("data:"))
        if etree.QName(element).localname in _JOINED:
            parts.append("".join(element.itertext()))
    return "\n".join(parts)


def _zip_text(path: Path, label: str) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        yield f"{label} (noms des fichiers de l'archive)", "\n".join(names)
        for name in names:
            if name.endswith("/"):
                continue
            suffix = Path(name).suffix.lower()
            place = f"{label} › {name}"
            if suffix in {".xml", ".rels", ".qde", ".vml"} or name == "[Content_Types].xml":
                yield place, xml_text(archive.read(name))
            elif suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES:
                yield place, _decode(archive.read(name))
            elif suffix in PICTURE_SUFFIXES | {".emf", ".wmf", ".gif", ".bin"}:
                continue  # pictures: their words are declared to the gate by the export
            else:
                yield place, _decode(archive.read(name))


def _pdf_text(path: Path, label: str) -> Iterator[tuple[str, str]]:
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    document = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            yield f"{label} page {index + 1}", text_page.get_text_range()
            text_page.close()
            page.close()
    finally:
        document.close()
    reader = PdfReader(str(path))
    info = reader.metadata or {}
    yield f"{label} (propriétés)", "\n".join(str(v) for v in info.values())
    xmp = reader.trailer["/Root"].get("/Metadata")
    if xmp is not None:
        yield f"{label} (métadonnées XMP)", _decode(xmp.get_object().get_data())
    for name, contents in (reader.attachments or {}).items():
        yield f"{label} (pièce jointe)", name
        for content in contents:
            yield f"{label} › pièce jointe {name}", _decode(content)


def _picture_text(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        values = [str(v) for v in getattr(image, "text", {}).values()]
        values += [
            str(v) for k, v in image.info.items() if isinstance(v, str) and k != "icc_profile"
        ]
    return "\n".join(values)


def _audio_tags(path: Path) -> str:
    import av

    with av.open(str(path)) as container:
        tags = dict(container.metadata)
        for stream in container.streams:
            tags.update(stream.metadata)
    return "\n".join(f"{k} {v}" for k, v in tags.items())
