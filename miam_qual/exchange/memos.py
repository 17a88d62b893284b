"""Memos of an exchange: notes attached to codes, sources, selections, codings, cases and the
project become miam_qual memos (one per author and target); free notes become project memos; a
text the project already holds is not added twice, a different one completes the memo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..codebook import code_guid
from ..store import people
from .model import MISSING_DOC, Plan

if TYPE_CHECKING:
    from ..project import Project

#: How the export names a memo after its target (« Mémo · Habitante 4 »).
MEMO_PREFIX = "Mémo · "


def plan_memos(project: Project, plan: Plan, who: str) -> None:
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


def note_targets(project: Project, plan: Plan) -> list[tuple[str, str, str, str, str | None]]:
    """The plan's memos with the GUIDs they target where those exist before writing (new
    documents, codes and participants get placeholder keys: they hold no memo yet)."""
    rows = []
    for kind, target, text, author, created in plan.notes:
        rows.append((kind, target_guid(project, plan, kind, target, {}), text, author, created))
    for row, text, author, created in plan.coding_memos:
        rows.append(("coding", f"nouveau:{row}", text, author, created))
    return rows


def target_guid(project: Project, plan: Plan, kind: str, target: object, made: dict) -> str:
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
