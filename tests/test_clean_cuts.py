"""Clean radio cuts: boundaries in pauses, never in another speaker's words, ``[…]`` cuts spliced
with a crossfade, fades, and the recording ↔ transcript link checked.

Recordings are made here: speech-like bursts (noise modulated at a syllable rate, -20 dBFS)
separated by pauses holding a faint background noise (-65 dBFS), written to real files and read
back; every clip is measured sample by sample at the places the cue sheet gives.
"""

from __future__ import annotations

import csv
import wave
from pathlib import Path

import numpy as np
import pytest
from audio_support import decode_mono, encode

from miam_qual import ExportError
from miam_qual.publication import edit_quote, export_radio, propose_quote, set_quote_status
from miam_qual.publication.cuts import (
    CROSSFADE_MS,
    FADE_MS,
    CleanClip,
    cut_clean_clips,
    find_pauses,
)
from miam_qual.publication.pieces import kept_pieces
from miam_qual.publication.recordings import check_recording, link_recording, recording_for
from miam_qual.publication.settings import load_settings

RATE = 16_000
DATA = Path(__file__).parent / "data" / "publication"
SPEECH_RMS = 0.1  # -20 dBFS
QUIET_RMS = 0.003  # -50 dBFS: well above the background, far below speech


def speech(total_ms: int, bursts: list[tuple[int, int]], *, level: float = SPEECH_RMS,
           background_db: float = -65, seed: int = 7) -> np.ndarray:  # fmt: skip
    """Mono float signal: noise modulated at 4 Hz during ``bursts`` (ms, RMS ``level``), a
    background noise of ``background_db`` dBFS elsewhere."""
    rng = np.random.default_rng(seed)
    count = total_ms * RATE // 1000
    signal = rng.normal(0, 10 ** (background_db / 20), count)
    times = np.arange(count) / RATE
    for begin, end in bursts:
        inside = slice(begin * RATE // 1000, end * RATE // 1000)
        envelope = 0.75 + 0.25 * np.sin(2 * np.pi * 4 * times[inside])
        signal[inside] = rng.normal(0, level, inside.stop - inside.start) * envelope
    return np.clip(signal, -1, 1).astype(np.float32)


def write_wav(path: Path, signal: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.round(signal * 32767).astype("<i2").tobytes())
    return path


def pcm(path: Path) -> np.ndarray:
    with wave.open(str(path)) as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2").astype(int)


def rms(samples: np.ndarray, begin_ms: float, end_ms: float) -> float:
    part = samples[int(begin_ms * RATE / 1000) : int(end_ms * RATE / 1000)].astype(float)
    scale = 32768 if samples.dtype.kind == "i" else 1.0
    return float(np.sqrt(np.mean((part / scale) ** 2)))


def at(ms: int) -> int:
    return ms * RATE // 1000


# -- the pause detector -----------------------------------------------------------------------
def test_pauses_are_found_where_the_sound_stops_whatever_the_recording_level():
    bursts = [(0, 1_000), (1_400, 2_500), (2_580, 3_500), (4_000, 5_000)]
    # speech at -10 dBFS in a noisy room (-45 dBFS, louder than the quiet recording's speech),
    # and a quiet recording: speech at -50 dBFS, background at -85 dBFS
    for level, background in ((0.3, -45), (0.003, -85)):
        pauses = find_pauses(speech(5_000, bursts, level=level, background_db=background), RATE)
        in_ms = [(round(a * 1000 / RATE), round(b * 1000 / RATE)) for a, b in pauses]
        # the 80 ms gap inside a word is no pause; the others are, to within a frame (10 ms)
        assert len(in_ms) == 2, in_ms
        for (begin, end), (want_begin, want_end) in zip(in_ms, [(1_000, 1_400), (3_500, 4_000)],
                                                         strict=True):  # fmt: skip
            assert abs(begin - want_begin) <= 10 and abs(end - want_end) <= 10
    assert find_pauses(np.zeros(RATE, dtype=np.float32), RATE) == [(0, RATE)]


def test_display_text_pieces_map_to_the_original_words():
    original = "Oui, le samedi matin. Elle conduit, moi je porte. On achète des légumes."
    assert kept_pieces(original, original) == [(0, len(original))]
    pieces = kept_pieces(original, "Oui, le samedi matin. […] On achète des légumes.")
    assert [original[a:b] for a, b in pieces] == ["Oui, le samedi matin", "On achète des légumes."]
    # a cut at the start, a small correction kept inside a piece, a cut removing nothing merged
    pieces = kept_pieces(original, "[…] le samedi matin. […] Elle conduit, moi j'porte. On achète")
    assert [original[a:b] for a, b in pieces] == ["le samedi matin. Elle conduit, moi je porte. On achète"]  # fmt: skip


# -- boundaries in pauses ---------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["wav", "m4a"])
def test_boundaries_move_to_the_nearest_pause_within_the_limit(tmp_path, suffix):
    # speech 1.0–3.0 s, pause 3.0–3.5 s, speech 3.5–6.0 s, pause 6.0–6.4 s, speech 6.4–9.0 s
    signal = speech(10_000, [(1_000, 3_000), (3_500, 6_000), (6_400, 9_000)])
    source = tmp_path / f"entretien.{suffix}"
    if suffix == "wav":
        write_wav(source, signal)
    else:
        encode(source, signal, RATE, codec="aac")
    reference, _ = decode_mono(source)  # what a player hears, AAC priming included
    snapped = CleanClip(source, tmp_path / "a.wav", [(3_700, 5_800)])  # both ends mid-word
    too_far = CleanClip(source, tmp_path / "b.wav", [(4_500, 5_000)])  # pauses ≥ 1 s away
    cut_clean_clips([snapped, too_far], padding_ms=0, snap_ms=400)
    (start, stop), = snapped.cuts  # fmt: skip
    assert snapped.clean and snapped.snapped == [True, True]
    # in the pauses, clear of the sound by the edge kept (40 ms), AAC smearing allowed
    assert 3_000 + 30 <= snapped.written_begin_ms <= 3_500 - 30
    assert 6_000 + 30 <= snapped.written_end_ms <= 6_400 - 30
    assert rms(reference, snapped.written_begin_ms - 20, snapped.written_begin_ms + 20) < QUIET_RMS
    assert rms(reference, snapped.written_end_ms - 20, snapped.written_end_ms + 20) < QUIET_RMS
    # the nearest point of the pause: the in point came back from 3.7 s to the pause's end
    assert snapped.written_begin_ms >= 3_400 and snapped.written_end_ms <= 6_100
    clip = pcm(snapped.destination)
    assert len(clip) == stop - start and round(len(clip) * 1000 / RATE) == snapped.written_duration_ms  # fmt: skip
    assert rms(clip, 0, 40) < QUIET_RMS and rms(clip, len(clip) * 1000 / RATE - 40, 10**6) < QUIET_RMS  # fmt: skip
    # no pause within reach: the cut stays where the timecodes put it, and says so
    assert not too_far.clean
    assert (too_far.written_begin_ms, too_far.written_end_ms) == (4_500, 5_000)


def test_a_boundary_in_a_long_noisy_silence_is_judged_by_the_clips_speech(tmp_path):
    """A window holding only a noisy room (-55 dBFS) has no speech to compare with: the level of
    the speech met at the clip's other boundary (-20 dBFS) tells that the noise is a pause."""
    signal = speech(12_000, [(0, 2_000), (10_000, 12_000)], background_db=-55)
    source = write_wav(tmp_path / "salle.wav", signal)
    clip = CleanClip(source, tmp_path / "d.wav", [(1_000, 5_000)])
    cut_clean_clips([clip], padding_ms=0, snap_ms=400)
    assert clip.snapped == [False, True]  # in: mid-speech, no pause near; out: in the room noise
    assert (clip.written_begin_ms, clip.written_end_ms) == (1_000, 5_000)
    alone = find_pauses(signal[at(3_600) : at(6_400)], RATE)  # the same window, on its own
    assert alone == [] and find_pauses(signal[at(3_600) : at(6_400)], RATE, reference_db=-20)


def test_fades_and_crossfades_are_where_the_cut_says(tmp_path):
    """In continuous sound (no pause to snap to) fades and crossfades are audible: measured
    sample by sample against the recording."""
    source = write_wav(tmp_path / "continu.wav", speech(6_000, [(0, 6_000)]))
    recording = pcm(source)
    clip = CleanClip(source, tmp_path / "c.wav", [(1_000, 2_000), (3_000, 4_000)])
    cut_clean_clips([clip], padding_ms=0, snap_ms=400)
    assert clip.cuts == [(at(1_000), at(2_000)), (at(3_000), at(4_000))] and not clip.clean
    written = pcm(clip.destination)
    fade, cross = at(FADE_MS), at(CROSSFADE_MS)
    assert len(written) == 2 * at(1_000) - cross == clip.frames
    assert clip.written_duration_ms == 2_000 - CROSSFADE_MS
    first, second = recording[at(1_000) : at(2_000)], recording[at(3_000) : at(4_000)]
    splice = len(first) - cross
    # untouched between the fades and the crossfade, exactly the recording's samples
    assert np.array_equal(written[fade:splice], first[fade:splice])
    assert np.array_equal(written[len(first) :][:-fade], second[cross:][:-fade])
    # the crossfade: every sample is a mix of both pieces, the power of the two gains is 1
    mixed = written[splice : len(first)]
    assert not np.array_equal(mixed, first[splice:]) and not np.array_equal(mixed, second[:cross])
    level = rms(recording, 1_000, 4_000)
    assert abs(rms(mixed, 0, CROSSFADE_MS) / level - 1) < 0.25
    # fades: silent at the very edge, rising (falling) to the recording's level
    gain_in = np.abs(written[:fade]) / np.maximum(np.abs(first[:fade]), 1)
    assert gain_in[:10].max() < 0.1 and gain_in[-10:].min() > 0.9
    gain_out = np.abs(written[-fade:]) / np.maximum(np.abs(second[-fade:]), 1)
    assert gain_out[:10].min() > 0.9 and gain_out[-10:].max() < 0.1


# -- through the radio export -----------------------------------------------------------------
S1 = "Oui, le samedi matin avec ma voisine."
S2 = "Elle conduit, moi je porte les sacs."
S3 = "On achète des légumes de saison."

TRANSCRIPT = f"""WEBVTT

NOTE
media: marche.wav
participant: Habitante A

1
00:00:01.000 --> 00:00:04.000
<v Enquêtrice>Et le marché, vous y allez souvent ?

2
00:00:04.300 --> 00:00:13.300
<v Habitante A>{S1} {S2} {S3}

3
00:00:13.600 --> 00:00:15.600
<v Enquêtrice>D'accord, merci.
"""


@pytest.fixture
def market(project, tmp_path):
    """A testimony whose recording has the interviewer run 100 ms past her cue and pause inside
    her lines, and whose sentences end 150 ms after the times interpolated from the transcript."""
    source = tmp_path / "sources" / "marche.vtt"
    source.parent.mkdir()
    source.write_text(TRANSCRIPT, encoding="utf-8")
    project.import_participants(DATA / "participants.csv", by="test")
    project.import_files([source], by="test")
    project.identify_speaker("Enquêtrice", interviewer=True, by="test")
    text = project.text("marche.vtt")
    start = text.index(S1)
    b1 = project.time_at("marche.vtt", text.index(S2))
    b2 = project.time_at("marche.vtt", text.index(S3))
    # the interviewer breathes inside her lines (3.70–3.85 s, 13.78–13.95 s): pauses nearer
    # to the padded cuts than the participant's own
    bursts = [(1_000, 3_700), (3_850, 4_100), (4_450, b1 + 150), (b1 + 450, b2 + 150),
              (b2 + 450, 13_100), (13_600, 13_780), (13_950, 15_600)]  # fmt: skip
    write_wav(project.root / "medias" / "marche.wav", speech(17_000, bursts))
    quote = propose_quote(project, document="marche.vtt", start=start,
                          end=text.index(S3) + len(S3), theme="prix", targets=["radio"], by="léa")  # fmt: skip
    return project, quote, b1, b2


def validate(project, quote, display=None):
    set_quote_status(project, quote, "retenue", by="léa")
    if display:
        edit_quote(project, quote, text=display, by="léa")
    set_quote_status(project, quote, "validée", by="léa")


def cue_of(folder: Path) -> dict:
    with open(folder / "feuille_de_montage.csv", encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle, delimiter=";"))
    return row


