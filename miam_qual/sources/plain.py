"""Plain text (``.txt``) and Markdown (``.md``) sources.

Markdown is not rendered: the document's text is the file's body as written. An optional YAML front
matter between ``---`` lines at the very top gives the document's attributes; offsets are then
relative to the body that follows it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from miam_qual.errors import UnreadableFile
from miam_qual.sources.model import SourceDocument
from miam_qual.sources.turns import detect_paragraphs, detect_turns, turn_timecodes
from miam_qual.text import decode_bytes, normalise_text, quote_name

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
    Raises :class:`UnreadableFile` if the text is blank.
    """
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
    raw, encoding = decode_bytes(path.read_bytes(), filename=path.name)
    return normalise_text(raw), encoding


def read_txt(path: Path) -> SourceDocument:
    """Read a ``.txt`` file as one ``text`` (or ``transcript``) document.

    Raises :class:`UnreadableFile` or :class:`EncodingError` (see :func:`decode_bytes`).
    """
    text, encoding = _read_text(path)
    return document_from_text(path.name, text, encoding=encoding)


def read_md(path: Path) -> SourceDocument:
    """Read a ``.md`` file: front matter keys become attributes, the body is the document's text.

    Raises :class:`UnreadableFile` for malformed or unclosed front matter (naming the file line).
    """
    text, encoding = _read_text(path)
    attributes: dict[str, Any] = {}
    opening = _FRONT_MATTER_OPEN.match(text)
    if opening:
        closing = _FRONT_MATTER_CLOSE.search(text, opening.end())
        if closing is None:
            raise UnreadableFile(
                f"{quote_name(path.name)} : ligne 1 : en-tête YAML ouvert par « --- » mais jamais "
                "refermé. Ajoutez une ligne « --- » après les métadonnées."
            )
        attributes = _parse_front_matter(path.name, text[opening.end() : closing.start()])
        text = text[closing.end() :]
    return document_from_text(path.name, text, encoding=encoding, attributes=attributes)


def _parse_front_matter(filename: str, source: str) -> dict[str, Any]:
    try:
        data = YAML(typ="safe", pure=True).load(source)
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None) if isinstance(err, MarkedYAMLError) else None
        # +2: the YAML starts on the file's second line, and marks count from 0.
        where = f"ligne {mark.line + 2} : " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise UnreadableFile(
            f"{quote_name(filename)} : {where}en-tête YAML illisible ({problem}). "
            "Vérifiez la syntaxe « clé: valeur » entre les lignes « --- »."
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UnreadableFile(
            f"{quote_name(filename)} : ligne 2 : l'en-tête YAML doit être une liste de "
            "« clé: valeur »."
        )
    return {str(key): _plain_value(value) for key, value in data.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
