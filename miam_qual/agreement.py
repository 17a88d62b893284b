"""Inter-coder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha (nominal).

Two layers:

* **Pure statistics** on plain data. A *reliability matrix* has one row per unit and one column
  per coder; a cell holds the category that coder gave the unit, or a missing value (``None`` /
  ``NaN``) when the coder did not judge it. Optional ``weights`` (one per unit) make a unit count
  as that many identical units (used for the character unit, where a run of characters coded
  alike is one weighted unit). Everything is vectorised with numpy.
* **Project level** (``agreement``, ``disagreements``, ``agreement_units``): the user chooses the
  unit of analysis — speaker turn, sentence, questionnaire answer, paragraph or character — and
  how uncoded text counts. Only documents that every compared coder coded (at least one coding)
  are used. For each code, every coder gives each unit a binary judgement (code applied to a
  span overlapping the unit, or not); the overall figures pool those binary decisions over all
  codes (coincidence and confusion matrices are summed across codes).

Reference values the tests check: Krippendorff's 4 coders × 12 units example (nominal α = 0.743),
his 2-coder binary example (α = 0.095), and the classic 50-item Cohen example (κ = 0.400).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import MiamError

if TYPE_CHECKING:
    from .project import Project

#: Units of analysis and their French labels (shown to users).
UNIT_LABELS = {
    "turn": "tour de parole",
    "sentence": "phrase",
    "answer": "réponse au questionnaire",
    "paragraph": "paragraphe",
    "character": "caractère",
}
#: How text that no coder coded counts, with French labels.
UNCODED_LABELS = {
    "absent": "compté comme « code absent » pour chaque codeur",
    "ignore": "ignoré (seules les unités codées par au moins un codeur comptent)",
}
#: ``code_id`` of the row that pools every code in ``agreement``.
OVERALL = "*"
OVERALL_LABEL = "Ensemble des codes"

AGREEMENT_COLUMNS = [
    "code_id", "code", "theme", "units", "units_coded", "percent_agreement", "kappa", "alpha",
]  # fmt: skip


# -- pure statistics ----------------------------------------------------------------------------
def _encode(data: object) -> tuple[np.ndarray, np.ndarray]:
    """Integer-code a reliability matrix: (units × coders ints, -1 = missing; categories)."""
    values = np.asarray(pd.DataFrame(data).to_numpy(dtype=object))
    if values.ndim != 2:
        raise MiamError("Les données de fiabilité doivent former un tableau unités × codeurs.")
    codes, categories = pd.factorize(pd.Series(values.ravel()), use_na_sentinel=True)
    return codes.reshape(values.shape), np.asarray(categories, dtype=object)


def _weights(weights: object, n_units: int) -> np.ndarray:
    if weights is None:
        return np.ones(n_units)
    w = np.asarray(weights, dtype=float)
    if w.shape != (n_units,):
        raise MiamError(f"Il faut un poids par unité ({n_units}), pas {w.size}.")
    return w


def value_counts_matrix(data: object) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, how many coders gave each category: (units × categories counts, categories)."""
    codes, categories = _encode(data)
    n_units, k = codes.shape[0], len(categories)
    counts = np.zeros((n_units, max(k, 1)), dtype=np.int64)
    rows = np.repeat(np.arange(n_units), codes.shape[1])
    flat = codes.ravel()
    keep = flat >= 0
    if k:
        np.add.at(counts, (rows[keep], flat[keep]), 1)
    return counts, categories


def coincidence_matrix(data: object, *, weights: object = None) -> tuple[np.ndarray, np.ndarray]:
    """Krippendorff's coincidence matrix ``o[c, k]`` and its categories.

    Units judged by fewer than two coders are not pairable and are left out.
    """
    counts, categories = value_counts_matrix(data)
    return _coincidences(counts, _weights(weights, counts.shape[0])), categories


