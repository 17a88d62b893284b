"""Small file-system helpers that never leave a half-written file behind, and that turn the
operating system's failures into French errors naming the file."""

from __future__ import annotations

import errno
import os
import signal
import tempfile
from pathlib import Path

from .errors import DiskError, DiskFull, ReadOnlyProject, StorageError

#: Environment variable naming a ``crash_point`` at which the process kills itself (fault tests).
CRASH_VARIABLE = "MIAM_TEST_KILL_AT"

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}


def crash_point(name: str) -> None:
    """Kill this process with SIGKILL when ``$MIAM_TEST_KILL_AT`` equals ``name``.

    The fault tests use it to stop a write at a chosen point (between the commit and a file
    rename, say) exactly as a killed kernel would; in normal use the variable is unset and this
    is one dictionary look-up.
    """
    if os.environ.get(CRASH_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def storage_error(err: OSError, path: Path | str, doing: str = "écrire") -> StorageError:
    """The ``StorageError`` subclass that says in French what ``err`` means for ``path``."""
    where = f"« {path} »"
    if err.errno in _FULL:
        return DiskFull(
            f"Impossible d'{doing} {where} : plus de place (disque plein, quota ou taille maximale "
            "de fichier atteints). Libérez de la place puis recommencez."
        )
    if err.errno in _READ_ONLY:
        return ReadOnlyProject(
            f"Impossible d'{doing} {where} : le fichier ou son dossier est en lecture seule "
            "(droits insuffisants ou support protégé en écriture)."
        )
    if err.errno == errno.EIO:
        return DiskError(
            f"Impossible d'{doing} {where} : erreur d'entrée-sortie du disque (support retiré "
            "ou défaillant ?)."
        )
    return StorageError(f"Impossible d'{doing} {where} : {err.strerror or err}.")


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``.

    A crash leaves either the old file or the new one, never a truncated one. ``mode``: the
    file's permissions (default: what a plain ``open()`` gives under the umask). Raises a
    ``StorageError`` subclass (``DiskFull``, ``ReadOnlyProject``…) naming ``path``; the temporary
    file is removed then.
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600 files; give the result the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask() if mode is None else mode)
        os.replace(tmp, path)
        sync_directory(path.parent)
    except OSError as err:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise storage_error(err, path) from err
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def private_folder(path: Path) -> Path:
    """Create (or tighten) a folder only its owner can enter (0700), e.g. ``prive/``."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write UTF-8 ``text`` atomically (see ``atomic_write_bytes``)."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def write_durably(path: Path, data: bytes) -> None:
    """Create ``path`` (which must not exist) with ``data``, flushed to the disk.

    On failure the partial file is removed and a ``StorageError`` subclass naming it is raised.
    """
    try:
        with open(path, "xb") as handle:
            try:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            except BaseException:
                path.unlink(missing_ok=True)
                raise
    except OSError as err:
        raise storage_error(err, path) from err


def sync_directory(folder: Path) -> None:
    """Flush a folder's entries (after a rename) so the rename survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not supported here (some file systems, Windows): the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
