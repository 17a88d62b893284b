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

Reference values the tests check: Krippendorff's 4 coders × 12 units example (nominal α = 0.743),
his 2-coder binary example (α = 0.095), and the classic 50-item Cohen example (κ = 0.400).
"""

from ..segmentation import sentence_spans
from .coders import (
    AGREEMENT_COLUMNS,
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
from .statistics import (
    alpha_from_coincidences,
    cohen_kappa,
    coincidence_matrix,
    confusion_matrix,
    kappa_from_confusion,
    krippendorff_alpha,
    percent_agreement,
    value_counts_matrix,
)
from .units import UNIT_LABELS, UNITS_COLUMNS, agreement_units, locate

__all__ = [
    "AGREEMENT_COLUMNS",
    "OVERALL",
    "OVERALL_LABEL",
    "UNCODED_LABELS",
    "UNITS_COLUMNS",
    "UNIT_LABELS",
    "Comparison",
    "agreement",
    "agreement_units",
    "alpha_from_coincidences",
    "coincidence_matrix",
    "cohen_kappa",
    "compare",
    "confusion_matrix",
    "default_coders",
    "describe",
    "disagreements",
    "kappa_from_confusion",
    "krippendorff_alpha",
    "locate",
    "percent_agreement",
    "sentence_spans",
    "value_counts_matrix",
]
