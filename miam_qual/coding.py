"""Coding: applying codes to spans of text, removing them, memos, and retrieving coded segments.

A span is ``(start, end)`` in Unicode code points of the document's normalised text, end
exclusive. Each coding keeps a copy of the text it covered. Every write is one transaction, and
every change to codings (added, removed, moved to another code) writes its audit row
(``coding_audit``, see ``review.audit_trail``) in that same transaction.

The public functions here are ``Project`` methods (bound on the class in ``project.py``): call
them as ``project.code(...)``, ``project.codings(...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, overload

import pandas as pd

from .common import filter_frame
from .errors import CodingError, MemoError, OffsetOutOfRange, UnknownCoder
from .store import codings as codings_sql
from .store import documents as docs_sql
from .store import people
from .store import review as review_sql

if TYPE_CHECKING:
    from .project import Project

MEMO_TARGETS = ("document", "code", "coding", "participant", "project")
#: Longest memo accepted, in characters (some twenty pages): a longer text belongs in the corpus.
MEMO_MAX_LENGTH = 50_000

#: Columns of ``Project.codings()`` before the attribute columns.
CODINGS_COLUMNS = [
    "coding_id", "selection_id", "document_id", "document", "start", "end", "text",
    "code_id", "code", "theme_id", "theme", "coder", "created_at", "memo", "speaker", "speaker_role",
]  # fmt: skip


# -- coders ---------------------------------------------------------------------------------------
def add_coder(project: Project, name: str) -> str:
    """Register a coder (idempotent); returns the coder's GUID. Raises ``UnknownCoder`` for an
    empty name."""
    name = name.strip()
    if not name:
        raise UnknownCoder("Un codeur doit avoir un nom.")
    with project.store.transaction():
        return people.add_coder(project.store, name)


def coders(project: Project) -> pd.DataFrame:
    """Registered coders: ``coder, coder_id, created_at``."""
    return people.coders_frame(project.store)


def coder_id(project: Project, coder: str) -> str:
    """GUID of a registered coder; raises ``UnknownCoder`` naming the registered ones."""
    guid = people.coder_guid(project.store, coder)
    if guid is None:
        known = ", ".join(coders(project)["coder"]) or "aucun"
        raise UnknownCoder(
            f"Codeur inconnu « {coder} » (codeurs enregistrés : {known}). "
            f"Ajoutez-le avec project.add_coder('{coder}')."
        )
    return guid


# -- writing --------------------------------------------------------------------------------------
@overload
def code(
    project: Project, document: str, start: int, end: int, code: str, *, coder: str,
    memo: str | None = None,
) -> str: ...  # fmt: skip
@overload
def code(
    project: Project, document: str, start: int, end: int, code: list[str], *, coder: str,
    memo: str | None = None,
) -> list[str]: ...  # fmt: skip
def code(
    project: Project,
    document: str,
    start: int,
    end: int,
    code: str | list[str],
    *,
    coder: str,
    memo: str | None = None,
) -> str | list[str]:
    """Apply one code (or several) to ``[start, end)`` of a document, as ``coder``.

    Returns the coding GUID (a list for several codes). Applying the same code to the same
    span twice by the same coder returns the existing coding (and records nothing). New codings
    are recorded in the audit trail as ``ajouté`` by ``coder``. Raises ``OffsetOutOfRange``,
    ``UnknownCode``, ``UnknownCoder`` or ``CodingError``; nothing is written then.
    """
    written = code_with_news(project, document, start, end, code, coder=coder, memo=memo)
    ids = [guid for guid, _new in written]
    return ids[0] if isinstance(code, str) else ids


def code_with_news(
    project: Project,
    document: str,
    start: int,
    end: int,
    code: str | list[str],
    *,
    coder: str,
    memo: str | None = None,
) -> list[tuple[str, bool]]:
    """``code``, telling for each code whether its coding is new: ``[(guid, new), …]`` in the
    order of the codes (the coding panel's undo takes back only what a click wrote)."""
    doc = project.document_id(document)
    codes = [code] if isinstance(code, str) else list(code)
    if not codes:
        raise CodingError("Aucun code choisi.")
    book = project.codebook
    targets = []
    for code_id in codes:
        entry = book.get(code_id)
        if not entry.codable:
            raise CodingError(
                f"« {entry.label} » est un thème qui regroupe des codes : choisissez l'un de ses codes."
            )
        targets.append(entry.guid)
    coder_guid = coder_id(project, coder)
    text = project.span_text(document, start, end)
    ids: list[tuple[str, bool]] = []
    with project.store.transaction():
        for code_guid in targets:
            guid, created = codings_sql.add_coding(
                project.store, doc, start, end, text, code_guid, coder_guid
            )
            if created:
                _audit(project, [guid], "ajouté", coder)
            ids.append((guid, created))
            if memo:
                people.set_note(project.store, "coding", guid, memo, coder)
    return ids


def code_many(project: Project, rows: pd.DataFrame | list[dict]) -> int:
    """Write many codings in one transaction (all or nothing); returns how many were new.

    ``rows`` has ``document, start, end, code, coder`` (and optionally ``memo``). Every row is
    checked first; the first problem raises with its row number and nothing is written.
    """
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    documents = project.documents().set_index("document")
    lengths = dict(zip(documents["document_id"], documents["length"], strict=True))
    ids = {
        **{name: guid for name, guid in documents["document_id"].items()},
        **{g: g for g in lengths},
    }
    book = project.codebook
    coder_ids: dict[str, str] = {}
    plan = []
    for number, row in enumerate(records, start=1):
        where = f"ligne {number}"
        doc = ids.get(row["document"])
        if doc is None:
            raise CodingError(f"{where} : document inconnu « {row['document']} ».")
        entry = book.get(row["code"])
        if not entry.codable:
            raise CodingError(f"{where} : « {entry.label} » est un thème, pas un code.")
        if row["coder"] not in coder_ids:
            coder_ids[row["coder"]] = coder_id(project, row["coder"])
        start, end = int(row["start"]), int(row["end"])
        if not 0 <= start < end <= lengths[doc]:
            raise OffsetOutOfRange(
                f"{where} : passage [{start}, {end}) hors de « {row['document']} » "
                f"({lengths[doc]} caractères)."
            )
        plan.append(
            (doc, start, end, entry.guid, coder_ids[row["coder"]], row.get("memo"), row["coder"])
        )
    created = 0
    texts: dict[str, str] = {}
    with project.store.transaction():
        for doc, start, end, code_guid, coder_guid, memo, coder in plan:
            if doc not in texts:
                texts[doc] = docs_sql.text(project.store, doc)
            guid, new = codings_sql.add_coding(
                project.store, doc, start, end, texts[doc][start:end], code_guid, coder_guid
            )
            created += new
            if new:
                _audit(project, [guid], "ajouté", coder)
            if memo:
                people.set_note(project.store, "coding", guid, memo, coder)
    return created


def uncode(project: Project, coding: str, *, by: str | None = None) -> None:
    """Remove a coding (and its memo); the span's other codings are untouched. The audit trail
    records it as ``retiré`` by ``by`` (default: the coding's coder), with the passage and code
    it had. Raises ``CodingError`` for an unknown coding."""
    with project.store.transaction():
        found = codings_sql.get_coding(project.store, coding)
        if found is None:
            raise CodingError(f"Codage inconnu « {coding} » (déjà retiré ?).")
        _audit(project, [coding], "retiré", by or found["coder"])
        codings_sql.remove_coding(project.store, coding)


def move_coding(project: Project, coding: str, code: str, *, by: str | None = None) -> str:
    """Move a coding to another code, keeping its GUID, passage, coder, date and memos; returns
    the coding GUID. The audit trail records it as ``déplacé`` by ``by`` (default: the coding's
    coder) with the former code. Raises ``CodingError`` for an unknown coding, a theme as target,
    or when that coder already has ``code`` on that passage; ``UnknownCode``. Nothing is written
    then."""
    entry = project.codebook.get(code)
    if not entry.codable:
        raise CodingError(
            f"« {entry.label} » est un thème qui regroupe des codes : choisissez l'un de ses codes."
        )
    with project.store.transaction():
        found = codings_sql.get_coding(project.store, coding)
        if found is None:
            raise CodingError(f"Codage inconnu « {coding} » (retiré ?).")
        if found["code_id"] == entry.id:
            return coding
        if review_sql.duplicate_in(project.store, coding, entry.guid) is not None:
            raise CodingError(
                f"« {found['coder']} » a déjà codé ce passage avec « {entry.label} » : retirez "
                "plutôt ce codage."
            )
        codings_sql.set_code(project.store, coding, entry.guid)
        _audit(project, [coding], "déplacé", by or found["coder"], previous=found["code_id"])
    return coding


def _audit(
    project: Project, codings: list[str], action: str, who: str, *, previous: str | None = None
) -> None:
    states = review_sql.coding_states(project.store, codings)
    review_sql.log(project.store, states, action, who, previous_code_id=previous)


def coding(project: Project, coding: str) -> dict:
    """One coding as a dict: ``guid, document_guid, start, end, text, code_id, coder``. Raises
    ``CodingError`` for an unknown coding."""
    found = codings_sql.get_coding(project.store, coding)
    if found is None:
        raise CodingError(f"Codage inconnu « {coding} ».")
    return found


# -- memos ----------------------------------------------------------------------------------------
def set_memo(project: Project, kind: str, target: str, text: str, *, author: str) -> None:
    """Write ``author``'s memo on a document, code, coding, participant or the project.

    ``target`` is a document name, a code id, a coding GUID, a pseudonym, or ``""`` for the
    project. An empty text deletes the memo. The note keeps its author and when it was written
    and last changed. Raises ``MemoError`` for an unknown kind, an empty author or a text longer
    than ``MEMO_MAX_LENGTH``; ``CorpusError``, ``UnknownCode``, ``CodingError``… for an
    unknown target. Nothing is written then.
    """
    if kind not in MEMO_TARGETS:
        raise MemoError(f"Type de mémo inconnu « {kind} » (possibles : {', '.join(MEMO_TARGETS)}).")
    author = (author or "").strip()
    if not author:
        raise MemoError("Un mémo doit être signé : indiquez le nom de son auteur·rice.")
    if len(text) > MEMO_MAX_LENGTH:
        raise MemoError(
            f"Mémo trop long ({len(text)} caractères, au plus {MEMO_MAX_LENGTH}) : "
            "placez un texte aussi long dans un document du corpus."
        )
    guid = _memo_target(project, kind, target)
    with project.store.transaction():
        people.set_note(project.store, kind, guid, text, author)


def _memo_target(project: Project, kind: str, target: str) -> str:
    if kind == "document":
        return project.document_id(target)
    if kind == "code":
        return project.codebook.get(target).guid
    if kind == "coding":
        return coding(project, target)["guid"]
    if kind == "participant":
        return project.participant_id(target)
    return "project"


def memos(project: Project, kind: str | None = None) -> pd.DataFrame:
    """Memos: ``note_id, target_kind, target_id, target, text, author, created_at, updated_at``
    where ``target`` is readable (document name, code id, pseudonym…)."""
    notes = people.notes_frame(project.store, kind)
    documents = project.documents()
    names = dict(zip(documents["document_id"], documents["document"], strict=True))
    names.update({c.guid: c.id for c in project.codebook})
    participants = project.participants()
    names.update(zip(participants["participant_id"], participants["participant"], strict=True))
    notes.insert(3, "target", notes["target_id"].map(lambda g: names.get(g, g)))
    return notes


# -- reading --------------------------------------------------------------------------------------
def codings(
    project: Project,
    code: str | list[str] | None = None,
    *,
    coder: str | list[str] | None = None,
    document: str | None = None,
    descendants: bool = True,
    **attribute_filters: object,
) -> pd.DataFrame:
    """Coded segments with their context, one row per coding.

    ``code``: a code or theme id (with ``descendants=True`` its sub-codes count too), or a
    list. ``coder``: one name or a list. ``document``: a name or GUID. Keyword filters match
    document or participant attributes, or any column (``vague="bilan"``,
    ``site=["Fosse 13", "Haisnes"]``); a filter naming neither raises ``UnknownAttribute``.

    Columns: ``coding_id, selection_id, document_id, document, start, end, text, code_id, code,
    theme_id, theme, coder, created_at, memo, speaker, speaker_role`` (the speaker turn
    containing the start: its label and ``interviewer``/``participant``), then one column per
    document attribute and per participant attribute.
    """
    book = project.codebook  # checked for freshness once, not once per code
    guids = None
    if code is not None:
        ids: list[str] = []
        for code_id in [code] if isinstance(code, str) else code:
            ids.extend(book.descendants(code_id) if descendants else [book.get(code_id).id])
        guids = [book.get(i).guid for i in dict.fromkeys(ids)]
    doc = project.document_id(document) if document is not None else None
    frame = codings_sql.codings_frame(project.store, code_guids=guids, coder=coder, document=doc)
    themes = {c.id: book.theme_of(c.id) for c in book}
    frame["theme_id"] = frame["code_id"].map(themes)
    frame["theme"] = frame["theme_id"].map({c.id: c.label for c in book})
    memo_frame = codings_sql.coding_memos(project.store, list(frame["coding_id"]))
    frame = (
        frame.merge(memo_frame, on="coding_id", how="left")
        if len(memo_frame)
        else frame.assign(memo=None)
    )
    frame = _with_attributes(project, frame[CODINGS_COLUMNS])
    return filter_frame(frame, attribute_filters, declared=project.config.attributes)


#: columns of ``drawn_codings``
DRAWN_COLUMNS = codings_sql.DRAWN_COLUMNS


def drawn_codings(project: Project, document: str) -> pd.DataFrame:
    """The codings of one document (name or GUID) as a coding screen draws them, in text order.

    Columns: ``coding_id, start, end, text, code_id, coder, memo`` (``None`` without a memo). The
    same rows as ``codings(document=...)`` without the context and attribute columns, for a
    tenth of the cost: the coding panel reads it after every click.
    """
    return codings_sql.drawn_codings(project.store, project.document_id(document))


def coding_tally(project: Project, coder: str) -> pd.DataFrame:
    """How many codings ``coder`` made with each code in each document.

    Columns: ``code_id, document_id`` (GUID), ``codings`` (count); one row per code and document
    that has at least one. An unknown coder gives an empty table.
    """
    return codings_sql.coding_tally(project.store, coder)


def coded_spans(project: Project, coder: str | list[str] | None = None) -> pd.DataFrame:
    """Where every coding lies, without its text or context: a fraction of ``codings()``'s cost
    for computations over many codings (agreement reads 200,000 in about a second).

    Columns: ``document_id, document, start, end, code_id, coder``, in document then text order.
    ``coder``: one name or a list (unknown names select nothing).
    """
    coders = None if coder is None else [coder] if isinstance(coder, str) else list(coder)
    return codings_sql.coded_spans(project.store, coders)


def _with_attributes(project: Project, frame: pd.DataFrame) -> pd.DataFrame:
    """Add document attribute columns, then the participant's attributes (by pseudonym)."""
    ids = list(frame["document_id"].unique())
    attributes = docs_sql.attributes_frame(project.store, ids)
    frame = frame.merge(attributes, on="document_id", how="left")
    if "participant" in frame.columns:
        persons = people.participants_frame(project.store).drop(columns="participant_id")
        persons = persons.drop(
            columns=[c for c in persons.columns if c in frame.columns and c != "participant"]
        )
        frame = frame.merge(persons, on="participant", how="left")
    return frame


def drifted_selections(project: Project) -> list[str]:
    """French descriptions of the selections whose stored text no longer matches their document
    (``Project.validate`` reports them)."""
    problems = []
    for document_id, group in codings(project).groupby("document_id"):
        text = docs_sql.text(project.store, str(document_id))
        for row in group.drop_duplicates("selection_id").itertuples():
            if text[row.start : row.end] != row.text:
                problems.append(
                    f"« {row.document} » [{row.start}, {row.end}) : le texte codé a changé "
                    f"(« {row.text[:40]} » attendu)."
                )
    return problems
