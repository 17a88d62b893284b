"""Comparing an :class:`~.model.Exchange` with a project, before anything is written.

The plan says, for every incoming source, whether it is already in the project (recognised by its
text, whatever its name — directly, or through the shareable form a miam_qual export gave it:
pseudonyms and withheld words), new, or absent (a merge that does not add documents); for every
code, how it matched (``matching``); which codings, coders, participants, attribute values and
memos are new. The preview is this plan's report; ``apply`` writes exactly this plan.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..codebook import code_guid
from ..config import AttributeSpec
from ..errors import AttributeValueError
from ..privacy.redact import Redacted
from ..store import codes as codes_sql
from ..store import documents as docs_sql
from ..store import exchange as exchange_sql
from ..store import people
from ..text import fold
from .matching import CONFLICT, NEW, SAME, CodesPlan, match_codes, slug
from .model import Exchange, XSelection, XSource
from .report import ExchangeReport

if TYPE_CHECKING:
    from ..project import Project

NEW_DOC, KNOWN_DOC, MISSING_DOC = "nouveau", "existant", "absent"
#: How the export names a memo after its target (« Mémo · Habitante 4 »).
MEMO_PREFIX = "Mémo · "
#: REFI-QDA variable types → miam_qual attribute types (Float and DateTime stay text).
TYPES = {"text": "texte", "integer": "entier", "boolean": "booleen", "date": "date"}


@dataclass
class SourceMatch:
    source: XSource
    action: str
    document_id: str | None = None
    document: str = ""
    shared: Redacted | None = None  # matched through the shareable form of the document
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    """Everything an exchange will write (see the module docstring)."""

    ex: Exchange
    mode: str
    report: ExchangeReport
    sources: list[SourceMatch]
    codes: CodesPlan
    codebook_version: int
    coders: list[str]  # every coder name used, new ones included
    # (source index, start, end, excerpt, code id, coder, created_at)
    codings: list[tuple[int, int, int, str, str, str, str | None]] = field(default_factory=list)
    # (index into codings, memo text, author, created_at)
    coding_memos: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    # (kind, target: source index | code id | pseudonym | "project", text, author, created_at)
    notes: list[tuple[str, object, str, str, str | None]] = field(default_factory=list)
    participants: dict[str, dict[str, str]] = field(default_factory=dict)
    new_specs: dict[str, AttributeSpec] = field(default_factory=dict)
    code_map: dict[str, str] = field(default_factory=dict)  # incoming GUID key → code id


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
    _attributes(project, plan)
    _notes(project, plan, who)
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
    from .export import shareable_texts

    if not (project.root / "prive").exists() and project.participants().empty:
        return {}
    return {g: r for g, r in shareable_texts(project).items() if r.edits}


def _back(redacted: Redacted, offset: int, side: str) -> int:
    """Where ``offset`` of the shareable text lands in the project's text."""
    starts = [e[2] for e in redacted.edits]
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        return offset
    old_start, old_end, new_start, new_end = redacted.edits[index]
    if offset >= new_end:
        return old_end + (offset - new_end)
    if offset == new_start:
        return old_start
    return old_start if side == "start" else old_end


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
    start, end = _back(match.shared, start, "start"), _back(match.shared, end, "end")
    document = str(match.document_id)  # matched through its shareable form: it exists
    if document not in texts:
        texts[document] = docs_sql.text(project.store, document)
    return start, end, texts[document][start:end]


