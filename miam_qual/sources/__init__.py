"""Source readers: turn a file on disk into :class:`SourceDocument` objects.

One reader per file family, chosen by suffix (case-insensitive):

=================  ==========================  ===============================================
module             suffixes                    documents
=================  ==========================  ===============================================
``plain``          ``.txt``, ``.md``           one ``text`` or ``transcript`` (speaker turns)
``office``         ``.docx``, ``.odt``         one ``text`` or ``transcript``
``subtitles``      ``.vtt``, ``.srt``          one ``transcript`` with timecodes
``transcripts``    ``.html`` (noScribe),       one ``transcript`` with timecodes and speakers
                   ``.otr`` (oTranscribe),
                   ``.json`` (Whisper,
                   faster-whisper, WhisperX)
``tables``         ``.csv``, ``.xlsx``         one ``questionnaire`` per respondent (row)
=================  ==========================  ===============================================

Time marks typed in ``.txt``, ``.md``, ``.docx`` and ``.odt`` (``[00:01:23]``, ``(01:23)``,
f4/f5transkript's ``#00:01:23-4#``) and ``.docx`` tables laid out as time | speaker | text make
those documents timed transcripts too (:mod:`.marks`); the cues of every timed format become a
document through :mod:`.timed`.

Decoding and normalisation live in :mod:`miam_qual.text`; turn detection in :mod:`.turns`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from miam_qual.errors import UnreadableFile
from miam_qual.sources import office, plain, subtitles, tables, transcripts
from miam_qual.sources.model import SourceDocument, Timecode, Unit
from miam_qual.sources.turns import detect_turns
from miam_qual.text import quote_name

__all__ = [
    "read_source",
    "SUPPORTED_SUFFIXES",
    "SourceDocument",
    "Unit",
    "Timecode",
    "detect_turns",
]

_Reader = Callable[[Path, list[str] | None, str | None], list[SourceDocument]]


def _single(read: Callable[[Path], SourceDocument]) -> _Reader:
    return lambda path, answer_columns, id_column: [read(path)]


def _table(read: Callable[..., list[SourceDocument]]) -> _Reader:
    return lambda path, answer_columns, id_column: read(
        path, answer_columns=answer_columns, id_column=id_column
    )


_READERS: dict[str, _Reader] = {
    ".txt": _single(plain.read_txt),
    ".md": _single(plain.read_md),
    ".docx": _single(office.read_docx),
    ".odt": _single(office.read_odt),
    ".vtt": _single(subtitles.read_vtt),
    ".srt": _single(subtitles.read_srt),
    ".html": _single(transcripts.read_noscribe),
    ".otr": _single(transcripts.read_otr),
    ".json": _single(transcripts.read_whisper_json),
    ".csv": _table(tables.read_csv),
    ".xlsx": _table(tables.read_xlsx),
}

#: File suffixes :func:`read_source` accepts (lower case, with the dot).
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_READERS)


def read_source(
    path: Path,
    *,
    answer_columns: list[str] | None = None,
    id_column: str | None = None,
) -> list[SourceDocument]:
    """Read one source file and return its documents (one, or one per respondent for tables).

    ``answer_columns`` and ``id_column`` only apply to ``.csv``/``.xlsx`` questionnaires (see
    :mod:`miam_qual.sources.tables` for the defaults); other readers ignore them.

    Raises :class:`UnreadableFile` for an unsupported suffix, a missing, empty or malformed file,
    and :class:`EncodingError` for text whose bytes cannot be decoded safely.
    """
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(
            f"{quote_name(path.name)} : format « {path.suffix or 'sans extension'} » non pris en "
            f"charge. Formats acceptés : {', '.join(SUPPORTED_SUFFIXES)}."
        )
    if not path.is_file():
        raise UnreadableFile(f"{quote_name(path.name)} : fichier introuvable ({path}).")
    try:
        return reader(path, answer_columns, id_column)
    except PermissionError:
        raise UnreadableFile(
            f"{quote_name(path.name)} : lecture refusée (droits d'accès)."
        ) from None
