"""Agreement statistics against published worked examples, then on real projects."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from miam_qual import MiamError
from miam_qual.agreement import (
    agreement,
    cohen_kappa,
    disagreements,
    krippendorff_alpha,
    percent_agreement,
)
from miam_qual.agreement.statistics import coincidence_matrix, confusion_matrix
from miam_qual.segmentation import sentence_spans

N = None
# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): 4 observers × 12 units,
# nominal data with missing values; published alpha = 0.743.
KRIPPENDORFF_4x12 = pd.DataFrame(
    {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        "C": [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    }
)
# Same paper: 2 observers, 10 units, binary data; published alpha = 0.095.
KRIPPENDORFF_BINARY = pd.DataFrame(
    {"A": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], "B": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]}
)


def test_krippendorff_four_coders_with_missing_values():
    assert round(krippendorff_alpha(KRIPPENDORFF_4x12), 3) == 0.743


def test_krippendorff_coincidence_matrix_matches_the_paper():
    o, categories = coincidence_matrix(KRIPPENDORFF_4x12)
    table = pd.DataFrame(o, index=categories, columns=categories).sort_index().sort_index(axis=1)
    # Published coincidences: n_c = 9, 13, 10, 8, 3 pairable values (n = 40 after unit 12 drops).
    assert table.sum().round(6).tolist() == [9, 13, 10, 5, 3]
    assert round(table.loc[1, 1], 3) == 7.0
    assert table.loc[1, 2] == pytest.approx(4 / 3)


def test_krippendorff_two_coders_binary():
    assert round(krippendorff_alpha(KRIPPENDORFF_BINARY), 3) == 0.095


def test_cohen_kappa_textbook_example():
    # 50 proposals read by two reviewers: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    first = ["oui"] * 25 + ["non"] * 25
    second = ["oui"] * 20 + ["non"] * 5 + ["oui"] * 10 + ["non"] * 15
    assert round(cohen_kappa(first, second), 3) == 0.4
    assert round(percent_agreement(list(zip(first, second, strict=True))), 3) == 0.7
    table = confusion_matrix(first, second)
    assert table.loc["oui", "non"] == 5 and table.loc["non", "oui"] == 10


def test_weights_equal_repeated_units():
    data = [[1, 1], [1, 2], [2, 2], [2, 2]]
    weights = [3, 1, 2, 5]
    repeated = [row for row, w in zip(data, weights, strict=True) for _ in range(w)]
    assert krippendorff_alpha(data, weights=weights) == pytest.approx(krippendorff_alpha(repeated))
    assert cohen_kappa(
        [r[0] for r in data], [r[1] for r in data], weights=weights
    ) == pytest.approx(cohen_kappa([r[0] for r in repeated], [r[1] for r in repeated]))
    assert percent_agreement(data, weights=weights) == pytest.approx(10 / 11)


def test_undefined_statistics_are_nan_not_errors():
    assert math.isnan(krippendorff_alpha([[1, 1], [1, 1]]))  # one category only
    assert math.isnan(krippendorff_alpha([[1, N], [N, 2]]))  # nothing pairable
    assert math.isnan(cohen_kappa(["a", "a"], ["a", "a"]))
    assert krippendorff_alpha([[1, 1], [2, 2], [3, 3]]) == 1.0


def test_alpha_accepts_text_categories_and_numpy():
    letters = KRIPPENDORFF_4x12.apply(lambda col: col.map({1: "a", 2: "b", 3: "c", 4: "d", 5: "e"}))
    assert round(krippendorff_alpha(letters), 3) == 0.743
    as_array = KRIPPENDORFF_4x12.to_numpy(dtype=float)
    assert round(krippendorff_alpha(as_array), 3) == 0.743


def test_sentence_spans():
    text = "Bonjour. Ça coûte cher ! Oui…\n\nLe marché »  fin"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Bonjour.",
        "Ça coûte cher !",
        "Oui…",
        "Le marché »  fin",
    ]


def test_random_data_alpha_is_near_zero():
    rng = np.random.default_rng(1)
    data = rng.integers(0, 4, (5000, 3)).astype(float)
    assert abs(krippendorff_alpha(data)) < 0.05


# -- project level --------------------------------------------------------------------------
def _two_coder_project(project):
    text = (
        "Habitante 1 : Les légumes sont trop chers au marché.\n"
        "Enquêtrice : Et l'épicerie ?\n"
        "Habitante 1 : L'épicerie éphémère, c'est bien, on y trouve du frais.\n"
    )
    path = project.root / "corpus_test.txt"
    path.write_text(text, encoding="utf-8")
    project.import_files([path], by="test")
    name = project.documents()["document"].iloc[0]
    return name, text


def test_agreement_on_a_project(project):
    name, text = _two_coder_project(project)
    codes = [c.id for c in project.codebook if c.codable][:2]
    first = text.index("Les légumes")
    second = text.index("L'épicerie éphémère")
    project.code(name, first, first + 20, codes[0], coder="camille")
    project.code(name, first + 5, first + 30, codes[0], coder="karim")
    project.code(name, second, second + 10, codes[1], coder="camille")
    units = project.units(name, "turn")
    result = agreement(project, unit="turn")
    overall = result.iloc[0]
    assert overall["code_id"] == "*"
    assert overall["units"] == len(units)
    row = result.set_index("code_id").loc[codes[0]]
    assert row["percent_agreement"] == 1.0
    row = result.set_index("code_id").loc[codes[1]]
    assert row["percent_agreement"] == pytest.approx((len(units) - 1) / len(units))
    ignored = agreement(project, unit="turn", uncoded="ignore")
    assert ignored.iloc[0]["units"] == 2
    chars = agreement(project, unit="character")
    row = chars.set_index("code_id").loc[codes[0]]
    assert row["units"] == len(text.rstrip("\n")) or row["units"] == len(project.text(name))
    assert row["units_coded"] == 30  # union of [first, first+20) and [first+5, first+30)
    assert row["percent_agreement"] == pytest.approx(1 - 15 / len(project.text(name)))
    table = disagreements(project, unit="turn")
    assert len(table) == 1
    assert table.iloc[0]["camille"] == project.codebook.get(codes[1]).label
    assert table.iloc[0]["karim"] == ""


def test_agreement_needs_two_coders(project):
    name, text = _two_coder_project(project)
    code = next(c.id for c in project.codebook if c.codable)
    project.code(name, 0, 10, code, coder="camille")
    with pytest.raises(MiamError, match="deux codeurs"):
        agreement(project)
    with pytest.raises(MiamError, match="Unité d'analyse inconnue"):
        agreement(project, unit="mot", coders=["camille", "karim"])


def test_agreement_refusals_say_what_happened(project):
    from miam_qual.errors import AgreementError, DuplicateCoder, UnknownCoder, UnknownOption

    name, text = _two_coder_project(project)
    code = next(c.id for c in project.codebook if c.codable)
    project.code(name, 0, 10, code, coder="camille")
    with pytest.raises(DuplicateCoder, match="« camille » figure deux fois"):
        agreement(project, coders=["camille", "camille"])
    with pytest.raises(UnknownCoder, match=r"Codeur inconnu « personne » \(codeurs enregistrés : "):
        agreement(project, coders=["camille", "personne"])
    with pytest.raises(AgreementError, match="« karim » n'a encore rien codé"):
        agreement(project, coders=["camille", "karim"])
    with pytest.raises(UnknownOption, match="Option « uncoded » inconnue « rien »"):
        agreement(project, uncoded="rien")
    with pytest.raises(UnknownOption, match="Unité d'analyse inconnue « mot »"):
        disagreements(project, unit="mot")
    other = project.root / "autre.txt"
    other.write_text("Habitant 3 : Le bus ne passe plus.\n", encoding="utf-8")
    project.import_files([other], by="test")
    project.code("autre.txt", 13, 20, code, coder="karim")
    with pytest.raises(
        AgreementError, match="Aucun document n'a été codé à la fois par « camille » et « karim »"
    ):
        agreement(project)
    project.code(name, 0, 10, code, coder="karim")
    with pytest.raises(AgreementError, match="aucune unité « réponse au questionnaire »"):
        agreement(project, unit="answer")
    other_code = [c.id for c in project.codebook if c.codable][1]
    with pytest.raises(AgreementError, match="Rien à comparer .* avec les codes demandés"):
        agreement(project, codes=[other_code])
    assert agreement(project).iloc[0]["percent_agreement"] == 1.0


def test_weights_must_be_one_non_negative_number_per_unit():
    from miam_qual.errors import AgreementError, InvalidWeights

    data = [[1, 1], [1, 2], [2, 2]]
    with pytest.raises(InvalidWeights, match=r"unité 2 \(-1\) : un poids est un nombre positif"):
        krippendorff_alpha(data, weights=[1, -1, 1])
    with pytest.raises(InvalidWeights, match="unité 1 \\(non fini\\)"):
        percent_agreement(data, weights=[float("nan"), 1, 1])
    with pytest.raises(InvalidWeights, match="3 unité\\(s\\), 2 poids"):
        cohen_kappa([1, 1, 2], [1, 2, 2], weights=[1, 1])
    with pytest.raises(InvalidWeights, match="des nombres"):
        coincidence_matrix(data, weights=["un", "deux", "trois"])
    with pytest.raises(AgreementError, match="une ligne par unité"):
        krippendorff_alpha(np.zeros((2, 2, 2)))
    # a zero weight leaves the unit out: same alpha as without it
    assert krippendorff_alpha(data, weights=[1, 0, 1]) == pytest.approx(
        krippendorff_alpha([[1, 1], [2, 2]])
    )


def test_demo_agreement_matches_a_hand_count(demo_project):
    """Per code on speaker turns, rebuilt with plain Python from units() and codings()."""
    codings = demo_project.codings(coder=["camille", "karim"])  # the default pair (léa trains)
    both = [d for d, g in codings.groupby("document") if g["coder"].nunique() == 2]
    judgements: dict[str, list[tuple[int, int]]] = {}
    used = set()
    turns_by_doc = {d: demo_project.units(d, "turn") for d in both}
    for doc in turns_by_doc:
        used |= set(codings.loc[codings["document"] == doc, "code_id"])
    for doc, turns in turns_by_doc.items():
        mine = codings[codings["document"] == doc]
        for turn in turns.itertuples():
            inside = mine[(mine["start"] < turn.end) & (mine["end"] > turn.start)]
            for code in used:
                hit = inside[inside["code_id"] == code]
                pair = (
                    int((hit["coder"] == "camille").any()),
                    int((hit["coder"] == "karim").any()),
                )
                judgements.setdefault(code, []).append(pair)
    table = agreement(demo_project, unit="turn").set_index("code_id")
    for code in ("prix", "qualite", "isolement"):
        pairs = judgements[code]
        first, second = [p[0] for p in pairs], [p[1] for p in pairs]
        row = table.loc[code]
        assert row["units"] == len(pairs)
        assert row["percent_agreement"] == pytest.approx(sum(a == b for a, b in pairs) / len(pairs))
        assert row["kappa"] == pytest.approx(cohen_kappa(first, second))
        assert row["alpha"] == pytest.approx(
            krippendorff_alpha(list(zip(first, second, strict=True)))
        )
    answers = agreement(demo_project, unit="answer")
    questionnaire = [d for d in both if "questionnaire" in d]
    assert answers.iloc[0]["units"] == sum(
        len(demo_project.units(d, "answer")) for d in questionnaire
    )
    sentences = agreement(demo_project, unit="sentence", uncoded="ignore")
    assert (
        0 < sentences.iloc[0]["units"] < agreement(demo_project, unit="sentence").iloc[0]["units"]
    )


def test_public_names():
    import miam_qual.agreement as module

    assert sorted(module.__all__) == sorted(
        [
            "AGREEMENT_COLUMNS",
            "OVERALL",
            "OVERALL_LABEL",
            "UNCODED_LABELS",
            "UNIT_LABELS",
            "Comparison",
            "agreement",
            "agreement_units",
            "cohen_kappa",
            "compare",
            "default_coders",
            "describe",
            "disagreements",
            "krippendorff_alpha",
            "locate",
            "percent_agreement",
            "alpha_bootstrap",
            "alpha_intervals",
            "brennan_prediger",
            "character_agreement",
            "character_agreement_averages",
            "code_presence",
            "coefficients",
            "fleiss_kappa",
            "gwet_ac1",
            "pairwise",
            "pairwise_matrix",
            "segment_agreement",
            "segment_matches",
            "theme_agreement",
        ]  # fmt: skip
    )
    assert all(hasattr(module, name) for name in module.__all__)


def test_a_third_coder_leaves_the_default_comparison_as_it_was(demo_project):
    """The intern codes a little: the default still compares the pair sharing the most documents,
    and says who is left out; naming all three compares only what all three coded, and says
    which documents were left out and why."""
    from miam_qual.agreement import compare, describe

    before = agreement(demo_project, unit="turn")
    codings = demo_project.codings()
    codings = codings[codings["coder"] != "léa"]  # the demo's trainee, on one document only
    shared = codings.groupby("document")["coder"].nunique()
    both = sorted(shared[shared == 2].index)
    both.sort(key=lambda d: demo_project.units(d, "turn").empty)  # one with turns first
    alone = sorted(set(demo_project.documents()["document"]) - set(codings["document"]))
    assert both and alone
    demo_project.add_coder("stagiaire")
    code = next(c.id for c in demo_project.codebook if c.codable)
    for document in (both[0], alone[0]):
        demo_project.code(document, 0, 5, code, coder="stagiaire")

    pd.testing.assert_frame_equal(agreement(demo_project, unit="turn"), before)
    default = compare(demo_project, unit="turn")
    assert (default.coders, default.others, default.chosen) == (
        ["camille", "karim"],
        ["léa", "stagiaire"],  # léa: the demo's trainee
        "pair",
    )
    said = describe(default)
    assert "« camille » et « karim » (la paire qui a codé le plus de documents en commun)" in said
    assert "« stagiaire »" in said and "Non comparé" in said
    assert f"{len(both)} document(s) comparé(s)" in said

    three = compare(demo_project, unit="turn", coders=["camille", "karim", "stagiaire"])
    assert three.documents == [both[0]]
    left = three.left_out.set_index("document")
    assert set(left.index) == (set(both) - {both[0]}) | {alone[0]} | set(shared[shared == 1].index)
    assert left.loc[alone[0], "reason"] == "codé seulement par « stagiaire »"
    assert left.loc[both[1], "coders"] == "camille, karim"
    table = agreement(demo_project, comparison=three)
    assert table.iloc[0]["units"] == len(demo_project.units(both[0], "turn"))
    assert "laissé(s) de côté" in describe(three) and "choisi·es" in describe(three)


# -- several coders: Fleiss' kappa, Gwet's AC1, Brennan–Prediger, and Krippendorff's bootstrap ----
def _raw(counts: list[list[int]]) -> pd.DataFrame:
    """Raw ratings (units × raters) from per-unit category counts, category j written j."""
    return pd.DataFrame([[j for j, n in enumerate(row) for _ in range(n)] for row in counts])


# Wikipedia's worked example of Fleiss' kappa (10 subjects, 14 raters, 5 categories):
# P = 0.378, Pe = 0.213, kappa = 0.210.
FLEISS_WORKED = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip
# Gwet's irrCAC vignette: two abstractors, contingency table of 3 categories; published
# Cohen's kappa 0.7964094 and Scott's pi (Fleiss' kappa with two raters) 0.7962397.
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def test_fleiss_kappa_worked_example():
    from miam_qual.agreement import coefficients, fleiss_kappa

    data = _raw(FLEISS_WORKED)
    assert round(fleiss_kappa(data), 3) == 0.210
    assert round(coefficients(data)["percent_agreement"], 3) == 0.378


def test_two_abstractors_published_kappa_and_scott_pi():
    from miam_qual.agreement import fleiss_kappa

    first = [i for i, row in enumerate(ABSTRACTORS) for j, n in enumerate(row) for _ in range(n)]
    second = [j for i, row in enumerate(ABSTRACTORS) for j, n in enumerate(row) for _ in range(n)]
    assert round(cohen_kappa(first, second), 7) == 0.7964094
    assert round(fleiss_kappa(list(zip(first, second, strict=True))), 7) == 0.7962397


def _irrcac(data: pd.DataFrame) -> dict[str, float]:
    """irrCAC's Fleiss, AC1 and Brennan–Prediger, unrounded. Categories are passed explicitly:
    with pandas 3, irrCAC's own category list (``stack().unique()``) keeps NaN as a category."""
    from irrCAC.raw import CAC

    values = data.to_numpy(dtype=float)
    categories = sorted(set(values[~np.isnan(values)].tolist()))
    cac = CAC(pd.DataFrame(values), digits=20, categories=categories)
    return {
        "fleiss_kappa": cac.fleiss()["est"]["coefficient_value"],
        "gwet_ac1": cac.gwet()["est"]["coefficient_value"],
        "brennan_prediger": cac.bp()["est"]["coefficient_value"],
        "percent_agreement": cac.fleiss()["est"]["pa"],
    }


