"""The review loop: supervisors comment on a coding, a code or a theme summary, approve or contest
a coding; coders answer and mark a thread settled; every change to codings is in an audit trail.

A **thread** opens with a comment (``commentaire``), a contestation (``contestation``) or an
approval (``approbation``, settled when written: it asks for nothing). It targets a coding (its
GUID), a code (its id) or a code's theme summary (``summary=True``); on a coding, the passage,
code and coder are copied when it opens, so that it still reads right once the coding is moved
or removed. Replies follow; ``settle`` closes it (``réglé``, by whom and when).

The **audit trail** (``coding_audit``) is written by the writes that change codings, in their own
transaction: ``code``/``code_many`` (``ajouté``), ``uncode`` and ``remove_orphan`` (``retiré``),
``move_coding`` (``déplacé``), ``merge_codes`` (``fusionné``), and text corrections
(``re-ancré``: a passage whose words changed, vanished or joined another, an orphan placed
again). A passage whose words an edit left intact is not recorded: only its offsets shift.

These functions are ``Project`` methods (bound in ``project.py``): ``projet.comment(...)``.
Authors must be registered coders (``UnknownCoder`` otherwise); every write is one transaction
and writes nothing when it refuses.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pandas as pd

from .coding import MEMO_MAX_LENGTH
from .errors import CodingError, ReviewError
from .store import review as sql

if TYPE_CHECKING:
    from .project import Project

#: What a thread targets: a coding, a code, or a code's theme summary.
TARGET_KINDS = ("codage", "code", "synthèse")
THREAD_KINDS = ("commentaire", "approbation", "contestation")
STATUSES = ("ouvert", "réglé")
#: Per-coding states of ``review_state``, most pressing first.
STATES = ("contesté", "commenté", "approuvé", "réglé")

#: Columns of ``to_review`` and ``threads``.
THREAD_COLUMNS = [
    "thread_id", "kind", "about", "document", "passage", "code", "coder", "author",
    "created_at", "text", "replies", "last_reply_by", "last_reply_at", "status", "settled_by",
    "settled_at", "coding_removed", "coding_id", "code_id", "document_id", "start", "end",
]  # fmt: skip
#: Columns of ``audit_trail``.
AUDIT_COLUMNS = [
    "at", "who", "action", "document", "start", "end", "text", "code", "previous_code",
    "coder", "detail", "coding_id", "code_id", "previous_code_id", "document_id", "audit_id",
]  # fmt: skip
#: French headers of those columns, for tables people read.
LABELS = {
    "thread_id": "Fil", "kind": "Type", "about": "Sur", "document": "Document",
    "passage": "Passage", "code": "Code", "coder": "Codeur·se", "author": "Auteur·rice",
    "created_at": "Le", "text": "Texte", "replies": "Réponses", "last_reply_by": "Dernière réponse de",
    "last_reply_at": "Dernière réponse le", "status": "État", "settled_by": "Réglé par",
    "settled_at": "Réglé le", "coding_removed": "Codage retiré", "at": "Le", "who": "Par",
    "action": "Action", "start": "Début", "end": "Fin", "previous_code": "Code précédent",
    "detail": "Détail",
}  # fmt: skip


# -- writing --------------------------------------------------------------------------------------
def comment(project: Project, target: str, text: str, *, author: str, summary: bool = False) -> str:
    """Open a comment thread on a coding (GUID), a code (id) or, with ``summary=True``, the
    theme summary of a code; returns the thread's GUID. Raises ``CodingError`` for an unknown
    coding, ``UnknownCode``, ``UnknownCoder`` for an unregistered author, ``ReviewError`` for an
    empty or too long text."""
    return _open(project, target, "commentaire", text, author, summary=summary)


def contest(project: Project, coding: str, text: str, *, author: str) -> str:
    """Contest a coding, saying why; returns the thread's GUID. Raises as ``comment``."""
    _coding_state(project, coding)
    return _open(project, coding, "contestation", text, author)


