"""Per code, every coder's yes/no decision on every unit of a ``Comparison``, summed; and the
agreement table's rows pooled from those sums (``agreement``, ``theme_agreement``, ``progress``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .statistics import (
    AgreementSums,
    agreement_sums,
    coefficients_from_sums,
    kappa_from_confusion,
)

if TYPE_CHECKING:
    from .coders import Comparison

#: Columns of ``agreement`` (and, from ``units`` on, of ``theme_agreement``).
AGREEMENT_COLUMNS = [
    "code_id", "code", "theme", "units", "units_coded", "percent_agreement", "kappa",
    "fleiss_kappa", "gwet_ac1", "brennan_prediger", "alpha",
]  # fmt: skip


@dataclass
class CodeDecisions:
    """One code's yes/no decisions in a ``Comparison``: their ``AgreementSums``, Cohen's 2 × 2
    ``confusion`` table (``None`` unless two coders), the weight of the ``units`` compared and of
    those ``coded`` by at least one coder."""

    sums: AgreementSums
    confusion: np.ndarray | None
    units: float
    coded: float


def code_decisions(comparison: Comparison) -> dict[str, CodeDecisions]:
    """Per code of ``comparison.codes`` (in that order): every coder's yes/no decision on every
    unit, summed (see ``CodeDecisions``). Codes are pooled by adding their sums.

    Every coder judges every unit, so a unit where nobody applied the code is ``m`` agreeing
    "no" decisions. Only the units someone coded are counted one by one; the others add their
    known share in one step (``_unanimous_no``): a code touches a few hundred of a national
    project's hundred thousand turns.
    """
    units, presence, coders = comparison.units, comparison.presence, comparison.coders
    weights = units["weight"].to_numpy(dtype=float)
    total = float(weights.sum())
    m = len(coders)
    coder_of = pd.Index(coders).get_indexer(presence["coder"])
    unit_of = presence["unit"].to_numpy()
    positions = presence.groupby("code_id").indices
    result = {}
    for code_id in comparison.codes:
        hit = positions.get(code_id, np.array([], dtype=np.int64))
        touched, row = np.unique(unit_of[hit], return_inverse=True)
        matrix = np.zeros((len(touched), m), dtype=np.int64)
        matrix[row, coder_of[hit]] = 1
        ones = matrix.sum(axis=1)
        w = weights[touched]
        rest = total - float(w.sum())  # the weight of the units nobody coded with it
        sums = agreement_sums(np.column_stack([m - ones, ones]), w) + _unanimous_no(m, rest)
        confusion = None
        if m == 2:
            confusion = np.zeros((2, 2))
            np.add.at(confusion, (matrix[:, 0], matrix[:, 1]), w)
            confusion[0, 0] += rest
        result[code_id] = CodeDecisions(sums, confusion, total, float(w[ones > 0].sum()))
    return result


def _unanimous_no(m: int, weight: float) -> AgreementSums:
    """``AgreementSums`` of units of total ``weight`` where all ``m`` coders said "no": judged
    and pairable, every pair agreeing, prevalence all on "no", and ``m`` coincidences per unit
    weight in the ("no", "no") cell (Krippendorff: ``m (m - 1) / (m - 1)``)."""
    coincidences = np.zeros((2, 2))
    coincidences[0, 0] = m * weight
    return AgreementSums(weight, weight, weight, np.array([weight, 0.0]), coincidences)


def coded_weight(comparison: Comparison, codes: list[str] | None = None) -> float:
    """Weight of the units of ``comparison`` where some coder applied one of ``codes`` (default:
    any code)."""
    presence = comparison.presence
    if codes is not None:
        presence = presence[presence["code_id"].isin(codes)]
    coded = np.zeros(len(comparison.units), dtype=bool)
    coded[presence["unit"].to_numpy()] = True
    return float(comparison.units["weight"].to_numpy(float)[coded].sum())


def pooled_row(
    code_id: str, code: str, theme: str, decisions: list[CodeDecisions], coded: float
) -> dict:
    """One row of ``AGREEMENT_COLUMNS``: the coefficients of ``decisions`` pooled (their sums
    added); ``coded``: the ``units_coded`` value."""
    nan = float("nan")
    if not decisions:
        return {"code_id": code_id, "code": code, "theme": theme, "units": 0.0,
                "units_coded": 0.0, **dict.fromkeys(AGREEMENT_COLUMNS[5:], nan)}  # fmt: skip
    sums = decisions[0].sums
    for d in decisions[1:]:
        sums = sums + d.sums
    values = coefficients_from_sums(sums, n_categories=2)
    tables = [d.confusion for d in decisions if d.confusion is not None]
    kappa = kappa_from_confusion(np.sum(tables, axis=0)) if len(tables) == len(decisions) else nan
    return {
        "code_id": code_id,
        "code": code,
        "theme": theme,
        "units": decisions[0].units,
        "units_coded": coded,
        "percent_agreement": values["percent_agreement"],
        "kappa": kappa,
        "fleiss_kappa": values["fleiss_kappa"],
        "gwet_ac1": values["gwet_ac1"],
        "brennan_prediger": values["brennan_prediger"],
        "alpha": values["alpha"],
    }
