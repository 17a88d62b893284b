"""SQL for exchanges (imports of ``.qdpx``/``.qdc``, merges of coders' work): many selections,
codings and memos written at once with the dates they carry, and the log of every exchange.

Every function runs inside the caller's transaction (``miam_qual.exchange`` opens it).
"""

from __future__ import annotations

import bisect
import json
import operator
import os
from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import Store, now
from . import review as review_sql


def new_guids(count: int) -> list[str]:
    """``count`` fresh random (version 4) GUIDs, as ``new_guid`` gives one, made in bulk
    (``uuid.uuid4`` costs 20 µs each: a second for 50,000 codings)."""
    data = os.urandom(16 * count).hex()
    guids = []
    for at in range(0, 32 * count, 32):
        h = data[at : at + 32]
        variant = "89ab"[int(h[16], 16) & 3]
        guids.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}")
    return guids


def coding_keys(store: Store, document_guids: Iterable[str]) -> set[tuple[str, int, int, str, str]]:
    """``(document, start, end, code GUID, coder name)`` of every coding of these documents."""
    keys: set[tuple[str, int, int, str, str]] = set()
    documents = list(dict.fromkeys(document_guids))
    for chunk in range(0, len(documents), 500):
        part = documents[chunk : chunk + 500]
        rows = store.db.execute(
            'SELECT s.document_guid, s.start, s."end", c.code_guid, u.name FROM codings c '
            "JOIN selections s ON s.guid = c.selection_guid JOIN users u ON u.guid = c.coder_guid "
            f"WHERE s.document_guid IN ({','.join('?' * len(part))})",
            part,
        )
        keys.update((d, s, e, k, u) for d, s, e, k, u in rows)
    return keys


def add_codings(
    store: Store,
    rows: list[tuple[str, int, int, str, str, str, str | None]],
    *,
    who: str | None = None,
    details: dict | None = None,
) -> dict[int, str]:
    """Write codings given as ``(document, start, end, text, code GUID, coder GUID, created_at)``.

    A selection is created per new span (the first coding's coder and date are its own); a coding
    already there (same span, code and coder) is left alone. Returns ``{row index: coding GUID}``
    for every row (the existing coding's GUID when it was already there). With ``who``, each new
    coding is recorded in the audit trail (``ajouté`` by ``who``, with ``details``).
    """
    db = store.db
    spans: dict[tuple[str, int, int], str] = {}
    turns: dict[str, tuple[list[int], list[int], list[int]]] = {}
    documents = list(dict.fromkeys(r[0] for r in rows))
    for document in documents:
        for guid, start, end in db.execute(
            'SELECT guid, start, "end" FROM selections WHERE document_guid = ?', (document,)
        ):
            spans[(document, start, end)] = guid
        found = db.execute(
            "SELECT start, \"end\", idx FROM units WHERE document_guid = ? AND kind = 'turn' "
            "ORDER BY start",
            (document,),
        ).fetchall()
        turns[document] = ([r[0] for r in found], [r[1] for r in found], [r[2] for r in found])
    existing: dict[tuple[str, str, str], str] = {}
    for document in documents:
        for guid, selection, code, coder in db.execute(
            "SELECT c.guid, c.selection_guid, c.code_guid, c.coder_guid FROM codings c "
            "JOIN selections s ON s.guid = c.selection_guid WHERE s.document_guid = ?",
            (document,),
        ):
            existing[(selection, code, coder)] = guid
    new_selections, new_codings = [], []
    result: dict[int, str] = {}
    fresh = iter(new_guids(2 * len(rows)))
    for index, (document, start, end, text, code, coder, created_at) in enumerate(rows):
        stamp = created_at or now()
        selection = spans.get((document, start, end))
        if selection is None:
            selection = next(fresh)
            spans[(document, start, end)] = selection
            starts, ends, indexes = turns[document]
            at = bisect.bisect_right(starts, start) - 1
            turn = indexes[at] if at >= 0 and ends[at] > start else None
            new_selections.append((selection, document, start, end, text, turn, coder, stamp))
        key = (selection, code, coder)
        if key not in existing:
            existing[key] = next(fresh)
            new_codings.append((existing[key], selection, code, coder, stamp))
        result[index] = existing[key]
    db.executemany(
        'INSERT INTO selections (guid, document_guid, start, "end", text, turn_index, '
        "created_by, created_at) VALUES (?,?,?,?,?,?,?,?)",
        new_selections,
    )
    db.executemany(
        "INSERT INTO codings (guid, selection_guid, code_guid, coder_guid, created_at) "
        "VALUES (?,?,?,?,?)",
        new_codings,
    )
    if who is not None:
        states = review_sql.coding_states(store, [c[0] for c in new_codings])
        review_sql.log(store, states, "ajouté", who, details=details)
    return result