@pytest.mark.filterwarnings("ignore")
def test_coefficients_equal_irrcac_and_krippendorff_on_random_matrices():
    """Seeded random reliability data, 2 to 6 coders, 2 to 5 categories, 20 % missing."""
    import krippendorff

    from miam_qual.agreement import coefficients

    rng = np.random.default_rng(13)
    checked = 0
    while checked < 60:
        n, m, k = int(rng.integers(5, 50)), int(rng.integers(2, 7)), int(rng.integers(2, 6))
        values = rng.integers(0, k, (n, m)).astype(float)
        values[rng.random((n, m)) < 0.2] = np.nan
        observed = values[~np.isnan(values)]
        if len(set(observed.tolist())) < 2 or (np.sum(~np.isnan(values), axis=1) >= 2).sum() < 2:
            continue
        data = pd.DataFrame(values)
        ours = coefficients(data)
        reference = _irrcac(data)
        reference["alpha"] = krippendorff.alpha(
            reliability_data=values.T, level_of_measurement="nominal"
        )
        for name, value in reference.items():
            assert ours[name] == pytest.approx(float(value), abs=1e-12), (name, n, m, k)
        checked += 1


@pytest.mark.filterwarnings("ignore")
def test_coefficients_equal_irrcac_on_gwet_examples():
    """Gwet's textbook data sets shipped with irrCAC: 4 raters × 12 subjects with missing
    ratings, 5 observers × 15 units, and Fleiss' (1971) 6 psychiatrists (first 15 patients)."""
    from irrCAC import datasets

    from miam_qual.agreement import coefficients

    six = datasets.distrib_6raters()
    for data in (
        datasets.raw_4raters().astype(float),
        datasets.raw_5observers(),
        _raw(six.to_numpy().tolist()),
    ):
        ours = coefficients(data)
        for name, value in _irrcac(data).items():
            assert ours[name] == pytest.approx(float(value), abs=1e-12), name
    # published values (irrCAC's vignette, Gwet 2014) for the 4 raters × 12 subjects
    ours = coefficients(datasets.raw_4raters().astype(float))
    assert round(ours["fleiss_kappa"], 5) == 0.76117
    assert round(ours["gwet_ac1"], 5) == 0.77544
    assert round(ours["brennan_prediger"], 5) == 0.77273
    assert round(ours["alpha"], 5) == 0.74342


