"""Comparing an :class:`~.model.Exchange` with a project, before anything is written.

The plan says, for every incoming source, whether it is already in the project (recognised by its
text, whatever its name — directly, or through the shareable form a miam_qual export gave it:
pseudonyms and withheld words), new, or absent (a merge that does not add documents); for every
code, how it matched (``matching``); which codings, coders, participants, attribute values and
memos are new. The preview is this plan's report; ``apply`` writes exactly this plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..alignment import VANISHED, SpanMap, diff_edits
from ..codebook import code_guid
from ..privacy.redact import Redacted
from ..store import codes as codes_sql
from ..store import documents as docs_sql
from ..store import exchange as exchange_sql
from ..store import people
from ..store import versions as versions_sql
from .attributes import plan_attributes
from .matching import CONFLICT, NEW, SAME, match_codes
from .memos import combine_memos, note_targets, plan_memos
from .model import KNOWN_DOC, MISSING_DOC, NEW_DOC, Exchange, Plan, SourceMatch, XSelection
from .report import ExchangeReport
from .shareable import back

if TYPE_CHECKING:
    from ..project import Project


def known_code_map(project: Project) -> dict[str, str]:
    """Incoming GUID keys that earlier exchanges matched, with the code id they matched."""
    known: dict[str, str] = {}
    for details in exchange_sql.exchange_log_frame(project.store)["details"]:
        known.update(details.get("codes", {}))
    return known


def plan_exchange(
    project: Project, ex: Exchange, *, mode: str, new_documents: bool, who: str
) -> Plan:
    """Compare ``ex`` with ``project``; ``mode`` is ``import`` or ``fusion``; ``new_documents``
    says whether sources the project lacks are added (always for an import)."""
    book = project.codebook  # reconciled with its file first
    version = codes_sql.codebook_version(project.store)
    report = ExchangeReport(
        action=mode, source=ex.label, origin=ex.origin, reading=ex.reading,
        adapted=list(ex.adapted), lost=list(ex.lost),
    )  # fmt: skip
    sources = _match_sources(project, ex, new_documents or mode == "import", report)
    kept = [m for m in sources if m.action != MISSING_DOC]
    coded = {c.code for m in kept for s in m.source.selections for c in s.codings}
    codes = match_codes(book, ex, known=known_code_map(project), coded=coded, who_label=ex.label)
    plan = Plan(ex, mode, report, sources, codes, version, coders=[])
    plan.code_map = {k: m.code_id for k, m in codes.matches.items()}
    _codings(project, plan, who)
    plan_attributes(project, plan)
    plan_memos(project, plan, who)
    _fill_report(project, plan)
    return plan


# -- documents ------------------------------------------------------------------------------------
def _match_sources(
    project: Project, ex: Exchange, add: bool, report: ExchangeReport
) -> list[SourceMatch]:
    documents = project.documents()
    by_length: dict[int, list[str]] = {}
    for guid, length in zip(documents["document_id"], documents["length"], strict=True):
        by_length.setdefault(int(length), []).append(guid)
    names = dict(zip(documents["document_id"], documents["document"], strict=True))
    taken = set(names.values())
    texts: dict[str, str] = {}
    shareable: dict[str, Redacted] | None = None
    matches = []
    for source in ex.sources:
        found = None
        for guid in by_length.get(len(source.text), []):
            if guid not in texts:
                texts[guid] = docs_sql.text(project.store, guid)
            if texts[guid] == source.text:
                found = guid
                break
        if found is not None:
            matches.append(SourceMatch(source, KNOWN_DOC, found, names[found]))
            continue
        if shareable is None:
            shareable = _shareable(project)
        shared = next(
            ((g, r) for g, r in shareable.items() if r.edits and r.text == source.text), None
        )
        if shared is not None:
            guid, redacted = shared
            report.adapted.append(
                f"« {source.name} » est « {names[guid]} » sous sa forme partagée (pseudonymes, "
                "propos retirés) : ses passages sont replacés sur le texte du projet."
            )
            matches.append(SourceMatch(source, KNOWN_DOC, guid, names[guid], redacted))
            continue
        older = versions_sql.older_version(project.store, source.text)
        if older is not None:
            guid, version = older
            current = texts.setdefault(guid, docs_sql.text(project.store, guid))
            report.adapted.append(
                f"« {source.name} » est la version {version} de « {names[guid]} », dont le texte a "
                "été corrigé depuis : ses passages sont replacés sur le texte actuel."
            )
            revised = SpanMap(diff_edits(source.text, current))
            matches.append(SourceMatch(source, KNOWN_DOC, guid, names[guid], revised=revised))
            continue
        if not add:
            matches.append(SourceMatch(source, MISSING_DOC, None, source.name))
            continue
        name = source.name
        number = 2
        while name in taken:
            name = f"{source.name} ({number})"
            number += 1
        if name != source.name:
            report.adapted.append(
                f"un autre document s'appelle déjà « {source.name} » dans le projet : la source "
                f"importée devient « {name} »."
            )
        taken.add(name)
        matches.append(SourceMatch(source, NEW_DOC, None, name))
    return matches


def _shareable(project: Project) -> dict[str, Redacted]:
    """Each document's shareable form, when it differs from its text (as the export writes it)."""
    from .shareable import shareable_texts

    if not (project.root / "prive").exists() and project.participants().empty:
        return {}
    return {g: r for g, r in shareable_texts(project).items() if r.edits}


