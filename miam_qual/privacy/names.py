"""The name matcher: finds real names however people (or PDF and Word exports) write them.

Pure: no file, no project. :class:`NameMatcher` is built once from :class:`NameEntry` items and
serves both replacement (:meth:`~NameMatcher.replace`) and detection (:meth:`~NameMatcher.find`,
:meth:`~NameMatcher.leaks`), so that what the gate detects is exactly what replacement covers.

**Comparison** happens on a folded copy of the text (:func:`fold_for_match`): Unicode case
folding; NFKD with combining marks removed; letters NFKD leaves alone mapped to their Latin base
(ı→i, ł→l, ø→o, đ→d, ß→ss, æ→ae, œ→oe, þ→th, ŋ→n…); Cyrillic and Greek look-alikes mapped to the
Latin letter they imitate; invisible format characters (category Cf: soft hyphen, zero-width
space and joiners, word joiner, BOM) dropped; every dash variant becomes ``-`` and every
apostrophe variant ``'``; a word cut at a line end (``Sofi‐\\nane``, ``Sofi-\\n ane``) is joined
again; a camelCase transition (``entretienAhmedBenali``) gets a boundary mark. Every folded
character remembers the source character it came from, so hits carry offsets into the original.

**Matching** is one compiled regular expression, a trie of every form's letters, run once over
the folded text. Between the words of a name it accepts any run of whitespace (NBSP, narrow NBSP,
tabs, newlines), dashes, apostrophes, underscores and dots (not a sentence's full stop), or nothing
at all (``AhmedBenali``, ``mariehelene``). A hit is whole words only: the characters around it are
not letters (digits, underscores and camelCase transitions count as boundaries), so ``Ali`` never
matches inside ``Alice``. Hits are non-overlapping, leftmost first, longest at each position.

**Forms of an entry.** An entry covers its real name, its other forms (nicknames, spellings) and,
for a person, each *part* of these: every name unit (a word with the particles before it:
``El Amrani``, ``Ben Saïd``), the unit without its particles (``Amrani``), and each piece of a
compound (``Marie`` and ``Hélène`` of ``Marie-Hélène``). Particles alone (de, da, dos, van, ben,
el, al…) and single letters are never parts; parts listed in ``common_parts`` (too common, like
``Rose``) are matched only inside a longer form. A place (``kind="lieu"``) is matched whole, never
by parts. A first name that is also a particle (``Ben``) is matched alone only when given as an
other form.

**Replacements.** A full form becomes the pseudonym. A part becomes the corresponding part of the
pseudonym when both have the same number of units (``Ahmed Benali`` → ``Karim B.``: ``Benali`` →
``B.``, so ``Monsieur Benali`` → ``Monsieur B.``), and likewise for the pieces of a compound;
otherwise the whole pseudonym. A hit written in capitals gets a capitalised replacement.

**Collisions.** Two entries whose full forms fold to the same letters with different pseudonyms
are a contradiction: :class:`ConfigError`. A full form always wins over another entry's part (an
explicit ``Ahmed: Karim`` settles how ``Ahmed`` alone is replaced). A part shared by entries whose
replacements differ (two residents called Ahmed) is never resolved silently in favour of one of
them: it is replaced by the neutral :data:`SHARED_PART_REPLACEMENT` (``X``, as in « Monsieur X »),
still detected as a leak of every entry concerned, and reported in :attr:`NameMatcher.warnings`.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from ..errors import ConfigError

__all__ = [
    "KINDS",
    "PARTICLES",
    "PLACE_WORDS",
    "SHARED_PART_REPLACEMENT",
    "NameEntry",
    "NameHit",
    "NameMatcher",
    "fold_for_match",
    "guess_kind",
    "mask",
]

KINDS = ("personne", "lieu")

#: What a part shared by several entries with different replacements becomes.
SHARED_PART_REPLACEMENT = "X"

#: Name particles (folded): never a part on their own; they attach to the following word.
PARTICLES = frozenset(
    "de du des d da das do dos di del della dello van von der den ter ten het le la les l "
    "ben bin ibn bint bou el al ait ould abu abou y e".split()
)

#: First words (folded) that make a name a place when its kind is not given (``rue Jean Jaurès``).
PLACE_WORDS = frozenset(
    "rue avenue av boulevard bd place square impasse allee chemin route quai cours passage "
    "residence cite quartier lotissement hameau parc jardin stade gymnase salle ecole college "
    "lycee creche centre maison mairie eglise mosquee temple marche superette epicerie "
    "supermarche hypermarche magasin boulangerie pharmacie gare arret terril fosse".split()
)

#: Inserted in the folded text at a camelCase transition: a possible word boundary.
BOUNDARY_MARK = "\x1f"

# -- folding, one character at a time --------------------------------------------------------

_APOSTROPHES = "'`\u2019\u02bc\u2018\u00b4\u2032\uff07\u201b\u02b9\u02bb\u02bd\u02c8\ua78c"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043\u02d7\u2e3a"
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
    if char in _APOSTROPHES:
        return "'"
    if char in _DASHES:
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
        if piece in _APOSTROPHES:
            piece = "'"
        elif piece in _DASHES:
            piece = "-"
        out.append(_LATIN.get(piece, _LOOK_ALIKES.get(piece, piece)))
    folded = "".join(out).lower()
    # Digits and underscores separate words: in the folded text they are boundary marks, so that
    # the only word characters left (``\w``) are letters.
    return "".join(
        BOUNDARY_MARK if c == "_" or (c.isalnum() and not c.isalpha()) else c for c in folded
    )


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


_LETTER = r"[^\W\d_]"
_HYPHENATION = re.compile(
    "[" + re.escape(_DASHES) + "\u00ad]"
    r"(?<=(?:[^\W\d_]|[\u0300-\u036f]).)"
    r"[^\S\n\r\x0b\x0c\x85\u2028\u2029]*(?:\r\n|[\n\r\x0b\x0c\x85\u2028\u2029])\s*"
    r"(?=[^\W\d_])"
)


def _prepare(text: str) -> tuple[str, _Offsets | None]:
    """Join line-end hyphenations and mark camelCase transitions (the steps that need the
    source's case and layout); ``None`` offsets when nothing changed."""
    cuts = [(m.start(), m.end(), "") for m in _HYPHENATION.finditer(text)]
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


def _fold_prepared(text: str) -> tuple[str, _Offsets | None]:
    """Fold every character; ``None`` offsets when no character changed length."""
    codes, rows = _code_points(text)
    single, _, _ = _tables()
    folded_codes = single[rows]
    irregular = np.flatnonzero(folded_codes == _IRREGULAR).tolist()
    if not irregular:
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
    offsets.length = len(result)
    changed = len(offsets.starts) > 1 or offsets.sources[0] != 0
    return result, offsets if changed else None


def _fold(text: str) -> tuple[str, _Offsets | None, _Offsets | None]:
    prepared, first = _prepare(text)
    folded, second = _fold_prepared(prepared)
    return folded, second, first


def fold_for_match(text: str) -> tuple[str, list[int]]:
    """The folded text the matcher compares against, and for each folded character the index
    of its source character in ``text``. camelCase transitions appear as :data:`BOUNDARY_MARK`."""
    folded, second, first = _fold(text)
    indices = second.to_list() if second is not None else list(range(len(folded)))
    if first is not None:
        indices = list(map(first.to_list().__getitem__, indices))
    return folded, indices


def guess_kind(real: str) -> str:
    """``"lieu"`` when ``real`` starts with a place word (rue, place, école, cité…), else
    ``"personne"``: the kind of an entry written in the simple form."""
    words = _fold_name(real)
    return "lieu" if words and words[0] in PLACE_WORDS else "personne"


def _fold_name(name: str) -> list[str]:
    """The folded letter words of a name as written in the mapping (no camelCase split)."""
    folded = _fold_string(unicodedata.normalize("NFC", name))
    return re.findall(_LETTER + "+", folded)


# -- entries and their forms ------------------------------------------------------------------


@dataclass(frozen=True)
class NameEntry:
    """One real name (or place) and its pseudonym. ``other_forms``: nicknames and spellings, each
    matched like the real name; ``common_parts``: parts too common to be matched alone."""

    real: str
    pseudonym: str
    other_forms: tuple[str, ...] = ()
    common_parts: tuple[str, ...] = ()
    kind: str = "personne"

    def __post_init__(self):
        if not self.real.strip() or not self.pseudonym.strip():
            raise ConfigError("Un nom réel et un pseudonyme non vides sont nécessaires.")
        if self.kind not in KINDS:
            raise ConfigError(
                f"« {self.real} » : type « {self.kind} » inconnu (attendu : personne ou lieu)."
            )
        object.__setattr__(self, "other_forms", tuple(self.other_forms))
        object.__setattr__(self, "common_parts", tuple(self.common_parts))


@dataclass(frozen=True)
class NameHit:
    """A name found in a text: ``text[start:end]`` (offsets in the original text) is a form of
    ``entry`` (``form``, as written in the mapping) and is replaced by ``replacement``. ``others``:
    further entries sharing this form (a shared part)."""

    start: int
    end: int
    entry: NameEntry
    form: str
    replacement: str
    others: tuple[NameEntry, ...] = field(default=())

    @property
    def entries(self) -> tuple[NameEntry, ...]:
        return (self.entry, *self.others)


def _is_particle(word: str) -> bool:
    words = _fold_name(word)
    return len(words) == 1 and words[0] in PARTICLES or len(words) == 0


def _units(name: str) -> list[str]:
    """Name units: each word with the particles written before it (``El Amrani``)."""
    units: list[str] = []
    pending: list[str] = []
    for word in name.split():
        if _is_particle(word):
            pending.append(word)
        else:
            units.append(" ".join([*pending, word]))
            pending = []
    return units + pending


_APOSTROPHE_SPLIT = re.compile("[" + re.escape(_APOSTROPHES) + "]")
_DASH_SPLIT = re.compile("[" + re.escape(_DASHES) + "]")


def _core(unit: str) -> str:
    """A unit without its particles: ``El Amrani`` → ``Amrani``, ``D'Almeida`` → ``Almeida``."""
    last = unit.split()[-1]
    pieces = _APOSTROPHE_SPLIT.split(last, maxsplit=1)
    if len(pieces) == 2 and _is_particle(pieces[0]) and pieces[1]:
        return pieces[1]
    return last


def _pieces(core: str) -> list[str]:
    return [p for p in _DASH_SPLIT.split(core) if p]


def _is_part(text: str) -> bool:
    words = _fold_name(text)
    return bool(words) and len("".join(words)) >= 2 and not _is_particle(text)


def _forms_of(entry: NameEntry, form: str) -> list[tuple[str, str, bool]]:
    """``(written form, replacement, is_full)`` for a form of ``entry`` and its parts."""
    forms = [(form, entry.pseudonym, True)]
    if entry.kind == "lieu":
        return forms
    units, targets = _units(form), _units(entry.pseudonym)
    aligned = len(units) == len(targets)
    for index, unit in enumerate(units):
        target = targets[index] if aligned else entry.pseudonym
        candidates = [(unit, target)]
        core = _core(unit)
        target_core = _core(target) if aligned else entry.pseudonym
        candidates.append((core, target_core))
        pieces, target_pieces = _pieces(core), _pieces(target_core)
        if len(pieces) > 1:
            same = aligned and len(pieces) == len(target_pieces)
            candidates += [
                (piece, target_pieces[i] if same else target_core) for i, piece in enumerate(pieces)
            ]
        forms += [(text, replacement, False) for text, replacement in candidates if _is_part(text)]
    return forms


@dataclass
class _Form:
    text: str  # as written in the mapping
    replacement: str
    entry: NameEntry
    others: tuple[NameEntry, ...] = ()


def _key(words: list[str]) -> str:
    return "".join(words)


def _resolve(entries: tuple[NameEntry, ...]) -> tuple[dict[str, _Form], list[list[str]], list[str]]:
    """Every form's letters → what it stands for; the word lists for the trie; the warnings."""
    full: dict[str, list[tuple[NameEntry, str, str]]] = {}
    parts: dict[str, list[tuple[NameEntry, str, str]]] = {}
    words_of: dict[tuple[str, ...], None] = {}
    for entry in entries:
        own_parts: set[str] = set()
        written = [entry.real, *entry.other_forms]
        candidates = [f for form in written for f in _forms_of(entry, form)]
        for text, _, is_full in candidates:
            if not is_full:
                own_parts.add(_key(_fold_name(text)))
        common = {_key(_fold_name(c)) for c in entry.common_parts}
        unknown = [c for c in entry.common_parts if _key(_fold_name(c)) not in own_parts]
        if unknown:
            raise ConfigError(
                f"« {entry.real} » : « {', '.join(unknown)} » n'est pas une partie de ce nom "
                "ni de ses autres formes (parties_courantes)."
            )
        for text, replacement, is_full in candidates:
            words = _fold_name(text)
            key = _key(words)
            if not key or (not is_full and key in common):
                continue
            (full if is_full else parts).setdefault(key, []).append((entry, text, replacement))
            words_of[tuple(words)] = None

    forms: dict[str, _Form] = {}
    for key, found in full.items():
        replacements = {replacement for _, _, replacement in found}
        if len(replacements) > 1:
            owners = sorted({entry.real for entry, _, _ in found})
            raise ConfigError(
                f"« {found[0][1]} » désigne plusieurs entrées ({', '.join(owners)}) avec des "
                f"pseudonymes différents ({', '.join(sorted(replacements))}) : gardez une seule "
                "entrée pour ce nom."
            )
        forms[key] = _Form(found[0][1], found[0][2], found[0][0], _other_entries(found))
    warnings = []
    for key, found in parts.items():
        if key in forms:
            continue
        replacements = {replacement for _, _, replacement in found}
        form = _Form(found[0][1], found[0][2], found[0][0], _other_entries(found))
        if len(replacements) > 1:
            form.replacement = SHARED_PART_REPLACEMENT
            owners = sorted({entry.real for entry, _, _ in found})
            warnings.append(
                f"« {found[0][1]} » fait partie de plusieurs noms ({', '.join(owners)}) aux "
                f"pseudonymes différents : seul, il sera remplacé par « {SHARED_PART_REPLACEMENT} ». "
                f"Ajoutez une entrée « {found[0][1]} » pour choisir son pseudonyme."
            )
        forms[key] = form
    return forms, [list(words) for words in words_of], warnings


def _other_entries(found: list[tuple[NameEntry, str, str]]) -> tuple[NameEntry, ...]:
    first = found[0][0]
    others: dict[NameEntry, None] = {}
    for entry, _, _ in found:
        if entry is not first and entry != first:
            others[entry] = None
    return tuple(others)


# -- the compiled trie -------------------------------------------------------------------------
#
# The matcher searches a variant of the folded text in which every word starting with a letter
# a-z starts with a capital (``Hier, Ahmed Benali``). The trie's first letters are then capitals,
# which lets the regular expression engine skip everything but word starts at C speed instead of
# trying a match at every character; a name's later words start with a capital after a
# separator, or with a small letter when written joined to the previous one (``mariehelene``).

_END = r"\b"  # only letters are word characters in the folded text
# Between the words of a name: whitespace, dashes, apostrophes, boundary marks, and dots that are
# not a sentence's full stop (``ahmed.benali@…``); or nothing (``AhmedBenali``, ``mariehelene``).
_SEPARATORS = r"(?:[\s\-'" + BOUNDARY_MARK + r"]|\.(?!\s))+"
_NOT_AFTER_A_LETTER = r"(?<![^\W\d_].)"


def _capital(letter: str) -> str:
    return letter.upper() if "a" <= letter <= "z" else letter


class _Node:
    __slots__ = ("children", "terminal", "boundary_before")

    def __init__(self):
        self.children: dict[str, _Node] = {}
        self.terminal = False
        self.boundary_before = False  # some form starts a new word with this letter


def _trie_pattern(word_lists: list[list[str]]) -> str:
    root = _Node()
    for words in word_lists:
        node = root
        for w, word in enumerate(words):
            for i, letter in enumerate(word):
                node = node.children.setdefault(letter, _Node())
                node.boundary_before |= w > 0 and i == 0
        node.terminal = True

    def edge(letter: str, child: _Node) -> str:
        small, big = re.escape(letter), re.escape(_capital(letter))
        if child.boundary_before:
            return f"(?:{small}|{_SEPARATORS}{big})"
        return f"(?:{small}|{BOUNDARY_MARK}{big})"  # a camelCase mark inside a word: LeBlanc

    def emit(node: _Node) -> str:
        alternatives = [edge(c, child) + emit(child) for c, child in sorted(node.children.items())]
        if node.terminal:
            alternatives.append(_END)
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"

    if not root.children:
        return r"(?!x)x"
    first = []
    for letter, child in sorted(root.children.items()):
        big = _capital(letter)
        check = "" if big != letter else _NOT_AFTER_A_LETTER  # not capitalised: check the start
        first.append(re.escape(big) + check + emit(child))
    return "(?:" + "|".join(first) + ")"


def _capitalise_word_starts(folded: str) -> str:
    """``folded`` with each word's first letter a-z in capitals (same length)."""
    codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    letters = _letter_flags(codes)
    starts = letters.copy()
    starts[1:] &= ~letters[:-1]
    starts &= (codes >= 0x61) & (codes <= 0x7A)
    codes[starts] -= 0x20
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


def _letter_flags(codes: np.ndarray) -> np.ndarray:
    flags = _letter_table()[np.minimum(codes, _TABLE_SIZE)]
    for position in np.flatnonzero(codes >= _TABLE_SIZE).tolist():
        flags[position] = chr(codes[position]).isalpha()
    return flags


@cache
def _letter_table() -> np.ndarray:
    table = np.array([chr(c).isalpha() for c in range(_TABLE_SIZE)] + [False], dtype=bool)
    return table


_NOT_LETTERS = re.compile(r"[\W\d_]+")


class NameMatcher:
    """Finds and replaces every form of the given entries; compiled once, one pass per text.

    Raises :class:`ConfigError` when two entries give the same full name different pseudonyms or
    when a common part is not a part of its entry."""

    def __init__(self, entries: Iterable[NameEntry]):
        self.entries: tuple[NameEntry, ...] = tuple(entries)
        self._forms, words, warnings = _resolve(self.entries)
        self.warnings: tuple[str, ...] = tuple(warnings)
        self._pattern = re.compile(_trie_pattern(words))

    def __bool__(self) -> bool:
        return bool(self._forms)

    def find(self, text: str) -> list[NameHit]:
        """Every hit in ``text``, in order: non-overlapping, leftmost first, longest there."""
        if not text or not self._forms:
            return []
        folded, second, first = _fold(text)
        hits = []
        for match in self._pattern.finditer(_capitalise_word_starts(folded)):
            form = self._forms[_NOT_LETTERS.sub("", match.group()).lower()]
            start, last = match.start(), match.end() - 1
            if second is not None:
                start, last = second(start), second(last)
            if first is not None:
                start, last = first(start), first(last)
            end = last + 1
            while end < len(text) and unicodedata.category(text[end])[0] == "M":
                end += 1  # combining marks of the last letter belong to the hit
            hits.append(NameHit(start, end, form.entry, form.text, form.replacement, form.others))
        return hits

    def replace(self, text: str) -> str:
        """``text`` with every hit replaced (a hit in capitals gets a capitalised replacement);
        everything outside the hits is kept character for character."""
        hits = self.find(text)
        if not hits:
            return text
        out = []
        done = 0
        for hit in hits:
            out.append(text[done : hit.start])
            written = text[hit.start : hit.end]
            capitals = written.isupper() and sum(c.isalpha() for c in written) > 1
            out.append(hit.replacement.upper() if capitals else hit.replacement)
            done = hit.end
        out.append(text[done:])
        return "".join(out)

    def replacements(self, entry: NameEntry) -> set[str]:
        """Every replacement this matcher may write for ``entry`` (its pseudonym and parts)."""
        return {
            form.replacement for form in self._forms.values() if entry in (form.entry, *form.others)
        }

    def leaks(self, text: str) -> list[NameEntry]:
        """The entries of which ``text`` holds a form, sorted by real name."""
        found = {entry: None for hit in self.find(text) for entry in hit.entries}
        return sorted(found, key=lambda entry: entry.real)


def mask(name: str) -> str:
    """How messages name a real name without revealing it: the first letter of each word, then
    an ellipsis (``Ahmed Benali`` and ``Ahmed_Benali`` → ``A… B…``, ``Ayşe`` → ``A…``)."""
    visible = "".join(
        c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c) != "Cf"
    )
    initials = [word[0].upper() + "…" for word in re.findall(_LETTER + "+", visible)]
    return " ".join(initials) or "…"
