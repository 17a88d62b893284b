"""Every refusal miam_qual makes, as one exception tree.

Messages are in French (users read them); they name the file and the place (line, byte offset,
character offset) and say what to do next. Code that catches errors catches these classes, never a
bare ``Exception``.

::

    MiamError
    ├── ProjectError ............ the project folder is missing, already exists, or is locked
    │   └── StorageError ........ the project's database or files cannot be read or written
    │       ├── StoreLocked ..... another notebook or program holds the database's write lock
    │       ├── DiskFull ........ no space left, a quota or the file-size limit is reached
    │       ├── DiskError ....... the disk failed to read or write (I/O error)
    │       ├── ReadOnlyProject . the project is read-only (opened so, or files not writable)
    │       ├── NotADatabase .... ``miam.sqlite`` is empty, damaged, or another program's file
    │       └── IntegrityViolation  the database refused a write that breaks one of its rules
    ├── ConfigError ............. ``projet.yml`` (attributes, consent uses) is malformed
    ├── AttributeValueError ..... an attribute value does not fit its declared type or choices
    │   └── UnknownAttribute .... a filter names no column and no attribute of ``projet.yml``
    ├── CorpusError ............. a source file cannot be imported
    │   ├── UnreadableFile ...... unknown format, malformed file, broken archive, empty
    │   ├── EncodingError ....... bytes that no supported encoding decodes safely
    │   └── TextEditError ....... an edit of a document's text is refused (range, speaker label)
    │       └── StaleVersion .... the document was edited elsewhere since the version given
    ├── CodebookError ........... the codebook YAML or a codebook change is invalid
    │   ├── UnknownCode ......... a code id that the codebook does not hold
    │   ├── DuplicateCode ....... a code id used twice
    │   └── CodebookConflict .... the codebook changed in another notebook since it was read
    ├── CodingError ............. a coding cannot be written or removed
    │   ├── OffsetOutOfRange .... start/end outside the document, or empty span
    │   ├── UnknownCoder ........ a coder who is not registered in the project
    │   └── TrainingError ....... a reference set cannot be created or used as asked
    ├── AnalysisError ........... an analysis cannot be computed as asked
    │   ├── UnknownOption ....... an option value (unit, mode, level, passage) that is not offered
    │   ├── UnknownColumn ....... a column or attribute that the codings or documents lack
    │   ├── EmptySelection ...... a wave or filter that selects no document
    │   └── AgreementError ...... inter-coder agreement cannot be computed on these data
    │       ├── DuplicateCoder .. the same coder named twice in one comparison
    │       └── InvalidWeights .. unit weights negative, not finite, or not one per unit
    ├── SearchError ............. a text or document search cannot run as asked (empty query)
    ├── ParticipantError ........ a participant cannot be registered (empty pseudonym)
    ├── MemoError ............... a memo's target kind is unknown, its author empty, its text too long
    ├── ReviewError ............. a review thread is unknown, empty, or already settled
    ├── ConsentError ............ a use that a participant has not consented to
    ├── QuoteError .............. a quote cannot be proposed or changed
    ├── LanguageModelMissing .... the spaCy language model asked for is not installed
    └── ExportError ............. an export cannot be produced
"""

from __future__ import annotations

__all__ = [
    "MiamError",
    "ProjectError",
    "StorageError",
    "StoreLocked",
    "DiskFull",
    "DiskError",
    "ReadOnlyProject",
    "NotADatabase",
    "IntegrityViolation",
    "CodebookConflict",
    "ConfigError",
    "AttributeValueError",
    "UnknownAttribute",
    "CorpusError",
    "UnreadableFile",
    "EncodingError",
    "TextEditError",
    "StaleVersion",
    "CodebookError",
    "UnknownCode",
    "DuplicateCode",
    "CodingError",
    "OffsetOutOfRange",
    "UnknownCoder",
    "TrainingError",
    "AnalysisError",
    "UnknownOption",
    "UnknownColumn",
    "EmptySelection",
    "AgreementError",
    "DuplicateCoder",
    "InvalidWeights",
    "SearchError",
    "ParticipantError",
    "MemoError",
    "ReviewError",
    "ConsentError",
    "QuoteError",
    "LanguageModelMissing",
    "ExportError",
]


class MiamError(Exception):
    """Base of every error miam_qual raises on purpose. ``str(err)`` is a French sentence."""


class ProjectError(MiamError):
    """Raised when a project folder is missing, not a project, already exists, or is corrupt."""


class StorageError(ProjectError):
    """Raised when the project's database or files cannot be read or written; names the file."""


class StoreLocked(StorageError):
    """Raised when another notebook or program keeps the database's write lock past the timeout."""


