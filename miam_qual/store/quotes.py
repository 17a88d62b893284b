"""SQL for quotes (publication excerpts), their targets and their change history."""

from __future__ import annotations

import pandas as pd

from . import Store, new_guid, now

QUOTE_FIELDS = (
    "display",
    "theme_id",
    "participant",
    "start",
    "end",
    "original",
    "begin_ms",
    "end_ms",
)


def add_quote(
    store: Store,
    *,
    document: str,
    start: int,
    end: int,
    original: str,
    coding: str | None,
    theme_id: str | None,
    participant: str | None,
    begin_ms: int | None,
    end_ms: int | None,
    status: str,
    who: str,
) -> str:
    """Insert a quote (display text = original) and its first history row; returns its GUID."""
    guid = new_guid()
    stamp = now()
    number = store.row("SELECT COALESCE(MAX(number), 0) + 1 AS n FROM quotes")["n"]
    store.db.execute(
        'INSERT INTO quotes (guid, number, document_guid, start, "end", original, display, '
        "coding_guid, theme_id, participant, begin_ms, end_ms, status, created_by, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (guid, number, document, start, end, original, original, coding, theme_id, participant,
         begin_ms, end_ms, status, who, stamp, stamp),
    )  # fmt: skip
    log(store, guid, who, "proposition", None, status)
    return guid


def find_quote(store: Store, document: str, start: int, end: int) -> str | None:
    """GUID of the quote already covering exactly this span, if any."""
    row = store.one(
        'SELECT guid FROM quotes WHERE document_guid = ? AND start = ? AND "end" = ?',
        (document, start, end),
    )
    return row["guid"] if row else None


def resolve(store: Store, quote: str) -> str | None:
    """GUID of a quote given its GUID or readable id (``C007``, ``7``)."""
    row = store.one("SELECT guid FROM quotes WHERE guid = ?", (quote,))
    if row:
        return row["guid"]
    digits = quote.strip().upper().removeprefix("C")
    if digits.isdigit():
        row = store.one("SELECT guid FROM quotes WHERE number = ?", (int(digits),))
        return row["guid"] if row else None
    return None


def get_quote(store: Store, guid: str) -> dict | None:
    row = store.one('SELECT *, "end" AS end_ FROM quotes WHERE guid = ?', (guid,))
    return dict(row) if row else None


def update_quote(store: Store, guid: str, values: dict[str, object]) -> None:
    """Set columns of ``QUOTE_FIELDS`` (or ``status``) and bump ``updated_at``."""
    allowed = set(QUOTE_FIELDS) | {"status"}
    for column in values:
        if column not in allowed:
            raise ValueError(f"not a quote column: {column}")
    assignments = ", ".join(f'"{column}" = ?' for column in values)
    store.db.execute(
        f"UPDATE quotes SET {assignments}, updated_at = ? WHERE guid = ?",
        (*values.values(), now(), guid),
    )


def set_targets(store: Store, guid: str, targets: list[str]) -> None:
    store.db.execute("DELETE FROM quote_targets WHERE quote_guid = ?", (guid,))
    store.db.executemany(
        "INSERT INTO quote_targets (quote_guid, target) VALUES (?, ?)", [(guid, t) for t in targets]
    )


def targets_of(store: Store, guid: str) -> list[str]:
    rows = store.rows(
        "SELECT target FROM quote_targets WHERE quote_guid = ? ORDER BY target", (guid,)
    )
    return [r["target"] for r in rows]


def log(store: Store, guid: str, who: str, action: str, old: object, new: object) -> None:
    store.db.execute(
        "INSERT INTO quote_history (quote_guid, at, who, action, old, new) VALUES (?,?,?,?,?,?)",
        (
            guid,
            now(),
            who,
            action,
            None if old is None else str(old),
            None if new is None else str(new),
        ),
    )


def delete_quote(store: Store, guid: str) -> None:
    store.db.execute("DELETE FROM quotes WHERE guid = ?", (guid,))


def quotes_frame(store: Store) -> pd.DataFrame:
    """One row per quote: ``quote_guid, number, document_id, document, media, start, end,
    original, display, coding_id, theme_id, participant, begin_ms, end_ms, status, targets``
    (targets joined by ``|``), ``created_by, created_at, updated_at``."""
    return pd.read_sql_query(
        "SELECT q.guid AS quote_guid, q.number, q.document_guid AS document_id, d.name AS document, "
        'd.media, q.start, q."end" AS "end", q.original, q.display, q.coding_guid AS coding_id, '
        "q.theme_id, q.participant, q.begin_ms, q.end_ms, q.status, "
        "(SELECT GROUP_CONCAT(target, '|') FROM (SELECT target FROM quote_targets t "
        " WHERE t.quote_guid = q.guid ORDER BY target)) AS targets, "
        "q.created_by, q.created_at, q.updated_at "
        "FROM quotes q JOIN documents d ON d.guid = q.document_guid ORDER BY q.number",
        store.db,
    )


def history_frame(store: Store, guid: str | None = None) -> pd.DataFrame:
    """``quote_guid, number, at, who, action, old, new``, oldest first."""
    sql = (
        "SELECT h.quote_guid, q.number, h.at, h.who, h.action, h.old, h.new FROM quote_history h "
        "JOIN quotes q ON q.guid = h.quote_guid"
    )
    params: tuple = ()
    if guid:
        sql += " WHERE h.quote_guid = ?"
        params = (guid,)
    return pd.read_sql_query(sql + " ORDER BY h.id", store.db, params=params)
