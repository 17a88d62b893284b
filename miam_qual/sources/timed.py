"""One transcript built from timed cues: what subtitles, Whisper JSON, noScribe HTML share.

A reader turns its file into :class:`Cue` objects (text, times, speaker) and hands them to
:func:`build_transcript`, which writes the document's text the one way every timed transcript is
written: consecutive cues of one speaker are joined with a space into one line ``Speaker : text``;
a new speaker starts a new line. A cue without a speaker continues the current speaker's turn.
When no cue names a speaker, each cue is its own line and no turn is emitted.

Each cue yields one :class:`Timecode` covering exactly its text, or, when it carries words with
their times (Whisper's ``words``) and every word is found in its text in order, one per word. Each
speaker's run yields a ``turn`` :class:`Unit` from its first cue's start to its last cue's end.
A cue whose end is unknown ends where the next one begins (the last one, where it begins).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from miam_qual.errors import UnreadableFile
from miam_qual.sources.limits import check_text
from miam_qual.sources.model import SourceDocument, Timecode, Unit
from miam_qual.sources.turns import role_of
from miam_qual.text import quote_name

__all__ = ["Cue", "Word", "build_transcript"]


@dataclass(frozen=True)
class Word:
    """One word of a cue as the recogniser timed it (``text`` as it appears in the cue's text)."""

    text: str
    begin_ms: int
    end_ms: int


@dataclass
class Cue:
    """A piece of transcript spoken from ``begin_ms`` to ``end_ms`` (``None``: unknown)."""

    begin_ms: int
    end_ms: int | None
    text: str
    speaker: str | None
    words: list[Word] = field(default_factory=list)


def build_transcript(
    name: str,
    cues: list[Cue],
    *,
    attributes: dict[str, Any] | None = None,
    encoding: str | None = None,
    media: str | None = None,
    empty: str = "aucun sous-titre avec du texte",
) -> SourceDocument:
    """The ``transcript`` document of ``cues`` (see the module docstring).

    Cues must come in spoken order (each reader checks its times and names the faulty line).
    Raises :class:`UnreadableFile` when no cue has text (``empty`` says what was missing) or the
    text is too long.
    """
    cues = [cue for cue in cues if cue.text]
    if not cues:
        raise UnreadableFile(f"{quote_name(name)} : {empty}.")
    ends = _ends(cues)
    with_speakers = any(cue.speaker for cue in cues)
    parts: list[str] = []
    length = 0
    timecodes: list[Timecode] = []
    turns: list[Unit] = []
    turn: dict | None = None

    def close_turn() -> None:
        if turn is not None:
            turns.append(
                Unit(
                    kind="turn",
                    start=turn["start"],
                    end=length,
                    index=len(turns),
                    speaker=turn["speaker"],
                    role=role_of(turn["speaker"]),
                    begin_ms=turn["begin"],
                    end_ms=turn["end"],
                )
            )

    current: str | None = None
    for cue, end_ms in zip(cues, ends, strict=True):
        speaker = cue.speaker or current
        if not with_speakers or speaker != current or not parts:
            close_turn()
            turn = None
            if parts:
                parts.append("\n")
                length += 1
            if speaker:
                turn = {"start": length, "speaker": speaker, "begin": cue.begin_ms}
                prefix = f"{speaker} : "
                parts.append(prefix)
                length += len(prefix)
        else:
            parts.append(" ")
            length += 1
        timecodes += _cue_timecodes(cue, length, end_ms)
        parts.append(cue.text)
        length += len(cue.text)
        if turn is not None:
            turn["end"] = end_ms
        current = speaker
    close_turn()
    text = "".join(parts)
    check_text(name, text)
    return SourceDocument(
        name=name,
        text=text,
        kind="transcript",
        units=turns,
        timecodes=timecodes,
        attributes=dict(attributes or {}),
        encoding=encoding,
        media=media,
    )


def _ends(cues: list[Cue]) -> list[int]:
    ends: list[int] = []
    for i, cue in enumerate(cues):
        if cue.end_ms is not None:
            ends.append(cue.end_ms)
        elif i + 1 < len(cues):
            ends.append(max(cue.begin_ms, cues[i + 1].begin_ms))
        else:
            ends.append(cue.begin_ms)
    return ends


def _cue_timecodes(cue: Cue, start: int, end_ms: int) -> list[Timecode]:
    whole = [Timecode(start, start + len(cue.text), cue.begin_ms, end_ms)]
    if not cue.words:
        return whole
    found: list[Timecode] = []
    position = 0
    for word in cue.words:
        at = cue.text.find(word.text, position) if word.text else -1
        if at < 0:
            return whole  # the words do not spell the cue's text: keep the cue's own times
        position = at + len(word.text)
        found.append(Timecode(start + at, start + position, word.begin_ms, word.end_ms))
    return found
