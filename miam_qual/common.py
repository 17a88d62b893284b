"""Helpers that ``Project``'s concept modules share: who is acting, and keyword filters on frames.

They live here, not in ``project.py``, so that ``importing``, ``participants``, ``codebook_edit``,
``coding`` and the publication functions can use them without importing ``Project`` at run time.
"""

from __future__ import annotations

import collections
import difflib
import functools
import getpass
import os
from collections.abc import Iterable
from typing import Any

import pandas as pd

from .errors import UnknownAttribute


def default_user() -> str:
    """Who is acting when a call does not say: ``$MIAM_CODEUR``, else the system login."""
    return os.environ.get("MIAM_CODEUR") or getpass.getuser()


def filter_frame(
    frame: pd.DataFrame, filters: dict[str, object], *, declared: Iterable[str] = ()
) -> pd.DataFrame:
    """Keep the rows whose column equals each filter value (a list, tuple or set means "one of").

    ``declared``: attribute names of ``projet.yml``. A filter on a declared attribute that no row
    carries (no document has a value for it yet) keeps no row; a filter that names neither a
    column nor a declared attribute raises ``UnknownAttribute`` suggesting close names, since a
    misspelt filter returning zero rows would look like a true answer.
    """
    declared = list(declared)
    for column, wanted in filters.items():
        if column not in frame.columns:
            if column in declared:
                frame = frame.iloc[0:0]
                continue
            raise unknown_attribute(column, [*declared, *map(str, frame.columns)])
        if isinstance(wanted, (list, tuple, set, frozenset)):
            frame = frame[frame[column].isin(list(wanted))]
        else:
            frame = frame[frame[column] == wanted]
    return frame.reset_index(drop=True)


def unknown_attribute(name: str, known: Iterable[str]) -> UnknownAttribute:
    """The French ``UnknownAttribute`` for filter ``name``, suggesting the closest of ``known``."""
    choices = list(dict.fromkeys(known))
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
    return UnknownAttribute(
        f"Filtre inconnu « {name} » : ce n'est ni une colonne de ce tableau ni un attribut que "
        f"projet.yml déclare pour lui, ce filtre ne peut rien sélectionner.{hint}"
    )


@functools.lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]) -> Any:
    return collections.namedtuple("Row", columns, rename=True)


def frame_rows(frame: pd.DataFrame) -> list[Any]:
    """The rows of ``frame`` as named tuples (``row.code``), the index left out. Like
    ``frame.itertuples(index=False)``, which pandas builds column by column through ``iloc`` and
    with a new tuple type per call: for the many small tables a report lays out, this reads each
    column once and reuses the type (the Word report took a third longer)."""
    if frame.empty:
        return []
    kind = _row_type(tuple(str(c) for c in frame.columns))
    columns = [series.tolist() for _, series in frame.items()]
    return [kind._make(values) for values in zip(*columns, strict=True)]
