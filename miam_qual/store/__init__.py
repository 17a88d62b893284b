"""The embedded SQLite store: one connection, explicit transactions, versioned schema.

Only this package writes SQL. ``Store`` owns the connection; the query and write functions live in
the sibling modules (``documents``, ``codings``, ``codes``, ``participants``, ``notes``) and take the
store as first argument, so each concept keeps one home.

Durability: the database runs in WAL mode with ``synchronous=FULL``; a transaction is on disk when
``transaction()`` returns, so a killed kernel loses nothing already confirmed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

from ..errors import ProjectError
from .migrations import MIGRATIONS

DB_FILE = "miam.sqlite"


def new_guid() -> str:
    """A fresh GUID in REFI-QDA's 8-4-4-4-12 form (lower case)."""
    return str(uuid.uuid4())


def now() -> str:
    """The current UTC time as an ISO 8601 string with seconds (REFI-QDA dateTime)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Store:
    """One SQLite database file (or ``":memory:"``) holding a project's data.

    Use ``with store.transaction():`` for every write; nested blocks become savepoints, and the
    outermost block commits (or rolls back everything on an exception).
    """

    def __init__(self, path: Path | str, *, timeout: float = 10.0):
        self.path = str(path)
        try:
            self.db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as err:
            raise ProjectError(
                f"Base de données « {self.path} » impossible à ouvrir : {err}"
            ) from err
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        self._depth = 0
        self.migrate()

    # -- transactions -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one transaction (outermost) or a savepoint (nested)."""
        name = f"sp{self._depth}"
        if self._depth == 0:
            self.db.execute("BEGIN IMMEDIATE")
        else:
            self.db.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self.db
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self.db.execute("ROLLBACK")
            else:
                self.db.execute(f"ROLLBACK TO {name}")
                self.db.execute(f"RELEASE {name}")
            raise
        else:
            self._depth -= 1
            if self._depth == 0:
                self.db.execute("COMMIT")
            else:
                self.db.execute(f"RELEASE {name}")

    # -- schema -------------------------------------------------------------------------------
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> list[str]:
        """Apply pending migrations in order; returns the names applied."""
        applied: list[str] = []
        current = self.schema_version()
        latest = MIGRATIONS[-1][0] if MIGRATIONS else 0
        if current > latest:
            raise ProjectError(
                f"La base « {self.path} » a été créée par une version plus récente de miam_qual "
                f"(schéma {current}, cette version connaît {latest}). Mettez miam_qual à jour."
            )
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
        return self.db.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.db.execute(sql, params).fetchone()

    def close(self) -> None:
        self.db.close()
