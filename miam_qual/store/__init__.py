"""The embedded SQLite store: one connection, explicit transactions, versioned schema.

Only this package writes SQL. ``Store`` owns the connection; the query and write functions live in
the sibling modules (``documents``, ``codings``, ``codes``, ``people``, ``quotes``) and take the
store as first argument, so each concept keeps one home.

Transactions: ``with store.transaction():`` runs the block in one ``BEGIN IMMEDIATE`` transaction;
a block opened inside another is a savepoint. Whether a transaction is open is asked of SQLite
(``in_transaction``), never counted, so a failed ``COMMIT`` (rolled back here) or an I/O error
(rolled back by SQLite) cannot leave the store believing it is still inside one. Work that must
only happen once the data is committed (replacing the codebook file, renaming imported files)
registers with ``on_commit``; its undo with ``on_rollback``.

Durability: the database runs in WAL mode with ``synchronous=FULL``; a transaction is on disk when
``transaction()`` returns, so a killed kernel loses nothing already confirmed.

Failures reach users as ``StorageError`` subclasses with French messages naming the file
(``StoreLocked``, ``DiskFull``, ``ReadOnlyProject``, ``NotADatabase``, ``IntegrityViolation``…).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

from ..errors import (
    DiskError,
    DiskFull,
    IntegrityViolation,
    NotADatabase,
    ProjectError,
    ReadOnlyProject,
    StorageError,
    StoreLocked,
)
from .migrations import MIGRATIONS

DB_FILE = "miam.sqlite"

#: Seconds a write waits for another notebook's write lock before ``StoreLocked``. Writes are
#: short (a codebook change with 10,000 codes holds the lock well under a second), so waiting
#: longer would only leave the person coding in front of a frozen widget.
LOCK_TIMEOUT = 3.0

# Primary SQLite result codes (https://sqlite.org/rescode.html).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _CONSTRAINT, _NOTADB = (
    5, 6, 8, 10, 11, 13, 14, 19, 26,
)  # fmt: skip
_CONSTRAINT_KINDS = {
    275: "une règle de cohérence (CHECK)",
    787: "une référence vers une donnée absente (clé étrangère)",
    1299: "une valeur obligatoire manquante",
    1555: "un identifiant en double",
    1811: "une règle de la base (déclencheur)",
    2067: "un doublon",
}


def new_guid() -> str:
    """A fresh GUID in REFI-QDA's 8-4-4-4-12 form (lower case)."""
    return str(uuid.uuid4())


