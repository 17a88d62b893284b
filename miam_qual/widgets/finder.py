"""Finding in the workbench: the document picker, text search with its keyword-in-context hits,
going to a hit (then any code click or key codes it), and coding every hit after a preview.

``CodingSession``'s methods, bound on the class in ``session.py``; the search itself is
``miam_qual.search``. The hits of the last search are kept in ``session.finding``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from .. import search as _search
from ..errors import MiamError
from . import prefs
from .history import Action, Step

if TYPE_CHECKING:
    from .session import CodingSession

#: Hits listed at most; beyond, the user is asked to narrow the search (and cannot code them all).
HIT_LIMIT = 500
SCOPES = {"document": "dans ce document", "corpus": "dans tout le corpus"}


@dataclass
class Finding:
    """The last search: its words, where it looked, its hits (``search.HIT_COLUMNS``), whether
    there were more than ``HIT_LIMIT``, the hit shown last, and a pending "code all" preview."""

    query: str = ""
    scope: str = "document"
    hits: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_search.HIT_COLUMNS))
    truncated: bool = False
    current: int | None = None
    preview: dict | None = None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _new_codings(count: int) -> str:
    return f"{count} nouveau{'x' if count > 1 else ''} codage{'s' if count > 1 else ''}"


# -- CodingSession's finding methods (bound on the class in session.py) ---------------------


def pick_documents(
    session: CodingSession, query: str = "", *, uncoded_only: bool = False, **filters: object
) -> pd.DataFrame | None:
    """Documents whose name or attribute values hold every word of ``query`` (case and accents
    ignored), only those this coder has not coded yet with ``uncoded_only``; keyword filters on
    attributes as ``Project.documents``. Columns of ``search.find_documents``; ``None`` (and a
    French message) when a filter is refused."""
    try:
        found = _search.find_documents(
            session.project,
            query,
            not_coded_by=session.coder if uncoded_only else None,
            **filters,
        )
    except MiamError as err:
        session.say(str(err), "erreur")
        return None
    words = f" pour « {query.strip()} »" if query.strip() else ""
    mine = " pas encore codés par vous" if uncoded_only else ""
    if found.empty:
        session.say(f"Aucun document{mine}{words}.", "erreur")
    else:
        session.say(f"{_plural(len(found), 'document')}{mine}{words}.")
    return found


def search(session: CodingSession, query: str, *, scope: str = "document") -> pd.DataFrame | None:
    """Find ``query`` in the open document (``scope="document"``) or the whole corpus
    (``"corpus"``), case and accents ignored; keeps and returns the hits (at most
    ``HIT_LIMIT``), ``None`` when the search was refused."""
    if scope not in SCOPES:
        session.say(f"Portée inconnue « {scope} » (possibles : document, corpus).", "erreur")
        return None
    if scope == "document" and session.document_id is None:
        session.say("Aucun document ouvert où chercher.", "erreur")
        return None
    try:
        hits = _search.search_text(
            session.project,
            query,
            document=session.document_id if scope == "document" else None,
            limit=HIT_LIMIT + 1,
        )
    except MiamError as err:
        session.say(str(err), "erreur")
        return None
    truncated = len(hits) > HIT_LIMIT
    hits = hits.iloc[:HIT_LIMIT].reset_index(drop=True)
    session.finding = Finding(query.strip(), scope, hits, truncated)
    words, where = f"« {query.strip()} »", SCOPES[scope]
    if hits.empty:
        session.say(f"Aucune occurrence de {words} {where}.", "erreur")
    elif truncated:
        session.say(
            f"Plus de {HIT_LIMIT} occurrences de {words} {where} : seules les {HIT_LIMIT} "
            "premières sont listées. Précisez la recherche (plusieurs mots) pour toutes les voir."
        )
    else:
        documents = hits["document_id"].nunique()
        spread = f" ({_plural(documents, 'document')})" if scope == "corpus" else ""
        session.say(f"{_plural(len(hits), 'occurrence')} de {words} {where}{spread}.")
    return hits


def prepare_search(session: CodingSession) -> None:
    """Get the corpus ready for a search (``search.prepare_search``) while the user types: the
    first search is then as quick as the next ones. Says nothing; a failure is left to the
    search itself."""
    with contextlib.suppress(MiamError):
        _search.prepare_search(session.project)


def go_to_hit(session: CodingSession, index: int) -> tuple[int, int] | None:
    """Open the document of hit ``index`` (0-based) and select exactly the words found: a code
    click or key then codes them. Returns the span selected."""
    finding = session.finding
    if not 0 <= index < len(finding.hits):
        session.say("Cette occurrence n'existe pas (ou plus) : relancez la recherche.", "erreur")
        return None
    hit = finding.hits.iloc[index]
    if hit["document_id"] != session.document_id and session.open(hit["document_id"]) is None:
        return None
    start, end = int(hit["start"]), int(hit["end"])
    if session.text[start:end] != hit["match"]:
        session.say("Le texte a changé depuis la recherche : relancez-la.", "erreur")
        return None
    session.selection, session.focus = (start, end), start
    finding.current = index
    session.say(
        f"Occurrence {index + 1} sur {len(finding.hits)} : « {hit['match']} » dans "
        f"« {hit['document']} ». Choisissez un code (clic ou touche) pour la coder."
    )
    return start, end


def next_hit(session: CodingSession, step: int = 1) -> tuple[int, int] | None:
    """Go to the hit after (``step=1``) or before (``-1``) the one shown last, wrapping."""
    count = len(session.finding.hits)
    if not count:
        session.say("Aucune occurrence : lancez d'abord une recherche.", "erreur")
        return None
    current = session.finding.current
    target = (0 if step > 0 else count - 1) if current is None else (current + step) % count
    return session.go_to_hit(target)


def _codable(session: CodingSession, code_id: str) -> bool:
    """Whether ``code_id`` can be applied (the codebook reloaded if another notebook changed
    it); says why not otherwise."""
    session.sync_codebook()
    book = session.project.codebook
    if code_id not in book:
        session.say(f"Code inconnu « {code_id} » : choisissez un code du livre de codes.", "erreur")
        return False
    if not book.get(code_id).codable:
        session.say(
            f"« {book.get(code_id).label} » est un thème : choisissez l'un de ses codes.", "erreur"
        )
        return False
    return True


def _own_spans(session: CodingSession, code_id: str) -> pd.DataFrame:
    frame = session.project.codings(code_id, coder=session.coder, descendants=False)
    return frame[["coding_id", "document_id", "start", "end"]]


def preview_code_all(session: CodingSession, code_id: str) -> dict | None:
    """What coding every hit with ``code_id`` would write, without writing: ``code, label,
    query, count, new, documents`` (``new``: hits not yet coded so by this coder). It is what
    ``code_all_hits`` then writes."""
    finding = session.finding
    if finding.hits.empty:
        session.say("Aucune occurrence à coder : lancez d'abord une recherche.", "erreur")
        return None
    if finding.truncated:
        session.say(
            f"Plus de {HIT_LIMIT} occurrences : précisez la recherche avant de toutes les coder.",
            "erreur",
        )
        return None
    try:
        if not _codable(session, code_id):
            return None
        mine = _own_spans(session, code_id)
    except MiamError as err:
        session.say(str(err), "erreur")
        return None
    done = set(zip(mine["document_id"], mine["start"], mine["end"], strict=True))
    hits = finding.hits
    spans = zip(hits["document_id"], hits["start"], hits["end"], strict=True)
    new = sum(span not in done for span in spans)
    label = session.code_label(code_id)
    finding.preview = {
        "code": code_id, "label": label, "query": finding.query, "count": len(hits),
        "new": new, "documents": int(hits["document_id"].nunique()),
    }  # fmt: skip
    done_count = len(hits) - new
    already = (
        f", {done_count} déjà codée{'s' if done_count > 1 else ''} ainsi" if done_count else ""
    )
    session.say(
        f"Coder {_plural(len(hits), 'occurrence')} de « {finding.query} » "
        f"({_plural(finding.preview['documents'], 'document')}) avec « {label} » : "
        f"{_new_codings(new)}{already}. Confirmez ou annulez."
    )
    return finding.preview


def cancel_code_all(session: CodingSession) -> None:
    """Drop the pending "code all" preview; nothing was written."""
    session.finding.preview = None
    session.say("Codage des occurrences annulé : rien n'a été écrit.")


def code_all_hits(session: CodingSession, code_id: str) -> int | None:
    """Code every hit of the last search with ``code_id``, as previewed by
    ``preview_code_all`` with that code: one transaction (``search.code_hits``), all or nothing,
    and one undo step that removes them all. Returns the number of new codings."""
    finding = session.finding
    preview = finding.preview
    if preview is None or preview["code"] != code_id:
        session.say(
            "Prévisualisez d'abord le codage de toutes les occurrences avec ce code.", "erreur"
        )
        return None
    if not session.coder:
        session.say(prefs.ASK_NAME, "erreur")
        return None
    try:
        if not _codable(session, code_id):
            return None
        if session.coder not in set(session.project.coders()["coder"]):
            session.project.add_coder(session.coder)
        before = set(_own_spans(session, code_id)["coding_id"])
        created = _search.code_hits(session.project, finding.hits, code_id, coder=session.coder)
        after = _own_spans(session, code_id)
    except MiamError as err:
        session.say(f"Rien n'a été écrit : {err}", "erreur")
        return None
    found = finding.hits
    hits = set(zip(found["document_id"], found["start"], found["end"], strict=True))
    steps = [
        Step("apply", r.coding_id, r.document_id, int(r.start), int(r.end), code_id)
        for r in after.itertuples()
        if r.coding_id not in before and (r.document_id, r.start, r.end) in hits
    ]
    label = preview["label"]
    session.history.record(
        Action(f"codage « {label} » de {_plural(len(steps), 'occurrence')}", steps)
    )
    session.recent = [code_id] + [c for c in session.recent if c != code_id]
    finding.preview = None
    session.say(
        f"« {label} » appliqué à {_plural(len(finding.hits), 'occurrence')} de "
        f"« {finding.query} » ({_new_codings(created)}). "
        "« Annuler » les retire toutes d'un coup."
    )
    return created


# -- what the panel draws ---------------------------------------------------------------------
#: Documents listed at most in the picker.
PICKER_LIMIT = 300


def picker_payload(session: CodingSession, found: pd.DataFrame | None) -> dict:
    """The picker's list for the view: ``documents`` (``id, name, kind, position, found_in``
    where ``found_in`` reads ``Site : Haisnes`` for the attributes the words were found in),
    ``count`` and ``more`` (documents beyond ``PICKER_LIMIT``)."""
    if found is None:
        return {"documents": [], "count": 0, "more": 0}
    specs = session.project.config.attributes
    rows = []
    for record in found.head(PICKER_LIMIT).to_dict("records"):
        fields = [f for f in str(record["found_in"]).split(", ") if f in specs]
        rows.append(
            {
                "id": record["document_id"], "name": record["document"], "kind": record["kind"],
                "position": int(record["position"]),
                "found_in": " · ".join(f"{specs[f].label} : {record[f]}" for f in fields),
            }
        )  # fmt: skip
    return {"documents": rows, "count": len(found), "more": max(0, len(found) - PICKER_LIMIT)}


def hits_payload(session: CodingSession) -> dict:
    """The last search for the view: ``query, scope, count, truncated, current, preview`` and
    ``hits`` (``index, document_id, document, start, end, before, match, after, speaker``)."""
    finding = session.finding
    hits = [
        {
            "index": i, "document_id": r.document_id, "document": r.document,
            "start": int(r.start), "end": int(r.end), "before": r.before, "match": r.match,
            "after": r.after, "speaker": r.speaker or "",
        }
        for i, r in enumerate(finding.hits.itertuples())
    ]  # fmt: skip
    return {
        "query": finding.query, "scope": finding.scope, "count": len(hits),
        "truncated": finding.truncated, "current": finding.current, "preview": finding.preview,
        "hits": hits,
    }  # fmt: skip
