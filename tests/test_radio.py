"""Radio export: script (DOCX, Markdown), cue sheet (CSV, XLSX) and clips, consent enforced."""

from __future__ import annotations

import csv
import wave

import docx
import pytest
from audio_support import duration_ms, tone_edges
from click.testing import CliRunner
from openpyxl import load_workbook
from test_publication_support import fill, validated

from miam_qual import ConsentError, ExportError
from miam_qual.cli import main
from miam_qual.publication import export_radio, list_quotes
from miam_qual.publication.media import Clip, cut_clips, wav_duration_ms

ALL = ["radio", "exposition", "rapport", "réseaux sociaux"]


@pytest.fixture
def ready(project):
    codings = fill(project)
    return project, validated(project, codings, ALL)


def close_edges(found, expected, *, within_ms=15):
    """Same tone edges (ms), each within ``within_ms``: compression smears an edge a little."""
    return len(found) == len(expected) and all(
        abs(a - b) <= within_ms for a, b in zip(found, expected, strict=True)
    )


def read_cues(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_radio_package_clips_match_the_cue_sheet_to_the_millisecond(ready, tmp_path):
    project, ids = ready
    report = export_radio(project, tmp_path / "radio", padding_ms=300)
    out = tmp_path / "radio"
    cues = read_cues(out / "feuille_de_montage.csv")
    # Habitante A: 4 quotes, one refused (a real name is heard); Habitant B refuses radio;
    # the workshop has no recording.
    assert sorted(c["citation"] for c in cues) == sorted(report.exported)
    assert len(cues) == 3
    for cue in cues:
        clip = out / "extraits" / cue["fichier_extrait"]
        assert clip.exists()
        assert round(wav_duration_ms(clip)) == int(cue["duree_ms"])
        assert int(cue["fin_ms"]) - int(cue["debut_ms"]) == int(cue["duree_ms"])
        assert cue["fichier_source"] == "temoignage_pub_01.wav"
    quotes = list_quotes(project).set_index("quote_id")
    first = next(c for c in cues if c["citation"] == ids[next(iter(ids))])
    row = quotes.loc[first["citation"]]
    assert (
        int(first["debut_ms"]) == row["begin_ms"] - 300
        and int(first["fin_ms"]) == row["end_ms"] + 300
    )
    sheet = load_workbook(out / "feuille_de_montage.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("citation", "theme", "fichier_extrait", "fichier_source")
    assert [r[8] for r in rows[1:]] == [int(c["duree_ms"]) for c in cues]


def test_refused_quotes_are_listed_with_their_reason(ready, tmp_path):
    project, ids = ready
    report = export_radio(project, tmp_path / "radio")
    reasons = dict(zip(report.refused["quote_id"], report.refused["reason"], strict=True))
    by_excerpt = {excerpt[:20]: ids[excerpt] for excerpt in ids}
    assert "refus de l'usage « voix à la radio »" in reasons[by_excerpt["Avant je mangeais se"]]
    assert "nom réel est prononcé" in reasons[by_excerpt["Heureusement ma vois"]]
    assert "sans minutage" in reasons[by_excerpt["On a appris à cuisin"]]
    written = (tmp_path / "radio" / "rapport_export.txt").read_text(encoding="utf-8")
    assert "refusée" in written and by_excerpt["Avant je mangeais se"] in written


def test_padding_is_clamped_to_the_recording_and_the_other_speakers_words(ready, tmp_path):
    project, _ = ready
    # a minute of margin lets one hear the whole recording after the interviewer's question,
    # names included: without a mapping (this test is about clamping), then with it, where the
    # name heard in the margin refuses all
    mapping = project.root / "prive" / "pseudonymes.yml"
    kept = mapping.read_bytes()
    mapping.unlink()
    export_radio(project, tmp_path / "radio", padding_ms=60_000)
    mapping.write_bytes(kept)
    with pytest.raises(ConsentError) as refused:
        export_radio(project, tmp_path / "radio2", padding_ms=60_000)
    assert "un nom réel est prononcé dans l'extrait ou sa marge" in str(refused.value)
    assert not (tmp_path / "radio2").exists()
    cues = read_cues(tmp_path / "radio" / "feuille_de_montage.csv")
    recording = project.root / "medias" / "temoignage_pub_01.wav"
    with wave.open(str(recording)) as handle:
        total = round(handle.getnframes() * 1000 / handle.getframerate())
    # the interviewer's question (cue 1.0 s → 4.5 s) is another speaker's: the padding stops
    # at its end, in the pause that follows; the end is the recording's
    assert all(4_500 <= int(c["debut_ms"]) <= 4_600 and int(c["fin_ms"]) == total for c in cues)


def test_script_groups_quotes_by_theme_with_attribution_duration_and_timecodes(ready, tmp_path):
    project, _ = ready
    export_radio(project, tmp_path / "radio", max_duration_s=5)
    document = docx.Document(str(tmp_path / "radio" / "conducteur_radio.docx"))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    themes = [text for style, text in headings if style == "Heading 1"]
    assert [t.split(" (")[0] for t in themes] == [
        "Accès à une alimentation de qualité",
        "Pratiques alimentaires",
        "Lien social",
    ]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Habitante, 50-59 ans, cité Saint-Élie" in body
    assert "de 00:00:" in body and "durée" in body
    assert "« Depuis l'épicerie éphémère" in body
    assert "plus long que le maximum de 5,0 s" in body  # 7.6 s quote flagged
    cues = read_cues(tmp_path / "radio" / "feuille_de_montage.csv")
    assert {c["trop_long"] for c in cues} == {"oui", "non"}
    markdown = (tmp_path / "radio" / "conducteur_radio.md").read_text(encoding="utf-8")
    assert markdown.count("\n## ") == 3 and "Habitante, 50-59 ans, cité Saint-Élie" in markdown


def test_a_withdrawn_consent_removes_the_quotes_from_later_exports(ready, tmp_path):
    project, _ = ready
    first = export_radio(project, tmp_path / "avant")
    assert len(first.exported) == 3
    project.set_consent("Habitante A", "radio", False, date="2025-06-01", by="léa")
    with pytest.raises(ConsentError, match="retiré"):
        export_radio(project, tmp_path / "apres")
    assert not (tmp_path / "apres" / "feuille_de_montage.csv").exists()


def test_strict_mode_refuses_the_whole_export(ready, tmp_path):
    project, _ = ready
    with pytest.raises(ConsentError, match="mode strict"):
        export_radio(project, tmp_path / "radio", strict=True)
    assert not (tmp_path / "radio").exists()


def test_a_missing_recording_is_refused_not_invented(ready, tmp_path):
    project, _ = ready
    (project.root / "medias" / "temoignage_pub_01.wav").unlink()
    with pytest.raises(ExportError, match="enregistrement introuvable"):
        export_radio(project, tmp_path / "radio", theme="pratiques")


def test_nothing_validated_means_nothing_to_export(project, tmp_path):
    fill(project)
    with pytest.raises(ExportError, match="Aucune citation"):
        export_radio(project, tmp_path / "radio")


def test_mp3_clips_without_any_external_program(ready, tmp_path):
    """The same package as mp3 (flac clips: see test_media): same cue sheet, clips of the same
    length, to within the mp3 frame trimmed by its header, with the tone at the same places."""
    project, _ = ready
    wav = export_radio(project, tmp_path / "wav", padding_ms=200)
    mp3 = export_radio(project, tmp_path / "mp3", audio_format="mp3", padding_ms=200)
    assert mp3.exported == wav.exported
    cues = read_cues(tmp_path / "mp3" / "feuille_de_montage.csv")
    assert cues == [
        {**cue, "fichier_extrait": cue["fichier_extrait"].replace(".wav", ".mp3")}
        for cue in read_cues(tmp_path / "wav" / "feuille_de_montage.csv")
    ]
    for cue in cues:
        clip = tmp_path / "mp3" / "extraits" / cue["fichier_extrait"]
        reference = tmp_path / "wav" / "extraits" / clip.with_suffix(".wav").name
        assert clip.suffix == ".mp3"
        assert abs(duration_ms(clip) - int(cue["duree_ms"])) <= 30
        assert close_edges(tone_edges(clip), tone_edges(reference))


def test_an_audio_format_the_wheel_cannot_write_is_refused_with_the_choices(project, tmp_path):
    with pytest.raises(ExportError, match="« ogg » inconnu .*wav, mp3, flac"):
        export_radio(project, tmp_path / "radio", audio_format="ogg")
    assert not (tmp_path / "radio").exists()


def test_clips_cut_from_an_m4a_recording_match_the_cue_sheet_and_the_wav(project, tmp_path):
    """The same testimony recorded as m4a (AAC): the clips equal the cue sheet to the
    millisecond and their tone sits where the WAV recording has it."""
    codings = fill(project, recordings="m4a")
    validated(project, codings, ALL)
    report = export_radio(project, tmp_path / "radio", padding_ms=300)
    cues = read_cues(tmp_path / "radio" / "feuille_de_montage.csv")
    assert len(cues) == len(report.exported) == 3
    assert {c["fichier_source"] for c in cues} == {"temoignage_pub_01.m4a"}
    reference = project.root / "medias" / "temoignage_pub_01.wav"  # the tone before encoding
    for cue in cues:
        clip = tmp_path / "radio" / "extraits" / cue["fichier_extrait"]
        assert round(wav_duration_ms(clip)) == int(cue["duree_ms"])
        same = Clip(
            reference, int(cue["debut_ms"]), int(cue["fin_ms"]), tmp_path / "ref" / clip.name
        )
        cut_clips([same])
        assert close_edges(tone_edges(clip), tone_edges(same.destination))


def test_cli_offers_the_formats_the_wheel_can_encode(ready, tmp_path):
    project, _ = ready
    runner = CliRunner()
    out = tmp_path / "radio"
    result = runner.invoke(main, ["citations", "exporter", "-p", str(project.root), "-f", "radio",
                                  "-o", str(out), "--audio", "mp3"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in (out / "extraits").iterdir()) == [".mp3"] * 3
    assert "wav|mp3|flac" in runner.invoke(main, ["citations", "exporter", "--help"]).output
