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
    """The units of analysis of ``documents`` (GUIDs), in text order.

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
    frames = []
    for doc in documents:
        if unit in ("turn", "answer", "paragraph"):
            spans = project.units(doc, unit)[["start", "end"]].to_numpy()
        elif unit == "sentence":
            spans = np.array(sentence_spans(project.text(doc)), dtype=np.int64).reshape(-1, 2)
        else:
            length = len(project.text(doc))
            cuts = {0, length}
            if codings is not None and len(codings):
                mine = codings[codings["document_id"] == doc]
                cuts.update(mine["start"].astype(int))
                cuts.update(mine["end"].astype(int))
            edges = np.array(sorted(c for c in cuts if 0 <= c <= length))
            spans = np.column_stack([edges[:-1], edges[1:]])
        if not len(spans):
            continue
        spans = spans[np.argsort(spans[:, 0], kind="stable")]
        frames.append(
            pd.DataFrame(
                {
                    "document_id": doc,
                    "document": names.get(doc, doc),
                    "unit": np.arange(len(spans)),
                    "start": spans[:, 0].astype(np.int64),
                    "end": spans[:, 1].astype(np.int64),
                    "weight": (spans[:, 1] - spans[:, 0]) if unit == "character" else 1,
                }
            )
        )
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in UNITS_COLUMNS})
    return pd.concat(frames, ignore_index=True)


def _overlaps(units: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """Pairs (unit row, coding row) whose spans overlap: ``unit_row, coding_row``."""
    pairs = []
    unit_groups = {d: g for d, g in units.groupby("document_id", sort=False)}
    for doc, group in codings.groupby("document_id", sort=False):
        if doc not in unit_groups:
            continue
        u = unit_groups[doc]
        starts, ends = u["start"].to_numpy(), u["end"].to_numpy()
        order = np.argsort(starts, kind="stable")
        starts, ends, rows = starts[order], ends[order], u.index.to_numpy()[order]
        running_end = np.maximum.accumulate(ends)
        c_start, c_end = group["start"].to_numpy(), group["end"].to_numpy()
        first = np.searchsorted(running_end, c_start, side="right")
        last = np.searchsorted(starts, c_end, side="left")
        n = np.maximum(last - first, 0)
        coding_rows = np.repeat(group.index.to_numpy(), n)
        offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        positions = np.repeat(first, n) + offsets
        hit = ends[positions] > np.repeat(c_start, n)
        pairs.append(
            pd.DataFrame({"unit_row": rows[positions][hit], "coding_row": coding_rows[hit]})
        )
    if not pairs:
        return pd.DataFrame(
            {"unit_row": pd.Series(dtype=np.int64), "coding_row": pd.Series(dtype=np.int64)}
        )
    return pd.concat(pairs, ignore_index=True)


def _prepare(
    project: Project,
    unit: str,
    coders: list[str] | None,
    codes: list[str] | None,
    uncoded: str,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], list[str]]:
    """Units kept, long presence table (``unit_row, coder, code_id``), coders and code ids."""
    if uncoded not in UNCODED_LABELS:
        raise MiamError(
            f"Option « uncoded » inconnue « {uncoded} » (possibles : {', '.join(UNCODED_LABELS)})."
        )
    codings = project.codings(coder=coders) if coders else project.codings()
    coders = list(coders) if coders else sorted(codings["coder"].unique())
    if len(coders) < 2:
        raise MiamError(
            "L'accord inter-codeurs demande au moins deux codeurs ayant codé "
            f"(trouvé : {', '.join(coders) or 'aucun'})."
        )
    per_doc = codings.groupby("document_id")["coder"].nunique()
    common = [d for d in codings["document_id"].unique() if per_doc.get(d, 0) == len(coders)]
    codings = codings[codings["document_id"].isin(common)]
    if codes is not None:
        wanted: list[str] = []
        for code in codes:
            wanted.extend(project.codebook.descendants(code))
        codings = codings[codings["code_id"].isin(wanted)]
    codings = codings.reset_index(drop=True)
    units = agreement_units(project, unit, common, codings)
    pairs = _overlaps(units, codings)
    presence = pd.DataFrame(
        {
            "unit_row": pairs["unit_row"].to_numpy(),
            "coder": codings["coder"].to_numpy()[pairs["coding_row"].to_numpy()],
            "code_id": codings["code_id"].to_numpy()[pairs["coding_row"].to_numpy()],
        }
    ).drop_duplicates()
    if uncoded == "ignore":
        units = units.loc[sorted(presence["unit_row"].unique())]
    order = [c.id for c in project.codebook]
    used = sorted(presence["code_id"].unique(), key=order.index)
    return units, presence, coders, used


def agreement(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    uncoded: str = "absent",
) -> pd.DataFrame:
    """Agreement among ``coders`` (default: every coder who coded) per code and overall.

    ``unit``: ``turn``, ``sentence``, ``answer``, ``paragraph`` or ``character`` (see
    ``UNIT_LABELS``). ``uncoded``: ``"absent"`` (a unit a coder left without the code counts as
    "absent" for that coder) or ``"ignore"`` (units no coder coded at all are left out).
    ``codes``: restrict to these codes or themes (with their descendants).

    Columns: ``code_id, code, theme, units`` (weighted number of units compared), ``units_coded``
    (units where at least one coder applied the code), ``percent_agreement`` (0–1), ``kappa``
    (Cohen; ``NaN`` unless exactly two coders), ``alpha`` (Krippendorff, nominal). The first row,
    ``code_id == "*"``, pools every code. Raises ``MiamError`` with fewer than two coders.
    """
    units, presence, coders, used = _prepare(project, unit, coders, codes, uncoded)
    position = pd.Series(np.arange(len(units)), index=units.index)
    weights = units["weight"].to_numpy(dtype=float)
    coder_index = {c: i for i, c in enumerate(coders)}
    rows = []
    total_o = np.zeros((2, 2))
    total_conf = np.zeros((2, 2))
    total_agree = total_weight = 0.0
    book = project.codebook
    for code_id in used:
        hits = presence[(presence["code_id"] == code_id) & presence["unit_row"].isin(units.index)]
        matrix = np.zeros((len(units), len(coders)), dtype=np.int64)
        matrix[position[hits["unit_row"]].to_numpy(), hits["coder"].map(coder_index).to_numpy()] = 1
        ones = matrix.sum(axis=1)
        counts = np.column_stack([len(coders) - ones, ones])
        o = _coincidences(counts, weights)
        m = len(coders)
        agree = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))
        total_o += o
        total_agree += float((agree * weights).sum())
        total_weight += float(weights.sum())
        kappa = float("nan")
        if len(coders) == 2:
            conf = np.zeros((2, 2))
            np.add.at(conf, (matrix[:, 0], matrix[:, 1]), weights)
            total_conf += conf
            kappa = kappa_from_confusion(conf)
        rows.append(
            {
                "code_id": code_id,
                "code": book.get(code_id).label,
                "theme": book.get(book.theme_of(code_id)).label,
                "units": float(weights.sum()),
                "units_coded": float(weights[ones > 0].sum()),
                "percent_agreement": float((agree * weights).sum() / weights.sum())
                if len(units)
                else float("nan"),
                "kappa": kappa,
                "alpha": alpha_from_coincidences(o),
            }
        )
    overall = {
        "code_id": OVERALL,
        "code": OVERALL_LABEL,
        "theme": "",
        "units": float(weights.sum()),
        "units_coded": float(weights[units.index.isin(presence["unit_row"])].sum()),
        "percent_agreement": total_agree / total_weight if total_weight else float("nan"),
        "kappa": kappa_from_confusion(total_conf) if len(coders) == 2 else float("nan"),
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
) -> pd.DataFrame:
    """Passages to discuss: units where the compared coders did not apply the same codes.

    Columns: ``document, start, end, text`` (the unit's text, cut to ``max_chars``),
    ``codes_in_dispute`` (labels applied by some coders but not all), then one column per coder
    with the labels that coder applied (``""`` for none), side by side. In text order.
    """
    units, presence, coders, used = _prepare(project, unit, coders, codes, "ignore")
    book = project.codebook
    labels = {c: book.get(c).label for c in used}
    sets = presence.groupby(["unit_row", "coder"])["code_id"].agg(frozenset)
    rows = []
    texts: dict[str, str] = {}
    order = {c: i for i, c in enumerate(used)}
    for row in units.itertuples():
        applied = {c: sets.get((row.Index, c), frozenset()) for c in coders}
        union = frozenset().union(*applied.values())
        common = frozenset.intersection(*applied.values())
        disputed = sorted(union - common, key=order.get)
        if not disputed:
            continue
        if row.document_id not in texts:
            texts[row.document_id] = project.text(row.document_id)
        excerpt = texts[row.document_id][row.start : row.end]
        if max_chars and len(excerpt) > max_chars:
            excerpt = excerpt[: max_chars - 1].rstrip() + "…"
        record = {
            "document": row.document,
            "start": int(row.start),
            "end": int(row.end),
            "text": excerpt,
            "codes_in_dispute": ", ".join(labels[c] for c in disputed),
        }
        for coder in coders:
            record[coder] = ", ".join(labels[c] for c in sorted(applied[coder], key=order.get))
        rows.append(record)
    columns = ["document", "start", "end", "text", "codes_in_dispute", *coders]
    return pd.DataFrame(rows, columns=columns)
