"""Merging coders' work: bring into a project the codings of another miam_qual project (a copy a
second coder worked on) or of a ``.qdpx`` made on the same documents (a supervisor coding in
NVivo on the archive miam_qual exported).

Documents are matched by their text, whatever their names — directly, or through the shareable
form an export gave them (pseudonyms, withheld words), in which case passages are carried back onto
the project's text. Codes are matched by GUID, then by a GUID an earlier exchange matched, then by
their path of labels, then by their label (``matching``); new codes are added. Codings already in
the project (same passage, code and coder) are left alone, so merging twice adds nothing; nothing
of the project is ever removed or overwritten (a memo that differs is completed, a differing code
or attribute is reported as a conflict and the project's version kept). Sources the project does
not have are listed with their codings, and added only with ``new_documents=True``. Every merge is
one transaction and is logged (``exchange_history``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..common import default_user
from ..errors import ProjectError
from ..store import exchange as exchange_sql
from .apply import apply_plan
from .export import VARIABLE_TYPES
from .model import (
    Exchange,
    XCase,
    XCode,
    XCoding,
    XNote,
    XSelection,
    XSource,
    XTimecode,
    XVariable,
    guid_key,
)
from .plan import plan_exchange
from .qdpx_import import reading_of
from .qdpx_read import read_qdpx
from .report import ExchangeReport

if TYPE_CHECKING:
    from ..project import Project


def read_project(other: Project) -> Exchange:
    """Everything another miam_qual project holds, as an :class:`Exchange` (read through its
    public methods; nothing is written to it)."""
    ex = Exchange(label=other.root.name, origin="miam_qual (projet)", name=other.name)
    book = other.codebook
    for code in book:
        ex.codes.append(
            XCode(
                key=guid_key(code.guid), guid=code.guid, name=code.label,
                parent=guid_key(book.get(code.parent).guid) if code.parent else None,
                codable=code.codable, color=code.color, definition=code.definition,
                inclusion=code.inclusion, exclusion=code.exclusion, example=code.example,
                keywords=code.keywords, id_hint=code.id,
            )
        )  # fmt: skip
    codes = {c.key: c for c in ex.codes}
    specs = other.config.attributes
    for spec in specs.values():
        ex.variables.append(
            XVariable(
                key=spec.name, name=spec.name, type=VARIABLE_TYPES[spec.type], description=spec.label,
                spec_type=spec.type, choices=spec.choices,
            )
        )  # fmt: skip
    memos = other.memos()
    notes_on: dict[str, list[str]] = {}
    for note in memos.to_dict("records"):
        ex.notes[note["note_id"]] = XNote(
            key=note["note_id"], name="", text=note["text"], author=note["author"],
            created_at=note["created_at"],
        )  # fmt: skip
        notes_on.setdefault(note["target_id"], []).append(note["note_id"])
    for code in book:
        codes[guid_key(code.guid)].notes = notes_on.get(code.guid, [])
    ex.project_notes = notes_on.get("project", [])
    documents = other.documents()
    codings = other.codings()
    by_document = {doc: group for doc, group in codings.groupby("document_id", sort=False)}
    for doc in documents.to_dict("records"):
        guid = doc["document_id"]
        source = XSource(
            key=guid, guid=guid, name=doc["document"], text=other.text(guid),
            media=_text(doc.get("media")), notes=notes_on.get(guid, []),
            created_at=doc["imported_at"], kind=doc["kind"], encoding=_text(doc.get("encoding")),
            file=other.corpus_dir / doc["source_file"],
            values={
                name: doc[name] for name, spec in specs.items()
                if spec.scope == "document" and isinstance(doc.get(name), str)
            },
        )  # fmt: skip
        units = other.units(guid)
        source.units = [
            {key: _plain(value) for key, value in unit.items()} for unit in units.to_dict("records")
        ]
        for unit in source.units:
            for key in ("start", "end", "index", "begin_ms", "end_ms"):
                if unit[key] is not None:
                    unit[key] = int(unit[key])
        source.timecodes = [
            XTimecode(int(t.start), int(t.end), int(t.begin_ms), int(t.end_ms))
            for t in other.timecodes(guid).itertuples()
        ]
        group = by_document.get(guid)
        if group is not None:
            for _selection, rows in group.groupby("selection_id", sort=False):
                first = rows.iloc[0]
                source.selections.append(
                    XSelection(
                        start=int(first["start"]), end=int(first["end"]), text=first["text"],
                        codings=[
                            XCoding(
                                code=guid_key(book.get(r.code_id).guid), coder=r.coder,
                                created_at=r.created_at, guid=r.coding_id,
                                notes=notes_on.get(r.coding_id, []),
                            )
                            for r in rows.itertuples()
                        ],
                        coder=first["coder"], created_at=first["created_at"],
                    )
                )  # fmt: skip
        ex.sources.append(source)
    participants = other.participants()
    owners: dict[str, list[str]] = {}
    if "participant" in documents:
        for guid, person in zip(documents["document_id"], documents["participant"], strict=True):
            if isinstance(person, str):
                owners.setdefault(person, []).append(guid)
    for person in participants.to_dict("records"):
        ex.cases.append(
            XCase(
                key=person["participant_id"], name=person["participant"],
                values={
                    name: person[name] for name, spec in specs.items()
                    if spec.scope == "participant" and isinstance(person.get(name), str)
                },
                sources=owners.get(person["participant"], []),
                notes=notes_on.get(person["participant_id"], []),
            )
        )  # fmt: skip
    consents = other.consent_history()
    if len(consents):
        ex.lost.append(
            f"{len(consents)} enregistrement(s) de consentement de « {other.root.name} » ne sont "
            "pas fusionnés : le registre des consentements se tient dans le projet partagé."
        )
    return ex


def _text(value: object) -> str | None:
    """A text value, ``None`` for a missing one."""
    return value if isinstance(value, str) and value else None


def _plain(value: object) -> object:
    """``None`` for pandas' missing values, the value otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value


