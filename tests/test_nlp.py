"""French language helpers with an injected pipeline."""

from __future__ import annotations

import pytest
import spacy

from miam_qual import MiamError
from miam_qual.nlp import lemma_counts, lemma_counts_each, load_nlp, stop_words


def test_blank_pipeline_counts_lower_case_words():
    counts = lemma_counts(
        ["Les Légumes, euh, les légumes ! 12 fois.", None, ""], nlp=spacy.blank("fr")
    )
    assert counts == {"légumes": 2, "fois": 1}


def test_counts_each_keeps_order_and_length():
    texts = ["Le prix du pain.", "", "Le marché du dimanche."]
    each = lemma_counts_each(texts, nlp=spacy.blank("fr"))
    assert [dict(c) for c in each] == [{"prix": 1, "pain": 1}, {}, {"marché": 1, "dimanche": 1}]


def test_stop_words_include_spoken_fillers():
    words = stop_words(spacy.blank("fr"))
    assert {"euh", "ben", "voilà", "les", "nous"} <= words
    assert "légume" not in words


def test_unknown_model_is_a_french_error():
    with pytest.raises(MiamError, match="python -m spacy download"):
        load_nlp("fr_modele_inexistant")


def test_blank_is_cached():
    assert load_nlp("blank") is load_nlp("blank")


@pytest.mark.slow
def test_trained_pipeline_lemmatises():
    nlp = load_nlp()
    assert load_nlp() is nlp
    counts = lemma_counts(["Les enfants mangeaient des carottes."], nlp=nlp)
    assert counts["enfant"] == 1 and counts["carotte"] == 1
