"""Units of analysis for agreement (turn, sentence, answer, paragraph, character) and the
vectorised location of coded spans in them. Sentences are ``miam_qual.segmentation``'s, the
ones the coding workbench selects."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import UnknownOption
from ..segmentation import sentence_spans

if TYPE_CHECKING:
    from ..project import Project

#: Units of analysis and their French labels (shown to users).
UNIT_LABELS = {
    "turn": "tour de parole",
    "sentence": "phrase",
    "answer": "réponse au questionnaire",
    "paragraph": "paragraphe",
    "character": "caractère",
}

UNITS_COLUMNS = ["document_id", "document", "unit", "start", "end", "weight"]


def agreement_units(
    project: Project,
    unit: str,
    documents: list[str],
    codings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The units of analysis of ``documents`` (GUIDs), in document then text order.

    Columns: ``document_id, document, unit`` (rank in the document), ``start, end, weight`` (1, or
    the number of characters for the ``character`` unit, where each run of characters that every
    coder coded alike is one weighted unit; ``codings`` gives the run boundaries).
    Documents without units of the requested kind contribute none.
    """
    if unit not in UNIT_LABELS:
        raise UnknownOption(
            f"Unité d'analyse inconnue « {unit} » (possibles : {', '.join(UNIT_LABELS)})."
        )
    names = project.documents().set_index("document_id")["document"]
    wanted = pd.Index(documents)
    if unit in ("turn", "answer", "paragraph"):
        frame = project.all_units(unit)
        frame = frame[frame["document_id"].isin(wanted)][["document_id", "start", "end"]]
        frame = frame.sort_values(["document_id", "start"], kind="stable")
        frame["weight"] = 1
    else:
        pieces = []
        bounds: dict = {}  # per document, the codings' starts and ends (one pass, not one per doc)
        if unit == "character" and codings is not None and len(codings):
            bounds = {
                doc: np.concatenate(
                    [group["start"].to_numpy(np.int64), group["end"].to_numpy(np.int64)]
                )
                for doc, group in codings.groupby("document_id", sort=False)
            }
        for doc in documents:
            text = project.text(doc)
            if unit == "sentence":
                spans = np.array(sentence_spans(text), dtype=np.int64).reshape(-1, 2)
            else:
                cuts = np.concatenate([[0, len(text)], bounds.get(doc, np.zeros(0, np.int64))])
                edges = np.unique(cuts[(cuts >= 0) & (cuts <= len(text))])
                spans = np.column_stack([edges[:-1], edges[1:]])
            pieces.append((doc, spans))
        frame = pd.DataFrame(  # one frame at the end, not one per document
            {
                "document_id": [doc for doc, spans in pieces for _ in range(len(spans))],
                "start": np.concatenate([sp[:, 0] for _d, sp in pieces] or [np.zeros(0, np.int64)]),
                "end": np.concatenate([sp[:, 1] for _d, sp in pieces] or [np.zeros(0, np.int64)]),
            }
        )
        frame["weight"] = (frame["end"] - frame["start"]) if unit == "character" else 1
    frame = frame.reset_index(drop=True)
    frame.insert(1, "document", frame["document_id"].map(names))
    frame.insert(2, "unit", frame.groupby("document_id").cumcount())
    return frame[UNITS_COLUMNS].astype({"start": np.int64, "end": np.int64})


def locate(units: pd.DataFrame, spans: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(unit position, span position)`` where a span (``document_id, start, end``)
    overlaps a unit of ``units`` (same columns; units of a document must not overlap each other).

    Fully vectorised: positions are turned into one global axis (document rank × length + offset)
    so two ``searchsorted`` calls find, for every span, its first and last overlapping unit.
    """
    documents = pd.Index(pd.unique(pd.concat([units["document_id"], spans["document_id"]])))
    scale = (
        int(max(units["end"].to_numpy().max(initial=0), spans["end"].to_numpy().max(initial=0))) + 1
    )
    u_doc = documents.get_indexer(units["document_id"]).astype(np.int64)
    order = np.lexsort((units["start"].to_numpy(), u_doc))
    u_start = u_doc[order] * scale + units["start"].to_numpy(np.int64)[order]
    u_end = u_doc[order] * scale + units["end"].to_numpy(np.int64)[order]
    running_end = np.maximum.accumulate(u_end) if len(u_end) else u_end
    s_doc = documents.get_indexer(spans["document_id"]).astype(np.int64)
    s_start = s_doc * scale + spans["start"].to_numpy(np.int64)
    s_end = s_doc * scale + spans["end"].to_numpy(np.int64)
    first = np.searchsorted(running_end, s_start, side="right")
    last = np.searchsorted(u_start, s_end, side="left")
    count = np.maximum(last - first, 0)
    span_pos = np.repeat(np.arange(len(spans)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    unit_sorted = np.repeat(first, count) + offset
    hit = u_end[unit_sorted] > s_start[span_pos]
    return order[unit_sorted[hit]], span_pos[hit]
