"""Agreement statistics on plain data: percent agreement, Cohen's kappa, Krippendorff's alpha.

A *reliability matrix* has one row per unit and one column per coder; a cell holds the category
that coder gave the unit, or a missing value (``None`` / ``NaN``). Optional ``weights`` (one per
unit) make a unit count as that many identical units. Everything is vectorised with numpy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AgreementError, InvalidWeights


def _encode(data: object) -> tuple[np.ndarray, np.ndarray]:
    """Integer-code a reliability matrix: (units × coders ints, -1 = missing; categories).

    Raises ``AgreementError`` when ``data`` is not a table of single values.
    """
    try:
        values = np.asarray(pd.DataFrame(data).to_numpy(dtype=object))
        codes, categories = pd.factorize(pd.Series(values.ravel()), use_na_sentinel=True)
    except (TypeError, ValueError):
        raise AgreementError(
            "Les données de fiabilité doivent former un tableau : une ligne par unité, une "
            "colonne par codeur, une catégorie (ou rien) par case."
        ) from None
    return codes.reshape(values.shape), np.asarray(categories, dtype=object)


def unit_weights(weights: object, n_units: int) -> np.ndarray:
    """One finite, non-negative weight per unit (all 1 when ``weights`` is ``None``).

    Raises ``InvalidWeights`` otherwise: a negative weight would make alpha exceed 1.
    """
    if weights is None:
        return np.ones(n_units)
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise InvalidWeights(
            "Les poids des unités doivent être des nombres (un par unité)."
        ) from None
    if w.shape != (n_units,):
        raise InvalidWeights(
            f"Il faut exactement un poids par unité : {n_units} unité(s), {w.size} poids donné(s)."
        )
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if len(bad):
        value = w[int(bad[0])]
        shown = f"{value:g}".replace(".", ",") if np.isfinite(value) else "non fini"
        raise InvalidWeights(
            f"Poids invalide pour l'unité {int(bad[0]) + 1} ({shown}) : un poids est un nombre "
            f"positif ou nul ({len(bad)} poids invalide(s) en tout)."
        )
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
    return coincidences_from_counts(counts, unit_weights(weights, counts.shape[0])), categories


def coincidences_from_counts(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Coincidence matrix from per-unit category ``counts`` (units × categories) and unit
    ``weights``; units judged by fewer than two coders are left out."""
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
    w = unit_weights(weights, counts.shape[0])
    m = counts.sum(axis=1)
    keep = m >= 2
    if not keep.any():
        return float("nan")
    agreeing = (counts[keep] * (counts[keep] - 1)).sum(axis=1) / (m[keep] * (m[keep] - 1))
    return float((agreeing * w[keep]).sum() / w[keep].sum())


def confusion_matrix(
    first: Iterable[object], second: Iterable[object], *, weights: object = None
) -> pd.DataFrame:
    """Cross-table of two coders' categories (rows: first coder) over units both judged."""
    codes, categories = _encode(pd.DataFrame({"a": list(first), "b": list(second)}))
    w = unit_weights(weights, codes.shape[0])
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


def cohen_kappa(
    first: Iterable[object], second: Iterable[object], *, weights: object = None
) -> float:
    """Cohen's kappa of two coders' nominal judgements (units either left missing are dropped)."""
    return kappa_from_confusion(confusion_matrix(first, second, weights=weights))


# -- chance-corrected coefficients for any number of coders ------------------------------------
# Fleiss' kappa, Gwet's AC1 and Brennan–Prediger share the observed agreement ``pa`` (pairs of
# coders agreeing, averaged over units judged at least twice) and differ only in chance agreement
# ``pe``. With missing values they follow Gwet's generalisation (Handbook of Inter-Rater
# Reliability, 4th ed., ch. 2), as irrCAC does: the category prevalence ``pi_k`` averages
# ``r_ik / r_i`` over every unit judged at least once, ``pa`` over units judged at least twice.
#   Fleiss:            pe = sum_k pi_k²
#   Gwet's AC1:        pe = sum_k pi_k (1 - pi_k) / (q - 1)
#   Brennan–Prediger:  pe = 1 / q
# where ``q`` is the number of categories (those observed, or ``n_categories``).

#: Keys of ``coefficients_from_counts``, in display order.
COEFFICIENTS = ("percent_agreement", "fleiss_kappa", "gwet_ac1", "brennan_prediger", "alpha")


