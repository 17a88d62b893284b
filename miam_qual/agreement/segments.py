"""The agreement that MAXQDA and NVivo users know, written from their published definitions.

* **Segment matching** (MAXQDA's segment-level agreement): a coder's coded segment counts as
  matched when each other coder compared applied the same code, in the same document, to a
  segment overlapping it by at least ``min_overlap`` — the overlap being the characters both
  segments cover divided by the characters either covers (1 for identical boundaries). Every
  coder's segments are checked, so a pair of matching segments counts twice, once per side.
* **Code presence per document** (MAXQDA's "code existence in the document"): for each
  document and code, did every coder apply the code at least once, or only some of them?
* **Character agreement per document** (NVivo's coding comparison): for each document and
  code, every character is a unit that each of two coders coded or not; percent agreement is
  the share of characters on which they agree (coded by both or by neither), Cohen's kappa is
  computed on those characters (1 when they agree on every character, as NVivo shows it).
  ``character_agreement_averages`` averages documents: plainly (NVivo's average) and weighted
  by document length.

Documents and coders are those of a ``Comparison`` (``coders.compare``): documents every
compared coder coded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import AgreementError, UnknownOption
from .coders import OVERALL, OVERALL_LABEL, Comparison, compare
from .statistics import kappa_from_confusion

if TYPE_CHECKING:
    from ..project import Project

#: Columns of ``segment_matches``.
MATCH_COLUMNS = [
    "document", "start", "end", "code_id", "code", "coder", "overlap", "matched",
]  # fmt: skip
#: Columns of ``segment_agreement``.
SEGMENT_COLUMNS = [
    "code_id", "code", "theme", "segments", "matched", "unmatched", "percent_agreement",
]  # fmt: skip
#: Columns of ``code_presence``.
PRESENCE_COLUMNS = ["code_id", "code", "theme", "documents", "documents_all", "percent_agreement"]
#: Columns of ``character_agreement``.
CHARACTER_COLUMNS = [
    "document", "code_id", "code", "theme", "characters", "coded", "both", "first_only",
    "second_only", "neither", "percent_agreement", "kappa",
]  # fmt: skip
#: Columns of ``character_agreement_averages``.
AVERAGE_COLUMNS = [
    "code_id", "code", "theme", "documents", "percent_agreement", "kappa",
    "percent_agreement_weighted", "kappa_weighted",
]  # fmt: skip


def _compared(
    project: Project, comparison: Comparison | None, coders: list[str] | None,
    codes: list[str] | None,
) -> tuple[Comparison, pd.DataFrame]:  # fmt: skip
    """The comparison (built on characters when not given) and its codings: compared coders,
    documents and codes only."""
    if comparison is None:
        comparison = compare(project, unit="character", coders=coders, codes=codes)
    codings = project.codings(coder=comparison.coders)
    codings = codings[
        codings["document"].isin(comparison.documents) & codings["code_id"].isin(comparison.codes)
    ]
    return comparison, codings.reset_index(drop=True)


def segment_matches(
    project: Project,
    *,
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    min_overlap: float = 0.9,
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """Every coded segment of the compared coders, and whether the others matched it (module
    docstring). ``min_overlap``: 0 < share ≤ 1 (MAXQDA's default is 90 %).

    Columns: ``document, start, end, code_id, code, coder``, ``overlap`` (the smallest, over the
    other coders, of their best overlap with this segment: 0 when one did not use the code
    there), ``matched`` (``overlap >= min_overlap``). Sorted by document name, then position.
    Raises
    ``UnknownOption`` for a ``min_overlap`` outside (0, 1], and what ``compare`` raises.
    """
    if not 0 < min_overlap <= 1:
        raise UnknownOption(
            f"Chevauchement minimal invalide ({min_overlap}) : donnez une part entre 0 et 1 "
            "(0,9 pour 90 %)."
        )
    comparison, codings = _compared(project, comparison, coders, codes)
    segments = codings[["document", "start", "end", "code_id", "code", "coder"]].copy()
    segments["row"] = np.arange(len(segments))
    pairs = segments.merge(segments, on=["document", "code_id"], suffixes=("", "_other"))
    pairs = pairs[pairs["coder"] != pairs["coder_other"]]
    shared = np.minimum(pairs["end"], pairs["end_other"]) - np.maximum(
        pairs["start"], pairs["start_other"]
    )
    covered = np.maximum(pairs["end"], pairs["end_other"]) - np.minimum(
        pairs["start"], pairs["start_other"]
    )
    pairs = pairs.assign(overlap=np.clip(shared, 0, None) / covered.clip(lower=1))
    best = pairs.groupby(["row", "coder_other"])["overlap"].max()
    others = len(comparison.coders) - 1
    seen = best.groupby(level="row").agg(["min", "size"])
    overlap = np.zeros(len(segments))
    complete = seen[seen["size"] == others]
    overlap[complete.index.to_numpy()] = complete["min"].to_numpy()
    segments["overlap"] = overlap
    segments["matched"] = overlap >= min_overlap - 1e-12
    segments = segments.sort_values(["document", "start", "end", "coder"], kind="stable")
    return segments[MATCH_COLUMNS].reset_index(drop=True)


def segment_agreement(
    project: Project,
    *,
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    min_overlap: float = 0.9,
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """MAXQDA's segment-level agreement per code (see ``segment_matches``).

    Columns: ``code_id, code, theme, segments`` (coded segments of every compared coder),
    ``matched``, ``unmatched``, ``percent_agreement`` (``matched / segments``, 0–1). First row:
    every code together (``code_id == "*"``); codes in codebook order, used codes only.
    """
    matches = segment_matches(project, coders=coders, codes=codes, min_overlap=min_overlap,
                              comparison=comparison)  # fmt: skip
    book = project.codebook
    grouped = matches.groupby("code_id")["matched"].agg(["size", "sum"])
    rows = [(OVERALL, OVERALL_LABEL, "", len(matches), int(matches["matched"].sum()))]
    for code in book:
        if code.id in grouped.index:
            size, matched = grouped.loc[code.id]
            rows.append((code.id, code.label, book.get(book.theme_of(code.id)).label,
                         int(size), int(matched)))  # fmt: skip
    table = pd.DataFrame(rows, columns=SEGMENT_COLUMNS[:5])
    table["unmatched"] = table["segments"] - table["matched"]
    table["percent_agreement"] = table["matched"] / table["segments"].where(table["segments"] > 0)
    return table[SEGMENT_COLUMNS]


def code_presence(
    project: Project,
    *,
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """MAXQDA's code existence per document: per code, the compared documents where some coder
    applied it (``documents``) and those where every compared coder did (``documents_all``);
    ``percent_agreement = documents_all / documents`` (0–1). First row: every (document, code)
    pair together. Codes in codebook order, used codes only.
    """
    comparison, codings = _compared(project, comparison, coders, codes)
    who = codings.groupby(["code_id", "document"])["coder"].nunique()
    everyone = who == len(comparison.coders)
    per_code = pd.DataFrame(
        {"documents": who.groupby(level="code_id").size(),
         "documents_all": everyone.groupby(level="code_id").sum()}
    )  # fmt: skip
    book = project.codebook
    rows = [(OVERALL, OVERALL_LABEL, "", int(len(who)), int(everyone.sum()))]
    for code in book:
        if code.id in per_code.index:
            rows.append((code.id, code.label, book.get(book.theme_of(code.id)).label,
                         int(per_code.loc[code.id, "documents"]),
                         int(per_code.loc[code.id, "documents_all"])))  # fmt: skip
    table = pd.DataFrame(rows, columns=PRESENCE_COLUMNS[:5])
    table["percent_agreement"] = table["documents_all"] / table["documents"].where(
        table["documents"] > 0
    )
    return table


def character_agreement(
    project: Project,
    *,
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """NVivo's coding comparison: per compared document and code, characters coded by both
    coders, by one only, by neither, with percent agreement and Cohen's kappa on characters
    (module docstring). Two coders exactly: the first is ``comparison.coders[0]``.

    Columns: ``document, code_id, code, theme, characters`` (document length), ``coded`` (some
    coder applied the code in the document), ``both, first_only, second_only, neither``
    (characters), ``percent_agreement`` (0–1), ``kappa``. Every compared document × every code
    compared (like NVivo, pairs where neither coder used the code count, with agreement 1 —
    filter on ``coded`` to leave them out). Raises ``AgreementError`` unless two coders are
    compared.
    """
    comparison, codings = _compared(project, comparison, coders, codes)
    if len(comparison.coders) != 2:
        raise AgreementError(
            "L'accord caractère par caractère (comme NVivo) compare exactement deux codeurs : "
            f'{len(comparison.coders)} sont comparés ; passez coders=["…", "…"].'
        )
    first, second = comparison.coders
    book = project.codebook
    lengths = project.documents().set_index("document")["length"]
    counted = {}  # only pairs someone coded need a look at the characters
    for (document, code_id), spans in codings.groupby(["document", "code_id"]):
        masks = np.zeros((2, int(lengths[document])), dtype=bool)
        for i, coder in enumerate((first, second)):
            theirs = spans[spans["coder"] == coder]
            for start, end in zip(theirs["start"], theirs["end"], strict=True):
                masks[i, start:end] = True
        counted[(document, code_id)] = (
            int((masks[0] & masks[1]).sum()),
            int((masks[0] & ~masks[1]).sum()),
            int((~masks[0] & masks[1]).sum()),
        )
    rows = []
    for document in comparison.documents:
        length = int(lengths[document])
        for code_id in comparison.codes:
            coded = (document, code_id) in counted
            both, only_a, only_b = counted.get((document, code_id), (0, 0, 0))
            neither = length - both - only_a - only_b
            agree = (both + neither) / length if length else float("nan")
            kappa = 1.0 if agree == 1 else kappa_from_confusion([[both, only_a], [only_b, neither]])
            rows.append((document, code_id, book.get(code_id).label,
                         book.get(book.theme_of(code_id)).label, length, coded,
                         both, only_a, only_b, neither, agree, kappa))  # fmt: skip
    return pd.DataFrame(rows, columns=CHARACTER_COLUMNS)


def character_agreement_averages(table: pd.DataFrame, *, coded_only: bool = False) -> pd.DataFrame:
    """Per code, the averages over documents of a ``character_agreement`` table: plain means
    (NVivo's averages: each document counts once) and means weighted by document length.

    ``coded_only``: leave out the documents where neither coder used the code. Columns:
    ``code_id, code, theme, documents, percent_agreement, kappa, percent_agreement_weighted,
    kappa_weighted``; first row: every code (``code_id == "*"``).
    """
    if coded_only:
        table = table[table["coded"]]
    rows = []
    groups = [((OVERALL, OVERALL_LABEL, ""), table)] + [
        (key, part) for key, part in table.groupby(["code_id", "code", "theme"], sort=False)
    ]
    for (code_id, code, theme), part in groups:
        w = part["characters"].to_numpy(float)
        total = w.sum()
        rows.append({
            "code_id": code_id, "code": code, "theme": theme, "documents": len(part),
            "percent_agreement": part["percent_agreement"].mean(),
            "kappa": part["kappa"].mean(),
            "percent_agreement_weighted": (part["percent_agreement"] * w).sum() / total
            if total else float("nan"),
            "kappa_weighted": (part["kappa"] * w).sum() / total if total else float("nan"),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=AVERAGE_COLUMNS)
