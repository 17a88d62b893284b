"""Changing the shared codebook: every change validated, committed to the store, logged, and
written to the YAML file once committed.

The YAML file is the codebook's readable master; the store's ``codes`` table mirrors it so that
codings can reference codes by GUID, and ``codebook_state`` records which file matches the
committed codes (its SHA-256). The protocol, so that a failure or a kill at any point leaves the
old codebook or the new one, never a project that refuses to open:

1. the new codebook and its YAML text are prepared outside the write lock;
2. one transaction updates the changed rows, logs the change and records the new file's hash
   together with the hash of the file it replaces (``replaced_sha256``);
3. only once that has committed is the file replaced (temporary file + ``os.replace``), and the
   pending mark cleared.

On opening (and whenever the file or the store changed under this object), the file is
reconciled with the store: the committed file → nothing to do (the codes are read from the
store, without parsing YAML); the file that a committed change was replacing → the change
committed but the file was never written, so it is rewritten from the store; a missing file →
rewritten from the store; any other file → a hand edit, validated and synced into the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from .codebook import Code, Codebook, load_codebook, parse_codebook
from .errors import CodebookConflict, CodebookError, DuplicateCode, StorageError, StoreLocked
from .fileio import atomic_write_text, crash_point
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

HAND_EDIT = "livre de codes modifié hors de miam_qual"


class CodebookFileWarning(UserWarning):
    """Issued when a read-only project's codebook file differs from its database."""


