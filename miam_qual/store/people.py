"""SQL for coders (REFI-QDA users), participants (cases), consent history and memos (notes)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from . import Store, new_guid, now


# -- coders ------------------------------------------------------------------------------------
def coder_guid(store: Store, name: str) -> str | None:
    row = store.one("SELECT guid FROM users WHERE name = ?", (name,))
    return row["guid"] if row else None


def add_coder(store: Store, name: str) -> str:
    guid = coder_guid(store, name)
    if guid:
        return guid
    guid = new_guid()
    store.db.execute(
        "INSERT INTO users (guid, name, created_at) VALUES (?,?,?)", (guid, name, now())
    )
    return guid


def coders_frame(store: Store) -> pd.DataFrame:
    """``coder, coder_id, created_at``."""
    return pd.read_sql_query(
        "SELECT name AS coder, guid AS coder_id, created_at FROM users ORDER BY created_at, name",
        store.db,
    )


# -- participants ------------------------------------------------------------------------------
def participant_guid(store: Store, pseudonym: str) -> str | None:
    row = store.one("SELECT guid FROM participants WHERE pseudonym = ?", (pseudonym,))
    return row["guid"] if row else None


def ensure_participant(store: Store, pseudonym: str) -> str:
    guid = participant_guid(store, pseudonym)
    if guid:
        return guid
    guid = new_guid()
    store.db.execute(
        "INSERT INTO participants (guid, pseudonym, created_at) VALUES (?,?,?)",
        (guid, pseudonym, now()),
    )
    return guid


def set_participant_attributes(store: Store, guid: str, values: Mapping[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            store.db.execute(
                "DELETE FROM participant_attributes WHERE participant_guid = ? AND name = ?",
                (guid, name),
            )
        else:
            store.db.execute(
                "INSERT INTO participant_attributes (participant_guid, name, value) VALUES (?,?,?) "
                "ON CONFLICT (participant_guid, name) DO UPDATE SET value = excluded.value",
                (guid, name, value),
            )


def participants_frame(store: Store) -> pd.DataFrame:
    """``participant_id, participant`` (the pseudonym) plus one column per attribute."""
    base = pd.read_sql_query(
        "SELECT guid AS participant_id, pseudonym AS participant FROM participants ORDER BY pseudonym",
        store.db,
    )
    long = pd.read_sql_query(
        "SELECT participant_guid AS participant_id, name, value FROM participant_attributes",
        store.db,
    )
    if long.empty:
        return base
    wide = long.pivot(index="participant_id", columns="name", values="value").reset_index()
    wide.columns.name = None
    return base.merge(wide, on="participant_id", how="left")


def record_consent(
    store: Store,
    participant: str,
    use: str,
    granted: bool,
    *,
    given_on: str | None,
    method: str | None,
    recorded_by: str,
) -> None:
    store.db.execute(
        "INSERT INTO consents (participant_guid, use, granted, given_on, method, recorded_by, "
        "recorded_at) VALUES (?,?,?,?,?,?,?)",
        (participant, use, int(granted), given_on, method, recorded_by, now()),
    )


def consent_history(store: Store) -> pd.DataFrame:
    """Every consent record: ``participant, use, granted, given_on, method, recorded_by, recorded_at``."""
    frame = pd.read_sql_query(
        "SELECT p.pseudonym AS participant, c.use, c.granted, c.given_on, c.method, c.recorded_by, "
        "c.recorded_at, c.id FROM consents c JOIN participants p ON p.guid = c.participant_guid "
        "ORDER BY c.id",
        store.db,
    )
    frame["granted"] = frame["granted"].astype(bool)
    return frame


def current_consents(store: Store, on: str | None = None) -> pd.DataFrame:
    """The consent in force per participant and use on day ``on`` (ISO date; default: any date),
    same columns as ``consent_history`` plus ``effective_on``.

    Decided by the dates the forms were signed, not by the order of recording: the record with
    the latest date wins, and on the same day a refusal or withdrawal wins over a consent. So
    re-importing an older register, or entering a form dated before a withdrawal, never brings a
    withdrawn consent back. Records without a date count from the day they were recorded.
    """
    history = consent_history(store)
    history["effective_on"] = history["given_on"].where(
        history["given_on"].notna() & (history["given_on"] != ""), history["recorded_at"].str[:10]
    )
    if on is not None:
        history = history[history["effective_on"] <= on]
    ordered = history.sort_values(
        ["participant", "use", "effective_on", "granted", "id"],
        ascending=[True, True, True, False, True],
        kind="stable",
    )
    return ordered.drop_duplicates(["participant", "use"], keep="last").reset_index(drop=True)


def has_record(store: Store, participant: str, use: str, granted: bool, given_on: str) -> bool:
    """Whether this exact consent record (same person, use, answer and date) is already there."""
    return (
        store.one(
            "SELECT 1 FROM consents WHERE participant_guid = ? AND use = ? AND granted = ? "
            "AND given_on = ?",
            (participant, use, int(granted), given_on),
        )
        is not None
    )


def last_withdrawal(store: Store, participant: str, use: str) -> str | None:
    """Date of the latest refusal or withdrawal recorded for this person and use, if any."""
    row = store.one(
        "SELECT MAX(COALESCE(NULLIF(given_on, ''), substr(recorded_at, 1, 10))) AS day "
        "FROM consents WHERE participant_guid = ? AND use = ? AND granted = 0",
        (participant, use),
    )
    return row["day"] if row else None


# -- notes (memos) -----------------------------------------------------------------------------
def set_note(store: Store, kind: str, target: str, text: str, author: str) -> str | None:
    """Create or replace the memo of ``author`` on a target; an empty text deletes it."""
    if not text.strip():
        store.db.execute(
            "DELETE FROM notes WHERE target_kind = ? AND target_guid = ? AND author = ?",
            (kind, target, author),
        )
        return None
    row = store.one(
        "SELECT guid FROM notes WHERE target_kind = ? AND target_guid = ? AND author = ?",
        (kind, target, author),
    )
    if row:
        store.db.execute(
            "UPDATE notes SET text = ?, updated_at = ? WHERE guid = ?", (text, now(), row["guid"])
        )
        return row["guid"]
    guid = new_guid()
    stamp = now()
    store.db.execute(
        "INSERT INTO notes (guid, target_kind, target_guid, text, author, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?)",
        (guid, kind, target, text, author, stamp, stamp),
    )
    return guid


def notes_frame(store: Store, kind: str | None = None) -> pd.DataFrame:
    """``note_id, target_kind, target_id, text, author, created_at, updated_at``."""
    sql = (
        "SELECT guid AS note_id, target_kind, target_guid AS target_id, text, author, created_at, "
        "updated_at FROM notes"
    )
    params: tuple = ()
    if kind:
        sql += " WHERE target_kind = ?"
        params = (kind,)
    return pd.read_sql_query(sql + " ORDER BY created_at", store.db, params=params)
