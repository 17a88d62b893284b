"""Turning project data into its shareable form: names replaced, withheld words removed.

- ``pseudonymise(value, pseudonyms)`` walks strings, DataFrames (cells, column names, index
  labels), lists, dicts and dataclasses (a report's data, a summary) and replaces every real name
  of the private mapping; bytes and numbers pass unchanged.
- ``redact(text, pseudonyms, withheld=…)`` rewrites a whole document for an exchange archive: the
  withheld spans (words of people who refused the use) become a short French notice, real names
  become their pseudonyms, and ``Redacted.position`` carries every offset of the old text over to
  the new one, so that coded passages stay on the same words.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .pseudonyms import Pseudonyms

WITHHELD = "[propos retirés : pas de consentement]"


def pseudonymise(value: Any, pseudonyms: Pseudonyms, *, _cache: dict | None = None) -> Any:
    """``value`` with every real name replaced, whatever its shape (see module docstring)."""
    cache = {} if _cache is None else _cache

    def text(item: str) -> str:
        if item not in cache:
            cache[item] = pseudonyms.apply(item)
        return cache[item]

    if not pseudonyms.mapping:
        return value
    if isinstance(value, str):
        return text(value)
    if isinstance(value, pd.DataFrame):
        frame = value.copy()
        for column in frame.columns:
            if _textual(frame[column].dtype):
                frame[column] = frame[column].map(
                    lambda v: pseudonymise(v, pseudonyms, _cache=cache)
                )
        frame.columns = [text(c) if isinstance(c, str) else c for c in frame.columns]
        if _textual(frame.index.dtype):
            frame.index = [text(i) if isinstance(i, str) else i for i in frame.index]
        return frame
    if isinstance(value, pd.Series):
        series = value.map(lambda v: pseudonymise(v, pseudonyms, _cache=cache))
        return series.rename(text(value.name) if isinstance(value.name, str) else value.name)
    if isinstance(value, list):
        return [pseudonymise(v, pseudonyms, _cache=cache) for v in value]
    if isinstance(value, tuple):
        return tuple(pseudonymise(v, pseudonyms, _cache=cache) for v in value)
    if isinstance(value, dict):
        return {
            pseudonymise(k, pseudonyms, _cache=cache): pseudonymise(v, pseudonyms, _cache=cache)
            for k, v in value.items()
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: pseudonymise(getattr(value, f.name), pseudonyms, _cache=cache)
            for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


def _textual(dtype) -> bool:
    """Whether a column of this dtype may hold text (object, or pandas' string dtype)."""
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


@dataclass
class Redacted:
    """A rewritten text and the edits that made it: ``(old_start, old_end, new_start, new_end)``."""

    text: str
    edits: list[tuple[int, int, int, int]] = field(default_factory=list)
    withheld: list[tuple[int, int]] = field(default_factory=list)

    def position(self, offset: int, *, side: str = "start") -> int:
        """Where old ``offset`` lands in the new text. Inside an edited span it moves to the
        span's new start (``side="start"``) or end (``side="end"``)."""
        starts = [e[0] for e in self.edits]
        index = bisect.bisect_right(starts, offset) - 1
        if index < 0:
            return offset
        old_start, old_end, new_start, new_end = self.edits[index]
        if offset >= old_end:
            return new_end + (offset - old_end)
        if offset == old_start:
            return new_start
        return new_start if side == "start" else new_end

    def overlaps_withheld(self, start: int, end: int) -> bool:
        """Whether old ``[start, end)`` touches a withheld span."""
        return any(s < end and e > start for s, e in self.withheld)


def redact(
    text: str, pseudonyms: Pseudonyms, *, withheld: Iterable[tuple[int, int]] = ()
) -> Redacted:
    """``text`` with ``withheld`` spans replaced by ``WITHHELD`` and real names by pseudonyms."""
    spans = sorted((int(s), int(e)) for s, e in withheld if e > s)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    replacements: list[tuple[int, int, str]] = [(s, e, WITHHELD) for s, e in merged]
    for hit in pseudonyms.find(text):
        inside = [m for m in merged if m[0] < hit.end and m[1] > hit.start]
        if inside:  # a name astride a withheld span goes with it
            for m in inside:
                m[0], m[1] = min(m[0], hit.start), max(m[1], hit.end)
            continue
        replacements.append((hit.start, hit.end, hit.replacement))
    replacements = [(s, e, WITHHELD) for s, e in merged] + [
        r for r in replacements if r[2] != WITHHELD
    ]
    replacements.sort()
    pieces, edits, cursor, shift = [], [], 0, 0
    for start, end, new in replacements:
        pieces.append(text[cursor:start])
        new_start = start + shift
        pieces.append(new)
        edits.append((start, end, new_start, new_start + len(new)))
        shift += len(new) - (end - start)
        cursor = end
    pieces.append(text[cursor:])
    return Redacted("".join(pieces), edits, [(s, e) for s, e in merged])
