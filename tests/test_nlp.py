"""French language helpers with an injected pipeline."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import spacy

from miam_qual import MiamError
from miam_qual.nlp import (
    CACHE_DIR,
    CachedWordCounts,
    lemma_counts,
    lemma_counts_each,
    load_nlp,
    stop_words,
)


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


TEXTS = [
    "Le prix du pain, euh, le prix !",
    "",
    "Le marché du dimanche.",
    "Le prix du pain, euh, le prix !",
]


def test_cached_counts_are_the_pipeline_counts_in_the_same_order(tmp_path):
    direct = lemma_counts_each(TEXTS, nlp=spacy.blank("fr"))
    cache = CachedWordCounts(tmp_path, "blank")
    first = cache.count_each(TEXTS)
    cache.save()
    again = CachedWordCounts(tmp_path, "blank").count_each(TEXTS)
    for counts in (first, again):
        assert [list(c.items()) for c in counts] == [list(c.items()) for c in direct]
    [path] = (tmp_path / CACHE_DIR).glob("mots_*.json")
    assert path.stat().st_mode & 0o777 == 0o600
    assert lemma_counts(TEXTS, nlp=CachedWordCounts(tmp_path, "blank")) == lemma_counts(
        TEXTS, nlp=spacy.blank("fr")
    )


def test_texts_seen_before_need_no_spacy(tmp_path):
    cache = CachedWordCounts(tmp_path, "blank")
    expected = [dict(c) for c in cache.count_each(TEXTS)]
    cache.save()
    script = (
        "import sys\nfrom miam_qual.nlp import CachedWordCounts\n"
        "counts = CachedWordCounts(sys.argv[1], 'blank').count_each(sys.argv[2:])\n"
        "print(repr([dict(c) for c in counts]), 'spacy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), *TEXTS], capture_output=True, text=True
    )
    assert done.stdout.strip() == f"{expected!r} False", done.stderr


def test_a_corrupt_or_foreign_cache_is_ignored_then_replaced(tmp_path):
    cache = CachedWordCounts(tmp_path, "blank")
    expected = [dict(c) for c in cache.count_each(TEXTS)]
    cache.save()
    [path] = (tmp_path / CACHE_DIR).glob("mots_*.json")
    content = json.loads(path.read_text())
    key = next(iter(content["counts"]))
    for broken in (
        b"{pas du json",
        json.dumps({**content, "identity": "autre"}).encode(),
        json.dumps({**content, "counts": {key: {"prix": "deux"}}}).encode(),
        json.dumps([1, 2]).encode(),
    ):
        path.write_bytes(broken)
        again = CachedWordCounts(tmp_path, "blank")
        assert [dict(c) for c in again.count_each(TEXTS)] == expected
        again.save()
        assert json.loads(path.read_text())["identity"] == again.identity


def test_an_unwritable_cache_only_costs_time(tmp_path):
    (tmp_path / CACHE_DIR).write_text("un fichier, pas un dossier")
    cache = CachedWordCounts(tmp_path, "blank")
    assert [dict(c) for c in cache.count_each(TEXTS[:1])] == [{"prix": 2, "pain": 1}]
    cache.save()  # no error
    assert (tmp_path / CACHE_DIR).read_text() == "un fichier, pas un dossier"


def test_save_can_forget_the_texts_not_asked_this_time(tmp_path):
    cache = CachedWordCounts(tmp_path, "blank")
    cache.count_each(TEXTS)
    cache.save()
    [path] = (tmp_path / CACHE_DIR).glob("mots_*.json")
    assert len(json.loads(path.read_text())["counts"]) == 2  # the empty text is not kept

    partial = CachedWordCounts(tmp_path, "blank")
    partial.count_each(TEXTS[2:3])
    partial.save()  # keeps what it did not ask for
    assert len(json.loads(path.read_text())["counts"]) == 2
    partial.save(only_asked=True)  # forgets it
    kept = json.loads(path.read_text())["counts"]
    assert len(kept) == 1 and next(iter(kept.values())) == {"marché": 1, "dimanche": 1}
    assert path.stat().st_mode & 0o777 == 0o600
