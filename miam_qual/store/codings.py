"""SQL for selections and codings (REFI-QDA PlainTextSelection and Coding)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import Store, new_guid, now

CODING_COLUMNS = [
    "coding_id", "selection_id", "document_id", "document", "start", "end", "text",
    "code_id", "code", "code_guid", "coder", "created_at", "speaker", "speaker_role",
]  # fmt: skip


def add_coding(
    store: Store, document: str, start: int, end: int, text: str, code_guid: str, coder_guid: str
) -> tuple[str, bool]:
    """Create (or find) the selection and the coding; returns (coding GUID, created?)."""
    db = store.db
    row = db.execute(
        'SELECT guid FROM selections WHERE document_guid = ? AND start = ? AND "end" = ?',
        (document, start, end),
    ).fetchone()
    if row:
        selection = row[0]
        existing = db.execute(
            "SELECT guid FROM codings WHERE selection_guid = ? AND code_guid = ? AND coder_guid = ?",
            (selection, code_guid, coder_guid),
        ).fetchone()
        if existing:
            return existing[0], False
    else:
        selection = new_guid()
        turn = db.execute(
            "SELECT idx FROM units WHERE document_guid = ? AND kind = 'turn' AND start <= ? "
            'AND "end" > ? ORDER BY start DESC LIMIT 1',
            (document, start, start),
        ).fetchone()
        db.execute(
            'INSERT INTO selections (guid, document_guid, start, "end", text, turn_index, '
            "created_by, created_at) VALUES (?,?,?,?,?,?,?,?)",
            (selection, document, start, end, text, turn[0] if turn else None, coder_guid, now()),
        )
    guid = new_guid()
    db.execute(
        "INSERT INTO codings (guid, selection_guid, code_guid, coder_guid, created_at) VALUES (?,?,?,?,?)",
        (guid, selection, code_guid, coder_guid, now()),
    )
    return guid, True


def get_coding(store: Store, coding: str) -> dict | None:
    row = store.one(
        'SELECT c.guid, c.selection_guid, s.document_guid, s.start, s."end", s.text, k.id AS code_id, '
        "u.name AS coder FROM codings c JOIN selections s ON s.guid = c.selection_guid "
        "JOIN codes k ON k.guid = c.code_guid JOIN users u ON u.guid = c.coder_guid WHERE c.guid = ?",
        (coding,),
    )
    return dict(row) if row else None


def set_code(store: Store, coding: str, code_guid: str) -> None:
    """Put a coding under another code (same passage, coder, date and GUID)."""
    store.db.execute("UPDATE codings SET code_guid = ? WHERE guid = ?", (code_guid, coding))


def remove_coding(store: Store, coding: str) -> None:
    """Delete a coding, its memos, and its selection when no other coding uses it."""
    db = store.db
    selection = db.execute(
        "SELECT selection_guid FROM codings WHERE guid = ?", (coding,)
    ).fetchone()[0]
    db.execute("DELETE FROM codings WHERE guid = ?", (coding,))
    db.execute("DELETE FROM notes WHERE target_kind = 'coding' AND target_guid = ?", (coding,))
    db.execute(
        "DELETE FROM selections WHERE guid = ? AND NOT EXISTS "
        "(SELECT 1 FROM codings WHERE selection_guid = ?)",
        (selection, selection),
    )


def codings_frame(
    store: Store,
    *,
    code_guids: list[str] | None = None,
    coder: str | None | list[str] = None,
    document: str | None = None,
) -> pd.DataFrame:
    """Codings joined with their selection, document, code and coder (see ``CODING_COLUMNS``).

    ``speaker``/``speaker_role`` are those of the speaker turn containing the start of the
    selection (``None`` outside turns).
    """
    where, params = [], []
    if code_guids is not None:
        where.append(f"c.code_guid IN ({','.join('?' * len(code_guids))})")
        params.extend(code_guids)
    if coder is not None:
        coders = [coder] if isinstance(coder, str) else list(coder)
        where.append(f"u.name IN ({','.join('?' * len(coders))})")
        params.extend(coders)
    if document is not None:
        where.append("s.document_guid = ?")
        params.append(document)
    sql = (
        "SELECT c.guid AS coding_id, s.guid AS selection_id, s.document_guid AS document_id, "
        'd.name AS document, s.start, s."end", s.text, k.id AS code_id, k.label AS code, '
        "c.code_guid, u.name AS coder, c.created_at, t.speaker, t.role AS speaker_role "
        "FROM codings c JOIN selections s ON s.guid = c.selection_guid "
        "JOIN documents d ON d.guid = s.document_guid JOIN codes k ON k.guid = c.code_guid "
        "JOIN users u ON u.guid = c.coder_guid "
        "LEFT JOIN units t ON t.document_guid = s.document_guid AND t.kind = 'turn' "
        "AND t.idx = s.turn_index"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += ' ORDER BY d.position, s.start, s."end", k.position, u.name'
    return pd.read_sql_query(sql, store.db, params=params)


def coding_memos(store: Store, coding_ids: list[str] | None = None) -> pd.DataFrame:
    """``coding_id, memo`` (memos of several authors joined by blank lines)."""
    sql = "SELECT target_guid, text FROM notes WHERE target_kind = 'coding'"
    params: tuple = ()
    if coding_ids is not None and len(coding_ids) < 900:
        sql += f" AND target_guid IN ({','.join('?' * len(coding_ids))})"
        params = tuple(coding_ids)
    memos: dict[str, list[str]] = {}
    for guid, text in store.db.execute(sql + " ORDER BY created_at", params):
        memos.setdefault(guid, []).append(text)
    return pd.DataFrame(
        {"coding_id": list(memos), "memo": ["\n\n".join(texts) for texts in memos.values()]},
        dtype=object,
    )


DRAWN_COLUMNS = ["coding_id", "start", "end", "text", "code_id", "coder", "memo"]


def drawn_codings(store: Store, document: str) -> pd.DataFrame:
    """The codings of one document with only what drawing them takes (``DRAWN_COLUMNS``), in text
    order; ``memo`` joins several authors' memos by blank lines, like ``coding_memos``.

    Indexed reads and a frame built column by column: the coding screen reads it after every
    click, where ``codings_frame`` and its attribute joins cost ten times more.
    """
    cursor = store.db.cursor()
    cursor.row_factory = None  # plain tuples: sqlite3.Row costs a third of the read here
    # Codes and coders are a few dozen rows: looked up in dictionaries, and the rows sorted in
    # Python, the read costs half of the same query with joins and ORDER BY.
    codes = {guid: (code, position) for guid, code, position in cursor.execute(
        "SELECT guid, id, position FROM codes")}  # fmt: skip
    coders = dict(cursor.execute("SELECT guid, name FROM users"))
    memos: dict[str, list[str]] = {}
    for guid, text in cursor.execute(
        "SELECT n.target_guid, n.text FROM notes n JOIN codings c ON c.guid = n.target_guid "
        "JOIN selections s ON s.guid = c.selection_guid "
        "WHERE n.target_kind = 'coding' AND s.document_guid = ? ORDER BY n.created_at",
        (document,),
    ):
        memos.setdefault(guid, []).append(text)
    rows = [
        (guid, start, end, text, codes[code][0], coders[coder],
         "\n\n".join(memos[guid]) if guid in memos else None, codes[code][1])
        for guid, start, end, text, code, coder in cursor.execute(
            'SELECT c.guid, s.start, s."end", s.text, c.code_guid, c.coder_guid '
            "FROM selections s JOIN codings c ON c.selection_guid = s.guid "
            "WHERE s.document_guid = ?",
            (document,),
        )
    ]  # fmt: skip
    rows.sort(key=lambda r: (r[1], r[2], r[7], r[5]))  # start, end, code position, coder
    columns = list(zip(*rows, strict=True))[:7] if rows else [()] * 7  # the position dropped
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype="int64" if name in ("start", "end") else object)
            for name, values in zip(DRAWN_COLUMNS, columns, strict=True)
        }
    )


def coding_tally(store: Store, coder: str) -> pd.DataFrame:
    """``code_id, document_id, codings``: how many codings ``coder`` made with each code in each
    document (one grouped query; the coding screen's code counts and progress read it)."""
    cursor = store.db.cursor()
    cursor.row_factory = None
    rows = cursor.execute(
        "SELECT k.id, s.document_guid, COUNT(*) FROM codings c "
        "JOIN users u ON u.guid = c.coder_guid JOIN codes k ON k.guid = c.code_guid "
        "JOIN selections s ON s.guid = c.selection_guid WHERE u.name = ? "
        "GROUP BY k.id, s.document_guid ORDER BY k.id, s.document_guid",
        (coder,),
    ).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [(), (), ()]
    return pd.DataFrame(
        {
            "code_id": pd.Series(columns[0], dtype=object),
            "document_id": pd.Series(columns[1], dtype=object),
            "codings": pd.Series(columns[2], dtype="int64"),
        }
    )


SPAN_COLUMNS = ["document_id", "document", "start", "end", "code_id", "coder"]


def coded_spans(store: Store, coders: list[str] | None = None) -> pd.DataFrame:
    """Where every coding lies (``SPAN_COLUMNS``), in document then text order: no text, no
    context. One pass over the codings' covering index, each selection found by its key; codes,
    coders and documents (a few thousand rows at most) looked up in dictionaries, so 200,000
    codings read in about a second where ``codings_frame`` takes several."""
    cursor = store.db.cursor()
    cursor.row_factory = None
    codes = dict(cursor.execute("SELECT guid, id FROM codes"))
    names = dict(cursor.execute("SELECT guid, name FROM users"))
    documents = {
        g: (n, p) for g, n, p in cursor.execute("SELECT guid, name, position FROM documents")
    }
    wanted = None if coders is None else {g for g, n in names.items() if n in set(coders)}
    rows = cursor.execute(
        'SELECT s.document_guid, s.start, s."end", c.code_guid, c.coder_guid '
        "FROM selections s JOIN codings c ON c.selection_guid = s.guid"
    ).fetchall()
    if wanted is not None:
        rows = [r for r in rows if r[4] in wanted]
    doc, start, end, code, coder = (list(c) for c in zip(*rows, strict=True)) if rows else [[]] * 5
    start_a, end_a = np.array(start, dtype=np.int64), np.array(end, dtype=np.int64)
    position = np.array([documents[d][1] for d in doc], dtype=np.int64)
    order = np.lexsort((end_a, start_a, position))  # document order, then text order
    taken = order.tolist()
    return pd.DataFrame(
        {
            "document_id": pd.Series([doc[i] for i in taken], dtype=object),
            "document": pd.Series([documents[doc[i]][0] for i in taken], dtype=object),
            "start": start_a[order],
            "end": end_a[order],
            "code_id": pd.Series([codes[code[i]] for i in taken], dtype=object),
            "coder": pd.Series([names[coder[i]] for i in taken], dtype=object),
        }
    )
