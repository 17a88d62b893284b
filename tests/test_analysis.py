"""Analysis on the demo project, each result checked against an independent count of the codings."""

from __future__ import annotations

import pandas as pd
import pytest

from miam_qual import MiamError
from miam_qual import analysis as A


def test_code_frequencies_match_the_codings(demo_project):
    codings = demo_project.codings()
    table = A.code_frequencies(demo_project).set_index("code_id")
    codable = [c.id for c in demo_project.codebook if c.codable]
    assert list(table.index) == codable  # every codable code, codebook order
    for code_id in ("prix", "qualite", "isolement"):
        mine = codings[codings["code_id"] == code_id]
        assert table.loc[code_id, "segments"] == len(mine)
        assert table.loc[code_id, "documents"] == len(set(mine["document"]))
        assert table.loc[code_id, "own_segments"] == len(mine)
    assert table["own_segments"].sum() == len(codings)
    # participants: the « participant » pseudonym of each document
    prix = codings[(codings["code_id"] == "prix") & codings["participant"].notna()]
    assert table.loc["prix", "participants"] >= len(set(prix["participant"]))


def test_an_intermediate_code_counts_its_sub_codes_like_codings_and_has(demo_project):
    """« Freins » has sub-codes: its count is that of codings("freins") and has("freins"), its
    own codings are a column of their own, and passages coded twice count once as passages."""
    codings = demo_project.codings()
    table = A.code_frequencies(demo_project).set_index("code_id")
    with_subcodes = demo_project.codings("freins")
    own = codings[codings["code_id"] == "freins"]
    assert len(with_subcodes) > len(own) > 0
    assert table.loc["freins", "segments"] == len(with_subcodes)
    assert table.loc["freins", "own_segments"] == len(own)
    assert table.loc["freins", "passages"] == with_subcodes["selection_id"].nunique()
    assert table.loc["freins", "documents"] == with_subcodes["document_id"].nunique()
    passages = A.retrieve(demo_project, A.has("freins"))
    assert len(passages) <= table.loc["freins", "passages"]
    # double coding is visible: more codings than distinct passages, for a leaf code too
    prix = codings[codings["code_id"] == "prix"]
    assert table.loc["prix", "passages"] == prix["selection_id"].nunique() < len(prix)
    themes = A.theme_frequencies(demo_project).set_index("theme_id")
    acces = codings[codings["theme_id"] == "acces"]
    assert themes.loc["acces", "passages"] == acces["selection_id"].nunique()
    by_coder = A.code_frequencies(demo_project, by="coder")
    mine = by_coder[(by_coder["code_id"] == "freins") & (by_coder["coder"] == "camille")].iloc[0]
    assert mine["segments"] == len(with_subcodes[with_subcodes["coder"] == "camille"])


def test_frequencies_by_coder_and_theme(demo_project):
    codings = demo_project.codings()
    by_coder = A.code_frequencies(demo_project, by="coder")
    assert set(by_coder["coder"]) == {"camille", "karim", "léa"}
    row = by_coder[(by_coder["code_id"] == "qualite") & (by_coder["coder"] == "camille")].iloc[0]
    assert row["segments"] == len(
        codings[(codings["code_id"] == "qualite") & (codings["coder"] == "camille")]
    )
    themes = A.theme_frequencies(demo_project).set_index("theme_id")
    assert list(themes.index) == [t.id for t in demo_project.codebook.themes()]
    wanted = set(demo_project.codebook.descendants("acces"))
    assert themes.loc["acces", "segments"] == codings["code_id"].isin(wanted).sum()
    with pytest.raises(MiamError, match="Colonne inconnue"):
        A.code_frequencies(demo_project, by="pointure")


def test_crosstab_counts_and_share(demo_project):
    codings = demo_project.codings()
    table = A.crosstab(demo_project, "type_source")
    row = table[(table["code_id"] == "prix") & (table["value"] == "questionnaire")].iloc[0]
    questionnaire = codings[codings["type_source"] == "questionnaire"]
    assert row["segments"] == (questionnaire["code_id"] == "prix").sum()
    coded = set(questionnaire.loc[questionnaire["code_id"] == "prix", "participant"])
    assert row["participants"] == len(coded)
    assert row["group_participants"] == questionnaire["participant"].nunique()
    assert row["share"] == pytest.approx(len(coded) / questionnaire["participant"].nunique())
    wide = A.crosstab_table(table)
    assert wide.loc["Prix et budget", "questionnaire"] == row["segments"]
    themes = A.crosstab(demo_project, "vague", level="theme")
    assert set(themes["code_id"]) <= {t.id for t in demo_project.codebook.themes()}