def now() -> str:
    """The current UTC time as an ISO 8601 string with seconds (REFI-QDA dateTime)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class _Level:
    """Callbacks registered while one transaction or savepoint is open."""

    def __init__(self) -> None:
        self.commit: list[Callable[[], None]] = []
        self.rollback: list[Callable[[], None]] = []


class Store:
    """One SQLite database file (or ``":memory:"``) holding a project's data.

    ``create=False`` (opening an existing project) refuses a missing, empty or foreign file with
    ``NotADatabase`` instead of creating a new database there. ``read_only=True`` opens the file
    without ever writing to it; ``transaction()`` then raises ``ReadOnlyProject``.
    ``timeout``: seconds to wait for another writer before ``StoreLocked``.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        timeout: float = LOCK_TIMEOUT,
        create: bool = True,
        read_only: bool = False,
    ):
        self.path = str(path)
        self.timeout = timeout
        self.read_only = read_only
        self._levels: list[_Level] = []
        self._names = itertools.count(1)
        self._transactions = 0  # transactions opened on this connection (``stamp``)
        memory = self.path == ":memory:"
        if not memory and not create:
            _check_file(Path(self.path))
        try:
            self.db = self._connect(memory)
        except sqlite3.Error as err:
            raise self._error(err) or StorageError(
                f"Base de données « {self.path} » impossible à ouvrir : {err}."
            ) from err
        try:
            self._check_identity(create)  # before WAL mode, which would write to a foreign file
            self._configure(memory)
            if read_only:
                self._check_schema_current()
            else:
                self.migrate()
        except BaseException:
            self.db.close()
            raise

    # -- opening ------------------------------------------------------------------------------
    def _connect(self, memory: bool) -> sqlite3.Connection:
        def connect(target: str, *, uri: bool = False) -> sqlite3.Connection:
            return sqlite3.connect(
                target, timeout=self.timeout, isolation_level=None, check_same_thread=False, uri=uri
            )

        if memory or not self.read_only:
            db = connect(self.path)
            db.row_factory = sqlite3.Row
            return db
        uri = Path(self.path).resolve().as_uri()
        db = connect(f"{uri}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.Error as err:
            db.close()
            if getattr(err, "sqlite_errorcode", 0) & 0xFF not in (_CANTOPEN, _READONLY):
                raise
        # A read-only folder without the WAL index: readable as an immutable file, unless the
        # WAL still holds committed pages that such a reading would silently ignore.
        wal = Path(self.path + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise ReadOnlyProject(
                f"« {wal} » contient des écritures qui ne sont pas encore reportées dans "
                f"« {self.path} », et le dossier n'est pas modifiable : ouvrez le projet une fois "
                "avec le droit d'écriture pour les y reporter, ou faites-en une copie complète "
                "(miam-qual sauvegarder) et ouvrez la copie."
            )
        db = connect(f"{uri}?immutable=1", uri=True)
        db.row_factory = sqlite3.Row
        return db

    def _configure(self, memory: bool) -> None:
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            if not memory and not self.read_only:
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as err:
            raise self._error(err) or StorageError(
                f"Base de données « {self.path} » impossible à ouvrir : {err}."
            ) from err

    def _check_identity(self, create: bool) -> None:
        """Refuse a database that miam_qual did not create (never write into it)."""
        try:
            version = self.schema_version()
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.Error as err:
            raise self._error(err) or StorageError(str(err)) from err
        if version == 0 and not tables and create:
            return
        if version > 0 and "migrations" in tables:
            return
        if not tables:
            raise NotADatabase(
                f"« {self.path} » ne contient aucune donnée miam_qual (création du projet "
                "interrompue ?). Restaurez une sauvegarde du projet, ou, si le projet venait d'être "
                "créé, supprimez ce fichier et recréez le projet."
            )
        raise NotADatabase(
            f"« {self.path} » est une base SQLite qui n'a pas été créée par miam_qual "
            f"(tables : {', '.join(sorted(tables)[:5])}…). Rien n'y a été écrit : remettez la "
            "base du projet à sa place ou restaurez une sauvegarde."
        )

    def _check_schema_current(self) -> None:
        latest = MIGRATIONS[-1][0] if MIGRATIONS else 0
        current = self.schema_version()
        self._refuse_newer(current, latest)
        if current < latest:
            raise ReadOnlyProject(
                f"La base « {self.path} » doit être mise à jour (schéma {current} → {latest}) mais "
                "le projet est ouvert en lecture seule : ouvrez-le une fois avec le droit d'écriture."
            )

    def _refuse_newer(self, current: int, latest: int) -> None:
        if current > latest:
            raise ProjectError(
                f"La base « {self.path} » a été créée par une version plus récente de miam_qual "
                f"(schéma {current}, cette version connaît {latest}). Mettez miam_qual à jour."
            )

    # -- transactions -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one transaction (outermost) or a savepoint (nested).

        On an exception the block's writes are undone (the whole transaction, or back to the
        savepoint) and the exception propagates, SQLite's own failures turned into
        ``StorageError`` subclasses. If ``COMMIT`` itself fails the transaction is rolled back,
        so the next write starts afresh. Raises ``ReadOnlyProject`` on a read-only store and
        ``StoreLocked`` when another writer keeps the lock past the timeout.
        """
        self.require_writable()
        if self.db.in_transaction:
            with self._savepoint():
                yield self.db
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            self._reraise(err)
        self._transactions += 1
        level = _Level()
        self._levels.append(level)
        try:
            yield self.db
        except BaseException as exc:
            self._levels.pop()
            self._abandon(exc)
            _undo(level.rollback, exc)
            translated = self._translated(exc)
            if translated is exc:
                raise
            raise translated from exc
        try:
            if not self.db.in_transaction:
                raise StorageError(
                    f"La transaction en cours sur « {self.path} » a été annulée par SQLite après "
                    "une erreur : rien n'a été écrit."
                )
            self.db.execute("COMMIT")
        except BaseException as exc:
            self._levels.pop()
            self._abandon(exc)
            _undo(level.rollback, exc)
            translated = self._translated(exc)
            if translated is exc:
                raise
            raise translated from exc
        self._levels.pop()
        _run(level.commit)

    def stamp(self) -> tuple[int, int, int]:
        """A value that changes whenever the data may have: a transaction opened on this
        connection, a row changed outside one, or another connection's commit (SQLite's
        ``PRAGMA data_version``). Equal stamps mean a read made under the first is still true;
        views keep their reads under it (the coding panel re-reads nothing on a mere click)."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        return (self._transactions, self.db.total_changes, version)

    def require_writable(self) -> None:
        """Raise ``ReadOnlyProject`` if this store was opened read-only."""
        if self.read_only:
            raise ReadOnlyProject(
                f"Le projet est ouvert en lecture seule (« {self.path} ») : rien n'a été écrit. "
                "Rouvrez-le avec le droit d'écriture pour le modifier."
            )

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        name = f"miam_{next(self._names)}"
        try:
            self.db.execute(f"SAVEPOINT {name}")
        except sqlite3.Error as err:
            self._reraise(err)
        level = _Level()
        self._levels.append(level)
        try:
            yield
        except BaseException as exc:
            self._levels.pop()
            # An I/O error may already have rolled the whole transaction back (SQLite does so
            # for SQLITE_FULL and SQLITE_IOERR): then there is no savepoint left to return to.
            if self.db.in_transaction:
                try:
                    self.db.execute(f"ROLLBACK TO {name}")
                    self.db.execute(f"RELEASE {name}")
                except sqlite3.Error as err:
                    exc.add_note(f"retour au point de sauvegarde impossible : {err}")
            _undo(level.rollback, exc)
            translated = self._translated(exc)
            if translated is exc:
                raise
            raise translated from exc
        self._levels.pop()
        self.db.execute(f"RELEASE {name}")
        if self._levels:
            self._levels[-1].commit.extend(level.commit)
            self._levels[-1].rollback.extend(level.rollback)

    def _abandon(self, exc: BaseException) -> None:
        """Roll the open transaction back (if SQLite has not already), keeping ``exc``."""
        if not self.db.in_transaction:
            return
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error as err:
            exc.add_note(f"annulation impossible : {err}")

    def on_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the outermost transaction has committed (never if it rolls back).

        For work outside the database that must follow committed data only: replacing the
        codebook file, renaming imported files into place. Raises ``RuntimeError`` outside a
        transaction.
        """
        self._current_level().commit.append(action)

    def on_rollback(self, action: Callable[[], None]) -> None:
        """Run ``action`` if the current block (transaction or savepoint) is rolled back."""
        self._current_level().rollback.append(action)

    def _current_level(self) -> _Level:
        if not self._levels:
            raise RuntimeError("on_commit/on_rollback need an open store.transaction()")
        return self._levels[-1]

    # -- errors -------------------------------------------------------------------------------
    def _translated(self, exc: BaseException) -> BaseException:
        if isinstance(exc, sqlite3.Error):
            return self._error(exc) or exc
        return exc

    def _reraise(self, err: sqlite3.Error) -> NoReturn:
        translated = self._error(err)
        if translated is None:
            raise err
        raise translated from err

    def _error(self, err: sqlite3.Error) -> StorageError | None:
        """The French ``StorageError`` for an SQLite failure, or ``None`` for a programming error
        (bad SQL), which must surface as it is."""
        code = getattr(err, "sqlite_errorcode", None)
        if code is None:
            return None
        primary, where = code & 0xFF, f"« {self.path} »"
        if primary in (_BUSY, _LOCKED):
            return StoreLocked(
                f"La base du projet {where} est occupée par un autre carnet ou programme qui y "
                f"écrit (attente de {self.timeout:g} s) : rien n'a été écrit. Réessayez dans un "
                "instant ; si cela dure, fermez les autres carnets ouverts sur ce projet."
            )
        if primary == _FULL or (primary == _IOERR and _space_or_size_exhausted(self.path)):
            return DiskFull(
                f"Plus de place pour écrire dans {where} (disque plein, quota ou taille maximale "
                "de fichier atteints) : rien n'a été écrit. Libérez de la place puis recommencez."
            )
        if primary == _IOERR:
            return DiskError(
                f"Erreur d'entrée-sortie du disque sur {where} (support retiré ou défaillant ?) : "
                "rien n'a été écrit. Vérifiez le disque, puis faites une sauvegarde du projet."
            )
        if primary == _READONLY:
            return ReadOnlyProject(
                f"{where} est en lecture seule (droits du fichier ou du dossier, support protégé) : "
                "rien n'a été écrit."
            )
        if primary in (_NOTADB, _CORRUPT):
            return NotADatabase(
                f"{where} n'est pas une base miam_qual lisible (fichier endommagé ou d'un autre "
                "programme). Restaurez une sauvegarde du projet (miam-qual sauvegarder)."
            )
        if primary == _CANTOPEN:
            return StorageError(
                f"Impossible d'ouvrir {where} : vérifiez que le dossier existe et qu'il est "
                "accessible."
            )
        if primary == _CONSTRAINT:
            kind = _CONSTRAINT_KINDS.get(code, "une règle de la base")
            return IntegrityViolation(
                f"La base {where} a refusé l'écriture, qui enfreignait {kind} : rien n'a été "
                "écrit. Une donnée liée a peut-être été modifiée dans un autre carnet : "
                "rechargez puis réessayez."
            )
        return None

    # -- schema -------------------------------------------------------------------------------
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> list[str]:
        """Apply pending migrations in order; returns the names applied."""
        applied: list[str] = []
        current = self.schema_version()
        latest = MIGRATIONS[-1][0] if MIGRATIONS else 0
        self._refuse_newer(current, latest)
        for version, name, function in MIGRATIONS:
            if version <= current:
                continue
            with self.transaction() as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS migrations "
                    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                function(db)
                db.execute(
                    "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, now()),
                )
                db.execute(f"PRAGMA user_version = {int(version)}")
            applied.append(name)
        return applied

    # -- plain reads --------------------------------------------------------------------------
    def rows(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            self._reraise(err)

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        try:
            return self.db.execute(sql, params).fetchone()
        except sqlite3.Error as err:
            self._reraise(err)

    def row(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row:
        """The row a query always returns (an aggregate, a row that must exist). Its absence is a
        broken invariant, not a user's mistake: it raises ``LookupError`` naming the query."""
        found = self.one(sql, params)
        if found is None:
            raise LookupError(f"no row for {sql!r} {params!r} in {self.path}")
        return found

    # -- copies -------------------------------------------------------------------------------
    def backup_to(self, target: Path) -> None:
        """Write a consistent copy of the database, WAL content included, to a new file
        ``target`` (SQLite's backup API). Raises a ``StorageError`` subclass naming the file."""
        copy = sqlite3.connect(str(target), isolation_level=None)
        try:
            self.db.backup(copy)
            copy.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as err:
            raise _copy_error(err, target) from err
        finally:
            copy.close()

    def close(self) -> None:
        self.db.close()


