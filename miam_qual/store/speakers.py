"""SQL for speaker identities: which participant (or interviewer) a transcript's label stands for."""

from __future__ import annotations

import pandas as pd

from . import Store, now


def declare(
    store: Store,
    *,
    document_guid: str | None,
    label: str,
    folded: str,
    participant_guid: str | None,
    interviewer: bool,
    who: str,
) -> None:
    """Bind ``label`` (in one document, or everywhere when ``document_guid`` is ``None``)."""
    store.db.execute(
        "DELETE FROM speakers WHERE COALESCE(document_guid, '') = COALESCE(?, '') AND folded = ?",
        (document_guid, folded),
    )
    store.db.execute(
        "INSERT INTO speakers (document_guid, label, folded, participant_guid, interviewer, "
        "declared_by, declared_at) VALUES (?,?,?,?,?,?,?)",
        (document_guid, label, folded, participant_guid, int(interviewer), who, now()),
    )


def forget(store: Store, *, document_guid: str | None, folded: str) -> int:
    """Remove a binding; returns how many rows went."""
    return store.db.execute(
        "DELETE FROM speakers WHERE COALESCE(document_guid, '') = COALESCE(?, '') AND folded = ?",
        (document_guid, folded),
    ).rowcount


def speakers_frame(store: Store) -> pd.DataFrame:
    """``document_id`` (``None``: every document), ``document``, ``label``, ``folded``,
    ``participant`` (pseudonym or ``None``), ``interviewer`` (bool), ``declared_by``,
    ``declared_at``."""
    frame = pd.read_sql_query(
        "SELECT s.document_guid AS document_id, d.name AS document, s.label, s.folded, "
        "p.pseudonym AS participant, s.interviewer, s.declared_by, s.declared_at "
        "FROM speakers s LEFT JOIN documents d ON d.guid = s.document_guid "
        "LEFT JOIN participants p ON p.guid = s.participant_guid ORDER BY s.id",
        store.db,
    )
    frame["interviewer"] = frame["interviewer"].astype(bool)
    return frame