def approve(project: Project, coding: str, *, author: str, text: str = "") -> str:
    """Approve a coding (a thread settled at once: it asks for nothing); returns its GUID. An
    author approving again a coding whose latest thread is their approval gets it back, nothing
    written (after a later comment or contestation, a new approval is written).
    Raises ``CodingError`` for an unknown coding, ``UnknownCoder``."""
    _coding_state(project, coding)
    author = _author(project, author)
    existing = sql.approval_by(project.store, coding, author)
    if existing is not None:
        return existing
    return _open(project, coding, "approbation", text, author, allow_empty=True)


def reply(project: Project, thread: str, text: str, *, author: str) -> str:
    """Answer a thread; returns the reply's GUID. Raises ``ReviewError`` for an unknown or
    settled thread and an empty or too long text, ``UnknownCoder``."""
    author, text = _author(project, author), _text(text)
    with project.store.transaction():
        _open_thread(project, thread)
        return sql.add_reply(project.store, thread, author, text)


def settle(project: Project, thread: str, *, author: str) -> None:
    """Mark a thread settled (``réglé``), by ``author``, now. Raises ``ReviewError`` for an
    unknown or already settled thread, ``UnknownCoder``."""
    author = _author(project, author)
    with project.store.transaction():
        _open_thread(project, thread)
        sql.settle(project.store, thread, author)


def _open(
    project: Project,
    target: str,
    kind: str,
    text: str,
    author: str,
    *,
    summary: bool = False,
    allow_empty: bool = False,
) -> str:
    author = _author(project, author)
    text = "" if allow_empty and not (text or "").strip() else _text(text)
    with project.store.transaction():
        target_kind, target_guid, code_id, passage = _resolve(project, target, summary)
        return sql.open_thread(
            project.store, target_kind=target_kind, target_guid=target_guid, code_id=code_id,
            kind=kind, author=author, text=text, passage=passage,
            settled=kind == "approbation",
        )  # fmt: skip


def _author(project: Project, author: str) -> str:
    author = " ".join((author or "").split())
    if not author:
        raise ReviewError("Signez votre commentaire ou votre réponse : indiquez votre nom.")
    project.coder_id(author)  # raises UnknownCoder
    return author


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ReviewError("Le texte est vide : écrivez ce que vous voulez dire.")
    if len(text) > MEMO_MAX_LENGTH:
        raise ReviewError(
            f"Texte trop long ({len(text)} caractères, au plus {MEMO_MAX_LENGTH}) : résumez-le, "
            "ou écrivez-le dans un mémo."
        )
    return text


def _coding_state(project: Project, coding: str) -> dict:
    found = sql.coding_states(project.store, [coding])
    if not found:
        raise CodingError(f"Codage inconnu « {coding} » (retiré ?) : rien n'a été écrit.")
    return found[0]


def _resolve(project: Project, target: str, summary: bool) -> tuple[str, str, str, dict | None]:
    """``(target kind, target GUID, code id, passage or None)``."""
    book = project.codebook
    if summary:
        entry = book.get(target)  # raises UnknownCode naming it
        return "synthèse", entry.guid, entry.id, None
    if target in book:
        entry = book.get(target)
        return "code", entry.guid, entry.id, None
    if _looks_like_guid(target):
        state = _coding_state(project, target)
        return "codage", target, state["code_id"], state
    book.get(target)  # an id the codebook does not hold: UnknownCode, with close names
    raise AssertionError("unreachable")


def _looks_like_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def _open_thread(project: Project, thread: str) -> dict:
    found = sql.get_thread(project.store, thread)
    if found is None:
        raise ReviewError(f"Fil de revue inconnu « {thread} » : rien n'a été écrit.")
    if found["status"] == "réglé":
        raise ReviewError(
            f"Ce fil ({found['kind']} de {found['author']}) a été réglé par "
            f"{found['settled_by']} le {found['settled_at'][:10]} : rien n'a été écrit. "
            "Ouvrez un nouveau commentaire si la question revient."
        )
    return found


