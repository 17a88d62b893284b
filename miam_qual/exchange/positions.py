"""Positions in exchanged files: from a producer's unit to miam_qual's offsets, and back.

miam_qual counts Unicode code points of the normalised text (no BOM, ``\\n`` line endings, NFC).
Producers do not all agree (see ``../shared/refi-qda/NOTES.md``):

- NVivo counts UTF-16 code units (an emoji counts 2) over the ``.txt`` it writes, BOM dropped, line
  endings as written (CRLF counts 2 on Windows);
- ATLAS.ti counts code points with CRLF counted as one;
- QualCoder, qc, MAXQDA and miam_qual count code points; Taguette's own offsets are UTF-8 bytes.

A :class:`Reading` is one way of counting (unit × line-ending rule); :class:`SourceText` holds one
source's raw text and converts positions read one way into offsets of the normalised text.
Positions that fall inside a character (half a surrogate pair, inside a UTF-8 sequence, inside a
sequence NFC composes) are moved outwards (a start backwards, an end forwards) and counted, so the
import report can say so.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..text import normalise_text

#: Units a position may count, with their French names (for reports and the CLI).
UNITS = {"points": "points de code", "utf16": "unités UTF-16", "octets": "octets UTF-8"}
#: Line-ending rules: ``brut`` counts line endings as written; ``lf`` counts CRLF as one.
LINE_RULES = {"brut": "fins de ligne comptées telles qu'écrites", "lf": "CRLF compté pour un"}


@dataclass(frozen=True)
class Reading:
    """One way of counting positions: ``unit`` (``points``, ``utf16``, ``octets``) and ``lines``
    (``brut``, ``lf``)."""

    unit: str = "points"
    lines: str = "brut"

    def describe(self) -> str:
        """French description, e.g. « unités UTF-16, fins de ligne comptées telles qu'écrites »."""
        return f"{UNITS[self.unit]}, {LINE_RULES[self.lines]}"


def reading_for(origin: str) -> Reading | None:
    """How the producer named by ``origin`` counts, or ``None`` when it must be measured."""
    folded = origin.casefold()
    if "nvivo" in folded or ("miam_qual" in folded and "utf-16" in folded):
        return Reading("utf16", "brut")
    if "atlas.ti" in folded or "atlasti" in folded:
        return Reading("points", "lf")
    if any(name in folded for name in ("miam_qual", "qualcoder", "maxqda")) or folded.startswith(
        "qc "
    ):
        return Reading("points", "brut")
    return None


def _widths(text: str, unit: str) -> np.ndarray | None:
    """Width of each character in ``unit``, or ``None`` when every width is 1."""
    if unit == "points" or text.isascii():
        return None
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if unit == "utf16":
        widths = np.where(codes > 0xFFFF, 2, 1)
    else:
        widths = 1 + (codes >= 0x80) + (codes >= 0x800) + (codes >= 0x10000)
    if not (widths > 1).any():
        return None
    return widths.astype(np.int64)


