"""Retrieval of coded passages with boolean combinations of codes and attribute filters.

Build a query with ``has`` and the operators ``&`` (and), ``|`` (or), ``~`` (not)::

    retrieve(project, has("prix") & has("transport"))      # both in the same passage
    retrieve(project, has("prix") & ~has("qualite"))       # prix without qualite
    retrieve(project, has("acces"), vague="bilan")         # any code of the theme « acces »

A *passage* is either a coded span together with every span overlapping it (``within="overlap"``,
the default) or a structural unit (``within="turn"``, ``"answer"``, ``"paragraph"``). A passage
holds a code when a coding of that code (or of one of its sub-codes) touches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import UnknownOption
from .common import coded_segments
from .cooccurrence import overlapping_pairs, unit_of

if TYPE_CHECKING:
    from ..project import Project

WITHIN = ("overlap", "turn", "answer", "paragraph")


@dataclass(frozen=True)
class Query:
    """A boolean expression over codes; evaluate it with ``retrieve``."""

    op: str
    args: tuple

    def __and__(self, other: Query) -> Query:
        return Query("and", (self, other))

    def __or__(self, other: Query) -> Query:
        return Query("or", (self, other))

    def __invert__(self) -> Query:
        return Query("not", (self,))

    def __sub__(self, other: Query) -> Query:
        return self & ~other

    def codes(self) -> set[str]:
        """Every code or theme id the query names."""
        if self.op == "has":
            return {self.args[0]}
        return set().union(*(a.codes() for a in self.args))

    def evaluate(self, holds: dict[str, np.ndarray]) -> np.ndarray:
        """Boolean mask over passages, given per named code a mask of passages holding it."""
        if self.op == "has":
            return holds[self.args[0]]
        values = [a.evaluate(holds) for a in self.args]
        if self.op == "and":
            return values[0] & values[1]
        if self.op == "or":
            return values[0] | values[1]
        return ~values[0]

    def describe(self, labels: dict[str, str]) -> str:
        """The query in French words, e.g. « Prix et budget » ET NON « Qualité »."""
        if self.op == "has":
            return f"« {labels.get(self.args[0], self.args[0])} »"
        if self.op == "not":
            return f"NON {self.args[0].describe(labels)}"
        word = " ET " if self.op == "and" else " OU "
        return "(" + word.join(a.describe(labels) for a in self.args) + ")"


def has(code_id: str) -> Query:
    """Passages holding ``code_id`` or any of its descendants (a theme: any of its codes)."""
    return Query("has", (code_id,))


RETRIEVE_COLUMNS = ["document_id", "document", "start", "end", "text", "codes", "coders"]


def retrieve(
    project: Project,
    query: Query | str,
    *,
    within: str = "overlap",
    coder: str | list[str] | None = None,
    codings: pd.DataFrame | None = None,
    **attribute_filters: object,
) -> pd.DataFrame:
    """Passages matching ``query`` (a ``Query`` or a bare code id).

    ``coder`` restricts to one coder's (or some coders') codings; keyword filters select on
    document or participant attributes (``vague="bilan"``, ``site=["Fosse 13", "Haisnes"]``).

    Columns: ``document_id, document, start, end, text`` (the passage), ``codes`` (labels of the
    codes it holds, codebook order, joined by « ; »), ``coders``, then ``speaker`` and the attribute
    columns of its first coding. In text order.
    """
    if isinstance(query, str):
        query = has(query)
    if within not in WITHIN:
        raise UnknownOption(f"Passage inconnu « {within} » (possibles : {', '.join(WITHIN)}).")
    filters = dict(attribute_filters)
    if coder is not None:
        filters["coder"] = coder
    frame = (
        coded_segments(project, codings, **filters)
        if codings is None
        else coded_segments(project, codings)
    )
    if codings is not None and filters:
        from ..common import filter_frame

        frame = filter_frame(frame, filters, declared=project.config.attributes)
    frame = frame.reset_index(drop=True)
    book = project.codebook
    named = {c: set(book.descendants(c)) for c in query.codes()}
    extra = [c for c in frame.columns if c not in (*RETRIEVE_COLUMNS, "coding_id", "selection_id", "code_id",
                                                   "code", "theme_id", "theme", "coder", "created_at", "memo",
                                                   "participant_key")]  # fmt: skip
    if frame.empty:
        return pd.DataFrame(columns=[*RETRIEVE_COLUMNS, *extra])
    if within == "overlap":
        selections = frame.drop_duplicates("selection_id").reset_index(drop=True)
        sel_pos = pd.Series(np.arange(len(selections)), index=selections["selection_id"])
        i, j = overlapping_pairs(selections)
        links = pd.DataFrame({"passage": np.concatenate([np.arange(len(selections)), i, j]),
                              "selection": np.concatenate([np.arange(len(selections)), j, i])})  # fmt: skip
        members = frame.assign(selection=sel_pos[frame["selection_id"]].to_numpy())
        member = links.merge(members[["selection", "code_id", "coder"]], on="selection")
        passages = selections[["document_id", "document", "start", "end", "text", *extra]].copy()
    else:
        unit, units = unit_of(project, frame, within)
        frame = frame[unit >= 0].assign(unit=unit[unit >= 0])
        first = frame.drop_duplicates("unit").reset_index(drop=True)
        pos = pd.Series(np.arange(len(first)), index=first["unit"])
        member = pd.DataFrame({"passage": pos[frame["unit"]].to_numpy(), "code_id": frame["code_id"].to_numpy(),
                               "coder": frame["coder"].to_numpy()})  # fmt: skip
        passages = first[["document_id", "document", *extra]].copy()
        starts = units["start"].to_numpy()[first["unit"].to_numpy()]
        ends = units["end"].to_numpy()[first["unit"].to_numpy()]
        passages.insert(2, "start", starts.astype(int))
        passages.insert(3, "end", ends.astype(int))
        texts: dict[str, str] = {}
        passages.insert(4, "text", [
            texts.setdefault(d, project.text(d))[s:e] for d, s, e in zip(first["document_id"], starts, ends, strict=True)
        ])  # fmt: skip
    holds = {}
    for name, codes in named.items():
        hit = member.loc[member["code_id"].isin(codes), "passage"].unique()
        mask = np.zeros(len(passages), dtype=bool)
        mask[hit] = True
        holds[name] = mask
    # a passage must hold at least one code of the query's positive terms to be "retrieved"
    keep = query.evaluate(holds)
    order = {c.id: k for k, c in enumerate(book)}
    labels = {c.id: c.label for c in book}
    grouped = member[member["passage"].isin(np.flatnonzero(keep))].groupby("passage")
    code_lists = grouped["code_id"].agg(
        lambda s: " ; ".join(labels[c] for c in sorted(set(s), key=lambda c: order.get(c, 0)))
    )
    coder_lists = grouped["coder"].agg(lambda s: ", ".join(sorted(set(s))))
    result = passages[keep].copy()
    result.insert(5, "codes", code_lists.reindex(result.index).fillna("").to_numpy())
    result.insert(6, "coders", coder_lists.reindex(result.index).fillna("").to_numpy())
    result = (
        result.sort_values(["document", "start"], kind="stable")
        if "position" not in result
        else result
    )
    result.attrs["query"] = query.describe(labels)
    return result.reset_index(drop=True)
