"""Versioned schema migrations, applied in order, each in its own transaction.

A migration is a small named function that takes a connection. The list ``MIGRATIONS`` is
append-only: never edit a migration that has shipped, add a new one. Applied versions are recorded
in the ``migrations`` table and mirrored in ``PRAGMA user_version``.

The tables map one to one onto REFI-QDA (QDA-XML 1.0): ``users`` → Users/User, ``codes`` →
CodeBook/Codes/Code, ``documents`` → Sources/TextSource, ``selections`` → PlainTextSelection,
``codings`` → Coding, ``participants`` → Cases/Case, attribute tables → Variables/VariableValue,
``notes`` → Notes/Note with NoteRef.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Execute several statements inside the current transaction.

    ``executescript`` would commit first, breaking the one-transaction-per-migration rule.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement[:80]}")


def m0001_core(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE users (
            guid TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE documents (
            guid TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            source_file TEXT NOT NULL,          -- path relative to corpus/
            kind TEXT NOT NULL,                 -- text | transcript | questionnaire
            length INTEGER NOT NULL,            -- in code points
            encoding TEXT,
            media TEXT,
            sha256 TEXT NOT NULL,               -- of the source file's bytes
            position INTEGER NOT NULL UNIQUE,   -- import order
            imported_at TEXT NOT NULL,
            imported_by TEXT,
            -- last, so that reading the other columns never walks the text's overflow pages
            text TEXT NOT NULL                  -- normalised text: NFC, \\n line endings
        );
        CREATE INDEX documents_source ON documents(source_file);
        CREATE TABLE units (
            document_guid TEXT NOT NULL REFERENCES documents(guid) ON DELETE CASCADE,
            kind TEXT NOT NULL,                 -- paragraph | turn | answer
            idx INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            speaker TEXT,
            role TEXT,
            question TEXT,
            begin_ms INTEGER,
            end_ms INTEGER,
            PRIMARY KEY (document_guid, kind, idx)
        ) WITHOUT ROWID;
        CREATE TABLE timecodes (
            document_guid TEXT NOT NULL REFERENCES documents(guid) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            begin_ms INTEGER NOT NULL,
            end_ms INTEGER NOT NULL,
            PRIMARY KEY (document_guid, start, "end")
        ) WITHOUT ROWID;
        CREATE TABLE document_attributes (
            document_guid TEXT NOT NULL REFERENCES documents(guid) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (document_guid, name)
        ) WITHOUT ROWID;
        CREATE TABLE participants (
            guid TEXT PRIMARY KEY,
            pseudonym TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE participant_attributes (
            participant_guid TEXT NOT NULL REFERENCES participants(guid) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (participant_guid, name)
        ) WITHOUT ROWID;
        CREATE TABLE consents (                 -- append-only history; the latest row wins
            id INTEGER PRIMARY KEY,
            participant_guid TEXT NOT NULL REFERENCES participants(guid) ON DELETE CASCADE,
            use TEXT NOT NULL,
            granted INTEGER NOT NULL,
            given_on TEXT,
            method TEXT,
            recorded_by TEXT,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX consents_participant ON consents(participant_guid, use, id);
        CREATE TABLE codes (
            guid TEXT PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,            -- the stable id written in the codebook YAML
            parent_id TEXT,
            label TEXT NOT NULL,
            definition TEXT NOT NULL DEFAULT '',
            inclusion TEXT NOT NULL DEFAULT '',
            exclusion TEXT NOT NULL DEFAULT '',
            example TEXT NOT NULL DEFAULT '',
            color TEXT NOT NULL,
            keywords TEXT NOT NULL DEFAULT '[]', -- JSON list
            codable INTEGER NOT NULL DEFAULT 1,
            position INTEGER NOT NULL
        );
        CREATE TABLE codebook_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL,               -- ajout | modification | déplacement | suppression | fusion
            code_id TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '{}'  -- JSON
        );
        CREATE TABLE selections (
            guid TEXT PRIMARY KEY,
            document_guid TEXT NOT NULL REFERENCES documents(guid) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,                 -- copy of the covered text, to detect drift
            -- index of the speaker turn containing start (NULL outside turns); documents never
            -- change after import, so this is fixed at creation and spares a range lookup per read
            turn_index INTEGER,
            created_by TEXT NOT NULL REFERENCES users(guid),
            created_at TEXT NOT NULL,
            UNIQUE (document_guid, start, "end"),
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE TABLE codings (
            guid TEXT PRIMARY KEY,
            selection_guid TEXT NOT NULL REFERENCES selections(guid) ON DELETE CASCADE,
            code_guid TEXT NOT NULL REFERENCES codes(guid),
            coder_guid TEXT NOT NULL REFERENCES users(guid),
            created_at TEXT NOT NULL,
            UNIQUE (selection_guid, code_guid, coder_guid)
        );
        CREATE INDEX codings_code ON codings(code_guid);
        CREATE INDEX codings_coder ON codings(coder_guid);
        CREATE INDEX units_start ON units(document_guid, kind, start);
        CREATE INDEX selections_document ON selections(document_guid, start);
        CREATE TABLE notes (
            guid TEXT PRIMARY KEY,
            target_kind TEXT NOT NULL,          -- document | code | coding | participant | project
            target_guid TEXT NOT NULL,
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (target_kind, target_guid, author)
        );
        """,
    )


