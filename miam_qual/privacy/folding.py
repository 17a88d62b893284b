"""Folding: the copy of a text that the name matcher compares against, and the way back.

Pure. :func:`fold_text` returns a :class:`FoldedText`: the folded string and, for each of its
characters, the index of the source character it came from.

Folding, character by character: Unicode case folding; NFKD with combining marks removed; letters
that NFKD leaves alone mapped to their Latin base (ı→i, ł→l, ø→o, đ→d, ħ→h, ß→ss, æ→ae, œ→oe,
þ→th, ŋ→n…); Cyrillic and Greek letters that imitate Latin ones mapped to it (by case: Greek
``Η`` looks like H, ``η`` like n); invisible format characters (category Cf: soft hyphen,
zero-width space and joiners, word joiner, BOM) dropped; every dash variant becomes ``-``, every
apostrophe variant ``'``, every space ``" "`` and every line break ``"\n"``; digits of any script
become ASCII digits. One step looks at neighbours: a camelCase transition (``entretienAhmed``,
``SOPHIEDurand``) gets a :data:`BOUNDARY_MARK`. A word cut at a line end (``Sofi‐\nane``) is left
as two words here (the dash could be a real one: ``Bonjour—\nAhmed``); the matcher accepts it.

Speed: code points below ``U+3000`` (Latin, Greek, Cyrillic, punctuation) are folded through
numpy tables built once per process; only characters whose fold is not exactly one character
(``œ``, ``ß``, invisible characters, combining marks, emoji…) go through Python one by one.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = [
    "APOSTROPHES",
    "BOUNDARY_MARK",
    "DASHES",
    "FoldedText",
    "fold_for_match",
    "fold_name",
    "fold_text",
]

#: Inserted in the folded text at a camelCase transition: a possible word boundary.
BOUNDARY_MARK = "\x1f"

# -- folding, one character at a time --------------------------------------------------------

APOSTROPHES = "'`\u2019\u02bc\u2018\u00b4\u2032\uff07\u201b\u02b9\u02bb\u02bd\u02c8\ua78c"
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043\u02d7\u2e3a"
_LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"

#: Latin letters that NFKD does not decompose, after case folding.
_LATIN = {
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ß": "ss", "æ": "ae", "œ": "oe",
    "þ": "th", "ŋ": "n", "ð": "d", "ŧ": "t", "ƀ": "b", "ɓ": "b", "ƈ": "c", "ɗ": "d", "ƒ": "f",
    "ɠ": "g", "ɡ": "g", "ɨ": "i", "ƙ": "k", "ɲ": "n", "ƞ": "n", "ɵ": "o", "ʉ": "u", "ƴ": "y",
    "ƶ": "z", "ȥ": "z", "ĸ": "k", "ə": "e", "ǝ": "e", "ɛ": "e", "ɔ": "o", "ʒ": "z", "ſ": "s",
    "ŀ": "l", "ɫ": "l", "ɍ": "r", "ɏ": "y", "ꝁ": "k",
}  # fmt: skip

#: Cyrillic and Greek letters that look like Latin ones, by case (Greek Η looks like H, η like n).
_LOOK_ALIKES = {
    # Cyrillic
    "А": "a", "а": "a", "В": "b", "Е": "e", "е": "e", "К": "k", "к": "k", "М": "m", "м": "m",
    "Н": "h", "н": "h", "О": "o", "о": "o", "Р": "p", "р": "p", "С": "c", "с": "c", "Т": "t",
    "т": "t", "У": "y", "у": "y", "Х": "x", "х": "x", "Ѕ": "s", "ѕ": "s", "І": "i", "і": "i",
    "Ј": "j", "ј": "j", "Ԁ": "d", "ԁ": "d", "Һ": "h", "һ": "h", "Ӏ": "i", "ӏ": "l", "Ԛ": "q",
    "ԛ": "q", "Ԝ": "w", "ԝ": "w", "Ү": "y", "ү": "y", "п": "n", "Ь": "b", "Ꙇ": "i",
    # Greek
    "Α": "a", "α": "a", "Β": "b", "β": "b", "Ε": "e", "ε": "e", "Ζ": "z", "Η": "h", "η": "n",
    "Ι": "i", "ι": "i", "Κ": "k", "κ": "k", "Μ": "m", "μ": "u", "Ν": "n", "ν": "v", "Ο": "o",
    "ο": "o", "Ρ": "p", "ρ": "p", "Τ": "t", "τ": "t", "Υ": "y", "υ": "u", "Χ": "x", "χ": "x",
    "Ϲ": "c", "ϲ": "c", "ϳ": "j", "ɑ": "a",
}  # fmt: skip


def _fold_char(char: str) -> str:
    """The folded form of one character ('' when it disappears)."""
    if char == BOUNDARY_MARK:  # a control character no text holds; kept for camelCase marks
        return char
    if char in APOSTROPHES:
        return "'"
    if char in DASHES:
        return "-"
    if char in _LINE_BREAKS:
        return "\n"
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category == "Cf" or category[0] == "M":
        return ""
    if category == "Pd":
        return "-"
    if char in _LOOK_ALIKES:
        return _LOOK_ALIKES[char]
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    out = []
    for piece in decomposed:
        if unicodedata.category(piece)[0] == "M":
            continue
        if piece in APOSTROPHES:
            piece = "'"
        elif piece in DASHES:
            piece = "-"
        out.append(_LATIN.get(piece, _LOOK_ALIKES.get(piece, piece)))
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in out).lower()


_CHAR_CACHE: dict[str, str] = {}


def _fold_one(char: str) -> str:
    folded = _CHAR_CACHE.get(char)
    if folded is None:
        if len(_CHAR_CACHE) > 100_000:  # arbitrary texts must not grow the cache forever
            _CHAR_CACHE.clear()
        folded = _CHAR_CACHE[char] = _fold_char(char)
    return folded


def _fold_string(text: str) -> str:
    """Fold ``text`` character by character (for names; texts go through :func:`_fold`)."""
    return "".join(_fold_one(char) for char in text)


_TABLE_SIZE = 0x3000  # Latin, Greek, Cyrillic, general punctuation…: folded through the tables
_IRREGULAR = np.uint32(0xFFFFFFFF)


@cache
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code point below ``_TABLE_SIZE`` (plus one "elsewhere" slot): the folded code point
    (``_IRREGULAR`` when the fold is not exactly one character), upper case, lower case."""
    single = np.full(_TABLE_SIZE + 1, _IRREGULAR, dtype=np.uint32)
    upper = np.zeros(_TABLE_SIZE + 1, dtype=bool)
    lower = np.zeros(_TABLE_SIZE + 1, dtype=bool)
    for code in range(_TABLE_SIZE):
        char = chr(code)
        folded = _fold_char(char)
        if len(folded) == 1:
            single[code] = ord(folded)
        upper[code], lower[code] = char.isupper(), char.islower()
    return single, upper, lower


