"""SQL for corrected texts: document versions, re-anchored selections, orphan codings.

See ``migrations.m0006_text_versions``. The functions that write run inside the caller's
transaction (``revision.edit_text``); none commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from . import Store, now
from . import codings as codings_sql

#: Added to every selection end during a re-anchoring, above any document length, so that no
#: two rows share a span while they are being moved one by one (the UNIQUE constraint).
_PARKED = 1 << 40

VERSION_COLUMNS = ["version", "at", "who", "reason", "file", "edits", "length"]
ORPHAN_COLUMNS = [
    "orphan_id", "document_id", "document", "version", "start", "end", "text", "code_id",
    "code", "coder", "created_at", "orphaned_at", "orphaned_by",
]  # fmt: skip


def document_name(store: Store, document: str) -> str:
    return str(store.row("SELECT name FROM documents WHERE guid = ?", (document,))["name"])


def corpus_files(store: Store) -> dict[str, str]:
    """``{file: sha256}`` of every file under ``corpus/`` the store refers to: the imported
    sources and the corrected versions."""
    rows = store.rows(
        "SELECT source_file AS file, sha256 FROM documents UNION "
        "SELECT file, sha256 FROM document_versions WHERE version > 1"
    )
    return {r["file"]: r["sha256"] for r in rows}


def current_version(store: Store, document: str) -> int:
    """The document's version number (1 until its text is first edited)."""
    row = store.row(
        "SELECT COALESCE(MAX(version), 1) AS v FROM document_versions WHERE document_guid = ?",
        (document,),
    )
    return int(row["v"])


def record_version(
    store: Store,
    document: str,
    *,
    text: str,
    who: str,
    reason: str,
    file: str,
    sha256: str,
    edits: int,
) -> int:
    """Store the document's new text as its next version (recording the imported text as
    version 1 first, if it is the first edit) and make it the current text; returns its number."""
    db = store.db
    if not db.execute(
        "SELECT 1 FROM document_versions WHERE document_guid = ?", (document,)
    ).fetchone():
        db.execute(
            "INSERT INTO document_versions (document_guid, version, at, who, reason, file, sha256, "
            "edits, length, text) SELECT guid, 1, imported_at, imported_by, 'import', "
            "source_file, sha256, 0, length, text FROM documents WHERE guid = ?",
            (document,),
        )
    version = current_version(store, document) + 1
    db.execute(
        "INSERT INTO document_versions (document_guid, version, at, who, reason, file, sha256, "
        "edits, length, text) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (document, version, now(), who, reason, file, sha256, edits, len(text), text),
    )
    db.execute(
        "UPDATE documents SET text = ?, length = ? WHERE guid = ?", (text, len(text), document)
    )
    return version


def older_version(store: Store, text: str) -> tuple[str, int] | None:
    """``(document GUID, version)`` of the latest earlier (not current) version whose text is
    ``text``, if a corrected document had it."""
    row = store.one(
        "SELECT document_guid, version FROM document_versions v WHERE length = ? AND text = ? "
        "AND version < (SELECT MAX(version) FROM document_versions w "
        "WHERE w.document_guid = v.document_guid) ORDER BY version DESC LIMIT 1",
        (len(text), text),
    )
    return None if row is None else (row["document_guid"], row["version"])


def versions_frame(store: Store, document: str) -> pd.DataFrame:
    """``VERSION_COLUMNS`` of every version, oldest first (without their texts)."""
    return pd.read_sql_query(
        "SELECT version, at, who, reason, file, edits, length FROM document_versions "
        "WHERE document_guid = ? ORDER BY version",
        store.db,
        params=(document,),
    )


def version_text(store: Store, document: str, version: int) -> str | None:
    row = store.one(
        "SELECT text FROM document_versions WHERE document_guid = ? AND version = ?",
        (document, version),
    )
    return None if row is None else row["text"]


def version_files(store: Store) -> dict[str, str]:
    """``{file: sha256}`` of the corrected versions' files under ``corpus/``."""
    rows = store.rows("SELECT file, sha256 FROM document_versions WHERE version > 1")
    return {r["file"]: r["sha256"] for r in rows}


