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
    coincidence_matrix,
    confusion_matrix,
    disagreements,
    krippendorff_alpha,
    percent_agreement,
    sentence_spans,
)

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
    codings = demo_project.codings()
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
            "UNITS_COLUMNS",
            "UNIT_LABELS",
            "Comparison",
            "agreement",
            "agreement_units",
            "alpha_from_coincidences",
            "coincidence_matrix",
            "cohen_kappa",
            "compare",
            "confusion_matrix",
            "default_coders",
            "describe",
            "disagreements",
            "kappa_from_confusion",
            "krippendorff_alpha",
            "locate",
            "percent_agreement",
            "sentence_spans",
            "value_counts_matrix",
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
        ["stagiaire"],
        "pair",
    )
    said = describe(default)
    assert "« camille » et « karim » (la paire qui a codé le plus de documents en commun)" in said
    assert "Non comparé·e : « stagiaire »" in said
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