# -- reading --------------------------------------------------------------------------------------
def to_review(project: Project, coder: str | None = None) -> pd.DataFrame:
    """The open comments and contestations, contestations first, oldest first within each:
    ``THREAD_COLUMNS`` (see ``threads``). ``coder``: only the threads on that coder's codings,
    and those on codes and theme summaries (they concern everyone). Raises ``UnknownCoder``."""
    frame = _threads(project, sql.threads_frame(project.store, status="ouvert"))
    if coder is not None:
        project.coder_id(coder)
        frame = frame[(frame["coder"] == coder) | (frame["about"] != "codage")]
    order = frame["kind"].map({"contestation": 0, "commentaire": 1}).fillna(2)
    return (
        frame.assign(_order=order)
        .sort_values(["_order", "created_at"], kind="stable")[THREAD_COLUMNS]
        .reset_index(drop=True)
    )


def threads(project: Project, target: str | None = None, *, summary: bool = False) -> pd.DataFrame:
    """Every thread on a coding (GUID), a code (id) or, with ``summary=True``, a code's theme
    summary — every thread of the project without ``target`` —, oldest first.

    Columns (``THREAD_COLUMNS``, French headers in ``LABELS``): ``thread_id``; ``kind``
    (commentaire, approbation, contestation); ``about`` (codage, code, synthèse); ``document``
    and ``passage`` (the coding's passage now, or as it was when the thread opened if the coding
    was removed; empty for codes); ``code`` (label); ``coder`` (whose coding); ``author``,
    ``created_at``, ``text``; ``replies`` (how many), ``last_reply_by``, ``last_reply_at``;
    ``status`` (ouvert, réglé), ``settled_by``, ``settled_at``; ``coding_removed`` (the coding
    no longer exists); ``coding_id, code_id, document_id, start, end``. The threads of a coding
    removed since are still found by its GUID. Raises as ``comment``.
    """
    if target is None:
        return _threads(project, sql.threads_frame(project.store))
    if not summary and _looks_like_guid(target):  # a coding, even one removed since
        found = sql.threads_frame(project.store, target_kind="codage", target_guid=target)
        if len(found):
            return _threads(project, found)
    kind, guid, _code, _passage = _resolve(project, target, summary)
    return _threads(project, sql.threads_frame(project.store, target_kind=kind, target_guid=guid))


def replies(project: Project, thread: str) -> pd.DataFrame:
    """A thread's replies, oldest first: ``reply_id, author, created_at, text``. Raises
    ``ReviewError`` for an unknown thread."""
    if sql.get_thread(project.store, thread) is None:
        raise ReviewError(f"Fil de revue inconnu « {thread} ».")
    return sql.replies_frame(project.store, thread)


def _threads(project: Project, frame: pd.DataFrame) -> pd.DataFrame:
    book = project.codebook
    documents = project.documents()
    names = dict(zip(documents["document_id"], documents["document"], strict=True))
    on_coding = frame["target_kind"] == "codage"
    current = {
        s["coding_guid"]: s
        for s in sql.coding_states(project.store, frame.loc[on_coding, "target_id"])
    }
    frame = frame.astype(object).where(frame.notna(), None)  # no NaN for a missing value
    rows = []
    for row in frame.to_dict("records"):
        state = current.get(row["target_id"]) if row["target_kind"] == "codage" else None
        if state is not None:
            row.update(
                document_id=state["document_guid"], start=state["start"], end=state["end"],
                excerpt=state["text"], code_id=state["code_id"], coder=state["coder"],
            )  # fmt: skip
        code_id = row["code_id"]
        rows.append(
            {
                **row,
                "thread_id": row["thread_id"],
                "about": row["target_kind"],
                "document": names.get(row["document_id"], "") if row["document_id"] else "",
                "passage": row["excerpt"] or "",
                "code": book.get(code_id).label if code_id in book else code_id,
                "coding_removed": row["target_kind"] == "codage" and state is None,
                "coding_id": row["target_id"] if row["target_kind"] == "codage" else None,
            }
        )
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in THREAD_COLUMNS})
    return pd.DataFrame(rows)[THREAD_COLUMNS]


