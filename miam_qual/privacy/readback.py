"""Everything a reader of an exported file can see, as text: the privacy gate reads it back.

``readable_text(path)`` returns ``(place, text)`` pairs for one file — each place a French label
naming where the text sits (``conducteur_radio.docx › commentaires``), so that a refusal can say
where the name is. What is read:

- plain text formats (Markdown, CSV, JSON, XML, subtitles): the decoded text; HTML as its text
  with tags removed (a name split by inline tags reads whole) and every attribute value, without
  the base64 of embedded pictures;
- zipped office and exchange formats (DOCX, XLSX, ODT, PPTX, QDPX…): every member's name, and
  every XML member in full — paragraphs with their runs joined, every text node, every attribute
  value. That covers body text, tables, headers and footers, comments, footnotes, sheet titles,
  document properties (``core.xml``, ``app.xml``) and the sources of a ``.qdpx``;
- PDF: the text of every page (PDFium's extraction, which keeps line-break hyphenation visible to
  the name matcher), the document information, XMP metadata, and embedded files (name and content);
- pictures (PNG, JPEG): their text chunks and metadata. The words *drawn* in a picture cannot be
  read back from pixels: exports declare them to the gate (``ExportGate.picture``) instead;
- audio (WAV, MP3…): every chunk of a WAV but its samples, the container's tags otherwise.

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

_TAG = re.compile(r"<[^>]*>")
_NOT_WORDS = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?|[\d.,:%+-]*"
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_BLOCK = re.compile(
    r"<(?:/?(?:p|div|li|td|th|tr|h[1-6]|blockquote|br|section|figure|table)\b)[^>]*>", re.I
)
# every quoted value after an "=" (attributes, and a few more strings of text: read too, harmless)
_ATTRIBUTE = re.compile(r"""=\s*(?:"([^"]*)"|'([^']*)')""")  # (double-quoted, single-quoted)
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
            # embedded pictures are base64 noise: their words are declared to the gate instead
            markup = _DATA_URI.sub("data:", _decode(path.read_bytes()))
            return [(label, _html_text(markup))]
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
    """Text of an exported file: UTF-16 only with its BOM, else UTF-8, else Windows-1252 (never a
    guess that would turn bytes into other words and hide a name)."""
    import codecs

    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _html_text(markup: str) -> str:
    """What an HTML page holds for a reader: its text with tags removed (so a name split by
    inline tags reads whole), then every attribute value (``title``, ``alt``…)."""
    import html

    text = _TAG.sub("", _BLOCK.sub("\n", markup))
    attributes = "\n".join(double or single for double, single in _ATTRIBUTE.findall(markup))
    return html.unescape(text) + "\n" + html.unescape(attributes)


def xml_text(data: bytes) -> str:
    """Everything an XML document says, read twice with regular expressions (fast, in C): once
    with every tag removed, so that a word a word processor split into runs reads whole, and once
    with every tag turned into a line break, so that a paragraph's first word is never glued to
    the last word of the one before; then every attribute value (``data:`` URIs left out).
    Comments and CDATA sections are read as text; entities are decoded."""
    import html

    text = _decode(data)
    text = _CDATA.sub(lambda m: html.escape(m.group(1)), text)
    text = _COMMENT.sub(lambda m: " " + html.escape(m.group(1)) + " ", text)
    marked = html.unescape(_TAG.sub("\0", text))  # one pass; XML text never holds a NUL
    joined, separated = marked.replace("\0", ""), marked.replace("\0", "\n")
    # attribute values, but not picture data, identifiers and timestamps (no words in them; a
    # GUID's hex digits could even spell a short name between two digits)
    # (each distinct value once: an office file repeats the same few thousands of times)
    values = dict.fromkeys(double or single for double, single in _ATTRIBUTE.findall(text))
    attributes = "\n".join(
        value
        for value in values
        if not _NOT_WORDS.fullmatch(value) and not value.startswith("data:")
    )
    return "\n".join([joined, separated, html.unescape(attributes)])


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
    info = dict(reader.metadata or {})
    yield f"{label} (propriétés)", "\n".join(str(v) for v in info.values())
    xmp = reader.root_object.get("/Metadata")
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
    """The tags of a recording: a WAV's RIFF ``LIST`` chunks read directly (fast), other formats'
    container and stream metadata through PyAV."""
    if path.suffix.lower() == ".wav":
        return _wav_tags(path)
    import av

    with av.open(str(path)) as container:
        tags = dict(container.metadata)
        for stream in container.streams:
            tags.update(stream.metadata)
        # chapter titles (ID3 CHAP frames of an MP3, chapters of an M4A) show in every player
        chapters = [f"{k} {v}" for c in container.chapters() for k, v in c["metadata"].items()]
    return "\n".join([*(f"{k} {v}" for k, v in tags.items()), *chapters])


def _wav_tags(path: Path) -> str:
    """Every chunk of a RIFF/WAVE file other than its format and samples, decoded as text (the
    ``LIST``/``INFO`` tags, ``bext``, ``iXML``, ID3…)."""
    import struct

    parts: list[str] = []
    with open(path, "rb") as handle:
        header = handle.read(12)
        if len(header) < 12 or header[:4] not in (b"RIFF", b"RF64") or header[8:12] != b"WAVE":
            raise UnreadableExport(f"« {path.name} » : fichier WAV illisible.")
        while True:
            chunk = handle.read(8)
            if len(chunk) < 8:
                break
            kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if kind in (b"fmt ", b"data", b"fact"):
                handle.seek(size + (size & 1), 1)
                continue
            payload = handle.read(size)
            if kind == b"LIST":
                parts.extend(_list_texts(payload))
            parts.append(_decode(payload).replace("\x00", " "))
            if size & 1:
                handle.seek(1, 1)
    return "\n".join(parts)


def _list_texts(payload: bytes) -> list[str]:
    """The texts of a RIFF ``LIST`` chunk's sub-chunks, each decoded on its own (a binary cue
    number beside a label would otherwise make the whole chunk fail to decode as UTF-8): the
    ``INFO`` tags, and the cue labels and notes (``labl``, ``note``) of an ``adtl`` list."""
    import struct

    texts, offset = [], 4  # after the list type (INFO, adtl)
    while offset + 8 <= len(payload):
        kind = payload[offset : offset + 4]
        (size,) = struct.unpack("<I", payload[offset + 4 : offset + 8])
        body = payload[offset + 8 : offset + 8 + size]
        skip = 4 if kind in (b"labl", b"note") else 20 if kind == b"ltxt" else 0
        texts.append(_decode(body[skip:]).replace("\x00", " "))
        offset += 8 + size + (size & 1)
    return texts
