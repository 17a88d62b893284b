"""The assembled radio episode and its listening page, measured on the files written.

Loudness is measured by pyloudnorm on the whole WAV and on the decoded MP3; the true peak by 4×
oversampling with scipy here, independently of ``miam_qual.publication.loudness``.
"""

from __future__ import annotations

import base64
import csv
import math
import struct
import wave
from pathlib import Path

import av
import numpy as np
import pyloudnorm
import pytest
from audio_support import decode_mono, encode
from click.testing import CliRunner
from lxml import html
from scipy.signal import resample_poly
from test_publication_support import fill, validated

from miam_qual import ConfigError, ExportError, Project
from miam_qual.cli import main
from miam_qual.demo import REPO_ROOT
from miam_qual.privacy.pseudonyms import LeakError, Pseudonyms
from miam_qual.privacy.readback import readable_text
from miam_qual.publication import episode as episode_module
from miam_qual.publication import export_radio
from miam_qual.publication.loudness import Limiter, LoudnessMeter, true_peak
from miam_qual.publication.settings import load_settings

ALL = ["radio", "exposition", "rapport", "réseaux sociaux"]
TARGET = {"ebu": -23.0, "podcast": -16.0}
EPISODE_FILES = {"episode.wav", "episode.mp3", "episode_minutage.csv", "episode_minutage.xlsx",
                 "page_ecoute.html"}  # fmt: skip


