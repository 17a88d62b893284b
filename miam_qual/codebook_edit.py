"""Changing the shared codebook: every change validated, written to YAML and the store, and logged.

The YAML file is the codebook's readable master; the store's ``codes`` table mirrors it so that
codings can reference codes by GUID. A change is one transaction: the store is updated and the
change logged, then the YAML written atomically before the commit; if the write fails, the
transaction rolls back.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from .codebook import Code, Codebook, load_codebook, parse_codebook
from .errors import CodebookError, DuplicateCode
from .store import codes as codes_sql

if TYPE_CHECKING:
    from .project import Project

_EDITABLE = {
    "label": "libellé",
    "definition": "définition",
    "inclusion": "inclusion",
    "exclusion": "exclusion",
    "example": "exemple",
    "color": "couleur",
    "keywords": "mots-clés",
    "codable": "codable",
}


class CodebookChanges:
    """Codebook-changing methods of ``Project``."""

    def _codebook_stamp_now(self: Project) -> tuple[int, int] | None:
        try:
            stat = self.codebook_path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _set_codebook(self: Project, book: Codebook) -> None:
        """Adopt ``book`` and remember which version of the file it came from."""
        self._codebook = book
        self._codebook_stamp = self._codebook_stamp_now()

    def _sync_codebook(self: Project, book: Codebook, *, who: str) -> None:
        """Bring the store in line with ``book`` (after a hand edit of the YAML), logging it."""
        added, changed, removed = codes_sql.diff(self.store, book)
        if not (added or changed or removed):
            self._set_codebook(book)
            return
        counts = codes_sql.codings_per_code(self.store)
        blocked = [r["id"] for r in removed if counts.get(r["id"], 0)]
        if blocked:
            details = ", ".join(f"« {c} » ({counts[c]} codages)" for c in blocked)
            raise CodebookError(
                f"« {self.codebook_path.name} » ne contient plus {details} alors que des codages "
                "les utilisent. Remettez ces codes dans le fichier, puis fusionnez-les dans un autre "
                "code avec merge_codes si vous voulez les retirer."
            )
        with self.store.transaction():
            codes_sql.write_codebook(self.store, book)
            for code in added:
                codes_sql.log_change(
                    self.store,
                    who=who,
                    action="ajout",
                    code_id=code.id,
                    details={"libelle": code.label},
                )
            for code, old in changed:
                details = _row_changes(old, code)
                if details:  # a change of order alone is not worth a log entry
                    codes_sql.log_change(
                        self.store, who=who, action="modification", code_id=code.id, details=details
                    )
            for row in removed:
                codes_sql.log_change(
                    self.store,
                    who=who,
                    action="suppression",
                    code_id=row["id"],
                    details={"libelle": row["label"]},
                )
        self._set_codebook(book)

    def _commit_codebook(
        self: Project, book: Codebook, entries: list[tuple[str, str, dict]], who: str
    ) -> None:
        # The file's nested order is the canonical one: re-read what will be written so that the
        # store's positions match the YAML and the next open finds nothing to sync.
        book = parse_codebook(book.to_yaml(), source=self.codebook_path.name)
        with self.store.transaction():
            codes_sql.write_codebook(self.store, book)
            for action, code_id, details in entries:
                codes_sql.log_change(
                    self.store, who=who, action=action, code_id=code_id, details=details
                )
            book.save(self.codebook_path)
        self._set_codebook(book)

    def reload_codebook(self: Project) -> Codebook:
        """Re-read the YAML file (after a hand edit) and sync the store; returns the codebook."""
        self._sync_codebook(
            load_codebook(self.codebook_path), who="livre de codes modifié hors de miam_qual"
        )
        return self._codebook

    def add_code(
        self: Project,
        code_id: str,
        label: str,
        *,
        parent: str | None = None,
        definition: str = "",
        inclusion: str = "",
        exclusion: str = "",
        example: str = "",
        color: str | None = None,
        keywords: list[str] | tuple[str, ...] = (),
        codable: bool | None = None,
        by: str | None = None,
    ) -> Code:
        """Add a code (a theme when ``parent`` is ``None``); returns it. Logged as « ajout ».

        Raises ``DuplicateCode`` if the id exists, ``UnknownCode`` for an unknown parent,
        ``CodebookError`` for an invalid id or colour.
        """
        from .project import default_user

        if code_id in self.codebook:
            raise DuplicateCode(
                f"Le code « {code_id} » existe déjà ({self.codebook.get(code_id).label})."
            )
        if parent is not None:
            parent_code = self.codebook.get(parent)
            color = color or parent_code.color
        code = Code(
            id=code_id, label=label.strip(), parent=parent, definition=definition.strip(),
            inclusion=inclusion.strip(), exclusion=exclusion.strip(), example=example.strip(),
            color=color or "#9E9E9E", keywords=tuple(keywords),
            codable=(parent is not None) if codable is None else codable,
        )  # fmt: skip
        book = self.codebook.with_code(code)
        details = {"libelle": code.label, "parent": parent, "definition": code.definition}
        self._commit_codebook(book, [("ajout", code_id, details)], by or default_user())
        return code

    def update_code(
        self: Project, code_id: str, *, by: str | None = None, **changes: object
    ) -> Code:
        """Change a code's ``label``, ``definition``, ``inclusion``, ``exclusion``, ``example``,
        ``color``, ``keywords`` or ``codable``; its codings are kept. Logged as « modification »."""
        from .project import default_user

        old = self.codebook.get(code_id)
        unknown = sorted(set(changes) - set(_EDITABLE))
        if unknown:
            raise CodebookError(
                f"Champ(s) inconnu(s) {', '.join(unknown)} (modifiables : {', '.join(_EDITABLE)})."
            )
        if "keywords" in changes:
            changes["keywords"] = tuple(changes["keywords"])  # type: ignore[arg-type]
        new = replace(old, **changes)
        details = {
            _EDITABLE[k]: {"avant": _plain(getattr(old, k)), "après": _plain(getattr(new, k))}
            for k in changes
            if getattr(old, k) != getattr(new, k)
        }
        if not details:
            return old
        self._commit_codebook(
            self.codebook.with_code(new), [("modification", code_id, details)], by or default_user()
        )
        return new

    def move_code(
        self: Project, code_id: str, parent: str | None, *, by: str | None = None
    ) -> Code:
        """Move a code under another parent (``None``: make it a theme). Codings are kept."""
        from .project import default_user

        old = self.codebook.get(code_id)
        if parent is not None:
            self.codebook.get(parent)
            if parent in self.codebook.descendants(code_id):
                raise CodebookError(
                    f"Impossible de déplacer « {code_id} » sous « {parent} » : ce serait sous lui-même."
                )
        new = replace(old, parent=parent)
        codes = {k: v for k, v in self.codebook.codes.items() if k != code_id}
        codes[code_id] = new  # moved codes go last among their new siblings
        book = Codebook(self.codebook.name, self.codebook.description, codes)
        book.validate()
        details = {"parent": {"avant": old.parent, "après": parent}}
        self._commit_codebook(book, [("déplacement", code_id, details)], by or default_user())
        return new

    def delete_code(self: Project, code_id: str, *, by: str | None = None) -> None:
        """Delete a code that has no codings and no sub-codes; otherwise refuse and say why."""
        from .project import default_user

        code = self.codebook.get(code_id)
        used = codes_sql.codings_per_code(self.store).get(code_id, 0)
        if used:
            raise CodebookError(
                f"Le code « {code_id} » porte {used} codage(s) : il ne peut pas être supprimé. "
                f"Fusionnez-le dans un autre code : merge_codes('{code_id}', 'code_cible')."
            )
        book = self.codebook.without(code_id)
        self._commit_codebook(
            book, [("suppression", code_id, {"libelle": code.label})], by or default_user()
        )

    def merge_codes(self: Project, source: str, into: str, *, by: str | None = None) -> int:
        """Merge code ``source`` into ``into``: its codings move (duplicates merge), its sub-codes
        move under ``into``, and ``source`` disappears. Returns the number of codings moved."""
        from .project import default_user

        old, target = self.codebook.get(source), self.codebook.get(into)
        if source == into or into in self.codebook.descendants(source):
            raise CodebookError(
                f"Impossible de fusionner « {source} » dans « {into} » (même branche)."
            )
        codes = {}
        for key, code in self.codebook.codes.items():
            if key == source:
                continue
            codes[key] = replace(code, parent=into) if code.parent == source else code
        book = Codebook(self.codebook.name, self.codebook.description, codes)
        book.validate()
        who = by or default_user()
        with self.store.transaction():
            moved = codes_sql.reassign_codings(self.store, old.guid, target.guid)
            details = {"dans": into, "libelle": old.label, "codages_deplaces": moved}
            self._commit_codebook(book, [("fusion", source, details)], who)
        return moved

    def codebook_history(self: Project) -> pd.DataFrame:
        """Every codebook change, oldest first: ``at, who, action, code_id, details``."""
        return codes_sql.history_frame(self.store)


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _row_changes(old: dict, code: Code) -> dict:
    """French-labelled ``{field: {"avant", "après"}}`` between a stored row and a code."""
    pairs = {
        "libellé": (old["label"], code.label),
        "parent": (old["parent_id"], code.parent),
        "définition": (old["definition"], code.definition),
        "inclusion": (old["inclusion"], code.inclusion),
        "exclusion": (old["exclusion"], code.exclusion),
        "exemple": (old["example"], code.example),
        "couleur": (old["color"], code.color),
        "mots-clés": (json.loads(old["keywords"]), list(code.keywords)),
        "codable": (bool(old["codable"]), code.codable),
    }
    return {k: {"avant": a, "après": b} for k, (a, b) in pairs.items() if a != b}
