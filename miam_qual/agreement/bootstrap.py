"""Bootstrap distribution of Krippendorff's alpha (nominal), as Krippendorff describes it.

Krippendorff ("Algorithm for bootstrapping a distribution of alpha", 2006, revised 2011; used
by Hayes and Krippendorff's KALPHA macro, 2007) does not resample units: he resamples *pairs
of values* from the observed coincidence matrix, keeping the expected disagreement ``D_e`` of
the data.

1. Each cell ``(c, k)`` of the coincidence matrix is drawn with probability ``o_ck / n``.
2. A resample draws ``M`` pairs with replacement, ``M`` being the number of pairs of judgements
   in the data, as Hayes and Krippendorff count them: ``sum_u m_u (m_u - 1) / 2`` over units
   judged by ``m_u >= 2`` coders (a unit weight counts as that many units). The manuscript caps
   ``M`` by a practical limit on computing time; the binomial draw below needs no cap.
3. Its alpha is ``1 - D_o* / D_e`` with ``D_o*`` the mean difference of the pairs drawn.
4. The percentiles of ``samples`` such alphas give the interval, and the share below a
   threshold is the probability of failing to reach it (Krippendorff's ``q``).

For nominal data the difference of a pair is 0 (same category) or 1, so the number of
disagreeing pairs among ``M`` draws is binomial with probability ``D_o`` (the observed
disagreement): drawing that number is the same distribution as drawing the ``M`` pairs one by
one, and makes 1,000 resamples of any size instant. Alphas are not clipped; an interval is
``NaN`` when alpha is undefined. Draws are seeded (``seed``), so a result can be reproduced.

With the ``character`` unit every character counts as a unit, so ``M`` is large and the
interval narrow: characters are not independent judgements; prefer turns or sentences there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import UnknownOption
from .statistics import (
    alpha_from_coincidences,
    coincidences_from_counts,
    unit_weights,
    value_counts_matrix,
)

#: Thresholds Krippendorff recommends (tentative conclusions from 0.667, reliable from 0.8).
THRESHOLDS = (0.667, 0.8)


@dataclass(frozen=True)
class AlphaInterval:
    """A bootstrapped alpha: the ``alpha`` of the data, the ``low``–``high`` percentile interval
    at confidence ``level``, the number of ``samples`` and of pairs ``draws`` per sample, and
    ``below``: threshold → share of resampled alphas below it."""

    alpha: float
    low: float
    high: float
    level: float
    samples: int
    draws: int
    below: dict[float, float] = field(default_factory=dict)


def pair_draws(counts: np.ndarray, weights: np.ndarray) -> int:
    """``M``: the weighted number of pairs of judgements, ``sum_u w_u m_u (m_u - 1) / 2``."""
    m = np.asarray(counts).sum(axis=1)
    return int(round(float((np.asarray(weights, float) * m * (m - 1) / 2)[m >= 2].sum())))


def bootstrap_from_coincidences(
    o: np.ndarray,
    draws: int,
    *,
    samples: int = 1000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = 0,
    thresholds: tuple[float, ...] = THRESHOLDS,
) -> AlphaInterval:
    """Krippendorff's bootstrap (module docstring) from a nominal coincidence matrix ``o`` and
    the number of pairs ``draws`` (``pair_draws``). Raises ``UnknownOption`` for a ``level``
    outside (0, 1) or fewer than one sample."""
    if not 0 < level < 1:
        raise UnknownOption(
            f"Niveau de confiance invalide ({level}) : donnez une part entre 0 et 1 (0,95)."
        )
    if samples < 1:
        raise UnknownOption(f"Nombre de rééchantillons invalide ({samples}) : au moins 1.")
    o = np.asarray(o, dtype=float)
    alpha = alpha_from_coincidences(o)
    nan = float("nan")
    if np.isnan(alpha) or draws < 1:
        return AlphaInterval(alpha, nan, nan, level, samples, draws, dict.fromkeys(thresholds, nan))
    n_c = o.sum(axis=0)
    n = float(n_c.sum())
    expected = (n * n - float((n_c * n_c).sum())) / (n * (n - 1))
    observed = (n - float(np.trace(o))) / n
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    disagreeing = rng.binomial(draws, min(max(observed, 0.0), 1.0), size=samples)
    alphas = 1.0 - disagreeing / (draws * expected)
    low, high = np.quantile(alphas, [(1 - level) / 2, (1 + level) / 2])
    below = {t: float((alphas < t).mean()) for t in thresholds}
    return AlphaInterval(alpha, float(low), float(high), level, samples, draws, below)


def alpha_bootstrap(
    data: object,
    *,
    weights: object = None,
    samples: int = 1000,
    level: float = 0.95,
    seed: int | np.random.Generator | None = 0,
    thresholds: tuple[float, ...] = THRESHOLDS,
) -> AlphaInterval:
    """Krippendorff's alpha of a reliability matrix (units × coders, missing values allowed)
    with its bootstrapped interval (module docstring). Same seed, same interval."""
    counts, _ = value_counts_matrix(data)
    w = unit_weights(weights, counts.shape[0])
    o = coincidences_from_counts(counts, w)
    return bootstrap_from_coincidences(
        o, pair_draws(counts, w), samples=samples, level=level, seed=seed, thresholds=thresholds
    )
