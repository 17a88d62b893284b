"""Writing a :class:`~.plan.Plan`: all or nothing.

One outer ``store.transaction()`` holds everything — codebook rows and their log, coders,
documents with their units and timecodes, participants, attribute values, selections and
codings with their dates, memos, the exchange log entry — so a failure anywhere (or a killed
process) leaves the project exactly as it was. Files follow the committed data only: the copy
of the archive (or of another project's sources) is staged as a hidden temporary in ``corpus/``
and renamed after the commit (``miam_qual.corpus``), the codebook YAML and ``projet.yml`` are
replaced after the commit (the codebook by the same protocol as ``codebook_edit``: the store
records the new file's hash and the one it replaces, so a kill before the file is written is
finished on opening).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from .. import corpus
from ..codebook import Codebook, code_guid
from ..config import CONFIG_FILE, ProjectConfig, write_config
from ..errors import CodebookConflict, CorpusError, StorageError
from ..fileio import atomic_write_text, crash_point
from ..sources.model import SourceDocument, Timecode, Unit
from ..sources.plain import document_from_text
from ..store import codes as codes_sql
from ..store import documents as docs_sql
from ..store import exchange as exchange_sql
from ..store import people
from .memos import combine_memos, target_guid
from .model import NEW_DOC, Plan, SourceMatch

if TYPE_CHECKING:
    from ..project import Project


def apply_plan(project: Project, plan: Plan, *, who: str) -> None:
    """Write ``plan`` (see the module docstring). Raises what the store raises (``StoreLocked``,
    ``DiskFull``…), ``CodebookConflict`` when the codebook changed since the plan was made,
    ``CorpusError`` when a document name was taken meanwhile; nothing is written then."""
    store = project.store
    store.require_writable()
    copies, files = _corpus_files(project, plan)
    staged: list[tuple[Path, Path]] = []
    committed = False

    def put_in_place() -> None:
        nonlocal committed
        committed = True
        crash_point("exchange:before-rename")
        corpus.put_in_place(staged)

    with corpus.import_lock(project.root, exclusive=False):
        try:
            for destination, data in copies:
                staged.append((corpus.stage(destination, data), destination))
            crash_point("exchange:staging")
            with store.transaction():
                if plan.codes.book is not None:
                    _commit_codebook(project, plan, who)
                coders = {name: people.add_coder(store, name) for name in plan.coders}
                made = _documents(project, plan, files, who)
                for name, values in plan.participants.items():
                    guid = people.ensure_participant(store, name)
                    made[("participant", name)] = guid
                    people.set_participant_attributes(store, guid, values)
                rows = []
                for index, start, end, text, code_id, coder, created in plan.codings:
                    document = plan.sources[index].document_id or made[("document", index)]
                    rows.append(
                        (document, start, end, text, code_guid(code_id), coders[coder], created)
                    )
                crash_point("exchange:codings")
                codings = exchange_sql.add_codings(
                    store, rows, who=who, details={"echange": plan.ex.label}
                )
                notes = [
                    (kind, target_guid(project, plan, kind, target, made), text, author, created)
                    for kind, target, text, author, created in plan.notes
                ] + [
                    ("coding", codings[row], text, author, created)
                    for row, text, author, created in plan.coding_memos
                ]
                exchange_sql.put_notes(store, combine_memos(notes, exchange_sql.note_texts(store)))
                details = plan.report.to_details()
                details["codes"] = plan.code_map
                exchange_sql.log_exchange(
                    store, who=who, action=plan.mode, source=plan.ex.label,
                    origin=plan.ex.origin, details=details,
                )  # fmt: skip
                store.on_commit(put_in_place)
                store.on_rollback(lambda: corpus.discard(t for t, _ in staged))
                if plan.new_specs:
                    store.on_commit(lambda: _declare(project, plan))
                crash_point("exchange:before-commit")
        except BaseException:
            if not committed:
                corpus.discard(t for t, _ in staged)
            raise
    plan.report.written = True


# -- corpus ---------------------------------------------------------------------------------------
def _corpus_files(project: Project, plan: Plan) -> tuple[list[tuple[Path, bytes]], dict]:
    """The files new documents come from: ``(destination, bytes)`` to copy into ``corpus/``,
    and ``{source index: (file name, sha256)}``. The archive itself (or another project's source
    file) is kept as imported; a name already used by another file gets a number."""
    copies: list[tuple[Path, bytes]] = []
    files: dict[int, tuple[str, str]] = {}
    chosen: dict[Path, tuple[str, str]] = {}
    project.corpus_dir.mkdir(exist_ok=True)
    used = docs_sql.source_files(project.store)
    for index, match in enumerate(plan.sources):
        if match.action != NEW_DOC:
            continue
        origin = match.source.file or plan.ex.path
        if origin is None:
            raise CorpusError(f"« {match.source.name} » : fichier d'origine inconnu.")
        if origin not in chosen:
            data = Path(origin).read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            name = _free_name(project.corpus_dir, Path(origin).name, data, used, chosen)
            chosen[origin] = (name, digest)
            if not (project.corpus_dir / name).exists():
                copies.append((project.corpus_dir / name, data))
        files[index] = chosen[origin]
    return copies, files


def _free_name(folder: Path, wanted: str, data: bytes, used: dict, chosen: dict) -> str:
    """``wanted``, or ``stem (2).ext``…: a name in ``folder`` free or holding these bytes."""
    stem, suffix = Path(wanted).stem, Path(wanted).suffix
    taken = {name for name, _digest in chosen.values()}
    number = 1
    name = wanted
    while True:
        path = folder / name
        if name not in taken:
            if not path.exists() and name not in used:
                return name
            if path.exists() and path.read_bytes() == data:
                return name
            if path.exists() and name not in used:
                return name  # an orphan: replaced, as imports do
        number += 1
        name = f"{stem} ({number}){suffix}"


# -- documents ------------------------------------------------------------------------------------
def _documents(project: Project, plan: Plan, files: dict, who: str) -> dict:
    store = project.store
    made: dict = {}
    new = [(i, m) for i, m in enumerate(plan.sources) if m.action == NEW_DOC]
    taken = docs_sql.names_taken(store, [m.document for _i, m in new])
    if taken:
        raise CorpusError(
            "Import annulé, rien n'a été écrit : un document du même nom a été ajouté entre-temps "
            f"({', '.join(sorted(taken))}). Recommencez."
        )
    for index, match in new:
        file_name, digest = files[index]
        made[("document", index)] = docs_sql.insert_document(
            store, _source_document(match), source_file=file_name, sha256=digest,
            attributes=match.attributes, imported_by=who,
        )  # fmt: skip
    for match in plan.sources:
        if match.document_id is not None and match.attributes:
            docs_sql.set_attributes(store, match.document_id, dict(match.attributes))
    for match in plan.sources:
        person = match.attributes.get("participant")
        if person:
            people.ensure_participant(store, person)
    return made


def _source_document(match: SourceMatch) -> SourceDocument:
    """The document to insert: structure as another miam_qual project had it, else found again
    in the text (paragraphs, speaker turns), with the exchange's timecodes."""
    source = match.source
    if source.units is not None:
        document = SourceDocument(
            name=match.document, text=source.text, kind=source.kind or "text",
            units=[Unit(**u) for u in source.units], encoding=source.encoding,
        )  # fmt: skip
    else:
        document = document_from_text(match.document, source.text, encoding="utf-8")
    if source.timecodes:
        document.timecodes = [
            Timecode(t.start, t.end, t.begin_ms, t.end_ms) for t in source.timecodes
        ]
        document.kind = "transcript" if source.kind is None else source.kind
    document.media = source.media
    return document


