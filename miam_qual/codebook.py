"""The shared codebook: a readable, hierarchical YAML file under ``codebooks/``.

Themes hold codes, codes hold sub-codes (``codes:`` lists, nested). Every entry has a stable
``id`` (lowercase ascii, digits, ``_``), unique in the whole file; a code may name its ``parent``
explicitly, which overrides its nesting. Loading validates everything and reports every problem at
once with its line number (reading goes through :mod:`miam_qual.yamlio`: size, depth and alias
limits; ``codable`` accepts oui/non, vrai/faux, true/false). Comments written by hand are not kept
when miam_qual rewrites the file. This module is pure: it never touches the store; ``Project`` keeps the
store's ``codes`` table in step with the file and logs every change.

YAML shape (French keys, since users read and edit it)::

    nom: Livre de codes MIAM
    themes:
      - id: acces
        libelle: Accès à une alimentation de qualité
        definition: …
        couleur: "#2E7D32"
        codable: false          # optional; themes default to false, codes to true
        codes:
          - id: prix
            libelle: Prix et budget
            definition: …
            inclusion: …
            exclusion: …
            exemple: …
            couleur: "#43A047"
            mots_cles: [cher, budget]
            codes: []
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import CodebookError, UnknownCode
from .fileio import atomic_write_text
from .text import fold as _fold
from .yamlio import line_of, load_yaml, parse_bool, text_of, texts_of

#: Namespace of code GUIDs: a code's GUID is derived from its stable id, so rebuilding a project's
#: database from the same YAML gives the same GUIDs (and projects sharing a codebook agree).
CODE_NAMESPACE = uuid.UUID("6f1f7a0e-4b1e-4c53-9d7e-6d69616d7175")

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
COLOR_PATTERN = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
FIELDS = {
    "id": "id",
    "libelle": "label",
    "definition": "definition",
    "inclusion": "inclusion",
    "exclusion": "exclusion",
    "exemple": "example",
    "couleur": "color",
    "mots_cles": "keywords",
    "codable": "codable",
    "parent": "parent",
    "codes": None,
}
DEFAULT_COLOR = "#9E9E9E"
#: A codebook file above 20 MB, or holding more than 500,000 YAML values, is refused: a
#: 10,000-code codebook with full definitions is about 6 MB and 200,000 values (read in ~1.5 s).
MAX_CODEBOOK_BYTES = 20_000_000
MAX_CODEBOOK_VALUES = 500_000


@functools.lru_cache(maxsize=200_000)
def code_guid(code_id: str) -> str:
    """The stable GUID of the code with id ``code_id`` (cached: a uuid5 costs 30 µs)."""
    return str(uuid.uuid5(CODE_NAMESPACE, code_id))


@dataclass(frozen=True)
class Code:
    """One entry of the codebook. ``parent`` is ``None`` for a theme."""

    id: str
    label: str
    parent: str | None = None
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    color: str = DEFAULT_COLOR
    keywords: tuple[str, ...] = ()
    codable: bool = True
    line: int | None = None  # 1-based line in the YAML file, for messages

    @property
    def guid(self) -> str:
        return code_guid(self.id)


@dataclass
class Codebook:
    """An ordered, validated tree of codes. Read it; change it through ``Project`` methods."""

    name: str = "Livre de codes"
    description: str = ""
    codes: dict[str, Code] = field(default_factory=dict)
    # (children by parent id, position by id), built once: a Codebook is never changed in place
    _tree: tuple | None = field(default=None, init=False, repr=False, compare=False)

    # -- reading ------------------------------------------------------------------------------
    def __contains__(self, code_id: object) -> bool:
        return code_id in self.codes

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes.values())

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code_id: str) -> Code:
        """Return the code ``code_id``; raises ``UnknownCode`` with close matches."""
        try:
            return self.codes[code_id]
        except KeyError:
            raise UnknownCode(
                f"Code inconnu « {code_id} » : il n'est pas dans le livre de codes"
                f"{_suggest(code_id, self.codes)}."
            ) from None

    def find(self, text: str) -> list[Code]:
        """Codes whose id or label contains ``text`` (case- and accent-insensitive)."""
        needle = _fold(text)
        return [c for c in self if needle in _fold(c.label) or needle in c.id]

    def _index(self) -> tuple[dict[str | None, list[Code]], dict[str, int]]:
        """Children by parent id and position by id, computed once (O(1) lookups after)."""
        if self._tree is None or self._tree[2] is not self.codes:
            kids: dict[str | None, list[Code]] = {}
            for code in self.codes.values():
                kids.setdefault(code.parent, []).append(code)
            self._tree = (kids, {k: i for i, k in enumerate(self.codes)}, self.codes)
        return self._tree[0], self._tree[1]

    def children(self, code_id: str | None) -> list[Code]:
        return list(self._index()[0].get(code_id, ()))

    def themes(self) -> list[Code]:
        return self.children(None)

    def ancestors(self, code_id: str) -> list[str]:
        """Ids from the parent up to the theme."""
        chain, current = [], self.get(code_id).parent
        while current is not None:
            chain.append(current)
            current = self.codes[current].parent
        return chain

    def theme_of(self, code_id: str) -> str:
        chain = self.ancestors(code_id)
        return chain[-1] if chain else code_id

    def descendants(self, code_id: str, *, include_self: bool = True) -> list[str]:
        """Ids of the code and everything below it, in codebook order."""
        self.get(code_id)
        kids, position = self._index()
        found = [code_id] if include_self else []
        stack = [code_id]
        while stack:
            below = [c.id for c in kids.get(stack.pop(), ())]
            found.extend(below)
            stack.extend(below)
        return sorted(found, key=position.__getitem__)

    def depth(self, code_id: str) -> int:
        return len(self.ancestors(code_id))

    def to_dataframe(self) -> pd.DataFrame:
        """One row per code: ``code_id, code, parent_id, theme_id, theme, depth, path, color,
        codable, definition, inclusion, exclusion, example, keywords, guid``."""
        rows = []
        for c in self:
            theme = self.theme_of(c.id)
            path = " › ".join(self.codes[i].label for i in [*reversed(self.ancestors(c.id)), c.id])
            rows.append(
                {
                    "code_id": c.id,
                    "code": c.label,
                    "parent_id": c.parent,
                    "theme_id": theme,
                    "theme": self.codes[theme].label,
                    "depth": self.depth(c.id),
                    "path": path,
                    "color": c.color,
                    "codable": c.codable,
                    "definition": c.definition,
                    "inclusion": c.inclusion,
                    "exclusion": c.exclusion,
                    "example": c.example,
                    "keywords": list(c.keywords),
                    "guid": c.guid,
                }
            )
        columns = [
            "code_id", "code", "parent_id", "theme_id", "theme", "depth", "path", "color",
            "codable", "definition", "inclusion", "exclusion", "example", "keywords", "guid",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    # -- changing (pure: returns a new, validated codebook) -----------------------------------
    def with_code(self, code: Code) -> Codebook:
        codes = dict(self.codes)
        codes[code.id] = code
        new = Codebook(self.name, self.description, codes)
        new.validate()
        return new

    def without(self, code_id: str) -> Codebook:
        self.get(code_id)
        if self.children(code_id):
            kids = ", ".join(c.id for c in self.children(code_id))
            raise CodebookError(
                f"Le code « {code_id} » a des sous-codes ({kids}) : déplacez-les ou supprimez-les d'abord."
            )
        codes = {k: v for k, v in self.codes.items() if k != code_id}
        return Codebook(self.name, self.description, codes)

    def validate(self) -> None:
        """Raise ``CodebookError`` listing every problem (unknown parent, cycle, bad colour…)."""
        problems = _check_codes(list(self.codes.values()))
        if problems:
            raise CodebookError(_problems_message("livre de codes", problems), problems)

    # -- YAML ---------------------------------------------------------------------------------
    def in_file_order(self) -> Codebook:
        """The same codebook with its codes in the order ``to_yaml`` writes them: each theme,
        then its codes depth first (so that positions in the store match the file)."""
        kids, _position = self._index()
        ordered: dict[str, Code] = {}
        stack = list(reversed(kids.get(None, ())))
        while stack:
            code = stack.pop()
            ordered[code.id] = code
            stack.extend(reversed(kids.get(code.id, ())))
        return Codebook(self.name, self.description, ordered)

    def to_yaml(self) -> str:
        """The codebook as nested YAML, in the documented shape.

        Hand-written comments are not kept (the file header says so to users): keeping them would
        need ruamel's round-trip loader on every read, 30 times slower than ``yamlio``. Written
        line by line, each entry cached (10,000 codes: 0.3 s, then 0.05 s; ruamel: 13 s): texts
        stay plain when YAML reads them back unchanged, and are quoted otherwise.
        """
        kids, _position = self._index()
        lines = [
            "# Livre de codes partagé. Modifiable à la main ; miam-qual validate le vérifie.",
            "# Les commentaires (#) ne sont pas conservés quand miam_qual réécrit ce fichier",
            "# (ajout, modification, fusion de codes) : notez plutôt vos remarques dans",
            "# « definition », « inclusion » ou « exclusion », ou dans un mémo.",
            f"nom: {_yaml_text(self.name, 2)}",
        ]
        if self.description:
            lines.append(f"description: {_yaml_text(self.description, 2)}")
        themes = kids.get(None, ())
        lines.append("themes:" if themes else "themes: []")
        stack = [(theme, 0) for theme in reversed(themes)]
        while stack:
            code, depth = stack.pop()
            below = kids.get(code.id, ())
            lines.append(_yaml_entry(code, depth, bool(below)))
            stack.extend((child, depth + 1) for child in reversed(below))
        return "\n".join(lines) + "\n"

    def save(self, path: Path) -> None:
        atomic_write_text(path, self.to_yaml())


#: A text YAML reads back unchanged without quotes: it starts with a letter and holds only
#: letters, digits, spaces and punctuation that mean nothing to YAML there (no ``:``, ``#``).
_PLAIN = re.compile(r"[^\W\d_][\w ,.;()’'«»/!?…&+=%°€$-]*")
#: Words that some YAML readers (1.1) take for booleans or null.
_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null"}


#: id(code) → (code, depth, has_children, its YAML lines). Keyed by identity, not by value:
#: hashing a Code (eleven fields) would cost as much as writing its entry. Holding the code keeps
#: its id from being reused.
_ENTRIES: dict[int, tuple[Code, int, bool, str]] = {}


def _yaml_entry(code: Code, depth: int, has_children: bool) -> str:
    """The YAML lines of one code at nesting ``depth`` (0: a theme), without its sub-codes.

    Cached: a change rewrites the whole file, but almost every entry is the same as last time.
    """
    cached = _ENTRIES.get(id(code))
    if cached is not None and cached[0] is code and cached[1:3] == (depth, has_children):
        return cached[3]
    if len(_ENTRIES) > 200_000:
        _ENTRIES.clear()
    text = _write_entry(code, depth, has_children)
    _ENTRIES[id(code)] = (code, depth, has_children, text)
    return text


def _write_entry(code: Code, depth: int, has_children: bool) -> str:
    indent = " " * (4 + 4 * depth)
    fields = [("id", code.id), ("libelle", code.label)]
    for key, value in (
        ("definition", code.definition),
        ("inclusion", code.inclusion),
        ("exclusion", code.exclusion),
        ("exemple", code.example),
    ):
        if value:
            fields.append((key, value))
    fields.append(("couleur", code.color))
    entry = [f"{key}: {_yaml_text(value, len(indent) + 2)}" for key, value in fields]
    if code.keywords:
        words = ", ".join(_yaml_text(k, 0, flow=True) for k in code.keywords)
        entry.append(f"mots_cles: [{words}]")
    if code.codable != (depth > 0):
        entry.append(f"codable: {'true' if code.codable else 'false'}")
    if has_children:
        entry.append("codes:")
    return "\n".join([f"{indent[:-2]}- {entry[0]}", *(indent + line for line in entry[1:])])


def _printable(text: str) -> bool:
    """Whether every character may appear as is in a quoted YAML scalar (no control characters,
    no line separators that YAML 1.1 readers would fold)."""
    for ch in text:
        o = ord(ch)
        if ch in "\t\n" or 0x20 <= o <= 0x7E:
            continue
        if o < 0xA0 or o in (0x2028, 0x2029, 0xFEFF) or 0xD800 <= o <= 0xDFFF or o > 0x10FFFF:
            return False
        if 0xFFFE <= o <= 0xFFFF:
            return False
    return True


def _yaml_text(text: str, indent: int, *, flow: bool = False) -> str:
    """``text`` as a YAML scalar that reads back identical: plain when safe, else single-quoted,
    a literal block for several lines, or double-quoted with escapes as a last resort."""
    if (
        _PLAIN.fullmatch(text)
        and not text.endswith(" ")
        and text.casefold() not in _RESERVED
        and not (flow and "," in text)
    ):
        return text
    if "\n" not in text and _printable(text):
        return "'" + text.replace("'", "''") + "'"
    if (
        not flow
        and "\r" not in text
        and _printable(text)
        and text[:1] not in ("", " ", "\t", "\n")
        and not text.endswith(("\n", " ", "\t"))
    ):
        pad = " " * indent
        return "|-\n" + "\n".join(pad + line if line else "" for line in text.split("\n"))
    escaped = []
    for ch in text:
        o = ord(ch)
        if ch == "\\" or ch == '"':
            escaped.append("\\" + ch)
        elif ch == "\n":
            escaped.append("\\n")
        elif ch == "\t":
            escaped.append("\\t")
        elif 0x20 <= o <= 0x7E or (o >= 0xA0 and _printable(ch)):
            escaped.append(ch)
        elif o <= 0xFFFF:
            escaped.append(f"\\u{o:04x}")
        else:
            escaped.append(f"\\U{o:08x}")
    return '"' + "".join(escaped) + '"'


def _suggest(code_id: str, codes: dict[str, Code]) -> str:
    import difflib

    close = difflib.get_close_matches(code_id, list(codes), n=3, cutoff=0.6)
    return f" (vouliez-vous dire : {', '.join(close)} ?)" if close else ""


def _problems_message(source: str, problems: list[str]) -> str:
    return f"« {source} » : {len(problems)} problème(s) :\n- " + "\n- ".join(problems)


def _check_codes(codes: list[Code]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, Code] = {}

    def at(c: Code) -> str:
        return f"ligne {c.line} : " if c.line else ""

    for c in codes:
        if not ID_PATTERN.fullmatch(c.id):
            problems.append(
                f"{at(c)}id « {c.id} » invalide (minuscules sans accents, chiffres et _ ; "
                "commence par une lettre)"
            )
        if c.id in seen:
            first = seen[c.id].line
            problems.append(
                f"{at(c)}id « {c.id} » en double (déjà utilisé ligne {first})"
                if first
                else f"id « {c.id} » en double"
            )
        seen.setdefault(c.id, c)
        if not c.label.strip():
            problems.append(f"{at(c)}le code « {c.id} » n'a pas de libellé")
        if not COLOR_PATTERN.fullmatch(c.color):
            problems.append(
                f"{at(c)}couleur « {c.color} » invalide pour « {c.id} » (forme attendue : #RRVVBB)"
            )
    for c in codes:
        if c.parent is not None and c.parent not in seen:
            problems.append(f"{at(c)}parent inconnu « {c.parent} » pour le code « {c.id} »")
    for c in codes:
        chain, current = [c.id], c.parent
        while current is not None and current in seen:
            if current in chain:
                loop = " → ".join([*chain, current])
                if current == c.id:
                    problems.append(f"{at(c)}cycle dans la hiérarchie : {loop}")
                break
            chain.append(current)
            current = seen[current].parent
    return problems


def parse_codebook(text: str, *, source: str = "livre de codes") -> Codebook:
    """Parse and validate codebook YAML; raises ``CodebookError`` listing every problem.

    The YAML is read by :func:`miam_qual.yamlio.load_yaml` (size, depth and alias limits); a value
    of the wrong shape (a list where a text is expected, ``codable: peut-être``) is one more
    problem with its line, never an ``AttributeError``.
    """
    return _codebook_from(_load(text, source), source)


def _load(text_or_path: str | Path, source: str) -> Any:
    return load_yaml(
        text_or_path,
        source=source,
        error=CodebookError,
        max_bytes=MAX_CODEBOOK_BYTES,
        max_nodes=MAX_CODEBOOK_VALUES,
    )


def _codebook_from(data: Any, source: str) -> Codebook:
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise CodebookError(f"« {source} » : il faut une clé « themes » contenant une liste.")
    problems: list[str] = []
    codes: list[Code] = []

    def text(item: Any, key: str, line: int | None, default: str = "") -> str:
        where = f"ligne {_line_of(item, key) or line}"
        try:
            return text_of(item, key, where=where, error=CodebookError, default=default)
        except CodebookError as err:
            problems.append(str(err).rstrip("."))
            return default

    def walk(items: Any, parent: str | None, parent_line: int | None) -> None:
        if items is None:
            return
        if not isinstance(items, list):
            problems.append(f"ligne {parent_line} : « codes » doit être une liste")
            return
        for index, item in enumerate(items):
            line = _line_of(items, index)
            if not isinstance(item, dict):
                problems.append(
                    f"ligne {line} : chaque code doit être un dictionnaire (id, libelle…)"
                )
                continue
            unknown = [k for k in item if k not in FIELDS]
            if unknown:
                problems.append(
                    f"ligne {line} : clé(s) inconnue(s) {', '.join(map(str, unknown))} "
                    f"(clés possibles : {', '.join(FIELDS)})"
                )
            code_id = text(item, "id", line).strip()
            if not code_id:
                problems.append(f"ligne {line} : code sans « id »")
                continue
            try:
                keywords = texts_of(
                    item, "mots_cles", where=f"ligne {_line_of(item, 'mots_cles')}",
                    error=CodebookError,
                )  # fmt: skip
            except CodebookError as err:
                problems.append(str(err).rstrip("."))
                keywords = []
            codable = parent is not None
            if item.get("codable") is not None:
                try:
                    codable = parse_bool(
                        item["codable"],
                        where=f"ligne {_line_of(item, 'codable')} : « codable »",
                        error=CodebookError,
                    )
                except CodebookError as err:
                    problems.append(str(err).rstrip("."))
            explicit_parent = text(item, "parent", line).strip()
            codes.append(
                Code(
                    id=code_id,
                    label=text(item, "libelle", line).strip(),
                    parent=explicit_parent or parent,
                    definition=text(item, "definition", line).strip(),
                    inclusion=text(item, "inclusion", line).strip(),
                    exclusion=text(item, "exclusion", line).strip(),
                    example=text(item, "exemple", line).strip(),
                    color=(text(item, "couleur", line) or DEFAULT_COLOR).strip(),
                    keywords=tuple(k for k in keywords if k.strip()),
                    codable=codable,
                    line=line,
                )
            )
            walk(item.get("codes"), code_id, _line_of(item, "codes") or line)

    walk(data["themes"], None, _line_of(data, "themes"))
    name = text(data, "nom", _line_of(data, "nom")) or "Livre de codes"
    description = text(data, "description", _line_of(data, "description")).strip()
    problems.extend(_check_codes(codes))
    if problems:
        raise CodebookError(_problems_message(source, problems), problems)
    return Codebook(name=name, description=description, codes={c.id: c for c in codes})


def _line_of(container: Any, key: Any) -> int | None:
    """1-based line of ``container[key]`` in the YAML file, ``None`` if unknown."""
    return line_of(container, key)


def load_codebook(path: Path) -> Codebook:
    """Read and validate a codebook file; errors name the file and lines.

    Raises ``CodebookError`` for an unreadable file, a file that is not UTF-8, above
    ``MAX_CODEBOOK_BYTES``, not YAML, or not a valid codebook.
    """
    path = Path(path)
    return _codebook_from(_load(path, path.name), path.name)


__all__ = ["Code", "Codebook", "code_guid", "load_codebook", "parse_codebook"]
