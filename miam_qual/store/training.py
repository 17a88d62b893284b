"""SQL for reference sets (``miam_qual.training``): documents a supervisor coded as the reference
that trainees code without seeing it, who declared they are done, and whether the supervisor
revealed the reference to everyone (migration 8).

Writes run inside the caller's transaction (``miam_qual.training`` opens it).
"""

from __future__ import annotations

from collections.abc import Iterable

from . import Store


def add_set(
    store: Store,
    *,
    guid: str,
    name: str,
    coder_guid: str,
    by: str,
    at: str,
    document_guids: Iterable[str],
) -> None:
    """Write a reference set and its documents (in the order given)."""
    store.db.execute(
        "INSERT INTO reference_sets (guid, name, reference_coder_guid, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (guid, name, coder_guid, by, at),
    )
    for position, document in enumerate(document_guids):
        store.db.execute(
            "INSERT INTO reference_documents (set_guid, document_guid, position) VALUES (?, ?, ?)",
            (guid, document, position),
        )


def set_names(store: Store) -> list[str]:
    """Names of every reference set, oldest first."""
    return [r[0] for r in store.db.execute("SELECT name FROM reference_sets ORDER BY created_at")]


def find_set(store: Store, name: str) -> dict | None:
    """One set by name (``guid, name, coder_guid, coder, created_by, created_at, revealed_by,
    revealed_at``) or ``None``."""
    row = store.one(
        "SELECT s.guid, s.name, s.reference_coder_guid AS coder_guid, u.name AS coder, "
        "s.created_by, s.created_at, s.revealed_by, s.revealed_at FROM reference_sets s "
        "JOIN users u ON u.guid = s.reference_coder_guid WHERE s.name = ?",
        (name,),
    )
    return dict(row) if row is not None else None


def all_sets(store: Store) -> list[dict]:
    """Every set as ``find_set`` gives it, plus ``documents`` (names, in the set's order) and
    ``done`` (names of the coders who declared they are done), oldest first."""
    sets = [find_set(store, name) for name in set_names(store)]
    result = []
    for entry in sets:
        assert entry is not None
        entry["documents"] = [name for _guid, name in set_documents(store, entry["guid"])]
        entry["done"] = sorted(done_coders(store, entry["guid"]).values())
        result.append(entry)
    return result


def set_documents(store: Store, set_guid: str) -> list[tuple[str, str]]:
    """``(GUID, name)`` of a set's documents, in the set's order."""
    return [
        (r[0], r[1])
        for r in store.db.execute(
            "SELECT d.guid, d.name FROM reference_documents r JOIN documents d "
            "ON d.guid = r.document_guid WHERE r.set_guid = ? ORDER BY r.position",
            (set_guid,),
        )
    ]


def done_coders(store: Store, set_guid: str) -> dict[str, str]:
    """``{coder GUID: coder name}`` of the coders who declared a set done."""
    return {
        r[0]: r[1]
        for r in store.db.execute(
            "SELECT f.coder_guid, u.name FROM reference_done f JOIN users u "
            "ON u.guid = f.coder_guid WHERE f.set_guid = ?",
            (set_guid,),
        )
    }


def add_done(store: Store, set_guid: str, coder_guid: str, at: str) -> None:
    """Record that a coder is done with a set (once; a second declaration keeps the first date)."""
    store.db.execute(
        "INSERT OR IGNORE INTO reference_done (set_guid, coder_guid, done_at) VALUES (?, ?, ?)",
        (set_guid, coder_guid, at),
    )


def set_revealed(store: Store, set_guid: str, by: str, at: str) -> None:
    """Record that the supervisor revealed a set's reference codings to every coder."""
    store.db.execute(
        "UPDATE reference_sets SET revealed_by = ?, revealed_at = ? WHERE guid = ?",
        (by, at, set_guid),
    )


def hiding_sets(store: Store, document_guid: str, viewer_guid: str | None) -> list[str]:
    """GUIDs of the reference coders whose codings on this document are hidden from ``viewer``:
    the document is in one of their sets, the set is not revealed, the viewer is not that
    reference coder and has not declared the set done. ``viewer_guid=None``: a viewer who is not
    a registered coder (nothing declared done)."""
    rows = store.db.execute(
        "SELECT DISTINCT s.reference_coder_guid FROM reference_sets s "
        "JOIN reference_documents r ON r.set_guid = s.guid "
        "WHERE r.document_guid = ? AND s.revealed_at IS NULL "
        "AND s.reference_coder_guid IS NOT ? "
        "AND NOT EXISTS (SELECT 1 FROM reference_done f WHERE f.set_guid = s.guid "
        "AND f.coder_guid IS ?)",
        (document_guid, viewer_guid, viewer_guid),
    )
    return [r[0] for r in rows]


def coding_guids(store: Store, document_guid: str, coder_guids: list[str]) -> set[str]:
    """GUIDs of the codings of these coders in one document."""
    if not coder_guids:
        return set()
    marks = ",".join("?" * len(coder_guids))
    rows = store.db.execute(
        "SELECT c.guid FROM codings c JOIN selections s ON s.guid = c.selection_guid "
        f"WHERE s.document_guid = ? AND c.coder_guid IN ({marks})",
        (document_guid, *coder_guids),
    )
    return {r[0] for r in rows}