def test_cooccurrence_overlap_counts_pairs_by_the_same_coder(demo_project):
    codings = demo_project.codings()
    pairs = A.cooccurrence(demo_project)
    # independent count: same document, same coder, different codes, overlapping spans
    expected: dict[tuple[str, str], int] = {}
    order = {c.id: i for i, c in enumerate(demo_project.codebook)}
    rows = list(
        codings[["document_id", "start", "end", "code_id", "coder"]].itertuples(index=False)
    )
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if a.document_id == b.document_id and a.coder == b.coder and a.code_id != b.code_id:
                if a.start < b.end and b.start < a.end:
                    key = tuple(sorted((a.code_id, b.code_id), key=order.get))
                    expected[key] = expected.get(key, 0) + 1
    found = {(r.code_a, r.code_b): r.count for r in pairs.itertuples()}
    assert found == expected
    assert pairs["count"].is_monotonic_decreasing
    matrix = A.cooccurrence_matrix(demo_project)
    assert (matrix.to_numpy() == matrix.to_numpy().T).all()
    assert matrix.loc["prix", "prix"] == (codings["code_id"] == "prix").sum()
    a, b = next(iter(expected))
    assert matrix.loc[a, b] == expected[(a, b)]


def test_cooccurrence_in_the_same_answer(demo_project):
    pairs = A.cooccurrence(demo_project, mode="answer")
    codings = demo_project.codings()
    questionnaire = codings[codings["document"].str.contains("questionnaire")]
    # every answer of a respondent is one unit: count (code_a, code_b) answers by hand
    units = {}
    for doc in questionnaire["document"].unique():
        answers = demo_project.units(doc, "answer")
        for row in questionnaire[questionnaire["document"] == doc].itertuples():
            hit = answers[(answers["start"] <= row.start) & (answers["end"] > row.start)]
            units.setdefault((doc, int(hit["index"].iloc[0])), set()).add(row.code_id)
    first = pairs.iloc[0]
    expected = sum(1 for codes in units.values() if {first["code_a"], first["code_b"]} <= codes)
    assert first["count"] == expected
    with pytest.raises(MiamError, match="Mode de cooccurrence inconnu"):
        A.cooccurrence(demo_project, mode="page")


def test_code_document_matrix(demo_project):
    codings = demo_project.codings()
    matrix = A.code_document_matrix(demo_project)
    assert matrix.to_numpy().sum() == len(codings)
    doc = codings["document"].iloc[0]
    assert (
        matrix.loc["prix", doc]
        == ((codings["document"] == doc) & (codings["code_id"] == "prix")).sum()
    )


def test_compare_waves(demo_project):
    waves = A.compare_waves(demo_project).set_index("code_id")
    documents = demo_project.documents()
    questionnaire = documents[documents["kind"] == "questionnaire"]
    before = questionnaire[questionnaire["vague"] == "état initial"]
    after = questionnaire[questionnaire["vague"] == "bilan"]
    codings = demo_project.codings(code="prix")
    coded_before = set(codings[codings["document_id"].isin(before["document_id"])]["participant"])
    coded_after = set(codings[codings["document_id"].isin(after["document_id"])]["participant"])
    row = waves.loc["prix"]
    assert row["respondents_before"] == len(coded_before)
    assert row["share_before"] == pytest.approx(len(coded_before) / before["participant"].nunique())
    assert row["share_after"] == pytest.approx(len(coded_after) / after["participant"].nunique())
    paired = set(before["participant"]) & set(after["participant"])
    assert row["paired"] == len(paired)
    assert row["lost"] == len((coded_before - coded_after) & paired)
    assert waves.attrs["waves"] == ("état initial", "bilan")
    with pytest.raises(MiamError, match="introuvable"):
        A.compare_waves(demo_project, after="fin du monde")


def test_retrieve_boolean_combinations(demo_project):
    codings = demo_project.codings()
    both = A.retrieve(demo_project, A.has("prix") & A.has("qualite"))
    assert len(both) > 0
    for row in both.itertuples():
        assert "Prix et budget" in row.codes and "Qualité perçue des produits" in row.codes
    prix_only = A.retrieve(demo_project, A.has("prix") & ~A.has("qualite"))
    assert all("Qualité perçue" not in c for c in prix_only["codes"])
    every_prix = A.retrieve(demo_project, "prix")
    assert len(every_prix) == len(both) + len(prix_only)
    # passages: every coded span holding prix or touching a span coded prix
    assert len(every_prix) >= codings[codings["code_id"] == "prix"]["selection_id"].nunique()
    # a theme stands for any of its codes
    theme = A.retrieve(demo_project, A.has("acces"))
    wanted = set(demo_project.codebook.descendants("acces"))
    assert len(theme) >= codings[codings["code_id"].isin(wanted)]["selection_id"].nunique()
    # attribute filters and coder
    bilan = A.retrieve(demo_project, "prix", vague="bilan", coder="karim")
    assert set(bilan["vague"]) == {"bilan"}
    assert set(", ".join(bilan["coders"]).split(", ")) == {"karim"}
    assert "ET NON" in (A.has("prix") - A.has("qualite")).describe({"prix": "Prix"})


