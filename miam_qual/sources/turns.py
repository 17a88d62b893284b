"""Paragraphs and speaker turns found in a plain, normalised text.

A speaker turn opens on a line that starts with a short speaker label and a colon, optionally after
a timecode: ``Enquêtrice : …``, ``[00:01:23] Habitante 3 : …``, ``M. D. : …``, ``Camille (VRAC) : …``.
It runs until the next such line or the end of the text. To keep ordinary sentences such as
``Il m'a dit : c'est trop cher.`` out, a label is at most five words and 40 characters, starts
with a capital letter, holds words without apostrophes ("m'a", "c'est" mark a sentence), numbers,
initials and a parenthesised affiliation (``Responsable cantine``, ``Mère de famille``), holds no
reporting verb (``Paul dit :``), and does not start with a pronoun, article, conjunction or a
heading word like ``Date`` or ``Remarque``.

Spans are trimmed: a unit starts at its first non-blank character and ends after its last one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from miam_qual.sources.model import Timecode, Unit
from miam_qual.text import fold

__all__ = [
    "detect_turns",
    "detect_paragraphs",
    "turn_timecodes",
    "role_of",
    "match_label",
    "timecode_to_ms",
]

_CAP = "A-ZÀ-ÖØ-ÞŒ"
_CAPWORD = rf"[{_CAP}][\w'’·.\-]*"
_LOWERWORD = r"[a-zà-öø-ÿœ][a-zà-öø-ÿœ\-]*"  # no apostrophe: "m'a", "c'est" belong to sentences
_TOKEN = rf"(?:{_CAPWORD}|{_LOWERWORD}|\d+|\([^()\n:]{{1,30}}\))"
_CONNECTOR = r"(?:(?:de|du|des|la|le|les|et)[ \u00a0])?"
_LABEL = rf"(?P<label>{_CAPWORD}(?:[ \u00a0]{_CONNECTOR}{_TOKEN}){{0,4}})"
# The colon may follow the label directly or after a space, NBSP or narrow NBSP; it must not be
# the start of a clock time ("10:30") or a URL ("Https://").
_COLON = r"[ \u00a0\u202f]?:(?!\d|//)"
_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIMECODE = rf"(?:\[(?P<tc>{_CLOCK})\]|(?P<bare>{_CLOCK}))[ \t]*"

# Matched at line starts only (``_line_starts``): a MULTILINE ``^`` would be tried at every
# character of the text, which dominated import time on long transcripts.
_TURN_AT = re.compile(rf"[ \t]*(?P<open>(?:{_TIMECODE})?{_LABEL}{_COLON})")
_NEWLINE = re.compile("\n")
_LABEL_ONLY = re.compile(rf"[ \t]*{_LABEL}{_COLON}[ \t\u00a0\u202f]*")
_BLANK_RUN = re.compile(r"\n(?:[^\S\n]*\n)+")

_MAX_LABEL_CHARS = 40

# First words that open sentences or headings rather than name a speaker.
_NOT_SPEAKERS = frozenset(
    """
    il elle ils elles on je j nous vous tu ce c ca cela ceci celui celle ceux qui que quoi
    le la les l un une des du de au aux mon ma mes ton ta tes son sa ses notre nos votre vos leur
    leurs et mais ou donc or ni car alors puis ensuite enfin quand si comme lorsque parce pour par
    avec sans sur sous dans en oui non bref resultat exemple conclusion attention remarque note nota
    nb ps date lieu duree heure debut fin theme sujet titre objet source tel telephone email mail
    adresse contexte transcription entretien enregistrement observation resume question reponse
    voici voila pourquoi comment combien
    """.split()
)

# Labels whose speaker asks the questions (compared without accents, lower case, first word).
_INTERVIEWER_WORDS = frozenset(
    """
    e q i enqueteur enqueteuse enquetrice intervieweur intervieweuse interviewer animateur
    animatrice chercheur chercheuse stagiaire moderateur moderatrice
    """.split()
)
_FIRST_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4096)  # speaker labels repeat hundreds of times per transcript
def _fold(s: str) -> str:
    return fold(s)


# Reporting verbs: "Paul dit : …" is narration, not a speaker label.
_SPEECH_VERBS = frozenset(
    """
    dit disait dis dira repond repondait explique expliquait demande demandait raconte racontait
    ajoute precise pense pensait trouve affirme ecrit note conclut rappelle souligne
    """.split()
)


@lru_cache(maxsize=4096)  # a transcript repeats a handful of labels on every line
def _is_speaker_label(label: str) -> bool:
    if len(label) > _MAX_LABEL_CHARS:
        return False
    first = _FIRST_WORD.match(label)
    if first is None or _fold(first.group()) in _NOT_SPEAKERS:
        return False
    return not any(_fold(word) in _SPEECH_VERBS for word in _FIRST_WORD.findall(label))


def role_of(label: str) -> str:
    """Return ``"interviewer"`` for labels like ``Enquêtrice``, ``E``, ``Q``, else ``"participant"``."""
    first = _FIRST_WORD.match(label)
    if first is not None and _fold(first.group()) in _INTERVIEWER_WORDS:
        return "interviewer"
    return "participant"


def timecode_to_ms(clock: str) -> int:
    """Convert ``hh:mm:ss``, ``mm:ss`` (optionally with ``.mmm`` or ``,mmm``) to milliseconds."""
    clock, _, fraction = clock.replace(",", ".").partition(".")
    seconds = 0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds * 1000 + (int(fraction.ljust(3, "0")[:3]) if fraction else 0)


def match_label(line: str) -> tuple[str, int] | None:
    """Return ``(label, length of "label :" prefix with its spaces)`` if ``line`` opens with one."""
    m = _LABEL_ONLY.match(line)
    if m is None or not _is_speaker_label(m.group("label")):
        return None
    return m.group("label"), m.end()


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    stripped = chunk.rstrip()
    return start + len(stripped) - len(stripped.lstrip()), start + len(stripped)


def detect_paragraphs(text: str) -> list[Unit]:
    """Return one ``paragraph`` unit per maximal run of non-blank lines, in order."""
    units: list[Unit] = []
    position = 0
    bounds = [(m.start(), m.end()) for m in _BLANK_RUN.finditer(text)]
    bounds.append((len(text), len(text)))
    for run_start, run_end in bounds:
        start, end = _trimmed(text, position, run_start)
        if end > start:
            units.append(Unit(kind="paragraph", start=start, end=end, index=len(units)))
        position = run_end
    return units


def _line_starts(text: str):
    yield 0
    for newline in _NEWLINE.finditer(text):
        yield newline.end()


def detect_turns(text: str) -> list[Unit]:
    """Return the speaker turns of ``text`` as ``turn`` units, in order (empty if none).

    Each unit has ``speaker`` (the label as written), ``role``, and when its line starts with a
    timecode, ``begin_ms``; ``end_ms`` is the next timed turn's ``begin_ms`` (``None`` for the last).
    """
    openings = []
    for line_start in _line_starts(text):
        m = _TURN_AT.match(text, line_start)
        if m is None:
            continue
        label = m.group("label")
        if _is_speaker_label(label):
            clock = m.group("tc") or m.group("bare")
            begin = timecode_to_ms(clock) if clock else None
            openings.append((m.start("open"), label, begin))
    turns: list[Unit] = []
    next_begin: int | None = None
    for i in range(len(openings) - 1, -1, -1):
        start, label, begin = openings[i]
        limit = openings[i + 1][0] if i + 1 < len(openings) else len(text)
        end = start + len(text[start:limit].rstrip())
        turns.append(
            Unit(
                kind="turn",
                start=start,
                end=end,
                index=i,
                speaker=label,
                role=role_of(label),
                begin_ms=begin,
                end_ms=next_begin if begin is not None else None,
            )
        )
        if begin is not None:
            next_begin = begin
    turns.reverse()
    return turns


def turn_timecodes(turns: list[Unit]) -> list[Timecode]:
    """Return one :class:`Timecode` per timed turn, spanning the turn (``end_ms`` defaults to begin)."""
    return [
        Timecode(
            start=t.start,
            end=t.end,
            begin_ms=t.begin_ms,
            end_ms=t.end_ms if t.end_ms is not None else t.begin_ms,
        )
        for t in turns
        if t.begin_ms is not None
    ]