# -- attributes and participants ------------------------------------------------------------------
def _attributes(project: Project, plan: Plan) -> None:
    """Map variables to declared attributes (declaring new ones), values to documents and cases
    to participants."""
    config = project.config
    report = plan.report
    ex = plan.ex
    on_sources = {k for s in ex.sources for k in s.values}
    on_cases = {k for c in ex.cases for k in c.values}
    specs: dict[str, AttributeSpec | None] = {}
    names = {fold(n) for n in config.attributes}
    for variable in ex.variables:
        scope = (
            "participant"
            if variable.key in on_cases and variable.key not in on_sources
            else "document"
        )
        spec = _declared(config.attributes.values(), variable.name)
        if spec is None and variable.key not in on_sources | on_cases:
            continue
        if spec is None:
            name = slug(variable.name, names, prefix="attribut")
            names.add(name)
            kind = getattr(variable, "spec_type", None) or TYPES.get(
                variable.type.casefold(), "texte"
            )
            choices = tuple(getattr(variable, "choices", ()) or ())
            if kind == "choix" and not choices:
                kind = "texte"
            label = variable.description if variable.spec_type else variable.name
            spec = AttributeSpec(name, label or variable.name, scope, kind, choices)
            plan.new_specs[name] = spec
        specs[variable.key] = spec
    for variable in ex.variables:
        spec = specs.get(variable.key)
        if spec is None:
            continue
        other = "participant" if spec.scope == "document" else "document"
        used_elsewhere = variable.key in (on_cases if other == "participant" else on_sources)
        if used_elsewhere:
            report.lost.append(
                f"variable « {variable.name} » : ses valeurs sur les "
                f"{'cas' if other == 'participant' else 'sources'} ne sont pas reprises "
                f"(l'attribut « {spec.name} » est déclaré pour les {spec.scope}s)."
            )
    if plan.new_specs:
        report.adapted.append(
            "attributs déclarés dans projet.yml : "
            + ", ".join(
                f"« {s.name} » ({s.label}, {s.scope}, {s.type})" for s in plan.new_specs.values()
            )
            + "."
        )
    current = docs_sql.attributes_frame(project.store)
    current_values = {
        row["document_id"]: {
            k: v for k, v in row.items() if k != "document_id" and isinstance(v, str)
        }
        for row in current.to_dict("records")
    }
    owners: dict[str, str] = {}
    participant_spec = config.attributes.get("participant")
    document_scope = participant_spec is not None and participant_spec.scope == "document"
    for case in ex.cases:
        for key in case.sources:
            owners.setdefault(key, case.name)
    for match in plan.sources:
        if match.action == MISSING_DOC:
            continue
        values = {}
        for key, raw in match.source.values.items():
            spec = specs.get(key)
            if spec is None or spec.scope != "document":
                continue
            value = _coerce(spec, raw, f"« {match.source.name} »", report)
            if value is not None:
                values[spec.name] = value
        owner = owners.get(match.source.key)
        if owner and document_scope and "participant" not in values:
            values["participant"] = owner
        have = current_values.get(match.document_id or "", {})
        for name, value in list(values.items()):
            if name in have:
                if have[name] != value:
                    report.conflicts.append(
                        f"« {match.document} » : {name} vaut « {have[name]} » dans le projet, "
                        f"« {value} » dans l'échange (gardé : « {have[name]} »)."
                    )
                del values[name]
        match.attributes = values
    existing = people.participants_frame(project.store)
    known = {
        row["participant"]: {k: v for k, v in row.items() if isinstance(v, str)}
        for row in existing.to_dict("records")
    }
    wanted = {c.name: c for c in ex.cases}
    for match in plan.sources:
        person = match.attributes.get("participant")
        if person and person not in wanted:
            wanted[person] = None  # type: ignore[assignment]
    for name, case in wanted.items():
        values = {}
        for key, raw in case.values.items() if case is not None else ():
            spec = specs.get(key)
            if spec is None or spec.scope != "participant":
                continue
            value = _coerce(spec, raw, f"cas « {name} »", report)
            if value is not None:
                values[spec.name] = value
        have = known.get(name, {})
        for attribute, value in list(values.items()):
            if attribute in have and have[attribute] != value:
                report.conflicts.append(
                    f"participant « {name} » : {attribute} vaut « {have[attribute]} » dans le "
                    f"projet, « {value} » dans l'échange (gardé : « {have[attribute]} »)."
                )
            if attribute in have:
                del values[attribute]
        if name not in known or values:
            plan.participants[name] = values
    new_people = [n for n in plan.participants if n not in known]
    if new_people:
        report.adapted.append(
            f"{len(new_people)} participant(s) ajouté(s) sous leur nom dans l'échange "
            f"({', '.join(new_people[:5])}{'…' if len(new_people) > 5 else ''}) : vérifiez que ce "
            "sont bien des pseudonymes, et saisissez leurs consentements (aucun n'est importé)."
        )


def _declared(specs, name: str) -> AttributeSpec | None:
    folded = fold(name)
    for spec in specs:
        if folded in (fold(spec.name), fold(spec.label)) or slug(name, set()) == spec.name:
            return spec
    return None


def _coerce(spec: AttributeSpec, raw: str, where: str, report: ExchangeReport) -> str | None:
    try:
        return spec.coerce(raw, where=where)
    except AttributeValueError as err:
        report.lost.append(f"{err} (valeur non reprise)")
        return None


