"""Listening while coding: windows of sound decoded on demand from real recordings (m4a, mp3,
ogg, wav), the tone measured where the timecodes say; the time → cue mapping drawn in the coding
panel; French refusals; a one-hour recording decoded one window at a time (memory and bytes read
measured)."""

from __future__ import annotations

import time
import tracemalloc
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from audio_support import encode, tone, tone_edges

from miam_qual import ExportError, Project
from miam_qual.widgets import CodingPanel, Listening, ListenPanel
from miam_qual.widgets.listen import FIRST_WINDOW_MS, LISTEN_RATE, Recording

TOTAL_MS = 60_000
BURSTS = [(2_000, 5_000), (9_000, 12_000), (50_000, 52_000)]
RECORDINGS = {
    # name: (codec, rate, channels)
    "telephone.m4a": ("aac", 44_100, 2),
    "dictaphone.mp3": ("libmp3lame", 22_050, 1),
    "messagerie.ogg": ("libopus", 48_000, 1),
    "enregistreur.wav": ("pcm_s16le", 16_000, 1),
    "studio.wav": ("pcm_s16le", 48_000, 2),
}


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ecoute")
    return {
        name: encode(
            folder / name, tone(TOTAL_MS, BURSTS, rate), rate, codec=codec, channels=channels
        )  # fmt: skip
        for name, (codec, rate, channels) in RECORDINGS.items()
    }


def saved(window, path: Path) -> Path:
    path.write_bytes(window.wav)
    return path


def wav_frames(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path)) as handle:
        return handle.getnframes(), handle.getframerate(), handle.getnchannels()


@pytest.mark.parametrize("name", list(RECORDINGS))
def test_windows_hold_the_tone_where_it_is(recordings, name, tmp_path):
    with Recording(recordings[name]) as recording:
        assert abs(recording.duration_ms - TOTAL_MS) <= 100
        late = recording.window(49_000, 4_000)  # late first: the next one must seek back
        middle = recording.window(8_000, 5_000)
    assert late is not None and middle is not None
    assert (middle.begin_ms, middle.end_ms, middle.last) == (8_000, 13_000, False)
    frames, rate, channels = wav_frames(saved(middle, tmp_path / "milieu.wav"))
    assert (frames, rate, channels) == (5 * LISTEN_RATE, LISTEN_RATE, 1)
    # the burst 9 s → 12 s sounds 1 s → 4 s into the window; 50 s → 52 s, 1 s → 3 s into the other
    edges = tone_edges(tmp_path / "milieu.wav")
    assert len(edges) == 2 and abs(edges[0] - 1_000) <= 40 and abs(edges[1] - 4_000) <= 40
    edges = tone_edges(saved(late, tmp_path / "tard.wav"))
    assert len(edges) == 2 and abs(edges[0] - 1_000) <= 40 and abs(edges[1] - 3_000) <= 40


def test_the_last_window_is_short_and_flagged_and_past_the_end_there_is_none(recordings):
    with Recording(recordings["telephone.m4a"]) as recording:
        last = recording.window(58_000, 30_000)
        assert last is not None and last.last
        assert abs(last.end_ms - TOTAL_MS) <= 30
        assert recording.window(61_000) is None
    with Recording(recordings["enregistreur.wav"]) as recording:
        to_the_end = recording.window(50_000, 10_000)  # ends exactly with the file
        assert to_the_end is not None and to_the_end.last and to_the_end.end_ms == TOTAL_MS
        assert recording.window(60_000) is None


def test_missing_and_unreadable_recordings_are_refused_in_french(tmp_path):
    with pytest.raises(ExportError, match="Enregistrement introuvable"):
        Recording(tmp_path / "absent.m4a")
    fake = tmp_path / "faux.m4a"
    fake.write_text("pas du son", encoding="utf-8")
    with pytest.raises(ExportError, match="illisible"):
        Recording(fake)


# -- a one-hour recording ----------------------------------------------------------------------
PERIOD_S = 64  # 1000 AAC frames of 1024 samples at 16 kHz: copies join without a gap
HOUR_BURST = (20_000, 23_000)


def hour_long_m4a(folder: Path) -> Path:
    """About an hour of AAC (57 × 64 s) in an m4a, made in about a second: 64 s of quiet noise with
    a tone burst are encoded once, then their packets are written 57 times with shifted times."""
    rate = 16_000
    rng = np.random.default_rng(1)
    signal = tone(PERIOD_S * 1000, [HOUR_BURST], rate) + rng.normal(0, 0.01, PERIOD_S * rate)
    period = encode(folder / "periode.m4a", signal.astype(np.float32), rate, codec="aac")
    target = folder / "une_heure.m4a"
    with av.open(str(period)) as source:
        stream = source.streams.audio[0]
        assert stream.time_base == Fraction(1, rate)
        span = PERIOD_S * rate
        packets = [
            p for p in source.demux(stream) if p.size and p.pts is not None and 0 <= p.pts < span
        ]
        with av.open(str(target), "w") as out:
            copy = out.add_stream_from_template(stream)
            for index in range(57):
                for packet in packets:
                    moved = av.Packet(bytes(packet))
                    moved.pts = moved.dts = packet.pts + index * span
                    moved.duration, moved.time_base, moved.stream = (
                        packet.duration,
                        stream.time_base,
                        copy,
                    )
                    out.mux(moved)
    return target


