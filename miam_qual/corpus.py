"""The ``corpus/`` folder: imported files put in place only once their documents are committed.

An import writes each new file to a hidden temporary beside its final name
(``.<name>.<token>.import``, flushed to the disk), inserts the documents in one transaction, and
only after the commit renames the temporaries into place. So whatever happens:

- a failure or a kill before the commit leaves the database unchanged and, at most, hidden
  temporaries, which nothing references;
- a kill after the commit leaves committed documents whose file is still a temporary: opening the
  project finishes the rename (the temporary's SHA-256 must be the document's).

``recover`` does both on opening. It runs only when no import is under way in another notebook:
importers hold a shared lock on ``.miam_import.lock`` at the project's root while their
temporaries exist, and ``recover`` (like ``clean_orphans``) needs it exclusively. The lock is an
``flock``, released by the system when a process dies, so a killed import never blocks anyone.

Files in ``corpus/`` that no document references (left by an older version's interrupted import,
or put there by hand) are reported by ``Project.validate`` and removed only on request
(``Project.clean_orphans``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StoreLocked
from .fileio import storage_error, sync_directory, write_durably

try:  # POSIX; elsewhere imports still work, but nothing is cleaned automatically
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from .project import Project

LOCK_FILE = ".miam_import.lock"
SUFFIX = ".import"


def temporary_for(destination: Path) -> Path:
    """A fresh hidden temporary name beside ``destination`` (unique per import)."""
    return destination.with_name(f".{destination.name}.{secrets.token_hex(4)}{SUFFIX}")


def target_of(temporary: Path) -> str | None:
    """The final file name a temporary stands for (``None`` if it is not one of ours).

    Both ``.<name>.<token>.import`` and an older version's ``.<name>.import`` are recognised.
    """
    name = temporary.name
    if not (name.startswith(".") and name.endswith(SUFFIX)) or len(name) <= len(SUFFIX) + 1:
        return None
    stem = name[1 : -len(SUFFIX)]
    head, _, token = stem.rpartition(".")
    if head and len(token) == 8 and all(c in "0123456789abcdef" for c in token):
        return head
    return stem


def temporaries(corpus: Path) -> list[Path]:
    """Import temporaries present in ``corpus`` (sorted)."""
    if not corpus.is_dir():
        return []
    return sorted(p for p in corpus.iterdir() if p.is_file() and target_of(p) is not None)


@contextlib.contextmanager
def import_lock(root: Path, *, exclusive: bool) -> Iterator[bool]:
    """Hold the project's import lock: shared for an import (several may run at once),
    exclusive for cleaning (only when no import is under way).

    Yields whether the lock was obtained: a shared request waits, an exclusive one does not
    (it yields ``False`` when an import is running). Without ``fcntl`` it yields ``False``.
    """
    if fcntl is None:
        yield False
        return
    try:
        fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX | fcntl.LOCK_NB) if exclusive else fcntl.LOCK_SH)
            obtained = True
        except BlockingIOError:
            obtained = False
        yield obtained
    finally:
        os.close(fd)  # closing releases the lock


def stage(destination: Path, data: bytes) -> Path:
    """Write ``data`` durably to a new temporary beside ``destination``; returns its path.

    Raises a ``StorageError`` subclass (``DiskFull``…) naming the file, leaving nothing behind.
    """
    temporary = temporary_for(destination)
    write_durably(temporary, data)
    return temporary


def put_in_place(moves: Iterable[tuple[Path, Path]]) -> None:
    """Rename each temporary to its final name (after the documents committed)."""
    folders = set()
    for temporary, destination in moves:
        try:
            os.replace(temporary, destination)
        except OSError as err:
            raise storage_error(err, destination, "mettre en place") from err
        folders.add(destination.parent)
    for folder in folders:
        sync_directory(folder)


def discard(paths: Iterable[Path]) -> None:
    """Remove temporaries (an import that did not commit)."""
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def recover(project: Project, referenced: Callable[[], dict[str, str]]) -> list[str]:
    """Finish or undo interrupted imports, if no import is under way; returns what was done.

    ``referenced()`` maps each ``source_file`` the documents use to its SHA-256 (read once the
    lock is held). A temporary whose document committed while its file is missing is renamed
    into place; any other temporary is removed.
    """
    corpus = project.corpus_dir
    found = temporaries(corpus)
    if not found:
        return []
    done: list[str] = []
    with import_lock(project.root, exclusive=True) as alone:
        if not alone:
            return []
        used = referenced()
        for temporary in found:
            target = target_of(temporary)
            if target is None:  # not a temporary (found lists only those)
                continue
            destination = corpus / target
            if target in used and not destination.exists() and _sha256(temporary) == used[target]:
                put_in_place([(temporary, destination)])
                done.append(f"« {target} » mis en place (import interrompu après l'enregistrement)")
            else:
                discard([temporary])
                done.append(f"« {temporary.name} » supprimé (import interrompu)")
    return done


def orphans(corpus: Path, referenced: Iterable[str]) -> list[Path]:
    """Files of ``corpus`` that no document references: import temporaries, and visible files
    that are not any document's source."""
    if not corpus.is_dir():
        return []
    used = set(referenced)
    loose = [
        p
        for p in corpus.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name not in used
    ]
    return sorted(loose + temporaries(corpus))


def clean(project: Project, referenced: Callable[[], Iterable[str]]) -> list[str]:
    """Remove ``orphans`` (``referenced()`` lists the files documents use, read under the lock);
    returns their names. Raises ``StoreLocked`` while an import runs."""
    with import_lock(project.root, exclusive=True) as alone:
        if not alone:
            raise StoreLocked(
                f"Un import est en cours sur « {project.root} » (dans un autre carnet) : rien n'a "
                "été supprimé. Recommencez une fois l'import terminé."
            )
        removed = []
        for path in orphans(project.corpus_dir, referenced()):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as err:
                raise storage_error(err, path, "supprimer") from err
            removed.append(path.name)
        return removed


def changed_files(corpus: Path, expected: dict[str, str]) -> list[str]:
    """Source files present in ``corpus`` whose bytes no longer match their SHA-256."""
    return sorted(
        name
        for name, digest in expected.items()
        if (corpus / name).is_file() and _sha256(corpus / name) != digest
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
