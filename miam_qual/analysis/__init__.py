"""Analysis of a coded project: every result is a DataFrame whose columns are documented.

- ``code_frequencies``, ``theme_frequencies``: segments (codings), distinct passages, documents
  and participants per code or theme, optionally per coder or attribute (``by=``); a code counts
  its sub-codes' codings, as ``Project.codings(code)`` and ``has(code)`` do (``own_segments``:
  the code alone).
- ``crosstab`` / ``crosstab_table``: codes by an attribute (counts and share of participants).
- ``cooccurrence`` / ``cooccurrence_matrix``: codes on overlapping spans or in the same unit;
  ``code_document_matrix``: segments per code and document.
- ``compare_waves``: two questionnaire waves (by default the first and last values of the wave
  attribute named in ``projet.yml``'s ``revue``: « état initial » vs « bilan » for MIAM).
- ``retrieve`` with ``has``: passages matching boolean combinations of codes, attribute filters.
- ``saturation``: new codes appearing as documents are coded.

Everything reads through ``Project`` methods (``codings()``, ``documents()``, ``units()``…).
"""

from .common import participant_keys
from .cooccurrence import COOCCURRENCE_MODES, cooccurrence, cooccurrence_matrix
from .frequencies import (
    code_document_matrix,
    code_frequencies,
    compare_waves,
    crosstab,
    crosstab_table,
    saturation,
    theme_frequencies,
)
from .retrieval import Query, has, retrieve

__all__ = [
    "COOCCURRENCE_MODES",
    "Query",
    "code_document_matrix",
    "code_frequencies",
    "compare_waves",
    "cooccurrence",
    "cooccurrence_matrix",
    "crosstab",
    "crosstab_table",
    "has",
    "participant_keys",
    "retrieve",
    "saturation",
    "theme_frequencies",
]