def pieces_ms(cue: dict) -> list[tuple[int, int]]:
    def ms(clock: str) -> int:
        hours, minutes, seconds = clock.split(":")
        return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)

    return [tuple(ms(t) for t in piece.split("–")) for piece in cue["morceaux"].split(" + ")]


def test_the_clip_never_reaches_into_the_other_speakers_words(market, tmp_path):
    project, quote, _b1, _b2 = market
    validate(project, quote)
    export_radio(project, tmp_path / "radio", padding_ms=400)
    cue = cue_of(tmp_path / "radio")
    # 400 ms of padding would start at 3.9 s, inside the question (cue until 4.0 s, voice until
    # 4.1 s): the in point waits for the pause after her voice; the out point stops before the
    # interviewer's next cue (13.6 s), in the pause
    assert 4_100 + 30 <= int(cue["debut_ms"]) <= 4_450 - 30
    assert 13_100 + 30 <= int(cue["fin_ms"]) <= 13_600 - 30
    assert cue["coupes_nettes"] == "oui" and len(pieces_ms(cue)) == 1
    clip = pcm(tmp_path / "radio" / "extraits" / cue["fichier_extrait"])
    assert round(len(clip) * 1000 / RATE) == int(cue["duree_ms"])
    assert int(cue["duree_ms"]) == int(cue["fin_ms"]) - int(cue["debut_ms"])
    # nothing of the interviewer: quiet until the participant's first word, and after her last
    first_word = 4_450 - int(cue["debut_ms"])
    assert rms(clip, 0, first_word - 5) < QUIET_RMS < rms(clip, first_word + 5, first_word + 200)
    last_word = 13_100 - int(cue["debut_ms"])
    assert rms(clip, last_word + 5, 10**6) < QUIET_RMS