def replace_structure(
    store: Store, document: str, units: Iterable[tuple], timecodes: Iterable[tuple]
) -> None:
    """Replace the document's units ``(kind, index, start, end, speaker, role, question,
    begin_ms, end_ms)`` and timecodes ``(start, end, begin_ms, end_ms)``."""
    db = store.db
    db.execute("DELETE FROM units WHERE document_guid = ?", (document,))
    db.execute("DELETE FROM timecodes WHERE document_guid = ?", (document,))
    db.executemany(
        'INSERT INTO units (document_guid, kind, idx, start, "end", speaker, role, question, '
        "begin_ms, end_ms) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(document, *u) for u in units],
    )
    db.executemany(
        'INSERT OR IGNORE INTO timecodes (document_guid, start, "end", begin_ms, end_ms) '
        "VALUES (?,?,?,?,?)",
        [(document, *t) for t in timecodes],
    )


def units_of(store: Store, document: str) -> list[tuple]:
    """``(kind, index, start, end, speaker, role, question, begin_ms, end_ms)``, by start."""
    rows = store.rows(
        'SELECT kind, idx, start, "end", speaker, role, question, begin_ms, end_ms FROM units '
        "WHERE document_guid = ? ORDER BY kind, idx",
        (document,),
    )
    return [tuple(r) for r in rows]


