"""Recordings and audio clips.

Convention: a project's recordings live in ``<project>/medias/``, each named by the ``media`` of
its transcript (the ``media: temoignage_01.wav`` line of a WebVTT ``NOTE`` header).

Everything happens inside Python, no external program: PCM WAV files are read with the standard
library (``wave``); other recordings (mp3, m4a/AAC, ogg/opus, flac, the sound of an mp4…) are
decoded by PyAV, whose wheel ships FFmpeg's libraries. Decoding is streamed: for each clip the
reader seeks shortly before the clip and decodes only what the clip needs, so a long recording
is never held in memory. Samples are converted to one cutting format, 16-bit PCM at the
recording's own rate, in mono or stereo (more channels are mixed down to stereo).

Clips are written as WAV (``wave``) or encoded by PyAV in the formats its wheel can encode
(``audio_formats()``: mp3 through libmp3lame, flac).

The demo has no real audio: ``synthesize_recordings`` writes a quiet tone for each transcript,
sounding during the cues and silent between them, with the transcript's duration.
"""

from __future__ import annotations

import array
import math
import wave
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..errors import ExportError

if TYPE_CHECKING:
    import av

    from ..project import Project

MEDIA_DIR = "medias"
#: Clip formats: file suffix → PyAV encoder (``None``: written by the standard library).
ENCODERS: dict[str, str | None] = {"wav": None, "mp3": "libmp3lame", "flac": "flac"}
#: How far before a clip the decoder starts (seconds), so that codecs needing a run-up (AAC,
#: opus) have settled and a seek landing a little late still covers the clip's first sample;
#: then further back if it did not, then from the start (``None``).
PREROLLS: tuple[Fraction | None, ...] = (Fraction(1, 2), Fraction(30), None)
SAMPLE_BYTES = 2  # 16-bit PCM


def media_dir(project: Project) -> Path:
    return project.root / MEDIA_DIR


def recording_path(project: Project, media: str) -> Path:
    """Where the recording named ``media`` must be: ``<project>/medias/<media>``."""
    return media_dir(project) / Path(media).name


def audio_formats(codecs: frozenset[str] | set[str] | None = None) -> list[str]:
    """The clip formats this installation can write, ``wav`` first.

    ``codecs`` defaults to the codecs of the installed PyAV wheel (``av.codecs_available``).
    """
    if codecs is None:
        import av

        codecs = av.codecs_available
    return [name for name, encoder in ENCODERS.items() if encoder is None or encoder in codecs]


def check_audio_format(audio_format: str, codecs: frozenset[str] | set[str] | None = None) -> None:
    """Raise ``ExportError`` (naming the possible formats) unless clips can be written in
    ``audio_format`` (``codecs``: as for ``audio_formats``)."""
    possible = audio_formats(codecs)
    if audio_format in possible:
        return
    choices = ", ".join(possible)
    if audio_format in ENCODERS:
        raise ExportError(
            f"Le format audio « {audio_format} » n'est pas disponible : la bibliothèque audio "
            f"installée (PyAV) n'a pas l'encodeur {ENCODERS[audio_format]}. "
            f"Formats possibles : {choices}."
        )
    raise ExportError(f"Format audio « {audio_format} » inconnu (formats possibles : {choices}).")


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
    """One clip to cut: source recording, wanted span (ms) and destination file.

    The destination's suffix chooses the format (``.wav``, or one of ``audio_formats()``).
    """

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


class _WavReader:
    """PCM WAV through the standard library: exact frame counts, no decoding."""

    def __init__(self, handle: wave.Wave_read) -> None:
        self._handle = handle
        self.rate = handle.getframerate()
        self.channels = handle.getnchannels()
        self.sample_width = handle.getsampwidth()
        self._frames = handle.getnframes()
        self.total_frames: int | None = self._frames
        self.estimated_ms = self._frames * 1000 // self.rate if self.rate else 0

    def read(self, first: int, last: int) -> bytes:
        self._handle.setpos(min(first, self._frames))
        return self._handle.readframes(last - first)

    def close(self) -> None:
        self._handle.close()


