"""Time marks written in a transcript's text: ``[00:01:23]``, ``(01:23)``, ``#00:01:23-4#``…

Transcribers type the time where a turn or paragraph begins — ``[00:01:23]``, ``[01:23]``,
``[00:01:23.456]`` or ``(01:23)`` at the start of a line, or just after its speaker label
(``Habitante 3 : [00:01:23] …``) — and f4/f5transkript writes ``#00:01:23-4#`` (tenths after the
dash), by default at the end of each paragraph. :func:`find_marks` finds them in a normalised text;
:func:`timed_document` removes them from the text the coder reads (speaker labels stay) and turns
them into timecodes:

- a mark opening a line starts a cue there, which runs to the next mark (the speaker label at its
  start is left out of the cue's span); its end is the next mark's time (the last one: its own);
- a mark closing a line ends the cue running before it (from the previous mark, or from the start
  of its line and 0 ms for the first) and starts the next one at the same time.

Times must never go back; a mark that is malformed (``[00:61:00]``) or earlier than the one before
is refused with the file and line. A text without a single mark is read exactly as before
(:func:`miam_qual.sources.plain.document_from_text`), marks and all.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import Any

from miam_qual.errors import UnreadableFile
from miam_qual.sources.limits import check_text
from miam_qual.sources.model import SourceDocument, Timecode, Unit
from miam_qual.sources.turns import detect_paragraphs, detect_turns, match_label
from miam_qual.text import quote_name

__all__ = ["Mark", "Speaking", "clock_ms", "find_marks", "timed_document", "document_with_marks"]

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_F4 = r"#\d{1,2}:\d{2}:\d{2}(?:-\d{1,3})?#"
_OPENING = re.compile(rf"[ \t]*(?P<mark>\[{_CLOCK}\]|\({_CLOCK}\)|{_F4})[ \t]*")
_CLOSING = re.compile(rf"[ \t]*(?P<mark>{_F4})[ \t]*\Z")
# What looks like a mark but is not one (``[00:1:2]``, ``#00:01:23-#``): refused in a text that
# has real marks, left alone in one that has none.
_LOOKALIKE = re.compile(r"[ \t]*(?P<mark>[\[(#]\d[\d:.,\- ]{0,14}[\])#])")
_CLOSING_LOOKALIKE = re.compile(r"[ \t]*(?P<mark>#\d[\d:.,\- ]{0,14}#)[ \t]*\Z")
_TIME = re.compile(
    r"[\[(#]?(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,\-](?P<f>\d{1,3}))?[\])#]?"
)

EXPECTED = "attendu : [00:01:23], [01:23], [00:01:23.456], (01:23) ou #00:01:23-4#"


@dataclass(frozen=True)
class Mark:
    """A time written in the text: ``offset`` in the text without marks, ``where`` in French
    (``"ligne 12"``) for messages, ``closing`` for a mark that ends the text before it."""

    offset: int
    ms: int
    where: str
    written: str
    closing: bool = False


@dataclass(frozen=True)
class Speaking:
    """A speaker turn known from the file's structure (a table's speaker column): ``start`` to
    ``end`` in the text, the label ``speaker`` written first and followed by ``" : "``."""

    start: int
    end: int
    speaker: str


def clock_ms(written: str) -> int | None:
    """Milliseconds of a written time (``00:01:23``, ``[01:23]``, ``(1:23.5)``, ``#00:01:23-4#``),
    or ``None`` when it is not a valid time (seconds or minutes from 60 on included)."""
    m = _TIME.fullmatch(written.strip())
    if m is None:
        return None
    hours, minutes, seconds = int(m["h"] or 0), int(m["m"]), int(m["s"])
    if seconds >= 60 or (m["h"] is not None and minutes >= 60):
        return None
    fraction = int((m["f"] or "0").ljust(3, "0"))
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + fraction


def find_marks(name: str, text: str, *, first_line: int = 1, place: str = "ligne"):
    """``(text without its marks, marks)``, or ``None`` when ``text`` has no mark at all.

    ``place`` names a line in messages (``"paragraphe"`` for word processor files).
    Raises :class:`UnreadableFile` for a malformed mark in a text that has marks.
    """
    pieces: list[str] = []
    marks: list[Mark] = []
    lookalikes: list[tuple[str, str]] = []
    length = 0
    for number, line in enumerate(text.split("\n"), start=first_line):
        where = f"{place} {number}"
        if pieces:
            pieces.append("\n")
            length += 1
        line, opening = _opening(line)
        if opening is not None:
            marks.append(_mark(name, opening, length, where))
        elif (lookalike := _LOOKALIKE.match(line)) is not None and ":" in lookalike["mark"]:
            lookalikes.append((where, lookalike["mark"]))
        closing = _CLOSING.search(line)
        if closing is not None:
            line = line[: closing.start()]
            marks.append(_mark(name, closing["mark"], length + len(line), where, closing=True))
        elif (lookalike := _CLOSING_LOOKALIKE.search(line)) is not None:
            lookalikes.append((where, lookalike["mark"]))
        pieces.append(line)
        length += len(line)
    if not marks:
        return None
    if lookalikes:
        where, written = lookalikes[0]
        raise _unreadable(name, where, written)
    return "".join(pieces), marks


def _opening(line: str) -> tuple[str, str | None]:
    """The line without the mark that opens it (or that follows its speaker label), and that mark."""
    m = _OPENING.match(line)
    if m is not None:
        return line[m.end() :], m["mark"]
    labelled = match_label(line)
    if labelled is not None:
        m = _OPENING.match(line, labelled[1])
        if m is not None:
            return line[: labelled[1]] + line[m.end() :], m["mark"]
    return line, None


def _mark(name: str, written: str, offset: int, where: str, *, closing: bool = False) -> Mark:
    ms = clock_ms(written)
    if ms is None:
        raise _unreadable(name, where, written)
    return Mark(offset, ms, where, written, closing)


def _unreadable(name: str, where: str, written: str) -> UnreadableFile:
    return UnreadableFile(
        f"{quote_name(name)} : {where} : repère de temps illisible « {written} » ({EXPECTED}). "
        "Corrigez-le dans le fichier, puis importez-le de nouveau."
    )


def timed_document(
    name: str,
    text: str,
    marks: list[Mark],
    *,
    encoding: str | None,
    attributes: dict[str, Any] | None = None,
    media: str | None = None,
    speakings: list[Speaking] | None = None,
    stops: list[int] | None = None,
) -> SourceDocument:
    """The ``transcript`` of ``text`` (already without its marks) timed by ``marks``.

    ``stops`` are offsets where a cue ends without a new one beginning (the end of a table); the
    cue cut there ends when it begins.

    Paragraphs are found as for any text; turns too, unless ``speakings`` gives them. Each turn's
    times are those of the cues it overlaps. Raises :class:`UnreadableFile` for a blank text or a
    mark earlier than the one before it.
    """
    check_text(name, text)
    if not text.strip():
        raise UnreadableFile(f"{quote_name(name)} : le document ne contient aucun texte.")
    _check_order(name, marks)
    if speakings is None:
        turns = detect_turns(text)
        labels = {t.start: t.start + _label_length(text, t.start) for t in turns}
    else:
        turns = _explicit_turns(speakings)
        labels = {s.start: s.start + len(s.speaker) + 3 for s in speakings}
    timecodes = _timecodes(text, marks, labels, stops or [])
    # The last mark opening a cue says when it begins, never when it ends.
    open_ended = timecodes[-1] if timecodes and not marks[-1].closing else None
    ends = [t.end for t in timecodes]  # cues are disjoint and in order: their ends are sorted
    turns = [_timed_turn(turn, timecodes, ends, open_ended) for turn in turns]
    units = sorted(detect_paragraphs(text) + turns, key=lambda u: (u.start, -u.end))
    return SourceDocument(
        name=name,
        text=text,
        kind="transcript",
        units=units,
        timecodes=timecodes,
        attributes=dict(attributes or {}),
        encoding=encoding,
        media=media,
    )


def document_with_marks(
    name: str,
    text: str,
    *,
    encoding: str | None,
    attributes: dict[str, Any] | None = None,
    first_line: int = 1,
    place: str = "ligne",
) -> SourceDocument:
    """A normalised text as a document: timed by its marks when it has some (see the module
    docstring), else exactly :func:`~miam_qual.sources.plain.document_from_text`'s document."""
    from miam_qual.sources.plain import document_from_text

    found = find_marks(name, text, first_line=first_line, place=place)
    if found is None:
        return document_from_text(name, text, encoding=encoding, attributes=attributes)
    stripped, marks = found
    return timed_document(name, stripped, marks, encoding=encoding, attributes=attributes)


def _check_order(name: str, marks: list[Mark]) -> None:
    for before, mark in zip(marks, marks[1:], strict=False):
        if mark.ms < before.ms:
            raise UnreadableFile(
                f"{quote_name(name)} : {mark.where} : le temps « {mark.written} » précède celui "
                f"d'avant (« {before.written} », {before.where}) ; les temps doivent aller "
                "croissant. Corrigez-le dans le fichier, puis importez-le de nouveau."
            )


def _label_length(text: str, start: int) -> int:
    end = text.find("\n", start)
    labelled = match_label(text[start : len(text) if end < 0 else end])
    return labelled[1] if labelled is not None else 0


def _explicit_turns(speakings: list[Speaking]) -> list[Unit]:
    from miam_qual.sources.turns import role_of

    return [
        Unit(
            kind="turn",
            start=s.start,
            end=s.end,
            index=i,
            speaker=s.speaker,
            role=role_of(s.speaker),
        )
        for i, s in enumerate(speakings)
    ]


def _timecodes(
    text: str, marks: list[Mark], labels: dict[int, int], stops: list[int]
) -> list[Timecode]:
    spans: list[tuple[int, int, int, int]] = []
    opened: tuple[int, int] | None = None
    for mark in marks:
        if opened is not None:
            stop = (
                stops[bisect_right(stops, opened[0])] if stops and stops[-1] > opened[0] else None
            )
            if stop is not None and stop < mark.offset:
                spans.append((opened[0], stop, opened[1], opened[1]))
            else:
                spans.append((opened[0], mark.offset, opened[1], mark.ms))
        elif mark.closing:
            spans.append((text.rfind("\n", 0, mark.offset) + 1, mark.offset, 0, mark.ms))
        opened = (mark.offset, mark.ms)
    if opened is not None:
        later = [stop for stop in stops if stop > opened[0]]
        spans.append((opened[0], later[0] if later else len(text), opened[1], opened[1]))
    timecodes: list[Timecode] = []
    for start, end, begin_ms, end_ms in spans:
        chunk = text[start:end]
        start += len(chunk) - len(chunk.lstrip())
        start = labels.get(start, start)
        end = start + len(text[start:end].rstrip())
        if end > start:
            timecodes.append(Timecode(start, end, begin_ms, end_ms))
    return timecodes


def _timed_turn(
    turn: Unit, timecodes: list[Timecode], ends: list[int], open_ended: Timecode | None
) -> Unit:
    inside = []
    for timecode in timecodes[bisect_right(ends, turn.start) :]:
        if timecode.start >= turn.end:
            break
        inside.append(timecode)
    if not inside:
        return replace(turn, begin_ms=None, end_ms=None)
    end_ms = None if open_ended in inside else max(t.end_ms for t in inside)
    return replace(turn, begin_ms=min(t.begin_ms for t in inside), end_ms=end_ms)


# --- tables laid out as time | speaker | text ---------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    """One row of a time | speaker | text table, as written; ``where`` names it in French."""

    time: str
    speaker: str
    text: str
    where: str


def timed_rows(rows: list[list[str]], *, table_number: int) -> list[TableRow] | None:
    """The rows of a table laid out as time | speaker | text (a header row first is allowed), or
    ``None`` for any other table: three columns, and the first row under the header timed."""
    cells = [[" ".join(cell.split()) for cell in row] for row in rows]
    if not cells or any(len(row) != 3 for row in cells):
        return None
    first = 0 if clock_ms(cells[0][0]) is not None else 1
    if first >= len(cells) or clock_ms(cells[first][0]) is None:
        return None
    return [
        TableRow(
            time, speaker.removesuffix(":").strip(), text, f"tableau {table_number}, ligne {n}"
        )
        for n, (time, speaker, text) in enumerate(cells[first:], start=first + 1)
    ]


def table_transcript(name: str, lines: list[str | TableRow]) -> SourceDocument:
    """The timed transcript of a word processor file whose lines include timed table rows.

    Each row is one line, ``Speaker : text`` when its speaker differs from the row above (a row
    without a speaker continues the turn); consecutive rows of one speaker form one turn. Each
    row's time opens a cue; a row without a time continues the cue above. Lines outside the table
    stay as they are, untimed. Raises :class:`UnreadableFile` naming the table row for a time that
    cannot be read or that goes back.
    """
    from miam_qual.text import normalise_text

    pieces: list[str] = []
    marks: list[Mark] = []
    speakings: list[Speaking] = []
    stops: list[int] = []
    length = 0
    current: str | None = None
    in_table = False
    for line in lines:
        if in_table and not isinstance(line, TableRow):
            stops.append(length)  # the last row's cue ends with the table
        in_table = isinstance(line, TableRow)
        if pieces:
            pieces.append("\n")
            length += 1
        if not isinstance(line, TableRow):
            current = None
            line = normalise_text(line)
            pieces.append(line)
            length += len(line)
            continue
        if line.time:
            ms = clock_ms(line.time)
            if ms is None:
                raise _unreadable(name, line.where, line.time)
            marks.append(Mark(length, ms, line.where, line.time))
        speaker, words = normalise_text(line.speaker), normalise_text(line.text)
        if speaker and speaker != current:
            speakings.append(Speaking(length, length, speaker))
            words = f"{speaker} : {words}"
            current = speaker
        pieces.append(words)
        length += len(words)
        if speakings and current is not None:
            speakings[-1] = replace(speakings[-1], end=length)
    text = "".join(pieces)
    return timed_document(name, text, marks, encoding=None, speakings=speakings, stops=stops)