def test_retrieve_within_turns(demo_project):
    result = A.retrieve(demo_project, A.has("prix") | A.has("isolement"), within="turn")
    assert len(result) > 0
    for row in result.head(10).itertuples():
        text = demo_project.text(row.document_id)
        assert text[row.start : row.end] == row.text
        turns = demo_project.units(row.document_id, "turn")
        assert ((turns["start"] == row.start) & (turns["end"] == row.end)).any()


def test_saturation_curve(demo_project):
    curve = A.saturation(demo_project)
    codings = demo_project.codings()
    assert curve["cumulative_codes"].iloc[-1] == codings["code_id"].nunique()
    assert curve["cumulative_codes"].is_monotonic_increasing
    assert curve["new_codes"].sum() == codings["code_id"].nunique()
    assert curve["share_of_codes"].iloc[-1] == 1.0
    first = curve.iloc[0]
    assert set(first["new_code_ids"]) == set(
        codings[codings["document"] == first["document"]]["code_id"]
    )


def test_empty_project_gives_empty_tables(project):
    assert A.code_frequencies(project)["segments"].sum() == 0
    assert A.cooccurrence(project).empty
    assert A.saturation(project).empty
    assert isinstance(A.code_document_matrix(project), pd.DataFrame)


def test_empty_project_by_a_column_gives_an_empty_table_with_its_columns(project):
    """Nothing coded: grouping by coder or by a declared attribute returns no rows, not an error."""
    by_coder = A.code_frequencies(project, by="coder")
    assert by_coder.empty
    assert list(by_coder.columns) == [
        "code_id", "code", "theme_id", "theme", "depth", "coder", "segments", "own_segments",
        "passages", "documents", "participants",
    ]  # fmt: skip
    assert list(A.code_frequencies(project, by=["coder", "vague"]).columns)[5:7] == [
        "coder",
        "vague",
    ]
    assert A.theme_frequencies(project, by="coder").empty
    table = A.crosstab(project, "vague")
    assert table.empty and "share" in table.columns


def test_refusals_name_the_problem(demo_project):
    from miam_qual.errors import (
        AnalysisError,
        EmptySelection,
        UnknownColumn,
        UnknownOption,
    )

    with pytest.raises(UnknownColumn, match="Colonne inconnue : humeur"):
        A.code_frequencies(demo_project, by="humeur")
    with pytest.raises(UnknownOption, match="Niveau inconnu « sous-code »"):
        A.crosstab(demo_project, "vague", level="sous-code")
    with pytest.raises(UnknownOption, match="Mode de cooccurrence inconnu « phrase »"):
        A.cooccurrence(demo_project, mode="phrase")
    with pytest.raises(UnknownOption, match="Passage inconnu « phrase »"):
        A.retrieve(demo_project, "prix", within="phrase")
    with pytest.raises(EmptySelection, match="Vague « fin du monde » introuvable"):
        A.compare_waves(demo_project, after="fin du monde")
    with pytest.raises(UnknownColumn, match="l'attribut « humeur »"):
        A.compare_waves(demo_project, attribute="humeur", before="a", after="b")
    with pytest.raises(UnknownOption, match="ne déclare pas ses vagues"):
        A.compare_waves(demo_project, attribute="participant")
    assert issubclass(UnknownOption, AnalysisError) and issubclass(UnknownColumn, AnalysisError)


def test_waves_default_to_the_declared_wave_attribute_and_its_first_and_last_values(demo_project):
    spec = demo_project.config.attributes[demo_project.config.review.wave]
    waves = A.compare_waves(demo_project)
    assert waves.attrs["waves"] == (spec.choices[0], spec.choices[-1])


def test_public_names():
    assert sorted(A.__all__) == sorted(
        [
            "COOCCURRENCE_MODES",
            "Query",
            "code_document_matrix",
            "code_frequencies",
            "compare_waves",
            "cooccurrence",
            "cooccurrence_matrix",
            "crosstab",
            "crosstab_table",
            "has",
            "participant_keys",
            "retrieve",
            "saturation",
            "theme_frequencies",
        ]  # fmt: skip
    )
    assert all(hasattr(A, name) for name in A.__all__)