def _code_points(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The code points of ``text`` and their table rows (``_TABLE_SIZE`` beyond the tables)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return codes, np.minimum(codes, _TABLE_SIZE)


# -- offsets: folded index → source index, as a few linear pieces ------------------------------


class _Offsets:
    """Maps an index of a derived text back to its source text.

    Piece ``k`` starts at derived index ``starts[k]`` and source index ``sources[k]``; within a
    linear piece indices advance together, within a flat piece (an expansion such as ``ß`` → ``ss``
    or an inserted boundary mark) every derived character maps to the same source character.
    """

    __slots__ = ("starts", "sources", "flat", "length")

    def __init__(self, length: int):
        self.starts = [0]
        self.sources = [0]
        self.flat = [False]
        self.length = length

    def piece(self, start: int, source: int, flat: bool) -> None:
        if self.starts[-1] == start:  # an empty previous piece: replace it
            self.sources[-1], self.flat[-1] = source, flat
        else:
            self.starts.append(start)
            self.sources.append(source)
            self.flat.append(flat)

    def __call__(self, index: int) -> int:
        k = bisect_right(self.starts, index) - 1
        return self.sources[k] if self.flat[k] else self.sources[k] + index - self.starts[k]

    def to_list(self) -> list[int]:
        out: list[int] = []
        bounds = [*self.starts[1:], self.length]
        for start, end, source, flat in zip(
            self.starts, bounds, self.sources, self.flat, strict=True
        ):
            out += [source] * (end - start) if flat else range(source, source + end - start)
        return out


_TOKEN = re.compile(r"[^\W\d_]+|\d+")


def _prepare(text: str) -> tuple[str, _Offsets | None]:
    """Mark camelCase transitions (the step that needs the source's case); ``None`` offsets
    when there is none."""
    cuts: list[tuple[int, int, str]] = []
    _, rows = _code_points(text)
    _, upper, lower = _tables()
    is_upper, is_lower = upper[rows], lower[rows]
    # entretienAhmed: a capital after a small letter; SOPHIEDurand: the last of several capitals
    # before a small letter starts a word.
    after_lower = np.flatnonzero(is_lower[:-1] & is_upper[1:]) + 1
    after_capitals = np.flatnonzero(is_upper[:-2] & is_upper[1:-1] & is_lower[2:]) + 1
    for position in np.union1d(after_lower, after_capitals).tolist():
        cuts.append((position, position, BOUNDARY_MARK))
    if not cuts:
        return text, None
    cuts.sort()
    out: list[str] = []
    offsets = _Offsets(0)
    done = position = 0
    for start, end, insert in cuts:
        if start < done:
            continue
        out.append(text[done:start])
        position += start - done
        if insert:
            offsets.piece(position, start, True)
            out.append(insert)
            position += len(insert)
        offsets.piece(position, end, False)
        done = end
    out.append(text[done:])
    prepared = "".join(out)
    offsets.length = len(prepared)
    return prepared, offsets


def _fold_prepared(text: str, capitals: bool) -> tuple[str, _Offsets | None]:
    """Fold every character; ``None`` offsets when no character changed length. With
    ``capitals``, each word's first letter a-z is written in capitals (same length)."""
    codes, rows = _code_points(text)
    single, _, _ = _tables()
    folded_codes = single[rows]
    irregular = np.flatnonzero(folded_codes == _IRREGULAR).tolist()
    if not irregular:
        if capitals:
            _capitalise(folded_codes)
        return folded_codes.tobytes().decode("utf-32-le", "surrogatepass"), None
    folded_codes[irregular] = 0x20
    regular = folded_codes.tobytes().decode("utf-32-le", "surrogatepass")
    pieces: list[str] = []
    offsets = _Offsets(0)
    done = shift = 0
    for position in irregular:
        folded = _fold_one(text[position])
        pieces += [regular[done:position], folded]
        done = position + 1
        if len(folded) != 1:
            offsets.piece(position + shift, position, len(folded) > 1)
            shift += len(folded) - 1
            offsets.piece(position + 1 + shift, position + 1, False)
    pieces.append(regular[done:])
    result = "".join(pieces)
    if capitals:
        codes = np.frombuffer(result.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
        _capitalise(codes)
        result = codes.tobytes().decode("utf-32-le", "surrogatepass")
    offsets.length = len(result)
    changed = len(offsets.starts) > 1 or offsets.sources[0] != 0
    return result, offsets if changed else None


def _capitalise(codes: np.ndarray) -> None:
    """Write in capitals, in place, each word's first letter a-z (folded code points)."""
    letters = _letter_table()[np.minimum(codes, _TABLE_SIZE)]
    for position in np.flatnonzero(codes >= _TABLE_SIZE).tolist():
        letters[position] = chr(codes[position]).isalpha()
    starts = letters.copy()
    starts[1:] &= ~letters[:-1]
    starts &= (codes >= 0x61) & (codes <= 0x7A)
    codes[starts] -= 0x20


@cache
def _letter_table() -> np.ndarray:
    return np.array([chr(c).isalpha() for c in range(_TABLE_SIZE)] + [False], dtype=bool)


@dataclass(frozen=True)
class FoldedText:
    """A folded text and the way back to its source: :meth:`source` gives, for an index of
    ``text``, the index of the source character it came from."""

    text: str
    _folding: _Offsets | None = None  # folded index → prepared index (long texts)
    _preparing: _Offsets | None = None  # prepared index → source index (long texts)
    _explicit: list[int] | None = None  # folded index → source index (short texts)

    def source(self, index: int) -> int:
        if self._explicit is not None:
            return self._explicit[index]
        if self._folding is not None:
            index = self._folding(index)
        return self._preparing(index) if self._preparing is not None else index

    def sources(self) -> list[int]:
        """The source index of every folded character, in order."""
        if self._explicit is not None:
            return list(self._explicit)
        indices = self._folding.to_list() if self._folding else list(range(len(self.text)))
        if self._preparing is not None:
            indices = list(map(self._preparing.to_list().__getitem__, indices))
        return indices


#: Below this length a text is folded in plain Python: numpy's fixed costs would dominate.
SHORT_TEXT = 120


def fold_text(text: str, *, capitals: bool = False) -> FoldedText:
    """``text`` folded (see the module docstring). With ``capitals`` each word's first letter
    a-z is a capital: the matcher's regular expression then skips all but word starts."""
    if len(text) < SHORT_TEXT:
        return _fold_short(text, capitals)
    prepared, preparing = _prepare(text)
    folded, folding = _fold_prepared(prepared, capitals)
    return FoldedText(folded, folding, preparing)


def _fold_short(text: str, capitals: bool) -> FoldedText:
    """The same folding as the numpy path, one character at a time."""
    upper = [ord(c) < _TABLE_SIZE and c.isupper() for c in text]
    lower = [ord(c) < _TABLE_SIZE and c.islower() for c in text]
    out: list[str] = []
    sources: list[int] = []
    last = len(text) - 1
    for index, char in enumerate(text):
        # the same two rules as _prepare: entretienAhmed, SOPHIEDurand
        camel = (
            index > 0
            and upper[index]
            and (lower[index - 1] or (upper[index - 1] and index < last and lower[index + 1]))
        )
        if camel:
            out.append(BOUNDARY_MARK)
            sources.append(index)
        folded = _fold_one(char)
        out += folded
        sources += [index] * len(folded)
    if capitals:
        previous_is_letter = False
        for position, char in enumerate(out):
            if not previous_is_letter and "a" <= char <= "z":
                out[position] = char.upper()
            previous_is_letter = char.isalpha()
    return FoldedText("".join(out), _explicit=sources)


def fold_for_match(text: str) -> tuple[str, list[int]]:
    """The folded text the matcher compares against, and for each folded character the index
    of its source character in ``text``. camelCase transitions appear as :data:`BOUNDARY_MARK`."""
    folded = fold_text(text)
    return folded.text, folded.sources()


def fold_name(name: str) -> list[str]:
    """The folded words of a name as written in the mapping: runs of letters, runs of digits
    (``Habitante 3``); no camelCase split."""
    folded = _fold_string(unicodedata.normalize("NFC", name))
    return _TOKEN.findall(folded)
