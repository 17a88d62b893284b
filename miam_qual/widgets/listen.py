"""Listening to a document's recording while coding or choosing quotes, without any browser.

``Recording`` decodes one window of sound at a time (seek, decode only the window, mix to mono,
resample to ``LISTEN_RATE``, 16-bit WAV bytes): the listening panel asks for the next window
before the current one ends, so a one-hour recording is never held whole, neither in the browser
nor in Python. ``Listening`` is the logic behind ``ListenPanel``: which recording belongs to the
document open in the coding panel (its ``media`` in ``medias/``, else the file there with its
name: ``publication.recordings.recording_for``, as the radio export reads it), where a passage, a unit or a timecode lies in it, and which cue is being spoken at a
given time (the coding panel's ``playing`` span). Every refusal is a French sentence in
``status`` (``status_level`` ``"erreur"``); nothing here writes to the project.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ExportError
from ..publication.media import RecordingReader, open_recording
from ..publication.recordings import recording_for
from ..text import excerpt
from .layout import format_ms

if TYPE_CHECKING:
    import pandas as pd

    from ..project import Project
    from .panel import CodingPanel
    from .session import CodingSession

__all__ = ["FIRST_WINDOW_MS", "LISTEN_RATE", "WINDOW_MS", "Listening", "Recording", "SoundWindow"]

#: Rate of the sound sent to the browser: wideband speech, 32 kB per second of mono 16-bit WAV.
LISTEN_RATE = 16_000
#: The first window is short so that the first sound comes fast; the next ones are longer.
FIRST_WINDOW_MS = 8_000
WINDOW_MS = 30_000


@dataclass(frozen=True)
class SoundWindow:
    """A stretch of a recording ready to play: ``wav`` (mono, 16 bit, ``LISTEN_RATE``) covering
    ``[begin_ms, end_ms)`` of the recording; ``last``: the recording ends inside it."""

    begin_ms: int
    end_ms: int
    wav: bytes
    last: bool


def _to_float_mono(data: bytes, sample_width: int, channels: int) -> np.ndarray:
    """Interleaved PCM → mono float32 in [-1, 1]."""
    if sample_width == 1:
        samples = (np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128) / 128
    elif sample_width == 2:
        samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768
    elif sample_width == 3:
        packed = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        wide = (packed[:, 0] << 8) | (packed[:, 1] << 16) | (packed[:, 2] << 24)
        samples = wide.astype(np.float32) / 2**31
    else:
        samples = np.frombuffer(data, dtype="<i4").astype(np.float32) / 2**31
    if channels > 1:
        samples = samples[: len(samples) // channels * channels].reshape(-1, channels).mean(axis=1)
    return samples


def _resample(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mono float samples at ``rate`` → int16 at ``LISTEN_RATE`` (FFmpeg's resampler), exactly
    as many samples as the duration asks, so that window times stay exact."""
    wanted = len(samples) * LISTEN_RATE // rate
    if rate != LISTEN_RATE and len(samples):
        import av

        resampler = av.AudioResampler(format="s16", layout="mono", rate=LISTEN_RATE)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = rate, 0, Fraction(1, rate)
        parts = [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
        parts += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
        out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
    else:
        out = np.round(np.clip(samples, -1, 1) * 32767).astype(np.int16)
    if len(out) < wanted:
        out = np.concatenate([out, np.zeros(wanted - len(out), dtype=np.int16)])
    return out[:wanted].astype("<i2")


def wav_bytes(samples: np.ndarray) -> bytes:
    """16-bit mono samples at ``LISTEN_RATE`` as a WAV file in memory."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(LISTEN_RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


class Recording:
    """One recording opened for listening (m4a/AAC, mp3, ogg/opus, wav, webm, flac…): windows are
    decoded on demand, each by a seek and the decoding of that window only.

    Raises ``ExportError`` (French, naming the file) when the file is missing or unreadable, as
    the radio export does for the same files. Close it (or use ``with``) to free the decoder.
    """

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise ExportError(f"Enregistrement introuvable : « {path} ».")
        self.path = path
        self._reader: RecordingReader = open_recording(path)

    @property
    def duration_ms(self) -> int:
        """Length of the recording in ms (exact for WAV, the container's estimate otherwise)."""
        reader = self._reader
        if reader.total_frames is not None:
            return reader.total_frames * 1000 // reader.rate
        return int(reader.estimated_ms)

    def window(self, begin_ms: int, length_ms: int = WINDOW_MS) -> SoundWindow | None:
        """The sound of ``[begin_ms, begin_ms + length_ms)``, shortened at the recording's end;
        ``None`` when ``begin_ms`` lies at or past the end. Raises ``ExportError`` when decoding
        fails."""
        reader = self._reader
        rate = reader.rate
        begin_ms = max(0, int(begin_ms))
        first = begin_ms * rate // 1000
        last = (begin_ms + max(1, int(length_ms))) * rate // 1000
        if reader.total_frames is not None:
            if first >= reader.total_frames:
                return None
            last = min(last, reader.total_frames)
        data = reader.read(first, last)
        frame_bytes = reader.sample_width * reader.channels
        count = len(data) // frame_bytes
        if count == 0:
            return None
        samples = _resample(
            _to_float_mono(data[: count * frame_bytes], reader.sample_width, reader.channels),
            rate,
        )
        end_ms = begin_ms + len(samples) * 1000 // LISTEN_RATE
        ends = first + count < last or (
            reader.total_frames is not None and first + count >= reader.total_frames
        )
        return SoundWindow(begin_ms, end_ms, wav_bytes(samples), ends)

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class Listening:
    """What the listening panel plays, for the document open in a coding panel.

    ``panel``: the ``CodingPanel`` (or ``CodingSession``) whose open document, selection and
    click are listened to; with a ``CodingPanel``, the cue being heard is drawn in it
    (``playing``). Methods that start playing return the time (ms) to start from, or ``None``
    with a French message in ``status``.
    """

    def __init__(self, project: Project, panel: CodingPanel | CodingSession | None = None):
        self.project = project
        self.panel = panel
        self.status = ""
        self.status_level = "info"
        self.document_id: str | None = None
        #: ms where playing must stop (the end of the selection listened to), or ``None``
        self.stop_ms: int | None = None
        #: index in ``cues()`` of the cue being heard, or ``None``
        self.current: int | None = None
        self._recording: Recording | None = None
        self._cues: pd.DataFrame | None = None

    # -- status ---------------------------------------------------------------------------------
    def say(self, message: str, level: str = "info") -> None:
        self.status, self.status_level = message, level

    @property
    def session(self) -> CodingSession | None:
        from .session import CodingSession

        panel = self.panel
        if panel is None or isinstance(panel, CodingSession):
            return panel
        return panel.session

    # -- the document and its recording ---------------------------------------------------------
    def follow(self, document: str | None = None) -> str | None:
        """Listen to ``document`` (name or GUID; default: the one open in the coding panel);
        returns its GUID. A change of document closes the previous recording and forgets the
        cue being heard."""
        session = self.session
        if document is not None:
            guid: str | None = self.project.document_id(document)
        elif session is not None:
            guid = session.document_id
        else:  # no coding panel: the document last played (a quote's) stays
            return self.document_id
        if guid != self.document_id:
            self.close()
            self.document_id = guid
            self._cues = None
            self.stop_ms = None
            self.set_current(None)
        return guid

    def _row(self) -> tuple[str, str | None]:
        """The open document's name and ``media`` (``None`` without one)."""
        documents = self.project.documents()
        row = documents[documents["document_id"] == self.document_id]
        if not len(row):
            return "", None
        media = row["media"].iloc[0]
        return str(row["document"].iloc[0]), media if isinstance(media, str) and media else None

    def media(self) -> str | None:
        """The recording's file name (the document's ``media``), or ``None``."""
        return self._row()[1] if self.document_id else None

    def document_name(self) -> str:
        return self._row()[0] if self.document_id else ""

    def cues(self) -> pd.DataFrame:
        """The open document's timecodes (``start, end, begin_ms, end_ms``), in text order."""
        if self._cues is None:
            import pandas as pd

            self._cues = (
                self.project.timecodes(self.document_id).reset_index(drop=True)
                if self.document_id
                else pd.DataFrame(columns=["start", "end", "begin_ms", "end_ms"])
            )
        return self._cues

    def cue_list(self, width: int = 90) -> list[dict]:
        """The cues for the panel's list: ``index, time`` (``mm:ss``), ``ms`` and ``text``."""
        if self.document_id is None:
            return []
        text = self.project.text(self.document_id)
        rows = []
        for index, cue in enumerate(self.cues().itertuples()):
            words = excerpt(text[int(cue.start) : int(cue.end)], width)
            rows.append(
                {"index": index, "time": format_ms(int(cue.begin_ms)), "ms": int(cue.begin_ms),
                 "text": words}
            )  # fmt: skip
        return rows

    def recording(self) -> Recording | None:
        """The open document's recording, opened once; ``None`` with a French message when the
        document has none, or its file is missing or unreadable."""
        if self._recording is not None:
            return self._recording
        if self.document_id is None:
            self.say("Aucun document ouvert dans le panneau de codage.", "erreur")
            return None
        name, _media = self._row()
        try:  # its ``media``, else the file of medias/ with the transcript's name
            path = recording_for(self.project, self.document_id)
        except ExportError as err:
            self.say(f"{err} Écoute impossible.", "erreur")
            return None
        if path is None:
            self.say(
                f"« {name} » n'a pas d'enregistrement associé (aucune ligne « media », aucun "
                "fichier de même nom dans medias/) : rien à écouter.",
                "erreur",
            )
            return None
        if not path.is_file():
            self.say(
                f"Enregistrement introuvable : medias/{path.name} (pour « {name} »). Déposez le "
                "fichier dans le dossier medias/ du projet.",
                "erreur",
            )
            return None
        try:
            self._recording = Recording(path)
        except ExportError as err:
            self.say(f"{err} Écoute impossible.", "erreur")
            return None
        return self._recording

    def close(self) -> None:
        """Close the recording (the next window opens it again)."""
        if self._recording is not None:
            self._recording.close()
            self._recording = None

    # -- where to start -------------------------------------------------------------------------
    def _timed(self) -> bool:
        if self.cues().empty:
            self.say(
                f"« {self.document_name()} » n'a pas de minutage : impossible de placer le "
                "passage dans l'enregistrement.",
                "erreur",
            )
            return False
        return True

    def play_selection(self) -> int | None:
        """Play the passage selected in the coding panel, from its first word to its last."""
        session = self.session
        self.follow()
        if session is None or session.selection is None:
            self.say("Sélectionnez d'abord un passage dans le panneau de codage.", "erreur")
            return None
        start, end = session.selection
        return self.play_span(start, end)

    def play_span(self, start: int, end: int, *, document: str | None = None) -> int | None:
        """Play the text span ``[start, end)`` of the open document (or of ``document``)."""
        if document is not None:
            self.follow(document)
        if self.recording() is None or not self._timed():
            return None
        assert self.document_id is not None  # a recording exists only for an open document
        times = self.project.span_times(self.document_id, start, end)
        assert times is not None  # the document has timecodes (checked above)
        begin, stop = times
        if stop <= begin:  # a passage between two cues: play the cue that follows it
            stop = begin + 1_000
        found = self._play_at(begin)
        self.stop_ms = stop if found is not None else None
        return found

    def play_quote(self, quote: str) -> int | None:
        """Play a quote's passage (``C001`` or its GUID) in its document's recording, as the
        radio export cuts it (without the padding)."""
        from ..publication.quotes import list_quotes

        quotes = list_quotes(self.project)
        row = quotes[(quotes["quote_id"] == quote) | (quotes["quote_guid"] == quote)]
        if row.empty:
            self.say(
                f"Citation inconnue « {quote} » : rechargez le tableau des citations.", "erreur"
            )
            return None
        found = row.iloc[0]
        return self.play_span(int(found["start"]), int(found["end"]), document=found["document_id"])

    def play_from_here(self) -> int | None:
        """Play from the start of the cue where the reader clicked (or the selection begins)."""
        session = self.session
        self.follow()
        if session is None or session.document_id is None:
            self.say("Aucun document ouvert dans le panneau de codage.", "erreur")
            return None
        where = session.selection[0] if session.selection else (session.focus or 0)
        if self.recording() is None or not self._timed():
            return None
        cues = self.cues()
        inside = cues[(cues["start"] <= where) & (cues["end"] > where)]
        after = cues[cues["start"] >= where]
        chosen = inside if len(inside) else (after if len(after) else cues.tail(1))
        return self._play_at(int(chosen["begin_ms"].iloc[0]))

    def play_cue(self, index: int) -> int | None:
        """Play from the start of the ``index``-th timecode of the list."""
        if self.panel is not None:
            self.follow()
        cues = self.cues()
        if not 0 <= index < len(cues):
            self.say("Ce minutage n'existe plus : rechargez le panneau d'écoute.", "erreur")
            return None
        return self._play_at(int(cues["begin_ms"].iloc[index]))

    def play_at(self, ms: int) -> int | None:
        """Play the open document's recording from ``ms``; refused (French) past its end."""
        if self.panel is not None:
            self.follow()
        return self._play_at(ms)

    def _play_at(self, ms: int) -> int | None:
        recording = self.recording()
        if recording is None:
            return None
        self.stop_ms = None
        ms = max(0, int(ms))
        duration = recording.duration_ms
        if duration and ms >= duration:
            self.say(
                f"Le minutage {format_ms(ms)} dépasse la fin de l'enregistrement "
                f"{recording.path.name} ({format_ms(duration)}) : le minutage ou le fichier est "
                "peut-être faux.",
                "erreur",
            )
            return None
        self.say(f"Écoute de {recording.path.name} à partir de {format_ms(ms)}.")
        return ms

    # -- sound ----------------------------------------------------------------------------------
    def window(
        self, begin_ms: int, length_ms: int = WINDOW_MS, *, starting: bool = True
    ) -> SoundWindow | None:
        """The next stretch of sound from ``begin_ms`` (stopping at ``stop_ms``); ``None`` past
        the end (a refusal when ``starting`` a play, the natural end of one otherwise), or with
        a French message when the recording cannot be decoded."""
        recording = self.recording()
        if recording is None:
            return None
        if self.stop_ms is not None:
            length_ms = min(length_ms, self.stop_ms - begin_ms)
            if length_ms <= 0:
                return None
        try:
            found = recording.window(begin_ms, length_ms)
        except ExportError as err:
            self.say(f"{err} Écoute interrompue.", "erreur")
            return None
        if found is None and not starting:
            self.say(f"Fin de l'enregistrement {recording.path.name}.")
        elif found is None and begin_ms == 0:
            self.say(f"{recording.path.name} ne contient aucun son.", "erreur")
        elif found is None:
            self.say(
                f"Le minutage {format_ms(begin_ms)} dépasse la fin de l'enregistrement "
                f"{recording.path.name}.",
                "erreur",
            )
        return found

    # -- following the sound in the text --------------------------------------------------------
    def cue_at(self, ms: int) -> int | None:
        """Index of the cue being heard at ``ms``: the one whose time holds ``ms``; between two
        cues, the last one begun (so the highlight moves only when the next one starts);
        ``None`` before the first."""
        cues = self.cues()
        if cues.empty:
            return None
        begun = np.flatnonzero(cues["begin_ms"].to_numpy() <= ms)
        holding = [int(i) for i in begun if ms < int(cues["end_ms"].iloc[i])]
        if holding:
            return holding[-1]
        if not len(begun):
            return None
        return int(begun[np.argmax(cues["begin_ms"].to_numpy()[begun])])

    def heard(self, ms: int) -> tuple[int, int] | None:
        """The player is at ``ms``: mark the cue heard (and draw it in the coding panel); returns
        its text span."""
        index = self.cue_at(int(ms))
        self.set_current(index)
        if index is None:
            return None
        cue = self.cues().iloc[index]
        return int(cue["start"]), int(cue["end"])

    def set_current(self, index: int | None) -> None:
        """Remember the cue heard and show it in the coding panel (``playing``)."""
        self.current = index
        span: list[int] = []
        if index is not None:
            cue = self.cues().iloc[index]
            span = [int(cue["start"]), int(cue["end"])]
        panel = self.panel
        if panel is not None and hasattr(panel, "playing"):
            session = self.session
            if not span or (session is not None and session.document_id == self.document_id):
                if list(panel.playing) != span:
                    panel.playing = span

    def stopped(self) -> None:
        """Playing stopped: the coding panel no longer shows a cue being heard."""
        self.set_current(None)
