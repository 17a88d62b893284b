"""The bundled demo project: built from the repository's material, realistic enough to show content."""

from __future__ import annotations

import warnings
from pathlib import Path

from click.testing import CliRunner

from miam_qual import Project
from miam_qual.cli import main
from miam_qual.demo import build_demo


def test_demo_has_the_promised_material(demo_project: Project):
    docs = demo_project.documents()
    by_type = docs.groupby("type_source").size()
    assert by_type["témoignage d'habitant"] >= 12
    assert by_type["entretien partenaire"] == 4
    questionnaire = docs[docs["kind"] == "questionnaire"]
    assert len(questionnaire) >= 40 and set(questionnaire["vague"]) == {"état initial", "bilan"}
    assert (docs["source_file"].str.endswith(".vtt")).sum() >= 4
    assert {".docx", ".odt"} <= {Path(f).suffix for f in docs["source_file"]}
    assert "cp1252" in set(docs["encoding"])
    assert not demo_project.timecodes("temoignage_01.vtt").empty
    assert 20 <= len([c for c in demo_project.codebook if c.codable]) <= 40
    assert 5 <= len(demo_project.codebook.themes()) <= 8


def test_demo_codings_by_two_coders_who_partly_disagree(demo_project: Project):
    codings = demo_project.codings(coder=["camille", "karim"])  # léa: see the test below
    per_span = codings.groupby(["document_id", "start", "end"])
    both = per_span["coder"].nunique() == 2
    assert 0.5 < both.mean() < 0.95  # mostly shared spans, some coded by one coder only
    codes = (
        codings.groupby(["document_id", "start", "end", "coder"])["code_id"]
        .apply(frozenset)
        .unstack()
    )
    shared = codes.dropna()
    assert (shared["camille"] != shared["karim"]).any()  # some disagreement on the code itself
    used = set(codings["code_id"])
    assert all(c.id in used for c in demo_project.codebook if c.codable)


def test_demo_project_is_valid_and_consent_varies(demo_project: Project):
    assert demo_project.validate() == []
    people = demo_project.participants()
    assert not people["consentement_radio"].all() and people["consentement_radio"].any()
    assert not people["consentement_exposition"].all()


def test_demo_builds_without_warnings(tmp_path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_demo(tmp_path / "demo", quiet=True).close()


def test_make_demo_command_prints_a_summary(tmp_path: Path):
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "Codages :" in result.output and "camille" in result.output and "karim" in result.output
    again = CliRunner().invoke(main, ["demo", str(tmp_path / "demo"), "--si-absent"])
    assert again.exit_code == 0 and "Documents :" in again.output


def test_any_offset_maps_back_to_a_time_in_the_recording(demo_project: Project):
    cues = demo_project.timecodes("temoignage_01.vtt")
    first = cues.iloc[0]
    start, end = int(first["start"]), int(first["end"])
    assert demo_project.time_at("temoignage_01.vtt", start) == first["begin_ms"]
    assert demo_project.time_at("temoignage_01.vtt", end) == first["end_ms"]
    middle = (start + end) // 2
    expected = first["begin_ms"] + (middle - start) / (end - start) * (
        first["end_ms"] - first["begin_ms"]
    )
    assert demo_project.time_at("temoignage_01.vtt", middle) == round(expected)
    assert demo_project.span_times("temoignage_01.vtt", start, end) == (
        first["begin_ms"],
        first["end_ms"],
    )
    assert demo_project.span_times("entretien_centre_social.txt", 0, 10) is None


def test_demo_shows_boundaries_a_trainee_and_a_review(demo_project: Project):
    """Issue 13's demo: passages coded with the same code but different boundaries, a third
    coder training on a reference set, and the review threads a supervisor left."""
    from miam_qual.training import differences, hidden_codings, reference_sets

    codings = demo_project.codings()
    assert set(codings["coder"]) == {"camille", "karim", "léa"}
    pairs = codings[codings["coder"].isin(["camille", "karim"])]
    boundary = 0
    for (_doc, _code), group in pairs.groupby(["document_id", "code_id"]):
        mine = group[group["coder"] == "camille"][["start", "end"]].values.tolist()
        theirs = group[group["coder"] == "karim"][["start", "end"]].values.tolist()
        boundary += sum(
            1 for a in mine for b in theirs if a != b and a[0] < b[1] and b[0] < a[1]
        )  # overlapping, not identical: a boundary disagreement
    assert boundary >= 2
    sets = reference_sets(demo_project)
    assert sets[["set", "reference_coder", "done"]].values.tolist() == [
        ["Formation — témoignage 1", "karim", "camille, léa"]
    ]
    table = differences(demo_project, "Formation — témoignage 1", "léa")
    assert {"les deux", "référence seulement", "stagiaire seulement"} <= set(table["status"])
    assert 0 < table[table["status"] == "les deux"]["overlap"].min() < 1  # a boundary, too
    assert hidden_codings(demo_project, "temoignage_01.vtt", "léa") == set()  # léa is done
    review = demo_project.to_review()
    assert "contestation" in set(review["kind"]) and "commentaire" in set(review["kind"])
    threads = demo_project.threads()
    assert {"ouvert", "réglé"} <= set(threads["status"])
    assert "approbation" in set(threads["kind"])