@dataclass
class AgreementSums:
    """What the chance-corrected coefficients need, as weighted sums that add up across codes
    (pooling codes = adding their sums): ``judged`` (weight of units judged at least once),
    ``pairable`` (at least twice), ``agreeing`` (sum of each pairable unit's share of agreeing
    coder pairs × weight), ``prevalence`` (per category, sum of ``r_ik / r_i`` × weight),
    ``coincidences`` (Krippendorff's matrix)."""

    judged: float
    pairable: float
    agreeing: float
    prevalence: np.ndarray
    coincidences: np.ndarray

    def __add__(self, other: AgreementSums) -> AgreementSums:
        return AgreementSums(
            self.judged + other.judged,
            self.pairable + other.pairable,
            self.agreeing + other.agreeing,
            self.prevalence + other.prevalence,
            self.coincidences + other.coincidences,
        )


def agreement_sums(counts: np.ndarray, weights: np.ndarray) -> AgreementSums:
    """``AgreementSums`` of per-unit category ``counts`` (units × categories) and unit
    ``weights`` (see ``value_counts_matrix``)."""
    counts = np.asarray(counts)
    weights = np.asarray(weights, dtype=float)
    r = counts.sum(axis=1)
    judged = r >= 1
    pairable = r >= 2
    pairs = (counts[pairable] * (counts[pairable] - 1)).sum(axis=1) / (
        r[pairable] * (r[pairable] - 1)
    )
    shares = counts[judged] / r[judged][:, None]
    return AgreementSums(
        judged=float(weights[judged].sum()),
        pairable=float(weights[pairable].sum()),
        agreeing=float((pairs * weights[pairable]).sum()),
        prevalence=(shares * weights[judged][:, None]).sum(axis=0),
        coincidences=coincidences_from_counts(counts, weights),
    )


def coefficients_from_sums(sums: AgreementSums, *, n_categories: int | None = None) -> dict:
    """Every coefficient of ``COEFFICIENTS`` from ``AgreementSums``; ``NaN`` where undefined
    (nothing pairable, chance agreement 1, fewer than two categories for AC1 and
    Brennan–Prediger). ``n_categories``: the number of possible categories (default: those
    observed, i.e. the length of ``sums.prevalence``)."""
    nan = float("nan")
    q = len(sums.prevalence) if n_categories is None else n_categories
    result = dict.fromkeys(COEFFICIENTS, nan)
    result["alpha"] = alpha_from_coincidences(sums.coincidences)
    if sums.pairable <= 0 or sums.judged <= 0:
        return result
    pa = sums.agreeing / sums.pairable
    pi = sums.prevalence / sums.judged
    result["percent_agreement"] = pa
    chance = {"fleiss_kappa": float((pi * pi).sum())}
    if q >= 2:
        chance["gwet_ac1"] = float((pi * (1 - pi)).sum() / (q - 1))
        chance["brennan_prediger"] = 1.0 / q
    for name, pe in chance.items():
        result[name] = (pa - pe) / (1 - pe) if pe < 1 else nan
    return result


def coefficients(data: object, *, weights: object = None, n_categories: int | None = None) -> dict:
    """Percent agreement, Fleiss' kappa, Gwet's AC1, Brennan–Prediger and Krippendorff's alpha
    of a reliability matrix (units × coders, any number of coders, missing values allowed), as a
    dict keyed by ``COEFFICIENTS``. ``n_categories``: possible categories, when some were never
    used (AC1 and Brennan–Prediger depend on it)."""
    counts, _ = value_counts_matrix(data)
    sums = agreement_sums(counts, unit_weights(weights, counts.shape[0]))
    return coefficients_from_sums(sums, n_categories=n_categories)


def fleiss_kappa(data: object, *, weights: object = None) -> float:
    """Fleiss' kappa (1971), any number of coders, missing values as in Gwet's generalisation;
    with two coders it is Scott's pi. ``NaN`` when undefined."""
    return float(coefficients(data, weights=weights)["fleiss_kappa"])


def gwet_ac1(data: object, *, weights: object = None, n_categories: int | None = None) -> float:
    """Gwet's AC1 (2008), stable when a category is rare; ``NaN`` when undefined."""
    return float(coefficients(data, weights=weights, n_categories=n_categories)["gwet_ac1"])


def brennan_prediger(
    data: object, *, weights: object = None, n_categories: int | None = None
) -> float:
    """Brennan and Prediger's coefficient (1981): chance agreement ``1 / q``; ``NaN`` when
    undefined."""
    result = coefficients(data, weights=weights, n_categories=n_categories)
    return float(result["brennan_prediger"])
