"""The files of the episode: cue points in the WAV, and the MP3 with its chapters.

``add_wav_cues`` appends to a written WAV a ``cue `` chunk (a point at each quote) and a
``LIST``/``adtl`` chunk with each point's label and length, as audio editors read them.
``Mp3Encoder`` encodes the episode's 16-bit blocks as they are written, in a thread of its own,
into an MP3 whose ID3 tag holds a chapter (``CHAP``, with a ``CTOC``) at each quote, as PyAV's
MP3 muxer writes them from the container's chapters.
"""

from __future__ import annotations

import queue
import struct
import threading
import time
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ExportError

if TYPE_CHECKING:
    from .episode import Episode

#: LAME's quality 7 ("fast, good enough"): a third quicker than its default, for a draft episode
#: whose master is the WAV.
MP3_OPTIONS = {"compression_level": "7"}


def add_wav_cues(path: Path, chapters: list[tuple[str, int, int]]) -> None:
    """Append a ``cue `` chunk (a point at each quote) and a ``LIST``/``adtl`` chunk with each
    point's label (``labl``) and length (``ltxt``), then fix the RIFF size."""
    if not chapters:
        return
    points = b"".join(
        struct.pack("<II4sIII", n, start, b"data", 0, 0, start)
        for n, (_title, start, _end) in enumerate(chapters, start=1)
    )
    cue = struct.pack("<I", len(chapters)) + points
    labels = b"adtl"
    for n, (title, start, end) in enumerate(chapters, start=1):
        text = title.encode("utf-8") + b"\0"
        labels += _chunk(b"labl", struct.pack("<I", n) + text)
        labels += _chunk(b"ltxt", struct.pack("<II4sHHHH", n, end - start, b"rgn ", 0, 0, 0, 0))
    with open(path, "r+b") as handle:
        handle.seek(0, 2)
        handle.write(_chunk(b"cue ", cue) + _chunk(b"LIST", labels))
        size = handle.tell() - 8
        handle.seek(4)
        handle.write(struct.pack("<I", size))


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) & 1 else b"")


class Mp3Encoder:
    """Encodes the 16-bit blocks of the written WAV into the MP3 (128 kbit/s stereo, 96 mono)
    with its ID3 chapters, in a thread of its own: LAME is the slowest step of the montage and
    PyAV lets go of the interpreter while it encodes, so it runs beside the rendering.

    ``write`` hands a block over; ``close`` waits for the end and raises ``ExportError`` if the
    encoding failed; ``abort`` stops and removes the file."""

    def __init__(self, path: Path, episode: Episode, title: str):
        import av

        self.path, self._channels, self._rate = path, episode.channels, episode.rate
        self._layout = "mono" if episode.channels == 1 else "stereo"
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._stopped = False
        self._position = 0
        self.cpu_s = 0.0  # processor time the encoding took (benchmarks)
        try:
            self._container = av.open(str(path), "w")
            self._container.metadata["title"] = title
            self._container.set_chapters([
                {"id": n, "start": episode.ms(start), "end": episode.ms(end),
                 "time_base": Fraction(1, 1000), "metadata": {"title": name}}
                for n, (name, start, end) in enumerate(episode.chapters(), start=1)
            ])  # fmt: skip
            stream = self._container.add_stream("libmp3lame", rate=self._rate,
                                                layout=self._layout, options=MP3_OPTIONS)  # fmt: skip
            assert isinstance(stream, av.audio.stream.AudioStream)  # an audio encoder was named
            stream.bit_rate = 96_000 if episode.channels == 1 else 128_000
            self._stream = stream
            self._resampler = av.AudioResampler(format=stream.codec_context.format,
                                                layout=self._layout, rate=self._rate)  # fmt: skip
        except av.FFmpegError as err:
            raise ExportError(f"« {path.name} » : encodage impossible ({err}).") from err
        self._thread = threading.Thread(target=self._run, name="miam-mp3", daemon=True)
        self._thread.start()

    def write(self, pcm: np.ndarray) -> None:
        if len(pcm):
            self._queue.put(pcm)

    def _run(self) -> None:
        started = time.thread_time()
        while (pcm := self._queue.get()) is not None:
            if self._error is None and not self._stopped:
                try:
                    self._encode(pcm)
                except BaseException as err:  # reported by ``close``; keep draining the queue
                    self._error = err
        if self._error is None and not self._stopped:
            try:
                self._encode(None)
            except BaseException as err:
                self._error = err
        self.cpu_s = time.thread_time() - started

    def _encode(self, pcm: np.ndarray | None) -> None:
        import av

        if pcm is None:
            frames = self._resampler.resample(None)
        else:
            frame = av.AudioFrame.from_ndarray(
                pcm.reshape(1, -1), format="s16", layout=self._layout
            )
            frame.sample_rate, frame.pts = self._rate, self._position
            frame.time_base = Fraction(1, self._rate)
            self._position += len(pcm)
            frames = self._resampler.resample(frame)
        for converted in frames:
            self._container.mux(self._stream.encode(converted))
        if pcm is None:
            self._container.mux(self._stream.encode(None))

    def close(self) -> None:
        import av

        self._queue.put(None)
        self._thread.join()
        try:
            self._container.close()
        except av.FFmpegError as err:
            self._error = self._error or err
        if self._error is not None:
            self.path.unlink(missing_ok=True)
            if isinstance(self._error, ExportError):
                raise self._error
            raise ExportError(
                f"« {self.path.name} » : encodage impossible ({self._error})."
            ) from self._error

    def abort(self) -> None:
        self._stopped = True
        self._queue.put(None)
        self._thread.join()
        try:
            self._container.close()
        except Exception:  # the file is removed anyway
            pass
        self.path.unlink(missing_ok=True)