def m0002_quotes(db: sqlite3.Connection) -> None:
    """Quotes chosen for publication (radio, exhibition, report, social networks) and their log."""
    run_script(
        db,
        """
        CREATE TABLE quotes (
            guid TEXT PRIMARY KEY,
            number INTEGER NOT NULL UNIQUE,     -- short readable id: C001, C002…
            document_guid TEXT NOT NULL REFERENCES documents(guid) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            original TEXT NOT NULL,             -- copy of the source span, never edited
            display TEXT NOT NULL,              -- lightly edited text ([…] marks cuts)
            coding_guid TEXT,                   -- the coding it came from (kept if uncoded)
            theme_id TEXT,                      -- codebook id of the theme
            participant TEXT,                   -- pseudonym whose consent governs the quote
            begin_ms INTEGER,
            end_ms INTEGER,
            status TEXT NOT NULL,               -- proposée | retenue | validée | publiée | écartée
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX quotes_document ON quotes(document_guid, start);
        CREATE TABLE quote_targets (
            quote_guid TEXT NOT NULL REFERENCES quotes(guid) ON DELETE CASCADE,
            target TEXT NOT NULL,               -- radio | exposition | rapport | réseaux sociaux
            PRIMARY KEY (quote_guid, target)
        ) WITHOUT ROWID;
        CREATE TABLE quote_history (            -- append-only: who changed what, when
            id INTEGER PRIMARY KEY,
            quote_guid TEXT NOT NULL REFERENCES quotes(guid) ON DELETE CASCADE,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL,               -- proposition | statut | texte | cibles | theme | passage
            old TEXT,
            new TEXT
        );
        CREATE INDEX quote_history_quote ON quote_history(quote_guid, id);
        """,
    )


def m0003_speakers(db: sqlite3.Connection) -> None:
    """Who each speaker label is: a registered participant or an interviewer of the team.

    Consent is checked per speaker, by identity: a label is bound here (for one document, or
    for the whole project when ``document_guid`` is NULL) or matches a registered pseudonym.
    """
    run_script(
        db,
        """
        CREATE TABLE speakers (
            id INTEGER PRIMARY KEY,
            document_guid TEXT REFERENCES documents(guid) ON DELETE CASCADE,  -- NULL: every document
            label TEXT NOT NULL,                -- the label as written in transcripts
            folded TEXT NOT NULL,               -- case- and accent-folded label, for matching
            participant_guid TEXT REFERENCES participants(guid) ON DELETE CASCADE,
            interviewer INTEGER NOT NULL DEFAULT 0,
            declared_by TEXT NOT NULL,
            declared_at TEXT NOT NULL,
            CHECK ((participant_guid IS NULL) <> (interviewer = 0))
        );
        CREATE UNIQUE INDEX speakers_label ON speakers(COALESCE(document_guid, ''), folded);
        """,
    )