def _run(actions: list[Callable[[], None]]) -> None:
    """Run every action, then raise the first failure (one failing must not skip the others)."""
    first: BaseException | None = None
    for action in actions:
        try:
            action()
        except BaseException as exc:  # re-raised below, once the others have run
            first = first or exc
    if first is not None:
        raise first


def _undo(actions: list[Callable[[], None]], cause: BaseException) -> None:
    """Run undo actions, newest first; their failures become notes on ``cause``, which wins."""
    for action in reversed(actions):
        try:
            action()
        except Exception as exc:  # the original failure is what the caller must see
            cause.add_note(f"annulation incomplète : {exc}")


def _check_file(path: Path) -> None:
    """Refuse, before SQLite sees it, a database file that is missing or empty."""
    if not path.exists():
        raise NotADatabase(
            f"« {path} » est introuvable : ce dossier n'a plus sa base de données. Restaurez une "
            "sauvegarde du projet."
        )
    if path.stat().st_size == 0:
        raise NotADatabase(
            f"« {path} » est vide (0 octet) : la base du projet a été tronquée ou remplacée. "
            "Rien n'y a été écrit ; restaurez une sauvegarde du projet (miam-qual sauvegarder)."
        )


def _space_or_size_exhausted(path: str) -> bool:
    """Whether an I/O error on ``path`` is explained by a full disk or a file-size limit.

    SQLite reports ENOSPC as SQLITE_FULL but a write refused by the file-size limit (EFBIG) as a
    plain I/O error; both mean the same to the person in front of the screen.
    """
    try:
        if shutil.disk_usage(Path(path).parent).free < 1 << 20:
            return True
    except OSError:
        pass
    try:
        import resource
    except ImportError:
        return False
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return soft != resource.RLIM_INFINITY


def _copy_error(err: sqlite3.Error, target: Path) -> StorageError:
    code = getattr(err, "sqlite_errorcode", 0) & 0xFF
    if code == _FULL or (code == _IOERR and _space_or_size_exhausted(str(target))):
        return DiskFull(
            f"Plus de place pour écrire la copie de la base « {target} » (disque plein, quota ou "
            "taille maximale de fichier atteints)."
        )
    return StorageError(f"Copie de la base vers « {target} » impossible : {err}.")