def timecodes_of(store: Store, document: str) -> list[tuple[int, int, int, int]]:
    """``(start, end, begin_ms, end_ms)`` by start."""
    rows = store.rows(
        'SELECT start, "end", begin_ms, end_ms FROM timecodes WHERE document_guid = ? '
        "ORDER BY start",
        (document,),
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def selections_of(store: Store, document: str) -> list[tuple]:
    """``(guid, start, end, text, modified_from, modified_in)`` of the document's selections."""
    rows = store.rows(
        'SELECT guid, start, "end", text, modified_from, modified_in FROM selections '
        'WHERE document_guid = ? ORDER BY start, "end"',
        (document,),
    )
    return [tuple(r) for r in rows]


def quotes_of(store: Store, document: str) -> list[dict]:
    """The document's quotes: ``guid, number, start, end, original, display, status``."""
    rows = store.rows(
        'SELECT guid, number, start, "end", original, display, status FROM quotes '
        "WHERE document_guid = ? ORDER BY number",
        (document,),
    )
    return [dict(r) for r in rows]


def move_selections(
    store: Store, document: str, moves: Sequence[tuple[str, int, int, str, str | None, int | None]]
) -> None:
    """Set ``(guid, start, end, text, modified_from, modified_in)`` of selections (new spans all
    distinct), then each selection's speaker turn."""
    db = store.db
    db.executemany(
        'UPDATE selections SET "end" = "end" + ? WHERE guid = ?', [(_PARKED, m[0]) for m in moves]
    )
    db.executemany(
        'UPDATE selections SET start = ?, "end" = ?, text = ?, modified_from = ?, modified_in = ? '
        "WHERE guid = ?",
        [(start, end, text, old, version, guid) for guid, start, end, text, old, version in moves],
    )
    db.execute(
        "UPDATE selections SET turn_index = (SELECT t.idx FROM units t WHERE t.document_guid = "
        "selections.document_guid AND t.kind = 'turn' AND t.start <= selections.start AND "
        't."end" > selections.start ORDER BY t.start DESC LIMIT 1) WHERE document_guid = ?',
        (document,),
    )


def orphan_selection(
    store: Store, selection: str, *, start: int, end: int, version: int, who: str
) -> int:
    """Move every coding of a selection to ``orphan_codings`` (``start``/``end``/its text in
    ``version``) and delete the selection; returns the number of codings moved."""
    db = store.db
    moved = db.execute(
        'INSERT INTO orphan_codings (guid, document_guid, version, start, "end", text, '
        "code_guid, coder_guid, created_at, orphaned_at, orphaned_by) "
        "SELECT c.guid, s.document_guid, ?, ?, ?, s.text, c.code_guid, c.coder_guid, c.created_at, "
        "?, ? FROM codings c JOIN selections s ON s.guid = c.selection_guid "
        "WHERE s.guid = ?",
        (version, start, end, now(), who, selection),
    ).rowcount
    db.execute("DELETE FROM selections WHERE guid = ?", (selection,))  # cascades to codings
    return moved


def merge_selection(store: Store, source: str, target: str, *, version: int, who: str) -> int:
    """Move the codings of ``source`` onto ``target`` (both now on one span); a coding that
    ``target`` already holds (same code and coder) becomes an orphan rather than vanish.
    Returns the number of such orphans."""
    db = store.db
    db.execute(
        "UPDATE codings SET selection_guid = ? WHERE selection_guid = ? AND NOT EXISTS (SELECT 1 "
        "FROM codings o WHERE o.selection_guid = ? AND o.code_guid = codings.code_guid AND "
        "o.coder_guid = codings.coder_guid)",
        (target, source, target),
    )
    row = store.row('SELECT start, "end" FROM selections WHERE guid = ?', (source,))
    return orphan_selection(
        store, source, start=row["start"], end=row["end"], version=version, who=who
    )


def confirm_selection(store: Store, selection: str) -> None:
    store.db.execute(
        "UPDATE selections SET modified_from = NULL, modified_in = NULL WHERE guid = ?",
        (selection,),
    )


def modified_frame(store: Store, document: str | None = None) -> pd.DataFrame:
    """Codings whose words an edit changed: ``coding_id, selection_id, document_id, document,
    start, end, previous_text, text, version, code_id, code, coder``."""
    sql = (
        "SELECT c.guid AS coding_id, s.guid AS selection_id, s.document_guid AS document_id, "
        'd.name AS document, s.start, s."end", s.modified_from AS previous_text, s.text, '
        "s.modified_in AS version, k.id AS code_id, k.label AS code, u.name AS coder "
        "FROM selections s JOIN codings c ON c.selection_guid = s.guid "
        "JOIN documents d ON d.guid = s.document_guid JOIN codes k ON k.guid = c.code_guid "
        "JOIN users u ON u.guid = c.coder_guid WHERE s.modified_from IS NOT NULL"
    )
    params: tuple = ()
    if document is not None:
        sql += " AND s.document_guid = ?"
        params = (document,)
    return pd.read_sql_query(sql + " ORDER BY d.position, s.start, u.name", store.db, params=params)


def orphans_frame(store: Store, document: str | None = None) -> pd.DataFrame:
    """``ORPHAN_COLUMNS`` (positions and text in the version ``version``)."""
    sql = (
        "SELECT o.guid AS orphan_id, o.document_guid AS document_id, d.name AS document, "
        'o.version, o.start, o."end", o.text, k.id AS code_id, k.label AS code, u.name AS coder, '
        "o.created_at, o.orphaned_at, o.orphaned_by FROM orphan_codings o "
        "JOIN documents d ON d.guid = o.document_guid JOIN codes k ON k.guid = o.code_guid "
        "JOIN users u ON u.guid = o.coder_guid"
    )
    params: tuple = ()
    if document is not None:
        sql += " WHERE o.document_guid = ?"
        params = (document,)
    return pd.read_sql_query(sql + " ORDER BY d.position, o.start", store.db, params=params)


def get_orphan(store: Store, guid: str) -> dict | None:
    row = store.one("SELECT * FROM orphan_codings WHERE guid = ?", (guid,))
    return dict(row) if row else None


def delete_orphan(store: Store, guid: str) -> None:
    store.db.execute("DELETE FROM orphan_codings WHERE guid = ?", (guid,))


def remove_orphan(store: Store, guid: str) -> None:
    """Delete an orphan coding and its memos."""
    delete_orphan(store, guid)
    store.db.execute("DELETE FROM notes WHERE target_kind = 'coding' AND target_guid = ?", (guid,))


def restore_coding(store: Store, orphan: dict, start: int, end: int, text: str) -> bool:
    """Put an orphan back as a coding of ``[start, end)`` (``text``: those words), with its GUID
    and date; ``False`` (nothing written) if that coder already has that code there."""
    coding, created = codings_sql.add_coding(
        store, orphan["document_guid"], start, end, text, orphan["code_guid"], orphan["coder_guid"]
    )
    if not created:
        return False
    store.db.execute(
        "UPDATE codings SET guid = ?, created_at = ? WHERE guid = ?",
        (orphan["guid"], orphan["created_at"], coding),
    )
    delete_orphan(store, orphan["guid"])
    return True
