"""French language processing shared by analysis, summaries and publication.

The trained pipeline (``fr_core_news_sm``) is slow to load, so it is loaded once per process by
``load_nlp`` and *injected* everywhere else: functions take ``nlp=`` and unit tests pass
``spacy.blank("fr")``. Only tests marked ``slow`` load the trained pipeline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import LanguageModelMissing

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = "fr_core_news_sm"

#: Words that are frequent in spoken French transcripts but carry no theme (on top of spaCy's
#: French stop words): fillers, discourse markers, and transcription conventions.
EXTRA_STOP_WORDS = frozenset(
    """
    euh hein ben bah bon ouais voilà truc trucs machin chose choses quoi enfin genre
    alors donc aussi bien très trop fait faire dire dit va vais ça ca cela ceci c' j' l' d' qu' n' s' m'
    y'a ya oui non ah oh eh mm mmh hm rires inaudible faut peu beaucoup plus moins
    """.split()
)


@lru_cache(maxsize=4)
def load_nlp(name: str = DEFAULT_MODEL) -> Language:
    """Load (once per process) and return a spaCy pipeline; ``"blank"`` gives ``spacy.blank("fr")``.

    Raises ``LanguageModelMissing`` with installation advice when the pipeline is not installed.
    """
    import spacy

    if name == "blank":
        return spacy.blank("fr")
    try:
        return spacy.load(name)
    except OSError as err:
        raise LanguageModelMissing(
            f"Le modèle de langue « {name} » n'est pas installé. "
            f"Installez-le avec : python -m spacy download {name}"
        ) from err


def stop_words(nlp: Language | None = None) -> frozenset[str]:
    """French stop words: the pipeline's own (spaCy's French list) plus spoken-French fillers."""
    if nlp is not None:
        base = {w.lower() for w in nlp.Defaults.stop_words}
    else:
        from spacy.lang.fr.stop_words import STOP_WORDS

        base = set(STOP_WORDS)
    return frozenset(base | EXTRA_STOP_WORDS)


#: Pipeline components that lemmas do not need (skipped for speed when present).
_NOT_FOR_LEMMAS = ("parser", "ner", "senter")


def lemma_counts_each(
    texts: Iterable[str], *, nlp: Language, min_length: int = 3
) -> list[Counter[str]]:
    """Per text, its content words counted by lemma (lower case), without stop words, numbers,
    punctuation or words shorter than ``min_length``; one ``Counter`` per input text, in order.

    With a pipeline that has no lemmatizer (``spacy.blank("fr")``) the lower-cased word is used.
    """
    stops = stop_words(nlp)
    skip = [name for name in _NOT_FOR_LEMMAS if name in nlp.pipe_names]
    result: list[Counter[str]] = []
    with nlp.select_pipes(disable=skip):
        for doc in nlp.pipe(t or "" for t in texts):
            counts: Counter[str] = Counter()
            for token in doc:
                if not token.is_alpha:
                    continue
                lemma = (token.lemma_ or token.lower_).lower().strip()
                if len(lemma) < min_length or lemma in stops or token.lower_ in stops:
                    continue
                counts[lemma] += 1
            result.append(counts)
    return result


def lemma_counts(texts: Iterable[str], *, nlp: Language, min_length: int = 3) -> Counter[str]:
    """The content words of all ``texts`` together, counted by lemma (see ``lemma_counts_each``)."""
    total: Counter[str] = Counter()
    for counts in lemma_counts_each(texts, nlp=nlp, min_length=min_length):
        total.update(counts)
    return total


def named_entities(
    texts: Iterable[str], *, nlp: Language | None = None, labels: tuple[str, ...] = ("PER", "LOC")
):
    """Named entities of ``texts`` as a DataFrame ``row, text, label, start, end`` (``row``: the
    position of the text in ``texts``). Defaults to the trained pipeline (``load_nlp()``); a
    pipeline without NER (``spacy.blank("fr")``) finds none."""
    import pandas as pd

    pipeline = nlp if nlp is not None else load_nlp()
    rows = []
    for index, doc in enumerate(pipeline.pipe(t or "" for t in texts)):
        rows += [
            (index, e.text, e.label_, e.start_char, e.end_char)
            for e in doc.ents
            if e.label_ in labels
        ]
    return pd.DataFrame(rows, columns=["row", "text", "label", "start", "end"])