# -- codings --------------------------------------------------------------------------------------
def _codings(project: Project, plan: Plan, who: str) -> None:
    report = plan.report
    existing_docs = [m.document_id for m in plan.sources if m.document_id is not None]
    present = exchange_sql.coding_keys(project.store, existing_docs)
    texts: dict[str, str] = {}
    seen: set[tuple] = set()
    fallback = f"inconnu ({plan.ex.origin})" if plan.ex.origin else "inconnu"
    unknown_coder = 0
    already = 0
    for index, match in enumerate(plan.sources):
        if match.action == MISSING_DOC:
            count = sum(len(s.codings) for s in match.source.selections)
            if count:
                report.lost.append(
                    f"« {match.source.name} » n'est pas dans le projet : ses {count} codage(s) ne "
                    "sont pas repris (fusionnez avec les nouveaux documents pour les ajouter)."
                )
                report.counts["codages_non_repris"] = (
                    report.counts.get("codages_non_repris", 0) + count
                )
            continue
        for selection in match.source.selections:
            span = _span(project, match, selection, texts, report)
            if span is None:
                report.counts["codages_non_repris"] = report.counts.get(
                    "codages_non_repris", 0
                ) + len(selection.codings)
                continue
            start, end, excerpt = span
            for coding in selection.codings:
                coder = coding.coder or selection.coder
                if not coder:
                    coder, unknown_coder = fallback, unknown_coder + 1
                code_id = plan.codes.code_id(coding.code)
                key = (index, start, end, code_id, coder)
                if key in seen:
                    continue  # NVivo writes one selection per coding: equal spans merge
                seen.add(key)
                if (
                    match.document_id
                    and (match.document_id, start, end, code_guid(code_id), coder) in present
                ):
                    already += 1
                    continue
                row = len(plan.codings)
                plan.codings.append(
                    (index, start, end, excerpt, code_id, coder,
                     coding.created_at or selection.created_at)
                )  # fmt: skip
                if selection.comment:
                    plan.coding_memos.append((row, selection.comment, coder, selection.created_at))
                for note_key in (*selection.notes, *coding.notes):
                    note = plan.ex.notes.get(note_key)
                    if note is not None:
                        plan.coding_memos.append(
                            (row, note.text, note.author or coder, note.created_at)
                        )
    if unknown_coder:
        report.adapted.append(
            f"{unknown_coder} codage(s) sans codeur : attribués à « {fallback} »."
        )
    report.counts["codages_deja_presents"] = already
    plan.coders = sorted({row[5] for row in plan.codings})