class _DecodedReader:
    """Any recording FFmpeg can decode, through PyAV, as 16-bit PCM at the stream's own rate.

    ``total_frames`` is ``None``: compressed containers only estimate their length, so a clip
    running past the end is clamped to what the decoder actually delivers.
    """

    sample_width = SAMPLE_BYTES
    total_frames = None

    def __init__(self, source: Path) -> None:
        import av

        try:
            self._container = av.open(str(source))
        except (av.FFmpegError, UnicodeDecodeError) as err:
            raise ExportError(f"« {source.name} » : enregistrement illisible ({err}).") from err
        if not self._container.streams.audio:
            self._container.close()
            raise ExportError(f"« {source.name} » ne contient pas de piste sonore.")
        self._source = source
        self._stream = stream = self._container.streams.audio[0]
        self.rate = stream.codec_context.sample_rate
        self.channels = 1 if stream.codec_context.layout.nb_channels == 1 else 2
        self._start = stream.start_time or 0
        self._resampler = av.AudioResampler(
            format="s16", layout="mono" if self.channels == 1 else "stereo", rate=self.rate
        )
        self.estimated_ms = (self._container.duration or 0) // 1000

    def read(self, first: int, last: int) -> bytes:
        """Frames ``[first, last)`` counted from the recording's first decoded sample.

        A seek may land late (some formats only estimate where a time lies): the decoder then
        seeks further back, and finally starts from the beginning.
        """
        for preroll in PREROLLS:
            began, data = self._decode(first, last, preroll)
            if began is None:  # nothing to decode there: the clip lies past the end
                return b""
            if began <= first:
                return data
        # Even from the very beginning the sound starts after ``first``: that stretch is silent.
        assert began is not None  # each try returned above when nothing was decoded
        return bytes((began - first) * self.sample_width * self.channels) + data

    def _decode(self, first: int, last: int, preroll: Fraction | None) -> tuple[int | None, bytes]:
        """Seek ``preroll`` seconds before ``first`` (``None``: to the start), decode up to
        ``last``; returns the position of the first decoded frame and the frames kept."""
        import av

        stream, rate = self._stream, self.rate
        time_base = stream.time_base or Fraction(1, rate)  # audio streams always have one
        frame_bytes = self.sample_width * self.channels
        seek_s = None if preroll is None else Fraction(first, rate) - preroll
        # Always seek (to the start when the clip is near it): a previous clip may have read past.
        target = self._start + (int(seek_s / time_base) if seek_s and seek_s > 0 else 0)
        chunks: list[bytes] = []
        began = position = None
        try:
            self._container.seek(target, stream=stream, backward=True)
            for frame in self._container.decode(stream):
                if frame.pts is not None:
                    position = _frames_at(
                        frame.pts - self._start, frame.time_base or time_base, rate
                    )
                elif position is None:
                    if target > self._start:  # no timestamps after a seek: place unknown
                        return last + 1, b""
                    position = 0
                if began is None:
                    began = position
                data = self._pcm(frame, frame_bytes)
                count = len(data) // frame_bytes
                begin, end = max(first, position), min(last, position + count)
                if end > begin:
                    chunks.append(data[(begin - position) * frame_bytes : (end - position) * frame_bytes])  # fmt: skip
                position += count
                if position >= last:
                    break
        except av.FFmpegError as err:
            raise ExportError(f"« {self._source.name} » : décodage impossible ({err}).") from err
        return began, b"".join(chunks)

    def _pcm(self, frame: av.AudioFrame, frame_bytes: int) -> bytes:
        """A decoded frame as interleaved 16-bit PCM. Float and 16-bit frames of one or two
        channels are converted by numpy as FFmpeg's converter does (``lrintf(x * 32768)``,
        clipped), read straight from the frame's planes: no resampler call per frame (the
        cost of a long cut). Any other frame goes through the resampler."""
        import numpy as np

        kind, channels, count = frame.format.name, self.channels, frame.samples
        if frame.layout.nb_channels != channels or kind not in _DIRECT_FORMATS:
            return b"".join(bytes(out.planes[0])[: out.samples * frame_bytes]
                            for out in self._resampler.resample(frame))  # fmt: skip
        dtype = np.float32 if kind.startswith("flt") else np.int16
        if frame.format.is_planar and channels == 2:
            samples = np.empty((count, 2), dtype=dtype)
            for index in range(2):
                samples[:, index] = np.frombuffer(memoryview(frame.planes[index]), dtype, count)
        else:  # packed, or a single plane
            samples = np.frombuffer(memoryview(frame.planes[0]), dtype, count * channels)
        if dtype is np.int16:
            return samples.tobytes()
        scaled = np.rint(samples * np.float32(32768.0))
        return np.clip(scaled, -32768, 32767, out=scaled).astype("<i2").tobytes()

    def close(self) -> None:
        self._container.close()


