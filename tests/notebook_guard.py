"""Running a notebook top to bottom must leave its project exactly as it was.

``fingerprint(folder)`` reads a project folder: the database's logical content (schema, user
version and every table's rows, sorted) and every other file with its bytes (SQLite's ``-wal``,
``-shm`` and ``-journal`` companions excepted: they change whenever the database is read).
``differences(before, after)`` says in French what changed, table by table and file by file.

The root ``conftest.py`` fingerprints each notebook's private copy of the demo project before its
kernel starts; ``add_guards`` appends one extra test per notebook, run after its last cell on the
same pytest-xdist worker (``--dist loadfile`` keeps a file's tests together, in order), which
fingerprints the copy again and fails naming the notebook and every change.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

DB_FILE = "miam.sqlite"
DB_COMPANIONS = ("-wal", "-shm", "-journal")
GUARD_NAME = "projet_inchange"
#: Notebooks known to change their project, and why: their guard reports the changes as an
#: expected failure, and fails once they no longer write (so that the exception goes away).
KNOWN_WRITERS: dict[str, str] = {}
#: How many changed rows a message quotes per table.
SHOWN_ROWS = 3


@dataclass(frozen=True)
class Fingerprint:
    """What a user could see of a project: tables (name → sorted rows) and files."""

    schema: tuple[tuple[str, str], ...]
    user_version: int
    tables: dict[str, tuple[tuple, ...]]
    #: Relative path → SHA-256 of the bytes, or ``"dossier"`` for a folder.
    files: dict[str, str]


def _sort_key(row: tuple) -> tuple:
    # Rows mix None, numbers, text and bytes: compare their types' names first.
    return tuple((type(v).__name__, v) if v is not None else ("", 0) for v in row)


def read_database(path: Path) -> tuple[tuple[tuple[str, str], ...], int, dict]:
    """Schema, ``user_version`` and every table's rows (sorted) of a SQLite file, read without
    writing a byte (a read-only connection; the WAL's committed pages are included)."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        with connection:  # one read transaction: a consistent snapshot
            connection.execute("BEGIN")
            schema = tuple(
                connection.execute(
                    "SELECT name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
                ).fetchall()
            )
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {}
            names = [n for (n,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )]  # fmt: skip
            for name in names:
                rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()
                tables[name] = tuple(sorted(rows, key=_sort_key))
    finally:
        connection.close()
    return schema, version, tables


def fingerprint(root: Path) -> Fingerprint:
    """The fingerprint of the project folder ``root`` (see the module docstring)."""
    root = Path(root)
    schema, version, tables = read_database(root / DB_FILE)
    files: dict[str, str] = {}
    skipped = {DB_FILE, *(DB_FILE + suffix for suffix in DB_COMPANIONS)}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative in skipped:
            continue
        if path.is_dir() and not path.is_symlink():
            files[relative] = "dossier"
        else:
            files[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return Fingerprint(schema, version, tables, files)


def _row(row: tuple) -> str:
    def cell(value: object) -> str:
        text = repr(value)
        return text if len(text) <= 40 else text[:39] + "…"

    return "(" + ", ".join(cell(v) for v in row) + ")"


def _rows(rows: list[tuple]) -> str:
    shown = "; ".join(_row(r) for r in rows[:SHOWN_ROWS])
    more = f" (+{len(rows) - SHOWN_ROWS})" if len(rows) > SHOWN_ROWS else ""
    return shown + more


def differences(before: Fingerprint, after: Fingerprint) -> list[str]:
    """Every change from ``before`` to ``after``, one French sentence each; empty when none."""
    changes = []
    if before.schema != after.schema:
        changes.append("schéma de la base modifié")
    if before.user_version != after.user_version:
        changes.append(
            f"version du schéma : {before.user_version} → {after.user_version} (user_version)"
        )
    for table in sorted(set(before.tables) | set(after.tables)):
        old, new = before.tables.get(table, ()), after.tables.get(table, ())
        if old == new:
            continue
        old_set, new_set = set(old), set(new)
        added = [r for r in new if r not in old_set]
        removed = [r for r in old if r not in new_set]
        parts = []
        if added:
            parts.append(f"{len(added)} ligne(s) ajoutée(s) : {_rows(added)}")
        if removed:
            parts.append(f"{len(removed)} ligne(s) retirée(s) : {_rows(removed)}")
        if not parts:  # same rows, another multiplicity
            parts.append(f"{len(old)} → {len(new)} ligne(s)")
        changes.append(f"table {table} : " + " ; ".join(parts))
    for name in sorted(set(before.files) | set(after.files)):
        old, new = before.files.get(name), after.files.get(name)
        if old == new:
            continue
        kind = "dossier" if "dossier" in (old, new) else "fichier"
        if old is None:
            changes.append(f"{kind} ajouté : {name}")
        elif new is None:
            changes.append(f"{kind} supprimé : {name}")
        else:
            changes.append(f"fichier modifié : {name}")
    return changes


# --- The guard: one extra test per notebook -----------------------------------------------

BEFORE = pytest.StashKey[dict]()


def remember(config: pytest.Config, notebook: Path, project: Path) -> None:
    """Record ``project``'s fingerprint for ``notebook``, before its kernel starts."""
    config.stash.setdefault(BEFORE, {})[notebook] = (project, fingerprint(project))


class ProjectUnchanged(pytest.Item):
    """Runs after a notebook's last cell: its project must be exactly as before its first."""

    def runtest(self) -> None:
        recorded = self.config.stash.get(BEFORE, {}).get(self.path)
        if recorded is None:
            raise ProjectChanged(
                f"{self.path.name} : aucune empreinte du projet avant la première cellule (les "
                "cellules d'un carnet et ce test doivent tourner dans le même processus : "
                "pytest-xdist avec --dist loadfile)."
            )
        project, before = recorded
        changes = differences(before, fingerprint(project))
        known = KNOWN_WRITERS.get(self.path.name)
        if known is not None:
            if not changes:
                raise ProjectChanged(
                    f"{self.path.name} ne modifie plus son projet : retirez-le de KNOWN_WRITERS "
                    "(tests/notebook_guard.py)."
                )
            pytest.xfail(f"{known} ; changements : " + " ; ".join(changes))
        if changes:
            raise ProjectChanged(
                f"Exécuter {self.path.name} du début à la fin a modifié le projet "
                f"(« Exécuter tout » ne doit rien changer qu'un bouton n'ait demandé) :\n"
                + "\n".join(f"  - {change}" for change in changes)
            )

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ProjectChanged):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.path.name} : projet inchangé"


class ProjectChanged(AssertionError):
    """A notebook changed the project it ran on."""


def add_guards(items: list[pytest.Item]) -> None:
    """Append a ``ProjectUnchanged`` test after the last selected cell of each notebook."""
    last: dict[Path, int] = {}
    for index, item in enumerate(items):
        if item.path.suffix == ".ipynb" and not isinstance(item, ProjectUnchanged):
            last[item.path] = index
    for index in sorted(last.values(), reverse=True):
        notebook = items[index].parent
        items.insert(index + 1, ProjectUnchanged.from_parent(notebook, name=GUARD_NAME))
