"""Importing source files into a project: all or nothing.

Every file is read and every attribute validated before anything is written. New files are then
written to hidden temporaries in ``corpus/``, the documents inserted in one transaction, and the
temporaries renamed into place once it has committed (see :mod:`miam_qual.corpus`): if anything
fails, the temporaries are removed and the database is left as it was; a kill leaves nothing that
opening the project does not finish or remove.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import corpus
from .common import default_user
from .config import CONFIG_FILE
from .errors import AttributeValueError, CorpusError
from .fileio import crash_point, storage_error
from .sources import read_source
from .sources.model import SourceDocument
from .sources.tables import read_table
from .store import documents as docs_sql
from .store import people

if TYPE_CHECKING:
    from .project import Project

#: Keys a reader may report that identify a row or a recording rather than describe it.
_IDENTITY_KEYS = {"identifiant", "id", "repondant", "répondant", "n°", "media"}


class UndeclaredAttributeWarning(UserWarning):
    """Issued when a file carries keys (front matter, NOTE header) that projet.yml does not declare."""


# -- Project's import methods (bound on the class in project.py) ---------------------------------
def import_files(
    project: Project,
    paths: Sequence[Path | str] | Path | str,
    *,
    answer_columns: list[str] | None = None,
    id_column: str | None = None,
    by: str | None = None,
    **attributes: object,
) -> pd.DataFrame:
    """Import source files; returns the new documents (columns as ``documents()``).

    ``attributes`` apply to every document imported (``type_source="entretien partenaire"``);
    values found in the files themselves (front matter, questionnaire columns) take precedence.
    ``answer_columns``/``id_column`` choose a questionnaire's open answers and respondent id.
    Raises ``CorpusError`` (naming the file and place) or ``AttributeValueError``; in that case
    nothing is written.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = [Path(p) for p in paths]
    if not files:
        raise CorpusError("Aucun fichier à importer.")
    who = by or default_user()
    common = {k: v for k, v in attributes.items() if v is not None}
    prepared: list[tuple[Path, str, bytes, list[tuple[SourceDocument, dict, dict]]]] = []
    names: dict[str, str] = {}
    problems: list[str] = []
    ignored: dict[str, set[str]] = {}
    for path in files:
        if not path.is_file():
            problems.append(f"« {path} » : fichier introuvable.")
            continue
        # the reader checks the file's size first: read the bytes only once it accepted them
        sources = read_source(path, answer_columns=answer_columns, id_column=id_column)
        data = path.read_bytes()
        items = []
        for source in sources:
            if source.name in names:
                problems.append(
                    f"« {source.name} » apparaît deux fois dans cet import ({names[source.name]})."
                )
            names[source.name] = path.name
            found = _descriptive(source.attributes)
            undeclared = [k for k in found if not project.config.declares(str(k))]
            for key in undeclared:
                ignored.setdefault(str(key), set()).add(path.name)
                del found[key]
            raw = {**common, **found}
            try:
                doc_attrs, person_attrs = _split_attributes(project, raw, where=source.name)
            except AttributeValueError as err:
                problems.append(str(err))
                continue
            items.append((source, doc_attrs, person_attrs))
        prepared.append((path, path.name, data, items))
    for taken in sorted(docs_sql.names_taken(project.store, names)):
        problems.append(f"« {taken} » est déjà dans le projet : renommez le fichier ou retirez-le.")
    if problems:
        raise CorpusError("Import annulé, rien n'a été écrit :\n- " + "\n- ".join(problems))
    project.store.require_writable()
    copies = _corpus_copies(project, prepared)
    staged: list[tuple[Path, Path]] = []
    committed = False

    def put_in_place() -> None:
        nonlocal committed
        committed = True
        crash_point("import:before-rename")
        corpus.put_in_place(staged)

    new_ids = []
    try:
        with corpus.import_lock(project.root, exclusive=False):
            for destination, data in copies:
                staged.append((corpus.stage(destination, data), destination))
                crash_point("import:staging")
            with project.store.transaction():
                for _path, target, data, items in prepared:
                    digest = hashlib.sha256(data).hexdigest()
                    for source, doc_attrs, person_attrs in items:
                        if "participant" in doc_attrs:
                            pid = people.ensure_participant(project.store, doc_attrs["participant"])
                            people.set_participant_attributes(project.store, pid, person_attrs)
                        new_ids.append(
                            docs_sql.insert_document(
                                project.store,
                                source,
                                source_file=target,
                                sha256=digest,
                                attributes=doc_attrs,
                                imported_by=who,
                            )
                        )
                project.store.on_commit(put_in_place)
                project.store.on_rollback(lambda: corpus.discard(t for t, _ in staged))
                crash_point("import:before-commit")
    except BaseException:
        if not committed:
            corpus.discard(t for t, _ in staged)
        raise
    if ignored:
        listing = ", ".join(f"« {k} » ({len(v)} fichier(s))" for k, v in sorted(ignored.items()))
        warnings.warn(
            f"Clés non déclarées dans {CONFIG_FILE}, ignorées : {listing}. "
            f"Déclarez-les comme attributs dans {CONFIG_FILE} pour les garder.",
            UndeclaredAttributeWarning,
            stacklevel=2,
        )
    documents = project.documents()
    return documents[documents["document_id"].isin(new_ids)].reset_index(drop=True)


