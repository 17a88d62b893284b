"""Matching an exchanged codebook with the project's: which codes are the same, which are new,
which conflict.

A code is matched, in this order, by GUID (miam_qual derives a code's GUID from its id, so copies
of a project agree), by a GUID an earlier exchange already matched (recorded in the exchange log),
by its path of labels from the top of the tree, then by its label alone when exactly one project
code carries it (labels compared without case or accents). Two incoming codes never match the
same project code. A matched code whose fields differ is a *conflict*: the project's version is
kept and the difference reported. New codes get an id made from their label (or the id they had
in another miam_qual project), placed under their matched parent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import pandas as pd

from ..codebook import DEFAULT_COLOR, Code, Codebook
from ..text import fold
from .model import Exchange, XCode, guid_key

#: Actions of a code in a preview.
NEW, SAME, CONFLICT = "nouveau", "identique", "conflit"


@dataclass
class CodeMatch:
    code: XCode
    action: str
    code_id: str
    matched_by: str = ""
    differences: list[str] = field(default_factory=list)


@dataclass
class CodesPlan:
    """The result of matching: one ``CodeMatch`` per incoming code (by key), the codebook to
    commit (``None`` when nothing changes) and the log entries for it."""

    matches: dict[str, CodeMatch]
    book: Codebook | None
    entries: list[tuple[str, str, dict]]
    paths: dict[str, tuple[str, ...]]

    def code_id(self, key: str) -> str:
        return self.matches[key].code_id

    def table(self) -> pd.DataFrame:
        """``code`` (path, « › »-joined), ``action``, ``code_id``, ``par`` (how it matched),
        ``differences``."""
        return pd.DataFrame(
            [
                {
                    "code": " › ".join(self.paths[m.code.key]),
                    "action": m.action,
                    "code_id": m.code_id,
                    "par": m.matched_by,
                    "differences": "; ".join(m.differences),
                }
                for m in self.matches.values()
            ],
            columns=["code", "action", "code_id", "par", "differences"],
        )

    def count(self, action: str) -> int:
        return sum(1 for m in self.matches.values() if m.action == action)


def slug(label: str, taken: set[str], *, prefix: str = "code") -> str:
    """An id from ``label`` (lower-case ascii, digits, ``_``; starts with a letter, else with
    ``prefix``), not in ``taken``."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:40].strip("_")
    if not base or not base[0].isalpha():
        base = f"{prefix}_{base}" if base else prefix
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}_{number}"
        number += 1
    return candidate


def match_codes(
    book: Codebook,
    ex: Exchange,
    *,
    known: dict[str, str] | None = None,
    coded: set[str] | None = None,
    who_label: str = "",
) -> CodesPlan:
    """Match ``ex.codes`` against ``book`` (see the module docstring).

    ``known``: incoming GUID keys already matched by earlier exchanges → code id. ``coded``:
    keys of incoming codes that carry codings (they must be codable). ``who_label`` names the
    exchange in the log entries of added codes.
    """
    known = known or {}
    coded = coded or set()
    paths = ex.code_paths()
    by_guid = {guid_key(c.guid): c.id for c in book}
    project_paths: dict[tuple[str, ...], str] = {}
    labels: dict[str, list[str]] = {}
    for code in book:
        chain = [*reversed(book.ancestors(code.id)), code.id]
        project_paths[tuple(fold(book.codes[i].label) for i in chain)] = code.id
        labels.setdefault(fold(code.label), []).append(code.id)
    used: set[str] = set()
    matches: dict[str, CodeMatch] = {}
    codes = dict(book.codes)
    taken = set(codes)
    entries: list[tuple[str, str, dict]] = []
    changed = False
    for incoming in ex.codes:
        found, how = None, ""
        candidates = [
            (by_guid.get(incoming.key), "GUID"),
            (known.get(incoming.key), "échange précédent"),
            (project_paths.get(tuple(fold(n) for n in paths[incoming.key])), "chemin"),
        ]
        same_label = labels.get(fold(incoming.name), [])
        if len(same_label) == 1:
            candidates.append((same_label[0], "libellé"))
        for code_id, reason in candidates:
            if code_id is not None and code_id in codes and code_id not in used:
                found, how = code_id, reason
                break
        parent = matches[incoming.parent].code_id if incoming.parent else None
        must_code = incoming.key in coded
        if found is not None:
            used.add(found)
            current = codes[found]
            differences = _differences(current, incoming, parent)
            match = CodeMatch(incoming, CONFLICT if differences else SAME, found, how, differences)
            if must_code and not current.codable:
                codes[found] = replace(current, codable=True)
                changed = True
                match.differences.append("devient codable (des passages y sont codés)")
                entries.append(
                    ("modification", found, {"codable": {"avant": False, "après": True},
                                             "echange": who_label})
                )  # fmt: skip
            matches[incoming.key] = match
            continue
        wanted = incoming.id_hint if incoming.id_hint and incoming.id_hint not in taken else None
        code_id = wanted or slug(incoming.name, taken)
        taken.add(code_id)
        colour = incoming.color or (codes[parent].color if parent else None) or DEFAULT_COLOR
        codes[code_id] = Code(
            id=code_id, label=incoming.name, parent=parent, definition=incoming.definition,
            inclusion=incoming.inclusion, exclusion=incoming.exclusion, example=incoming.example,
            color=colour, keywords=incoming.keywords, codable=incoming.codable or must_code,
        )  # fmt: skip
        changed = True
        entries.append(
            ("ajout", code_id, {"libelle": incoming.name, "parent": parent, "echange": who_label})
        )
        matches[incoming.key] = CodeMatch(incoming, NEW, code_id)
    new_book = Codebook(book.name, book.description, codes) if changed else None
    if new_book is not None:
        new_book.validate()
    return CodesPlan(matches, new_book, entries, paths)


def _differences(code: Code, incoming: XCode, parent: str | None) -> list[str]:
    """French descriptions of how ``incoming`` differs from the project's ``code``."""
    found = []
    if code.label != incoming.name:
        found.append(f"libellé « {incoming.name} » (projet : « {code.label} »)")
    if code.parent != parent:
        found.append(
            f"placé sous « {parent or 'la racine'} » (projet : « {code.parent or 'la racine'} »)"
        )
    for field_name, french in (
        ("definition", "définition"),
        ("inclusion", "inclusion"),
        ("exclusion", "exclusion"),
        ("example", "exemple"),
    ):
        theirs = getattr(incoming, field_name).strip()
        if theirs and theirs != getattr(code, field_name).strip():
            found.append(f"{french} différente")
    if incoming.color and incoming.color.upper() != code.color.upper():
        found.append(f"couleur {incoming.color} (projet : {code.color})")
    return found