# -- codebook and configuration -------------------------------------------------------------------
def _commit_codebook(project: Project, plan: Plan, who: str) -> None:
    """Write the plan's codebook in the open transaction; its YAML file after the commit.

    The same protocol as ``codebook_edit``: refused (``CodebookConflict``) when the codebook
    changed since the plan read it; the store records the new file's hash and the replaced one.
    """
    store = project.store
    book: Codebook = plan.codes.book.in_file_order()  # type: ignore[union-attr]
    text = book.to_yaml()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        on_disk = hashlib.sha256(project.codebook_path.read_bytes()).hexdigest()
    except FileNotFoundError:
        on_disk = None
    state = codes_sql.codebook_state(store)
    if state["version"] != plan.codebook_version or on_disk != state["file_sha256"]:
        raise CodebookConflict(
            "Le livre de codes a été modifié ailleurs (dans un autre carnet, ou à la main dans "
            f"« {project.codebook_path.name} ») pendant la préparation de l'import : rien n'a été "
            "écrit. Recommencez."
        )
    codes_sql.write_codebook(store, book)
    for action, code_id, details in plan.codes.entries:
        codes_sql.log_change(store, who=who, action=action, code_id=code_id, details=details)
    codes_sql.set_codebook_state(
        store, version=state["version"] + 1, name=book.name, description=book.description,
        file_sha256=digest, replaced_sha256=state["file_sha256"],
    )  # fmt: skip

    def write_file() -> None:
        crash_point("exchange:before-codebook-file")
        try:
            atomic_write_text(project.codebook_path, text)
        except StorageError as err:
            raise type(err)(
                f"{err} L'import est bien enregistré dans la base ; le fichier "
                f"« {project.codebook_path.name} » sera réécrit à la prochaine ouverture du projet."
            ) from err
        try:
            with store.transaction():
                codes_sql.file_written(store, digest)
        except StorageError:
            pass  # the next reconciliation finds the committed file and clears the mark

    store.on_commit(write_file)


def _declare(project: Project, plan: Plan) -> None:
    """Declare the new attributes in ``projet.yml`` (after the commit)."""
    config = project.config
    updated = ProjectConfig(
        config.name, {**config.attributes, **plan.new_specs}, config.consent_uses, config.review
    )
    try:
        write_config(updated, project.root / CONFIG_FILE)
    except StorageError as err:
        raise type(err)(
            f"{err} L'import est bien enregistré, mais déclarez à la main dans {CONFIG_FILE} les "
            f"attributs {', '.join(plan.new_specs)}."
        ) from err
    project.config = updated