def test_rare_code_kappa_paradox_ac1_stays_high():
    """A code applied once in 100 units by one coder only: agreement 99 %, kappa 0, AC1 ≈ 0.99."""
    from miam_qual.agreement import brennan_prediger, coefficients, gwet_ac1

    data = [[0, 0]] * 99 + [[1, 0]]
    result = coefficients(data)
    assert result["percent_agreement"] == pytest.approx(0.99)
    assert result["fleiss_kappa"] == pytest.approx(-1 / 199)
    assert gwet_ac1(data) > 0.98
    assert brennan_prediger(data) == pytest.approx(0.98)
    assert brennan_prediger(data, n_categories=4) == pytest.approx((0.99 - 0.25) / 0.75)
    assert math.isnan(gwet_ac1([[1, 1], [1, 1]]))  # one category: undefined


def test_bootstrap_follows_krippendorff_and_is_seeded():
    from miam_qual.agreement import alpha_bootstrap
    from miam_qual.errors import UnknownOption

    result = alpha_bootstrap(KRIPPENDORFF_4x12, samples=2000, seed=7)
    assert result.alpha == pytest.approx(krippendorff_alpha(KRIPPENDORFF_4x12))
    # pairs of judgements: units judged by 3, 4, 4, 4, 4, 4, 4, 4, 4, 3, 2 coders (unit 12: 1)
    assert result.draws == 3 + 8 * 6 + 3 + 1
    assert result.low < result.alpha < result.high <= 1
    assert alpha_bootstrap(KRIPPENDORFF_4x12, samples=2000, seed=7) == result
    assert alpha_bootstrap(KRIPPENDORFF_4x12, samples=2000, seed=8) != result
    assert 0 < result.below[0.8] < 1 and result.below[0.667] <= result.below[0.8]
    # the mean resampled disagreement is the observed one: the distribution centres on alpha
    wide = alpha_bootstrap(KRIPPENDORFF_4x12, samples=20000, seed=1, level=0.5)
    assert (wide.low + wide.high) / 2 == pytest.approx(result.alpha, abs=0.02)
    perfect = alpha_bootstrap([[1, 1], [2, 2], [1, 1]])
    assert (perfect.low, perfect.high) == (1.0, 1.0)
    assert math.isnan(alpha_bootstrap([[1, 1], [1, 1]]).low)
    with pytest.raises(UnknownOption, match="Niveau de confiance"):
        alpha_bootstrap(KRIPPENDORFF_4x12, level=95)


