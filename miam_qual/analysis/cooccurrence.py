"""Code co-occurrence: codes applied to overlapping spans, or within the same structural unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import UnknownOption
from .common import code_order, coded_segments

if TYPE_CHECKING:
    from ..project import Project

#: Ways two codings co-occur, with French labels.
COOCCURRENCE_MODES = {
    "overlap": "passages qui se chevauchent",
    "turn": "même tour de parole",
    "answer": "même réponse au questionnaire",
    "paragraph": "même paragraphe",
    "document": "même document",
}


def overlapping_pairs(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(i, j)`` (``i < j`` after sorting) of rows of ``frame`` (``document_id, start,
    end``) whose spans overlap in the same document; each unordered pair appears once.

    Sorted sweep: after ordering by (document, start), row ``i`` overlaps exactly the following
    rows whose start lies before its end — found with one ``searchsorted``, no Python loop.
    """
    doc = pd.factorize(frame["document_id"])[0].astype(np.int64)
    start = frame["start"].to_numpy(np.int64)
    end = frame["end"].to_numpy(np.int64)
    span = int(max(end.max(initial=0), 1)) + 1
    order = np.lexsort((start, doc))
    key_start = doc[order] * span + start[order]
    key_end = doc[order] * span + end[order]
    stop = np.searchsorted(key_start, key_end, side="left")
    count = np.maximum(stop - np.arange(len(order)) - 1, 0)
    first = np.repeat(np.arange(len(order)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    second = first + 1 + offset
    return order[first], order[second]


def unit_of(project: Project, frame: pd.DataFrame, kind: str) -> tuple[np.ndarray, pd.DataFrame]:
    """For each row (``document_id, start``), the position in ``units`` of the unit of kind
    ``kind`` containing its start (``-1`` when none), and ``units`` (``Project.all_units``)."""
    from ..agreement import locate

    units = project.all_units(kind)
    units = units[units["document_id"].isin(pd.unique(frame["document_id"]))].reset_index(drop=True)
    result = np.full(len(frame), -1, dtype=np.int64)
    if units.empty or frame.empty:
        return result, units
    starts = pd.DataFrame(
        {
            "document_id": frame["document_id"].to_numpy(),
            "start": frame["start"].to_numpy(),
            "end": frame["start"].to_numpy() + 1,
        }  # fmt: skip
    )
    unit_pos, row_pos = locate(units, starts)
    result[row_pos] = unit_pos
    return result, units


def cooccurrence(
    project: Project,
    *,
    mode: str = "overlap",
    codings: pd.DataFrame | None = None,
    same_coder: bool = True,
) -> pd.DataFrame:
    """Pairs of different codes that occur together.

    ``mode``: ``overlap`` (spans overlapping), ``turn``, ``answer``, ``paragraph`` (same unit) or
    ``document``. ``same_coder``: only pair codings by the same coder (co-occurrence is a coder's
    judgement; set ``False`` to pool coders).

    Columns: ``code_a, code_b`` (ids, ``code_a`` before ``code_b`` in codebook order), ``label_a,
    label_b``, ``count``: with ``overlap``, overlapping pairs of codings; otherwise the number of
    units (or documents) holding both codes. Sorted by decreasing ``count``.
    """
    if mode not in COOCCURRENCE_MODES:
        raise UnknownOption(
            f"Mode de cooccurrence inconnu « {mode} » (possibles : {', '.join(COOCCURRENCE_MODES)})."
        )
    frame = coded_segments(project, codings).reset_index(drop=True)
    columns = ["code_a", "code_b", "label_a", "label_b", "count"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    order = {c: i for i, c in enumerate(code_order(project))}
    rank = frame["code_id"].map(order).to_numpy()
    if mode == "overlap":
        i, j = overlapping_pairs(frame)
        if same_coder:
            coders = frame["coder"].to_numpy()
            keep = coders[i] == coders[j]
            i, j = i[keep], j[keep]
        keep = rank[i] != rank[j]
        i, j = i[keep], j[keep]
        a = np.minimum(rank[i], rank[j])
        b = np.maximum(rank[i], rank[j])
        pairs = pd.DataFrame({"a": a, "b": b}).value_counts().rename("count").reset_index()
    else:
        container = (
            frame["document_id"].to_numpy()
            if mode == "document"
            else unit_of(project, frame, mode)[0].astype(str)
        )
        present = pd.DataFrame({"unit": container, "rank": rank})
        if mode != "document":
            present = present[present["unit"] != "-1"]
        if same_coder:
            present["unit"] = present["unit"] + "@" + frame.loc[present.index, "coder"].astype(str)
        present = present.drop_duplicates()
        joined = present.merge(present, on="unit")
        joined = joined[joined["rank_x"] < joined["rank_y"]]
        if same_coder:
            # one unit counts once even when several coders found the pair in it
            joined = joined.assign(
                unit=joined["unit"].str.rsplit("@", n=1).str[0]
            ).drop_duplicates()
        pairs = joined.groupby(["rank_x", "rank_y"]).size().rename("count").reset_index()
        pairs = pairs.rename(columns={"rank_x": "a", "rank_y": "b"})
    ids = code_order(project)
    labels = {c.id: c.label for c in project.codebook}
    result = pd.DataFrame(
        {
            "code_a": [ids[x] for x in pairs["a"]],
            "code_b": [ids[x] for x in pairs["b"]],
        }
    )
    result["label_a"] = result["code_a"].map(labels)
    result["label_b"] = result["code_b"].map(labels)
    result["count"] = pairs["count"].to_numpy().astype(int)
    return result.sort_values(
        ["count", "code_a", "code_b"], ascending=[False, True, True]
    ).reset_index(drop=True)[columns]


def cooccurrence_matrix(
    project: Project,
    *,
    mode: str = "overlap",
    codings: pd.DataFrame | None = None,
    same_coder: bool = True,
    labels: bool = False,
) -> pd.DataFrame:
    """``cooccurrence`` as a symmetric code × code table (index and columns: code ids, or labels
    with ``labels=True``), codes that occur in the codings only, codebook order; the diagonal
    holds each code's number of segments."""
    frame = coded_segments(project, codings)
    pairs = cooccurrence(project, mode=mode, codings=frame, same_coder=same_coder)
    present = set(frame["code_id"])
    used = [c for c in code_order(project) if c in present]
    matrix = pd.DataFrame(0, index=used, columns=used, dtype=int)
    if len(pairs):
        wide = pairs.pivot_table(
            index="code_a", columns="code_b", values="count", aggfunc="sum"
        ).fillna(0)
        wide = wide.reindex(index=used, columns=used, fill_value=0).astype(int)
        matrix = wide + wide.T
    segments = frame["code_id"].value_counts()
    for code_id in used:
        matrix.loc[code_id, code_id] = int(segments.get(code_id, 0))
    if labels:
        names = {c.id: c.label for c in project.codebook}
        matrix = matrix.rename(index=names, columns=names)
    matrix.index.name = None
    matrix.columns.name = None
    return matrix
