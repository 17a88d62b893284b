"""``MemoPanel``: the ipywidgets view of a ``MemoEditor`` (notebook 03).

Left, what the memo is about (documents, codes, or a document's codings) as a list, targets with a
memo marked ✎; right, the other authors' memos and a text box with « Enregistrer » and
« Effacer »; below, every memo of the project in a table. Only the two buttons write; the view
decides nothing about memos.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as w

from .memos import KINDS, MemoEditor

if TYPE_CHECKING:
    from ..project import Project

COLORS = {"info": "#1b5e20", "erreur": "#b71c1c"}


class MemoPanel:
    """``MemoPanel(projet)`` in a notebook cell: read and write memos on documents, codes and
    codings.

    ``author``: the name signing the memos (default: the coder remembered on this machine). The
    underlying ``editor`` (a ``MemoEditor``) holds the logic and can be driven from Python.
    """

    def __init__(self, project: Project, *, author: str | None = None):
        self.editor = MemoEditor(project, author=author)
        self._showing = False
        self.author = w.Text(
            value=self.editor.author, description="Votre nom", continuous_update=False,
            style={"description_width": "6.5em"}, layout=w.Layout(width="24em"),
        )  # fmt: skip
        self.kind = w.ToggleButtons(
            options=[(label, kind) for kind, label in KINDS.items()], value=self.editor.kind
        )
        self.document = w.Dropdown(description="Document", layout=w.Layout(width="98%"))
        self.targets = w.Select(rows=14, layout=w.Layout(width="98%"))
        self.others = w.HTML()
        self.text = w.Textarea(rows=8, placeholder="Votre mémo…", layout=w.Layout(width="98%"))
        self.save_button = w.Button(description="Enregistrer", button_style="primary", icon="save")
        self.delete_button = w.Button(description="Effacer", button_style="danger", icon="trash")
        self.status = w.HTML()
        self.listing = w.Output(layout=w.Layout(max_height="20em", overflow="auto"))
        left = w.VBox([self.kind, self.document, self.targets], layout=w.Layout(width="30em"))
        right = w.VBox(
            [self.others, self.text, w.HBox([self.save_button, self.delete_button])],
            layout=w.Layout(flex="1 1 24em", min_width="24em"),
        )
        self.ui = w.VBox(
            [
                w.HBox([w.HTML("<b>Mémos</b>"), self.author],
                       layout=w.Layout(justify_content="space-between")),
                w.HBox([left, right], layout=w.Layout(flex_flow="row wrap", width="100%")),
                self.status,
                w.HTML("<b>Tous les mémos</b> (du plus récent au plus ancien)"),
                self.listing,
            ],
            layout=w.Layout(max_width="72em"),
        )  # fmt: skip
        self.author.observe(lambda c: self._act(self.editor.set_author, c["new"]), names="value")
        self.kind.observe(self._on_kind, names="value")
        self.document.observe(self._on_document, names="value")
        self.targets.observe(self._on_target, names="value")
        self.save_button.on_click(lambda _b: self._act(self.save))
        self.delete_button.on_click(lambda _b: self._act(self.editor.delete))
        self.show()

    # -- actions ----------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save the text box as the author's memo on the chosen target."""
        return self.editor.save(self.text.value)

    def _act(self, action, *args):
        result = action(*args)
        # a refused save keeps what was typed in the box; anything done shows the stored memo
        self.show(reload_text=bool(result))
        return result

    def _on_kind(self, change) -> None:
        if not self._showing:
            self._act(self.editor.set_kind, change["new"])

    def _on_document(self, change) -> None:
        if not self._showing and change["new"]:
            self._act(self.editor.set_document, change["new"])

    def _on_target(self, change) -> None:
        if not self._showing and change["new"] is not None:
            self._act(self.editor.select, change["new"])

    # -- showing the editor's state ---------------------------------------------------------------
    def show(self, *, reload_text: bool = True) -> None:
        """Show the targets, the chosen target's memos, the status and the list of memos;
        ``reload_text=False`` leaves the text box as typed."""
        e = self.editor
        self._showing = True
        try:
            self.kind.value = e.kind
            docs = e.project.documents()
            self.document.options = list(zip(docs["document"], docs["document_id"], strict=True))
            self.document.value = e.document
            self.document.layout.display = "" if e.kind == "coding" else "none"
            choices = e.targets()
            self.targets.options = choices
            self.targets.value = e.target if e.target in {t for _l, t in choices} else None
        finally:
            self._showing = False
        chosen = e.target is not None
        if reload_text or not chosen:
            self.text.value = e.text() if chosen else ""
        self.text.disabled = not chosen
        self.save_button.disabled = self.delete_button.disabled = not chosen
        others = "".join(
            f"<p><b>{html.escape(author)}</b> : {html.escape(text)}</p>"
            for author, text in e.others()
        )
        self.others.value = others or (
            "<i>Choisissez à gauche ce que votre mémo commente.</i>" if not chosen else ""
        )
        color = COLORS.get(e.status_level, COLORS["info"])
        self.status.value = (
            f"<span style='color:{color}'>{html.escape(e.status) or '&nbsp;'}</span>"
        )
        self.listing.clear_output()
        with self.listing:
            from IPython.display import display

            display(e.table())

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)
