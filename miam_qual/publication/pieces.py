"""Which parts of a recording a radio quote is heard from: its pieces and their limits.

A quote's display text may cut words out of its original wording with ``[…]``
(:func:`kept_pieces` maps each kept part back to its span of the original, word by word, as the
light-edit check compares them). :func:`quote_clip` times each piece through the document's
timecodes and bounds it by the cues of *another speaker* around it — a turn whose speaker is not
the one speaking at the piece's edge, interviewers included — so that neither padding nor
snapping ever reaches into someone else's words. ``cuts`` then finds the pauses and writes.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..text import fold
from .cuts import CleanClip
from .quotes import CUT

if TYPE_CHECKING:
    from ..project import Project


def kept_pieces(original: str, display: str) -> list[tuple[int, int]]:
    """The spans of ``original`` (offsets into it) that ``display`` keeps between its ``[…]``
    cuts, in order. Each kept part is matched word by word (folded, as the light-edit check
    does); parts with no word left in the original are dropped, and parts with no removed word
    between them are merged. Without a cut: the whole original."""
    parts = display.replace("[...]", CUT).split(CUT)
    if len(parts) == 1:
        return [(0, len(original))]
    source = [(fold(m.group()), m.start(), m.end()) for m in re.finditer(r"\w+", original)]
    kept: list[tuple[str, int]] = [
        (fold(word), index) for index, part in enumerate(parts) for word in re.findall(r"\w+", part)
    ]
    matcher = difflib.SequenceMatcher(a=[w for w, *_ in source], b=[w for w, _ in kept],
                                      autojunk=False)  # fmt: skip
    words_of: dict[int, list[int]] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            words_of.setdefault(kept[block.b + offset][1], []).append(block.a + offset)
    runs: list[list[int]] = []  # [first word, last word] of each piece
    for part in sorted(words_of):
        first, last = words_of[part][0], words_of[part][-1]
        if runs and first <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], last)
        else:
            runs.append([first, last])
    if not runs:
        return [(0, len(original))]
    spans = [(source[a][1], source[b][2]) for a, b in runs]
    if runs[0][0] == 0:  # nothing cut before the first piece: it starts where the span does
        spans[0] = (0, spans[0][1])
    if runs[-1][1] == len(source) - 1:
        spans[-1] = (spans[-1][0], len(original))
    return spans


def quote_clip(project: Project, row: object, source: Path, destination: Path) -> CleanClip:
    """The clean clip of a quote (a row of ``list_quotes``): its pieces timed through the
    document's timecodes and the other speakers' cues around each piece as limits. A quote
    whose text changed since it was chosen (``drifted``) is cut whole."""
    document = str(row.document_id)  # type: ignore[attr-defined]
    start, end = int(row.start), int(row.end)  # type: ignore[attr-defined]
    display, original = str(row.display), str(row.original)  # type: ignore[attr-defined]
    drifted = bool(row.drifted)  # type: ignore[attr-defined]
    spans = [(0, end - start)] if drifted else kept_pieces(original, display)
    begin_ms, end_ms = int(row.begin_ms), int(row.end_ms)  # type: ignore[attr-defined]

    def time_of(offset: int, whole: int) -> int:
        if offset in (0, end - start):  # the quote's own edges: its stored times
            return whole
        found = project.time_at(document, start + offset)
        return whole if found is None else found

    pieces = [(time_of(a, begin_ms), time_of(b, end_ms)) for a, b in spans]
    turns = project.units(document, "turn")
    cues = project.timecodes(document)
    turn_spans = list(zip(turns["start"], turns["end"], turns["speaker"], strict=True))

    def speaker_at(offset: int) -> object:
        return next((s for a, b, s in turn_spans if a <= offset < b), None)

    cue_speakers = [
        (int(c.start), int(c.end), int(c.begin_ms), int(c.end_ms),
         {s for a, b, s in turn_spans if a < c.end and b > c.start})
        for c in cues.itertuples()
    ]  # fmt: skip
    limits: list[tuple[int | None, int | None]] = []
    for a, b in spans:
        before, after = speaker_at(start + a), speaker_at(max(start + b - 1, start + a))
        floor = [e_ms for _s, e, _b_ms, e_ms, who in cue_speakers
                 if before is not None and e <= start + a and who - {before}]  # fmt: skip
        ceiling = [b_ms for s, _e, b_ms, _e_ms, who in cue_speakers
                   if after is not None and s >= start + b and who - {after}]  # fmt: skip
        limits.append((max(floor) if floor else None, min(ceiling) if ceiling else None))
    return CleanClip(source, destination, pieces, limits)
