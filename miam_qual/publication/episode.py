"""The assembled episode of a radio export (``export_radio(…, montage=True)``).

After the clips are written, the montage lays them end to end in the script's order (themes in
codebook order, quotes within each theme), with a silence between two quotes and a longer one
between two themes, an optional jingle at the start and the end and an optional bed under
everything, lowered (ducked) under the voices; jingle and bed are files of ``medias/`` named in
``publication.yml``. The sources may differ in rate and channels: each is converted (PyAV's
resampler) to the highest rate found, in stereo if any source is stereo.

The mix is rendered twice, block by block (a half-hour episode is never held in memory): once to
measure its loudness, once to write it with the gain that brings it to the target (EBU R128,
−23 LUFS, or −16 LUFS for a podcast) through a true-peak limiter (``loudness.py``); the written
loudness is measured again and, should the limiter have taken it away from the target, the file
is written once more with the gain corrected. Then::

    episode.wav                       16-bit PCM, a cue point and its label at each quote
    episode.mp3                       the same blocks encoded beside the WAV (a thread), an ID3
                                      chapter (CHAP) at each quote
    episode_minutage.csv / .xlsx      every element with its start, end and duration

All of it is written into the export's staging folder, so the privacy gate reads it (tags,
chapters, cue labels) and a failure leaves nothing behind.
"""

from __future__ import annotations

import math
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ExportError
from .episode_files import Mp3Encoder, add_wav_cues
from .loudness import TARGETS, Limiter, LoudnessMeter, PeakMeter, db_to_gain
from .media import open_recording
from .outputs import clock, short_duration, write_table
from .settings import PublicationSettings

if TYPE_CHECKING:
    from ..project import Project
    from .consent import ExportStart

WAV_NAME, MP3_NAME, CUES_NAME = "episode.wav", "episode.mp3", "episode_minutage"
CUE_COLUMNS = [
    "ordre", "element", "citation", "theme", "attribution", "fichier", "debut", "fin", "debut_ms",
    "fin_ms", "duree_ms", "duree",
]  # fmt: skip
#: French names of the elements of an episode.
JINGLE, CLIP, SILENCE = "générique", "extrait", "silence"
#: How much further the bed goes down under the voices (dB), and how fast it moves (ms).
DUCKING_DB, DUCKING_RAMP_MS = 12.0, 300
#: Tolerance on the written loudness before it is written again (LU), and how many times.
LOUDNESS_TOLERANCE, WRITES = 0.3, 3
_SILENCE_BLOCK_S = 10


@dataclass
class Part:
    """One element of the episode: a clip, a jingle or a silence, placed at ``start`` (frames)."""

    kind: str
    frames: int = 0
    silence_ms: int = 0  # a silence's length, until the episode's rate gives its frames
    source: Path | None = None
    quote_id: str = ""
    theme: str = ""
    attribution: str = ""
    start: int = 0


@dataclass
class Episode:
    """What the montage wrote: its parts, rate, loudness and true peak as written, the files."""

    rate: int
    channels: int
    target: str
    parts: list[Part]
    loudness_lufs: float = -math.inf
    true_peak_db: float = -math.inf
    gain_db: float = 0.0
    files: list[Path] = field(default_factory=list)

    def ms(self, frames: int) -> int:
        return round(frames * 1000 / self.rate)

    @property
    def duration_ms(self) -> int:
        last = self.parts[-1]
        return self.ms(last.start + last.frames)

    def cue_sheet(self) -> pd.DataFrame:
        """``CUE_COLUMNS``: one row per element, times in the episode."""
        rows = []
        for number, part in enumerate(self.parts, start=1):
            begin, end = self.ms(part.start), self.ms(part.start + part.frames)
            rows.append([number, part.kind, part.quote_id, part.theme, part.attribution,
                         part.source.name if part.source else "", clock(begin), clock(end), begin,
                         end, end - begin, short_duration(end - begin)])  # fmt: skip
        return pd.DataFrame(rows, columns=CUE_COLUMNS)

    def chapters(self) -> list[tuple[str, int, int]]:
        """``(title, start frame, end frame)`` of each quote: « C001 — attribution »."""
        return [
            (f"{p.quote_id} — {p.attribution}" if p.attribution else p.quote_id, p.start,
             p.start + p.frames)
            for p in self.parts if p.kind == CLIP
        ]  # fmt: skip


def plan_episode(
    folder: Path, cues: pd.DataFrame, media: Path, settings: PublicationSettings
) -> list[Part]:
    """The parts of the episode for the radio cue sheet ``cues`` (script order), its clips in
    ``folder/extraits``, jingle and bed in ``media``. Raises ``ExportError`` for a jingle named
    in ``publication.yml`` that ``medias/`` lacks."""
    gap, theme_gap = settings.gap_ms, settings.theme_gap_ms
    parts: list[Part] = []
    jingle = _media_file(media, settings.jingle, "générique")
    if jingle is not None:
        parts += [Part(JINGLE, source=jingle), Part(SILENCE, silence_ms=gap)]
    previous = None
    for row in cues.itertuples():
        if previous is not None:
            parts.append(Part(SILENCE, silence_ms=theme_gap if row.theme != previous else gap))
        parts.append(Part(CLIP, source=folder / "extraits" / row.fichier_extrait,
                          quote_id=row.citation, theme=row.theme, attribution=row.attribution))  # fmt: skip
        previous = row.theme
    if jingle is not None:
        parts += [Part(SILENCE, silence_ms=gap), Part(JINGLE, source=jingle)]
    return parts


