"""French language processing shared by analysis, summaries and publication.

The trained pipeline (``fr_core_news_sm``) is slow to load, so it is loaded once per process by
``load_nlp`` and *injected* everywhere else: functions take ``nlp=`` and unit tests pass
``spacy.blank("fr")``. Only tests marked ``slow`` load the trained pipeline.

Reports pass a ``CachedWordCounts`` instead of a pipeline: it keeps the content words of each
passage in a file of the project, so that a report on passages already seen loads no spaCy.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import LanguageModelMissing, StorageError
from .fileio import atomic_write_bytes, private_folder

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
    return _load(name)


#: Pipeline components that lemmas do not need (skipped for speed when present).
_NOT_FOR_LEMMAS = ("parser", "ner", "senter")


@lru_cache(maxsize=4)
def _word_pipeline(name: str) -> Language:
    """The pipeline ``content_word_counts`` runs, loaded without the components it disables
    (``_NOT_FOR_LEMMAS``): the same words, a faster load. Reuses ``load_nlp(name)`` when loaded."""
    if name in _loaded:
        return load_nlp(name)
    return _load(name, exclude=_NOT_FOR_LEMMAS)


#: Names ``load_nlp`` has loaded in this process.
_loaded: set[str] = set()


def _load(name: str, exclude: tuple[str, ...] = ()) -> Language:
    import spacy

    if name == "blank":
        return spacy.blank("fr")
    try:
        nlp = spacy.load(name, exclude=list(exclude))
        if not exclude:
            _loaded.add(name)
        return nlp
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


def content_word_counts(
    texts: Iterable[str],
    *,
    nlp: Language | CachedWordCounts,
    lemmas: bool = True,
    min_length: int = 3,
) -> list[Counter[str]]:
    """Per text, its content words counted (lower case), one ``Counter`` per input text, in order.

    A content word is alphabetic, at least ``min_length`` letters long, not a stop word nor a
    discourse filler (``stop_words``: its form or its lemma), and not an auxiliary, modal or
    light verb (``AUXILIARY_LEMMAS``). With a pipeline that tags parts of speech
    (``fr_core_news_sm``), only nouns, proper nouns, adjectives and verbs (``CONTENT_POS``) are
    kept; without one (``spacy.blank("fr")``) the lists alone decide (``AUXILIARY_FORMS``).
    ``lemmas``: count by lemma (the lower-cased word when the pipeline has no lemmatizer), else
    by the word as written. ``nlp`` may be a ``CachedWordCounts`` (same counts, kept in a file).
    """
    if isinstance(nlp, CachedWordCounts):
        return nlp.count_each(texts, lemmas=lemmas, min_length=min_length)
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
    texts: Iterable[str], *, nlp: Language | CachedWordCounts, min_length: int = 3
) -> list[Counter[str]]:
    """Per text, its content words counted by lemma (``content_word_counts``); one ``Counter``
    per input text, in order. Word lists and clouds are made of these."""
    return content_word_counts(texts, nlp=nlp, lemmas=True, min_length=min_length)


def lemma_counts(
    texts: Iterable[str], *, nlp: Language | CachedWordCounts, min_length: int = 3
) -> Counter[str]:
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


#: Folder of the project that keeps what can be computed again (safe to delete).
CACHE_DIR = ".cache"
#: Bump when ``content_word_counts`` changes how it picks words: older cache files are then ignored.
WORDS_FORMAT = 1


def _words_identity(model: str) -> str | None:
    """What the counts depend on besides the text: the model and spaCy versions, the word lists
    of this module, ``WORDS_FORMAT``. ``None`` when the model is not installed (nothing cached)."""
    try:
        versions = [metadata.version("spacy"), "" if model == "blank" else metadata.version(model)]
    except metadata.PackageNotFoundError:
        return None
    lists = [EXTRA_STOP_WORDS, DISCOURSE_FILLERS, CONTENT_POS, AUXILIARY_LEMMAS, AUXILIARY_FORMS]
    described = [WORDS_FORMAT, model, versions, [sorted(words) for words in lists]]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()[:16]


class CachedWordCounts:
    """``content_word_counts`` of the pipeline ``model``, remembered per text in a file of the
    project (``.cache/mots_<identity>.json``), so that texts seen by an earlier report are not
    analysed again and, when every text was seen, spaCy is not even imported. Pass it as ``nlp=``
    wherever content words are counted; the counts are the same, in the same order.

    The file is keyed by each text's SHA-256 and by everything else the counts depend on
    (``_words_identity``); it is ignored when unreadable or malformed, and written atomically,
    readable by its owner only (it holds words of the passages), by ``save``.
    """

    def __init__(self, root: Path | str, model: str = DEFAULT_MODEL) -> None:
        self.model = model
        identity = _words_identity(model)
        self.identity = identity
        self.path = Path(root) / CACHE_DIR / f"mots_{identity}.json" if identity else None
        self._counts: dict[str, dict[str, int]] = self._read()
        self._added = 0
        self._asked: set[str] = set()  # the texts this run counted

    def _read(self) -> dict[str, dict[str, int]]:
        if self.path is None:
            return {}
        try:
            content = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(content, dict) or content.get("identity") != self.identity:
            return {}
        counts = content.get("counts")
        if not isinstance(counts, dict):
            return {}
        for words in counts.values():
            if not isinstance(words, dict) or not all(
                isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in words.values()
            ):
                return {}
        return counts

    def count_each(
        self, texts: Iterable[str], *, lemmas: bool = True, min_length: int = 3
    ) -> list[Counter[str]]:
        """Per text, its content words counted, as ``content_word_counts`` with the pipeline."""
        texts = [t or "" for t in texts]
        prefix = f"{'lemmes' if lemmas else 'mots'}:{min_length}:"
        keys = [prefix + hashlib.sha256(t.encode()).hexdigest() for t in texts]
        self._asked.update(keys)
        missing = {k: t for k, t in zip(keys, texts, strict=True) if t and k not in self._counts}
        if missing:
            computed = content_word_counts(
                list(missing.values()),
                nlp=_word_pipeline(self.model),
                lemmas=lemmas,
                min_length=min_length,
            )
            for key, counts in zip(missing, computed, strict=True):
                self._counts[key] = dict(counts)
            self._added += len(missing)
        return [Counter(self._counts.get(k, {})) for k in keys]

    def save(self, *, only_asked: bool = False) -> None:
        """Keep the counts for the next run (nothing to do when nothing changed). A cache that
        cannot be written only makes the next run slower: no error.

        ``only_asked``: forget every text this run did not count. A report on the whole project
        passes it, so that the words of passages since removed or corrected, and of people who
        withdrew their consent, do not stay in the cache; the cache stays the size of the
        project's passages."""
        forgotten = [k for k in self._counts if k not in self._asked] if only_asked else []
        for key in forgotten:
            del self._counts[key]
        if self.path is None or not (self._added or forgotten):
            return
        content = json.dumps({"identity": self.identity, "counts": self._counts})
        try:
            private_folder(self.path.parent)
            atomic_write_bytes(self.path, content.encode(), mode=0o600)
            for older in self.path.parent.glob("mots_*.json"):  # other models or versions
                if older != self.path:
                    older.unlink(missing_ok=True)
        except (OSError, StorageError):
            return
        self._added = 0