def test_a_cut_is_spliced_out_with_a_crossfade_where_the_cue_sheet_says(market, tmp_path):
    project, quote, b1, b2 = market
    validate(project, quote)
    export_radio(project, tmp_path / "entier", padding_ms=400)
    whole = cue_of(tmp_path / "entier")
    edit_quote(project, quote, text=f"{S1} […] {S3}", by="léa")
    validate(project, quote)
    export_radio(project, tmp_path / "coupe", padding_ms=400)
    cue = cue_of(tmp_path / "coupe")
    (in1, out1), (in2, out2) = pieces_ms(cue)
    assert (in1, out2) == (int(cue["debut_ms"]), int(cue["fin_ms"]))
    assert (in1, out2) == (int(whole["debut_ms"]), int(whole["fin_ms"]))
    # each inner cut moved from mid-word (the interpolated time) into the pause after it
    assert b1 + 150 + 30 <= out1 <= b1 + 450 - 30 and b2 + 150 + 30 <= in2 <= b2 + 450 - 30
    assert cue["coupes_nettes"] == "oui"
    script = (tmp_path / "coupe" / "conducteur_radio.md").read_text(encoding="utf-8")
    assert f"- Morceaux raccordés : {cue['morceaux']}" in script
    # shorter by what was removed, less the crossfade's overlap
    removed = in2 - out1
    assert abs(removed - (b2 - b1)) <= 10
    assert int(cue["duree_ms"]) == int(whole["duree_ms"]) - removed - CROSSFADE_MS
    assert int(cue["duree_ms"]) == (out1 - in1) + (out2 - in2) - CROSSFADE_MS
    # the file: the first piece sample for sample, then the second, joined at the cue sheet's place
    recording = pcm(project.root / "medias" / "marche.wav")
    clip = pcm(tmp_path / "coupe" / "extraits" / cue["fichier_extrait"])
    assert round(len(clip) * 1000 / RATE) == int(cue["duree_ms"])
    fade, cross, splice = at(FADE_MS), at(CROSSFADE_MS), at(out1 - in1 - CROSSFADE_MS)
    assert np.array_equal(clip[fade:splice], recording[at(in1) + fade : at(out1) - cross])
    assert np.array_equal(
        clip[splice + cross : -fade], recording[at(in2) + cross : at(out2) - fade]
    )
    # S2 is not heard: quiet from S1's last word, across the splice, to S3's first
    s1_ends, s3_starts = b1 + 150 - in1, out1 - in1 - CROSSFADE_MS + (b2 + 450 - in2)
    assert rms(clip, s1_ends + 5, s3_starts - 5) < QUIET_RMS
    assert rms(clip, s1_ends - 300, s1_ends - 5) > 10 * QUIET_RMS
    assert rms(clip, s3_starts + 5, s3_starts + 300) > 10 * QUIET_RMS


