"""Excerpts that show a code well and give many people a voice (theme summaries, the review
panel, the demo's quotes), and the order that alternates people on exhibition panels."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from .analysis.common import participant_keys
from .privacy.consent import NOT_QUOTABLE

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
#: Excerpts shorter or longer than this (characters) are less representative.
GOOD_LENGTH = (40, 450)


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
    keys = (
        codings["participant_key"]
        if "participant_key" in codings.columns
        else participant_keys(codings)
    )
    # One passage per selection, in order of first appearance, read from the selection's first
    # row (text, document, speaker, participant and group are the same on all its rows). Plain
    # arrays rather than a groupby: a report asks for a hundred codes' excerpts.
    selection, _ = pd.factorize(codings["selection_id"])
    first = np.flatnonzero(~pd.Series(selection).duplicated().to_numpy())
    coder, _ = pd.factorize(codings["coder"])
    known = coder >= 0
    pairs = np.unique(selection[known] * (coder.max() + 1) + coder[known])
    n_coders = np.bincount(pairs // (coder.max() + 1), minlength=len(first))

    def column(name: str) -> np.ndarray:
        return codings[name].to_numpy()[first]

    text, document, start = column("text"), column("document"), column("start")
    length = np.array([len(t) if isinstance(t, str) else 0 for t in text], dtype=float)
    low, high = GOOD_LENGTH
    fit = np.where(
        length < low, length / low, np.where(length > high, high / np.maximum(length, 1), 1.0)
    )
    score = fit + 0.25 * (n_coders - 1)
    if "speaker_role" in codings.columns:  # the people we listen to, before the interviewer's
        score = score - 0.5 * (column("speaker_role") == "interviewer")
    order = np.array(
        sorted(range(len(first)), key=lambda i: (-score[i], document[i], start[i])), dtype=int
    )
    who = np.array([str(k) for k in _filled(keys.to_numpy()[first][order], "")], dtype=object)
    kinds = np.array(
        [str(k) for k in _filled(column(group)[order], "")]
        if group and group in codings.columns
        else [""] * len(order),
        dtype=object,
    )
    # an unknown speaker is a voice of its own: a key per passage, never shared
    voices = np.where(who == "", np.array([f"\0{i}" for i in range(len(who))], dtype=object), who)
    chosen = _many_voices(
        score[order],
        pd.factorize(voices)[0],
        [pd.factorize(document[order])[0], pd.factorize(kinds)[0]],
        text[order] != NOT_QUOTABLE,
        n,
    )
    picked = order[chosen]
    who_coded: dict[int, set[str]] = {int(s): set() for s in selection[first[picked]]}
    for s, c in zip(selection.tolist(), codings["coder"].tolist(), strict=True):
        if s in who_coded:
            who_coded[s].add(c)
    speaker = _filled(column("speaker")[picked], None)
    participant = (
        _filled(column("participant")[picked], None)
        if "participant" in codings.columns
        else speaker
    )
    return pd.DataFrame(
        {
            "document": document[picked],
            "start": column("start")[picked].astype(int),
            "end": column("end")[picked].astype(int),
            "text": text[picked],
            "participant": [
                p if p is not None else s or "" for p, s in zip(participant, speaker, strict=True)
            ],
            "source_type": kinds[chosen],
            "speaker": [s or "" for s in speaker],
            "coders": [", ".join(sorted(who_coded[int(selection[first[i]])])) for i in picked],
        },
        columns=EXCERPT_COLUMNS,
    )


def _filled(values: np.ndarray, fill: object) -> list:
    """``values`` as a list, missing ones (``None``, ``NaN``, ``pd.NA``) replaced by ``fill``."""
    return [fill if v is None or v is pd.NA or v != v else v for v in values]


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
