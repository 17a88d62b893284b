"""Inter-coder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha (nominal).

Two layers:

* **Pure statistics** on plain data. A *reliability matrix* has one row per unit and one column
  per coder; a cell holds the category that coder gave the unit, or a missing value (``None`` /
  ``NaN``) when the coder did not judge it. Optional ``weights`` (one per unit) make a unit count
  as that many identical units (used for the character unit, where a run of characters coded
  alike is one weighted unit). Everything is vectorised with numpy.
* **Project level** (``agreement``, ``disagreements``, ``agreement_units``): the user chooses the
  unit of analysis — speaker turn, sentence (``miam_qual.segmentation``, the sentences the coding
  workbench selects), questionnaire answer, paragraph or character — and
  how uncoded text counts. The coders compared are named, or chosen by ``default_coders`` (among
  three or more, the pair sharing the most documents); only documents that every compared coder
  coded (at least one coding) are used, and ``describe`` says which, and what was left out. For each code, every coder gives each unit a binary judgement (code applied to a
  span overlapping the unit, or not); the overall figures pool those binary decisions over all
  codes (coincidence and confusion matrices are summed across codes).

Beyond the per-code table: ``theme_agreement`` (alpha per theme), ``pairwise`` and
``pairwise_matrix`` (every pair of coders on its own shared documents), ``alpha_intervals``
(Krippendorff's bootstrap, ``bootstrap``), and the agreement MAXQDA and NVivo users know
(``segments``: segment matching with a minimum overlap, code presence per document, character
agreement per document and its averages). Fleiss' kappa, Gwet's AC1 and Brennan–Prediger sit
beside Cohen's kappa; the tests check them against irrCAC and alpha against ``krippendorff``.

The building blocks (coincidence and confusion matrices, ``AgreementSums``, ``AlphaInterval``)
stay in their modules: ``miam_qual.agreement.statistics`` and ``miam_qual.agreement.bootstrap``.

Reference values the tests check: Krippendorff's 4 coders × 12 units example (nominal α = 0.743),
his 2-coder binary example (α = 0.095), and the classic 50-item Cohen example (κ = 0.400).
"""

from .bootstrap import alpha_bootstrap
from .coders import (
    OVERALL,
    OVERALL_LABEL,
    UNCODED_LABELS,
    Comparison,
    agreement,
    compare,
    default_coders,
    describe,
    disagreements,
)
from .decisions import AGREEMENT_COLUMNS
from .multi import alpha_intervals, pairwise, pairwise_matrix, theme_agreement
from .segments import (
    character_agreement,
    character_agreement_averages,
    code_presence,
    segment_agreement,
    segment_matches,
)
from .statistics import (
    brennan_prediger,
    coefficients,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from .units import UNIT_LABELS, agreement_units, locate

__all__ = [
    "AGREEMENT_COLUMNS",
    "Comparison",
    "OVERALL",
    "OVERALL_LABEL",
    "UNCODED_LABELS",
    "UNIT_LABELS",
    "agreement",
    "agreement_units",
    "alpha_bootstrap",
    "alpha_intervals",
    "brennan_prediger",
    "character_agreement",
    "character_agreement_averages",
    "code_presence",
    "coefficients",
    "cohen_kappa",
    "compare",
    "default_coders",
    "describe",
    "disagreements",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "locate",
    "pairwise",
    "pairwise_matrix",
    "percent_agreement",
    "segment_agreement",
    "segment_matches",
    "theme_agreement",
]
