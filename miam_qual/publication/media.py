"""Recordings and audio clips.

Convention: a project's recordings live in ``<project>/medias/``, each named by the ``media`` of
its transcript (the ``media: temoignage_01.wav`` line of a WebVTT ``NOTE`` header). WAV files are
cut with the standard library (``wave``); other formats (mp3, m4a…) are decoded, and clips encoded
to mp3, through ``ffmpeg`` when it is installed.

The demo has no real audio: ``synthesize_recordings`` writes a quiet tone for each transcript,
sounding during the cues and silent between them, with the transcript's duration.
"""

from __future__ import annotations

import array
import math
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExportError

if TYPE_CHECKING:
    from ..project import Project

MEDIA_DIR = "medias"
FFMPEG_MISSING = (
    "ffmpeg est introuvable : les extraits ne peuvent être produits qu'en WAV. "
    "Installez-le (apt-get install ffmpeg) pour lire des enregistrements non WAV ou produire du mp3."
)


def media_dir(project: Project) -> Path:
    return project.root / MEDIA_DIR


def recording_path(project: Project, media: str) -> Path:
    """Where the recording named ``media`` must be: ``<project>/medias/<media>``."""
    return media_dir(project) / Path(media).name


def ffmpeg() -> str | None:
    return shutil.which("ffmpeg")


def synthesize_recordings(
    project: Project, *, rate: int = 16000, overwrite: bool = False
) -> list[Path]:
    """Write a stand-in WAV (mono, 16 bit) for every transcript whose recording is missing.

    The tone (250 Hz) plays during each cue and is silent between cues; the file lasts until the
    last cue ends plus one second. Returns the files written.
    """
    written = []
    documents = project.documents()
    for row in documents.itertuples():
        if not isinstance(row.media, str) or not row.media:
            continue
        target = recording_path(project, row.media)
        if target.suffix.lower() != ".wav":
            target = target.with_suffix(".wav")
        if target.exists() and not overwrite:
            continue
        cues = project.timecodes(row.document_id)
        if cues.empty:
            continue
        total = int(cues["end_ms"].max()) + 1000
        samples = _tone_track(
            total,
            [(int(b), int(e)) for b, e in zip(cues["begin_ms"], cues["end_ms"], strict=True)],
            rate,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(target), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(samples.tobytes())
        written.append(target)
    return written


def _tone_track(total_ms: int, spans: list[tuple[int, int]], rate: int) -> array.array:
    period = max(int(rate / 250), 2)
    wave_table = array.array(
        "h", (int(6000 * math.sin(2 * math.pi * i / period)) for i in range(period))
    )
    frames = total_ms * rate // 1000
    track = array.array("h", bytes(2 * frames))
    for begin, end in spans:
        first, last = begin * rate // 1000, min(end * rate // 1000, frames)
        if last <= first:
            continue
        count = last - first
        tone = wave_table * (count // period + 1)
        track[first:last] = tone[:count]
    return track


def wav_duration_ms(path: Path) -> float:
    """Exact duration of a WAV file in milliseconds (frames / rate)."""
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() * 1000.0 / handle.getframerate()


@dataclass
class Clip:
    """One clip to cut: source recording, wanted span (ms) and destination file."""

    source: Path
    begin_ms: int
    end_ms: int
    destination: Path
    # Filled by ``cut_clips``: the exact span written, after padding, clamping and frame rounding.
    start_frame: int = 0
    end_frame: int = 0
    rate: int = 0

    @property
    def written_begin_ms(self) -> int:
        return round(self.start_frame * 1000 / self.rate)

    @property
    def written_end_ms(self) -> int:
        return round(self.end_frame * 1000 / self.rate)

    @property
    def written_duration_ms(self) -> int:
        return round((self.end_frame - self.start_frame) * 1000 / self.rate)


def _as_wav(source: Path, scratch: Path) -> Path:
    """The source itself when it is WAV, else a WAV decoded by ffmpeg into ``scratch``."""
    if source.suffix.lower() == ".wav":
        return source
    tool = ffmpeg()
    if tool is None:
        raise ExportError(f"« {source.name} » n'est pas un WAV. {FFMPEG_MISSING}")
    target = scratch / (source.stem + ".wav")
    if not target.exists():
        result = subprocess.run([tool, "-v", "error", "-y", "-i", str(source), str(target)],
                                capture_output=True, text=True)  # fmt: skip
        if result.returncode != 0:
            raise ExportError(
                f"ffmpeg n'a pas pu lire « {source.name} » : {result.stderr.strip()[:300]}"
            )
    return target


def cut_clips(clips: list[Clip], *, padding_ms: int = 0) -> None:
    """Cut every clip (one opening per recording), with ``padding_ms`` before and after, clamped
    to the recording. Fills ``start_frame``, ``end_frame`` and ``rate`` of each clip."""
    by_source: dict[Path, list[Clip]] = {}
    for clip in clips:
        by_source.setdefault(clip.source, []).append(clip)
    with tempfile.TemporaryDirectory(prefix="miam_audio_") as scratch:
        for source, group in by_source.items():
            if not source.exists():
                raise ExportError(f"Enregistrement introuvable : « {source} ».")
            wav_path = _as_wav(source, Path(scratch))
            try:
                reader = wave.open(str(wav_path), "rb")
            except (wave.Error, EOFError) as err:
                raise ExportError(f"« {source.name} » : WAV illisible ({err}).") from err
            with reader:
                params = reader.getparams()
                rate, total = params.framerate, params.nframes
                for clip in group:
                    first = max(0, round((clip.begin_ms - padding_ms) * rate / 1000))
                    last = min(total, round((clip.end_ms + padding_ms) * rate / 1000))
                    if last <= first:
                        raise ExportError(
                            f"« {source.name} » : l'extrait {clip.destination.stem} "
                            f"({clip.begin_ms} ms) est hors de l'enregistrement ({total * 1000 // rate} ms)."
                        )
                    reader.setpos(first)
                    data = reader.readframes(last - first)
                    clip.destination.parent.mkdir(parents=True, exist_ok=True)
                    with wave.open(str(clip.destination), "wb") as out:
                        out.setnchannels(params.nchannels)
                        out.setsampwidth(params.sampwidth)
                        out.setframerate(rate)
                        out.writeframes(data)
                    clip.start_frame, clip.end_frame, clip.rate = first, last, rate


def encode_mp3(wav: Path) -> Path:
    """Encode a WAV clip to mp3 next to it (the WAV is removed); needs ffmpeg."""
    tool = ffmpeg()
    if tool is None:
        raise ExportError(FFMPEG_MISSING)
    target = wav.with_suffix(".mp3")
    result = subprocess.run([tool, "-v", "error", "-y", "-i", str(wav), "-codec:a", "libmp3lame",
                             "-q:a", "4", str(target)], capture_output=True, text=True)  # fmt: skip
    if result.returncode != 0:
        raise ExportError(
            f"ffmpeg n'a pas pu encoder « {wav.name} » en mp3 : {result.stderr.strip()[:300]}"
        )
    wav.unlink()
    return target
