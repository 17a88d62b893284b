"""Theme and code summaries for supervisors: what a code means, how much and where it was used,
the passages that show it best, the memos written about it, what it goes with, and its words.

Language processing is injected: every function that lemmatises takes ``nlp=`` (tests pass
``spacy.blank("fr")``; reports pass a ``miam_qual.nlp.CachedWordCounts`` of ``fr_core_news_sm``).
"""

from __future__ import annotations

import importlib.util
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .analysis import cooccurrence
from .analysis.common import coded_segments
from .excerpts import representative_excerpts
from .nlp import lemma_counts, lemma_counts_each
from .privacy.consent import NOT_QUOTABLE

if TYPE_CHECKING:
    from spacy.language import Language

    from .nlp import CachedWordCounts
    from .project import Project

#: At most this many passages per theme feed its word list (a fixed-seed sample beyond).
WORD_SAMPLE = 200


@dataclass
class Summary:
    """The summary of one theme or code (a theme's ``codes`` hold its codes' summaries).

    ``counts``: ``segments, documents, participants, coders``. ``distribution``: one row per group
    value with ``group, segments, participants``. ``excerpts``: see ``representative_excerpts``.
    ``memos``: ``author, target, text``. ``cooccurring``: ``code_id, code, count``. ``words``:
    ``word, count`` (lemmas). ``cloud_png``: the word cloud as PNG bytes (``None`` without text).
    """

    code_id: str
    label: str
    is_theme: bool
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    color: str = "#9E9E9E"
    counts: dict[str, int] = field(default_factory=dict)
    distribution: pd.DataFrame = field(default_factory=pd.DataFrame)
    excerpts: pd.DataFrame = field(default_factory=pd.DataFrame)
    memos: pd.DataFrame = field(default_factory=pd.DataFrame)
    cooccurring: pd.DataFrame = field(default_factory=pd.DataFrame)
    words: pd.DataFrame = field(default_factory=pd.DataFrame)
    cloud_png: bytes | None = None
    codes: list[Summary] = field(default_factory=list)


def word_frequencies(
    texts: list[str] | pd.Series, *, nlp: Language | CachedWordCounts, top: int | None = 60
) -> pd.DataFrame:
    """Most frequent content words, by lemma: ``word, count``. Content words are nouns, proper
    nouns, adjectives and verbs other than auxiliaries and modals, never a French stop word or a
    discourse filler (« disons », « vraiment », « rien »…): see ``nlp.content_word_counts``."""
    counts = lemma_counts(list(texts), nlp=nlp)
    rows = counts.most_common(top)
    return pd.DataFrame(rows, columns=["word", "count"])