def _split_attributes(
    project: Project, raw: Mapping[str, object], *, where: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Validate raw attributes and split them into document and participant scopes."""
    doc_raw: dict[str, object] = {}
    person_raw: dict[str, object] = {}
    problems: list[str] = []
    for key, value in raw.items():
        try:
            spec = project.config.spec(str(key), where=where)
        except AttributeValueError as err:
            problems.append(str(err))
            continue
        (person_raw if spec.scope == "participant" else doc_raw)[spec.name] = value
    doc_attrs: dict[str, str] = {}
    person_attrs: dict[str, str] = {}
    for scope, values in (("document", doc_raw), ("participant", person_raw)):
        try:
            clean = project.config.validate(values, scope=scope, where=where)
        except AttributeValueError as err:
            problems.append(str(err))
            continue
        (doc_attrs if scope == "document" else person_attrs).update(clean)
    if problems:
        raise AttributeValueError("\n- ".join(problems))
    if person_attrs and "participant" not in doc_attrs:
        raise AttributeValueError(
            f"{where} : des attributs de participant ({', '.join(person_attrs)}) sont donnés "
            "sans l'attribut « participant » qui dit à qui ils se rapportent."
        )
    return doc_attrs, person_attrs


def _corpus_copies(project: Project, prepared: list) -> list[tuple[Path, bytes]]:
    """The files to copy into corpus/ as (destination, bytes): not those already there.

    A file of the same name with other content is refused when a document comes from it;
    when none does (an orphan, e.g. left by an interrupted import), the new file replaces it.
    """
    corpus_dir = project.corpus_dir
    try:
        corpus_dir.mkdir(exist_ok=True)
    except OSError as err:
        raise storage_error(err, corpus_dir, "créer") from err
    used = docs_sql.source_files(project.store)
    copies = []
    for path, target, data, _items in prepared:
        destination = corpus_dir / target
        if path.resolve() == destination.resolve():
            continue
        if destination.exists():
            if destination.read_bytes() == data:
                continue
            if target in used:
                raise CorpusError(
                    f"« {target} » existe déjà dans corpus/ avec un autre contenu : "
                    "renommez le fichier à importer."
                )
        copies.append((destination, data))
    return copies


def import_metadata(project: Project, path: Path | str) -> int:
    """Apply a metadata table (CSV ``;`` or ``,``) with a ``fichier`` column naming source
    files and one column per attribute. Returns the number of documents updated.

    All rows are validated before anything is written.
    """
    path = Path(path)
    rows = read_table(path)
    documents = project.documents()
    by_file = documents.groupby("source_file")["document_id"].apply(list).to_dict()
    updates: list[tuple[str, dict[str, str], dict[str, str]]] = []
    problems: list[str] = []
    for line, row in rows:
        file = (row.pop("fichier", None) or "").strip()
        where = f"« {path.name} » ligne {line}"
        if file not in by_file:
            problems.append(f"{where} : le fichier « {file} » n'a pas été importé.")
            continue
        try:
            doc_attrs, person_attrs = _split_attributes(project, row, where=where)
        except AttributeValueError as err:
            problems.append(str(err))
            continue
        updates.extend((guid, doc_attrs, person_attrs) for guid in by_file[file])
    if problems:
        raise CorpusError("Métadonnées refusées, rien n'a été écrit :\n- " + "\n- ".join(problems))
    with project.store.transaction():
        for guid, doc_attrs, person_attrs in updates:
            docs_sql.set_attributes(project.store, guid, doc_attrs)
            if "participant" in doc_attrs:
                pid = people.ensure_participant(project.store, doc_attrs["participant"])
                people.set_participant_attributes(project.store, pid, person_attrs)
    return len(updates)


def _descriptive(attributes: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in attributes.items() if str(k).strip().casefold() not in _IDENTITY_KEYS}
