"""Benchmark of the radio episode: a 30-minute episode from 200 clips, assembled and normalised.

    python benchmarks/bench_episode.py [stéréo]

Writes 200 speech-like clips (44.1 kHz mono WAV, about 8 s each, a few sharp peaks for the
limiter) in a temporary folder, then assembles them as ``export_radio(…, montage=True)`` does
(``episode.assemble_episode``): silences, loudness measured, WAV written through the limiter,
measured again, MP3 with chapters, cue sheet. With ``stéréo``, a stereo jingle and bed are added
(the episode becomes stereo). Then encodes the listening page's 200 players. Prints the time of each step and the process's peak memory;
asserts nothing. Targets (issue 10): < 30 s, < 500 MB.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
import pandas as pd

from miam_qual.publication import episode
from miam_qual.publication.listening import clip_mp3
from miam_qual.publication.settings import PublicationSettings

RATE, CLIPS, THEMES = 44_100, 200, 5


def speech_like(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Noise shaped by syllables (4 a second) with pauses, and two sharp peaks."""
    frames = int(seconds * RATE)
    times = np.arange(frames) / RATE
    syllables = np.clip(np.sin(2 * np.pi * 4 * times + rng.uniform(0, 6)), 0, None)
    pauses = np.sin(2 * np.pi * 0.4 * times + rng.uniform(0, 6)) > -0.6
    voice = rng.normal(0, 0.08, frames) * syllables * pauses
    voice[rng.integers(0, frames, 2)] = 0.9
    return voice


def write_wav(path: Path, samples: np.ndarray, channels: int = 1) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main(argv: list[str]) -> None:
    stereo = bool(argv) and argv[0].startswith("st")
    rng = np.random.default_rng(0)
    root = Path(tempfile.mkdtemp(prefix="miam_bench_episode_"))
    try:
        run(root, stereo, rng)
    finally:
        shutil.rmtree(root, ignore_errors=True)  # half an hour of WAV and its clips


def run(root: Path, stereo: bool, rng: np.random.Generator) -> None:
    (root / "extraits").mkdir()
    media = root / "medias"
    media.mkdir()
    rows = []
    for number in range(1, CLIPS + 1):
        name = f"C{number:03d}.wav"
        write_wav(root / "extraits" / name, speech_like(rng.uniform(7.0, 9.0), rng))
        theme = f"Thème {1 + (number - 1) * THEMES // CLIPS}"
        rows.append([f"C{number:03d}", theme, name, "Habitante, 30-39 ans, cité"])
    cues = pd.DataFrame(rows, columns=["citation", "theme", "fichier_extrait", "attribution"])
    settings = PublicationSettings(gap_ms=1000, theme_gap_ms=3000)
    if stereo:
        music = np.stack([speech_like(6, rng), speech_like(6, rng)], axis=1).reshape(-1)
        write_wav(media / "generique.wav", music, channels=2)
        write_wav(media / "tapis.wav", music, channels=2)
        settings.jingle, settings.bed = "generique.wav", "tapis.wav"
    before = megabytes()
    encoders: list[episode.Mp3Encoder] = []
    opened = episode.Mp3Encoder.__init__

    def remembered(self, *args, **kwargs):
        opened(self, *args, **kwargs)
        encoders.append(self)

    episode.Mp3Encoder.__init__ = remembered
    started, cpu = time.perf_counter(), time.process_time()
    made = episode.assemble_episode(root, cues, media, settings, target="ebu")
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    kind = "stéréo, générique et tapis" if stereo else "mono"
    print(f"épisode de {made.duration_ms / 60000:.1f} min, {CLIPS} extraits, {kind}, "
          f"{made.rate} Hz × {made.channels}")  # fmt: skip
    print(
        f"sonie {made.loudness_lufs:.2f} LUFS (cible −23), crête vraie {made.true_peak_db:.2f} dBTP"
    )
    print(f"assemblage, normalisation, WAV, MP3, minutage : {total:6.2f} s (objectif < 30 s)")
    lame = sum(e.cpu_s for e in encoders)
    print(f"  temps de calcul (tous les fils)              : {cpu:6.2f} s")
    print(f"  dont encodage MP3 (LAME, dans son fil)       : {lame:6.2f} s")
    print(f"  le reste (montage, sonie, limiteur, WAV)     : {cpu - lame:6.2f} s")
    started = time.perf_counter()
    with wave.open(str(root / episode.WAV_NAME), "rb") as wav:
        page_bytes = 0
        for part in (p for p in made.parts if p.kind == episode.CLIP):
            wav.setpos(part.start)
            pcm = np.frombuffer(wav.readframes(part.frames), "<i2")
            page_bytes += len(clip_mp3(pcm, made.rate, made.channels))
    print(f"lecteurs de la page d'écoute ({CLIPS} MP3)       : {time.perf_counter() - started:6.2f} s, "
          f"{page_bytes * 4 / 3 / 2**20:.1f} Mo dans la page")  # fmt: skip
    print(f"mémoire maximale du processus : {megabytes():.0f} Mo (avant le montage : {before:.0f} Mo ;"
          " objectif < 500 Mo)")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