# -- project level: themes, pairs, intervals, MAXQDA and NVivo figures ------------------------
def _boundary_project(project):
    """Two documents; camille and karim disagree on boundaries in the first, agree in the
    second, where the intern codes too."""
    name, text = _two_coder_project(project)
    other = project.root / "autre.txt"
    other.write_text("Habitant 3 : Le bus ne passe plus.\n", encoding="utf-8")
    project.import_files([other], by="test")
    project.add_coder("stagiaire")
    project.code(name, 10, 30, "prix", coder="camille")
    project.code(name, 12, 30, "prix", coder="karim")  # overlap 18 / 20 = 90 %
    project.code(name, 40, 50, "qualite", coder="camille")
    project.code(name, 45, 60, "qualite", coder="karim")  # overlap 5 / 20 = 25 %
    project.code(name, 0, 5, "proximite", coder="karim")  # karim only
    for coder in ("camille", "karim", "stagiaire"):
        project.code("autre.txt", 0, 10, "prix", coder=coder)
    return name, text


def test_segment_matching_with_a_minimum_overlap(project):
    from miam_qual.agreement import segment_agreement, segment_matches
    from miam_qual.errors import UnknownOption

    name, _text = _boundary_project(project)
    pair = ["camille", "karim"]
    table = segment_agreement(project, coders=pair, min_overlap=0.9).set_index("code_id")
    # prix: 2 + 2 segments matched (both documents); qualite: 2 unmatched; proximite: 1
    assert table.loc["*", ["segments", "matched", "unmatched"]].tolist() == [7, 4, 3]
    assert table.loc["prix", "percent_agreement"] == 1.0
    assert table.loc["qualite", "matched"] == 0 and table.loc["proximite", "segments"] == 1
    stricter = segment_agreement(project, coders=pair, min_overlap=0.95).set_index("code_id")
    assert stricter.loc["prix", "matched"] == 2  # only the identical ones, in autre.txt
    lenient = segment_agreement(project, coders=pair, min_overlap=0.25).set_index("code_id")
    assert lenient.loc["qualite", "matched"] == 2
    matches = segment_matches(project, coders=pair)
    first = matches[(matches["document"] == name) & (matches["code_id"] == "prix")]
    assert first["overlap"].tolist() == pytest.approx([0.9, 0.9])
    assert matches.loc[matches["code_id"] == "proximite", "overlap"].tolist() == [0.0]
    with pytest.raises(UnknownOption, match="Chevauchement minimal invalide"):
        segment_agreement(project, coders=pair, min_overlap=90)


