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

#: Discourse fillers and all-purpose words of spoken French: they say how people talk, not what
#: about, even when spaCy tags them as nouns, verbs or adjectives (« genre », « disons »,
#: « bon »). Never in word lists or clouds.
DISCOURSE_FILLERS = frozenset(
    """
    disons vraiment voilà bon bonne bons ben bah genre quoi rien jamais enfin bref ouais hein
    tellement vachement carrément franchement justement effectivement forcément toujours
    souvent déjà encore juste super style limite
    """.split()
)

#: Parts of speech that carry content (spaCy's universal tags); auxiliaries are left out.
CONTENT_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB"})

#: Verbs that mostly serve others (auxiliaries, modals, light verbs), by lemma: left out of
#: content words even when tagged ``VERB``.
AUXILIARY_LEMMAS = frozenset("être avoir pouvoir devoir vouloir falloir aller faire dire".split())

#: Their common forms, for a pipeline without lemmas or tags (``spacy.blank("fr")``). Forms that
#: are also common nouns (« été », « fait ») are not listed.
AUXILIARY_FORMS = AUXILIARY_LEMMAS | frozenset(
    """
    ai as a avons avez ont avais avait avions aviez avaient aurai auras aura aurons aurez auront
    aurais aurait aurions auriez auraient eu eue eus eues ayant aie aies ait ayons ayez aient
    suis es est sommes êtes sont étais était étions étiez étaient serai seras sera serons serez
    seront serais serait serions seriez seraient étant sois soit soyons soyez soient
    peux peut pouvons pouvez peuvent pouvais pouvait pouvions pouviez pouvaient pourrai pourras
    pourra pourrons pourrez pourront pourrais pourrait pourrions pourriez pourraient puisse
    puissent pouvant dois doit devons devez doivent devais devait devions deviez devaient devrai
    devra devrons devrez devront devrais devrait devrions devriez devraient doive
    veux veut voulons voulez veulent voulais voulait voulions vouliez voulaient voudrai voudra
    voudrons voudrez voudront voudrais voudrait voudrions voudriez voudraient voulu veuille
    veuillez faut fallait faudra faudrait fallu faille vais vas va allons allez vont allais
    allait allions alliez allaient irai ira irons irez iront irais irait irions iriez iraient
    allé allée allés allées aille fais faisons faites font faisais faisait faisions faisiez
    faisaient ferai fera ferons ferez feront ferais ferait ferions feriez feraient fasse
    dis disons dites disent disais disait disaient dirai dira dirait dirais
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
    """French stop words: the pipeline's own (spaCy's French list) plus spoken-French fillers
    (``EXTRA_STOP_WORDS``, ``DISCOURSE_FILLERS``)."""
    if nlp is not None:
        base = {w.lower() for w in nlp.Defaults.stop_words}
    else:
        from spacy.lang.fr.stop_words import STOP_WORDS

        base = set(STOP_WORDS)
    return frozenset(base | EXTRA_STOP_WORDS | DISCOURSE_FILLERS)


#: Pipeline components that lemmas do not need (skipped for speed when present).
_NOT_FOR_LEMMAS = ("parser", "ner", "senter")


def content_word_counts(
    texts: Iterable[str], *, nlp: Language, lemmas: bool = True, min_length: int = 3
) -> list[Counter[str]]:
    """Per text, its content words counted (lower case), one ``Counter`` per input text, in order.

    A content word is alphabetic, at least ``min_length`` letters long, not a stop word nor a
    discourse filler (``stop_words``: its form or its lemma), and not an auxiliary, modal or
    light verb (``AUXILIARY_LEMMAS``). With a pipeline that tags parts of speech
    (``fr_core_news_sm``), only nouns, proper nouns, adjectives and verbs (``CONTENT_POS``) are
    kept; without one (``spacy.blank("fr")``) the lists alone decide (``AUXILIARY_FORMS``).
    ``lemmas``: count by lemma (the lower-cased word when the pipeline has no lemmatizer), else
    by the word as written.
    """
    stops = stop_words(nlp)
    tagged = any(name in nlp.pipe_names for name in ("morphologizer", "tagger"))
    skip = [name for name in _NOT_FOR_LEMMAS if name in nlp.pipe_names]
    result: list[Counter[str]] = []
    with nlp.select_pipes(disable=skip):
        for doc in nlp.pipe(t or "" for t in texts):
            counts: Counter[str] = Counter()
            for token in doc:
                if not token.is_alpha:
                    continue
                lower = token.lower_
                lemma = (token.lemma_ or lower).lower().strip()
                if lemma in stops or lower in stops:
                    continue
                if tagged:
                    if token.pos_ not in CONTENT_POS or lemma in AUXILIARY_LEMMAS:
                        continue
                elif lower in AUXILIARY_FORMS:
                    continue
                word = lemma if lemmas else lower
                if len(word) >= min_length:
                    counts[word] += 1
            result.append(counts)
    return result


def lemma_counts_each(
    texts: Iterable[str], *, nlp: Language, min_length: int = 3
) -> list[Counter[str]]:
    """Per text, its content words counted by lemma (``content_word_counts``); one ``Counter``
    per input text, in order. Word lists and clouds are made of these."""
    return content_word_counts(texts, nlp=nlp, lemmas=True, min_length=min_length)


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