# -- the recording ↔ transcript link ----------------------------------------------------------
def test_the_link_check_accepts_agreeing_durations_and_refuses_or_warns_otherwise(market):
    project, _quote, _b1, _b2 = market
    medias = project.root / "medias"
    check = check_recording(project, "marche.vtt")  # 17.0 s against a last cue at 15.6 s
    assert check.ok and check.difference_ms == 1_400 and check.recording == medias / "marche.wav"
    write_wav(medias / "marche.wav", speech(10_000, [(1_000, 9_000)]))
    short = check_recording(project, "marche.vtt")
    assert short.status == "refus"
    assert "« marche.vtt »" in short.message and "medias/marche.wav" in short.message
    assert "00:00:15.600" in short.message and "00:00:10.000" in short.message
    write_wav(medias / "marche.wav", speech(40_000, [(1_000, 9_000)]))
    long = check_recording(project, "marche.vtt")
    assert long.status == "avertissement" and "« marche.vtt »" in long.message
    assert check_recording(project, "marche.vtt", tolerance_ms=30_000).ok


def test_a_radio_quote_on_the_wrong_recording_is_refused_naming_the_document_and_file(
    market, tmp_path
):
    project, quote, _b1, _b2 = market
    validate(project, quote)
    write_wav(project.root / "medias" / "marche.wav", speech(10_000, [(1_000, 9_000)]))
    with pytest.raises(ExportError, match=r"« marche\.vtt » : le minutage va jusqu'à .* medias/marche\.wav ne dure que"):  # fmt: skip
        export_radio(project, tmp_path / "radio")
    assert not (tmp_path / "radio").exists()


