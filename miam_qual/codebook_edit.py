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
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .codebook import Code, Codebook, load_codebook, parse_codebook
from .colors import suggest_color
from .common import default_user
from .errors import CodebookConflict, CodebookError, DuplicateCode, StorageError, StoreLocked
from .fileio import atomic_write_text, crash_point
from .store import Store
from .store import codes as codes_sql
from .store import review as review_sql

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


class CodebookSync:
    """The codebook as one ``Project`` last read it, kept in line with its file and the store.

    Each ``Project`` holds one (``project.codebook_sync``); the codebook-changing functions below
    commit through it. ``book`` is the codebook as last read or committed here; ``current()``
    reads it again first when the file or the store changed since.
    """

    def __init__(self, store: Store, path: Path):
        self.store = store
        self.path = path
        # read from the file or the store by reconcile() (Project.create/open do it first)
        self.book = Codebook()
        self.version = -1
        self._rows: dict[str, tuple] | None = None
        self._stamp: tuple[int, int] | None = None

    def current(self) -> Codebook:
        """The validated codebook, read again and synced first if the YAML file or the store
        changed since it was read (a hand edit, another notebook); ``CodebookError`` when the
        file is invalid."""
        if self.is_stale():
            self.reconcile()
        return self.book

    def _stamp_now(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def is_stale(self) -> bool:
        """Whether the file or the store changed since this object read the codebook."""
        return (
            self._stamp_now() != self._stamp
            or codes_sql.codebook_version(self.store) != self.version
        )

    def _adopt(self, book: Codebook, version: int, rows: dict[str, tuple] | None = None) -> None:
        """Use ``book`` (the store's codebook at ``version``, whose codes table is ``rows`` when
        known) and remember the file's stamp."""
        self.book = book
        self.version = version
        self._rows = rows
        self._stamp = self._stamp_now()

    def _current_rows(self) -> dict[str, tuple]:
        """The codes table as the store holds it for the current codebook (``rows_of``)."""
        if self._rows is None:
            self._rows = codes_sql.rows_of(self.book)
        return self._rows

    # -- file ↔ store ---------------------------------------------------------------------------
    def reconcile(self, *, who: str = HAND_EDIT) -> None:
        """Bring the codebook file, the store and this object in line (see the module docstring).

        Raises ``CodebookError`` for an invalid hand-edited file or one that drops codes still
        carrying codings, a ``StorageError`` subclass when the file cannot be rewritten.
        """
        state = codes_sql.codebook_state(self.store)
        data = self._file_bytes()
        digest = _sha256(data) if data is not None else None
        if digest is not None and digest == state["file_sha256"]:
            if state["replaced_sha256"] is not None and not self.store.read_only:
                with self.store.transaction():
                    codes_sql.file_written(self.store, digest)
            book, rows = codes_sql.stored_codebook(self.store)
            self._adopt(book, state["version"], rows)
            return
        unwritten = data is None or (
            state["replaced_sha256"] is not None and digest == state["replaced_sha256"]
        )
        if unwritten and (state["file_sha256"] is not None or data is None):
            book, rows = codes_sql.stored_codebook(self.store)
            self._adopt(book, state["version"], rows)
            if self.store.read_only:
                _warn_read_only(self.path, "n'est pas à jour")
                return
            text = book.to_yaml()
            with self.store.transaction():
                codes_sql.set_codebook_state(
                    self.store, version=state["version"], name=book.name,
                    description=book.description, file_sha256=_sha256(text.encode("utf-8")),
                    replaced_sha256=digest or "",
                )  # fmt: skip
            self._write_file(text)
            return
        if self.store.read_only:
            book, rows = codes_sql.stored_codebook(self.store)
            self._adopt(book, state["version"], rows)
            _warn_read_only(self.path, "a été modifié à la main")
            return
        assert data is not None and digest is not None  # a missing file was handled above
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            load_codebook(self.path)  # raises the reader's message, with the line
            raise
        self._sync(parse_codebook(text, source=self.path.name), digest, who=who)

    def _file_bytes(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            load_codebook(self.path)  # raises CodebookError naming the file
            raise

    def _sync(self, book: Codebook, digest: str, *, who: str) -> None:
        """Bring the store in line with a hand-edited file's ``book`` (SHA-256 ``digest``),
        logging every change; removing a code that still has codings is refused."""
        with self.store.transaction():
            added, changed, removed = codes_sql.diff(self.store, book)
            counts = codes_sql.codings_per_code(self.store)
            blocked = [r["id"] for r in removed if counts.get(r["id"], 0)]
            if blocked:
                listing = ", ".join(f"« {c} » ({counts[c]} codages)" for c in blocked)
                raise CodebookError(
                    f"« {self.path.name} » ne contient plus {listing} alors que des "
                    "codages les utilisent. Remettez ces codes dans le fichier, puis fusionnez-les "
                    "dans un autre code avec merge_codes si vous voulez les retirer."
                )
            state = codes_sql.codebook_state(self.store)
            version = state["version"]
            if (
                added
                or changed
                or removed
                or (book.name, book.description) != (state["name"], state["description"])
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
        self._adopt(book, version)

    @contextlib.contextmanager
    def changing(self, book: Codebook) -> Iterator[None]:
        """Commit ``book`` as the codebook, with what the block writes (log entries, moved
        codings), in one transaction; the file is replaced once that has committed.

        Raises ``CodebookConflict`` (nothing written) when the codebook changed in another
        notebook, or by hand, since this object read it.
        """
        book = book.in_file_order()
        text = book.to_yaml()
        new_digest = _sha256(text.encode("utf-8"))
        data = self._file_bytes()
        on_disk = _sha256(data) if data is not None else None
        old_rows = self._current_rows()
        new_rows = codes_sql.rows_of(book, self.book, old_rows)
        before = (self.book, self.version, old_rows, self._stamp)
        with self.store.transaction():
            state = codes_sql.codebook_state(self.store)
            if state["version"] != self.version or on_disk != state["file_sha256"]:
                self._stamp = None  # read again on next use
                raise CodebookConflict(
                    "Le livre de codes a été modifié ailleurs (dans un autre carnet, ou à la main "
                    f"dans « {self.path.name} ») depuis qu'il a été lu ici : rien n'a été "
                    "écrit. Il va être relu ; recommencez votre modification."
                )
            yield
            codes_sql.write_rows(self.store, old_rows, new_rows)
            version = state["version"] + 1
            codes_sql.set_codebook_state(
                self.store, version=version, name=book.name, description=book.description,
                file_sha256=new_digest, replaced_sha256=state["file_sha256"],
            )  # fmt: skip
            self.book, self.version, self._rows = book, version, new_rows

            def undo() -> None:
                self.book, self.version, self._rows, self._stamp = before

            self.store.on_rollback(undo)
            self.store.on_commit(lambda: self._write_file(text))
            crash_point("codebook:before-commit")

    def commit(self, book: Codebook, entries: list[tuple[str, str, dict]], who: str) -> None:
        """Commit ``book`` with its log ``entries`` (action, code id, details) by ``who``."""
        with self.changing(book):
            for action, code_id, details in entries:
                codes_sql.log_change(
                    self.store, who=who, action=action, code_id=code_id, details=details
                )

    def _write_file(self, text: str) -> None:
        """Replace the codebook file with ``text``, the committed state, and clear the pending
        mark. Raises a ``StorageError`` subclass saying the change itself is kept."""
        crash_point("codebook:before-file")
        try:
            atomic_write_text(self.path, text)
        except StorageError as err:
            self._stamp = None  # try again on next use
            raise type(err)(
                f"{err} La modification du livre de codes est bien enregistrée dans la base ; "
                f"le fichier « {self.path.name} » sera réécrit à la prochaine ouverture "
                "du projet."
            ) from err
        self._stamp = self._stamp_now()
        crash_point("codebook:before-mark")
        try:
            with self.store.transaction():
                codes_sql.file_written(self.store, _sha256(text.encode("utf-8")))
        except StoreLocked:
            # The change and its file are both done; the next reconciliation (which finds the
            # committed file) clears the mark too, so a busy database must not turn this success
            # into an error message.
            pass


# -- Project's codebook methods (bound on the class in project.py) ------------------------------
def reload_codebook(project: Project) -> Codebook:
    """Re-read the YAML file (after a hand edit) and sync the store; returns the codebook."""
    project.codebook_sync.reconcile()
    return project.codebook_sync.book


def add_code(
    project: Project,
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
    ``CodebookError`` for an invalid id or colour. Without ``color``, the code gets one of its
    theme's family that stays distinguishable from its siblings' (``colors.suggest_color``).
    """
    book = project.codebook
    if code_id in book:
        raise DuplicateCode(f"Le code « {code_id} » existe déjà ({book.get(code_id).label}).")
    if parent is not None:
        book.get(parent)  # UnknownCode
    color = color or suggest_color(book, parent)  # its theme's family, unlike its siblings
    code = Code(
        id=code_id, label=label.strip(), parent=parent, definition=definition.strip(),
        inclusion=inclusion.strip(), exclusion=exclusion.strip(), example=example.strip(),
        color=color or "#9E9E9E", keywords=tuple(keywords),
        codable=(parent is not None) if codable is None else codable,
    )  # fmt: skip
    details = {"libelle": code.label, "parent": parent, "definition": code.definition}
    project.codebook_sync.commit(
        book.with_code(code), [("ajout", code_id, details)], by or default_user()
    )
    return code


def update_code(
    project: Project, code_id: str, *, by: str | None = None, **changes: object
) -> Code:
    """Change a code's ``label``, ``definition``, ``inclusion``, ``exclusion``, ``example``,
    ``color``, ``keywords`` or ``codable``; its codings are kept. Logged as « modification ».

    Raises ``UnknownCode``, or ``CodebookError`` for a field that cannot be changed."""
    book = project.codebook
    old = book.get(code_id)
    unknown = sorted(set(changes) - set(_EDITABLE))
    if unknown:
        raise CodebookError(
            f"Champ(s) inconnu(s) {', '.join(unknown)} (modifiables : {', '.join(_EDITABLE)})."
        )
    if "keywords" in changes:
        keywords = changes["keywords"]
        if not isinstance(keywords, (list, tuple)):
            raise CodebookError(
                f"« {code_id} » : les mots-clés s'écrivent comme une liste, "
                f"par exemple ['prix', 'cher'] (reçu {keywords!r})."
            )
        changes["keywords"] = tuple(keywords)
    new = replace(old, **changes)  # type: ignore[arg-type]  # names checked against _EDITABLE
    details = {
        _EDITABLE[k]: {"avant": _plain(getattr(old, k)), "après": _plain(getattr(new, k))}
        for k in changes
        if getattr(old, k) != getattr(new, k)
    }
    if not details:
        return old
    project.codebook_sync.commit(
        book.with_code(new), [("modification", code_id, details)], by or default_user()
    )
    return new


def move_code(project: Project, code_id: str, parent: str | None, *, by: str | None = None) -> Code:
    """Move a code under another parent (``None``: make it a theme). Codings are kept.

    Raises ``UnknownCode``, or ``CodebookError`` when the move would put a code under itself."""
    book = project.codebook
    old = book.get(code_id)
    if parent is not None:
        book.get(parent)
        if parent in book.descendants(code_id):
            raise CodebookError(
                f"Impossible de déplacer « {code_id} » sous « {parent} » : ce serait sous lui-même."
            )
    new = replace(old, parent=parent)
    codes = {k: v for k, v in book.codes.items() if k != code_id}
    codes[code_id] = new  # moved codes go last among their new siblings
    moved = Codebook(book.name, book.description, codes)
    moved.validate()
    details = {"parent": {"avant": old.parent, "après": parent}}
    project.codebook_sync.commit(moved, [("déplacement", code_id, details)], by or default_user())
    return new


def delete_code(project: Project, code_id: str, *, by: str | None = None) -> None:
    """Delete a code that has no codings and no sub-codes; otherwise refuse and say why
    (``CodebookError``)."""
    book = project.codebook
    code = book.get(code_id)
    used = codes_sql.codings_per_code(project.store).get(code_id, 0)
    if used:
        raise CodebookError(
            f"Le code « {code_id} » porte {used} codage(s) : il ne peut pas être supprimé. "
            f"Fusionnez-le dans un autre code : merge_codes('{code_id}', 'code_cible')."
        )
    project.codebook_sync.commit(
        book.without(code_id),
        [("suppression", code_id, {"libelle": code.label})],
        by or default_user(),
    )


def merge_codes(project: Project, source: str, into: str, *, by: str | None = None) -> int:
    """Merge code ``source`` into ``into``: its codings move (duplicates merge), its sub-codes
    move under ``into``, and ``source`` disappears. Returns the number of codings moved. Each
    coding of ``source`` is recorded in the audit trail as ``fusionné`` by ``by`` (a duplicate,
    which disappears, with the coding it merged into).

    Raises ``UnknownCode``, or ``CodebookError`` when both are in the same branch."""
    book = project.codebook
    old, target = book.get(source), book.get(into)
    if source == into or into in book.descendants(source):
        raise CodebookError(f"Impossible de fusionner « {source} » dans « {into} » (même branche).")
    codes = {}
    for key, code in book.codes.items():
        if key == source:
            continue
        codes[key] = replace(code, parent=into) if code.parent == source else code
    merged = Codebook(book.name, book.description, codes)
    merged.validate()
    who = by or default_user()
    with project.codebook_sync.changing(merged):
        _audit_merge(project, old.guid, source, target.guid, into, who)
        moved = codes_sql.reassign_codings(project.store, old.guid, target.guid)
        details = {"dans": into, "libelle": old.label, "codages_deplaces": moved}
        codes_sql.log_change(
            project.store, who=who, action="fusion", code_id=source, details=details
        )
    return moved


def _audit_merge(
    project: Project, source_guid: str, source: str, target_guid: str, into: str, who: str
) -> None:
    """Record, before they move, every coding a merge moves onto ``into`` or merges away."""
    states = review_sql.codings_of_code(project.store, source_guid)
    for state in states:
        duplicate = review_sql.duplicate_in(project.store, state["coding_guid"], target_guid)
        state["code_id"] = into
        if duplicate is not None:
            state["details"] = {"doublon_de": duplicate}
    review_sql.log(project.store, states, "fusionné", who, previous_code_id=source)


def codebook_history(project: Project) -> pd.DataFrame:
    """Every codebook change, oldest first: ``at, who, action, code_id, details``."""
    return codes_sql.history_frame(project.store)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _warn_read_only(path: Path, what: str) -> None:
    warnings.warn(
        f"« {path.name} » {what} par rapport à la base du projet, ouvert en "
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