#: Decoded sample formats converted to 16-bit PCM without FFmpeg's resampler.
_DIRECT_FORMATS = frozenset({"flt", "fltp", "s16", "s16p"})


def _frames_at(ticks: int, time_base: Fraction, rate: int) -> int:
    """``round(ticks * time_base * rate)`` in integers (one frame per call: Fractions are slow)."""
    quotient, rest = divmod(ticks * time_base.numerator * rate, time_base.denominator)
    twice = 2 * rest
    if twice > time_base.denominator or (twice == time_base.denominator and quotient % 2):
        quotient += 1
    return quotient


#: A recording opened for reading: ``rate``, ``channels``, ``sample_width`` (bytes),
#: ``total_frames`` (``None`` when only estimated), ``estimated_ms``, ``read(first, last)`` (the
#: interleaved PCM of frames ``[first, last)``, shorter or empty past the end), ``close()``.
RecordingReader = _WavReader | _DecodedReader


def open_recording(source: Path) -> RecordingReader:
    """Open a recording for streamed reading (the radio clips and the listening panel share it):
    PCM WAV through ``wave`` when it can, anything else (compressed or float WAV) via PyAV.

    Raises ``ExportError`` (French, naming the file) for a file FFmpeg cannot read or without a
    sound track.
    """
    if source.suffix.lower() in (".wav", ".wave"):
        try:
            return _WavReader(wave.open(str(source), "rb"))
        except (wave.Error, EOFError):
            pass  # not plain PCM (float, extensible, compressed): let FFmpeg decode it
    return _DecodedReader(source)


def cut_clips(clips: list[Clip], *, padding_ms: int = 0) -> None:
    """Cut every clip (one opening per recording), with ``padding_ms`` before and after, clamped
    to the recording. Fills ``start_frame``, ``end_frame`` and ``rate`` of each clip.

    Each clip is written in the format of its destination's suffix. Raises ``ExportError`` when
    a recording is missing or unreadable, a clip lies outside its recording, or the format
    cannot be written (see ``audio_formats``).
    """
    for suffix in {clip.destination.suffix.lower().lstrip(".") for clip in clips}:
        check_audio_format(suffix)
    for reader, clip in by_recording(clips, key=lambda c: c.begin_ms):
        _cut_one(reader, clip, padding_ms, clip.source)


class _FromRecording(Protocol):
    @property
    def source(self) -> Path: ...


ClipT = TypeVar("ClipT", bound=_FromRecording)