class DiskFull(StorageError):
    """Raised when a write finds no space left, a quota, or the file-size limit reached."""


class DiskError(StorageError):
    """Raised when the disk fails to read or write (I/O error, removed drive, failing medium)."""


class ReadOnlyProject(StorageError):
    """Raised when writing to a project opened read-only or whose files cannot be written."""


class NotADatabase(StorageError):
    """Raised when ``miam.sqlite`` is empty, damaged, or a file that miam_qual did not create."""


class IntegrityViolation(StorageError):
    """Raised when the database refuses a write that breaks one of its rules (a reference to a
    deleted row, a duplicate); nothing is written."""


class ConfigError(MiamError):
    """Raised when ``projet.yml`` cannot be read or declares attributes inconsistently."""


class AttributeValueError(MiamError):
    """Raised when an attribute value is unknown, of the wrong type, or outside its choices."""


class UnknownAttribute(AttributeValueError):
    """Raised when a keyword filter (``documents(vague=…)``, ``codings(…)``, ``retrieve(…)``)
    names neither a column nor an attribute declared in ``projet.yml``; suggests close names."""


class CorpusError(MiamError):
    """Raised when a source file cannot be imported; nothing is written in that case."""


class UnreadableFile(CorpusError):
    """Raised for an unsupported extension, a malformed or empty file, or a broken archive."""


class EncodingError(CorpusError):
    """Raised when a file's bytes cannot be decoded without guessing; names the byte offset."""


class TextEditError(CorpusError):
    """Raised when an edit of a document's text is refused: ranges out of the text, overlapping
    or reversed, a speaker label cut in two, a coding or orphan that cannot be placed there."""


class StaleVersion(TextEditError):
    """Raised when the document was edited (in another notebook) since the version the edit was
    prepared on (``expected_version``)."""


class CodebookError(MiamError):
    """Raised when the codebook YAML is invalid (all problems listed at once) or a change is refused."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class UnknownCode(CodebookError):
    """Raised when a code id is not in the codebook."""


class DuplicateCode(CodebookError):
    """Raised when a new code would reuse an existing id."""


class CodebookConflict(CodebookError):
    """Raised when the codebook changed in another notebook since this one read it; nothing is
    written and the codebook is reloaded."""


class CodingError(MiamError):
    """Raised when a coding cannot be created, changed or removed."""


class OffsetOutOfRange(CodingError):
    """Raised when a span is empty, reversed, or outside the document's text."""


class UnknownCoder(CodingError):
    """Raised when the coder is not registered in the project (``project.add_coder``)."""


class TrainingError(CodingError):
    """Raised when a reference set (``miam_qual.training``) cannot be created, found, declared
    done, revealed or compared as asked."""


class AnalysisError(MiamError):
    """Raised when an analysis or agreement cannot be computed as asked; nothing is returned."""


class UnknownOption(AnalysisError):
    """Raised for an option value (unit, mode, level, passage kind, waves) missing or not among
    those offered."""


class UnknownColumn(AnalysisError):
    """Raised when a ``by``, attribute or wave column is not a column of the codings or documents."""


class EmptySelection(AnalysisError):
    """Raised when a wave or filter selects no document, so there is nothing to compare."""


class AgreementError(AnalysisError):
    """Raised when agreement cannot be computed: fewer than two coders, no shared document, or a
    reliability matrix of the wrong shape."""


class DuplicateCoder(AgreementError):
    """Raised when the same coder is named twice among the coders to compare."""


class InvalidWeights(AgreementError):
    """Raised when unit weights are negative, not finite, or not exactly one per unit."""


class SearchError(MiamError):
    """Raised when a text or document search cannot run as asked (a query with no letter or digit)."""


class ParticipantError(MiamError):
    """Raised when a participant cannot be registered (an empty pseudonym)."""


class MemoError(MiamError):
    """Raised when a memo's target kind is not one of those miam_qual knows, its author is empty
    or its text longer than ``coding.MEMO_MAX_LENGTH``."""


class ReviewError(MiamError):
    """Raised when a review thread (comment, contestation) or a reply cannot be written: an
    unknown thread, an empty or too long text, a thread already settled."""


class ConsentError(MiamError):
    """Raised when a participant has not consented to the use an export needs."""


class QuoteError(MiamError):
    """Raised when a quote cannot be proposed or changed (unknown quote, bad status or target,
    an edit that is more than light editing)."""


class LanguageModelMissing(MiamError):
    """Raised when the spaCy language model asked for (``fr_core_news_sm``) is not installed."""


class ExportError(MiamError):
    """Raised when an export cannot be produced (missing tool, bad option, nothing to export)."""
