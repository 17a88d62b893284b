"""Word snapping, sentences and unit bodies: the text arithmetic behind selections.

Offsets are Unicode code points into a document's normalised text, end exclusive (the browser
converts its UTF-16 indices before anything reaches Python). Python is the authority on where a
selection starts and ends; the browser may snap for display only.
"""

from __future__ import annotations

import unicodedata

from ..segmentation import label_length, sentence_spans

__all__ = ["is_word_char", "snap_to_words", "sentence_spans", "sentence_at", "unit_body"]


def is_word_char(ch: str) -> bool:
    """Letters, combining marks, digits and ``_`` (apostrophes and hyphens are handled apart)."""
    return ch == "_" or unicodedata.category(ch)[0] in "LMN"


def _joins_word(text: str, i: int) -> bool:
    """Whether ``text[i]`` belongs to a word: a word character, or a hyphen between two letters
    (``peut-être``). Apostrophes separate words (``l'épicerie`` holds ``l'`` and ``épicerie``)."""
    if not 0 <= i < len(text):
        return False
    ch = text[i]
    if is_word_char(ch):
        return True
    return (
        ch in "-‐"
        and 0 < i < len(text) - 1
        and is_word_char(text[i - 1])
        and is_word_char(text[i + 1])
    )


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Widen ``[start, end)`` so that it neither starts nor ends inside a word; trim blanks.

    Returns the snapped span, or ``None`` when the span holds nothing but blanks. Offsets are
    clipped to the text first; a reversed span is put in order.
    """
    start, end = sorted((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    if _is_elision(text, start):  # starts on the apostrophe of "c'est": take "c'" too
        start -= 1
    while start > 0 and _joins_word(text, start) and _joins_word(text, start - 1):
        start -= 1
    if _is_elision(text, end - 1):  # ends right after "c'": take "est" too
        end += 1
    elif _is_elision(text, end):  # ends on the "c" of "c'est"
        end += 2
    while end < len(text) and _joins_word(text, end - 1) and _joins_word(text, end):
        end += 1
    return start, end


def _is_elision(text: str, i: int) -> bool:
    """Whether ``text[i]`` is an apostrophe between two letters (``l'épicerie``, ``aujourd'hui``)."""
    return (
        0 < i < len(text) - 1
        and text[i] in "'’"
        and is_word_char(text[i - 1])
        and is_word_char(text[i + 1])
    )


def sentence_at(
    text: str, offset: int, start: int = 0, end: int | None = None
) -> tuple[int, int] | None:
    """The sentence of ``text[start:end]`` containing ``offset`` (or the next one after it);
    sentences are those of ``miam_qual.segmentation``, the ones agreement counts."""
    for s, e in sentence_spans(text, start, end):
        if offset < e:
            return s, e
    return None


def unit_body(text: str, start: int, end: int) -> tuple[int, int]:
    """A unit's span without its leading timecode and speaker label (the words actually said)."""
    skip = label_length(text[start:end].split("\n", 1)[0])
    chunk = text[start + skip : end]
    body_start = start + skip + len(chunk) - len(chunk.lstrip())
    return (body_start, end) if body_start < end else (start, end)


def outside_labels(
    text: str, turns: list[tuple[int, int]], start: int, end: int
) -> tuple[int, int] | None:
    """``[start, end)`` without a speaker label at either edge: a start inside a turn's label
    moves to the turn's words, an end inside the next turn's label moves back to the end of the
    words before it (a label between the two ends stays: the span is one piece of text).
    ``turns``: the document's turns ``(start, end)``. ``None`` when nothing but a label is left."""
    for turn_start, turn_end in turns:
        body = unit_body(text, turn_start, turn_end)[0]
        if body == turn_start:
            continue
        if turn_start <= start < body:
            start = body
        if turn_start < end <= body:
            end = turn_start
            while end > start and text[end - 1].isspace():
                end -= 1
    return (start, end) if start < end else None
