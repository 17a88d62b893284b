"""A project is a folder: ``projet.yml``, ``corpus/``, ``codebooks/`` and ``miam.sqlite``.

``Project`` is the one entry object for the stored data model. Its methods are plain functions
taking the project first, each in the module of its concept (``importing``, ``participants``,
``codebook_edit``, ``coding``) and bound on the class below; those modules import ``Project`` only
for type checking, so nothing imports this module back. This module holds the folder itself,
opening and creating it, and reading documents.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from . import codebook_edit as _codebook_edit
from . import coding as _coding
from . import corpus
from . import importing as _importing
from . import participants as _participants
from . import review as _review
from . import revision as _revision
from . import text_history as _text_history
from .codebook import Codebook, load_codebook
from .codebook_edit import CodebookSync
from .common import filter_frame
from .config import (
    CONFIG_FILE,
    DEFAULT_CONFIG,
    ProjectConfig,
    load_config,
    parse_config,
    write_config,
)
from .errors import CodebookError, CorpusError, OffsetOutOfRange, ProjectError
from .store import DB_FILE, Store, people
from .store import documents as docs_sql
from .store import versions as versions_sql

CORPUS_DIR = "corpus"
CODEBOOK_DIR = "codebooks"
CODEBOOK_FILE = "livre_de_codes.yml"
EMPTY_CODEBOOK = "nom: Livre de codes\nthemes: []\n"


class Project:
    """An open project folder.

    Create one with ``Project.create(path)``, open one with ``Project.open(path)``. Reads return
    pandas DataFrames whose columns are documented on each method; writes are one transaction each.

    ``root`` is the folder, ``config`` its parsed ``projet.yml``, ``store`` its database (only
    ``miam_qual`` code uses it), ``codebook_sync`` the codebook's file ↔ store protocol (read
    ``codebook``; change it with ``add_code``, ``merge_codes``…).
    """

    # The methods below are functions of the concept modules, bound here rather than wrapped:
    # each keeps one home (its code and docstring live with its concept), ``help()`` and mypy
    # see its real signature, and none of those modules imports this one at run time.

    # -- importing (importing.py) ----------------------------------------------------------------
    import_files = _importing.import_files
    import_metadata = _importing.import_metadata

    # -- participants, consent and speakers (participants.py) -----------------------------------
    add_participant = _participants.add_participant
    participants = _participants.participants
    participant_id = _participants.participant_id
    import_participants = _participants.import_participants
    set_consent = _participants.set_consent
    has_consent = _participants.has_consent
    consent_history = _participants.consent_history
    identify_speaker = _participants.identify_speaker
    speakers = _participants.speakers
    speaker_identity = _participants.speaker_identity
    speaker_resolver = _participants.speaker_resolver

    # -- codebook changes (codebook_edit.py) ------------------------------------------------------
    reload_codebook = _codebook_edit.reload_codebook
    add_code = _codebook_edit.add_code
    update_code = _codebook_edit.update_code
    move_code = _codebook_edit.move_code
    delete_code = _codebook_edit.delete_code
    merge_codes = _codebook_edit.merge_codes
    codebook_history = _codebook_edit.codebook_history

    # -- coders, coding, memos (coding.py) ----------------------------------------------------
    add_coder = _coding.add_coder
    coders = _coding.coders
    coder_id = _coding.coder_id
    code = _coding.code
    code_many = _coding.code_many
    uncode = _coding.uncode
    move_coding = _coding.move_coding
    coding = _coding.coding
    codings = _coding.codings
    drawn_codings = _coding.drawn_codings
    coding_tally = _coding.coding_tally
    coded_spans = _coding.coded_spans
    set_memo = _coding.set_memo
    memos = _coding.memos

    # -- the review loop: threads and the coding audit trail (review.py) --------------------------
    comment = _review.comment
    contest = _review.contest
    approve = _review.approve
    reply = _review.reply
    settle = _review.settle
    to_review = _review.to_review
    threads = _review.threads
    replies = _review.replies
    review_state = _review.review_state
    audit_trail = _review.audit_trail

    # -- corrected texts (revision.py, text_history.py) -------------------------------------------
    edit_text = _revision.edit_text
    replace_text = _revision.replace_text
    replace_text_from_file = _revision.replace_text_from_file
    text_version = _revision.text_version
    text_versions = _text_history.text_versions
    preview_text_change = _text_history.preview_text_change
    version_text = _text_history.version_text
    compare_versions = _text_history.compare_versions
    modified_codings = _text_history.modified_codings
    confirm_coding = _text_history.confirm_coding
    orphan_codings = _text_history.orphan_codings
    place_orphan = _text_history.place_orphan
    remove_orphan = _text_history.remove_orphan
    pseudonymise_source = _text_history.pseudonymise_source

    def __init__(self, root: Path, store: Store, config: ProjectConfig):
        self.root = root
        self.store = store
        self.config = config
        self.codebook_sync = CodebookSync(store, root / CODEBOOK_DIR / CODEBOOK_FILE)

    # -- folder -------------------------------------------------------------------------------
    @property
    def corpus_dir(self) -> Path:
        return self.root / CORPUS_DIR

    @property
    def codebook_path(self) -> Path:
        return self.root / CODEBOOK_DIR / CODEBOOK_FILE

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def read_only(self) -> bool:
        """Whether the project was opened read-only (every write then raises ``ReadOnlyProject``)."""
        return self.store.read_only

    @property
    def codebook(self) -> Codebook:
        """The validated codebook (read-only; change it with ``add_code``, ``merge_codes``…).

        If the YAML file or the store changed since it was read (a hand edit, another notebook
        on the same project), it is read again and synced first; an invalid file raises
        ``CodebookError``.
        """
        return self.codebook_sync.current()

    @classmethod
    def create(
        cls,
        path: Path | str,
        *,
        name: str | None = None,
        codebook: Path | str | None = None,
        config: Path | str | dict | None = None,
    ) -> Project:
        """Create a new project folder and return it open.

        ``codebook``: a codebook YAML file to copy into ``codebooks/`` (default: an empty one).
        ``config``: a ``projet.yml`` to copy, or its data as a dict (default: MIAM's attributes).
        Raises ``ProjectError`` if the folder already holds a project; nothing is left behind on
        failure.
        """
        root = Path(path).resolve()
        if (root / CONFIG_FILE).exists() or (root / DB_FILE).exists():
            raise ProjectError(f"« {root} » contient déjà un projet : ouvrez-le avec Project.open.")
        if isinstance(config, (str, Path)):
            parsed = load_config(Path(config))
        else:
            parsed = parse_config(config if config is not None else DEFAULT_CONFIG)
        if name:
            parsed.name = name
        book_text = EMPTY_CODEBOOK
        if codebook is not None:
            load_codebook(Path(codebook))  # validate before creating anything
            book_text = Path(codebook).read_text(encoding="utf-8")
        created_root = not root.exists()
        made: list[Path] = []
        try:
            root.mkdir(parents=True, exist_ok=True)
            for sub in (CORPUS_DIR, CODEBOOK_DIR):
                if not (root / sub).exists():
                    (root / sub).mkdir()
                    made.append(root / sub)
            write_config(parsed, root / CONFIG_FILE)
            made.append(root / CONFIG_FILE)
            (root / CODEBOOK_DIR / CODEBOOK_FILE).write_text(book_text, encoding="utf-8")
            made.append(root / CODEBOOK_DIR / CODEBOOK_FILE)
            made.append(root / DB_FILE)
            store = Store(root / DB_FILE, create=True)
            project = cls(root, store, parsed)
            try:
                project.codebook_sync.reconcile(who="création du projet")
            except BaseException:
                store.close()
                raise
            return project
        except BaseException:
            if created_root:
                shutil.rmtree(root, ignore_errors=True)
            else:
                for item in reversed(made):
                    for extra in ("", "-wal", "-shm"):
                        target = Path(str(item) + extra)
                        if target.is_dir():
                            shutil.rmtree(target, ignore_errors=True)
                        else:
                            target.unlink(missing_ok=True)
            raise

    @classmethod
    def open(cls, path: Path | str, *, read_only: bool | None = None) -> Project:
        """Open an existing project; applies pending schema migrations, reconciles the codebook
        file with the database and finishes or removes interrupted imports.

        ``read_only``: open without ever writing (``None``: when the folder or the database
        cannot be written). Raises ``ProjectError`` when the folder is not a project,
        ``NotADatabase`` when ``miam.sqlite`` is empty or foreign (it is never re-created),
        ``StoreLocked`` when another notebook keeps the database busy, ``CodebookError`` when the
        codebook file is invalid or drops codes that still carry codings.
        """
        root = Path(path).resolve()
        if not (root / CONFIG_FILE).exists() or not (root / DB_FILE).exists():
            raise ProjectError(
                f"« {root} » n'est pas un projet miam_qual (il manque {CONFIG_FILE} ou {DB_FILE}). "
                "Créez-le avec « miam-qual init »."
            )
        if read_only is None:
            read_only = not (os.access(root, os.W_OK) and os.access(root / DB_FILE, os.W_OK))
        config = load_config(root / CONFIG_FILE)
        store = Store(root / DB_FILE, create=False, read_only=read_only)
        project = cls(root, store, config)
        try:
            project.codebook_sync.reconcile()
            if not read_only:
                corpus.recover(project, lambda: versions_sql.corpus_files(store))
        except BaseException:
            store.close()
            raise
        return project

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Project {self.name!r} at {str(self.root)!r}>"

    # -- documents ----------------------------------------------------------------------------
    def document_id(self, document: str) -> str:
        """GUID of a document given its name or GUID; raises ``CorpusError`` if unknown."""
        guid = docs_sql.resolve(self.store, document)
        if guid is None:
            close = difflib.get_close_matches(document, docs_sql.document_names(self.store), n=3)
            hint = f" (vouliez-vous dire : {', '.join(close)} ?)" if close else ""
            raise CorpusError(f"Document inconnu « {document} »{hint}.")
        return guid

    def documents(self, **attribute_filters: object) -> pd.DataFrame:
        """All documents, in import order.

        Columns: ``document_id`` (GUID), ``document`` (name), ``kind`` (text | transcript |
        questionnaire), ``source_file`` (path under ``corpus/``), ``length`` (code points),
        ``encoding``, ``media``, ``position``, ``imported_at``, ``imported_by``, then one column per
        document attribute. Keyword filters keep rows whose attribute (or column) equals the value
        (or is in the list given); a filter naming neither a column nor a document attribute
        declared in ``projet.yml`` raises ``UnknownAttribute``.
        """
        declared = [n for n, spec in self.config.attributes.items() if spec.scope == "document"]
        return filter_frame(
            docs_sql.documents_frame(self.store), attribute_filters, declared=declared
        )

    def text(self, document: str) -> str:
        """The current normalised text of a document (NFC, ``\\n``; its latest version once
        corrected, see ``edit_text``); offsets index into it."""
        return docs_sql.text(self.store, self.document_id(document))

    def span_text(self, document: str, start: int, end: int) -> str:
        """The text of ``[start, end)`` in a document (name or GUID).

        Raises ``CorpusError`` for an unknown document and ``OffsetOutOfRange`` for positions
        that are not integers, an empty or reversed span, or one outside the text.
        """
        guid = self.document_id(document)
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
            raise OffsetOutOfRange(
                f"« {document} » : les positions doivent être des entiers (reçu {start!r}, {end!r})."
            )
        length = docs_sql.length(self.store, guid)
        if not 0 <= start < end <= length:
            raise OffsetOutOfRange(
                f"« {document} » : passage [{start}, {end}) hors du texte ou vide "
                f"(le document compte {length} caractères ; il faut 0 ≤ début < fin ≤ {length})."
            )
        return docs_sql.text(self.store, guid)[start:end]

    def units(self, document: str, kind: str | None = None) -> pd.DataFrame:
        """Structural units (``paragraph``, ``turn``, ``answer``) of a document.

        Columns: ``kind, index, start, end, speaker, role, question, begin_ms, end_ms``.
        """
        return docs_sql.units_frame(self.store, self.document_id(document), kind)

    def all_units(self, kind: str) -> pd.DataFrame:
        """Units of one kind across all documents, in one read (for agreement and co-occurrence).

        Columns: ``document_id, index, start, end, speaker, role, question, begin_ms, end_ms``,
        sorted by document then start.
        """
        return docs_sql.all_units_frame(self.store, kind)

    def timecodes(self, document: str) -> pd.DataFrame:
        """Text spans aligned to the recording: ``start, end, begin_ms, end_ms``."""
        return docs_sql.timecodes_frame(self.store, self.document_id(document))

    def time_at(self, document: str, offset: int) -> int | None:
        """Recording time (ms) of a character offset, interpolated within its cue; ``None`` when
        the document has no timecodes."""
        cues = self.timecodes(document)
        return None if cues.empty else _time_in(cues, offset)

    def span_times(self, document: str, start: int, end: int) -> tuple[int, int] | None:
        """(begin_ms, end_ms) of a text span in the recording, or ``None`` without timecodes."""
        cues = self.timecodes(document)
        if cues.empty:
            return None
        return _time_in(cues, start), _time_in(cues, end)

    def set_attributes(self, document: str, **values: object) -> None:
        """Set document attributes (validated against ``projet.yml``); ``None`` clears one."""
        guid = self.document_id(document)
        clean = self.config.validate(
            {k: v for k, v in values.items() if v is not None}, scope="document", where=document
        )
        cleared = {k: None for k, v in values.items() if v is None}
        with self.store.transaction():
            docs_sql.set_attributes(self.store, guid, {**cleared, **clean})
            if "participant" in clean:
                people.ensure_participant(self.store, clean["participant"])

    def data_stamp(self) -> tuple[int, ...]:
        """Changes whenever the project's database may have changed, by this kernel or another
        (``Store.stamp``): views keep what they read while it stays the same."""
        return self.store.stamp()

    def status(self) -> dict[str, Any]:
        """Summary counts: documents, words, codes, codings per coder, participants."""
        documents = self.documents()
        words = (
            sum(len(self.text(d).split()) for d in documents["document_id"])
            if len(documents)
            else 0
        )
        codings = self.codings()
        return {
            "projet": self.name,
            "documents": len(documents),
            "mots": words,
            "codes": len(self.codebook),
            "themes": len(self.codebook.themes()),
            "codages": len(codings),
            "codages_par_codeur": codings.groupby("coder").size().to_dict() if len(codings) else {},
            "participants": len(self.participants()),
        }

    def validate(self) -> list[str]:
        """Check the project's consistency; returns French problem descriptions (empty if sound).

        Checks the codebook file, that every selection's text still matches its document, that
        every corpus file recorded is present and unchanged since its import, and reports files
        in ``corpus/`` that no document comes from (``clean_orphans`` removes them).
        """
        problems: list[str] = []
        try:
            load_codebook(self.codebook_path)
        except CodebookError as err:
            problems.append(str(err))
        problems.extend(_coding.drifted_selections(self))
        sources = versions_sql.corpus_files(self.store)
        for source in sorted(sources):
            if not (self.corpus_dir / source).exists():
                problems.append(f"Fichier source manquant dans corpus/ : « {source} ».")
        for source in corpus.changed_files(self.corpus_dir, sources):
            problems.append(
                f"« {source} » a changé dans corpus/ depuis son import (son contenu ne correspond "
                "plus au document) : remettez le fichier importé, par exemple depuis une sauvegarde."
            )
        for orphan in corpus.orphans(self.corpus_dir, sources):
            what = (
                "fichier temporaire d'un import interrompu"
                if corpus.target_of(orphan) is not None
                else "fichier qui n'est la source d'aucun document (reste d'un import interrompu ?)"
            )
            problems.append(
                f"« {orphan.name} » dans corpus/ : {what}. Supprimez-le avec "
                "project.clean_orphans() ou « miam-qual validate --nettoyer »."
            )
        return problems

    def clean_orphans(self) -> list[str]:
        """Remove the files of ``corpus/`` that no document comes from, and interrupted imports'
        temporaries; returns their names.

        Raises ``ReadOnlyProject`` on a read-only project and ``StoreLocked`` while an import is
        under way in another notebook (nothing is removed then).
        """
        self.store.require_writable()
        return corpus.clean(self, lambda: versions_sql.corpus_files(self.store))

    def backup(self, destination: Path | str, *, include_private: bool = False) -> Path:
        """Write a consistent copy of the project folder to ``destination`` (a new folder).

        The database is copied with SQLite's backup API (what the ``-wal`` file holds included);
        then ``projet.yml``, ``publication.yml``, ``codebooks/``, ``corpus/`` and ``medias/``.
        ``prive/`` (real names) is left out unless ``include_private``. Returns the folder.
        Raises ``ProjectError`` if ``destination`` exists and is not empty, a ``StorageError``
        subclass (``DiskFull``…) when the copy fails, leaving no partial copy behind.
        """
        from .backup import backup_project

        return backup_project(self, Path(destination), include_private=include_private)


def _time_in(cues: pd.DataFrame, offset: int) -> int:
    """Interpolate ``offset`` linearly within the cue that contains it (or the nearest one);
    ``cues`` is not empty."""
    before = cues[cues["start"] <= offset]
    cue = before.iloc[-1] if not before.empty else cues.iloc[0]
    span = max(int(cue["end"]) - int(cue["start"]), 1)
    fraction = min(max((offset - int(cue["start"])) / span, 0.0), 1.0)
    return int(round(cue["begin_ms"] + fraction * (cue["end_ms"] - cue["begin_ms"])))