def by_recording(
    clips: Sequence[ClipT], *, key: Callable[[ClipT], float]
) -> Iterator[tuple[RecordingReader, ClipT]]:
    """Each clip with the reader of its recording (``clip.source``), one recording open at a
    time, its clips in ``key`` order (a streamed reader seeks forward). Raises ``ExportError``
    for a missing recording; every reader is closed, even when the caller stops midway."""
    by_source: dict[Path, list[ClipT]] = {}
    for clip in clips:
        by_source.setdefault(clip.source, []).append(clip)
    for source, group in by_source.items():
        if not source.exists():
            raise ExportError(f"Enregistrement introuvable : « {source} ».")
        reader = open_recording(source)
        try:
            for clip in sorted(group, key=key):
                yield reader, clip
        finally:
            reader.close()


def _cut_one(reader: RecordingReader, clip: Clip, padding_ms: int, source: Path) -> None:
    rate, frame_bytes = reader.rate, reader.sample_width * reader.channels
    first = max(0, round((clip.begin_ms - padding_ms) * rate / 1000))
    last = round((clip.end_ms + padding_ms) * rate / 1000)
    if reader.total_frames is not None:
        last = min(reader.total_frames, last)
    data = reader.read(first, last) if last > first else b""
    if not data:
        length_ms = (
            reader.total_frames * 1000 // rate
            if reader.total_frames is not None
            else reader.estimated_ms
        )
        raise ExportError(
            f"« {source.name} » : l'extrait {clip.destination.stem} ({clip.begin_ms} ms) est "
            f"hors de l'enregistrement ({length_ms} ms)."
        )
    last = first + len(data) // frame_bytes
    write_audio(data, clip.destination, rate, reader.channels, reader.sample_width)
    clip.start_frame, clip.end_frame, clip.rate = first, last, rate


def write_audio(data: bytes, target: Path, rate: int, channels: int, sample_width: int) -> None:
    """Write interleaved PCM ``data`` into ``target``, in the format of its suffix: WAV by the
    standard library, the others encoded by PyAV (``ExportError`` when that fails)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    encoder = ENCODERS[target.suffix.lower().lstrip(".")]
    if encoder is None:
        with wave.open(str(target), "wb") as out:
            out.setnchannels(channels)
            out.setsampwidth(sample_width)
            out.setframerate(rate)
            out.writeframes(data)
    else:
        _encode(data, target, encoder, rate, channels, sample_width)


def _encode(
    data: bytes, target: Path, encoder: str, rate: int, channels: int, sample_width: int
) -> None:
    """Encode interleaved PCM ``data`` into ``target`` with the PyAV ``encoder``."""
    import av
    import numpy as np

    layout = "mono" if channels == 1 else "stereo"
    if channels > 2 or sample_width not in (1, 2, 3, 4):
        raise ExportError(
            f"« {target.name} » : {channels} canaux de {8 * sample_width} bits ne peuvent être "
            "encodés ; choisissez le format wav."
        )
    if sample_width == 3:  # 24-bit WAV: widen each little-endian sample to 32 bits
        packed = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.uint32)
        data = ((packed[:, 0] << 8) | (packed[:, 1] << 16) | (packed[:, 2] << 24)).tobytes()
        sample_width = 4
    dtype = {1: np.uint8, 2: np.int16, 4: np.int32}[sample_width]
    samples = np.frombuffer(data, dtype=dtype).reshape(1, -1)
    source_format = {1: "u8", 2: "s16", 4: "s32"}[sample_width]
    try:
        with av.open(str(target), "w") as container:
            stream = container.add_stream(encoder, rate=rate, layout=layout)
            assert isinstance(stream, av.audio.stream.AudioStream)  # an audio encoder was named
            frame = av.AudioFrame.from_ndarray(samples, format=source_format, layout=layout)
            frame.sample_rate, frame.pts, frame.time_base = rate, 0, Fraction(1, rate)
            resampler = av.AudioResampler(
                format=stream.codec_context.format, layout=layout, rate=rate
            )
            for converted in [*resampler.resample(frame), *resampler.resample(None)]:
                container.mux(stream.encode(converted))
            container.mux(stream.encode(None))
    except av.FFmpegError as err:
        target.unlink(missing_ok=True)
        raise ExportError(f"« {target.name} » : encodage impossible ({err}).") from err