def _coincidences(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m, weights = counts[pairable], m[pairable], weights[pairable]
    scale = (weights / (m - 1)).astype(float)
    scaled = counts * scale[:, None]
    return scaled.T @ counts - np.diag(scaled.sum(axis=0))


def alpha_from_coincidences(o: np.ndarray) -> float:
    """Nominal alpha from a coincidence matrix; ``NaN`` when it is undefined (no variation)."""
    o = np.asarray(o, dtype=float)
    n_c = o.sum(axis=0)
    n = n_c.sum()
    expected = n * n - (n_c * n_c).sum()
    if n <= 1 or expected <= 0:
        return float("nan")
    return float(1.0 - (n - 1.0) * (n - np.trace(o)) / expected)


def krippendorff_alpha(data: object, *, weights: object = None) -> float:
    """Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    ``data``: units × coders (DataFrame, array or nested lists), missing = ``None``/``NaN``.
    Returns ``NaN`` when alpha is undefined (fewer than two pairable values, or one category only).
    """
    o, _ = coincidence_matrix(data, weights=weights)
    return alpha_from_coincidences(o)


def percent_agreement(data: object, *, weights: object = None) -> float:
    """Share of agreeing coder pairs, averaged over units judged by at least two coders.

    With two coders this is the share of units on which they agree. ``NaN`` if no unit is pairable.
    """
    counts, _ = value_counts_matrix(data)
    w = _weights(weights, counts.shape[0])
    m = counts.sum(axis=1)
    keep = m >= 2
    if not keep.any():
        return float("nan")
    agreeing = (counts[keep] * (counts[keep] - 1)).sum(axis=1) / (m[keep] * (m[keep] - 1))
    return float((agreeing * w[keep]).sum() / w[keep].sum())


def confusion_matrix(first: object, second: object, *, weights: object = None) -> pd.DataFrame:
    """Cross-table of two coders' categories (rows: first coder) over units both judged."""
    codes, categories = _encode(pd.DataFrame({"a": list(first), "b": list(second)}))
    w = _weights(weights, codes.shape[0])
    both = (codes >= 0).all(axis=1)
    k = len(categories)
    table = np.zeros((k, k))
    np.add.at(table, (codes[both, 0], codes[both, 1]), w[both])
    return pd.DataFrame(table, index=categories, columns=categories)


def kappa_from_confusion(table: object) -> float:
    """Cohen's kappa from a square confusion matrix; ``NaN`` when chance agreement is 1."""
    t = np.asarray(table, dtype=float)
    n = t.sum()
    if n == 0:
        return float("nan")
    observed = np.trace(t) / n
    expected = (t.sum(axis=0) * t.sum(axis=1)).sum() / (n * n)
    if expected >= 1.0:
        return float("nan")
    return float((observed - expected) / (1.0 - expected))


def cohen_kappa(first: object, second: object, *, weights: object = None) -> float:
    """Cohen's kappa of two coders' nominal judgements (units either left missing are dropped)."""
    return kappa_from_confusion(confusion_matrix(first, second, weights=weights))


# -- units of analysis --------------------------------------------------------------------------
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"»”)\]]*\s+|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the sentences of ``text``: cut after ``. ! ? …`` + space, and at line
    breaks; surrounding blanks are trimmed and empty pieces dropped."""
    spans, begin = [], 0
    for match in [*_SENTENCE_BREAK.finditer(text), None]:
        stop = match.start() if match else len(text)
        piece = text[begin:stop]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail > lead:
            spans.append((begin + lead, begin + trail))
        if match:
            begin = match.end()
    return spans


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
        raise MiamError(
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
        for doc in documents:
            text = project.text(doc)
            if unit == "sentence":
                spans = np.array(sentence_spans(text), dtype=np.int64).reshape(-1, 2)
            else:
                cuts = {0, len(text)}
                if codings is not None and len(codings):
                    mine = codings[codings["document_id"] == doc]
                    cuts.update(mine["start"].astype(int))
                    cuts.update(mine["end"].astype(int))
                edges = np.array(sorted(c for c in cuts if 0 <= c <= len(text)))
                spans = np.column_stack([edges[:-1], edges[1:]])
            pieces.append(
                pd.DataFrame({"document_id": doc, "start": spans[:, 0], "end": spans[:, 1]})
            )
        frame = (
            pd.concat(pieces, ignore_index=True)
            if pieces
            else pd.DataFrame(columns=["document_id", "start", "end"])
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


@dataclass
class Comparison:
    """What the coders are compared on: ``units`` (``agreement_units`` columns), ``presence``
    (``unit`` position in ``units``, ``coder``, ``code_id``: who applied which code to which
    unit), the ``coders`` and the ``codes`` used (codebook order), and the options."""

    units: pd.DataFrame
    presence: pd.DataFrame
    coders: list[str]
    codes: list[str]
    unit: str
    uncoded: str


def compare(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    uncoded: str = "absent",
    codings: pd.DataFrame | None = None,
) -> Comparison:
    """Prepare an agreement computation (shared by ``agreement`` and ``disagreements``).

    ``codings``: an already read ``project.codings()`` to reuse. Only documents that every
    compared coder coded are kept. Raises ``MiamError`` with fewer
    than two coders, or for an unknown unit or ``uncoded`` option.
    """
    if uncoded not in UNCODED_LABELS:
        raise MiamError(
            f"Option « uncoded » inconnue « {uncoded} » (possibles : {', '.join(UNCODED_LABELS)})."
        )
    if unit not in UNIT_LABELS:
        raise MiamError(
            f"Unité d'analyse inconnue « {unit} » (possibles : {', '.join(UNIT_LABELS)})."
        )
    if codings is None:
        codings = project.codings(coder=coders) if coders else project.codings()
    elif coders:
        codings = codings[codings["coder"].isin(coders)]
    coders = list(coders) if coders else sorted(codings["coder"].unique())
    if len(coders) < 2:
        raise MiamError(
            "L'accord inter-codeurs demande au moins deux codeurs ayant codé "
            f"(trouvé : {', '.join(coders) or 'aucun'})."
        )
    per_doc = codings.groupby("document_id")["coder"].nunique()
    common = list(per_doc.index[per_doc == len(coders)])
    codings = codings[codings["document_id"].isin(common)]
    if codes is not None:
        wanted: list[str] = []
        for code in codes:
            wanted.extend(project.codebook.descendants(code))
        codings = codings[codings["code_id"].isin(wanted)]
    codings = codings.reset_index(drop=True)
    units = agreement_units(project, unit, common, codings)
    unit_pos, coding_pos = locate(units, codings)
    presence = pd.DataFrame(
        {
            "unit": unit_pos,
            "coder": codings["coder"].to_numpy()[coding_pos],
            "code_id": codings["code_id"].to_numpy()[coding_pos],
        }
    ).drop_duplicates()
    if uncoded == "ignore":
        kept = np.sort(presence["unit"].unique())
        remap = np.full(len(units), -1)
        remap[kept] = np.arange(len(kept))
        units = units.iloc[kept].reset_index(drop=True)
        presence = presence.assign(unit=remap[presence["unit"].to_numpy()])
    order = {c.id: i for i, c in enumerate(project.codebook)}
    used = sorted(presence["code_id"].unique(), key=order.get)
    return Comparison(units, presence.reset_index(drop=True), coders, used, unit, uncoded)


def agreement(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    uncoded: str = "absent",
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """Agreement among ``coders`` (default: every coder who coded) per code and overall.

    ``unit``: ``turn``, ``sentence``, ``answer``, ``paragraph`` or ``character`` (see
    ``UNIT_LABELS``). ``uncoded``: ``"absent"`` (a unit a coder left without the code counts as
    "absent" for that coder) or ``"ignore"`` (units no coder coded at all are left out).
    ``codes``: restrict to these codes or themes (with their descendants). ``comparison``: a
    ``compare(...)`` result to reuse (the other options are then ignored).

    Columns: ``code_id, code, theme, units`` (weighted number of units compared), ``units_coded``
    (units where at least one coder applied the code), ``percent_agreement`` (0–1), ``kappa``
    (Cohen; ``NaN`` unless exactly two coders), ``alpha`` (Krippendorff, nominal). The first row,
    ``code_id == "*"``, pools every code. Raises ``MiamError`` with fewer than two coders.
    """
    if comparison is None:
        comparison = compare(project, unit=unit, coders=coders, codes=codes, uncoded=uncoded)
    units, presence, coders = comparison.units, comparison.presence, comparison.coders
    weights = units["weight"].to_numpy(dtype=float)
    total = float(weights.sum())
    m = len(coders)
    coder_of = pd.Index(coders).get_indexer(presence["coder"])
    rows = []
    total_o = np.zeros((2, 2))
    total_conf = np.zeros((2, 2))
    total_agree = 0.0
    book = project.codebook
    positions = presence.groupby("code_id").indices
    for code_id in comparison.codes:
        hit = positions[code_id]
        matrix = np.zeros((len(units), m), dtype=np.int64)
        matrix[presence["unit"].to_numpy()[hit], coder_of[hit]] = 1
        ones = matrix.sum(axis=1)
        counts = np.column_stack([m - ones, ones])
        o = _coincidences(counts, weights)
        agree = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))
        total_o += o
        total_agree += float((agree * weights).sum())
        kappa = float("nan")
        if m == 2:
            conf = np.zeros((2, 2))
            np.add.at(conf, (matrix[:, 0], matrix[:, 1]), weights)
            total_conf += conf
            kappa = kappa_from_confusion(conf)
        rows.append(
            {
                "code_id": code_id,
                "code": book.get(code_id).label,
                "theme": book.get(book.theme_of(code_id)).label,
                "units": total,
                "units_coded": float(weights[ones > 0].sum()),
                "percent_agreement": float((agree * weights).sum() / total)
                if total
                else float("nan"),
                "kappa": kappa,
                "alpha": alpha_from_coincidences(o),
            }
        )
    coded = np.zeros(len(units), dtype=bool)
    coded[presence["unit"].to_numpy()] = True
    overall = {
        "code_id": OVERALL,
        "code": OVERALL_LABEL,
        "theme": "",
        "units": total,
        "units_coded": float(weights[coded].sum()),
        "percent_agreement": total_agree / (total * len(rows)) if total and rows else float("nan"),
        "kappa": kappa_from_confusion(total_conf) if m == 2 else float("nan"),
        "alpha": alpha_from_coincidences(total_o),
    }
    return pd.DataFrame([overall, *rows], columns=AGREEMENT_COLUMNS)


def disagreements(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    max_chars: int | None = 600,
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """Passages to discuss: units where the compared coders did not apply the same codes.

    Columns: ``document, start, end, text`` (the unit's text, cut to ``max_chars``),
    ``codes_in_dispute`` (labels applied by some coders but not all), then one column per coder
    with the labels that coder applied (``""`` for none), side by side. In document and text order.
    """
    if comparison is None:
        comparison = compare(project, unit=unit, coders=coders, codes=codes)
    units, presence, coders = comparison.units, comparison.presence, comparison.coders
    columns = ["document", "start", "end", "text", "codes_in_dispute", *coders]
    book = project.codebook
    order = {c: i for i, c in enumerate(comparison.codes)}
    labels = {c: book.get(c).label for c in comparison.codes}
    applied_by = presence.groupby(["unit", "code_id"])["coder"].nunique()
    disputed = applied_by[applied_by < len(coders)].reset_index()
    if disputed.empty:
        return pd.DataFrame(columns=columns)
    in_dispute = _joined(disputed["unit"], disputed["code_id"], order, labels)
    mine = presence[presence["unit"].isin(in_dispute.index)]
    rows = units.iloc[in_dispute.index].copy()
    texts: dict[str, str] = {}
    excerpts = []
    for doc, start, end in zip(rows["document_id"], rows["start"], rows["end"], strict=True):
        if doc not in texts:
            texts[doc] = project.text(doc)
        excerpt = texts[doc][start:end]
        if max_chars and len(excerpt) > max_chars:
            excerpt = excerpt[: max_chars - 1].rstrip() + "…"
        excerpts.append(excerpt)
    result = pd.DataFrame(
        {
            "document": rows["document"].to_numpy(),
            "start": rows["start"].astype(int).to_numpy(),
            "end": rows["end"].astype(int).to_numpy(),
            "text": excerpts,
            "codes_in_dispute": in_dispute.to_numpy(),
        }
    )
    for coder in coders:
        theirs = mine[mine["coder"] == coder]
        joined = _joined(theirs["unit"], theirs["code_id"], order, labels)
        result[coder] = joined.reindex(in_dispute.index).fillna("").to_numpy()
    return result[columns]


def _joined(
    keys: pd.Series, codes: pd.Series, order: dict[str, int], labels: dict[str, str]
) -> pd.Series:
    """Per key, the labels of its codes in codebook order joined by ", " (indexed by sorted key).

    Vectorised: rows are sorted by (key, code rank) and concatenated per run with
    ``np.add.reduceat`` instead of one Python call per group.
    """
    if len(keys) == 0:
        return pd.Series(dtype=object)
    frame = pd.DataFrame({"key": keys.to_numpy(), "rank": codes.map(order).to_numpy()})
    frame = frame.drop_duplicates().sort_values(["key", "rank"], kind="stable")
    ids = list(order)
    text = np.array([", " + labels[ids[r]] for r in frame["rank"]], dtype=object)
    key = frame["key"].to_numpy()
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    joined = np.add.reduceat(text, starts)
    return pd.Series([j[2:] for j in joined], index=key[starts])