def assemble_episode(
    folder: Path,
    cues: pd.DataFrame,
    media: Path,
    settings: PublicationSettings,
    *,
    target: str | None = None,
    title: str = "Épisode",
) -> Episode:
    """Assemble, normalise and write the episode into ``folder`` (see module docstring).

    ``target``: ``ebu`` (−23 LUFS) or ``podcast`` (−16 LUFS); default ``cible_sonie`` of
    ``publication.yml``. ``title``: the MP3's title tag (already pseudonymised). Raises
    ``ExportError`` for an unknown target, a missing jingle or bed, an unreadable clip or a
    silent episode."""
    target = target or settings.loudness_target
    if target not in TARGETS:
        raise ExportError(
            f"Cible de sonie « {target} » inconnue (cibles possibles : {', '.join(TARGETS)})."
        )
    parts = plan_episode(folder, cues, media, settings)
    bed_file = _media_file(media, settings.bed, "tapis")
    sources = [p.source for p in parts if p.source is not None]
    rate, channels = _common_format([*sources, *([bed_file] if bed_file else [])])
    for part in parts:
        if part.kind == SILENCE:
            part.frames = round(part.silence_ms * rate / 1000)
    episode = Episode(rate, channels, target, parts)
    bed = _decode(bed_file, rate, channels) if bed_file else None
    if bed is not None and not len(bed):
        raise ExportError(f"Le tapis « {settings.bed} » de medias/ ne contient aucun son.")
    meter = LoudnessMeter(rate, channels)
    for block in _render(episode, bed, settings.bed_level_db):
        meter.add(block)
    measured = meter.integrated()
    if not math.isfinite(measured):
        raise ExportError("L'épisode est silencieux : sa sonie ne peut pas être mesurée.")
    gain_db = TARGETS[target] - measured
    wav, mp3 = folder / WAV_NAME, folder / MP3_NAME
    for attempt in range(WRITES):
        episode.gain_db = gain_db
        encoder = Mp3Encoder(mp3, episode, title)
        try:
            written = _write_wav(episode, bed, settings, wav, encoder)
        except BaseException:
            encoder.abort()
            raise
        episode.loudness_lufs, episode.true_peak_db = written
        error = TARGETS[target] - episode.loudness_lufs
        if abs(error) <= LOUDNESS_TOLERANCE or attempt == WRITES - 1:
            encoder.close()
            break
        encoder.abort()  # the limiter took the loudness away from the target: once more
        gain_db += error
    add_wav_cues(wav, episode.chapters())
    table = episode.cue_sheet()
    sheets = write_table(table, folder / f"{CUES_NAME}.csv", folder / f"{CUES_NAME}.xlsx",
                         sheet="Minutage de l'épisode")  # fmt: skip
    episode.files = [wav, mp3, *sheets]
    return episode


def describe(episode: Episode) -> str:
    """One French line for the export report: duration, loudness, true peak."""
    target = f"{TARGETS[episode.target]:.0f}".replace("-", "−")
    return (
        f"Épisode monté : {short_duration(episode.duration_ms)}, {decimal(episode.loudness_lufs)} "
        f"LUFS (cible {target}), crête vraie {decimal(episode.true_peak_db)} dBTP."
    )


def decimal(value: float) -> str:
    """``-23,0``: one decimal, French comma, a true minus sign."""
    return f"{value:.1f}".replace(".", ",").replace("-", "−")


# -- sources ---------------------------------------------------------------------------------------
def _media_file(media: Path, name: str, what: str) -> Path | None:
    if not name:
        return None
    path = media / Path(name).name
    if not path.is_file():
        raise ExportError(
            f"Le {what} « {name} » de publication.yml est introuvable dans medias/ : ajoutez le "
            "fichier ou retirez la ligne."
        )
    return path


def _common_format(paths: list[Path]) -> tuple[int, int]:
    """The highest rate and the most channels (at most two) among ``paths``."""
    rate, channels = 0, 1
    for path in paths:
        reader = open_recording(path)
        try:
            rate, channels = max(rate, reader.rate), max(channels, min(reader.channels, 2))
        finally:
            reader.close()
    return rate or 44100, channels


