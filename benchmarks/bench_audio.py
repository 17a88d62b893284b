"""Clips from a long compressed recording: time and memory do not grow with the clip's position.

    .venv/bin/python benchmarks/bench_audio.py [MINUTES]

Encodes a recording of MINUTES (default 30) with PyAV, as m4a (AAC) and as mp3: a 440 Hz tone
sounding one second in every ten. Then, in a fresh process per format (so that its peak memory is
its own), cuts three 20-second clips near the start, the middle and the end, and prints the time
of each cut and the process's peak memory before and after cutting. Decoding is streamed (seek,
then decode only what a clip needs), so a cut near the end costs about what one near the start
does, and memory stays far below the size of the decoded recording. Prints figures, asserts
nothing.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from miam_qual.publication.media import Clip, cut_clips

RATE = 16_000
CHUNK_S = 10


def encode(path: Path, minutes: int, codec: str) -> None:
    """A mono recording of ``minutes``: one second of tone in every ten, written chunk by chunk."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=RATE, layout="mono")
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout="mono", rate=RATE
        )
        times = np.arange(CHUNK_S * RATE) / RATE
        chunk = np.where(times < 1, 0.4 * np.sin(2 * np.pi * 440 * times), 0).astype(np.float32)
        for index in range(minutes * 60 // CHUNK_S):
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="fltp", layout="mono")
            frame.sample_rate, frame.time_base = RATE, Fraction(1, RATE)
            frame.pts = index * len(chunk)
            for converted in resampler.resample(frame):
                out.mux(stream.encode(converted))
        out.mux(stream.encode(None))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cut(recording: Path, minutes: int) -> None:
    """Run in its own process: three clips, timed, and the peak memory around them."""
    import miam_qual.publication.media  # noqa: F401 (imports before the first measure)

    before = peak_mb()
    places = (("au début", 60), ("au milieu", minutes * 30), ("à la fin", minutes * 60 - 40))
    for index, (label, at_s) in enumerate(places):
        clip = Clip(recording, at_s * 1000, (at_s + 20) * 1000, recording.with_name(f"{index}.wav"))
        started = time.perf_counter()
        cut_clips([clip])
        elapsed = time.perf_counter() - started
        print(f"  extrait de 20 s {label:<9} ({at_s // 60:3d} min) : {elapsed * 1000:6.0f} ms")
    decoded_mb = minutes * 60 * RATE * 2 / 1024 / 1024
    print(f"  mémoire de pointe : {before:.0f} Mo avant, {peak_mb():.0f} Mo après les extraits "
          f"(l'enregistrement décodé ferait {decoded_mb:.0f} Mo)")  # fmt: skip


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--couper":
        cut(Path(sys.argv[2]), int(sys.argv[3]))
        return
    each_format(int(sys.argv[1]) if len(sys.argv) > 1 else 30, __file__, "--couper")


def each_format(minutes: int, script: str, flag: str) -> None:
    """Encode a recording of ``minutes`` as m4a then as mp3 and, for each, run ``script flag
    recording minutes`` in a fresh process (so that its peak memory is its own)."""
    with tempfile.TemporaryDirectory(prefix="bench_audio_") as tmp:
        for suffix, codec in (("m4a", "aac"), ("mp3", "libmp3lame")):
            recording = Path(tmp) / f"entretien.{suffix}"
            started = time.perf_counter()
            encode(recording, minutes, codec)
            size_mb = recording.stat().st_size / 1024 / 1024
            print(f"{suffix} de {minutes} min ({size_mb:.1f} Mo) encodé en "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip
            subprocess.run([sys.executable, script, flag, str(recording), str(minutes)],
                           check=True)  # fmt: skip


if __name__ == "__main__":
    main()
