"""The report's section on the review of codings: open threads and the latest changes to codings.

Like every text of the report, it honours consent before pseudonyms are applied (in
``build_report_data``): a thread or change on words of someone who did not consent to analysis is
left out; a passage is quoted only when every speaker in it consented to written quotation
(``(extrait non citable)`` otherwise); the passage of a coding removed since is not quoted.
Comments and replies are the team's words, treated like memos (pseudonymised with the rest).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from ..privacy.consent import NOT_QUOTABLE, ConsentCheck
from ..text import excerpt

if TYPE_CHECKING:
    from ..project import Project

#: How many of the latest changes to codings the report lists.
AUDIT_SHOWN = 30
#: Longest passage quoted in the list of open threads, in characters.
PASSAGE_WIDTH = 200
THREAD_COLUMNS = ["kind", "about", "document", "passage", "code", "coder", "author", "created_at",
                  "text", "replies"]  # fmt: skip
AUDIT_COLUMNS = ["at", "who", "action", "document", "code", "previous_code", "coder"]
REMOVED = "(codage retiré depuis)"
#: French headers of the two tables, in the Word and Excel reports (the HTML template has its own).
THREAD_HEADERS = {
    "kind": "Type", "about": "Sur", "document": "Document", "passage": "Passage", "code": "Code",
    "coder": "Codeur·se", "author": "Auteur·rice", "created_at": "Le", "text": "Commentaire",
    "replies": "Réponses",
}  # fmt: skip
AUDIT_HEADERS = {
    "at": "Le", "who": "Par", "action": "Action", "document": "Document", "code": "Code",
    "previous_code": "Code avant", "coder": "Codeur·se",
}  # fmt: skip


def review_tables(
    project: Project,
    check: ConsentCheck,
    *,
    codes: list[str] | None = None,
    coders: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(open threads, latest changes)`` for the report, oldest thread first and latest change
    first. ``codes``: the code ids the report covers (``None``: all); ``coders``: whose codings
    (``None``: all; threads on codes and summaries are kept)."""
    threads = project.to_review()
    if codes is not None:
        threads = threads[threads["code_id"].isin(codes)]
    if coders:
        threads = threads[threads["coder"].isin(coders) | (threads["about"] != "codage")]
    threads = _consented_threads(project, threads.reset_index(drop=True), check)
    threads = threads.assign(created_at=threads["created_at"].map(_moment))
    trail = project.audit_trail()
    if codes is not None:
        trail = trail[trail["code_id"].isin(codes) | trail["previous_code_id"].isin(codes)]
    if coders:
        trail = trail[trail["coder"].isin(coders)]
    trail = _consented(project, trail.reset_index(drop=True), check)
    trail = trail.iloc[::-1].head(AUDIT_SHOWN)
    trail = trail.assign(at=trail["at"].map(_moment))
    return threads[THREAD_COLUMNS].reset_index(drop=True), trail[AUDIT_COLUMNS].reset_index(
        drop=True
    )


def _consented(project: Project, frame: pd.DataFrame, check: ConsentCheck) -> pd.DataFrame:
    """Rows on a current document whose span touches no voice refused for analysis."""
    documents = set(project.documents()["document_id"])
    frame = frame[frame["document_id"].isin(documents)].reset_index(drop=True)
    if frame.empty:
        return frame
    spans = frame.astype({"start": "int64", "end": "int64"})
    return frame[~check.touching(spans, "analyse", unknown=True)].reset_index(drop=True)


def _consented_threads(
    project: Project, threads: pd.DataFrame, check: ConsentCheck
) -> pd.DataFrame:
    on_codings = threads[threads["about"] == "codage"]
    shared = threads[threads["about"] != "codage"]
    on_codings = _consented(project, on_codings, check)
    if len(on_codings):
        spans = on_codings.astype({"start": "int64", "end": "int64"})
        hidden = check.touching(spans, "citation", unknown=False)
        passages = [
            REMOVED if removed else NOT_QUOTABLE if refused else excerpt(passage, PASSAGE_WIDTH)
            for passage, removed, refused in zip(
                on_codings["passage"], on_codings["coding_removed"], hidden, strict=True
            )
        ]
        on_codings = on_codings.assign(passage=passages)
    frame = pd.concat([on_codings, shared]) if len(on_codings) else shared
    order = frame["kind"].map({"contestation": 0}).fillna(1)  # contestations first, as to_review
    frame = frame.assign(_order=order).sort_values(["_order", "created_at"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def _moment(value: object) -> str:
    """A stored UTC time as ``JJ/MM/AAAA HH:MM`` in this machine's time."""
    if not isinstance(value, str):
        return ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")