def note_texts(store: Store) -> dict[tuple[str, str, str], str]:
    """``{(target kind, target GUID, author): text}`` of every memo."""
    return {
        (k, t, a): x
        for k, t, a, x in store.db.execute(
            "SELECT target_kind, target_guid, author, text FROM notes"
        )
    }


def put_notes(store: Store, rows: list[tuple[str, str, str, str, str | None]]) -> None:
    """Create or replace memos given as ``(kind, target GUID, text, author, created_at)``."""
    stamp = now()
    guids = new_guids(len(rows))
    store.db.executemany(
        "INSERT INTO notes (guid, target_kind, target_guid, text, author, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?) ON CONFLICT (target_kind, target_guid, author) "
        "DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
        [
            (g, k, t, x, a, c or stamp, stamp)
            for g, (k, t, x, a, c) in zip(guids, rows, strict=True)
        ],
    )


def coding_columns(store: Store) -> dict[str, list]:
    """Every coding as parallel columns sorted by document (import order), start and end, so
    that the codings of one selection follow each other: ``coding, selection, document, code,
    coder, created_at`` (lists of texts), ``position`` (the document's), ``start``, ``end``
    (lists of integers).

    Two sequential scans joined here: SQLite's own join looks each of 200,000 codings up by a
    random GUID in three indexes (7.7 s against 2.7 s for the scans, on the national project).
    """
    db = store.db
    order = dict(db.execute("SELECT guid, position FROM documents").fetchall())
    coders = dict(db.execute("SELECT guid, name FROM users").fetchall())
    spans = {
        guid: (document, start, end)
        for guid, document, start, end in db.execute(
            'SELECT guid, document_guid, start, "end" FROM selections'
        )
    }
    found = db.execute(
        "SELECT guid, selection_guid, code_guid, coder_guid, created_at FROM codings"
    ).fetchall()
    columns = list(zip(*found, strict=True)) if found else [(), (), (), (), ()]
    coding, selection, code, coder, created = (list(c) for c in columns)
    located = [spans[s] for s in selection]
    document = [d for d, _s, _e in located]
    position = [order[d] for d in document]
    start = [s for _d, s, _e in located]
    end = [e for _d, _s, e in located]
    result = {
        "coding": coding, "selection": selection, "document": document, "code": code,
        "coder": [coders[c] for c in coder], "created_at": created, "position": position,
        "start": start, "end": end,
    }  # fmt: skip
    if len(coding) < 2:
        return result
    keys = np.lexsort((np.asarray(end), np.asarray(start), np.asarray(position))).tolist()
    pick = operator.itemgetter(*keys)  # reorders a list in C
    return {name: list(pick(values)) for name, values in result.items()}


def timecodes_by_document(store: Store) -> dict[str, pd.DataFrame]:
    """Every document's timecodes in one read: ``{document GUID: frame of start, end, begin_ms,
    end_ms}`` sorted by start (documents without timecodes are absent)."""
    frame = pd.read_sql_query(
        'SELECT document_guid, start, "end", begin_ms, end_ms FROM timecodes '
        "ORDER BY document_guid, start",
        store.db,
    )
    return {
        guid: group.drop(columns="document_guid").reset_index(drop=True)
        for guid, group in frame.groupby("document_guid", sort=False)
    }


def log_exchange(
    store: Store, *, who: str, action: str, source: str, origin: str, details: dict
) -> None:
    """Record an import or a merge (``action``: ``import`` | ``fusion`` | ``livre de codes``)."""
    store.db.execute(
        "INSERT INTO exchange_log (at, who, action, source, origin, details) VALUES (?,?,?,?,?,?)",
        (now(), who, action, source, origin, json.dumps(details, ensure_ascii=False)),
    )


def exchange_log_frame(store: Store) -> pd.DataFrame:
    """``at, who, action, source, origin, details`` (details decoded), oldest first."""
    frame = pd.read_sql_query(
        "SELECT at, who, action, source, origin, details FROM exchange_log ORDER BY id", store.db
    )
    frame["details"] = frame["details"].map(json.loads)
    return frame
