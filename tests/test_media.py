"""Cutting clips from recordings with no external program: WAV by the standard library, the
rest (mp3, m4a/AAC, raw AAC, ogg/opus, webm, flac, mp4 films) decoded by PyAV. Fixtures are
encoded at test time and every clip is measured: its length and where the tone sounds in it."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest
from audio_support import decode_mono, duration_ms, encode, tone, tone_edges

from miam_qual import ExportError
from miam_qual.publication.media import (
    Clip,
    audio_formats,
    check_audio_format,
    cut_clips,
    wav_duration_ms,
)

#: A minute of silence with three bursts of tone; the last one is far from the start, so that
#: cutting it needs a seek.
TOTAL_MS = 60_000
BURSTS = [(2_000, 5_000), (9_000, 12_000), (50_000, 52_000)]
#: AAC and mp3 smear an edge over a few milliseconds; 5 ms windows measure it.
EDGE_MS = 15

RECORDINGS = {
    # name: (codec, rate, channels, container format, with a video track)
    "entretien.m4a": ("aac", 44_100, 2, None, False),
    "entretien.mp3": ("libmp3lame", 22_050, 1, None, False),
    "entretien.ogg": ("libopus", 48_000, 1, None, False),
    "film.mp4": ("aac", 48_000, 2, None, True),
    "dictaphone.aac": ("aac", 44_100, 1, "adts", False),  # raw AAC: no index, seeks estimated
    "navigateur.webm": ("libopus", 48_000, 1, "webm", False),  # what a browser records
    "archive.flac": ("flac", 44_100, 2, None, False),
    "entretien_float.wav": ("pcm_f32le", 16_000, 1, None, False),
}


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("enregistrements")
    made = {}
    for name, (codec, rate, channels, fmt, video) in RECORDINGS.items():
        signal = tone(TOTAL_MS, BURSTS, rate)
        made[name] = encode(folder / name, signal, rate, codec=codec, channels=channels,
                            container_format=fmt, with_video=video)  # fmt: skip
    return made


def close_to(found: list[int], expected: list[int], *, within: int = EDGE_MS) -> bool:
    return len(found) == len(expected) and all(
        abs(a - b) <= within for a, b in zip(found, expected, strict=True)
    )


def edges_within(recording: Path, begin_ms: int, end_ms: int) -> list[int]:
    """Tone edges of the whole recording decoded from its start, inside a span, relative to it.

    Raw AAC keeps its encoder's priming samples (about 23 ms of silence before the sound): a clip
    must hold what a player shows at that time, so the reference is the decoded recording.
    """
    return [e - begin_ms for e in tone_edges(recording) if begin_ms < e < end_ms]


@pytest.mark.parametrize("name", list(RECORDINGS))
def test_clips_from_a_compressed_recording_hold_the_tone_where_it_is(recordings, name, tmp_path):
    source = recordings[name]
    clips = [
        # listed late first: the reader must seek back for the earlier one
        Clip(source, 49_000, 53_000, tmp_path / "tard.wav"),
        Clip(source, 8_000, 13_000, tmp_path / "milieu.wav"),
    ]
    cut_clips(clips, padding_ms=0)
    late, middle = clips
    rate = RECORDINGS[name][1]
    assert middle.rate == late.rate == rate
    # the cue sheet's in/out points are the samples written, to the millisecond
    for clip in clips:
        assert clip.start_frame == clip.begin_ms * rate // 1000
        assert round(wav_duration_ms(clip.destination)) == clip.written_duration_ms
        assert clip.written_duration_ms == clip.end_ms - clip.begin_ms
    with wave.open(str(middle.destination)) as handle:
        assert handle.getnchannels() == RECORDINGS[name][2] and handle.getsampwidth() == 2
    # 8 s → 13 s holds the burst 9 s → 12 s; 49 s → 53 s holds 50 s → 52 s, where the whole
    # recording decoded from its start has them (to within a few ms of the tone itself)
    assert close_to(edges_within(source, 8_000, 13_000), [1_000, 4_000], within=30)
    assert close_to(tone_edges(middle.destination), edges_within(source, 8_000, 13_000))
    assert close_to(tone_edges(late.destination), edges_within(source, 49_000, 53_000))


def test_padding_widens_the_clip_and_the_end_is_clamped_to_what_the_decoder_delivers(
    recordings, tmp_path
):
    source = recordings["entretien.m4a"]
    padded = Clip(source, 9_000, 12_000, tmp_path / "marge.wav")
    past_end = Clip(source, 58_000, 70_000, tmp_path / "fin.wav")
    cut_clips([padded, past_end], padding_ms=500)
    assert (padded.written_begin_ms, padded.written_end_ms) == (8_500, 12_500)
    assert close_to(tone_edges(padded.destination), [500, 3_500])
    # AAC may add a few padding samples after the last frame; the clip stops where sound stops
    assert past_end.written_begin_ms == 57_500
    assert abs(past_end.written_end_ms - TOTAL_MS) <= 25
    assert round(wav_duration_ms(past_end.destination)) == past_end.written_duration_ms


def test_a_clip_outside_the_recording_is_refused(recordings, tmp_path):
    source = recordings["entretien.mp3"]
    with pytest.raises(ExportError, match="hors de l'enregistrement"):
        cut_clips([Clip(source, 61_000, 62_000, tmp_path / "x.wav")])
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize("audio_format", ["mp3", "flac"])
def test_clips_encoded_by_pyav_keep_their_length_and_tone(recordings, audio_format, tmp_path):
    clip = Clip(recordings["entretien.m4a"], 8_000, 13_000, tmp_path / f"extrait.{audio_format}")
    cut_clips([clip])
    with av.open(str(clip.destination)) as container:
        assert container.format.name == audio_format
        assert container.streams.audio[0].codec_context.name.startswith(audio_format)
    # flac is lossless and exact; mp3 frames are 1152 samples, the LAME header trims the padding
    assert abs(duration_ms(clip.destination) - 5_000) <= (0 if audio_format == "flac" else 30)
    assert close_to(tone_edges(clip.destination), [1_000, 4_000])


def test_a_flac_clip_is_sample_for_sample_the_wav_clip(recordings, tmp_path):
    source = recordings["entretien.ogg"]
    wav_clip = Clip(source, 1_000, 6_000, tmp_path / "a.wav")
    flac_clip = Clip(source, 1_000, 6_000, tmp_path / "a.flac")
    cut_clips([wav_clip, flac_clip])
    wav_samples, _ = decode_mono(wav_clip.destination)
    flac_samples, _ = decode_mono(flac_clip.destination)
    assert np.array_equal(wav_samples, flac_samples)


def test_unreadable_and_missing_recordings_are_refused_in_french(recordings, tmp_path):
    fake = tmp_path / "entretien.m4a"
    fake.write_text("ceci n'est pas un enregistrement", encoding="utf-8")
    with pytest.raises(ExportError, match="enregistrement illisible"):
        cut_clips([Clip(fake, 0, 1_000, tmp_path / "x.wav")])
    with pytest.raises(ExportError, match="Enregistrement introuvable"):
        cut_clips([Clip(tmp_path / "absent.mp3", 0, 1_000, tmp_path / "x.wav")])


def test_formats_follow_the_encoders_of_the_wheel():
    assert audio_formats() == ["wav", "mp3", "flac"]  # this PyAV wheel has libmp3lame and flac
    assert audio_formats({"flac", "aac"}) == ["wav", "flac"]
    assert audio_formats(set()) == ["wav"]
    with pytest.raises(
        ExportError, match=r"n'a pas l'encodeur libmp3lame\. Formats possibles : wav, flac"
    ):
        check_audio_format("mp3", codecs={"flac"})
    with pytest.raises(ExportError, match="« ogg » inconnu .*wav, mp3, flac"):
        check_audio_format("ogg")


def test_a_24_bit_wav_is_cut_as_it_is_and_encoded_faithfully(tmp_path):
    rate = 48_000
    signal = tone(10_000, [(2_000, 5_000)], rate)
    samples = np.round(np.repeat(signal, 2) * (2**23 - 1)).astype("<i4")  # stereo, 24 bits
    packed = samples.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    source = tmp_path / "studio.wav"
    with wave.open(str(source), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(3)
        out.setframerate(rate)
        out.writeframes(packed)
    clips = [
        Clip(source, 1_000, 6_000, tmp_path / "a.wav"),
        Clip(source, 1_000, 6_000, tmp_path / "a.mp3"),
    ]
    cut_clips(clips)
    with wave.open(str(clips[0].destination)) as handle:
        assert (handle.getsampwidth(), handle.getnchannels(), handle.getnframes()) == (
            3,
            2,
            5 * rate,
        )
    for clip in clips:
        assert close_to(tone_edges(clip.destination), [1_000, 4_000])
    # as loud as the 24-bit original, not noise from misread bytes
    wav_peak, mp3_peak = (np.abs(decode_mono(c.destination)[0]).max() for c in clips)
    assert wav_peak > 0.3 and abs(mp3_peak - wav_peak) < 0.1 * wav_peak
