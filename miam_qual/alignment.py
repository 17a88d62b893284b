"""Edits of a document's text and the alignment that carries positions from the old text to the new.

An edit is ``(start, end, replacement)`` on the old text (code points, end exclusive); a list of
edits is checked (integers, inside the text, not overlapping, the result in NFC) and applied at
once. A whole new text is turned into such edits by ``diff_edits``: common prefix and suffix cut
off, lines aligned by :mod:`difflib`, then words (and each other character) inside changed lines,
so that a corrected word is one small edit and the rest of the text is matched exactly.

``SpanMap`` then carries any old span to the new text: the characters of a span that no edit
touches are its *survivors*. A span whose every character survives and inside which nothing was
inserted is *untouched* (its new slice is the very same text); one with survivors and changes is
*modified*; one without survivors has *vanished*. Pure functions, no store.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import TextEditError
from .sources.turns import detect_turns

#: ``(start, end, replacement)`` on the old text.
Edit = tuple[int, int, str]

UNTOUCHED, MODIFIED, VANISHED = "intact", "modifié", "orphelin"

#: Above this many characters on either side, a changed block is one replacement (no word diff).
_WORD_DIFF_LIMIT = 20_000
#: Words with the spaces before them, and single other characters: a lone space would be the most
#: frequent token by far and make difflib's search quadratic.
_TOKENS = re.compile(r"\s*\w+|\s*[^\w\s]|\s+")


def normalise_replacement(text: str) -> str:
    """A replacement as the normalised text holds it: ``\\n`` line ends, NFC."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def check_edits(text: str, edits: Sequence[Edit], *, document: str) -> list[Edit]:
    """The edits sorted, their replacements normalised; raises ``TextEditError`` naming the
    document and the place for a range that is not made of integers, lies outside the text, is
    reversed, or overlaps another (two insertions at one place overlap too)."""
    length = len(text)
    clean: list[Edit] = []
    for item in edits:
        try:
            start, end, replacement = item
        except (TypeError, ValueError):
            raise TextEditError(
                f"« {document} » : une modification s'écrit (début, fin, nouveau texte), "
                f"reçu {item!r}."
            ) from None
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise TextEditError(
                f"« {document} » : les positions doivent être des entiers (reçu {start!r}, {end!r})."
            )
        if not isinstance(replacement, str):
            raise TextEditError(
                f"« {document} » [{start}, {end}) : le nouveau texte doit être une chaîne."
            )
        if not 0 <= start <= end <= length:
            raise TextEditError(
                f"« {document} » : modification [{start}, {end}) hors du texte ou inversée "
                f"(le document compte {length} caractères ; il faut 0 ≤ début ≤ fin ≤ {length})."
            )
        clean.append((start, end, normalise_replacement(replacement)))
    clean.sort(key=lambda e: (e[0], e[1]))
    for (a1, b1, _r1), (a2, b2, _r2) in zip(clean, clean[1:], strict=False):
        if a2 < b1 or (a1 == a2 and a1 == b1 == b2):
            raise TextEditError(
                f"« {document} » : les modifications [{a1}, {b1}) et [{a2}, {b2}) se chevauchent ; "
                "réunissez-les en une seule."
            )
    return [e for e in clean if e[0] != e[1] or e[2]]


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """The new text: ``edits`` (checked, sorted) applied to ``text``."""
    parts, position = [], 0
    for start, end, replacement in edits:
        parts.append(text[position:start])
        parts.append(replacement)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def diff_edits(old: str, new: str) -> list[Edit]:
    """Edits that turn ``old`` into ``new`` (sorted, not overlapping), found line by line then
    word by word inside changed lines."""
    if old == new:
        return []
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    # Whole lines only: a common prefix or suffix cut inside a word would keep a stray letter of
    # a removed word as a survivor (« difficile. » removed after « différence. » kept its « e. »).
    prefix = old.rfind("\n", 0, prefix) + 1
    if suffix and old[len(old) - suffix - 1] != "\n":
        line_end = old.find("\n", len(old) - suffix)
        suffix = len(old) - line_end - 1 if line_end != -1 else 0
    a, b = old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]
    edits: list[Edit] = []
    old_lines, new_lines = a.splitlines(keepends=True), b.splitlines(keepends=True)
    old_starts = _starts(old_lines, prefix)
    new_starts = _starts(new_lines, 0)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines)  # blank lines: junk
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1:  # lines corrected one for one: compare each pair alone
            pairs = [
                (i, i + 1, j, j + 1) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
        else:
            pairs = [(i1, i2, j1, j2)]
        for old_first, old_last, new_first, new_last in pairs:
            o_start, o_end = old_starts[old_first], old_starts[old_last]
            n_text = b[new_starts[new_first] : new_starts[new_last]]
            if old[o_start:o_end] != n_text:
                edits.extend(_word_edits(old[o_start:o_end], n_text, o_start))
    return edits


def _starts(lines: list[str], origin: int) -> list[int]:
    starts = [origin]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _word_edits(old: str, new: str, origin: int) -> list[Edit]:
    if not old or not new or max(len(old), len(new)) > _WORD_DIFF_LIMIT:
        return [(origin, origin + len(old), new)]
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    old_starts = _starts(old_tokens, origin)
    new_starts = _starts(new_tokens, 0)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    return [
        (old_starts[i1], old_starts[i2], new[new_starts[j1] : new_starts[j2]])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


@dataclass(frozen=True)
class Placement:
    """Where an old span lands: ``state`` (``UNTOUCHED``, ``MODIFIED``, ``VANISHED``) and its new
    ``[start, end)`` (for a vanished span, the empty place where it was)."""

    state: str
    start: int
    end: int


class SpanMap:
    """Positions of the old text carried to the new one through checked, sorted edits."""

    def __init__(self, edits: Sequence[Edit]):
        self.edits = list(edits)
        self._starts = [a for a, _b, _r in self.edits]
        self._ends = [b for _a, b, _r in self.edits]
        self._shift = [0]  # total length change of the first i edits
        for a, b, r in self.edits:
            self._shift.append(self._shift[-1] + len(r) - (b - a))

    def start(self, position: int) -> int:
        """New position of a span's start: after text inserted exactly there; inside a replaced
        range, the start of its replacement."""
        done = bisect.bisect_right(self._ends, position)  # edits ending at or before position
        if done < len(self.edits) and self._starts[done] < position:
            return self._starts[done] + self._shift[done]
        return position + self._shift[done]

    def end(self, position: int) -> int:
        """New position of a span's end: before text inserted exactly there; inside a replaced
        range, the end of its replacement."""
        before = bisect.bisect_left(self._starts, position)  # edits starting before position
        if before and self._ends[before - 1] > position:
            a, b, r = self.edits[before - 1]
            return a + self._shift[before - 1] + len(r)
        return position + self._shift[before]

    def place(self, start: int, end: int) -> Placement:
        """Where ``[start, end)`` lands, and whether it is untouched, modified or vanished."""
        first = bisect.bisect_right(self._ends, start)
        removed, touched = 0, False
        for a, b, _r in self.edits[first:]:
            if a >= end:
                break
            if a == b:
                touched = touched or start < a
            else:
                removed += min(b, end) - max(a, start)
                touched = True
        new_start, new_end = self.start(start), self.end(end)
        if removed >= end - start:
            return Placement(VANISHED, new_start, max(new_start, new_end))
        return Placement(MODIFIED if touched else UNTOUCHED, new_start, new_end)


def check_speaker_labels(
    old: str, new: str, turns: Sequence[tuple[int, int]], span_map: SpanMap, *, document: str
) -> None:
    """Refuse edits that cut a speaker label in two.

    ``turns`` are the old turns' ``(start, end)``; a turn's label runs from its start to the
    first ``:`` of its line. An edit that overlaps a label without covering it whole, or glues
    text against its start, is accepted only if a line of the new text still opens with a
    speaker label where the label was (a renamed label, « Habitante 4 » for « Habitante 3 »).
    Raises ``TextEditError`` naming the document, the label and its place.
    """
    for turn_start, turn_end in turns:
        line_end = old.find("\n", turn_start, turn_end)
        colon = old.find(":", turn_start, turn_end if line_end < 0 else line_end)
        if colon < 0:
            continue
        label_end = colon + 1
        for a, b, replacement in span_map.edits:
            if a >= label_end:
                break
            covers = a <= turn_start and b >= label_end
            inside = turn_start < a == b < label_end
            glued = a == b == turn_start and not replacement.endswith("\n")  # text stuck on it
            if not ((a < label_end and b > turn_start and not covers) or inside or glued):
                continue
            lower = span_map.start(turn_start if a >= turn_start else a)
            if not _label_opens_a_line(new, lower, max(lower, span_map.start(b))):
                raise TextEditError(
                    f"« {document} », caractère {turn_start} : la modification coupe l'étiquette "
                    f"de locuteur « {old[turn_start:label_end]} » en deux. Modifiez l'étiquette "
                    "entière ou laissez-la intacte."
                )


def _label_opens_a_line(text: str, lower: int, upper: int) -> bool:
    """Whether a line starting in ``[lower, upper]`` of ``text`` opens with a speaker label."""
    starts = [lower] if lower == 0 or text[lower - 1] == "\n" else []
    newline = text.find("\n", lower, upper)
    while newline != -1:
        starts.append(newline + 1)
        newline = text.find("\n", newline + 1, upper)
    for start in starts:
        stop = text.find("\n", start)
        if detect_turns(text[start : len(text) if stop < 0 else stop]):
            return True
    return False
