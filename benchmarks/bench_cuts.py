"""Clean cuts from a long compressed recording: snapping, splicing and fades, timed.

    .venv/bin/python benchmarks/bench_cuts.py [MINUTES] [CLIPS]

Encodes a recording of MINUTES (default 60) as m4a (AAC, 44.1 kHz mono) with PyAV: speech-like
bursts (noise modulated at a syllable rate, -20 dBFS) separated by pauses of 300 ms, over a
faint background. Then, in a fresh process (so that its peak memory is its own), plans and
writes CLIPS (default 40) clean clips of about 22 s spread over the recording, every boundary
falling mid-word near a pause, one clip in four with a ``[…]`` splice; prints the time of
the planning (pauses found around each boundary), of the writing, the clips cut in pauses and
the process's peak memory. Prints figures, asserts nothing.
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

RATE = 44_100
CHUNK_MS = 10_000
#: Speech bursts inside every 10 s chunk (ms): pauses of 300 ms between them.
BURSTS = ((0, 3_000), (3_300, 6_200), (6_500, 9_700))


def encode(path: Path, minutes: int) -> None:
    """A mono m4a of ``minutes``, written chunk by chunk (the same 10 s pattern throughout)."""
    rng = np.random.default_rng(3)
    count = CHUNK_MS * RATE // 1000
    times = np.arange(count) / RATE
    chunk = rng.normal(0, 10 ** (-65 / 20), count)
    for begin, end in BURSTS:
        inside = slice(begin * RATE // 1000, end * RATE // 1000)
        envelope = 0.75 + 0.25 * np.sin(2 * np.pi * 4 * times[inside])
        chunk[inside] = rng.normal(0, 0.1, inside.stop - inside.start) * envelope
    chunk = np.clip(chunk, -1, 1).astype(np.float32).reshape(1, -1)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=RATE, layout="mono")
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout="mono", rate=RATE
        )
        for index in range(minutes * 60_000 // CHUNK_MS):
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate, frame.time_base = RATE, Fraction(1, RATE)
            frame.pts = index * count
            for converted in resampler.resample(frame):
                out.mux(stream.encode(converted))
        out.mux(stream.encode(None))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cut(recording: Path, minutes: int, count: int) -> None:
    """Run in its own process: plan and write ``count`` clips, timed, with the peak memory."""
    from miam_qual.publication.cuts import CleanClip, plan_clip, write_clip
    from miam_qual.publication.media import open_recording

    before = peak_mb()
    step = (minutes * 60_000 - 40_000) // count
    clips = []
    for index in range(count):
        # every target (padding included) lies mid-word, 190 ms from a pause's landing point
        chunk = 10_000 + index * step // CHUNK_MS * CHUNK_MS
        begin, end = chunk + 3_700, chunk + 25_800
        pieces = [(begin, end)]
        if index % 4 == 0:  # a […] cut removing about 3.7 s
            pieces = [(begin, chunk + 9_550), (chunk + 13_450, end)]
        clips.append(CleanClip(recording, recording.with_name(f"{index:02d}.wav"), pieces))
    reader = open_recording(recording)
    cpu = time.process_time()
    started = time.perf_counter()
    for clip in clips:
        plan_clip(reader, clip, padding_ms=250, snap_ms=400)
    planned = time.perf_counter()
    for clip in clips:
        write_clip(reader, clip)
    written = time.perf_counter()
    reader.close()
    clean = sum(clip.clean for clip in clips)
    total_s = sum(clip.written_duration_ms for clip in clips) / 1000
    print(f"  {count} extraits ({total_s:.0f} s de son, {sum(len(c.cuts) > 1 for c in clips)} "
          f"avec une coupe […]) : calage {planned - started:.2f} s, écriture "
          f"{written - planned:.2f} s, total {written - started:.2f} s")  # fmt: skip
    print(f"  temps processeur : {time.process_time() - cpu:.2f} s (la machine partagée peut "
          "allonger le temps écoulé)")  # fmt: skip
    print(f"  coupes dans une pause : {clean}/{count} extraits")
    decoded_mb = minutes * 60 * RATE * 2 / 1024 / 1024
    print(f"  mémoire de pointe : {before:.0f} Mo avant, {peak_mb():.0f} Mo après les extraits "
          f"(l'enregistrement décodé ferait {decoded_mb:.0f} Mo)")  # fmt: skip


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--couper":
        cut(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    minutes = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    with tempfile.TemporaryDirectory(prefix="bench_cuts_") as tmp:
        recording = Path(tmp) / "entretien.m4a"
        started = time.perf_counter()
        encode(recording, minutes)
        size_mb = recording.stat().st_size / 1024 / 1024
        print(f"m4a de {minutes} min ({size_mb:.1f} Mo) encodé en "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        subprocess.run([sys.executable, __file__, "--couper", str(recording), str(minutes),
                        str(count)], check=True)  # fmt: skip


if __name__ == "__main__":
    main()
