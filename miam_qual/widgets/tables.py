"""Tables for people, not programmers: ``french(frame, projet)`` in a notebook cell.

The result is a copy for display only: French column headers (``reports.labels.column_label``),
French words for coded values (``kind``, ``role``), and cells anyone can read — an empty cell
instead of ``NaN``/``None``, « oui »/« non », lists joined with commas, a change written
``avant → après``, a code by its label, shares as percentages, numbers with French separators.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from ..codebook import Code
from ..reports.labels import (
    COLUMN_LABELS,
    PERCENT_COLUMNS,
    VALUE_LABELS,
    column_label,
    french_number,
    french_percent,
)

if TYPE_CHECKING:
    from ..project import Project

#: What an empty cell shows.
BLANK = ""


def readable(value: object, *, digits: int = 2) -> str:
    """One value as a French reader expects it (see the module docstring)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return BLANK
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if math.isnan(value):
            return BLANK
        return french_number(value, 0 if value.is_integer() else digits)
    if isinstance(value, int):
        return french_number(value)
    if isinstance(value, Code):
        return value.label
    if isinstance(value, Mapping):
        if set(value) == {"avant", "après"}:
            return f"{readable(value['avant'])} → {readable(value['après'])}"
        return " ; ".join(f"{key} : {readable(item)}" for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(readable(item) for item in value)
    if hasattr(value, "item") and not isinstance(value, str):  # a numpy scalar
        return readable(value.item(), digits=digits)
    return str(value)


def _label(project: Project | None, name: object) -> object:
    if not isinstance(name, str):
        return name
    if project is not None:
        return column_label(project, name)
    return COLUMN_LABELS.get(name, name)


def french_time(value: object) -> str:
    """``2026-03-12T08:05:00Z`` (UTC, as stored) → ``12/03/2026 09:05`` (this machine's time)."""
    if not isinstance(value, str):
        return readable(value)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")


def _column(series: pd.Series, name: object, digits: int, percent: bool) -> pd.Series:
    words = VALUE_LABELS.get(name) if isinstance(name, str) else None
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if numeric and (percent or name in PERCENT_COLUMNS):
        return series.map(lambda v: BLANK if pd.isna(v) else french_percent(v, digits - 1))
    if isinstance(name, str) and (name == "at" or name.endswith("_at")):
        return series.map(french_time)
    if words:
        return series.map(
            lambda v: words.get(v, readable(v)) if isinstance(v, str) else readable(v)
        )
    return series.map(lambda v: readable(v, digits=digits))


def french(
    data: pd.DataFrame | pd.Series | Mapping | list | tuple,
    project: Project | None = None,
    *,
    header: str = "Valeur",
    empty: str | None = None,
    digits: int = 2,
    percent: bool = False,
) -> pd.DataFrame:
    """A display copy of ``data`` with French headers and readable cells.

    ``data``: a DataFrame; a Series (one column named ``header``); a mapping such as
    ``Project.status()`` (one row per key); a list of ``Code`` (identifier, label, parent,
    definition); a list of other dataclasses (one column per field, e.g. the attributes of
    ``projet.config.attributes.values()``); any other list (one column named ``header``). ``project`` gives the labels of
    the attributes declared in ``projet.yml``. ``empty``: the sentence shown, in a single cell,
    when there is no row. ``digits``: decimals kept for numbers that are not whole.
    ``percent``: every number is a share (0–1), shown as a percentage (columns such as
    ``share_before`` or ``percent_agreement`` always are). Dates (``…_at`` columns) are shown in
    this machine's time, ``JJ/MM/AAAA HH:MM``.
    """
    frame = _as_frame(data, header)
    shown = pd.DataFrame(
        {
            i: _column(frame.iloc[:, i], name, digits, percent)
            for i, name in enumerate(frame.columns)
        },
        index=frame.index,
    )
    shown.columns = [_label(project, name) for name in frame.columns]
    if shown.columns.size and frame.columns.name is not None:
        shown.columns.name = _label(project, frame.columns.name)
    if any(name is not None for name in frame.index.names):  # an index that means something
        shown.index = shown.index.map(
            lambda key: tuple(map(readable, key)) if isinstance(key, tuple) else readable(key)
        )
        shown.index = shown.index.set_names([_label(project, n) for n in frame.index.names])
    else:  # row numbers, left over from filtering: renumbered
        shown = shown.reset_index(drop=True)
    if empty is not None and shown.empty:
        first = shown.columns[0] if shown.columns.size else header
        return pd.DataFrame({first: [empty]})
    return shown


def _as_frame(data: object, header: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame(header)
    if isinstance(data, Mapping):
        return pd.DataFrame({header: pd.Series(list(data.values()), dtype=object)}).set_axis(
            pd.Index([_label(None, key) for key in data], name="Élément")
        )
    items = list(data)  # type: ignore[call-overload]
    if items and all(isinstance(item, Code) for item in items):
        return pd.DataFrame(
            [(c.id, c.label, c.parent, c.definition) for c in items],
            columns=["code_id", "code", "parent_id", "definition"],
        )
    if items and all(dataclasses.is_dataclass(item) for item in items):
        return pd.DataFrame([dataclasses.asdict(item) for item in items])
    return pd.DataFrame({header: pd.Series(items, dtype=object)})
