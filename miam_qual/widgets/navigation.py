"""Moving through a project in the workbench: documents, uncoded ones, occurrences, the grid."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import CorpusError, MiamError

if TYPE_CHECKING:
    from .session import CodingSession


# -- CodingSession's navigation methods (bound on the class in session.py) -----------------


def refresh_documents(session: CodingSession) -> None:
    """Re-read the list of documents (after an import in another notebook)."""
    session.documents = session.project.documents()[
        ["document_id", "document", "kind", "source_file"]
    ]


def open(session: CodingSession, document: str | int) -> str | None:
    """Open a document by name, GUID or position; returns its GUID."""
    try:
        if isinstance(document, int):
            if not 0 <= document < len(session.documents):
                raise CorpusError(f"Il n'y a pas de document n° {document + 1}.")
            guid = str(session.documents["document_id"].iloc[document])
        else:
            guid = session.project.document_id(document)
    except MiamError as err:
        session.say(str(err), "erreur")
        return None
    if guid not in set(session.documents["document_id"]):
        session.refresh_documents()
    session.document_id = guid
    session.text = session.project.text(guid)
    session.loads += 1  # the view sends the text again (same document after a correction too)
    session.units = session.project.units(guid)
    session.selection, session.focus = None, None
    session.editing = None
    session.say(
        f"Document {session.position + 1} sur {len(session.documents)} : {session.document}."
    )
    return guid


def next_document(session: CodingSession) -> str | None:
    return _step(session, +1)


def previous_document(session: CodingSession) -> str | None:
    return _step(session, -1)


def _step(session: CodingSession, delta: int) -> str | None:
    target = session.position + delta
    if not 0 <= target < len(session.documents):
        session.say(
            "C'est le dernier document." if delta > 0 else "C'est le premier document.",
            "erreur",
        )
        return None
    return session.open(target)


def coded_documents(session: CodingSession) -> set[str]:
    """GUIDs of documents holding at least one coding by this coder."""
    return set(session.coder_tally()["document_id"])


def progress(session: CodingSession) -> tuple[int, int]:
    """(documents coded by this coder, all documents)."""
    return len(session.coded_documents() & set(session.documents["document_id"])), len(
        session.documents
    )


def next_uncoded(session: CodingSession) -> str | None:
    """Open the next document (after the open one, wrapping) that this coder has not coded."""
    session.refresh_documents()
    coded = session.coded_documents()
    ids = list(session.documents["document_id"])
    start = session.position
    for step in range(1, len(ids) + 1):
        guid = ids[(start + step) % len(ids)]
        if guid not in coded:
            return session.open(guid)
    session.say(f"Tous les documents ont au moins un codage de « {session.coder} ».")
    return None


def next_occurrence(session: CodingSession, code_id: str) -> tuple[str, int, int] | None:
    """Open and select the next passage coded ``code_id`` (sub-codes included) after the
    selection, across documents, wrapping; returns ``(document, start, end)``."""
    try:
        frame = session.project.codings(
            code_id, coder=None if session.show_others else session.coder
        )
    except MiamError as err:
        session.say(str(err), "erreur")
        return None
    if frame.empty:
        session.say(
            f"Aucun passage codé « {session.code_label(code_id)} » pour l'instant.", "erreur"
        )
        return None
    order = {g: i for i, g in enumerate(session.documents["document_id"])}
    spans = sorted(
        {
            (order.get(r.document_id, len(order)), r.start, r.end, r.document_id)
            for r in frame.itertuples()
        }
    )
    here = (session.position, *(session.selection or (session.focus or -1, -1)))
    after = [s for s in spans if s[:3] > here] or spans
    _pos, start, end, guid = after[0]
    if guid != session.document_id:
        session.open(guid)
    session.select(int(start), int(end))
    return str(session.document), int(start), int(end)


def go_to(
    session: CodingSession, document: str, start: int, end: int, *, coder: str | None = None
) -> tuple[int, int] | None:
    """Open ``document`` (name or GUID) and select exactly ``[start, end)``: the way back from a
    retrieved segment to its passage. The span is kept as stored (no snapping to words), so the
    selection is the coded passage itself. ``coder``: whose coding it is; another coder's turns
    on ``show_others`` so that the passage's codings are visible. Returns the span, or ``None``
    (with a French message) for an unknown document or a span outside its text."""
    if session.document_id is None or document not in (session.document_id, session.document):
        if session.open(document) is None:
            return None
    length = len(session.text)
    if not 0 <= start < end <= length:
        session.say(
            f"Passage [{start}, {end}) hors de « {session.document} » ({length} caractères) : "
            "relancez la recherche, le codage a peut-être changé.",
            "erreur",
        )
        return None
    if coder is not None and coder != session.coder:
        session.show_others = True
    session.selection, session.focus = (start, end), start
    excerpt = " ".join(session.text[start:end].split())
    excerpt = excerpt if len(excerpt) <= 40 else excerpt[:39] + "…"
    session.say(f"Passage « {excerpt} » de « {session.document} ».")
    return start, end


# -- questionnaires -----------------------------------------------------------------------
def grid(session: CodingSession, source_file: str | None = None) -> dict | None:
    """The questionnaire grid of ``source_file`` (default: the open document's file):
    ``source_file, questions`` and ``rows`` (one per respondent: ``document_id, document``
    and ``cells``, one per question: ``index, start, end, text, codings``). ``None`` when the
    file holds no questionnaire."""
    docs = session.documents[session.documents["kind"] == "questionnaire"]
    if source_file is None:
        pos = session.position
        source_file = None if pos < 0 else session.documents["source_file"].iloc[pos]
    docs = docs[docs["source_file"] == source_file]
    if docs.empty:
        return None
    coded = session.project.codings(coder=None if session.show_others else session.coder)
    coded = coded[coded["document_id"].isin(set(docs["document_id"]))]
    questions: list[str] = []
    rows = []
    for doc in docs.itertuples():
        text = session.project.text(doc.document_id)
        answers = session.project.units(doc.document_id, "answer")
        mine = coded[coded["document_id"] == doc.document_id]
        cells = {}
        for unit in answers.itertuples():
            if unit.question not in questions:
                questions.append(unit.question)
            inside = mine[(mine["start"] < unit.end) & (mine["end"] > unit.start)]
            cells[unit.question] = {
                "index": int(unit.index), "start": int(unit.start), "end": int(unit.end),
                "text": text[unit.start : unit.end],
                "codings": [
                    {"id": r.coding_id, "code_id": r.code_id, "coder": r.coder} for r in inside.itertuples()
                ],
            }  # fmt: skip
        rows.append({"document_id": doc.document_id, "document": doc.document, "cells": cells})
    return {"source_file": source_file, "questions": questions, "rows": rows}


def select_cell(session: CodingSession, document: str, question: str) -> tuple[int, int] | None:
    """Open a respondent's document and select their answer to ``question``."""
    if session.open(document) is None:
        return None
    answers = session.units[
        (session.units["kind"] == "answer") & (session.units["question"] == question)
    ]
    if answers.empty:
        session.say(f"« {session.document} » n'a pas répondu à « {question} ».", "erreur")
        return None
    return session.select_unit("answer", int(answers["index"].iloc[0]))
