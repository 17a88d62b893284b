"""Plain text (``.txt``) and Markdown (``.md``) sources.

Markdown is not rendered: the document's text is the file's body as written. An optional YAML front
matter between ``---`` lines at the very top gives the document's attributes; offsets are then
relative to the body that follows it. Front matter values are kept as the text written (``047``,
``non``, ``2024-03-12``): ``projet.yml`` gives them their type on import. The header is read by
:mod:`miam_qual.yamlio` (at most 64 kB, aliases bounded) and each value is one scalar of at most
10,000 characters; the file itself is refused above ``limits.MAX_TEXT_BYTES``.

Time marks typed at the start of lines (``[00:01:23]``, ``(01:23)``, f4's ``#00:01:23-4#``) make
the document a timed transcript: see :mod:`.marks`. A file without any is read as it always was.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from miam_qual.config import MAX_VALUE_CHARS
from miam_qual.errors import UnreadableFile
from miam_qual.sources.limits import MAX_FRONT_MATTER_BYTES, check_text, read_bytes
from miam_qual.sources.marks import document_with_marks
from miam_qual.sources.model import SourceDocument
from miam_qual.sources.turns import detect_paragraphs, detect_turns, turn_timecodes
from miam_qual.text import decode_bytes, normalise_text, quote_name
from miam_qual.yamlio import describe, line_of, load_yaml, text_of

__all__ = ["read_txt", "read_md", "document_from_text"]

_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*\n")
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.MULTILINE)


def document_from_text(
    name: str,
    text: str,
    *,
    encoding: str | None,
    attributes: dict[str, Any] | None = None,
) -> SourceDocument:
    """Build a document from normalised text: paragraphs, and speaker turns when there are some.

    The kind is ``"transcript"`` when at least one turn is found, else ``"text"``. Units are in
    document order (by start; of two starting together, the longer first).
    Raises :class:`UnreadableFile` if the text is blank or longer than ``MAX_TEXT_BYTES``.
    """
    check_text(name, text)
    if not text.strip():
        raise UnreadableFile(f"{quote_name(name)} : le document ne contient aucun texte.")
    turns = detect_turns(text)
    units = sorted(detect_paragraphs(text) + turns, key=lambda u: (u.start, -u.end))
    return SourceDocument(
        name=name,
        text=text,
        kind="transcript" if turns else "text",
        units=units,
        timecodes=turn_timecodes(turns),
        attributes=dict(attributes or {}),
        encoding=encoding,
    )


def _read_text(path: Path) -> tuple[str, str]:
    raw, encoding = decode_bytes(read_bytes(path), filename=path.name)
    return normalise_text(raw), encoding


def read_txt(path: Path) -> SourceDocument:
    """Read a ``.txt`` file as one ``text`` (or ``transcript``) document.

    Raises :class:`UnreadableFile` or :class:`EncodingError` (see :func:`decode_bytes`).
    """
    text, encoding = _read_text(path)
    return document_with_marks(path.name, text, encoding=encoding)


def read_md(path: Path) -> SourceDocument:
    """Read a ``.md`` file: front matter keys become attributes, the body is the document's text.

    Raises :class:`UnreadableFile` for malformed or unclosed front matter (naming the file line).
    """
    text, encoding = _read_text(path)
    attributes: dict[str, Any] = {}
    first_line = 1
    opening = _FRONT_MATTER_OPEN.match(text)
    if opening:
        closing = _FRONT_MATTER_CLOSE.search(text, opening.end())
        if closing is None:
            raise UnreadableFile(
                f"{quote_name(path.name)} : ligne 1 : en-tête YAML ouvert par « --- » mais jamais "
                "refermé. Ajoutez une ligne « --- » après les métadonnées."
            )
        attributes = _parse_front_matter(path.name, text[opening.end() : closing.start()])
        first_line += text.count("\n", 0, closing.end())
        text = text[closing.end() :]
    return document_with_marks(
        path.name, text, encoding=encoding, attributes=attributes, first_line=first_line
    )


def _parse_front_matter(filename: str, source: str) -> dict[str, Any]:
    """The front matter's keys and values, each value the text as written (``047`` stays
    ``047``, ``non`` stays ``non``); ``None`` for an empty value.

    Raises :class:`UnreadableFile` naming the file line for malformed YAML, a header above
    ``MAX_FRONT_MATTER_BYTES``, anything but ``clé: valeur`` pairs, a list or mapping as a
    value, or a value longer than ``MAX_VALUE_CHARS``.
    """
    name = quote_name(filename)
    size = len(source.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise UnreadableFile(
            f"{name} : ligne 2 : en-tête YAML trop long ({size:,} octets ; au plus "
            f"{MAX_FRONT_MATTER_BYTES:,}). Il ne doit contenir que quelques « clé: valeur » ; "
            "mettez le texte après la ligne « --- » qui le ferme.".replace(",", " ")
        )
    data = load_yaml(
        source,
        source=filename,
        error=UnreadableFile,
        first_line=2,
        label="en-tête YAML",
        max_bytes=MAX_FRONT_MATTER_BYTES,
    )
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UnreadableFile(
            f"{name} : ligne 2 : l'en-tête YAML doit être une liste de « clé: valeur », pas "
            f"{describe(data)}."
        )
    attributes: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{name} : ligne {line_of(data, key)}"
        if isinstance(value, dict | list):
            raise UnreadableFile(
                f"{where} : « {key} » doit avoir une seule valeur, pas {describe(value)}."
            )
        text = None if value is None else text_of(data, key, where=where, error=UnreadableFile)
        if text is not None and len(text) > MAX_VALUE_CHARS:
            raise UnreadableFile(
                f"{where} : valeur de « {key} » trop longue ({len(text):,} caractères ; au plus "
                f"{MAX_VALUE_CHARS:,}). Mettez ce texte dans le document, après l'en-tête.".replace(
                    ",", " "
                )
            )
        attributes[str(key)] = text
    return attributes
