"""SQL for the store's mirror of the codebook and the codebook's change log."""

from __future__ import annotations

import json

import pandas as pd

from ..codebook import Code, Codebook
from . import Store, now


def stored_codes(store: Store) -> dict[str, dict]:
    """The codes table as ``{code_id: row dict}``."""
    return {r["id"]: dict(r) for r in store.rows("SELECT * FROM codes ORDER BY position")}


def _row(code: Code, position: int) -> tuple:
    return (
        code.guid, code.id, code.parent, code.label, code.definition, code.inclusion,
        code.exclusion, code.example, code.color, json.dumps(list(code.keywords), ensure_ascii=False),
        int(code.codable), position,
    )  # fmt: skip


def comparable(row: dict) -> tuple:
    """A stored row in the shape of ``_row`` (for diffing against the YAML)."""
    return (
        row["guid"], row["id"], row["parent_id"], row["label"], row["definition"],
        row["inclusion"], row["exclusion"], row["example"], row["color"], row["keywords"],
        row["codable"], row["position"],
    )  # fmt: skip


def codings_per_code(store: Store) -> dict[str, int]:
    rows = store.rows(
        "SELECT k.id, COUNT(c.guid) AS n FROM codes k LEFT JOIN codings c ON c.code_guid = k.guid "
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


def write_codebook(store: Store, codebook: Codebook) -> None:
    """Make the codes table equal to ``codebook`` (codings keep their code GUIDs)."""
    keep = list(codebook.codes)
    if keep:
        store.db.execute(f"DELETE FROM codes WHERE id NOT IN ({','.join('?' * len(keep))})", keep)
    else:
        store.db.execute("DELETE FROM codes")
    store.db.executemany(
        "INSERT INTO codes (guid, id, parent_id, label, definition, inclusion, exclusion, example, "
        "color, keywords, codable, position) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, label = excluded.label, "
        "definition = excluded.definition, inclusion = excluded.inclusion, "
        "exclusion = excluded.exclusion, example = excluded.example, color = excluded.color, "
        "keywords = excluded.keywords, codable = excluded.codable, position = excluded.position",
        [_row(c, i) for i, c in enumerate(codebook)],
    )


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
    return db.execute(
        "UPDATE codings SET code_guid = ? WHERE code_guid = ?", (target_guid, source_guid)
    ).rowcount