def make_project(root: Path) -> Project:
    project = Project.create(root, name="Projet de test",
                             codebook=REPO_ROOT / "codebooks" / "livre_de_codes.yml")  # fmt: skip
    project.add_coder("camille")
    validated(project, fill(project), ALL)
    return project


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Float ``(frames, channels)`` samples as 16-bit PCM."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(samples.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def write_jingle(path: Path, rate: int = 44100) -> None:
    """A stereo jingle with full-scale clicks: far louder peaks than loudness, so that the
    limiter has work to do once the episode is raised to the podcast level."""
    times = np.arange(int(1.5 * rate)) / rate
    signal = 0.05 * np.sin(2 * np.pi * 660 * times)
    signal[:: rate // 8] = 1.0  # eight clicks a second
    write_wav(path, np.stack([signal, -signal], axis=1), rate)


def write_bed(path: Path, rate: int = 22050) -> None:
    """A 1 kHz bed, mono mp3 at 22.05 kHz (decoded and resampled by the montage)."""
    times = np.arange(3 * rate) / rate
    encode(path, (0.5 * np.sin(2 * np.pi * 1000 * times)).astype(np.float32), rate,
           codec="libmp3lame")  # fmt: skip


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """One project, exported with its montage once per loudness target; the podcast one with a
    jingle (stereo WAV, 44.1 kHz, clicks) and a bed (1 kHz, mp3 at 22.05 kHz)."""
    root = tmp_path_factory.mktemp("episode")
    project = make_project(root / "projet")
    made = {"ebu": root / "ebu"}
    export_radio(project, made["ebu"], montage=True, loudness="ebu")
    write_jingle(project.root / "medias" / "generique.wav")
    write_bed(project.root / "medias" / "tapis.mp3")
    (project.root / "publication.yml").write_text(
        "generique: generique.wav\ntapis: tapis.mp3\nniveau_tapis_db: -30\n"
        "silence_entre_extraits_ms: 1000\nsilence_entre_themes_ms: 2000\n",
        encoding="utf-8",
    )
    made["podcast"] = root / "podcast"
    export_radio(project, made["podcast"], montage=True, loudness="podcast")
    yield project, made
    project.close()


def read_cues(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def wav_samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as handle:
        rate, channels = handle.getframerate(), handle.getnchannels()
        data = np.frombuffer(handle.readframes(handle.getnframes()), "<i2")
    return data.reshape(-1, channels).astype(np.float64) / 32768, rate


def decoded(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        layout = stream.codec_context.layout.name
        resampler = av.AudioResampler(format="flt", layout=layout, rate=rate)
        parts = [out.to_ndarray().reshape(-1) for frame in container.decode(stream)
                 for out in resampler.resample(frame)]  # fmt: skip
    channels = 1 if layout == "mono" else 2
    return np.concatenate(parts).reshape(-1, channels).astype(np.float64), rate


def true_peak_db(samples: np.ndarray) -> float:
    fine = resample_poly(samples, 4, 1, axis=0)
    return 20 * math.log10(float(np.abs(fine).max()))


@pytest.mark.parametrize("target", ["ebu", "podcast"])
def test_loudness_and_true_peak_measured_on_the_wav_and_the_mp3(exports, target):
    _, made = exports
    for samples, rate in (wav_samples(made[target] / "episode.wav"),
                          decoded(made[target] / "episode.mp3")):  # fmt: skip
        loudness = pyloudnorm.Meter(rate).integrated_loudness(samples)
        assert abs(loudness - TARGET[target]) <= 1.0, (target, loudness)
        assert true_peak_db(samples) <= -1.0


def test_the_limiter_worked_on_the_podcast_episode_with_clicks(exports):
    """Without limiting, the jingle's clicks would go far over full scale at −16 LUFS."""
    _, made = exports
    samples, rate = wav_samples(made["podcast"] / "episode.wav")
    cues = read_cues(made["podcast"] / "episode_minutage.csv")
    jingle = cues[0]
    assert jingle["element"] == "générique" and cues[-1]["element"] == "générique"
    first, last = (int(jingle[k]) * rate // 1000 for k in ("debut_ms", "fin_ms"))
    peak = true_peak_db(samples[first:last])
    assert -3.0 < peak <= -1.0  # the clicks reach the ceiling, no further


def test_elements_follow_the_script_and_silences_lie_where_the_cue_sheet_says(exports):
    _, made = exports
    folder = made["ebu"]
    cues = read_cues(folder / "episode_minutage.csv")
    script = [c["citation"] for c in read_cues(folder / "feuille_de_montage.csv")]
    assert [c["citation"] for c in cues if c["element"] == "extrait"] == script
    assert [c["element"] for c in cues] == ["extrait", "silence"] * (len(script) - 1) + ["extrait"]
    samples, rate = wav_samples(folder / "episode.wav")
    assert len(samples) * 1000 // rate in range(
        int(cues[-1]["fin_ms"]) - 1, int(cues[-1]["fin_ms"]) + 2
    )
    for cue in cues:
        first, last = (int(cue[k]) * rate // 1000 for k in ("debut_ms", "fin_ms"))
        assert int(cue["fin_ms"]) - int(cue["debut_ms"]) == int(cue["duree_ms"])
        if cue["element"] == "silence":
            # themes change between every two quotes of this project: the longer silence
            assert int(cue["duree_ms"]) == 3000
            assert np.abs(samples[first + 5 : last - 5]).max() < 1e-3
            continue
        # the clip as the export wrote it, only louder: the same waveform at this place
        clip, clip_rate = wav_samples(folder / "extraits" / cue["fichier"])
        assert clip_rate == rate and len(clip) == last - first
        heard = samples[first:last, 0]
        match = np.dot(heard, clip[:, 0]) / (np.linalg.norm(heard) * np.linalg.norm(clip[:, 0]))
        assert match > 0.999


def test_the_bed_is_ducked_under_the_voices(exports):
    """The 1 kHz bed, measured on its own frequency: 12 dB lower under a quote than in a
    silence."""
    _, made = exports
    samples, rate = wav_samples(made["podcast"] / "episode.wav")
    mono = samples.mean(axis=1)
    cues = read_cues(made["podcast"] / "episode_minutage.csv")

    def bed_level(cue):
        first, last = (int(cue[k]) * rate // 1000 for k in ("debut_ms", "fin_ms"))
        window = mono[first + rate // 2 : last - rate // 10]  # after the ramp
        times = np.arange(len(window)) / rate
        return abs(np.dot(window, np.exp(-2j * np.pi * 1000 * times))) * 2 / len(window)

    silence = next(c for c in cues if c["element"] == "silence" and int(c["duree_ms"]) >= 2000)
    quote = next(c for c in cues if c["element"] == "extrait")
    assert bed_level(silence) > 0
    assert 20 * math.log10(bed_level(silence) / bed_level(quote)) == pytest.approx(12, abs=1)


def test_chapters_and_cue_points_at_the_quotes(exports):
    _, made = exports
    folder = made["podcast"]
    quotes = [c for c in read_cues(folder / "episode_minutage.csv") if c["element"] == "extrait"]
    with av.open(str(folder / "episode.mp3")) as container:
        chapters = container.chapters()
    assert [c["metadata"]["title"] for c in chapters] == [
        f"{c['citation']} — {c['attribution']}" for c in quotes
    ]
    for chapter, cue in zip(chapters, quotes, strict=True):
        scale = chapter["time_base"] * 1000
        assert abs(chapter["start"] * scale - int(cue["debut_ms"])) <= 1
        assert abs(chapter["end"] * scale - int(cue["fin_ms"])) <= 1
    points, labels = wav_cue_points(folder / "episode.wav")
    rate = wav_samples(folder / "episode.wav")[1]
    assert [round(p * 1000 / rate) for p in points] == [int(c["debut_ms"]) for c in quotes]
    assert labels == [f"{c['citation']} — {c['attribution']}" for c in quotes]
    # what the privacy gate reads of both files holds the chapter titles
    assert quotes[0]["attribution"] in "\n".join(
        t for _, t in readable_text(folder / "episode.mp3")
    )
    assert quotes[0]["attribution"] in "\n".join(
        t for _, t in readable_text(folder / "episode.wav")
    )


def wav_cue_points(path: Path) -> tuple[list[int], list[str]]:
    data = path.read_bytes()
    offset, points, labels = 12, [], []
    while offset + 8 <= len(data):
        kind, size = (
            data[offset : offset + 4],
            struct.unpack("<I", data[offset + 4 : offset + 8])[0],
        )
        body = data[offset + 8 : offset + 8 + size]
        if kind == b"cue ":
            count = struct.unpack("<I", body[:4])[0]
            points = [
                struct.unpack("<II4sIII", body[4 + 24 * i : 28 + 24 * i])[5] for i in range(count)
            ]
        elif kind == b"LIST" and body[:4] == b"adtl":
            inner = 4
            while inner + 8 <= len(body):
                sub, length = (
                    body[inner : inner + 4],
                    struct.unpack("<I", body[inner + 4 : inner + 8])[0],
                )
                if sub == b"labl":
                    labels.append(body[inner + 12 : inner + 8 + length].rstrip(b"\0").decode())
                inner += 8 + length + (length & 1)
        offset += 8 + size + (size & 1)
    return points, labels


def test_listening_page_has_each_quote_its_player_and_consent_and_no_real_name(exports):
    project, made = exports
    folder = made["ebu"]
    page = (folder / "page_ecoute.html").read_text(encoding="utf-8")
    tree = html.fromstring(page)
    cues = [c for c in read_cues(folder / "episode_minutage.csv") if c["element"] == "extrait"]
    articles = tree.xpath("//article")
    assert [a.get("id") for a in articles] == [c["citation"] for c in cues]
    from miam_qual.publication import list_quotes

    quotes = list_quotes(project).set_index("quote_id")
    for article, cue in zip(articles, cues, strict=True):
        text = article.text_content()
        assert quotes.loc[cue["citation"], "public_text"] in text
        assert cue["attribution"] in text
        assert "Habitante A : accord donné le" in text
        source = article.xpath(".//audio/@src")[0]
        assert source.startswith("data:audio/mpeg;base64,")
        clip = folder / "clip.mp3"
        clip.write_bytes(base64.b64decode(source.split(",", 1)[1]))
        samples, rate = decode_mono(clip)
        clip.unlink()
        assert abs(len(samples) * 1000 / rate - int(cue["duree_ms"])) < 100
    assert tree.xpath("//header//audio/@src") == ["episode.mp3"]
    assert not Pseudonyms.load(project.root).find(tree.text_content())
    assert "Josiane" not in page and "Lefebvre" not in page


def test_a_failure_midway_leaves_no_episode_file(exports, monkeypatch, tmp_path):
    project, _ = exports

    def broken(self, pcm):
        raise ExportError("encodage interrompu")

    monkeypatch.setattr(episode_module.Mp3Encoder, "_encode", broken)
    with pytest.raises(ExportError, match="encodage interrompu"):
        export_radio(project, tmp_path / "radio", montage=True)
    assert not (tmp_path / "radio").exists()


def test_a_real_name_in_a_chapter_stops_the_whole_export(exports, monkeypatch, tmp_path):
    """The gate reads the chapters and cue labels: a name there refuses everything."""
    project, _ = exports
    real = episode_module.Episode.chapters

    def leaking(self):
        return [("Josiane Lefebvre", start, end) for _title, start, end in real(self)]

    monkeypatch.setattr(episode_module.Episode, "chapters", leaking)
    target = tmp_path / "radio"
    target.mkdir()
    with pytest.raises(LeakError):
        export_radio(project, target, montage=True)
    assert list(target.iterdir()) == []


def test_a_missing_jingle_is_refused_by_name(exports, tmp_path):
    project, _ = exports
    settings = project.root / "publication.yml"
    kept = settings.read_text(encoding="utf-8")
    settings.write_text("generique: absent.mp3\n", encoding="utf-8")
    try:
        with pytest.raises(ExportError, match="« absent.mp3 » .* introuvable dans medias/"):
            export_radio(project, tmp_path / "radio", montage=True)
    finally:
        settings.write_text(kept, encoding="utf-8")
    assert not (tmp_path / "radio").exists()


def test_without_montage_no_episode_is_written(exports, tmp_path):
    project, _ = exports
    report = export_radio(project, tmp_path / "radio")
    assert not EPISODE_FILES & {f.name for f in report.files}


def test_episode_settings_are_checked(tmp_path):
    (tmp_path / "publication.yml").write_text("cible_sonie: fort\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ligne 1 .*cible_sonie.* ebu ou podcast"):
        load_settings(tmp_path)
    (tmp_path / "publication.yml").write_text("niveau_tapis_db: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="au plus 0"):
        load_settings(tmp_path)
    (tmp_path / "publication.yml").write_text(
        "cible_sonie: podcast\nsilence_entre_extraits_ms: 800\n", encoding="utf-8"
    )
    settings = load_settings(tmp_path)
    assert (settings.loudness_target, settings.gap_ms) == ("podcast", 800)


def test_streamed_loudness_equals_pyloudnorm_on_the_whole_signal():
    rate = 48000
    rng = np.random.default_rng(7)
    times = np.arange(12 * rate) / rate
    envelope = (np.sin(2 * np.pi * 0.3 * times) > -0.2) * (0.5 + 0.4 * np.sin(times))
    signal = (rng.normal(0, 0.1, (len(times), 2)) * envelope[:, None]).astype(np.float32)
    meter = LoudnessMeter(rate, 2)
    for first in range(0, len(signal), 12345):  # blocks of an awkward size
        meter.add(signal[first : first + 12345])
    reference = pyloudnorm.Meter(rate).integrated_loudness(signal.astype(np.float64))
    assert meter.integrated() == pytest.approx(reference, abs=0.02)


def test_limiter_keeps_every_true_peak_under_its_ceiling_and_every_frame():
    rate = 44100
    rng = np.random.default_rng(3)
    signal = rng.normal(0, 0.05, (5 * rate, 1)).astype(np.float32)
    signal[rate :: rate // 3] = 1.8  # overs a limiter must catch
    limiter = Limiter(rate, 1, ceiling_db=-2.0)
    out = np.concatenate([limiter.push(signal[i : i + 4000]) for i in range(0, len(signal), 4000)]
                         + [limiter.flush()])  # fmt: skip
    assert out.shape == signal.shape
    assert true_peak_db(out.astype(np.float64)) <= -2.0 + 0.05
    assert true_peak(out) == pytest.approx(true_peak_db(out.astype(np.float64)), abs=0.1)
    # far from the overs (more than twice the 5 ms look-ahead), nothing changes
    assert np.array_equal(out[: rate - rate // 50], signal[: rate - rate // 50])
    assert np.array_equal(out[rate + rate // 50 : rate + rate // 3 - rate // 50],
                          signal[rate + rate // 50 : rate + rate // 3 - rate // 50])  # fmt: skip


def test_cli_montage_writes_the_episode(exports, tmp_path):
    project, _ = exports
    runner = CliRunner()
    out = tmp_path / "radio"
    result = runner.invoke(main, ["citations", "exporter", "-p", str(project.root), "-f", "radio",
                                  "-o", str(out), "--montage", "--sonie", "podcast"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Épisode monté" in result.output and "LUFS" in result.output
    assert EPISODE_FILES <= {p.name for p in out.iterdir()}
    refused = runner.invoke(main, ["citations", "exporter", "-p", str(project.root), "-f",
                                   "tableur", "-o", str(tmp_path / "t"), "--montage"])  # fmt: skip
    assert refused.exit_code != 0 and "format radio" in refused.output
    alone = runner.invoke(main, ["citations", "exporter", "-p", str(project.root), "-f", "radio",
                                 "-o", str(tmp_path / "r"), "--sonie", "ebu"])  # fmt: skip
    assert alone.exit_code != 0 and "ajoutez --montage" in alone.output
    assert not (tmp_path / "t").exists()


def test_a_failure_while_writing_stops_the_encoder_and_leaves_nothing(
    exports, monkeypatch, tmp_path
):
    project, _ = exports

    def broken(self):
        raise ExportError("limiteur interrompu")

    monkeypatch.setattr(episode_module.Limiter, "flush", broken)
    with pytest.raises(ExportError, match="limiteur interrompu"):
        export_radio(project, tmp_path / "radio", montage=True)
    assert not (tmp_path / "radio").exists()


def test_mp3_clips_make_the_same_episode(exports, tmp_path):
    """Clips exported as mp3 are decoded for the montage: same order, lengths within an mp3
    frame's padding, and the loudness on target."""
    project, made = exports
    (project.root / "publication.yml").rename(project.root / "publication.yml.bak")
    try:
        export_radio(project, tmp_path / "mp3", audio_format="mp3", montage=True, loudness="ebu")
    finally:
        (project.root / "publication.yml.bak").rename(project.root / "publication.yml")
    wav_cues = read_cues(made["ebu"] / "episode_minutage.csv")
    mp3_cues = read_cues(tmp_path / "mp3" / "episode_minutage.csv")
    assert [c["citation"] for c in mp3_cues] == [c["citation"] for c in wav_cues]
    for ours, reference in zip(mp3_cues, wav_cues, strict=True):
        assert abs(int(ours["duree_ms"]) - int(reference["duree_ms"])) <= 30
    samples, rate = wav_samples(tmp_path / "mp3" / "episode.wav")
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(samples) + 23) <= 1.0