# -- memos ----------------------------------------------------------------------------------------
def _notes(project: Project, plan: Plan, who: str) -> None:
    ex = plan.ex
    attached: set[str] = set()

    def add(kind: str, target: object, keys: list[str]) -> None:
        for key in keys:
            note = ex.notes.get(key)
            if note is not None:
                attached.add(key)
                plan.notes.append((kind, target, note.text, note.author or who, note.created_at))

    for code in ex.codes:
        add("code", plan.codes.code_id(code.key), code.notes)
    for index, match in enumerate(plan.sources):
        if match.action == MISSING_DOC:
            attached.update(match.source.notes)
            if match.source.notes:
                plan.report.lost.append(
                    f"« {match.source.name} » n'est pas dans le projet : ses mémos ne sont pas repris."
                )
            continue
        add("document", index, match.source.notes)
        if match.source.description:
            plan.notes.append(("document", index, match.source.description, who, None))
        for selection in match.source.selections:
            attached.update(selection.notes)
            for coding in selection.codings:
                attached.update(coding.notes)
    for case in ex.cases:
        add("participant", case.name, case.notes)
        if case.description:
            plan.notes.append(("participant", case.name, case.description, who, None))
    # Cases carry no NoteRef in QDA-XML: miam_qual's export hangs a participant's memo on the
    # project, named « Mémo · <pseudonym> »; it goes back to the participant.
    cases = {c.name for c in ex.cases}
    for key in ex.project_notes:
        note = ex.notes.get(key)
        person = note.name.removeprefix(MEMO_PREFIX) if note is not None else ""
        if note is not None and note.name.startswith(MEMO_PREFIX) and person in cases:
            add("participant", person, [key])
        else:
            add("project", "project", [key])
    if ex.description:
        plan.notes.append(("project", "project", ex.description, who, None))
    loose = [k for k in ex.notes if k not in attached]
    for key in loose:
        note = ex.notes[key]
        text = (
            f"{note.name}\n\n{note.text}" if note.name and note.name not in note.text else note.text
        )
        plan.notes.append(("project", "project", text, note.author or who, note.created_at))
    if loose:
        plan.report.adapted.append(
            f"{len(loose)} mémo(s) libre(s) (rattaché(s) à rien) deviennent des mémos du projet."
        )


def combine_memos(
    rows: list[tuple[str, str, str, str, str | None]],
    existing: dict[tuple[str, str, str], str],
) -> list[tuple[str, str, str, str, str | None]]:
    """Memos to write, as ``(kind, target GUID, text, author, created_at)``: incoming texts for
    one target and author joined, then added after the project's text unless it already holds
    them (so a merge done twice adds nothing and no memo is lost)."""
    merged: dict[tuple[str, str, str], tuple[str, str | None]] = {}
    for kind, target, text, author, created in rows:
        text = text.strip()
        if not text:
            continue
        key = (kind, target, author)
        if key in merged:
            old, stamp = merged[key]
            if text not in old:
                merged[key] = (f"{old}\n\n{text}", stamp)
        else:
            merged[key] = (text, created)
    result = []
    for (kind, target, author), (text, created) in merged.items():
        have = existing.get((kind, target, author))
        if have is not None:
            pieces = [p for p in text.split("\n\n") if p.strip() and p.strip() not in have]
            if text in have or not pieces:
                continue
            text = have.rstrip() + "\n\n" + "\n\n".join(pieces)
        result.append((kind, target, text, author, created))
    return result


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
    known_coders = set(people.coders_frame(project.store)["coder"])
    targets = _note_targets(project, plan)
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


def _note_targets(project: Project, plan: Plan) -> list[tuple[str, str, str, str, str | None]]:
    """The plan's memos with the GUIDs they target where those exist before writing (new
    documents, codes and participants get placeholder keys: they hold no memo yet)."""
    rows = []
    for kind, target, text, author, created in plan.notes:
        rows.append((kind, _target_guid(project, plan, kind, target, {}), text, author, created))
    for row, text, author, created in plan.coding_memos:
        rows.append(("coding", f"nouveau:{row}", text, author, created))
    return rows


def _target_guid(project: Project, plan: Plan, kind: str, target: object, made: dict) -> str:
    """The GUID a memo targets: ``made`` maps new documents (source index) and participants
    (pseudonym) to the GUIDs they were given; before writing, placeholders stand for them."""
    if kind == "code":
        return code_guid(str(target))
    if kind == "document":
        match = plan.sources[int(str(target))]
        return match.document_id or made.get(("document", target), f"nouveau:{target}")
    if kind == "participant":
        guid = people.participant_guid(project.store, str(target))
        return guid or made.get(("participant", target), f"nouveau:{target}")
    return "project"