def test_code_presence_per_document(project):
    from miam_qual.agreement import code_presence

    _boundary_project(project)
    table = code_presence(project, coders=["camille", "karim"]).set_index("code_id")
    assert table.loc["*", ["documents", "documents_all"]].tolist() == [4, 3]
    assert table.loc["prix", ["documents", "documents_all"]].tolist() == [2, 2]
    assert table.loc["proximite", "percent_agreement"] == 0.0


def test_nvivo_character_agreement_by_hand(project):
    from miam_qual.agreement import character_agreement, character_agreement_averages
    from miam_qual.errors import AgreementError

    name, text = _boundary_project(project)
    length, short = len(project.text(name)), len(project.text("autre.txt"))
    table = character_agreement(project, coders=["camille", "karim"])
    row = table.set_index(["document", "code_id"]).loc[(name, "prix")]
    assert [row["both"], row["first_only"], row["second_only"]] == [18, 2, 0]
    assert row["neither"] == length - 20
    assert row["percent_agreement"] == pytest.approx((length - 2) / length)
    first = [10 <= i < 30 for i in range(length)]
    second = [12 <= i < 30 for i in range(length)]
    assert row["kappa"] == pytest.approx(cohen_kappa(first, second))
    untouched = table.set_index(["document", "code_id"]).loc[("autre.txt", "qualite")]
    assert (untouched["coded"], untouched["percent_agreement"], untouched["kappa"]) == (
        False, 1.0, 1.0,
    )  # fmt: skip
    averages = character_agreement_averages(table).set_index("code_id")
    assert averages.loc["prix", "documents"] == 2
    assert averages.loc["prix", "percent_agreement"] == pytest.approx(
        (row["percent_agreement"] + 1) / 2
    )
    assert averages.loc["prix", "percent_agreement_weighted"] == pytest.approx(
        (row["percent_agreement"] * length + short) / (length + short)
    )
    coded = character_agreement_averages(table, coded_only=True).set_index("code_id")
    assert coded.loc["qualite", "documents"] == 1
    with pytest.raises(AgreementError, match="exactement deux codeurs"):
        character_agreement(project, coders=["camille", "karim", "stagiaire"])