def m0004_codebook_state(db: sqlite3.Connection) -> None:
    """The codebook state the store has committed, so that the YAML file can follow it.

    One row. ``version`` grows by one with every change of the ``codes`` table (a change made
    from a notebook that read an older version is refused). ``file_sha256`` is the SHA-256 of the
    codebook file that matches the committed codes; ``replaced_sha256`` is set while a committed
    change has not yet replaced the file (it holds the old file's hash): finding that old file on
    opening means the change committed but the process died before writing the file, which is
    then rewritten from the store. See ARCHITECTURE.md, "Transactions and durability".
    """
    run_script(
        db,
        """
        CREATE TABLE codebook_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL,
            name TEXT NOT NULL,                 -- the file's « nom »
            description TEXT NOT NULL,          -- the file's « description »
            file_sha256 TEXT,                   -- NULL: not recorded yet (projects before v4)
            replaced_sha256 TEXT                -- NULL unless the file is still to be replaced
        );
        INSERT INTO codebook_state (id, version, name, description)
            VALUES (1, 0, 'Livre de codes', '');
        """,
    )


def m0005_exchange_log(db: sqlite3.Connection) -> None:
    """Every exchange with another tool or project: imports of ``.qdpx``/``.qdc`` and merges of
    coders' work, with who, when, from which file and tool, and what was added (JSON)."""
    run_script(
        db,
        """
        CREATE TABLE IF NOT EXISTS exchange_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL,               -- import | fusion | livre de codes
            source TEXT NOT NULL,               -- the file or project folder name
            origin TEXT NOT NULL DEFAULT '',    -- the producing tool (REFI-QDA origin)
            details TEXT NOT NULL DEFAULT '{}'  -- JSON: counts, code matches (their GUID → id)
        );
        """,
    )


def m0006_text_versions(db: sqlite3.Connection) -> None:
    """Corrected texts: every version of a document, codings waiting for confirmation, orphans.

    ``document_versions`` holds each version's whole text (version 1, the imported one, is
    recorded at the first edit), who made it, when and why, and the ``corpus/`` file holding it.
    A selection whose words an edit changed keeps its former wording in ``modified_from`` until a
    coder confirms it. A coding whose words vanished moves to ``orphan_codings`` with its GUID
    (memos stay attached), its old span and text, until it is placed again or removed.
    """
    run_script(
        db,
        """
        CREATE TABLE document_versions (
            document_guid TEXT NOT NULL REFERENCES documents(guid) ON DELETE CASCADE,
            version INTEGER NOT NULL,           -- 1: as imported
            at TEXT NOT NULL,
            who TEXT,
            reason TEXT NOT NULL DEFAULT '',
            file TEXT NOT NULL,                 -- under corpus/: the source, then <name>.vN.txt
            sha256 TEXT NOT NULL,               -- of that file's bytes
            edits INTEGER NOT NULL DEFAULT 0,   -- edits from the previous version
            length INTEGER NOT NULL,
            text TEXT NOT NULL,                 -- last: the whole normalised text
            PRIMARY KEY (document_guid, version)
        );
        ALTER TABLE selections ADD COLUMN modified_from TEXT;    -- wording before an edit
        ALTER TABLE selections ADD COLUMN modified_in INTEGER;   -- document version of that edit
        CREATE TABLE orphan_codings (
            guid TEXT PRIMARY KEY,              -- the coding's own GUID
            document_guid TEXT NOT NULL REFERENCES documents(guid) ON DELETE CASCADE,
            version INTEGER NOT NULL,           -- the version start/end/text belong to
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            code_guid TEXT NOT NULL REFERENCES codes(guid),
            coder_guid TEXT NOT NULL REFERENCES users(guid),
            created_at TEXT NOT NULL,
            orphaned_at TEXT NOT NULL,
            orphaned_by TEXT NOT NULL
        );
        CREATE INDEX orphan_codings_document ON orphan_codings(document_guid, start);
        """,
    )