def word_cloud_png(
    words: pd.DataFrame,
    *,
    color: str = "#2E7D32",
    width: int = 800,
    height: int = 360,
    transparent: bool = False,
) -> bytes | None:
    """A word cloud (PNG bytes) of ``word, count`` in shades of ``color``; ``None`` when empty.
    Deterministic (fixed random state); drawn with the DejaVu Sans font that matplotlib ships, so
    it needs no system font. ``transparent``: no background (exhibition panels). The one word-cloud
    maker of the package (reports and panels).

    The words are placed on a grid of half the picture's size and drawn at full size (wordcloud's
    ``scale``), and the largest word's size is worked out from its width instead of by trial:
    a cloud takes about 0.06 s instead of 0.2 s (``benchmarks/bench_report.py``)."""
    if words.empty:
        return None
    from PIL import ImageColor, ImageFont
    from wordcloud import WordCloud

    red, green, blue = ImageColor.getrgb(color)[:3]

    def shade(
        word: str, font_size: int, position: tuple, orientation: object, random_state=None, **kw
    ) -> str:
        darken = 0.55 + 0.45 * min(font_size / 40.0, 1.0)  # font_size is on the half-size grid
        return f"rgb({int(red * darken)}, {int(green * darken)}, {int(blue * darken)})"

    frequencies = dict(zip(words["word"], words["count"], strict=True))
    grid_width, grid_height = max(width // CLOUD_SCALE, 1), max(height // CLOUD_SCALE, 1)
    top = max(frequencies, key=lambda w: frequencies[w])
    length = ImageFont.truetype(str(CLOUD_FONT), 100).getlength(top) or 100.0
    largest = int(min(0.6 * grid_width * 100 / length, 0.42 * grid_height))
    cloud = WordCloud(
        width=grid_width, height=grid_height, scale=CLOUD_SCALE, random_state=7,
        prefer_horizontal=0.9, background_color=None if transparent else "white",
        mode="RGBA" if transparent else "RGB", max_words=len(words), color_func=shade, margin=5,
        font_path=str(CLOUD_FONT), max_font_size=max(largest, 6), min_font_size=5,
    )  # fmt: skip
    cloud.generate_from_frequencies(frequencies)
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _matplotlib_font(name: str) -> Path:
    """A font file matplotlib ships, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    assert spec is not None and spec.submodule_search_locations  # a dependency
    return Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf" / name


#: Word clouds: the font, and the ratio between the picture and the grid words are placed on.
CLOUD_FONT = _matplotlib_font("DejaVuSans.ttf")
CLOUD_SCALE = 2


class PassageWords:
    """Lemma counts of coded passages, computed once per passage and shared by every summary.

    Each theme (with its codes) reads at most ``sample`` of its passages, chosen with a fixed
    seed, so word lists stay cheap on very large projects; ``sampled`` records whether it did.
    """

    def __init__(
        self, frame: pd.DataFrame, *, nlp: Language | CachedWordCounts, sample: int = WORD_SAMPLE
    ):
        self.nlp = nlp
        self.sample = sample
        self.sampled = False
        texts = frame.drop_duplicates("selection_id").set_index("selection_id")["text"]
        # words of passages that may not be quoted feed no word list or cloud
        self._texts = texts.where(texts != NOT_QUOTABLE, "")
        self._counts: dict[str, Counter[str]] = {}

    def _chosen(self, selections: list[str]) -> list[str]:
        if len(selections) <= self.sample:
            return selections
        self.sampled = True
        rng = np.random.default_rng(0)
        return [
            selections[i] for i in sorted(rng.choice(len(selections), self.sample, replace=False))
        ]

    def prepare(self, selections: list[str]) -> list[str]:
        """Lemmatise (once) the passages a theme will use; returns the ids kept."""
        kept = self._chosen(list(dict.fromkeys(selections)))
        todo = [s for s in kept if s not in self._counts]
        for selection, counts in zip(
            todo, lemma_counts_each(self._texts.loc[todo], nlp=self.nlp), strict=True
        ):
            self._counts[selection] = counts
        return kept

    def words(self, selections: list[str] | set[str], top: int = 60) -> pd.DataFrame:
        """``word, count`` over the already prepared passages among ``selections``."""
        total: Counter[str] = Counter()
        for selection in selections:
            if selection in self._counts:
                total.update(self._counts[selection])
        return pd.DataFrame(total.most_common(top), columns=["word", "count"])


def _distribution(frame: pd.DataFrame, group: str | None) -> pd.DataFrame:
    if not group or group not in frame.columns or frame.empty:
        return pd.DataFrame(columns=["group", "segments", "participants"])
    values = frame[group].fillna("non renseigné").astype(str).tolist()
    segments: Counter[str] = Counter(values)
    people: dict[str, set] = {}
    for value, key in zip(values, frame["participant_key"].tolist(), strict=True):
        people.setdefault(value, set())
        if not (key is None or key is pd.NA or key != key):
            people[value].add(key)
    groups = sorted(segments, key=lambda g: (-segments[g], g))
    return pd.DataFrame(
        {
            "group": pd.array(groups, dtype=str),
            "segments": np.array([segments[g] for g in groups], dtype=np.int64),
            "participants": np.array([len(people[g]) for g in groups], dtype=np.int64),
        }
    )


def summarize(
    project: Project,
    code_id: str,
    *,
    nlp: Language | CachedWordCounts,
    codings: pd.DataFrame | None = None,
    pairs: pd.DataFrame | None = None,
    memos: pd.DataFrame | None = None,
    group: str | None = None,
    excerpts: int = 5,
    cloud: bool = True,
    passage_words: PassageWords | None = None,
    prepare_words: bool = True,
    rows_by_code: dict[str, np.ndarray] | None = None,
) -> Summary:
    """Summary of one code or theme (a theme or a code with sub-codes covers its descendants).

    ``rows_by_code``: positions of each code's rows in ``codings`` (``groupby(...).indices``).
    ``passage_words``: a shared ``PassageWords``; ``prepare_words=False`` counts only passages it
    already lemmatised (a theme's codes reuse the theme's sample). ``codings``/``pairs``/``memos``: precomputed ``project.codings()``, ``analysis.cooccurrence``
    and ``project.memos()`` to reuse across many calls. ``group``: the attribute of the
    distribution and of the excerpts' variety (default: the project's ``config.review.group``).
    """
    if group is None:
        group = project.config.review.group
    book = project.codebook
    entry = book.get(code_id)
    frame = coded_segments(project, codings)
    ids = set(book.descendants(code_id))
    if rows_by_code is None:
        mine = frame[frame["code_id"].isin(ids)]
    else:  # positions of each code's rows, computed once for all summaries
        rows = [rows_by_code[c] for c in ids if c in rows_by_code]
        mine = frame.iloc[np.sort(np.concatenate(rows))] if rows else frame.iloc[0:0]
    if pairs is None:
        pairs = cooccurrence(project, codings=frame)
    if memos is None:
        memos = project.memos()
    others = pairs[pairs["code_a"].isin(ids) ^ pairs["code_b"].isin(ids)]
    other_id = np.where(others["code_a"].isin(ids), others["code_b"], others["code_a"])
    totals: Counter[str] = Counter()
    for other, count in zip(other_id.tolist(), others["count"].tolist(), strict=True):
        totals[other] += count
    top = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:8]
    co = pd.DataFrame(
        {
            "code_id": pd.array([c for c, _ in top], dtype=str),
            "code": pd.array([book.get(c).label for c, _ in top], dtype=str),
            "count": np.array([n for _, n in top], dtype=np.int64),
        }
    )
    code_memos = memos[(memos["target_kind"] == "code") & memos["target"].isin(ids)][
        ["author", "target", "text"]
    ]
    with_memo = mine.loc[
        mine["memo"].notna().to_numpy(), ["selection_id", "memo", "coder", "document"]
    ]
    coding_memos = with_memo.drop_duplicates(["selection_id", "memo"])
    coding_memos = pd.DataFrame(
        {
            "author": coding_memos["coder"],
            "target": coding_memos["document"],
            "text": coding_memos["memo"],
        }
    )
    if passage_words is None:
        passage_words = PassageWords(frame, nlp=nlp)
    if prepare_words:
        kept = passage_words.prepare(list(mine["selection_id"]))
    else:  # a theme's codes reuse the passages lemmatised for the theme
        kept = list(mine["selection_id"].unique())
    words = passage_words.words(kept)
    return Summary(
        code_id=code_id,
        label=entry.label,
        is_theme=entry.parent is None,
        definition=entry.definition,
        inclusion=entry.inclusion,
        exclusion=entry.exclusion,
        example=entry.example,
        color=entry.color,
        counts={
            "segments": int(len(mine)),
            "documents": int(mine["document_id"].nunique()),
            "participants": int(mine["participant_key"].nunique()),
            "coders": int(mine["coder"].nunique()),
        },
        distribution=_distribution(mine, group),
        excerpts=representative_excerpts(mine, excerpts, group=group),
        memos=pd.concat([code_memos, coding_memos], ignore_index=True),
        cooccurring=co,
        words=words,
        cloud_png=word_cloud_png(words, color=entry.color) if cloud else None,
    )


def theme_summaries(
    project: Project,
    *,
    nlp: Language | CachedWordCounts,
    themes: list[str] | None = None,
    codings: pd.DataFrame | None = None,
    group: str | None = None,
    excerpts: int = 5,
    clouds: bool = True,
) -> list[Summary]:
    """Summaries of the themes (all, or the ids in ``themes``), each holding its codes' summaries
    in ``.codes`` (direct children and their descendants, codebook order). Word clouds are drawn
    for themes only (codes carry their word list). ``group``: see ``summarize``."""
    if group is None:
        group = project.config.review.group
    book = project.codebook
    frame = coded_segments(project, codings)
    pairs = cooccurrence(project, codings=frame)
    memos = project.memos()
    chosen = [t.id for t in book.themes()] if themes is None else [book.get(t).id for t in themes]
    passage_words = PassageWords(frame, nlp=nlp)
    rows_by_code = frame.groupby("code_id", sort=False).indices
    result = []
    for theme_id in chosen:
        options = dict(
            nlp=nlp, codings=frame, pairs=pairs, memos=memos, group=group, excerpts=excerpts,
            passage_words=passage_words, rows_by_code=rows_by_code,
        )  # fmt: skip
        summary = summarize(project, theme_id, cloud=clouds, **options)
        summary.codes = [
            summarize(project, c, cloud=False, prepare_words=False, **options)
            for c in book.descendants(theme_id, include_self=False)
            if book.get(c).codable
        ]
        result.append(summary)
    return result
