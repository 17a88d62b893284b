"""Reading QDA-XML safely and leniently; the small conversions every reader and writer shares.

Files from other tools are untrusted: the parser never loads a DTD, never resolves entities and
never reaches the network, and a document declaring a DOCTYPE is refused (entity tricks). Elements
are matched by local name, so a file using another version's namespace (or none) still reads.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator

from lxml import etree

from ..errors import UnreadableFile

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_RGB = re.compile(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+\s*)?\)")
#: Labels of the parts of a code's description (written by the export, read back by imports;
#: English ones are what other tools' users tend to write).
PARTS = {
    "inclusion": ("Inclusion", ("inclusion", "inclure", "include", "inclusion criteria")),
    "exclusion": ("Exclusion", ("exclusion", "exclure", "exclude", "exclusion criteria")),
    "example": ("Exemple", ("exemple", "example", "exemples", "examples")),
    "keywords": ("Mots-clés", ("mots-clés", "mots-cles", "mots clés", "keywords")),
}
_PART = re.compile(r"^\s*([^\n:]{3,30}?)\s*:\s*(.*)$", re.DOTALL)


def parse_xml(data: bytes, *, where: str) -> etree._Element:
    """Parse untrusted XML; raises ``UnreadableFile`` naming ``where`` and the line."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line, column = err.position if err.position else (err.lineno, 0)
        raise UnreadableFile(
            f"{where}, ligne {line}, colonne {column} : XML mal formé ({err.msg}). Exportez à "
            "nouveau le fichier depuis le logiciel d'origine."
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnreadableFile(
            f"{where} : le XML déclare un DOCTYPE (entités), refusé par sécurité : les fichiers "
            "REFI-QDA n'en ont pas. Exportez à nouveau le fichier depuis le logiciel d'origine."
        )
    return root


def local(element: etree._Element) -> str:
    """The element's tag without its namespace (``""`` for comments and processing
    instructions)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag[tag.rfind("}") + 1 :]


def children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    """Direct children called ``name`` (in any namespace, or none)."""
    return element.iterchildren(f"{{*}}{name}")


def child(element: etree._Element, name: str) -> etree._Element | None:
    return element.find(f"{{*}}{name}")


def child_text(element: etree._Element, name: str) -> str:
    found = child(element, name)
    return (found.text or "") if found is not None else ""


def place(where: str, element: etree._Element) -> str:
    """``where`` with the element's line: « « x.qdpx » › project.qde, ligne 12 »."""
    return f"{where}, ligne {element.sourceline}" if element.sourceline else where


def boolean(value: str | None, default: bool = True) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("true", "1", "yes", "oui")


def color(value: str | None) -> tuple[str | None, bool]:
    """``(#RRGGBB or #RGB, adapted?)`` from what tools write (``#rrggbb``, ``#aarrggbb``,
    ``rgb(…)``, without ``#``); ``(None, False)`` when absent, ``(None, True)`` when unreadable."""
    if not value or not value.strip():
        return None, False
    text = value.strip()
    match = _HEX.fullmatch(text)
    if match:
        digits = match.group(1)
        if len(digits) == 8:  # alpha first (#AARRGGBB, .NET) — the colour is the last six
            return "#" + digits[2:].upper(), True
        return "#" + digits.upper(), not text.startswith("#")
    match = _RGB.fullmatch(text)
    if match:
        parts = [min(int(p), 255) for p in match.groups()]
        return "#" + "".join(f"{p:02X}" for p in parts), True
    return None, True


_STORED_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@functools.lru_cache(maxsize=65_536)
def date_time(value: str | None) -> str | None:
    """An ``xsd:dateTime`` as miam_qual stores dates (UTC, ``…Z``, seconds); ``None`` when absent
    or unreadable. (Cached: an export repeats the same few dates thousands of times.)"""
    if not value or not value.strip():
        return None
    if _STORED_DATE.fullmatch(value):
        return value
    text = value.strip().replace("z", "Z")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def describe_code(definition: str, **parts: object) -> str:
    """A code's REFI ``Description``: the definition, then one paragraph per non-empty part
    (« Inclusion : … », « Exclusion : … », « Exemple : … », « Mots-clés : a, b »)."""
    paragraphs = [definition.strip()] if definition.strip() else []
    for key, (label, _aliases) in PARTS.items():
        value = parts.get(key)
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        if value and str(value).strip():
            paragraphs.append(f"{label} : {str(value).strip()}")
    return "\n\n".join(paragraphs)


def split_description(text: str) -> dict[str, object]:
    """The parts of a description written by :func:`describe_code` (or by hand in the same
    shape): ``definition``, ``inclusion``, ``exclusion``, ``example``, ``keywords`` (a tuple).
    Paragraphs without a known label stay in the definition."""
    result: dict[str, object] = {"definition": "", "keywords": ()}
    aliases = {alias: key for key, (_label, names) in PARTS.items() for alias in names}
    kept: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        match = _PART.match(paragraph)
        key = aliases.get(match.group(1).strip().casefold()) if match else None
        value = match.group(2).strip() if match else ""
        if key is None or (key in result and key != "keywords") or not value:
            kept.append(paragraph)
            continue
        if key == "keywords":
            result[key] = tuple(w.strip() for w in value.split(",") if w.strip())
        else:
            result[key] = value
    result["definition"] = "\n\n".join(p for p in kept if p.strip())
    return result
