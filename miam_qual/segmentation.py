"""Sentences of a document's normalised text: the one definition of a sentence in miam_qual.

The coding workbench selects "the sentence" with it and agreement counts the ``sentence`` unit
with it, so the sentence a coder selects is the sentence agreement compares. Offsets are Unicode
code points into the normalised text, end exclusive (see ``ARCHITECTURE.md``).

A sentence ends at a line break, or after ``.``, ``!``, ``?``, ``…`` (or ``...``), with any
closing quotes or brackets (``»``, ``”``, ``)``), when a blank follows and the next word does not
start with a lower-case letter: ``etc. et puis``, ``Je sais pas… peut-être`` and ``« Tu viens ? »
a-t-elle dit`` stay one sentence, ``etc. Puis`` makes two. A period after a title or a short
abbreviation (``M.``, ``Mme.``, ``Dr.``, ``cf.``, ``p.``, ``env.``) or after a single capital
(``J. Dupont``) never ends one. Punctuation inside a token (``3.5``, ``www.vrac.fr``) is not a
sentence end; ``3,5`` holds none. A timecode and speaker label at the start of a line
(``[00:01:02] Habitante 2 :``) belong to no sentence.
"""

from __future__ import annotations

import re

from .sources.turns import match_label

__all__ = ["label_length", "sentence_spans"]

#: Terminal punctuation, then closing quotes or brackets (after an optional no-break space), then
#: a blank or the end of the line. French spacing (``Quoi ?``, ``Non ! ?``) is covered.
_SENTENCE_END = re.compile(
    r"[.!?…]+(?:[ \u00a0\u202f]*[!?]+)*(?:[ \u00a0\u202f]?[»\"”’)\]])*(?=[ \t\u00a0\u202f]|$)"
)
#: Periods after these words (compared lower case) never end a sentence: titles, and short
#: abbreviations that a number or a name follows. ``etc.`` is not here: the next word decides.
ABBREVIATIONS = frozenset(
    """
    m mm mme mmes mlle mlles me mgr dr pr st ste cf ex p pp vs env n no vol chap fig av bd tél tel
    """.split()
)
_WORD_BEFORE = re.compile(r"(\w+)$")
_LONGEST_WORD = 40
#: Characters skipped when looking for the word that follows a possible sentence end.
_OPENERS = ' \t\u00a0\u202f«"“‘([—–-'
_TIMECODE_PREFIX = re.compile(
    r"[ \t]*(?:\[\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?\]|\d{1,2}(?::\d{2}){1,2})[ \t]*"
)


def label_length(line: str) -> int:
    """Length of a leading timecode and speaker label (``[00:01:02] Habitante 2 : ``), else 0."""
    prefix = _TIMECODE_PREFIX.match(line)
    skip = prefix.end() if prefix else 0
    label = match_label(line[skip:])
    if label is None:
        return 0
    return skip + label[1]


def _ends_sentence(text: str, match: re.Match[str], cut: int, line_end: int) -> bool:
    """Whether the punctuation ``match`` (in the sentence that started at ``cut``) ends it."""
    following = match.end()
    while following < line_end and text[following] in _OPENERS:
        following += 1
    if following < line_end and text[following].islower():
        return False
    if text[match.start() : match.end()].rstrip(' \u00a0\u202f»"”’)]') != ".":
        return True
    # The word just before the period: searched in a short window (a regex search from the
    # start of a long sentence tries every position); a longer word is no abbreviation anyway.
    word = _WORD_BEFORE.search(text, max(cut, match.start() - _LONGEST_WORD), match.start())
    token = word.group(1) if word else ""
    return not (token.casefold() in ABBREVIATIONS or (len(token) == 1 and token.isupper()))


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as ``(start, end)`` offsets into ``text``, in order,
    trimmed of surrounding blanks (see the module docstring for what ends a sentence)."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    line_start = start
    for line in text[start:end].split("\n"):
        line_end = line_start + len(line)
        cut = line_start + label_length(line)
        for match in _SENTENCE_END.finditer(text, cut, line_end):
            if match.end() > cut and _ends_sentence(text, match, cut, line_end):
                spans.append((cut, match.end()))
                cut = match.end()
        spans.append((cut, line_end))
        line_start = line_end + 1
    trimmed = []
    for s, e in spans:
        chunk = text[s:e]
        kept = chunk.strip()
        if kept:
            s += len(chunk) - len(chunk.lstrip())
            trimmed.append((s, s + len(kept)))
    return trimmed
