"""One definition of a sentence: the sentence the coding workbench selects is the sentence
agreement counts, on French text full of traps."""

from __future__ import annotations

import pytest

from miam_qual.agreement import agreement, agreement_units, disagreements
from miam_qual.segmentation import sentence_spans
from miam_qual.widgets import CodingSession

TRICKY = (
    "[00:00:05] Habitante 2 : M. Dupont vend des légumes, des fruits, etc. et du pain. "
    "Mme Lefèvre aussi !\n"
    "Enquêtrice : Et les prix\u202f? Vous payez combien…\n"
    "Habitante 2 : Je sais pas… peut-être 3,5 € le kilo. Ça dépend ?! Oui.\n"
    "Elle m'a dit : « Tu viens ? » et je suis venue. « C'est trop cher.\u00a0» Voilà.\n"
    "\n"
    "On achète des pommes, des poires, etc. Puis on rentre.\n"
    "Le marché ouvre à 9 h. J. Martin, le maraîcher, le dit p. 12 du journal.\n"
    "Il pleuvait... Alors on est restés"
)
SENTENCES = [
    "M. Dupont vend des légumes, des fruits, etc. et du pain.",
    "Mme Lefèvre aussi !",
    "Et les prix\u202f?",
    "Vous payez combien…",
    "Je sais pas… peut-être 3,5 € le kilo.",
    "Ça dépend ?!",
    "Oui.",
    "Elle m'a dit : « Tu viens ? » et je suis venue.",
    "« C'est trop cher.\u00a0»",
    "Voilà.",
    "On achète des pommes, des poires, etc.",
    "Puis on rentre.",
    "Le marché ouvre à 9 h.",
    "J. Martin, le maraîcher, le dit p. 12 du journal.",
    "Il pleuvait...",
    "Alors on est restés",
]


def test_tricky_french_sentences():
    assert [TRICKY[s:e] for s, e in sentence_spans(TRICKY)] == SENTENCES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Il coûte 3.5 euros. Voir www.vrac.fr pour plus.", ["Il coûte 3.5 euros.", "Voir www.vrac.fr pour plus."]),
        ("Pr. Martin et Dr. Kader. Ensuite ?", ["Pr. Martin et Dr. Kader.", "Ensuite ?"]),
        ("Fin.\n\n\nDébut", ["Fin.", "Début"]),
        ("« Non ! » Elle part.", ["« Non ! »", "Elle part."]),
        ("En 2023. 15 personnes sont venues.", ["En 2023.", "15 personnes sont venues."]),
        ("   ", []),
    ],
)  # fmt: skip
def test_more_sentence_boundaries(text, expected):
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


def test_a_range_gives_the_sentences_inside_it_with_offsets_into_the_whole_text():
    start = TRICKY.index("Elle m'a dit")
    end = TRICKY.index("\n\nOn achète")
    assert [TRICKY[s:e] for s, e in sentence_spans(TRICKY, start, end)] == SENTENCES[7:10]


def test_one_function_behind_every_public_name():
    import miam_qual.widgets as widgets_module
    from miam_qual.agreement import units as agreement_units
    from miam_qual.widgets import textspans

    assert agreement_units.sentence_spans is sentence_spans  # the sentences agreement counts
    assert widgets_module.sentence_spans is sentence_spans
    assert textspans.sentence_spans is sentence_spans


def test_the_sentence_a_coder_selects_is_the_sentence_agreement_counts(project):
    path = project.root / "marche.txt"
    path.write_text(TRICKY, encoding="utf-8")
    project.import_files([path], by="test")
    document = project.documents().iloc[0]
    text = project.text(document["document_id"])
    units = agreement_units(project, "sentence", [document["document_id"]])
    assert [text[s:e] for s, e in zip(units["start"], units["end"], strict=True)] == SENTENCES
    session = CodingSession(project, "camille", document=document["document"])
    for index, (start, end) in enumerate(zip(units["start"], units["end"], strict=True)):
        assert session.select_unit("sentence", index) == (start, end)
        session.point((start + end) // 2)
        assert session.select_unit("sentence") == (start, end)
    # camille codes a sentence by selecting it in the workbench, karim codes the same words by
    # hand: agreement on sentences sees one coded unit and no disagreement
    code = next(c.id for c in project.codebook if c.codable)
    chosen = SENTENCES.index("Je sais pas… peut-être 3,5 € le kilo.")
    session.select_unit("sentence", chosen)
    session.apply(code)
    start = text.index("Je sais pas")
    project.code(document["document"], start, start + len(SENTENCES[chosen]), code, coder="karim")
    table = agreement(project, unit="sentence").set_index("code_id")
    assert table.loc[code, "units"] == len(SENTENCES)
    assert table.loc[code, "units_coded"] == 1
    assert table.loc[code, "percent_agreement"] == 1.0
    assert disagreements(project, unit="sentence").empty


def test_abbreviations_are_recognised_at_the_end_of_long_sentences() -> None:
    # The word before a period is looked for in a short window: far from the sentence start,
    # and after a word longer than that window, the decision is the same.
    long = "on en parlait " * 60
    text = (
        f"Alors {long}avec M. Dupont hier. Ensuite anticonstitutionnellementissimementextra. Fin."
    )
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == [
        f"Alors {long}avec M. Dupont hier.",
        "Ensuite anticonstitutionnellementissimementextra.",
        "Fin.",
    ]
