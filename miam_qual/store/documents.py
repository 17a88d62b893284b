"""SQL for documents, their structural units, timecodes and attributes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ..sources.model import SourceDocument
from . import Store, new_guid, now

DOCUMENT_COLUMNS = [
    "document_id", "document", "kind", "source_file", "length", "encoding", "media",
    "position", "imported_at", "imported_by",
]  # fmt: skip


def insert_document(
    store: Store,
    source: SourceDocument,
    *,
    source_file: str,
    sha256: str,
    attributes: dict[str, str],
    imported_by: str | None,
) -> str:
    """Insert one read document with its units, timecodes and attributes; returns its GUID."""
    guid = new_guid()
    db = store.db
    position = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM documents").fetchone()[0]
    db.execute(
        "INSERT INTO documents (guid, name, source_file, kind, text, length, encoding, media, "
        "sha256, position, imported_at, imported_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            guid, source.name, source_file, source.kind, source.text, len(source.text),
            source.encoding, source.media, sha256, position, now(), imported_by,
        ),
    )  # fmt: skip
    db.executemany(
        'INSERT INTO units (document_guid, kind, idx, start, "end", speaker, role, question, '
        "begin_ms, end_ms) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (
                guid,
                u.kind,
                u.index,
                u.start,
                u.end,
                u.speaker,
                u.role,
                u.question,
                u.begin_ms,
                u.end_ms,
            )
            for u in source.units
        ],
    )
    db.executemany(
        'INSERT OR IGNORE INTO timecodes (document_guid, start, "end", begin_ms, end_ms) VALUES (?,?,?,?,?)',
        [(guid, t.start, t.end, t.begin_ms, t.end_ms) for t in source.timecodes],
    )
    set_attributes(store, guid, attributes)
    return guid


def set_attributes(store: Store, document_guid: str, values: Mapping[str, str | None]) -> None:
    """Upsert attribute values (``None`` deletes the value)."""
    for name, value in values.items():
        if value is None:
            store.db.execute(
                "DELETE FROM document_attributes WHERE document_guid = ? AND name = ?",
                (document_guid, name),
            )
        else:
            store.db.execute(
                "INSERT INTO document_attributes (document_guid, name, value) VALUES (?,?,?) "
                "ON CONFLICT (document_guid, name) DO UPDATE SET value = excluded.value",
                (document_guid, name, value),
            )


def names_taken(store: Store, names: Iterable[str]) -> set[str]:
    names = list(names)
    if not names:
        return set()
    marks = ",".join("?" * len(names))
    rows = store.rows(f"SELECT name FROM documents WHERE name IN ({marks})", tuple(names))
    return {r["name"] for r in rows}


def source_files(store: Store) -> dict[str, str]:
    """``{source_file: sha256}`` of every file under ``corpus/`` that a document comes from."""
    rows = store.rows("SELECT DISTINCT source_file, sha256 FROM documents")
    return {r["source_file"]: r["sha256"] for r in rows}


def resolve(store: Store, ref: str) -> str | None:
    """GUID of the document whose GUID or name is ``ref``."""
    row = store.one("SELECT guid FROM documents WHERE guid = ? OR name = ?", (ref, ref))
    return row["guid"] if row else None


def document_names(store: Store) -> list[str]:
    return [r["name"] for r in store.rows("SELECT name FROM documents ORDER BY position")]


def documents_frame(store: Store) -> pd.DataFrame:
    """All documents with their attributes as extra columns (one per declared attribute)."""
    frame = pd.read_sql_query(
        "SELECT guid AS document_id, name AS document, kind, source_file, length, encoding, media, "
        "position, imported_at, imported_by FROM documents ORDER BY position",
        store.db,
    )
    return frame.merge(attributes_frame(store), on="document_id", how="left")


def attributes_frame(store: Store, document_ids: list[str] | None = None) -> pd.DataFrame:
    """Wide table: ``document_id`` plus one column per attribute name present."""
    sql = "SELECT document_guid AS document_id, name, value FROM document_attributes"
    params: tuple = ()
    if document_ids is not None and len(document_ids) < 900:
        sql += f" WHERE document_guid IN ({','.join('?' * len(document_ids))})"
        params = tuple(document_ids)
    wide: dict[str, dict[str, str]] = {}
    for guid, name, value in store.db.execute(sql, params):
        wide.setdefault(guid, {})[name] = value
    if not wide:
        return pd.DataFrame({"document_id": pd.Series(dtype=str)})
    frame = pd.DataFrame.from_dict(wide, orient="index")
    return frame.rename_axis("document_id").reset_index()


def text(store: Store, guid: str) -> str:
    return store.row("SELECT text FROM documents WHERE guid = ?", (guid,))["text"]


def length(store: Store, guid: str) -> int:
    return store.row("SELECT length FROM documents WHERE guid = ?", (guid,))["length"]


def units_frame(store: Store, guid: str, kind: str | None = None) -> pd.DataFrame:
    """Units of a document: ``kind, index, start, end, speaker, role, question, begin_ms, end_ms``."""
    sql = (
        'SELECT kind, idx AS "index", start, "end", speaker, role, question, begin_ms, end_ms '
        "FROM units WHERE document_guid = ?"
    )
    params: tuple = (guid,)
    if kind is not None:
        sql += " AND kind = ?"
        params += (kind,)
    return pd.read_sql_query(sql + " ORDER BY start, kind", store.db, params=params)


def all_units_frame(store: Store, kind: str) -> pd.DataFrame:
    """Units of one kind across documents: ``document_id, index, start, end, speaker, role, question``."""
    return pd.read_sql_query(
        'SELECT document_guid AS document_id, idx AS "index", start, "end", speaker, role, question, '
        "begin_ms, end_ms FROM units WHERE kind = ? ORDER BY document_guid, start",
        store.db,
        params=(kind,),
    )


def timecodes_frame(store: Store, guid: str) -> pd.DataFrame:
    return pd.read_sql_query(
        'SELECT start, "end", begin_ms, end_ms FROM timecodes WHERE document_guid = ? ORDER BY start',
        store.db,
        params=(guid,),
    )


def set_media(store: Store, guid: str, media: str | None) -> None:
    """Set (or clear, ``None``) the recording file name of a document."""
    store.db.execute("UPDATE documents SET media = ? WHERE guid = ?", (media, guid))