def test_pairs_of_coders_each_on_their_shared_documents(project):
    from miam_qual.agreement import pairwise, pairwise_matrix

    _boundary_project(project)
    table = pairwise(project, unit="turn").set_index(["coder_a", "coder_b"])
    assert table.loc[("camille", "karim"), "documents"] == 2
    assert table.loc[("camille", "stagiaire"), "documents"] == 1
    assert table.loc[("camille", "stagiaire"), "percent_agreement"] == 1.0
    assert table.loc[("camille", "karim"), "alpha"] == pytest.approx(
        agreement(project, unit="turn", coders=["camille", "karim"]).iloc[0]["alpha"]
    )
    square = pairwise_matrix(pairwise(project, unit="turn"), "documents")
    assert square.loc["karim", "stagiaire"] == square.loc["stagiaire", "karim"] == 1
    assert math.isnan(square.loc["karim", "karim"])


def test_theme_rows_pool_their_codes_and_intervals_are_seeded(project):
    from miam_qual.agreement import alpha_intervals, compare, theme_agreement

    _boundary_project(project)
    comparison = compare(project, unit="sentence", coders=["camille", "karim"])
    themes = theme_agreement(project, comparison=comparison).set_index("theme_id")
    access = agreement(project, unit="sentence", coders=["camille", "karim"], codes=["acces"])
    for column in ("percent_agreement", "fleiss_kappa", "gwet_ac1", "alpha", "units_coded"):
        assert themes.loc["acces", column] == pytest.approx(access.iloc[0][column], nan_ok=True)
    # prix and qualite: karim's proximite covers only the speaker label, in no sentence
    assert themes.loc["acces", "codes"] == 2 == len(comparison.codes)
    intervals = alpha_intervals(project, comparison=comparison, seed=3)
    table = agreement(project, comparison=comparison)
    assert intervals["alpha"].tolist() == pytest.approx(table["alpha"].tolist(), nan_ok=True)
    pd.testing.assert_frame_equal(
        intervals, alpha_intervals(project, comparison=comparison, seed=3)
    )