def _exchange(project: Project, source, unit: str | None, lines: str | None):
    """The exchange to merge from ``source``: a ``.qdpx`` file, a project folder or a
    ``Project``; and the project to close afterwards (opened here), if any."""
    from ..project import Project

    if isinstance(source, Project):
        other, opened = source, None
    else:
        path = Path(source)
        if path.suffix.lower() == ".qdpx":
            return read_qdpx(path, reading=reading_of(unit, lines)), None
        other = opened = Project.open(path, read_only=True)
    if other.root.resolve() == project.root.resolve():
        if opened is not None:
            opened.close()
        raise ProjectError(
            f"« {other.root} » est le projet lui-même : choisissez la copie à fusionner."
        )
    return read_project(other), opened


def preview_merge(
    project: Project,
    source,
    *,
    new_documents: bool = False,
    unit: str | None = None,
    lines: str | None = None,
) -> ExchangeReport:
    """What merging ``source`` (a ``.qdpx``, a project folder or a ``Project``) would add, match
    and leave out; nothing is written. See the module docstring."""
    ex, opened = _exchange(project, source, unit, lines)
    try:
        plan = plan_exchange(
            project, ex, mode="fusion", new_documents=new_documents, who=default_user()
        )
    finally:
        if opened is not None:
            opened.close()
    return plan.report


def merge(
    project: Project,
    source,
    *,
    by: str | None = None,
    new_documents: bool = False,
    unit: str | None = None,
    lines: str | None = None,
) -> ExchangeReport:
    """Merge the codings (with their codes, coders, dates and memos) of ``source`` — another
    miam_qual project (folder or ``Project``) or a ``.qdpx`` — into ``project``, in one
    transaction; returns the report (``str(report)`` in French). Merging twice adds nothing.

    Raises ``ProjectError`` when ``source`` is the project itself, ``UnreadableFile`` for a
    broken archive, a ``StorageError`` subclass or ``CodebookConflict`` when writing fails (the
    project is then exactly as it was)."""
    who = by or default_user()
    ex, opened = _exchange(project, source, unit, lines)
    try:
        plan = plan_exchange(project, ex, mode="fusion", new_documents=new_documents, who=who)
    finally:
        if opened is not None:
            opened.close()
    apply_plan(project, plan, who=who)
    return plan.report


def exchange_history(project: Project) -> pd.DataFrame:
    """Every import and merge, oldest first: ``at, who, action, source, origin, details``
    (``details``: counts, adaptations, what was not kept, conflicts, code matches)."""
    return exchange_sql.exchange_log_frame(project.store)
