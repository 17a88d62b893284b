"""Theme summaries on the demo project (blank French pipeline; the trained one only when slow)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import spacy
from PIL import Image

from miam_qual.excerpts import alternate_people, representative_excerpts
from miam_qual.summaries import (
    summarize,
    theme_summaries,
    word_cloud_png,
    word_frequencies,
)

BLANK = spacy.blank("fr")


def test_theme_summary_counts_and_definition(demo_project):
    summary = summarize(demo_project, "acces", nlp=BLANK)
    codings = demo_project.codings(code="acces")
    assert summary.is_theme and summary.label == demo_project.codebook.get("acces").label
    assert summary.definition == demo_project.codebook.get("acces").definition
    assert summary.counts["segments"] == len(codings)
    assert summary.counts["documents"] == codings["document_id"].nunique()
    assert summary.counts["coders"] == codings["coder"].nunique() == 3  # léa trains on one
    distribution = summary.distribution.set_index("group")["segments"]
    assert distribution.sum() == len(codings)
    assert distribution["questionnaire"] == (codings["type_source"] == "questionnaire").sum()


def test_excerpts_vary_across_participants_and_sources(demo_project):
    codings = demo_project.codings(code="prix")
    excerpts = representative_excerpts(codings, 5, group=demo_project.config.review.group)
    assert len(excerpts) == 5
    assert excerpts["document"].is_unique
    named = excerpts["participant"][excerpts["participant"] != ""]
    assert named.is_unique
    assert excerpts["source_type"].nunique() >= 3
    texts = set(codings["text"])
    assert set(excerpts["text"]) <= texts
    coders = {"camille", "karim", "léa"}
    assert all(set(c.split(", ")) <= coders for c in excerpts["coders"])


def test_excerpts_do_not_repeat_one_person(demo_project):
    codings = demo_project.codings(code="prix")
    # one talkative participant with many passages: still at most one excerpt while others exist
    busiest = codings["participant"].value_counts().index[0]
    excerpts = representative_excerpts(codings, 4)
    assert (excerpts["participant"] == busiest).sum() <= 1


def test_memos_and_cooccurring_codes(demo_project):
    summary = summarize(demo_project, "prix", nlp=BLANK)
    assert any("qualite" in m for m in summary.memos["text"])  # karim's memo on prix
    assert "qualite" in set(summary.cooccurring["code_id"])
    assert summary.cooccurring["count"].is_monotonic_decreasing
    assert "prix" not in set(summary.cooccurring["code_id"])


def test_words_are_content_words_without_stop_words(demo_project):
    summary = summarize(demo_project, "prix", nlp=BLANK)
    words = set(summary.words["word"])
    assert {"les", "de", "et", "est", "euh"}.isdisjoint(words)
    assert "cher" in words
    assert summary.cloud_png is not None
    image = Image.open(io.BytesIO(summary.cloud_png))
    assert image.format == "PNG" and image.size == (800, 360)


def test_theme_summaries_hold_their_codes(demo_project):
    summaries = theme_summaries(demo_project, nlp=BLANK, themes=["acces", "lien_social"])
    assert [s.code_id for s in summaries] == ["acces", "lien_social"]
    codes = [c.code_id for c in summaries[0].codes]
    assert codes == [c for c in demo_project.codebook.descendants("acces", include_self=False)]
    assert all(c.cloud_png is None for c in summaries[0].codes)
    total = sum(c.counts["segments"] for c in summaries[0].codes)
    assert total == summaries[0].counts["segments"]


def test_grouping_attribute_comes_from_the_project_configuration(demo_project):
    """A project whose ``revue`` groups sources by ``site`` gets summaries grouped by site."""
    import dataclasses

    from miam_qual import Project
    from miam_qual.config import ReviewSettings, load_config, write_config

    path = demo_project.root / "projet.yml"
    config = load_config(path)
    write_config(
        dataclasses.replace(config, review=ReviewSettings(("site",), "site", "vague")), path
    )
    demo_project.close()
    with Project.open(path.parent) as project:
        assert project.config.review.group == "site"
        codings = project.codings(code="prix")
        summary = summarize(project, "prix", nlp=BLANK)
        by_site = summary.distribution.set_index("group")["segments"]
        expected = codings["site"].fillna("non renseigné").value_counts()
        assert by_site.sort_index().to_dict() == expected.sort_index().to_dict()
        shown = set(summary.excerpts["source_type"]) - {""}
        assert shown and shown <= set(codings["site"].dropna())


def test_empty_inputs():
    assert word_cloud_png(pd.DataFrame(columns=["word", "count"])) is None
    assert representative_excerpts(pd.DataFrame()).empty
    assert word_frequencies([], nlp=BLANK).empty


@pytest.mark.slow
def test_trained_pipeline_gives_lemmas(demo_project):
    from miam_qual.nlp import load_nlp

    words = word_frequencies(
        ["Les légumes frais sont chers, les légumes surgelés aussi."], nlp=load_nlp()
    )
    assert words.set_index("word").loc["légume", "count"] == 2
    summary = summarize(demo_project, "legumes", nlp=load_nlp())
    assert "légume" in set(summary.words["word"])


def passages(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """Codings of a code: ``(participant, document, length of the passage)`` per passage."""
    return pd.DataFrame(
        [
            {"selection_id": f"s{i}", "coding_id": f"c{i}", "document": doc, "start": 0,
             "end": size, "text": "mot " * (size // 4), "speaker": None, "coder": "camille",
             "participant": who}
            for i, (who, doc, size) in enumerate(rows)
        ]
    )  # fmt: skip


def test_every_person_speaks_once_before_anyone_speaks_twice():
    # Bruno has the five best passages; Alice and Chloé one weaker passage each
    codings = passages(
        [("Bruno", f"b{i}.txt", 200) for i in range(5)]
        + [("Alice", "a.txt", 20), ("Chloé", "c.txt", 12), (None, "x.txt", 8)]
    )
    first = representative_excerpts(codings, 4)
    assert sorted(first["participant"]) == ["", "Alice", "Bruno", "Chloé"]
    six = representative_excerpts(codings, 6)
    assert list(six["participant"][:4]).count("Bruno") == 1
    assert list(six["participant"][4:]) == ["Bruno", "Bruno"]  # then round-robin: only he is left


def test_round_robin_over_people():
    rows = [("A", "1", 200), ("A", "2", 200), ("A", "3", 200), ("B", "4", 100), ("B", "5", 100)]
    excerpts = representative_excerpts(passages(rows), 5)
    assert list(excerpts["participant"]) == ["A", "B", "A", "B", "A"]
    assert alternate_people(["A", "A", "B", None, "B", "C", "A"]) == [0, 2, 3, 5, 1, 4, 6]


def test_demo_excerpts_give_the_most_people_a_voice(demo_project):
    from miam_qual.analysis.common import participant_keys

    for code in ("acces", "lien_social", "prix"):
        codings = demo_project.codings(code=code)
        people = participant_keys(codings).dropna().nunique()
        excerpts = representative_excerpts(codings, 6)
        named = excerpts["participant"][excerpts["participant"] != ""]
        assert named.is_unique or people < 6


FILLERS = ["avez", "rien", "jamais", "vraiment", "disons", "voilà", "bon", "ben", "genre", "quoi"]
CHATTY = (
    "Bon, disons que vous avez rien vu, ben voilà, genre c'est jamais simple, quoi. "
    "Vraiment, on peut jamais aller au marché, disons, vous avez vu les prix des légumes ? "
) * 30


@pytest.mark.parametrize("pipeline", ["blank", "fr_core_news_sm"])
def test_word_lists_keep_content_words_only(pipeline):
    from miam_qual.nlp import load_nlp

    words = set(word_frequencies([CHATTY, CHATTY], nlp=load_nlp(pipeline))["word"])
    assert words.isdisjoint(FILLERS)
    assert words.isdisjoint({"peut", "pouvoir", "aller", "avoir", "être"})
    assert {"marché", "prix"} <= words
