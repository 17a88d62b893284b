"""What an exchange brings, read from a ``.qdpx``, a ``.qdc`` or another miam_qual project.

Readers turn their input into an :class:`Exchange` (no project involved); ``qdpx_import`` and
``merge`` compare it with a project and write it. Every position is already an offset into the
source's normalised text (code points, NFC, ``\\n``) and every selection carries the excerpt it
covers. GUIDs are kept as written; :func:`guid_key` gives the form they are matched on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..alignment import SpanMap
    from ..config import AttributeSpec
    from ..privacy.redact import Redacted
    from .matching import CodesPlan
    from .report import ExchangeReport

_BRACES = re.compile(r"^\{(.*)\}$")


def guid_key(guid: str | None) -> str:
    """The form GUIDs are compared in: lower case, without braces or surrounding spaces."""
    if not guid:
        return ""
    text = guid.strip()
    match = _BRACES.match(text)
    return (match.group(1) if match else text).strip().lower()


@dataclass
class XCode:
    """A code of the exchanged codebook. ``parent``: the parent's key (``guid_key``), or ``None``."""

    key: str
    guid: str
    name: str
    parent: str | None = None
    codable: bool = True
    color: str | None = None
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    keywords: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)  # note keys
    where: str = ""  # file and line, for messages
    id_hint: str | None = None  # its id in another miam_qual project


@dataclass
class XCoding:
    """One coding of a selection: the code (its key), the coder's name, the date."""

    code: str
    coder: str | None
    created_at: str | None
    guid: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class XSelection:
    """A coded passage: ``[start, end)`` in the normalised text, and the excerpt it covers."""

    start: int
    end: int
    text: str
    codings: list[XCoding]
    guid: str = ""
    coder: str | None = None
    created_at: str | None = None
    comment: str = ""  # a selection's Description, kept as a memo on its codings
    notes: list[str] = field(default_factory=list)
    where: str = ""


@dataclass
class XTimecode:
    start: int
    end: int
    begin_ms: int
    end_ms: int


@dataclass
class XSource:
    """A text source (or the transcript of a recording): its normalised text and selections."""

    key: str
    guid: str
    name: str
    text: str
    selections: list[XSelection] = field(default_factory=list)
    timecodes: list[XTimecode] = field(default_factory=list)
    media: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # variable key → value as written
    notes: list[str] = field(default_factory=list)
    description: str = ""
    sets: list[str] = field(default_factory=list)  # names of the sets it belongs to
    created_at: str | None = None
    where: str = ""
    # from another miam_qual project: its structure as read there, and the file it came from
    kind: str | None = None
    units: list | None = None
    encoding: str | None = None
    file: Path | None = None


@dataclass
class XVariable:
    key: str
    name: str
    type: str  # REFI typeOfVariable: Text, Boolean, Integer, Float, Date, DateTime
    description: str = ""
    # from another miam_qual project: the declaration to copy when the project lacks it
    spec_type: str | None = None
    choices: tuple[str, ...] = ()


@dataclass
class XCase:
    """A case: a participant in miam_qual (its name becomes the pseudonym)."""

    key: str
    name: str
    values: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)  # source keys
    notes: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class XNote:
    key: str
    name: str
    text: str
    author: str | None = None
    created_at: str | None = None


@dataclass
class Exchange:
    """Everything an input brings, in miam_qual's terms, plus what could not be kept.

    ``adapted``: French lines saying what was changed to fit (an emoji's half moved outwards, a
    colour with alpha…); ``lost``: French lines listing what cannot be kept (pictures, PDF regions,
    audio regions, sources without text…). Both go into the import report.
    """

    label: str  # the file name (or the project folder), for messages
    path: Path | None = None  # the archive (its copy goes to corpus/ with new documents)
    origin: str = ""
    name: str = ""
    reading: str = ""  # how positions were counted, in French
    users: dict[str, str] = field(default_factory=dict)  # user key → name
    codes: list[XCode] = field(default_factory=list)
    sources: list[XSource] = field(default_factory=list)
    variables: list[XVariable] = field(default_factory=list)
    cases: list[XCase] = field(default_factory=list)
    notes: dict[str, XNote] = field(default_factory=dict)
    project_notes: list[str] = field(default_factory=list)  # note keys hanging on the project
    description: str = ""
    adapted: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    def code_paths(self) -> dict[str, tuple[str, ...]]:
        """Each code's names from the top of the tree down to it, by code key."""
        codes = {c.key: c for c in self.codes}
        paths: dict[str, tuple[str, ...]] = {}

        def path(key: str) -> tuple[str, ...]:
            if key not in paths:
                code = codes[key]
                paths[key] = (*(path(code.parent) if code.parent else ()), code.name)
            return paths[key]

        for code in self.codes:
            path(code.key)
        return paths


# -- what an exchange will write (made by ``plan``, written by ``apply``) --------------------------
#: What happens to an incoming source: added, found in the project, or left out (a merge).
NEW_DOC, KNOWN_DOC, MISSING_DOC = "nouveau", "existant", "absent"


@dataclass
class SourceMatch:
    source: XSource
    action: str
    document_id: str | None = None
    document: str = ""
    shared: Redacted | None = None  # matched through the shareable form of the document
    attributes: dict[str, str] = field(default_factory=dict)
    revised: SpanMap | None = None  # matched an older version of a corrected text: old → current


@dataclass
class Plan:
    """Everything an exchange will write: the sources and how they matched, the codes
    (``matching``), the new codings, memos, participants and attribute declarations."""

    ex: Exchange
    mode: str
    report: ExchangeReport
    sources: list[SourceMatch]
    codes: CodesPlan
    codebook_version: int
    coders: list[str]  # every coder name used, new ones included
    # (source index, start, end, excerpt, code id, coder, created_at)
    codings: list[tuple[int, int, int, str, str, str, str | None]] = field(default_factory=list)
    # (index into codings, memo text, author, created_at)
    coding_memos: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    # (kind, target: source index | code id | pseudonym | "project", text, author, created_at)
    notes: list[tuple[str, object, str, str, str | None]] = field(default_factory=list)
    participants: dict[str, dict[str, str]] = field(default_factory=dict)
    new_specs: dict[str, AttributeSpec] = field(default_factory=dict)
    code_map: dict[str, str] = field(default_factory=dict)  # incoming GUID key → code id
