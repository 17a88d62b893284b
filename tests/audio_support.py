"""Audio helpers for the tests (no tests here): write compressed recordings with PyAV at test
time, and measure where a tone sounds in a file by decoding it and computing RMS energy.

The helpers talk to PyAV directly, not through ``miam_qual.publication.media``, so that the
code under test never checks itself.
"""

from __future__ import annotations

import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

TONE_HZ = 440


def tone(total_ms: int, spans_ms: list[tuple[int, int]], rate: int) -> np.ndarray:
    """Mono float32 signal of ``total_ms``: a 440 Hz tone during ``spans_ms``, silence elsewhere."""
    times = np.arange(total_ms * rate // 1000) / rate
    signal = np.zeros(len(times), dtype=np.float32)
    for begin, end in spans_ms:
        inside = (times >= begin / 1000) & (times < end / 1000)
        signal[inside] = 0.4 * np.sin(2 * np.pi * TONE_HZ * times[inside])
    return signal


def encode(
    path: Path,
    signal: np.ndarray,
    rate: int,
    *,
    codec: str,
    channels: int = 1,
    container_format: str | None = None,
    with_video: bool = False,
) -> Path:
    """Encode a mono float signal (copied to every channel) with the PyAV ``codec``.

    ``with_video`` adds a small video track before the audio one (an mp4 « film »), so that the
    audio is not the container's first stream.
    """
    layout = "mono" if channels == 1 else "stereo"
    with av.open(str(path), "w", format=container_format) as out:
        video = None
        if with_video:
            video = out.add_stream("mpeg4", rate=5)
            video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream(codec, rate=rate, layout=layout)
        resampler = av.AudioResampler(
            format=audio.codec_context.format.name, layout=layout, rate=rate
        )
        step = rate // 5  # 200 ms of sound per chunk, one video frame per chunk
        for index, begin in enumerate(range(0, len(signal), step)):
            chunk = np.tile(signal[begin : begin + step], (channels, 1))
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate, frame.pts, frame.time_base = rate, begin, Fraction(1, rate)
            for converted in resampler.resample(frame):
                out.mux(audio.encode(converted))
            if video is not None:
                picture = np.full((48, 64, 3), (index * 7) % 255, dtype=np.uint8)
                image = av.VideoFrame.from_ndarray(picture, format="rgb24")
                image.pts = index
                out.mux(video.encode(image))
        for converted in resampler.resample(None):
            out.mux(audio.encode(converted))
        out.mux(audio.encode(None))
        if video is not None:
            out.mux(video.encode(None))
    return path


def transcode_wav(wav: Path, target: Path, *, codec: str) -> Path:
    """Re-encode a 16-bit PCM WAV into ``target`` with the PyAV ``codec``."""
    with wave.open(str(wav), "rb") as handle:
        rate, channels = handle.getframerate(), handle.getnchannels()
        samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    mono = samples.reshape(-1, channels).mean(axis=1).astype(np.float32) / 32768
    return encode(target, mono, rate, codec=codec, channels=channels)


def decode_mono(path: Path) -> tuple[np.ndarray, int]:
    """Every sample of the first audio track, mixed to mono float, and the rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        parts = [
            out.to_ndarray().reshape(-1)
            for frame in container.decode(stream)
            for out in resampler.resample(frame)
        ]
    return np.concatenate(parts), rate


def duration_ms(path: Path) -> float:
    samples, rate = decode_mono(path)
    return len(samples) * 1000 / rate


def tone_edges(path: Path, *, window_ms: int = 5) -> list[int]:
    """Times (ms) where the sound switches on or off: RMS per window against 10 % of the peak.

    A file that starts with sound does not report an edge at 0.
    """
    samples, rate = decode_mono(path)
    width = rate * window_ms // 1000
    count = len(samples) // width
    rms = np.sqrt((samples[: count * width].reshape(count, width) ** 2).mean(axis=1))
    loud = rms > 0.1 * rms.max()
    # a window is ``width`` samples: at 44.1 kHz that is not a whole number of milliseconds
    return [round(i * width * 1000 / rate) for i in np.flatnonzero(np.diff(loud.astype(int))) + 1]


def loud_at(path: Path, at_ms: int, *, window_ms: int = 20) -> bool:
    """Whether the window starting at ``at_ms`` holds sound (RMS above 0.01 of full scale)."""
    samples, rate = decode_mono(path)
    first = at_ms * rate // 1000
    window = samples[first : first + window_ms * rate // 1000]
    return bool(len(window)) and float(np.sqrt((window**2).mean())) > 0.01
