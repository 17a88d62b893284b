"""A project is a folder: ``projet.yml``, ``corpus/``, ``codebooks/`` and ``miam.sqlite``.

``Project`` is the one entry object of the public API. Its methods are grouped by concept in
sibling modules (importing, participants, codebook changes, coding); this module holds the folder
itself, opening and creating it, and reading documents.
"""

from __future__ import annotations

import getpass
import os
import shutil
from pathlib import Path

import pandas as pd

from . import corpus
from .codebook import Codebook, load_codebook
from .codebook_edit import CodebookChanges
from .coding import Coding
from .config import (
    CONFIG_FILE,
    DEFAULT_CONFIG,
    ProjectConfig,
    load_config,
    parse_config,
    write_config,
)
from .errors import CodebookError, CorpusError, ProjectError
from .importing import Importing
from .participants import Participants
from .store import DB_FILE, Store
from .store import documents as docs_sql

CORPUS_DIR = "corpus"
CODEBOOK_DIR = "codebooks"
CODEBOOK_FILE = "livre_de_codes.yml"
EMPTY_CODEBOOK = "nom: Livre de codes\nthemes: []\n"


def default_user() -> str:
    """Who is acting when a call does not say: ``$MIAM_CODEUR``, else the system login."""
    return os.environ.get("MIAM_CODEUR") or getpass.getuser()


class Project(Importing, Participants, CodebookChanges, Coding):
    """An open project folder.

    Create one with ``Project.create(path)``, open one with ``Project.open(path)``. Reads return
    pandas DataFrames whose columns are documented on each method; writes are one transaction each.
    """

    def __init__(self, root: Path, store: Store, config: ProjectConfig):
        self.root = root
        self.store = store
        self.config = config
        # read from the file or the store by _reconcile_codebook (create/open do it first)
        self._codebook = Codebook()
        self._codebook_version = -1
        self._codebook_rows: dict[str, tuple] | None = None
        self._codebook_stamp: tuple[int, int] | None = None

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
        if self._codebook_is_stale():
            self._reconcile_codebook()
        return self._codebook

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
                project._reconcile_codebook(who="création du projet")
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
            project._reconcile_codebook()
            if not read_only:
                corpus.recover(project, lambda: docs_sql.source_files(store))
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
            import difflib

            close = difflib.get_close_matches(document, docs_sql.document_names(self.store), n=3)
            hint = f" (vouliez-vous dire : {', '.join(close)} ?)" if close else ""
            raise CorpusError(f"Document inconnu « {document} »{hint}.")
        return guid

    def documents(self, **attribute_filters: object) -> pd.DataFrame:
        """All documents, in import order.

        Columns: ``document_id`` (GUID), ``document`` (name), ``kind`` (text | transcript |
        questionnaire), ``source_file`` (path under ``corpus/``), ``length`` (code points),
        ``encoding``, ``media``, ``position``, ``imported_at``, ``imported_by``, then one column per
        document attribute. Keyword filters keep rows whose attribute equals the value (or is in
        the list given).
        """
        return filter_frame(docs_sql.documents_frame(self.store), attribute_filters)

    def text(self, document: str) -> str:
        """The normalised text of a document (NFC, ``\\n``); offsets index into it."""
        return docs_sql.text(self.store, self.document_id(document))

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
        return _time_in(self.timecodes(document), offset)

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
                self._ensure_participant(clean["participant"])

    def status(self) -> dict[str, object]:
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
        problems.extend(self._drifted_selections())
        sources = docs_sql.source_files(self.store)
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
        return corpus.clean(self, lambda: docs_sql.source_files(self.store))

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


def _time_in(cues: pd.DataFrame, offset: int) -> int | None:
    """Interpolate ``offset`` linearly within the cue that contains it (or the nearest one)."""
    if cues.empty:
        return None
    before = cues[cues["start"] <= offset]
    cue = before.iloc[-1] if not before.empty else cues.iloc[0]
    span = max(int(cue["end"]) - int(cue["start"]), 1)
    fraction = min(max((offset - int(cue["start"])) / span, 0.0), 1.0)
    return int(round(cue["begin_ms"] + fraction * (cue["end_ms"] - cue["begin_ms"])))


def filter_frame(frame: pd.DataFrame, filters: dict[str, object]) -> pd.DataFrame:
    """Keep rows whose column equals each filter value (a list or tuple means 'one of')."""
    for column, wanted in filters.items():
        if column not in frame.columns:
            return frame.iloc[0:0]
        if isinstance(wanted, (list, tuple, set)):
            frame = frame[frame[column].isin(list(wanted))]
        else:
            frame = frame[frame[column] == wanted]
    return frame.reset_index(drop=True)
