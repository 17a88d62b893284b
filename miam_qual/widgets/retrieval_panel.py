"""``RetrievalPanel``: the ipywidgets view of a ``SegmentRetrieval`` (notebook 03).

A code (or theme), a coder and attribute filters at the top; the page of segments below, each with
its context and an « Aller au passage » button; the pages and one status line at the bottom. Each
control calls one retrieval method, then the view shows the retrieval's state again. Nothing here
writes to the project.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as w

from .retrieval import SegmentRetrieval

if TYPE_CHECKING:
    from ..project import Project
    from .panel import CodingPanel
    from .session import CodingSession

COLORS = {"info": "#1b5e20", "erreur": "#b71c1c"}
ALL = ""  # the dropdown value standing for "no filter" (ipywidgets reads None as "nothing chosen")
STYLE = {"description_width": "7em"}


def _escape(value: object) -> str:
    return html.escape(value) if isinstance(value, str) else ""


class RetrievalPanel:
    """``RetrievalPanel(projet, panneau)`` in a notebook cell: the segments of a code, with a way
    back to each passage in the coding panel ``panneau`` (optional).

    The underlying ``retrieval`` (a ``SegmentRetrieval``) holds the logic and can be driven from
    Python.
    """

    def __init__(
        self,
        project: Project,
        panel: CodingPanel | CodingSession | None = None,
        *,
        page_size: int = 20,
    ):
        self.retrieval = SegmentRetrieval(project, panel, page_size=page_size)
        r = self.retrieval
        self.code = w.Dropdown(
            description="Code", options=r.code_choices(), value=None, style=STYLE,
            layout=w.Layout(width="32em"),
        )  # fmt: skip
        self.coder = w.Dropdown(
            description="Codeur·se", options=[("Tous", ALL), *((c, c) for c in r.coder_choices())],
            value=ALL, style=STYLE, layout=w.Layout(width="20em"),
        )  # fmt: skip
        self.filters = {
            name: w.Dropdown(
                description=label, options=[("Tous", ALL), *((v, v) for v in values)],
                value=ALL, style={"description_width": "12em"}, layout=w.Layout(width="26em"),
            )
            for name, (label, values) in r.filter_choices().items()
        }  # fmt: skip
        self.search_button = w.Button(description="Afficher", button_style="primary", icon="search")
        self.rows = w.VBox()
        self.previous_button = w.Button(description="Page précédente", icon="chevron-left")
        self.next_button = w.Button(description="Page suivante", icon="chevron-right")
        self.page_label = w.HTML()
        self.status = w.HTML()
        filters = w.Accordion(
            children=[w.VBox(list(self.filters.values()))], titles=["Filtres par attribut"]
        )
        filters.selected_index = None
        self.ui = w.VBox(
            [
                w.HBox([self.code, self.coder, self.search_button], layout=w.Layout(flex_flow="row wrap")),
                filters,
                self.rows,
                w.HBox([self.previous_button, self.page_label, self.next_button]),
                self.status,
            ],
            layout=w.Layout(max_width="72em"),
        )  # fmt: skip
        self.search_button.on_click(lambda _b: self.search())
        self.previous_button.on_click(lambda _b: self._act(r.previous_page))
        self.next_button.on_click(lambda _b: self._act(r.next_page))
        self.show()

    # -- actions ----------------------------------------------------------------------------------
    def search(self):
        """Retrieve with the values chosen in the form."""
        if not self.code.value:
            self.retrieval.say("Choisissez d'abord un code ou un thème.", "erreur")
            self.show()
            return None
        filters = {name: box.value for name, box in self.filters.items() if box.value != ALL}
        found = self.retrieval.retrieve(self.code.value, coder=self.coder.value or None, **filters)
        self._refresh_choices()
        self.show()
        return found

    def _refresh_choices(self) -> None:
        """Codes and coders as they are now (another notebook may have added some); the values
        chosen stay when they still exist."""
        r = self.retrieval
        for box, options in (
            (self.code, r.code_choices()),
            (self.coder, [("Tous", ALL), *((c, c) for c in r.coder_choices())]),
        ):
            keep = box.value
            if list(box.options) != options:
                box.options = options
                box.value = keep if keep in [value for _label, value in options] else None

    def _act(self, action, *args):
        result = action(*args)
        self.show()
        return result

    # -- showing the retrieval's state ------------------------------------------------------------
    def _row(self, segment: dict) -> w.Widget:
        who = " · ".join(
            _escape(segment[k]) for k in ("document", "speaker", "code", "coder") if segment[k]
        )
        body = (
            f"<div style='line-height:1.4'><small style='color:#555'>{who}</small><br>"
            f"<span style='color:#777'>{_escape(segment['before'])}</span> "
            f"<b>{_escape(segment['text'])}</b> "
            f"<span style='color:#777'>{_escape(segment['after'])}</span>"
        )
        if segment["memo"] and isinstance(segment["memo"], str):
            body += f"<br><i>Mémo : {_escape(segment['memo'])}</i>"
        text = w.HTML(body + "</div>", layout=w.Layout(flex="1 1 auto"))
        button = w.Button(
            description="Aller au passage", icon="arrow-right", layout=w.Layout(flex="0 0 auto")
        )
        coding_id = segment["coding_id"]
        button.on_click(lambda _b: self._act(self.retrieval.jump, coding_id))
        button.disabled = self.retrieval.panel is None
        return w.HBox(
            [text, button],
            layout=w.Layout(border_bottom="1px solid #ddd", padding="4px 0", width="100%"),
        )

    def show(self) -> None:
        """Show the page of segments, the pages and the status."""
        r = self.retrieval
        segments = r.segments().to_dict("records")
        self.rows.children = [self._row(s) for s in segments]
        count = len(r.found)
        self.page_label.value = (
            f"&nbsp;Page {r.page + 1} sur {r.page_count} — {count} passage(s)&nbsp;"
            if r.code
            else ""
        )
        self.previous_button.disabled = r.page == 0
        self.next_button.disabled = r.page + 1 >= r.page_count
        color = COLORS.get(r.status_level, COLORS["info"])
        text = html.escape(r.status) or "&nbsp;"
        self.status.value = f"<span style='color:{color}'>{text}</span>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)