class CodebookChanges:
    """Codebook-changing methods of ``Project``."""

    def _codebook_stamp_now(self: Project) -> tuple[int, int] | None:
        try:
            stat = self.codebook_path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _codebook_is_stale(self: Project) -> bool:
        """Whether the file or the store changed since this object read the codebook."""
        return (
            self._codebook_stamp_now() != self._codebook_stamp
            or codes_sql.codebook_version(self.store) != self._codebook_version
        )

    def _adopt_codebook(
        self: Project, book: Codebook, version: int, rows: dict[str, tuple] | None = None
    ) -> None:
        """Use ``book`` (the store's codebook at ``version``, whose codes table is ``rows`` when
        known) and remember the file's stamp."""
        self._codebook = book
        self._codebook_version = version
        self._codebook_rows = rows
        self._codebook_stamp = self._codebook_stamp_now()

    def _current_rows(self: Project) -> dict[str, tuple]:
        """The codes table as the store holds it for the current codebook (``rows_of``)."""
        if self._codebook_rows is None:
            self._codebook_rows = codes_sql.rows_of(self._codebook)
        return self._codebook_rows

    # -- file ↔ store ---------------------------------------------------------------------------
    def _reconcile_codebook(self: Project, *, who: str = HAND_EDIT) -> None:
        """Bring the codebook file, the store and this object in line (see the module docstring).

        Raises ``CodebookError`` for an invalid hand-edited file or one that drops codes still
        carrying codings, a ``StorageError`` subclass when the file cannot be rewritten.
        """
        state = codes_sql.codebook_state(self.store)
        data = self._codebook_bytes()
        digest = _sha256(data) if data is not None else None
        if digest is not None and digest == state["file_sha256"]:
            if state["replaced_sha256"] is not None and not self.store.read_only:
                with self.store.transaction():
                    codes_sql.file_written(self.store, digest)
            book, rows = codes_sql.stored_codebook(self.store)
            self._adopt_codebook(book, state["version"], rows)
            return
        unwritten = data is None or (
            state["replaced_sha256"] is not None and digest == state["replaced_sha256"]
        )
        if unwritten and (state["file_sha256"] is not None or data is None):
            book, rows = codes_sql.stored_codebook(self.store)
            self._adopt_codebook(book, state["version"], rows)
            if self.store.read_only:
                _warn_read_only(self, "n'est pas à jour")
                return
            text = book.to_yaml()
            with self.store.transaction():
                codes_sql.set_codebook_state(
                    self.store, version=state["version"], name=book.name,
                    description=book.description, file_sha256=_sha256(text.encode("utf-8")),
                    replaced_sha256=digest or "",
                )  # fmt: skip
            self._write_codebook_file(text)
            return
        if self.store.read_only:
            book, rows = codes_sql.stored_codebook(self.store)
            self._adopt_codebook(book, state["version"], rows)
            _warn_read_only(self, "a été modifié à la main")
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            load_codebook(self.codebook_path)  # raises the reader's message, with the line
            raise
        self._sync_codebook(parse_codebook(text, source=self.codebook_path.name), digest, who=who)

    def _codebook_bytes(self: Project) -> bytes | None:
        try:
            return self.codebook_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            load_codebook(self.codebook_path)  # raises CodebookError naming the file
            raise

    def _sync_codebook(self: Project, book: Codebook, digest: str, *, who: str) -> None:
        """Bring the store in line with a hand-edited file's ``book`` (SHA-256 ``digest``),
        logging every change; removing a code that still has codings is refused."""
        with self.store.transaction():
            added, changed, removed = codes_sql.diff(self.store, book)
            counts = codes_sql.codings_per_code(self.store)
            blocked = [r["id"] for r in removed if counts.get(r["id"], 0)]
            if blocked:
                details = ", ".join(f"« {c} » ({counts[c]} codages)" for c in blocked)
                raise CodebookError(
                    f"« {self.codebook_path.name} » ne contient plus {details} alors que des "
                    "codages les utilisent. Remettez ces codes dans le fichier, puis fusionnez-les "
                    "dans un autre code avec merge_codes si vous voulez les retirer."
                )
            state = codes_sql.codebook_state(self.store)
            version = state["version"]
            if (
                added
                or changed
                or removed
                or (book.name, book.description)
                != (
                    state["name"],
                    state["description"],
                )
            ):
                version += 1
                codes_sql.write_codebook(self.store, book)
            for code in added:
                codes_sql.log_change(
                    self.store, who=who, action="ajout", code_id=code.id,
                    details={"libelle": code.label},
                )  # fmt: skip
            for code, old in changed:
                details = _row_changes(old, code)
                if details:  # a change of order alone is not worth a log entry
                    codes_sql.log_change(
                        self.store, who=who, action="modification", code_id=code.id, details=details
                    )
            for row in removed:
                codes_sql.log_change(
                    self.store, who=who, action="suppression", code_id=row["id"],
                    details={"libelle": row["label"]},
                )  # fmt: skip
            codes_sql.set_codebook_state(
                self.store, version=version, name=book.name, description=book.description,
                file_sha256=digest, replaced_sha256=None,
            )  # fmt: skip
        self._adopt_codebook(book, version)

    @contextlib.contextmanager
    def _changing_codebook(self: Project, book: Codebook) -> Iterator[None]:
        """Commit ``book`` as the codebook, with what the block writes (log entries, moved
        codings), in one transaction; the file is replaced once that has committed.

        Raises ``CodebookConflict`` (nothing written) when the codebook changed in another
        notebook, or by hand, since this object read it.
        """
        book = book.in_file_order()
        text = book.to_yaml()
        new_digest = _sha256(text.encode("utf-8"))
        data = self._codebook_bytes()
        on_disk = _sha256(data) if data is not None else None
        old_rows = self._current_rows()
        new_rows = codes_sql.rows_of(book, self._codebook, old_rows)
        before = (self._codebook, self._codebook_version, old_rows, self._codebook_stamp)
        with self.store.transaction():
            state = codes_sql.codebook_state(self.store)
            if state["version"] != self._codebook_version or on_disk != state["file_sha256"]:
                self._codebook_stamp = None  # read again on next use
                raise CodebookConflict(
                    "Le livre de codes a été modifié ailleurs (dans un autre carnet, ou à la main "
                    f"dans « {self.codebook_path.name} ») depuis qu'il a été lu ici : rien n'a été "
                    "écrit. Il va être relu ; recommencez votre modification."
                )
            yield
            codes_sql.write_rows(self.store, old_rows, new_rows)
            version = state["version"] + 1
            codes_sql.set_codebook_state(
                self.store, version=version, name=book.name, description=book.description,
                file_sha256=new_digest, replaced_sha256=state["file_sha256"],
            )  # fmt: skip
            self._codebook, self._codebook_version, self._codebook_rows = book, version, new_rows

            def undo() -> None:
                (self._codebook, self._codebook_version, self._codebook_rows,
                 self._codebook_stamp) = before  # fmt: skip

            self.store.on_rollback(undo)
            self.store.on_commit(lambda: self._write_codebook_file(text))
            crash_point("codebook:before-commit")

    def _write_codebook_file(self: Project, text: str) -> None:
        """Replace the codebook file with ``text``, the committed state, and clear the pending
        mark. Raises a ``StorageError`` subclass saying the change itself is kept."""
        crash_point("codebook:before-file")
        try:
            atomic_write_text(self.codebook_path, text)
        except StorageError as err:
            self._codebook_stamp = None  # try again on next use
            raise type(err)(
                f"{err} La modification du livre de codes est bien enregistrée dans la base ; "
                f"le fichier « {self.codebook_path.name} » sera réécrit à la prochaine ouverture "
                "du projet."
            ) from err
        self._codebook_stamp = self._codebook_stamp_now()
        crash_point("codebook:before-mark")
        try:
            with self.store.transaction():
                codes_sql.file_written(self.store, _sha256(text.encode("utf-8")))
        except StoreLocked:
            # The change and its file are both done; the next reconciliation (which finds the
            # committed file) clears the mark too, so a busy database must not turn this success
            # into an error message.
            pass

    def _commit_codebook(
        self: Project, book: Codebook, entries: list[tuple[str, str, dict]], who: str
    ) -> None:
        with self._changing_codebook(book):
            for action, code_id, details in entries:
                codes_sql.log_change(
                    self.store, who=who, action=action, code_id=code_id, details=details
                )

    def reload_codebook(self: Project) -> Codebook:
        """Re-read the YAML file (after a hand edit) and sync the store; returns the codebook."""
        self._reconcile_codebook()
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
        with self._changing_codebook(book):
            moved = codes_sql.reassign_codings(self.store, old.guid, target.guid)
            details = {"dans": into, "libelle": old.label, "codages_deplaces": moved}
            codes_sql.log_change(
                self.store, who=who, action="fusion", code_id=source, details=details
            )
        return moved

    def codebook_history(self: Project) -> pd.DataFrame:
        """Every codebook change, oldest first: ``at, who, action, code_id, details``."""
        return codes_sql.history_frame(self.store)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _warn_read_only(project: Project, what: str) -> None:
    warnings.warn(
        f"« {project.codebook_path.name} » {what} par rapport à la base du projet, ouvert en "
        "lecture seule : le livre de codes affiché est celui de la base. Le fichier sera remis en "
        "accord à la prochaine ouverture avec le droit d'écriture.",
        CodebookFileWarning,
        stacklevel=4,
    )


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