class SourceText:
    """A source's raw text (decoded, BOM removed, otherwise as the producer wrote it) and the
    conversion of its positions into offsets of the normalised text ``self.text``."""

    def __init__(self, raw: str):
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.raw = raw
        self.text = normalise_text(raw)
        self._bases: dict[str, tuple[str, list[int]]] = {}
        self._offsets: dict[tuple[str, str], np.ndarray | None] = {}
        self._nfc: tuple[list[int], list[int]] | None = None
        self.moved = 0  # positions moved outwards because they fell inside a character

    # -- the text a reading counts over ---------------------------------------------------------
    def _base(self, lines: str) -> tuple[str, list[int]]:
        """The text positions count over under ``lines``, and the code-point indices of the
        ``\\r`` that normalisation removes from it (those of CRLF pairs)."""
        if lines not in self._bases:
            base = self.raw.replace("\r\n", "\n") if lines == "lf" else self.raw
            removed = []
            if lines == "brut" and "\r\n" in base:
                at = base.find("\r\n")
                while at >= 0:
                    removed.append(at)
                    at = base.find("\r\n", at + 2)
            self._bases[lines] = (base, removed)
        return self._bases[lines]

    def length(self, reading: Reading) -> int:
        """Length of the text in ``reading``'s unit (the largest valid position)."""
        base, _ = self._base(reading.lines)
        offsets = self._unit_offsets(reading)
        return len(base) if offsets is None else int(offsets[-1])

    def _unit_offsets(self, reading: Reading) -> np.ndarray | None:
        key = (reading.unit, reading.lines)
        if key not in self._offsets:
            base, _ = self._base(reading.lines)
            widths = _widths(base, reading.unit)
            self._offsets[key] = (
                None if widths is None else np.concatenate(([0], np.cumsum(widths)))
            )
        return self._offsets[key]

    # -- conversion -----------------------------------------------------------------------------
    def offset(self, position: int, reading: Reading, *, side: str) -> int:
        """The normalised-text offset of ``position`` counted by ``reading``.

        ``side`` (``start``/``end``) says which way a position inside a character moves. The
        caller checks ``0 ≤ position ≤ length(reading)`` first.
        """
        offsets = self._unit_offsets(reading)
        index = position
        if offsets is not None:
            index = int(np.searchsorted(offsets, position, side="left"))
            if offsets[index] != position:  # inside a character: move outwards
                self.moved += 1
                if side == "start":
                    index -= 1
        _base, removed = self._base(reading.lines)
        if removed:
            index -= bisect.bisect_left(removed, index)
        return self._through_nfc(index, side)

    def offsets(
        self, positions: np.ndarray | list[int], reading: Reading, *, side: str
    ) -> np.ndarray:
        """Vectorised :meth:`offset` for many positions."""
        positions = np.asarray(positions, dtype=np.int64)
        offsets = self._unit_offsets(reading)
        index = positions
        if offsets is not None:
            index = np.searchsorted(offsets, positions, side="left")
            inside = offsets[index] != positions
            self.moved += int(inside.sum())
            if side == "start":
                index = index - inside
        _base, removed = self._base(reading.lines)
        if removed:
            index = index - np.searchsorted(np.asarray(removed), index, side="left")
        if self._nfc_map() is None:
            return index
        return np.array([self._through_nfc(int(i), side) for i in index], dtype=np.int64)

    def _nfc_map(self) -> tuple[list[int], list[int]] | None:
        """Segment starts before and after NFC, or ``None`` when NFC changes nothing."""
        if self._nfc is None:
            plain = self.raw.replace("\r\n", "\n").replace("\r", "\n")
            if len(plain) == len(self.text):
                self._nfc = ([], [])
            else:
                self._nfc = _segments(plain)
        return self._nfc if self._nfc[0] else None

    def _through_nfc(self, index: int, side: str) -> int:
        segments = self._nfc_map()
        if segments is None:
            return index
        before, after = segments
        k = bisect.bisect_right(before, index) - 1
        if before[k] == index:
            return after[k]
        self.moved += 1  # inside a sequence NFC rewrote: its whole span
        return after[k] if side == "start" else after[k + 1]

    # -- choosing a reading ---------------------------------------------------------------------
    def boundary_score(self, starts: list[int], ends: list[int], reading: Reading) -> float | None:
        """Share of the positions that land on word boundaries when read by ``reading``
        (``None`` when a position is out of range): the right reading puts nearly all of them
        there, a wrong one cuts words."""
        length = self.length(reading)
        if any(p < 0 or p > length for p in (*starts, *ends)):
            return None
        saved = self.moved
        text = self.text
        hits = 0
        for group, side in ((starts, "start"), (ends, "end")):
            for position in group:
                i = self.offset(position, reading, side=side)
                if i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum()):
                    hits += 1
        self.moved = saved
        total = len(starts) + len(ends)
        return hits / total if total else 1.0


def _segments(plain: str) -> tuple[list[int], list[int]]:
    """Split ``plain`` (newlines already normalised) where NFC cannot compose across, and return
    each segment's start before and after NFC, plus the two ends."""
    unstable = _unstable()
    before, after = [0], [0]
    pieces: list[str] = []
    start = 0
    out = 0
    for i in range(1, len(plain) + 1):
        if i == len(plain) or plain[i] not in unstable:
            piece = unicodedata.normalize("NFC", plain[start:i])
            pieces.append(piece)
            out += len(piece)
            before.append(i)
            after.append(out)
            start = i
    return before, after


@cache
def _unstable() -> frozenset[str]:
    """Characters NFC may join to the character before them: combining marks, characters whose
    decomposition starts with one, second halves of canonical compositions, Hangul vowels and
    final consonants."""
    found: set[str] = set()
    for code in range(0x110000):
        char = chr(code)
        if unicodedata.combining(char):
            found.add(char)
            continue
        decomposition = unicodedata.decomposition(char)
        if not decomposition or decomposition.startswith("<"):
            continue
        parts = [chr(int(p, 16)) for p in decomposition.split()]
        if unicodedata.combining(parts[0]):
            found.add(char)
        if len(parts) == 2:
            found.add(parts[1])
    found.update(chr(c) for c in range(0x1161, 0x1176))
    found.update(chr(c) for c in range(0x11A8, 0x11C3))
    return frozenset(found)


def to_unit(text: str, unit: str) -> np.ndarray | None:
    """Cumulative offsets of ``text``'s code points in ``unit`` (``None``: identical), to write
    positions in another unit: the position of code point ``i`` is ``offsets[i]``."""
    widths = _widths(text, unit)
    return None if widths is None else np.concatenate(([0], np.cumsum(widths)))
