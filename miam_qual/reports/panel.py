"""The interactive theme review of notebook 04: filters (theme, source type, wave, coder) over
the frequencies and representative excerpts.

State plus a thin view: ``ReviewPanel.select(...)`` and the reading methods work without a
browser or kernel (tests call them); ``ReviewPanel.widget`` builds the ipywidgets view on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .. import analysis
from ..summaries import representative_excerpts

if TYPE_CHECKING:
    from ..project import Project

ALL = "(tous)"
#: Filter name → codings column.
FILTERS = {"theme": "theme_id", "source_type": "type_source", "wave": "vague", "coder": "coder"}
FILTER_LABELS = {
    "theme": "Thème",
    "source_type": "Type de source",
    "wave": "Vague",
    "coder": "Codeur·se",
}


class ReviewPanel:
    """Filtered view of a project's codings for supervisors."""

    def __init__(self, project: Project):
        self.project = project
        self._all = analysis.common.coded_segments(project)
        self.filters: dict[str, str | None] = dict.fromkeys(FILTERS)
        self._widget = None

    # -- state ---------------------------------------------------------------------------------
    def choices(self, name: str) -> list[tuple[str, str | None]]:
        """(French label, value) pairs offered by a filter, ``(tous)`` first."""
        column = FILTERS[name]
        if name == "theme":
            options = [(t.label, t.id) for t in self.project.codebook.themes()]
        elif column in self._all.columns:
            options = [
                (str(v), str(v)) for v in sorted(self._all[column].dropna().astype(str).unique())
            ]
        else:
            options = []
        return [(ALL, None), *options]

    def select(self, **values: str | None) -> ReviewPanel:
        """Set filters (``theme=``, ``source_type=``, ``wave=``, ``coder=``; ``None`` clears)."""
        for name, value in values.items():
            if name not in FILTERS:
                raise TypeError(f"unknown filter {name!r}")
            self.filters[name] = value
        self._refresh()
        return self

    def codings(self) -> pd.DataFrame:
        """The codings kept by the filters (columns of ``Project.codings()``)."""
        frame = self._all
        for name, value in self.filters.items():
            if value is None:
                continue
            column = FILTERS[name]
            if name == "theme":
                frame = frame[frame["theme_id"] == value]
            elif column in frame.columns:
                frame = frame[frame[column].astype(str) == value]
            else:
                frame = frame.iloc[0:0]
        return frame

    def frequencies(self) -> pd.DataFrame:
        """Code frequencies of the filtered codings with French headers (used codes only)."""
        table = analysis.code_frequencies(self.project, codings=self.codings())
        if self.filters["theme"]:
            table = table[table["theme_id"] == self.filters["theme"]]
        table = table[table["segments"] > 0][
            ["theme", "code", "segments", "documents", "participants"]
        ]
        return table.rename(
            columns={
                "theme": "Thème",
                "code": "Code",
                "segments": "Segments codés",
                "documents": "Documents",
                "participants": "Participant·es",
            }  # fmt: skip
        ).reset_index(drop=True)

    def excerpts(self, n: int = 6) -> pd.DataFrame:
        """Representative excerpts of the filtered codings (see ``representative_excerpts``)."""
        return representative_excerpts(self.codings(), n)

    # -- view ----------------------------------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets view (built once): four dropdowns, a count, a table and excerpts."""
        if self._widget is None:
            import ipywidgets as w

            self._dropdowns = {}
            for name in FILTERS:
                dropdown = w.Dropdown(options=self.choices(name), value=self.filters[name],
                                      description=FILTER_LABELS[name], style={"description_width": "110px"})  # fmt: skip
                dropdown.observe(
                    lambda change, n=name: self.select(**{n: change["new"]}), names="value"
                )
                self._dropdowns[name] = dropdown
            self._count = w.HTML()
            self._table = w.HTML()
            self._quotes = w.HTML()
            self._widget = w.VBox(
                [
                    w.HBox([self._dropdowns["theme"], self._dropdowns["source_type"]]),
                    w.HBox([self._dropdowns["wave"], self._dropdowns["coder"]]),
                    self._count,
                    self._table,
                    w.HTML("<h4>Extraits représentatifs</h4>"),
                    self._quotes,
                ]  # fmt: skip
            )
            self._refresh()
        return self._widget

    def _refresh(self) -> None:
        if self._widget is None:
            return
        import html

        frame = self.codings()
        self._count.value = f"<p><b>{len(frame)}</b> segment(s) codé(s) retenu(s).</p>"
        self._table.value = self.frequencies().to_html(index=False, border=0, escape=True)
        quotes = [
            f"<blockquote>« {html.escape(row.text)} »<br><small>{html.escape(str(row.participant or '—'))} · "
            f"{html.escape(str(row.source_type))} · {html.escape(row.document)}</small></blockquote>"
            for row in self.excerpts().itertuples()
        ]
        self._quotes.value = "".join(quotes) or "<p>Aucun extrait.</p>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