def bytes_read() -> int:
    """Bytes this process read through system calls so far (Linux ``/proc/self/io``)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("rchar absent de /proc/self/io")


def test_a_one_hour_recording_is_decoded_one_window_at_a_time(tmp_path):
    recording_path = hour_long_m4a(tmp_path)
    size = recording_path.stat().st_size
    assert size > 10_000_000  # the noise keeps the file as big as a real interview
    at = 56 * PERIOD_S * 1000 + HOUR_BURST[0] - 1_000  # 59:45, a second before the last burst
    read_before = bytes_read()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with Recording(recording_path) as recording:
            assert abs(recording.duration_ms - 57 * PERIOD_S * 1000) <= 100
            window = recording.window(at, FIRST_WINDOW_MS)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    read = bytes_read() - read_before
    assert window is not None and window.end_ms - window.begin_ms == FIRST_WINDOW_MS
    # an hour decoded at 16 kHz would be 115 MB, the file itself is over 10 MB
    assert peak < 5_000_000, peak
    assert read < size / 5, (read, size)
    assert elapsed < 2.0  # about 20 ms on a quiet machine (benchmarks/bench_listen.py)
    edges = tone_edges(saved(window, tmp_path / "fenetre.wav"))
    assert len(edges) == 2 and abs(edges[0] - 1_000) <= 40 and abs(edges[1] - 4_000) <= 40


# -- the demo: a coding panel and its listening panel -------------------------------------------
def open_on(project: Project, name: str) -> CodingPanel:
    panel = CodingPanel(project, "stagiaire")
    panel.session.open(name)
    panel.push()
    return panel


def loud(window) -> float:
    with wave.open(__import__("io").BytesIO(window.wav)) as handle:
        samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2") / 32768
    return float(np.sqrt((samples**2).mean()))


def test_the_selection_plays_from_its_time_and_the_cue_heard_is_drawn(demo_project):
    panel = open_on(demo_project, "temoignage_01.vtt")
    listening = Listening(demo_project, panel)
    cues = demo_project.timecodes("temoignage_01.vtt")
    first, second = cues.iloc[0], cues.iloc[1]
    panel.session.select(int(second["start"]), int(second["end"]))
    start, end = panel.session.selection
    begin, stop = demo_project.span_times("temoignage_01.vtt", start, end)
    assert listening.play_selection() == begin
    assert listening.stop_ms == stop
    window = listening.window(begin)
    assert window is not None and window.begin_ms == begin
    assert window.end_ms == stop and loud(window) > 0.05  # the stand-in tone sounds during cues
    # the gap between the first two cues is silent in the stand-in recording
    gap = listening.play_at(int(first["end_ms"]) + 20)
    silence = listening.window(gap, int(second["begin_ms"]) - gap - 40)
    assert silence is not None and loud(silence) < 0.01
    # time → cue: inside a cue, in the gap after it (still that cue), before the first (none)
    assert listening.heard(int(second["begin_ms"]) + 10) == (
        int(second["start"]),
        int(second["end"]),
    )
    assert panel.playing == [int(second["start"]), int(second["end"])]
    assert listening.cue_at(int(first["end_ms"]) + 50) == 0
    assert listening.heard(int(first["begin_ms"]) - 1) is None and panel.playing == []
    # « à partir d'ici »: the cue holding the place clicked
    panel.session.point(int(second["start"]) + 3)
    assert listening.play_from_here() == int(second["begin_ms"])
    assert listening.play_cue(1) == int(second["begin_ms"]) and listening.stop_ms is None


def test_refusals_are_french_sentences_and_nothing_breaks(demo_project):
    panel = open_on(demo_project, "entretien_centre_social.txt")
    listening = Listening(demo_project, panel)
    panel.session.select(0, 20)
    assert listening.play_selection() is None
    assert "n'a pas d'enregistrement associé" in listening.status
    assert listening.status_level == "erreur"
    panel.session.open("temoignage_02.vtt")
    recording = demo_project.root / "medias" / "temoignage_02.wav"
    duration = Recording(recording).duration_ms
    assert listening.play_at(duration + 5_000) is None
    assert "dépasse la fin de l'enregistrement temoignage_02.wav" in listening.status
    recording.write_bytes(b"RIFF pas vraiment")
    listening.close()
    assert listening.play_at(0) is None and "illisible" in listening.status
    recording.unlink()
    assert listening.play_at(0) is None
    assert "Enregistrement introuvable : medias/temoignage_02.wav" in listening.status
    nothing = Listening(demo_project)
    assert nothing.play_selection() is None and "Sélectionnez d'abord" in nothing.status


def test_the_panel_streams_windows_and_follows_the_coding_panel(demo_project):
    panel = open_on(demo_project, "temoignage_01.vtt")
    listen = ListenPanel(demo_project, panel)
    sent: list[tuple[dict, list]] = []
    listen.send = lambda content, buffers=None: sent.append((content, buffers or []))  # type: ignore[method-assign]
    assert listen.info["media"] == "temoignage_01.wav" and len(listen.cues) == len(
        demo_project.timecodes("temoignage_01.vtt")
    )
    listen._on_message(None, {"action": "cue", "index": 2}, None)
    content, buffers = sent[-1]
    assert (
        content["kind"] == "window"
        and content["start"]
        and content["begin_ms"] == listen.cues[2]["ms"]
    )
    assert content["end_ms"] - content["begin_ms"] == FIRST_WINDOW_MS and buffers[0][:4] == b"RIFF"
    play = content["play"]
    listen._on_message(
        None, {"action": "window", "play": play, "begin_ms": content["end_ms"]}, None
    )
    assert sent[-1][0]["begin_ms"] == content["end_ms"] and not sent[-1][0]["start"]
    end_of_file = demo_project.root / "medias" / "temoignage_01.wav"
    past = Recording(end_of_file).duration_ms + 100
    listen._on_message(None, {"action": "window", "play": play, "begin_ms": past}, None)
    assert sent[-1][0]["kind"] == "end" and listen.status == {
        "text": "Fin de l'enregistrement temoignage_01.wav.",
        "level": "info",
    }
    count = len(sent)
    listen._on_message(None, {"action": "window", "play": play - 1, "begin_ms": 0}, None)
    assert len(sent) == count  # a window of an earlier play is not decoded
    listen._on_message(
        None, {"action": "time", "play": play, "ms": listen.cues[2]["ms"] + 100}, None
    )
    cue = demo_project.timecodes("temoignage_01.vtt").iloc[2]
    assert listen.current == 2 and panel.playing == [int(cue["start"]), int(cue["end"])]
    # the coding panel moves on: the listening panel follows, the player stops, no highlight left
    panel.session.open("entretien_centre_social.txt")
    panel.push()
    assert sent[-1][0] == {"kind": "stop"} and panel.playing == [] and listen.cues == []
    assert listen.info["document"] == "entretien_centre_social.txt"
    count = len(sent)
    listen._on_message(None, {"action": "here"}, None)
    assert len(sent) == count and "n'a pas d'enregistrement" in listen.status["text"]
    assert listen.status["level"] == "erreur"


def test_the_quote_board_plays_a_quote_through_the_listening_panel(demo_project):
    from miam_qual import QuoteError
    from miam_qual.publication import QuoteBoard, list_quotes

    quotes = list_quotes(demo_project)
    quote = quotes[quotes["media"].notna() & quotes["begin_ms"].notna()].iloc[0]
    coding = open_on(demo_project, "entretien_centre_social.txt")
    listen = ListenPanel(demo_project, coding)
    sent: list[tuple[dict, list]] = []
    listen.send = lambda content, buffers=None: sent.append((content, buffers or []))  # type: ignore[method-assign]
    board = QuoteBoard(demo_project, by="léa", listen=listen)
    board.load(quote["quote_id"])
    assert board.play()
    content, buffers = sent[-1]
    assert content["kind"] == "window" and content["start"] and buffers[0][:4] == b"RIFF"
    assert (content["begin_ms"], content["stop_ms"]) == (
        int(quote["begin_ms"]),
        int(quote["end_ms"]),
    )
    assert listen.info["document"] == quote["document"] and len(listen.cues) > 0
    assert board.message.value == f"Écoute de la citation {quote['quote_id']}."
    # the coding panel shows another document: nothing is outlined there
    listen._on_message(
        None, {"action": "time", "play": content["play"], "ms": content["begin_ms"]}, None
    )
    assert listen.current >= 0 and coding.playing == []
    alone = QuoteBoard(demo_project, by="léa")
    alone.load(quote["quote_id"])
    with pytest.raises(QuoteError, match="Aucun panneau d'écoute"):
        alone.play()
    assert (
        listen.play_quote("C999") is False and "Citation inconnue « C999 »" in listen.status["text"]
    )
