"""SQL for the review loop: threads on codings, codes and theme summaries, their replies, and the
audit trail of coding changes (migration 7).

The audit functions are called by every write that changes codings, inside that write's
transaction: a failing audit insert undoes the change, and a change never goes unrecorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import pandas as pd

from . import Store, new_guid, now

AUDIT_ACTIONS = ("ajouté", "retiré", "déplacé", "fusionné", "re-ancré")

_CODING_STATE = (
    'SELECT c.guid AS coding_guid, s.document_guid, s.start, s."end", s.text, k.id AS code_id, '
    "u.name AS coder FROM codings c JOIN selections s ON s.guid = c.selection_guid "
    "JOIN codes k ON k.guid = c.code_guid JOIN users u ON u.guid = c.coder_guid "
)


# -- audit trail ----------------------------------------------------------------------------------
def coding_states(store: Store, codings: Iterable[str]) -> list[dict]:
    """The current ``coding_guid, document_guid, start, end, text, code_id, coder`` of codings
    (those that exist), in the order given."""
    wanted = list(dict.fromkeys(codings))
    states: dict[str, dict] = {}
    for at in range(0, len(wanted), 500):  # within SQLite's limit on parameters
        chunk = wanted[at : at + 500]
        sql = _CODING_STATE + f"WHERE c.guid IN ({','.join('?' * len(chunk))})"
        states.update((r["coding_guid"], dict(r)) for r in store.db.execute(sql, chunk))
    return [states[g] for g in wanted if g in states]


def codings_of_code(store: Store, code_guid: str) -> list[dict]:
    """The current states of every coding of a code (as ``coding_states``)."""
    rows = store.db.execute(_CODING_STATE + "WHERE c.code_guid = ?", (code_guid,)).fetchall()
    return [dict(r) for r in rows]


def codings_of_selection(store: Store, selection: str) -> list[dict]:
    rows = store.db.execute(_CODING_STATE + "WHERE c.selection_guid = ?", (selection,)).fetchall()
    return [dict(r) for r in rows]


def duplicate_in(store: Store, coding: str, code_guid: str) -> str | None:
    """The GUID of the coding that the same coder put with ``code_guid`` on ``coding``'s
    passage, if any."""
    row = store.db.execute(
        "SELECT t.guid FROM codings c JOIN codings t ON t.selection_guid = c.selection_guid "
        "AND t.coder_guid = c.coder_guid AND t.code_guid = ? WHERE c.guid = ?",
        (code_guid, coding),
    ).fetchone()
    return row[0] if row else None


def log(
    store: Store,
    states: Sequence[dict],
    action: str,
    who: str,
    *,
    previous_code_id: str | None = None,
    details: dict | None = None,
) -> int:
    """Append one audit row per coding state (as ``coding_states`` returns them; a ``details``
    key in a state is merged into ``details``). Returns the number of rows written."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    at = now()
    rows = [
        (
            new_guid(), at, who, action, s["coding_guid"], s["document_guid"], s["start"],
            s["end"], s["text"], s["code_id"], s.get("previous_code_id", previous_code_id),
            s["coder"], json.dumps({**(details or {}), **s.get("details", {})}, ensure_ascii=False),
        )
        for s in states
    ]  # fmt: skip
    store.db.executemany(
        'INSERT INTO coding_audit (guid, at, who, action, coding_guid, document_guid, start, "end", '
        "text, code_id, previous_code_id, coder, details) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    return len(rows)


def orphan_state(store: Store, orphan: dict) -> dict:
    """An ``orphan_codings`` row as an audit state (its span and words in its own version)."""
    code = store.row("SELECT id FROM codes WHERE guid = ?", (orphan["code_guid"],))
    coder = store.row("SELECT name FROM users WHERE guid = ?", (orphan["coder_guid"],))
    return {
        "coding_guid": orphan["guid"], "document_guid": orphan["document_guid"],
        "start": orphan["start"], "end": orphan["end"], "text": orphan["text"],
        "code_id": code[0], "coder": coder[0],
    }  # fmt: skip


def audit_frame(
    store: Store,
    *,
    document: str | None = None,
    code_id: str | None = None,
    coder: str | None = None,
) -> pd.DataFrame:
    """Audit rows, oldest first: ``audit_id, at, who, action, coding_id, document_id, start,
    end, text, code_id, previous_code_id, coder, details`` (``details`` decoded from JSON)."""
    where, params = [], []
    if document is not None:
        where.append("document_guid = ?")
        params.append(document)
    if code_id is not None:
        where.append("(code_id = ? OR previous_code_id = ?)")
        params.extend([code_id, code_id])
    if coder is not None:
        where.append("coder = ?")
        params.append(coder)
    sql = (
        "SELECT guid AS audit_id, at, who, action, coding_guid AS coding_id, document_guid AS "
        'document_id, start, "end", text, code_id, previous_code_id, coder, details '
        "FROM coding_audit"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    frame = pd.read_sql_query(sql + " ORDER BY at, rowid", store.db, params=params)
    frame["details"] = frame["details"].map(json.loads)
    return frame


def audit_codes(store: Store) -> set[str]:
    """Every code id the audit trail names (codes merged away included)."""
    rows = store.rows(
        "SELECT code_id FROM coding_audit UNION SELECT previous_code_id FROM coding_audit "
        "WHERE previous_code_id IS NOT NULL"
    )
    return {r[0] for r in rows}


# -- threads --------------------------------------------------------------------------------------
def open_thread(
    store: Store,
    *,
    target_kind: str,
    target_guid: str,
    code_id: str,
    kind: str,
    author: str,
    text: str,
    passage: dict | None = None,
    settled: bool = False,
) -> str:
    """Write a new thread; returns its GUID. ``passage``: a coding's state (``coding_states``).
    ``settled``: written already settled by its author (an approval needs no answer)."""
    guid, at = new_guid(), now()
    passage = passage or {}
    store.db.execute(
        "INSERT INTO review_threads (guid, target_kind, target_guid, code_id, document_guid, "
        'start, "end", excerpt, coder, kind, author, created_at, text, status, settled_by, '
        "settled_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            guid, target_kind, target_guid, code_id, passage.get("document_guid"),
            passage.get("start"), passage.get("end"), passage.get("text"), passage.get("coder"),
            kind, author, at, text, "réglé" if settled else "ouvert",
            author if settled else None, at if settled else None,
        ),
    )  # fmt: skip
    return guid


def get_thread(store: Store, thread: str) -> dict | None:
    row = store.one("SELECT * FROM review_threads WHERE guid = ?", (thread,))
    return dict(row) if row else None


def approval_by(store: Store, coding: str, author: str) -> str | None:
    """The GUID of ``author``'s approval of a coding when it is the coding's latest thread."""
    row = store.one(
        "SELECT t.guid FROM review_threads t WHERE t.target_guid = ? AND t.kind = 'approbation' "
        "AND t.author = ? AND NOT EXISTS (SELECT 1 FROM review_threads later "
        "WHERE later.target_guid = t.target_guid AND later.rowid > t.rowid)",
        (coding, author),
    )
    return row[0] if row else None


def add_reply(store: Store, thread: str, author: str, text: str) -> str:
    guid = new_guid()
    store.db.execute(
        "INSERT INTO review_replies (guid, thread_guid, author, created_at, text) "
        "VALUES (?,?,?,?,?)",
        (guid, thread, author, now(), text),
    )
    return guid


def settle(store: Store, thread: str, author: str) -> None:
    store.db.execute(
        "UPDATE review_threads SET status = 'réglé', settled_by = ?, settled_at = ? WHERE guid = ?",
        (author, now(), thread),
    )


def threads_frame(
    store: Store,
    *,
    target_kind: str | None = None,
    target_guid: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """Threads, oldest first, with their replies counted and the last one's author and date:
    ``thread_id, target_kind, target_id, code_id, document_id, start, end, excerpt, coder,
    kind, author, created_at, text, status, settled_by, settled_at, replies, last_reply_by,
    last_reply_at``."""
    where, params = [], []
    if target_kind is not None:
        where.append("t.target_kind = ?")
        params.append(target_kind)
    if target_guid is not None:
        where.append("t.target_guid = ?")
        params.append(target_guid)
    if status is not None:
        where.append("t.status = ?")
        params.append(status)
    sql = (
        "SELECT t.guid AS thread_id, t.target_kind, t.target_guid AS target_id, t.code_id, "
        't.document_guid AS document_id, t.start, t."end", t.excerpt, t.coder, t.kind, t.author, '
        "t.created_at, t.text, t.status, t.settled_by, t.settled_at, "
        "(SELECT count(*) FROM review_replies r WHERE r.thread_guid = t.guid) AS replies, "
        "(SELECT r.author FROM review_replies r WHERE r.thread_guid = t.guid "
        " ORDER BY r.created_at DESC, r.rowid DESC LIMIT 1) AS last_reply_by, "
        "(SELECT max(r.created_at) FROM review_replies r WHERE r.thread_guid = t.guid) "
        "AS last_reply_at FROM review_threads t"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    return pd.read_sql_query(sql + " ORDER BY t.created_at, t.rowid", store.db, params=params)


def replies_frame(store: Store, thread: str) -> pd.DataFrame:
    """``reply_id, author, created_at, text`` of a thread, oldest first."""
    return pd.read_sql_query(
        "SELECT guid AS reply_id, author, created_at, text FROM review_replies "
        "WHERE thread_guid = ? ORDER BY created_at, rowid",
        store.db,
        params=(thread,),
    )


def document_states(store: Store, document: str) -> list[tuple[str, str, str]]:
    """``(coding GUID, kind, status)`` of every thread on a coding of ``document`` (the coding
    as it is now), oldest first."""
    rows = store.rows(
        "SELECT t.target_guid, t.kind, t.status FROM review_threads t "
        "JOIN codings c ON c.guid = t.target_guid JOIN selections s ON s.guid = c.selection_guid "
        "WHERE t.target_kind = 'codage' AND s.document_guid = ? ORDER BY t.created_at, t.rowid",
        (document,),
    )
    return [(r[0], r[1], r[2]) for r in rows]