def _decode(path: Path, rate: int, channels: int) -> np.ndarray:
    """The whole of ``path`` as float32 ``(frames, channels)`` at ``rate``."""
    reader = open_recording(path)
    try:
        known = reader.total_frames
        frames = known if known is not None else (reader.estimated_ms + 2000) * reader.rate // 1000
        data = reader.read(0, frames)
        width, own_rate, own_channels = reader.sample_width, reader.rate, reader.channels
    finally:
        reader.close()
    samples = _to_float(data, width).reshape(-1, own_channels)
    if own_channels != channels:  # mono to stereo, or more channels mixed down
        mono = samples.mean(axis=1, keepdims=True)
        samples = np.repeat(mono, channels, axis=1) if channels > 1 else mono
    if own_rate != rate:
        samples = _resample(samples, own_rate, rate)
    return np.ascontiguousarray(samples, dtype=np.float32)


def _to_float(data: bytes, width: int) -> np.ndarray:
    if width == 1:
        return (np.frombuffer(data, np.uint8).astype(np.float32) - 128) / 128
    if width == 3:  # 24-bit little-endian: widen to 32 bits
        packed = np.frombuffer(data, np.uint8).reshape(-1, 3).astype(np.int32)
        value = (packed[:, 0] << 8) | (packed[:, 1] << 16) | (packed[:, 2] << 24)
        return value.astype(np.float32) / 2**31
    dtype = {2: np.int16, 4: np.int32}[width]
    return np.frombuffer(data, dtype).astype(np.float32) / float(2 ** (8 * width - 1))


def _resample(samples: np.ndarray, source_rate: int, rate: int) -> np.ndarray:
    import av

    layout = "mono" if samples.shape[1] == 1 else "stereo"
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples.T, dtype=np.float32), format="fltp", layout=layout
    )
    frame.sample_rate, frame.pts, frame.time_base = source_rate, 0, Fraction(1, source_rate)
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
    out = [f.to_ndarray() for f in [*resampler.resample(frame), *resampler.resample(None)]]
    return np.concatenate(out, axis=1).T if out else samples[:0]


# -- rendering -------------------------------------------------------------------------------------
def _render(episode: Episode, bed: np.ndarray | None, bed_level_db: float) -> Iterator[np.ndarray]:
    """The mix, part after part (long silences in blocks); fills each part's ``start`` and, for
    clips and jingles, ``frames``."""
    position, level = 0, db_to_gain(bed_level_db)
    ramp = max(1, round(DUCKING_RAMP_MS * episode.rate / 1000))
    bed_gain = level
    for part in episode.parts:
        part.start = position
        if part.source is not None:
            sound = _decode(part.source, episode.rate, episode.channels)
            part.frames = len(sound)
            pieces: Iterator[np.ndarray] = iter([sound])
        else:
            step = _SILENCE_BLOCK_S * episode.rate
            pieces = (
                np.zeros((min(step, part.frames - i), episode.channels), np.float32)
                for i in range(0, part.frames, step)
            )
        wanted = level * (db_to_gain(-DUCKING_DB) if part.kind == CLIP else 1.0)
        offset = 0
        for piece in pieces:
            if bed is not None and len(piece):
                gains = np.full(len(piece), wanted, np.float32)
                moving = max(0, min(ramp - offset, len(piece)))
                gains[:moving] = bed_gain + (wanted - bed_gain) * (
                    np.arange(offset, offset + moving) / ramp
                )
                where = (np.arange(position, position + len(piece))) % len(bed)
                piece = piece + bed[where] * gains[:, None]
            offset += len(piece)
            position += len(piece)
            yield piece
        bed_gain = wanted


def _write_wav(
    episode: Episode,
    bed: np.ndarray | None,
    settings: PublicationSettings,
    path: Path,
    encoder: Mp3Encoder,
) -> tuple[float, float]:
    """Write the mix with the episode's gain through the limiter, handing each block to the MP3
    ``encoder`` too; returns the loudness (LUFS) and the true peak (dBTP) of what was written."""
    gain = db_to_gain(episode.gain_db)
    limiter = Limiter(episode.rate, episode.channels)
    meter, peaks = LoudnessMeter(episode.rate, episode.channels), PeakMeter()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(episode.channels)
        out.setsampwidth(2)
        out.setframerate(episode.rate)

        def emit(block: np.ndarray) -> None:
            pcm = np.round(np.clip(block, -1.0, 32767 / 32768) * 32768).astype("<i2")
            written = pcm.astype(np.float32) / 32768  # measure what the file holds
            meter.add(written)
            peaks.add(written)
            out.writeframes(pcm.tobytes())
            encoder.write(pcm)

        for block in _render(episode, bed, settings.bed_level_db):
            emit(limiter.push(block * np.float32(gain)))
        emit(limiter.flush())
    return meter.integrated(), peaks.peak_db


def montage_episode(
    project: Project, start: ExportStart, cues: pd.DataFrame, *, target: str | None = None
) -> Episode:
    """The montage step of ``export_radio``: the episode and the listening page written into the
    staging folder ``start.folder``, one line about them in the report. Raises as
    ``assemble_episode``."""
    from .listening import write_listening_page
    from .media import media_dir

    title = start.pseudonyms.apply(f"{project.name} — épisode")
    episode = assemble_episode(
        start.folder, cues, media_dir(project), start.settings, target=target, title=title
    )
    write_listening_page(project, start, episode)
    start.report.notes.append(describe(episode))
    return episode
