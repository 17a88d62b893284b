"""SQL for the store's mirror of the codebook and the codebook's change log."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..codebook import Code, Codebook
from . import Store, now


def stored_codes(store: Store) -> dict[str, dict]:
    """The codes table as ``{code_id: row dict}``."""
    return {r["id"]: dict(r) for r in store.rows("SELECT * FROM codes ORDER BY position")}


def _row(code: Code, position: int) -> tuple:
    return (*_fields(code), position)


def _fields(code: Code) -> tuple:
    """A code's row without its position."""
    return (
        code.guid, code.id, code.parent, code.label, code.definition, code.inclusion,
        code.exclusion, code.example, code.color, json.dumps(list(code.keywords), ensure_ascii=False),
        int(code.codable),
    )  # fmt: skip


def comparable(row: Mapping[str, Any] | sqlite3.Row) -> tuple:
    """A stored row in the shape of ``_row`` (for diffing against the YAML)."""
    return (
        row["guid"], row["id"], row["parent_id"], row["label"], row["definition"],
        row["inclusion"], row["exclusion"], row["example"], row["color"], row["keywords"],
        row["codable"], row["position"],
    )  # fmt: skip


def codings_per_code(store: Store) -> dict[str, int]:
    """Codings per code id, orphan codings (``orphan_codings``) included: they still carry it."""
    rows = store.rows(
        "SELECT k.id, COUNT(c.guid) + (SELECT COUNT(*) FROM orphan_codings o "
        "WHERE o.code_guid = k.guid) AS n FROM codes k LEFT JOIN codings c ON c.code_guid = k.guid "
        "GROUP BY k.id"
    )
    return {r["id"]: r["n"] for r in rows}


def diff(
    store: Store, codebook: Codebook
) -> tuple[list[Code], list[tuple[Code, dict]], list[dict]]:
    """(added, changed as (new, old row), removed rows) between the store and ``codebook``."""
    old = stored_codes(store)
    added, changed = [], []
    for position, code in enumerate(codebook):
        if code.id not in old:
            added.append(code)
        elif comparable(old[code.id]) != _row(code, position):
            changed.append((code, old[code.id]))
    removed = [row for code_id, row in old.items() if code_id not in codebook.codes]
    return added, changed, removed


def rows_of(
    codebook: Codebook, previous: Codebook | None = None, previous_rows: dict | None = None
) -> dict[str, tuple]:
    """The codes table that mirrors ``codebook``, as ``{code_id: row}`` (see ``_row``).

    A code that is the very object it was in ``previous`` (whose rows are ``previous_rows``)
    reuses its row: a change touches a few codes of thousands.
    """
    old: dict[str, Code] = {}
    old_rows: dict[str, tuple] = {}
    if previous is not None and previous_rows is not None:
        old, old_rows = previous.codes, previous_rows
    rows = {}
    for position, code in enumerate(codebook):
        if old.get(code.id) is code:
            rows[code.id] = (*old_rows[code.id][:-1], position)
        else:
            rows[code.id] = _row(code, position)
    return rows


def write_codebook(store: Store, codebook: Codebook) -> dict[str, tuple]:
    """Make the codes table equal to ``codebook`` (codings keep their code GUIDs), writing only
    the rows that differ; returns the rows (``rows_of``)."""
    old = {code_id: comparable(row) for code_id, row in stored_codes(store).items()}
    new = rows_of(codebook)
    write_rows(store, old, new)
    return new


def write_rows(store: Store, old: dict[str, tuple], new: dict[str, tuple]) -> None:
    """Turn the codes table from ``old`` into ``new`` (both ``rows_of``): delete the rows that
    went, upsert those that changed, leave the others alone."""
    gone = [(code_id,) for code_id in old if code_id not in new]
    changed = [row for code_id, row in new.items() if old.get(code_id) != row]
    store.db.executemany("DELETE FROM codes WHERE id = ?", gone)
    store.db.executemany(
        "INSERT INTO codes (guid, id, parent_id, label, definition, inclusion, exclusion, example, "
        "color, keywords, codable, position) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, label = excluded.label, "
        "definition = excluded.definition, inclusion = excluded.inclusion, "
        "exclusion = excluded.exclusion, example = excluded.example, color = excluded.color, "
        "keywords = excluded.keywords, codable = excluded.codable, position = excluded.position",
        changed,
    )


