"""The name matcher: finds real names however people (or PDF and Word exports) write them.

Pure: no file, no project. :class:`NameMatcher` is built once from :class:`NameEntry` items and
serves both replacement (:meth:`~NameMatcher.replace`) and detection (:meth:`~NameMatcher.find`,
:meth:`~NameMatcher.leaks`), so that what the gate detects is exactly what replacement covers.

**Comparison** happens on a folded copy of the text (:mod:`miam_qual.privacy.folding`): case,
accents, letters NFKD leaves alone (ı, ł, ø, ß, æ, œ, þ…), Cyrillic and Greek look-alikes,
invisible characters, dash and apostrophe variants and camelCase are all undone there, and every
folded character remembers its source character, so hits carry offsets into the original text.

**Matching** is one compiled regular expression, a trie of every form, run once over the folded
text. Between the words of a name it accepts any run of whitespace (NBSP, narrow NBSP, tabs,
newlines), dashes, apostrophes, underscores and dots (not a sentence's full stop), or nothing at
all (``AhmedBenali``, ``mariehelene``). A hit is whole words only: no letter right before or after
it (a digit, an underscore or a camelCase transition is a boundary), so ``Ali`` never matches
inside ``Alice`` but does in ``Ali2``; a form holding digits (``Habitante 3``) needs exactly those
digits. A word of a name may be cut at a line end, with or without a dash (``Sofi‐\nane``,
``Sofi-\n ane``, a soft hyphen before the break). Hits are non-overlapping, leftmost first,
longest at each position.

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
otherwise the whole pseudonym. A hit written in capitals gets a capitalised replacement. An
entry's kind, when not given, is guessed from its first word (:func:`guess_kind`: ``rue …``,
``école …`` are places).

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
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import ConfigError
from .folding import APOSTROPHES, BOUNDARY_MARK, DASHES, fold_for_match, fold_name, fold_text

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


def guess_kind(real: str) -> str:
    """``"lieu"`` when ``real`` starts with a place word (rue, place, école, cité…), else
    ``"personne"``: the kind of an entry written in the simple form."""
    words = fold_name(real)
    return "lieu" if words and words[0] in PLACE_WORDS else "personne"


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
    ``entry`` (``form``, as written in the mapping) and is replaced by ``replacement``, already
    written like the hit (capitals, underscores). ``others``: further entries sharing this form
    (the same name mapped twice, or a part of several names)."""

    start: int
    end: int
    entry: NameEntry
    form: str
    replacement: str
    others: tuple[NameEntry, ...] = field(default=())
    shared: bool = False  # a part of several names with different pseudonyms: neutral replacement

    @property
    def entries(self) -> tuple[NameEntry, ...]:
        return (self.entry, *self.others)


def _is_particle(word: str) -> bool:
    words = fold_name(word)
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


_APOSTROPHE_SPLIT = re.compile("[" + re.escape(APOSTROPHES) + "]")
_DASH_SPLIT = re.compile("[" + re.escape(DASHES) + "]")


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
    letters = sum(c.isalpha() for c in "".join(fold_name(text)))
    return letters >= 2 and not _is_particle(text)


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
    shared: bool = False


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
                own_parts.add(_key(fold_name(text)))
        common = {_key(fold_name(c)) for c in entry.common_parts}
        unknown = [c for c in entry.common_parts if _key(fold_name(c)) not in own_parts]
        if unknown:
            raise ConfigError(
                f"« {entry.real} » : « {', '.join(unknown)} » n'est pas une partie de ce nom "
                "ni de ses autres formes (parties_courantes)."
            )
        for text, replacement, is_full in candidates:
            words = fold_name(text)
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
            form.replacement, form.shared = SHARED_PART_REPLACEMENT, True
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

_AFTER_LETTER = r"(?![^\W\d_])"  # a name ending with a letter: no letter follows (a digit may)
_AFTER_DIGIT = r"(?!\d)"
# Between the words of a name: whitespace, dashes, apostrophes, boundary marks, and dots that are
# not a sentence's full stop (``ahmed.benali@…``); or nothing (``AhmedBenali``, ``mariehelene``).
_SEPARATORS = r"(?:[\s\-'_" + BOUNDARY_MARK + r"]|\.(?!\s))+"
_LINE_CUT = r"-?[^\S\n]*\n\s*"  # a word cut at a line end (its soft hyphen is already gone)
_NOT_AFTER_A_LETTER = r"(?<![^\W\d_].)"
_NOT_AFTER_A_DIGIT = r"(?<!\d.)"


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
        # inside a word: a camelCase mark (LeBlanc), or a line-end cut (Sofi-\nane)
        return f"(?:{small}|{BOUNDARY_MARK}{big}|{_LINE_CUT}{big})"

    def emit(node: _Node, char: str) -> str:
        alternatives = [
            edge(c, child) + emit(child, c) for c, child in sorted(node.children.items())
        ]
        if node.terminal:
            alternatives.append(_AFTER_DIGIT if char.isdigit() else _AFTER_LETTER)
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"

    if not root.children:
        return r"(?!x)x"
    first = []
    for letter, child in sorted(root.children.items()):
        big = _capital(letter)
        if big != letter:  # capitalised: certainly a word start
            check = ""
        else:
            check = _NOT_AFTER_A_DIGIT if letter.isdigit() else _NOT_AFTER_A_LETTER
        first.append(re.escape(big) + check + emit(child, letter))
    return "(?:" + "|".join(first) + ")"


_NOT_IN_KEYS = re.compile(r"[\W_]+")


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
        folded = fold_text(text, capitals=True)
        hits = []
        for match in self._pattern.finditer(folded.text):
            form = self._forms[_NOT_IN_KEYS.sub("", match.group()).lower()]
            start, end = folded.source(match.start()), folded.source(match.end() - 1) + 1
            while end < len(text) and unicodedata.category(text[end])[0] == "M":
                end += 1  # combining marks of the last letter belong to the hit
            replacement = _written_like(form.replacement, text[start:end])
            hit = NameHit(start, end, form.entry, form.text, replacement, form.others, form.shared)
            hits.append(hit)
        return hits

    def replace(self, text: str) -> str:
        """``text`` with every hit replaced by its replacement; everything outside the hits is
        kept character for character."""
        hits = self.find(text)
        if not hits:
            return text
        out = []
        done = 0
        for hit in hits:
            out += [text[done : hit.start], hit.replacement]
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


def _written_like(replacement: str, written: str) -> str:
    """``replacement`` in capitals when the hit is (two letters or more: ``AHMED``), with
    underscores between its words when the hit joins words with underscores (a file name)."""
    if written.isupper() and sum(c.isalpha() for c in written) > 1:
        replacement = replacement.upper()
    if "_" in written and not any(c.isspace() for c in written):
        replacement = "_".join(replacement.split())
    return replacement


def mask(name: str) -> str:
    """How messages name a real name without revealing it: the first letter of each word, then
    an ellipsis (``Ahmed Benali`` and ``Ahmed_Benali`` → ``A… B…``, ``Ayşe`` → ``A…``)."""
    visible = "".join(
        c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c) != "Cf"
    )
    initials = [word[0].upper() + "…" for word in re.findall(r"[^\W\d_]+", visible)]
    return " ".join(initials) or "…"
