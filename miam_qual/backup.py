"""Backing a project up: a consistent copy of its folder (``miam-qual sauvegarder``).

Copying ``miam.sqlite`` alone is not a backup: after a killed kernel, or while a notebook has the
project open, recent writes may still be only in ``miam.sqlite-wal``. Here the database is copied
with SQLite's backup API, which reads the committed state wherever it lies, into a single file.

The database and the codebook file are copied while holding the database's write lock, so no
change commits between the two; if a committed change had not yet replaced the codebook file, the
copy gets the file written from the copied database (the rule ``Project.open`` applies). Imported
files never change afterwards, so ``corpus/`` and ``medias/`` are copied after the lock is
released; an import committed but not yet renamed into place contributes its temporary under its
final name. Everything is written to a hidden folder beside the destination, renamed at the end:
a failure (a full disk) leaves no partial copy.

``prive/`` holds real names: it is left out unless asked for.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING

from . import corpus
from .config import CONFIG_FILE
from .errors import ProjectError, StoreLocked
from .fileio import storage_error, sync_directory
from .store import DB_FILE
from .store import codes as codes_sql
from .store import documents as docs_sql

if TYPE_CHECKING:
    from .project import Project

FILES = (CONFIG_FILE, "publication.yml")
FOLDERS = ("codebooks", "corpus", "medias")
PRIVATE = "prive"


def backup_project(project: Project, destination: Path, *, include_private: bool = False) -> Path:
    """Copy ``project`` to the new folder ``destination``; returns it (see the module docstring).

    Raises ``ProjectError`` for a destination inside the project or not empty, ``StoreLocked``
    when another notebook keeps writing, a ``StorageError`` subclass when a copy fails.
    """
    destination = destination.resolve()
    root = project.root
    if destination == root or root in destination.parents:
        raise ProjectError(
            f"« {destination} » est à l'intérieur du projet : choisissez un dossier en dehors."
        )
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise ProjectError(
            f"« {destination} » existe déjà et n'est pas vide : choisissez un nouveau dossier "
            "pour la sauvegarde."
        )
    partial = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.partiel")
    try:
        try:
            partial.mkdir(parents=True)
        except OSError as err:
            raise storage_error(err, partial, "créer") from err
        with _no_commit_meanwhile(project):
            project.store.backup_to(partial / DB_FILE)
            _copy_codebook(project, partial)
        for name in FILES:
            if (root / name).is_file():
                _copy_file(root / name, partial / name)
        for name in ("corpus", "medias", *((PRIVATE,) if include_private else ())):
            if (root / name).is_dir():
                _copy_tree(root / name, partial / name)
        _recover_committed_imports(project, partial)
        if destination.exists():
            destination.rmdir()
        os.replace(partial, destination)
        sync_directory(destination.parent)
    except OSError as err:
        shutil.rmtree(partial, ignore_errors=True)
        raise storage_error(err, destination) from err
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return destination


@contextlib.contextmanager
def _no_commit_meanwhile(project: Project) -> Iterator[None]:
    """Hold the database's write lock (from a second connection) for the block."""
    if project.read_only:
        yield  # nobody writes through this process; the copy is consistent all the same
        return
    lock = sqlite3.connect(project.store.path, timeout=project.store.timeout, isolation_level=None)
    try:
        try:
            lock.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise StoreLocked(
                f"La base du projet « {project.store.path} » est occupée par un autre carnet qui y "
                f"écrit (attente de {project.store.timeout:g} s) : sauvegarde non faite. "
                "Réessayez dans un instant."
            ) from err
        yield
    finally:
        lock.close()  # rolls the empty transaction back


def _copy_codebook(project: Project, partial: Path) -> None:
    """Copy the codebook folder; the codebook file as the copied database expects it."""
    source = project.codebook_path
    target = partial / source.relative_to(project.root)
    if source.parent.is_dir():
        _copy_tree(source.parent, target.parent, skip={source.name})
    state = codes_sql.codebook_state(project.store)
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        data = None
    except OSError as err:
        raise storage_error(err, source, "lire") from err
    digest = hashlib.sha256(data).hexdigest() if data is not None else None
    replaced = state["replaced_sha256"]
    if data is None or (
        digest != state["file_sha256"] and replaced is not None and digest == replaced
    ):
        data = codes_sql.stored_codebook(project.store)[0].to_yaml().encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(target, data)


def _recover_committed_imports(project: Project, partial: Path) -> None:
    """Give the copy the files of imports that committed but were not yet renamed into place."""
    used = docs_sql.source_files(project.store)
    for temporary in corpus.temporaries(project.corpus_dir):
        target = corpus.target_of(temporary)
        if target is None:  # not a temporary (temporaries() lists only those)
            continue
        copy = partial / "corpus" / target
        if target in used and not copy.exists():
            data = temporary.read_bytes()
            if hashlib.sha256(data).hexdigest() == used[target]:
                _write(copy, data)


def _copy_tree(source: Path, target: Path, *, skip: AbstractSet[str] = frozenset()) -> None:
    """Copy the visible files of ``source`` (recursively) to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        if item.name.startswith(".") or item.name in skip:
            continue  # temporaries of imports and atomic writes, locks
        if item.is_dir():
            _copy_tree(item, target / item.name)
        elif item.is_file():
            _copy_file(item, target / item.name)


def _copy_file(source: Path, target: Path) -> None:
    try:
        shutil.copy2(source, target)
        with open(target, "rb+") as handle:
            os.fsync(handle.fileno())
    except OSError as err:
        raise storage_error(err, target) from err


def _write(target: Path, data: bytes) -> None:
    try:
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        raise storage_error(err, target) from err
