"""The interactive theme review of notebook 04: filters (theme, the attributes that
``projet.yml`` names in ``revue: filtres``, coder) over the frequencies and representative excerpts.

State plus a thin view: ``ReviewPanel.select(...)`` and the reading methods work without a
browser or kernel (tests call them); ``ReviewPanel.widget`` builds the ipywidgets view on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .. import analysis
from ..errors import UnknownOption
from ..excerpts import representative_excerpts

if TYPE_CHECKING:
    from ..project import Project

ALL = "(tous)"
#: The dropdowns' value for « (tous) »: ipywidgets shows a ``None`` value as an empty box.
_EVERY = "\x00tous"


class ReviewPanel:
    """Filtered view of a project's codings for supervisors.

    Filters are ``theme``, one per attribute of ``config.review.filters`` (named by the attribute),
    and ``coder``. ``source_type`` and ``wave`` also name the attributes ``revue: groupe`` and
    ``revue: vague`` when the project declares them.
    """

    def __init__(self, project: Project):
        self.project = project
        self._all = analysis.common.coded_segments(project)
        config = project.config
        review = config.review
        #: Filter name → codings column, in display order; and their French labels.
        self.columns = {"theme": "theme_id", **{a: a for a in review.filters}, "coder": "coder"}
        self.labels = {
            "theme": "Thème",
            **{a: config.attributes[a].label for a in review.filters},
            "coder": "Codeur·se",
        }
        self._roles = {
            role: attribute
            for role, attribute in (("source_type", review.group), ("wave", review.wave))
            if attribute in self.columns
        }
        #: Every filter starts at « (tous) ».
        self.filters: dict[str, str | None] = dict.fromkeys(self.columns)
        self._widget = None
        self._syncing = False

    def _name(self, name: str) -> str:
        name = self._roles.get(name, name)
        if name not in self.columns:
            raise TypeError(f"unknown filter {name!r} (filters: {', '.join(self.columns)})")
        return name

    # -- state ---------------------------------------------------------------------------------
    def choices(self, name: str) -> list[tuple[str, str | None]]:
        """(French label, value) pairs offered by a filter, ``(tous)`` first."""
        name = self._name(name)
        column = self.columns[name]
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
        """Set filters (``theme=``, ``coder=``, an attribute of ``revue: filtres``, or the roles
        ``source_type=``/``wave=``; ``None`` clears). The dropdowns show the same choices. An
        unknown name raises ``TypeError``; a value that is neither offered, nor declared in
        ``projet.yml``, nor a registered coder raises ``UnknownOption`` (a misspelt value would
        otherwise keep no row) and changes nothing."""
        wanted = {self._name(name): value for name, value in values.items()}
        for name, value in wanted.items():
            allowed = self._allowed(name)
            if value is not None and value not in allowed:
                raise UnknownOption(
                    f"Filtre « {self.labels[name]} » : aucune valeur « {value} » "
                    f"(possibles : {', '.join(allowed)})."
                )
        self.filters.update(wanted)
        self._show_filters()
        self._refresh()
        return self

    def _allowed(self, name: str) -> list[str]:
        """Values a filter accepts: those offered, the attribute's declared choices (a choice no
        coding carries yet keeps no row, truly), the registered coders."""
        values = [v for _label, v in self.choices(name) if v is not None]
        spec = self.project.config.attributes.get(self.columns[name])
        if spec is not None:
            values += spec.choices
        if name == "coder":
            values += list(self.project.coders()["coder"])
        return list(dict.fromkeys(values))

    def _show_filters(self) -> None:
        """Put the filters into the dropdowns, so that widget and state never disagree."""
        if self._widget is None:
            return
        self._syncing = True
        try:
            for name, dropdown in self._dropdowns.items():
                value = _EVERY if self.filters[name] is None else self.filters[name]
                if value not in [v for _label, v in dropdown.options]:  # allowed, not yet offered
                    dropdown.options = [*dropdown.options, (value, value)]
                dropdown.value = value
        finally:
            self._syncing = False

    def describe_filters(self) -> str:
        """The filters in force, in French (« Filtres : Thème = Accès… ; Vague = bilan. »), or
        « Aucun filtre : tout le projet. », so that no filter set in code goes unseen."""
        themes = {t.id: t.label for t in self.project.codebook.themes()}
        active = [
            f"{self.labels[name]} = {themes.get(value, value) if name == 'theme' else value}"
            for name, value in self.filters.items()
            if value is not None
        ]
        return f"Filtres : {' ; '.join(active)}." if active else "Aucun filtre : tout le projet."

    def codings(self) -> pd.DataFrame:
        """The codings kept by the filters (columns of ``Project.codings()``)."""
        frame = self._all
        for name, value in self.filters.items():
            if value is None:
                continue
            column = self.columns[name]
            if name == "theme":
                frame = frame[frame["theme_id"] == value]
            elif column in frame.columns:
                frame = frame[frame[column].astype(str) == value]
            else:
                frame = frame.iloc[0:0]
        return frame

    def frequencies(self) -> pd.DataFrame:
        """Code frequencies of the filtered codings with French headers (used codes only): a
        code counts its sub-codes' codings (as ``Project.codings`` does); a passage coded twice
        counts twice as segments, once as a distinct passage."""
        table = analysis.code_frequencies(self.project, codings=self.codings())
        if self.filters["theme"]:
            table = table[table["theme_id"] == self.filters["theme"]]
        table = table[table["segments"] > 0][
            ["theme", "code", "segments", "passages", "documents", "participants"]
        ]
        return table.rename(
            columns={
                "theme": "Thème",
                "code": "Code",
                "segments": "Segments codés (avec sous-codes)",
                "passages": "Passages distincts",
                "documents": "Documents",
                "participants": "Participant·es",
            }  # fmt: skip
        ).reset_index(drop=True)

    def excerpts(self, n: int = 6) -> pd.DataFrame:
        """Representative excerpts of the filtered codings (see ``representative_excerpts``)."""
        return representative_excerpts(self.codings(), n, group=self.project.config.review.group)

    # -- view ----------------------------------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets view (built once): four dropdowns, a count, a table and excerpts."""
        if self._widget is None:
            import ipywidgets as w

            self._dropdowns = {}
            for name in self.columns:
                options = [(label, _EVERY if v is None else v) for label, v in self.choices(name)]
                dropdown = w.Dropdown(options=options, description=self.labels[name],
                                      style={"description_width": "130px"})  # fmt: skip
                dropdown.observe(
                    lambda change, n=name: (
                        None if self._syncing else self._picked(n, change["new"])
                    ),
                    names="value",
                )
                self._dropdowns[name] = dropdown
            self._count = w.HTML()
            self._table = w.HTML()
            self._quotes = w.HTML()
            self._widget = w.VBox(
                [
                    *(w.HBox(row) for row in _pairs(list(self._dropdowns.values()))),
                    self._count,
                    self._table,
                    w.HTML("<h4>Extraits représentatifs</h4>"),
                    self._quotes,
                ]  # fmt: skip
            )
            self._show_filters()
            self._refresh()
        return self._widget

    def _picked(self, name: str, value: str) -> None:
        self.select(**{name: None if value == _EVERY else value})

    def _refresh(self) -> None:
        if self._widget is None:
            return
        import html

        frame = self.codings()
        self._count.value = (
            f"<p><b>{len(frame)}</b> segment(s) codé(s) retenu(s). "
            f"{html.escape(self.describe_filters())}</p>"
        )
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


def _pairs(items: list) -> list[list]:
    """Two dropdowns per row."""
    return [items[i : i + 2] for i in range(0, len(items), 2)]