def _span(
    project: Project,
    match: SourceMatch,
    selection: XSelection,
    texts: dict[str, str],
    report: ExchangeReport,
) -> tuple[int, int, str] | None:
    """``(start, end, excerpt)`` of a selection in the project's document, or ``None`` (listed
    in the report) when it cannot be kept."""
    start, end = selection.start, selection.end
    if end <= start:
        report.lost.append(
            f"{selection.where or match.source.name} : passage vide (position {start}) ; "
            "miam_qual ne code que des passages d'au moins un caractère."
        )
        return None
    if match.revised is not None:
        return _revised_span(project, match, match.revised, start, end, texts, report)
    if match.shared is None:
        return start, end, selection.text
    for w_start, w_end in match.shared.withheld:
        new_start = match.shared.position(w_start, side="start")
        new_end = match.shared.position(w_end, side="end")
        if new_start < end and new_end > start:
            report.lost.append(
                f"« {match.source.name} » [{start}, {end}) : passage sur des propos retirés "
                "faute de consentement, non repris."
            )
            return None
    start, end = back(match.shared, start, "start"), back(match.shared, end, "end")
    document = str(match.document_id)  # matched through its shareable form: it exists
    if document not in texts:
        texts[document] = docs_sql.text(project.store, document)
    return start, end, texts[document][start:end]


def _revised_span(
    project: Project,
    match: SourceMatch,
    revised: SpanMap,
    start: int,
    end: int,
    texts: dict[str, str],
    report: ExchangeReport,
) -> tuple[int, int, str] | None:
    """A selection made on an older version, carried to the current text (``None``, listed in
    the report, when its words were removed by the correction)."""
    placed = revised.place(start, end)
    if placed.state == VANISHED or placed.end <= placed.start:
        report.lost.append(
            f"« {match.source.name} » [{start}, {end}) : passage retiré du texte lors de sa "
            "correction, non repris."
        )
        return None
    document = str(match.document_id)
    if document not in texts:
        texts[document] = docs_sql.text(project.store, document)
    return placed.start, placed.end, texts[document][placed.start : placed.end]


# -- report ---------------------------------------------------------------------------------------
def _fill_report(project: Project, plan: Plan) -> None:
    report = plan.report
    per_source: dict[int, int] = {}
    for row in plan.codings:
        per_source[row[0]] = per_source.get(row[0], 0) + 1
    report.documents = pd.DataFrame(
        [
            {"source": m.source.name, "document": m.document, "action": m.action,
             "codages": per_source.get(i, 0)}
            for i, m in enumerate(plan.sources)
        ],
        columns=["source", "document", "action", "codages"],
    )  # fmt: skip
    report.codes = plan.codes.table()
    for match in plan.codes.matches.values():
        if match.action == CONFLICT:
            report.conflicts.append(
                f"code « {' › '.join(plan.codes.paths[match.code.key])} » reconnu comme "
                f"« {match.code_id} » ({match.matched_by}) : " + "; ".join(match.differences) + "."
            )
    authors = {author for _k, _t, _x, author, _c in plan.notes}
    idle = sorted(set(plan.ex.users.values()) - set(plan.coders) - authors)
    if idle:
        report.adapted.append(
            f"{len(idle)} utilisateur(s) sans codage ni mémo ne deviennent pas des codeurs : "
            + ", ".join(f"« {u} »" for u in idle)
            + "."
        )
    known_coders = set(people.coders_frame(project.store)["coder"])
    targets = note_targets(project, plan)
    memos = combine_memos(targets, exchange_sql.note_texts(project.store)) if targets else []
    report.counts.update(
        documents_nouveaux=sum(m.action == NEW_DOC for m in plan.sources),
        documents_existants=sum(m.action == KNOWN_DOC for m in plan.sources),
        documents_absents=sum(m.action == MISSING_DOC for m in plan.sources),
        codes_nouveaux=plan.codes.count(NEW),
        codes_identiques=plan.codes.count(SAME),
        codes_en_conflit=plan.codes.count(CONFLICT),
        codages_nouveaux=len(plan.codings),
        codeurs_nouveaux=len(set(plan.coders) - known_coders),
        participants_nouveaux=len(
            [n for n in plan.participants if people.participant_guid(project.store, n) is None]
        ),
        memos=len(memos),
        attributs_declares=len(plan.new_specs),
    )