def stored_codebook(store: Store) -> tuple[Codebook, dict[str, tuple]]:
    """The committed codebook rebuilt from the codes table and the codebook state (name,
    description), in file order (codes carry no line numbers), with its rows (``rows_of``)."""
    state = codebook_state(store)
    codes, rows = {}, {}
    for row in store.rows("SELECT * FROM codes ORDER BY position"):
        rows[row["id"]] = comparable(row)
        codes[row["id"]] = Code(
            id=row["id"], label=row["label"], parent=row["parent_id"],
            definition=row["definition"], inclusion=row["inclusion"], exclusion=row["exclusion"],
            example=row["example"], color=row["color"], keywords=tuple(json.loads(row["keywords"])),
            codable=bool(row["codable"]),
        )  # fmt: skip
    return Codebook(state["name"], state["description"], codes), rows


# -- the committed state the codebook file follows (see migration 4) ---------------------------
def codebook_state(store: Store) -> dict:
    """``version, name, description, file_sha256, replaced_sha256`` of the committed codebook."""
    return dict(store.row("SELECT * FROM codebook_state WHERE id = 1"))


def set_codebook_state(
    store: Store,
    *,
    version: int,
    name: str,
    description: str,
    file_sha256: str,
    replaced_sha256: str | None,
) -> None:
    """Record the committed codebook (inside the transaction that changes the codes)."""
    store.db.execute(
        "UPDATE codebook_state SET version = ?, name = ?, description = ?, file_sha256 = ?, "
        "replaced_sha256 = ? WHERE id = 1",
        (version, name, description, file_sha256, replaced_sha256),
    )


def file_written(store: Store, file_sha256: str) -> None:
    """Note that the codebook file now matches the committed state ``file_sha256``."""
    store.db.execute(
        "UPDATE codebook_state SET replaced_sha256 = NULL WHERE file_sha256 = ?", (file_sha256,)
    )


def codebook_version(store: Store) -> int:
    return store.row("SELECT version FROM codebook_state WHERE id = 1")[0]


def log_change(store: Store, *, who: str, action: str, code_id: str, details: dict) -> None:
    store.db.execute(
        "INSERT INTO codebook_log (at, who, action, code_id, details) VALUES (?,?,?,?,?)",
        (now(), who, action, code_id, json.dumps(details, ensure_ascii=False)),
    )


def history_frame(store: Store) -> pd.DataFrame:
    """``at, who, action, code_id, details`` (details decoded from JSON), oldest first."""
    frame = pd.read_sql_query(
        "SELECT at, who, action, code_id, details FROM codebook_log ORDER BY id", store.db
    )
    frame["details"] = frame["details"].map(json.loads)
    return frame


def reassign_codings(store: Store, source_guid: str, target_guid: str) -> int:
    """Move every coding of ``source`` onto ``target``; duplicates (same span, same coder) merge.

    Returns the number of codings moved.
    """
    db = store.db
    db.execute(
        "DELETE FROM codings WHERE code_guid = ? AND EXISTS (SELECT 1 FROM codings t "
        "WHERE t.code_guid = ? AND t.selection_guid = codings.selection_guid "
        "AND t.coder_guid = codings.coder_guid)",
        (source_guid, target_guid),
    )
    db.execute(  # orphan codings (corrected texts) follow their code too
        "UPDATE orphan_codings SET code_guid = ? WHERE code_guid = ?", (target_guid, source_guid)
    )
    return db.execute(
        "UPDATE codings SET code_guid = ? WHERE code_guid = ?", (target_guid, source_guid)
    ).rowcount