def review_state(project: Project, document: str) -> dict[str, str]:
    """Each coding of ``document`` (name or GUID) that has a review thread → its state:
    ``contesté`` (an open contestation), ``commenté`` (an open comment), else ``approuvé`` or
    ``réglé`` (the latest thread is an approval, or a settled comment or contestation). Codings
    without a thread are absent. For the coding panel; raises ``CorpusError``."""
    guid = project.document_id(document)
    found: dict[str, list[tuple[str, str]]] = {}
    for coding, kind, status in sql.document_states(project.store, guid):
        found.setdefault(coding, []).append((kind, status))
    states = {}
    for coding, items in found.items():
        open_kinds = {kind for kind, status in items if status == "ouvert"}
        if "contestation" in open_kinds:
            states[coding] = "contesté"
        elif "commentaire" in open_kinds:
            states[coding] = "commenté"
        else:
            states[coding] = "approuvé" if items[-1][0] == "approbation" else "réglé"
    return states


def audit_trail(
    project: Project,
    document: str | None = None,
    code: str | None = None,
    coder: str | None = None,
) -> pd.DataFrame:
    """Every recorded change to codings, oldest first (``AUDIT_COLUMNS``): ``at, who, action``
    (ajouté, retiré, déplacé, fusionné, re-ancré); ``document, start, end, text`` (the passage
    as the change left it); ``code`` and ``previous_code`` (labels; the id when the code no
    longer exists); ``coder`` (whose coding); ``detail`` (a French sentence: former code,
    former passage, duplicate merged, version…); then ``coding_id, code_id, previous_code_id,
    document_id, audit_id``.

    ``document``: name or GUID (``CorpusError``); ``code``: an id, also matching the code a
    coding was moved or merged from (``UnknownCode`` if neither the codebook nor the trail
    knows it); ``coder``: a registered coder (``UnknownCoder``)."""
    doc = None if document is None else project.document_id(document)
    book = project.codebook
    if code is not None and code not in book and code not in sql.audit_codes(project.store):
        book.get(code)  # raises UnknownCode with the close names
    if coder is not None:
        project.coder_id(coder)
    frame = sql.audit_frame(project.store, document=doc, code_id=code, coder=coder)
    documents = project.documents()
    names = dict(zip(documents["document_id"], documents["document"], strict=True))

    def label(code_id: object) -> str:
        if not isinstance(code_id, str):
            return ""
        return book.get(code_id).label if code_id in book else code_id

    frame = frame.assign(
        document=frame["document_id"].map(lambda g: names.get(g, "(document retiré)")),
        code=frame["code_id"].map(label),
        previous_code=frame["previous_code_id"].map(label),
        detail=frame["details"].map(_detail),
        previous_code_id=frame["previous_code_id"].astype(object).where(
            frame["previous_code_id"].notna(), None
        ),
    )  # fmt: skip
    return frame[AUDIT_COLUMNS]


def _detail(details: dict) -> str:
    parts = []
    state = details.get("etat")
    if state:
        parts.append(f"passage {state}")
    if "avant" in details:
        start, end, text = details["avant"]
        short = " ".join(str(text).split())
        short = short if len(short) <= 60 else short[:59] + "…"
        parts.append(f"avant : [{start}, {end}) « {short} »")
    if details.get("doublon_de"):
        parts.append("doublon réuni au codage déjà présent")
    if details.get("version"):
        parts.append(f"version {details['version']} du texte")
    if details.get("echange"):
        parts.append(f"apporté par « {details['echange']} »")
    return " ; ".join(parts)