def test_three_coders_fleiss_per_code_equals_the_reliability_matrix(demo_project):
    from miam_qual.agreement import coefficients, compare

    codings = demo_project.codings()
    shared = codings.groupby("document")["coder"].nunique()
    both = sorted(shared[shared == 2].index)
    demo_project.add_coder("stagiaire")
    mine = codings[(codings["document"].isin(both[:3])) & (codings["coder"] == "camille")]
    for row in mine.iloc[::2].itertuples():  # the intern codes half of what camille coded
        demo_project.code(row.document, row.start, row.end, row.code_id, coder="stagiaire")
    three = compare(demo_project, unit="sentence", coders=["camille", "karim", "stagiaire"])
    table = agreement(demo_project, comparison=three).set_index("code_id")
    assert table["kappa"].isna().all()  # Cohen's kappa is for two coders
    for code in three.codes[:5]:
        hit = three.presence[three.presence["code_id"] == code]
        matrix = pd.DataFrame(0, index=range(len(three.units)), columns=three.coders)
        for unit, coder in zip(hit["unit"], hit["coder"], strict=True):
            matrix.loc[unit, coder] = 1
        expected = coefficients(matrix, n_categories=2)
        for name in ("percent_agreement", "fleiss_kappa", "gwet_ac1", "brennan_prediger", "alpha"):
            assert table.loc[code, name] == pytest.approx(expected[name], nan_ok=True), name


