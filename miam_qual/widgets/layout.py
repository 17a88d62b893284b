"""How a document is laid out in the workbench: blocks (turns, paragraphs, answers) and margins.

Pure functions over plain data, so the browser only draws what Python decided. A block covers a
span of the text; the gaps between blocks that hold words (a questionnaire's question lines, a
title before the first turn) become ``context`` blocks, so every word stays selectable.
"""

from __future__ import annotations

import bisect
import numbers

import pandas as pd

from .textspans import unit_body

__all__ = ["document_blocks", "format_ms"]


def format_ms(ms: object) -> str | None:
    """``83000`` → ``"01:23"``; an hour or more → ``"1:02:03"``; ``None``/NaN → ``None``."""
    if not isinstance(ms, numbers.Real) or pd.isna(ms):  # None, NaN, pd.NA (numpy ints are Real)
        return None
    seconds = int(float(ms)) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def document_blocks(
    text: str, units: pd.DataFrame, timecodes: pd.DataFrame | None = None
) -> list[dict]:
    """Blocks of a document, in order: ``start, end, kind, body`` (offset where the words start,
    after a speaker label), ``speaker, role, number`` (1-based paragraph number; the turn's own
    number when several turns share a paragraph, as in a transcript with one turn per line), ``time``
    (``mm:ss`` of the recording or ``None``), ``question`` and ``index`` (the unit's index).
    """
    by_kind = {kind: group for kind, group in units.groupby("kind")} if len(units) else {}
    primary = next((by_kind[k] for k in ("turn", "answer", "paragraph") if k in by_kind), None)
    paragraphs = by_kind.get("paragraph")
    para_starts = (
        sorted(zip(paragraphs["start"], paragraphs["index"], strict=True))
        if paragraphs is not None
        else []
    )
    cues = (
        sorted(zip(timecodes["start"], timecodes["end"], timecodes["begin_ms"], strict=True))
        if timecodes is not None and len(timecodes)
        else []
    )
    cue_starts = [cue[0] for cue in cues]
    starts = [start for start, _ in para_starts]
    blocks: list[dict] = []
    cursor = 0

    # Both lookups bisect (a 300,000-word transcript has thousands of blocks, paragraphs, cues).
    def number_at(offset: int) -> int | None:
        at = bisect.bisect_right(starts, offset)
        return int(para_starts[at - 1][1]) + 1 if at else None

    def time_at(offset: int, begin_ms: object) -> str | None:
        if begin_ms is not None and not pd.isna(begin_ms):
            return format_ms(begin_ms)
        at = bisect.bisect_right(cue_starts, offset)  # cues do not overlap: the last one begun
        if at and cues[at - 1][0] <= offset < cues[at - 1][1]:
            return format_ms(cues[at - 1][2])
        return None

    def add_context(start: int, end: int) -> None:
        chunk = text[start:end]
        if chunk.strip():
            s = start + len(chunk) - len(chunk.lstrip())
            e = start + len(chunk.rstrip())
            blocks.append(_block(s, e, "context", s, number=number_at(s), time=time_at(s, None)))

    rows = primary.sort_values("start").itertuples() if primary is not None else []
    for unit in rows:
        start, end = int(unit.start), int(unit.end)
        if start < cursor:
            continue
        add_context(cursor, start)
        body = unit_body(text, start, end)[0] if unit.kind == "turn" else start
        blocks.append(
            _block(
                start, end, str(unit.kind), body,
                speaker=_clean(unit.speaker), role=_clean(unit.role), question=_clean(unit.question),
                number=number_at(start), time=time_at(start, unit.begin_ms), index=int(unit.index),
            )
        )  # fmt: skip
        cursor = end
    add_context(cursor, len(text))
    turns = [b for b in blocks if b["kind"] == "turn"]
    if len({b["number"] for b in turns}) < len(turns):  # turns share paragraphs (one per line):
        for block in blocks:  # number the turns themselves rather than show « §1 » on each
            block["number"] = block["index"] + 1 if block["kind"] == "turn" else None
    return blocks


def _clean(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _block(start: int, end: int, kind: str, body: int, **extra: object) -> dict:
    block = {"start": start, "end": end, "kind": kind, "body": body, "speaker": None, "role": None}
    block.update({"question": None, "number": None, "time": None, "index": None})
    block.update(extra)
    return block