def m0007_review(db: sqlite3.Connection) -> None:
    """The review loop: supervisors' threads on codings, codes and theme summaries, and the audit
    trail of every change to codings.

    A thread (``review_threads``) targets a coding (its GUID), a code or a code's theme summary
    (the code's GUID, ``target_kind`` telling which). For a coding, the passage, code and coder
    are copied when the thread opens, so the thread still says what it was about once the coding
    is removed or moved. Replies are ``review_replies``. ``coding_audit`` is append-only and has
    no foreign keys on purpose: it must outlive the codings, codes and documents it describes.
    """
    run_script(
        db,
        """
        CREATE TABLE review_threads (
            guid TEXT PRIMARY KEY,
            target_kind TEXT NOT NULL CHECK (target_kind IN ('codage', 'code', 'synthèse')),
            target_guid TEXT NOT NULL,          -- a coding's GUID, or a code's (code, synthèse)
            code_id TEXT NOT NULL,              -- the code (a coding's code when the thread opened)
            document_guid TEXT,                 -- a coding's passage when the thread opened
            start INTEGER,
            "end" INTEGER,
            excerpt TEXT,
            coder TEXT,                         -- whose coding it is
            kind TEXT NOT NULL CHECK (kind IN ('commentaire', 'approbation', 'contestation')),
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ouvert', 'réglé')),
            settled_by TEXT,
            settled_at TEXT,
            CHECK ((status = 'réglé') = (settled_by IS NOT NULL AND settled_at IS NOT NULL))
        );
        CREATE INDEX review_threads_target ON review_threads(target_guid, created_at);
        CREATE INDEX review_threads_status ON review_threads(status, created_at);
        CREATE TABLE review_replies (
            guid TEXT PRIMARY KEY,
            thread_guid TEXT NOT NULL REFERENCES review_threads(guid) ON DELETE CASCADE,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX review_replies_thread ON review_replies(thread_guid, created_at);
        CREATE TABLE coding_audit (             -- append-only; no foreign keys (see above)
            guid TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL
                CHECK (action IN ('ajouté', 'retiré', 'déplacé', 'fusionné', 're-ancré')),
            coding_guid TEXT NOT NULL,
            document_guid TEXT NOT NULL,
            start INTEGER NOT NULL,             -- the span and its words as the change left them
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            code_id TEXT NOT NULL,              -- the code after the change (before, for a removal)
            previous_code_id TEXT,              -- the code before a move or a merge
            coder TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '{}'  -- JSON: former span, version, duplicate…
        );
        CREATE INDEX coding_audit_document ON coding_audit(document_guid, at);
        CREATE INDEX coding_audit_coding ON coding_audit(coding_guid);
        """,
    )


def m0008_reference_sets(db: sqlite3.Connection) -> None:
    """Training against a reference (``miam_qual.training``): a supervisor's reference sets.

    ``reference_sets`` names a set, its reference coder (whose codings are the reference), who
    created it and when, and, once the supervisor shows it to everyone, who revealed it and when.
    ``reference_documents`` lists its documents in order. ``reference_done`` records each trainee
    who declared the set done (from then on they see the reference codings there).
    """
    run_script(
        db,
        """
        CREATE TABLE reference_sets (
            guid TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            reference_coder_guid TEXT NOT NULL REFERENCES users(guid),
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revealed_by TEXT,                   -- both NULL while the reference is hidden
            revealed_at TEXT,
            CHECK ((revealed_by IS NULL) = (revealed_at IS NULL))
        );
        CREATE TABLE reference_documents (
            set_guid TEXT NOT NULL REFERENCES reference_sets(guid) ON DELETE CASCADE,
            document_guid TEXT NOT NULL REFERENCES documents(guid) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            PRIMARY KEY (set_guid, document_guid)
        );
        CREATE INDEX reference_documents_document ON reference_documents(document_guid);
        CREATE TABLE reference_done (
            set_guid TEXT NOT NULL REFERENCES reference_sets(guid) ON DELETE CASCADE,
            coder_guid TEXT NOT NULL REFERENCES users(guid),
            done_at TEXT NOT NULL,
            PRIMARY KEY (set_guid, coder_guid)
        );
        """,
    )


#: (version, name, function), in order. Append only.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "core", m0001_core),
    (2, "quotes", m0002_quotes),
    (3, "speakers", m0003_speakers),
    (4, "codebook_state", m0004_codebook_state),
    (5, "exchange_log", m0005_exchange_log),
    (6, "text_versions", m0006_text_versions),
    (7, "review", m0007_review),
    (8, "reference_sets", m0008_reference_sets),
]
