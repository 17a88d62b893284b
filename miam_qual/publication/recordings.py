"""Which recording belongs to a transcript, and whether it really is that recording.

A transcript is linked to its recording in ``medias/``:

- **explicitly**: its ``media`` (the ``media:`` line of a WebVTT ``NOTE`` header at import, or
  set later with :func:`link_recording`, which checks that the file exists and can be read);
- **by name**: without a ``media``, a file of ``medias/`` with the transcript's own stem
  (``entretien_03.srt`` → ``medias/entretien_03.m4a``), when exactly one such file is a recording.

:func:`check_recording` compares the recording's duration with the transcript's last timecode:
a transcript whose last cue ends after the recording does (beyond the tolerance) belongs to
another recording and is refused; a recording that goes on well after the last cue draws a
warning (an untranscribed end, or a different take). Both messages are French and name the
document and the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExportError
from ..store import documents as docs_sql
from .media import MEDIA_DIR, media_dir, open_recording, recording_path
from .outputs import clock
from .settings import load_settings

if TYPE_CHECKING:
    from ..project import Project

#: Files of ``medias/`` that may be a transcript's recording when linked by name.
RECORDING_SUFFIXES = (
    ".wav", ".m4a", ".mp3", ".ogg", ".opus", ".flac", ".aac", ".mp4", ".m4v", ".mov", ".webm",
)  # fmt: skip


def recording_for(project: Project, document: str) -> Path | None:
    """The recording of ``document`` (name or GUID): ``medias/<media>`` when its ``media`` is
    set, else the one file of ``medias/`` sharing the transcript's stem; ``None`` when there is
    none. The path returned may not exist (a ``media`` naming a file not yet copied).

    Raises ``ExportError`` when several recordings share the stem (link one explicitly).
    """
    guid = project.document_id(document)
    row = project.documents().set_index("document_id").loc[guid]
    if isinstance(row["media"], str) and row["media"]:
        return recording_path(project, row["media"])
    stem = Path(str(row["source_file"])).stem
    folder = media_dir(project)
    found = (
        sorted(
            p
            for p in folder.iterdir()
            if p.is_file() and p.stem == stem and p.suffix.lower() in RECORDING_SUFFIXES
        )
        if folder.is_dir()
        else []
    )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ExportError(
            f"« {row['document']} » : plusieurs enregistrements portent son nom dans "
            f"{MEDIA_DIR}/ ({names}) ; choisissez-en un avec link_recording."
        )
    return found[0] if found else None


def link_recording(project: Project, document: str, media: str | None) -> Path | None:
    """Link ``document`` to the recording ``medias/<media>`` (its ``media``), or remove the
    explicit link with ``None`` (the transcript is then linked by name, if a file matches).

    ``media`` is a file name inside ``medias/``. Raises ``ExportError`` (French) for a path
    rather than a name, a missing file or one that is not a readable recording; nothing is
    changed then. Returns the recording's path (``None`` when unlinked).
    """
    guid = project.document_id(document)
    if media is None:
        with project.store.transaction():
            docs_sql.set_media(project.store, guid, None)
        return None
    name = str(media).strip()
    if not name or Path(name).name != name or name in (".", ".."):
        raise ExportError(
            f"« {media} » : donnez le nom d'un fichier du dossier {MEDIA_DIR}/, sans chemin."
        )
    path = recording_path(project, name)
    if not path.is_file():
        raise ExportError(
            f"Enregistrement introuvable : {MEDIA_DIR}/{name}. Déposez le fichier dans le "
            f"dossier {MEDIA_DIR}/ du projet, puis liez-le."
        )
    open_recording(path).close()  # refuses a file that is not a recording, in French
    with project.store.transaction():
        docs_sql.set_media(project.store, guid, name)
    return path


@dataclass
class RecordingCheck:
    """How a transcript's timecodes agree with its recording (see :func:`check_recording`).

    ``status``: ``ok``, ``avertissement`` (the recording goes on after the last cue beyond the
    tolerance) or ``refus`` (the last cue ends after the recording beyond the tolerance, or
    no recording). ``message`` is French and names the document and the file (empty when ok).
    """

    document: str
    recording: Path | None
    recording_ms: int | None
    last_timecode_ms: int | None
    tolerance_ms: int
    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def difference_ms(self) -> int | None:
        """Recording minus last timecode (ms): negative when the transcript runs past it."""
        if self.recording_ms is None or self.last_timecode_ms is None:
            return None
        return self.recording_ms - self.last_timecode_ms


def recording_duration_ms(path: Path) -> int:
    """The recording's duration (ms): exact for PCM WAV, the container's for the others
    (read from its header; nothing is decoded, so it may be an estimate: :func:`check_recording`
    decodes the end before refusing). Raises ``ExportError`` for an unreadable file."""
    reader = open_recording(path)
    try:
        if reader.total_frames is not None:
            return round(reader.total_frames * 1000 / reader.rate)
        return int(reader.estimated_ms)
    finally:
        reader.close()


def sounds_at(path: Path, at_ms: int) -> bool:
    """Whether the decoder delivers the 200 ms of sound before ``at_ms``: a compressed file
    whose header only estimates its length (raw AAC, some mp3) is checked on its sound."""
    reader = open_recording(path)
    try:
        first, last = (round(ms * reader.rate / 1000) for ms in (max(0, at_ms - 200), at_ms))
        frame_bytes = reader.sample_width * reader.channels
        return len(reader.read(first, last)) >= (last - first) * frame_bytes
    finally:
        reader.close()


def check_recording(
    project: Project, document: str, *, tolerance_ms: int | None = None
) -> RecordingCheck:
    """Compare the recording linked to ``document`` with its last timecode.

    ``tolerance_ms`` defaults to ``ecart_enregistrement_ms`` of ``publication.yml`` (2 s).
    A document without timecodes is ``ok`` (nothing to compare). Never raises for a missing or
    unreadable recording: that is a ``refus`` with its reason.
    """
    if tolerance_ms is None:
        tolerance_ms = load_settings(project.root).recording_tolerance_ms
    guid = project.document_id(document)
    name = project.documents().set_index("document_id").loc[guid, "document"]
    cues = project.timecodes(guid)
    last = None if cues.empty else int(cues["end_ms"].max())

    def result(path: Path | None, length: int | None, status: str, message: str):
        return RecordingCheck(name, path, length, last, tolerance_ms, status, message)

    try:
        path = recording_for(project, guid)
    except ExportError as err:
        return result(None, None, "refus", str(err))
    if path is None:
        if last is None:
            return result(None, None, "ok", "")
        return result(None, None, "refus", f"« {name} » n'a pas d'enregistrement associé.")
    where = f"{MEDIA_DIR}/{path.name}"
    if not path.is_file():
        return result(path, None, "refus", f"« {name} » : enregistrement introuvable : {where}.")
    try:
        length = recording_duration_ms(path)
    except ExportError as err:
        return result(path, None, "refus", f"« {name} » : {err}")
    if last is None:
        return result(path, length, "ok", "")
    if last > length + tolerance_ms and not (
        path.suffix.lower() not in (".wav", ".wave") and sounds_at(path, last - tolerance_ms)
    ):
        return result(path, length, "refus", (
            f"« {name} » : le minutage va jusqu'à {clock(last)} mais l'enregistrement {where} "
            f"ne dure que {clock(length)} : ce n'est pas le bon enregistrement, ou il est "
            "incomplet. Liez le bon fichier (link_recording)."
        ))  # fmt: skip
    if length > last + tolerance_ms:
        return result(path, length, "avertissement", (
            f"« {name} » : l'enregistrement {where} dure {clock(length)}, le dernier minutage "
            f"s'arrête à {clock(last)} : vérifiez que c'est le bon enregistrement (fin non "
            "transcrite ?)."
        ))  # fmt: skip
    return result(path, length, "ok", "")
