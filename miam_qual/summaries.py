"""Theme and code summaries for supervisors: what a code means, how much and where it was used,
the passages that show it best, the memos written about it, what it goes with, and its words.

Language processing is injected: every function that lemmatises takes ``nlp=`` (tests pass
``spacy.blank("fr")``; reports pass a ``miam_qual.nlp.CachedWordCounts`` of ``fr_core_news_sm``).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .analysis import cooccurrence
from .analysis.common import coded_segments, participant_keys
from .nlp import lemma_counts, lemma_counts_each
from .privacy.consent import NOT_QUOTABLE

if TYPE_CHECKING:
    from spacy.language import Language

    from .nlp import CachedWordCounts
    from .project import Project

EXCERPT_COLUMNS = [
    "document",
    "start",
    "end",
    "text",
    "participant",
    "source_type",
    "speaker",
    "coders",
]
#: At most this many passages per theme feed its word list (a fixed-seed sample beyond).
WORD_SAMPLE = 200
#: Excerpts shorter or longer than this (characters) are less representative.
GOOD_LENGTH = (40, 450)


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


def representative_excerpts(
    codings: pd.DataFrame, n: int = 5, *, group: str | None = None
) -> pd.DataFrame:
    """Up to ``n`` excerpts that show a code well and give many people a voice.

    ``group``: the attribute that sorts sources by kind (the project's ``config.review.group``,
    ``type_source`` for MIAM); ``None``: no such attribute, only participants and documents vary.

    Each distinct passage (selection) is scored: passages of a readable length (``GOOD_LENGTH``)
    and passages several coders agreed on rank higher, interviewer turns lower.

    **Many voices**: a person (the participant, else the participant speaking, see
    ``analysis.common.participant_keys``; a passage nobody is known to have said counts as its
    own voice) gets at most one excerpt until every person with an eligible excerpt has one; then
    a second each, and so on (round-robin). Within a round, the best-scored passage wins, a
    document and a source type not yet shown being preferred. Eligible: passages that may be
    quoted; passages that may not (``(extrait non citable)``) come only when no other is left.

    Columns: ``document, start, end, text, participant`` (pseudonym or speaker, may be empty),
    ``source_type`` (the ``group`` value), ``speaker``, ``coders`` (who coded it, comma-separated).
    """
    if codings.empty:
        return pd.DataFrame(columns=EXCERPT_COLUMNS)
    frame = (
        codings
        if "participant_key" in codings.columns
        else codings.assign(participant_key=participant_keys(codings))
    )
    wanted = [
        "selection_id",
        "document",
        "start",
        "end",
        "text",
        "speaker",
        "coder",
        "participant_key",
    ]
    wanted += ["speaker_role"] if "speaker_role" in frame.columns else []
    wanted += [c for c in dict.fromkeys(["participant", group]) if c and c in frame.columns]
    grouped = frame[wanted].groupby("selection_id", sort=False)
    passages = grouped.first()
    passages["n_coders"] = grouped["coder"].nunique()
    length = passages["text"].str.len().to_numpy()
    low, high = GOOD_LENGTH
    fit = np.where(
        length < low, length / low, np.where(length > high, high / np.maximum(length, 1), 1.0)
    )
    passages["score"] = fit + 0.25 * (passages["n_coders"] - 1)
    if (
        "speaker_role" in passages.columns
    ):  # the people we listen to, before the interviewer's questions
        passages["score"] -= 0.5 * (passages["speaker_role"] == "interviewer").to_numpy()
    passages = passages.sort_values(["score", "document", "start"], ascending=[False, True, True])
    who = passages["participant_key"].fillna("").astype(str).to_numpy()
    kinds = (
        passages[group].fillna("").astype(str).to_numpy()
        if group and group in passages.columns
        else np.array([""] * len(passages))
    )
    # an unknown speaker is a voice of its own: a key per passage, never shared
    voices = np.where(who == "", np.array([f"\0{i}" for i in range(len(who))]), who)
    chosen = _many_voices(
        passages["score"].to_numpy(dtype=float),
        pd.factorize(pd.Series(voices))[0],
        [pd.factorize(passages["document"])[0], pd.factorize(pd.Series(kinds))[0]],
        (passages["text"] != NOT_QUOTABLE).to_numpy(),
        n,
    )
    picked = passages.iloc[chosen]
    chosen_ids = set(picked.index)
    who_coded = frame.loc[frame["selection_id"].isin(chosen_ids), ["selection_id", "coder"]]
    coders = {s: ", ".join(sorted(set(g))) for s, g in who_coded.groupby("selection_id")["coder"]}
    participant = picked["participant"] if "participant" in picked.columns else picked["speaker"]
    return pd.DataFrame(
        {
            "document": picked["document"].to_numpy(),
            "start": picked["start"].astype(int).to_numpy(),
            "end": picked["end"].astype(int).to_numpy(),
            "text": picked["text"].to_numpy(),
            "participant": participant.fillna(picked["speaker"]).fillna("").to_numpy(),
            "source_type": kinds[chosen],
            "speaker": picked["speaker"].fillna("").to_numpy(),
            "coders": [coders[s] for s in picked.index],
        },
        columns=EXCERPT_COLUMNS,
    )


#: Within a round of ``_many_voices``, how much a document or a source type already shown counts
#: against a passage (scores lie between about -2.5 and 1.5).
VARIETY_WEIGHTS = (1.0, 0.6)


def _many_voices(
    score: np.ndarray,
    voice: np.ndarray,
    groups: list[np.ndarray],
    eligible: np.ndarray,
    n: int,
) -> list[int]:
    """Positions of up to ``n`` passages chosen as ``representative_excerpts`` says: eligible
    passages first; among them, only the voices shown least so far compete, best score minus
    the variety penalty (``VARIETY_WEIGHTS`` times how often the passage's document and source
    type were shown) winning."""
    shown_voice = np.zeros(voice.max(initial=-1) + 1)
    shown = [np.zeros(ids.max(initial=-1) + 1) for ids in groups]
    available = np.ones(len(score), dtype=bool)
    chosen: list[int] = []
    for pool in (eligible, ~eligible):
        while len(chosen) < n:
            open_ = available & pool
            if not open_.any():
                break
            fewest = shown_voice[voice[open_]].min()
            candidates = open_ & (shown_voice[voice] == fewest)
            penalty = sum(
                w * seen[ids] for w, seen, ids in zip(VARIETY_WEIGHTS, shown, groups, strict=True)
            )
            best = int(np.argmax(np.where(candidates, score - penalty, -np.inf)))
            chosen.append(best)
            available[best] = False
            shown_voice[voice[best]] += 1
            for seen, ids in zip(shown, groups, strict=True):
                seen[ids[best]] += 1
    return chosen


def alternate_people(people: list[object] | pd.Series) -> list[int]:
    """Positions of ``people`` (one person per item, in the order given, ``None``/empty: unknown)
    reordered so that the people alternate: each person's first item, in order of appearance,
    then each one's second, and so on (round-robin; an unknown person counts as a voice of its
    own). Exhibition panels order their quotes so."""
    rounds: list[tuple[int, int]] = []
    seen: Counter[object] = Counter()
    for position, person in enumerate(people):
        key = person if isinstance(person, str) and person else ("", position)
        rounds.append((seen[key], position))
        seen[key] += 1
    return [position for _round, position in sorted(rounds)]


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
    maker of the package (reports and panels)."""
    if words.empty:
        return None
    from matplotlib import font_manager
    from matplotlib.colors import to_rgb
    from wordcloud import WordCloud

    red, green, blue = (int(255 * c) for c in to_rgb(color))

    def shade(
        word: str, font_size: int, position: tuple, orientation: object, random_state=None, **kw
    ) -> str:
        darken = 0.55 + 0.45 * min(font_size / 80.0, 1.0)
        return f"rgb({int(red * darken)}, {int(green * darken)}, {int(blue * darken)})"

    cloud = WordCloud(
        width=width, height=height, random_state=7, prefer_horizontal=0.9,
        background_color=None if transparent else "white", mode="RGBA" if transparent else "RGB",
        max_words=len(words), color_func=shade, margin=4,
        font_path=font_manager.findfont("DejaVu Sans"),
    )  # fmt: skip
    cloud.generate_from_frequencies(dict(zip(words["word"], words["count"], strict=True)))
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


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
    values = frame[group].fillna("non renseigné").astype(str)
    grouped = frame.assign(group=values).groupby("group")
    table = pd.DataFrame(
        {"segments": grouped.size(), "participants": grouped["participant_key"].nunique()}
    )
    return (
        table.reset_index()
        .sort_values(["segments", "group"], ascending=[False, True])
        .reset_index(drop=True)
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
    co = (
        pd.DataFrame({"code_id": other_id, "count": others["count"].to_numpy()})
        .groupby("code_id", as_index=False)["count"]
        .sum()
        .sort_values(["count", "code_id"], ascending=[False, True])
        .head(8)
    )
    co.insert(1, "code", co["code_id"].map(lambda c: book.get(c).label))
    code_memos = memos[(memos["target_kind"] == "code") & memos["target"].isin(ids)][
        ["author", "target", "text"]
    ]
    coding_memos = mine.dropna(subset=["memo"]).drop_duplicates(["selection_id", "memo"])
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
        cooccurring=co.reset_index(drop=True),
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
