"""First sound when listening to a one-hour recording: the window decoded and encoded as WAV.

    .venv/bin/python benchmarks/bench_listen.py [MINUTES]

Encodes a recording of MINUTES (default 60) as m4a (AAC) and as mp3 with PyAV (the encoder of
``bench_audio.py``: a 440 Hz tone one second in every ten). Then, in a fresh process per format
(so that its peak memory is its own), plays as ``ListenPanel`` does: opens the recording and
decodes the first, short window (``FIRST_WINDOW_MS``) at the start, the middle and the end — the
time from the request to WAV bytes ready to send is the first sound, target < 300 ms — then the
next, longer windows (``WINDOW_MS``) that follow while it plays; and a second play in the same
recording, which the panel keeps open (an mp3 has no index: FFmpeg learns one while seeking, so
the first seek far into it costs the most). Prints figures, asserts nothing.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from bench_audio import each_format

from miam_qual.widgets.listen import FIRST_WINDOW_MS, WINDOW_MS, Recording


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def listen(recording: Path, minutes: int) -> None:
    """Run in its own process: first sound at three places, then the following windows."""
    before = peak_mb()
    places = (("au début", 60), ("au milieu", minutes * 30), ("à la fin", minutes * 60 - 40))
    for label, at_s in places:
        started = time.perf_counter()
        with Recording(recording) as opened:
            window = opened.window(at_s * 1000, FIRST_WINDOW_MS)
            first = time.perf_counter() - started
            assert window is not None
            size_kb = len(window.wav) / 1024
            following = []
            begin = window.end_ms
            for _ in range(2):
                started = time.perf_counter()
                found = opened.window(begin, WINDOW_MS)
                following.append(time.perf_counter() - started)
                if found is None:
                    break
                begin = found.end_ms
        print(f"  premier son {label:<9} ({at_s // 60:3d} min) : {first * 1000:5.0f} ms "
              f"({FIRST_WINDOW_MS // 1000} s, {size_kb:.0f} Ko) ; fenêtres suivantes de "
              f"{WINDOW_MS // 1000} s : " + ", ".join(f"{t * 1000:.0f} ms" for t in following))  # fmt: skip
    with Recording(recording) as opened:  # as the panel keeps it between two plays
        opened.window((minutes * 60 - 40) * 1000, FIRST_WINDOW_MS)
        started = time.perf_counter()
        opened.window(minutes * 30_000, FIRST_WINDOW_MS)
        again = time.perf_counter() - started
    print(
        f"  premier son d'une deuxième écoute, enregistrement déjà ouvert : {again * 1000:.0f} ms"
    )
    print(f"  mémoire de pointe : {before:.0f} Mo avant, {peak_mb():.0f} Mo après l'écoute")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--ecouter":
        listen(Path(sys.argv[2]), int(sys.argv[3]))
        return
    each_format(int(sys.argv[1]) if len(sys.argv) > 1 else 60, __file__, "--ecouter")


if __name__ == "__main__":
    main()