def test_recordings_are_linked_by_name_or_explicitly(market):
    project, _quote, _b1, _b2 = market
    medias = project.root / "medias"
    link_recording(project, "marche.vtt", None)  # no media: found by the transcript's stem
    assert project.documents().set_index("document")["media"].isna()["marche.vtt"]
    assert recording_for(project, "marche.vtt") == medias / "marche.wav"
    assert check_recording(project, "marche.vtt").ok
    encode(medias / "marche.m4a", speech(17_000, [(1_000, 9_000)]), RATE, codec="aac")
    with pytest.raises(ExportError, match="plusieurs enregistrements .*marche.m4a, marche.wav"):
        recording_for(project, "marche.vtt")
    assert link_recording(project, "marche.vtt", "marche.m4a") == medias / "marche.m4a"
    assert recording_for(project, "marche.vtt") == medias / "marche.m4a"
    assert check_recording(project, "marche.vtt").ok  # AAC's own length agrees too
    encode(medias / "court.m4a", speech(10_000, [(1_000, 9_000)]), RATE, codec="aac")
    link_recording(project, "marche.vtt", "court.m4a")
    short = check_recording(project, "marche.vtt")  # its sound is decoded before refusing
    assert short.status == "refus" and "medias/court.m4a ne dure que 00:00:10" in short.message
    link_recording(project, "marche.vtt", "marche.m4a")
    (medias / "notes.wav").write_text("pas un son", encoding="utf-8")
    for wrong, message in [("absent.mp3", "introuvable"), ("../marche.wav", "sans chemin"),
                           ("notes.wav", "illisible")]:  # fmt: skip
        with pytest.raises(ExportError, match=message):
            link_recording(project, "marche.vtt", wrong)
    assert recording_for(project, "marche.vtt") == medias / "marche.m4a"  # unchanged


def test_the_snapping_reach_is_a_publication_setting(project):
    assert load_settings(project.root).snap_ms == 400
    (project.root / "publication.yml").write_text(
        "calage_pause_ms: 0\necart_enregistrement_ms: 500\n", encoding="utf-8"
    )
    settings = load_settings(project.root)
    assert (settings.snap_ms, settings.recording_tolerance_ms) == (0, 500)


@pytest.mark.parametrize(("width", "channels"), [(1, 1), (3, 2), (4, 1)])
def test_clips_keep_the_recordings_sample_format(tmp_path, width, channels):
    """8-bit, 24-bit stereo and 32-bit WAVs: the clip keeps the format, and its samples between
    the fades are the recording's, byte for byte."""
    signal = np.repeat(speech(3_000, [(0, 3_000)]), channels)
    if width == 1:
        raw = (np.round(signal * 127) + 128).astype(np.uint8).tobytes()
    else:
        wide = np.round(signal.astype(np.float64) * (2 ** (8 * width - 1) - 1)).astype("<i4")
        raw = wide.view(np.uint8).reshape(-1, 4)[:, :width].tobytes()
    source = tmp_path / "source.wav"
    with wave.open(str(source), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(RATE)
        out.writeframes(raw)
    clip = CleanClip(source, tmp_path / "clip.wav", [(1_000, 2_000)])
    cut_clean_clips([clip], padding_ms=0, snap_ms=0)
    with wave.open(str(clip.destination)) as handle:
        assert (handle.getsampwidth(), handle.getnchannels()) == (width, channels)
        written = handle.readframes(handle.getnframes())
    frame, fade = width * channels, at(FADE_MS)
    assert len(written) == at(1_000) * frame
    inner = raw[(at(1_000) + fade) * frame : (at(2_000) - fade) * frame]
    assert written[fade * frame : -fade * frame] == inner
    assert written[:frame] != raw[at(1_000) * frame : (at(1_000) + 1) * frame]  # faded in