def test_progress_against_a_reference_coder(project):
    from miam_qual.agreement.multi import progress

    name, _text = _boundary_project(project)
    table = progress(project, reference="camille", coder="karim", unit="sentence")
    assert sorted(table["document"]) == sorted([name, "autre.txt"])
    assert table["first_coded_at"].is_monotonic_increasing  # in the order karim coded them
    assert table["rank"].tolist() == [1, 2]
    whole = agreement(project, unit="sentence", coders=["camille", "karim"]).iloc[0]
    assert table["cumulative_alpha"].iloc[-1] == pytest.approx(whole["alpha"], nan_ok=True)
    assert table["units"].sum() == whole["units"]
    assert table["cumulative_alpha"].iloc[0] == pytest.approx(table["alpha"].iloc[0], nan_ok=True)


@pytest.mark.parametrize("coders", [2, 3, 4])
def test_code_decisions_count_uncoded_units_as_the_full_matrix_does(coders: int) -> None:
    # code_decisions sums only the units someone coded and adds the rest in one step: on random
    # comparisons its sums must be those of every coder's decision on every unit.
    from miam_qual.agreement.coders import Comparison
    from miam_qual.agreement.decisions import code_decisions
    from miam_qual.agreement.statistics import agreement_sums

    rng = np.random.default_rng(coders)
    n, names, codes = 400, [f"c{i}" for i in range(coders)], ["a", "b", "rare", "vide"]
    units = pd.DataFrame(
        {"document_id": "d", "document": "d", "unit": range(n), "start": range(n),
         "end": range(1, n + 1), "weight": rng.integers(1, 9, n)}
    )  # fmt: skip
    rows = [
        (u, coder, code)
        for code, share in [("a", 0.3), ("b", 0.05), ("rare", 0.005)]
        for u in range(n)
        for coder in names
        if rng.random() < share
    ]
    presence = pd.DataFrame(rows, columns=["unit", "coder", "code_id"])
    comparison = Comparison(units, presence, names, codes, "turn", "absent")
    weights = units["weight"].to_numpy(float)
    for code, got in code_decisions(comparison).items():
        matrix = np.zeros((n, coders), dtype=int)
        mine = presence[presence["code_id"] == code]
        matrix[mine["unit"], [names.index(c) for c in mine["coder"]]] = 1
        ones = matrix.sum(axis=1)
        want = agreement_sums(np.column_stack([coders - ones, ones]), weights)
        assert got.sums.judged == pytest.approx(want.judged, rel=1e-12)
        assert got.sums.pairable == pytest.approx(want.pairable, rel=1e-12)
        assert got.sums.agreeing == pytest.approx(want.agreeing, rel=1e-12)
        assert np.allclose(got.sums.prevalence, want.prevalence, rtol=1e-12, atol=0)
        assert np.allclose(got.sums.coincidences, want.coincidences, rtol=1e-12, atol=1e-9)
        assert got.coded == weights[ones > 0].sum() and got.units == weights.sum()
        if coders == 2:
            expected = np.zeros((2, 2))
            np.add.at(expected, (matrix[:, 0], matrix[:, 1]), weights)
            assert np.array_equal(got.confusion, expected)
        else:
            assert got.confusion is None


def test_coded_spans_are_where_the_codings_lie(project):
    text = "Enquêtrice : Et le prix ?\nHabitante : Trop cher pour nous, le bus aussi.\n"
    project.add_coder("camille")
    project.add_coder("karim")
    path = project.root.parent / "court.txt"
    path.write_text(text, encoding="utf-8")
    project.import_files([path])
    for words, code, coder in [("Trop cher", "prix", "karim"), ("le bus", "transport", "camille"),
                               ("Trop cher", "prix", "camille")]:  # fmt: skip
        start = project.text("court.txt").index(words)
        project.code("court.txt", start, start + len(words), code, coder=coder)
    columns = ["document_id", "document", "start", "end", "code_id", "coder"]
    spans = project.coded_spans()
    assert list(spans.columns) == columns
    full = project.codings()[columns]
    key = ["start", "end", "coder"]
    assert spans.sort_values(key).to_dict("records") == full.sort_values(key).to_dict("records")
    assert project.coded_spans("karim")["coder"].tolist() == ["karim"]
    assert project.coded_spans(["personne"]).empty
