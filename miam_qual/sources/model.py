"""What a reader hands to the store: one normalised text per document, plus its structure.

Offsets everywhere are Unicode code points into ``SourceDocument.text`` (the normalised text:
NFC, ``\\n`` line endings, no BOM), ``start`` inclusive and ``end`` exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Unit kinds a reader may emit. ``paragraph``: a block of text separated by newlines;
#: ``turn``: a speaker turn; ``answer``: one questionnaire answer (one respondent, one question).
UNIT_KINDS = ("paragraph", "turn", "answer")

#: Roles of a speaker turn.
ROLES = ("interviewer", "participant")


@dataclass(frozen=True)
class Unit:
    """A structural span of a document: a paragraph, a speaker turn or a questionnaire answer.

    ``speaker`` is the label as written (``"Habitante 3"``, ``"E"``); ``role`` is ``"interviewer"``
    or ``"participant"`` for turns, ``None`` otherwise. ``question`` is the column header of an
    answer. ``begin_ms``/``end_ms`` are the recording times of the span when known.
    """

    kind: str
    start: int
    end: int
    index: int
    speaker: str | None = None
    role: str | None = None
    question: str | None = None
    begin_ms: int | None = None
    end_ms: int | None = None


@dataclass(frozen=True)
class Timecode:
    """A span of text aligned to the recording: ``[start, end)`` is spoken from ``begin_ms`` to ``end_ms``."""

    start: int
    end: int
    begin_ms: int
    end_ms: int


@dataclass
class SourceDocument:
    """One document read from a source file.

    A questionnaire file yields one ``SourceDocument`` per respondent (``name`` like
    ``"questionnaire.csv#R012"``); every other format yields exactly one.

    ``attributes`` holds raw attribute values found in the file (front matter, non-answer columns),
    keyed by the column or key name as written; the project validates them against its config.
    ``encoding`` is the encoding detected (``"utf-8"``, ``"utf-8-sig"``, ``"cp1252"``,
    ``"latin-1"``, ``"utf-16"``) or ``None`` for binary formats (docx, odt, xlsx).
    """

    name: str
    text: str
    kind: str  # "text", "transcript" or "questionnaire"
    units: list[Unit] = field(default_factory=list)
    timecodes: list[Timecode] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    encoding: str | None = None
    media: str | None = None  # recording file name referenced by a transcript, if any
