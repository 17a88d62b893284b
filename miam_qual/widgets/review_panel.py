"""``ReviewLoopPanel``: the ipywidgets view of a ``ReviewLoop`` (notebook 04).

Three tabs. « À revoir »: filters, the open contestations and comments, the passage and thread of
the item chosen, a reply box with « Répondre » and « Marquer comme réglé ». « Commenter »: what
the comment is about (a coding of a document, a code, a theme's summary), its threads, a text box
with « Commenter », « Approuver », « Contester ». « Historique »: the audit trail of codings, with
filters. Only those five buttons write; the view decides nothing about the review.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as w

from ..text import excerpt
from .codebook_editor import code_tree
from .review import ABOUT_CHOICES, KIND_CHOICES, TARGETS, ReviewLoop

if TYPE_CHECKING:
    from ..project import Project

COLORS = {"info": "#1b5e20", "erreur": "#b71c1c"}
ALL = ""  # the dropdown value standing for "no filter"
STYLE = {"description_width": "6.5em"}
#: Width of the panel: within a 1366-pixel screen beside JupyterLab's side bar.
MAX_WIDTH = "68em"


def _dropdown(label: str, choices: list[tuple[str, str]], width: str = "19em") -> w.Dropdown:
    return w.Dropdown(
        description=label, options=[("(tous)", ALL), *choices], value=ALL, style=STYLE,
        layout=w.Layout(width=width),
    )  # fmt: skip


def _html_table(frame) -> str:
    """A display table as escaped HTML (cells are French text already: no NaN, no lists)."""
    return frame.to_html(index=False, escape=True, border=0, classes="miam-revue").replace(
        "<table", "<table style='border-collapse:collapse;font-size:12px'", 1
    )


class ReviewLoopPanel:
    """``ReviewLoopPanel(projet)`` in a notebook cell: the review loop between supervisors and
    coders (comments, approvals, contestations, replies, settling) and the history of codings.

    ``author``: the name signing (a registered coder; default: the coder remembered on this
    machine). The underlying ``loop`` (a ``ReviewLoop``) holds the logic and can be driven from
    Python.
    """

    def __init__(self, project: Project, *, author: str | None = None):
        self.loop = ReviewLoop(project, author=author)
        self._showing = False
        coders = [(c, c) for c in project.coders()["coder"]]
        docs = project.documents()
        documents = list(zip(docs["document"], docs["document_id"], strict=True))
        self.author = w.Text(
            value=self.loop.author, description="Votre nom", continuous_update=False,
            style=STYLE, layout=w.Layout(width="22em"),
        )  # fmt: skip
        self.status = w.HTML()
        # « À revoir »
        self.filter_coder = _dropdown("Codeur·se", coders, "15em")
        self.filter_kind = _dropdown("Type", [(v, k) for k, v in KIND_CHOICES.items()], "15em")
        self.filter_about = _dropdown("Sur", [(v, k) for k, v in ABOUT_CHOICES.items()], "16em")
        self.filter_document = _dropdown("Document", documents, "20em")
        self.items = w.Select(rows=6, layout=w.Layout(width="100%"))
        self.thread_view = w.HTML(layout=w.Layout(max_height="11em", overflow="auto"))
        self.reply_text = w.Textarea(
            rows=3, placeholder="Votre réponse…", layout=w.Layout(width="100%")
        )
        self.reply_button = w.Button(description="Répondre", button_style="primary", icon="reply")
        self.settle_button = w.Button(
            description="Marquer comme réglé", button_style="success", icon="check",
            layout=w.Layout(width="14em"),
        )  # fmt: skip
        to_review = w.VBox(
            [
                w.HBox([self.filter_coder, self.filter_kind, self.filter_about,
                        self.filter_document], layout=w.Layout(flex_flow="row wrap")),
                self.items, self.thread_view, self.reply_text,
                w.HBox([self.reply_button, self.settle_button]),
            ]
        )  # fmt: skip
        # « Commenter »
        self.target_kind = w.ToggleButtons(
            options=[(label, kind) for kind, label in TARGETS.items()], value="codage",
            style={"button_width": "13em"},
        )  # fmt: skip
        self.document = w.Dropdown(
            description="Document", options=documents, value=self.loop.document, style=STYLE,
            layout=w.Layout(width="30em"),
        )  # fmt: skip
        self.targets = w.Select(rows=6, layout=w.Layout(width="100%"))
        self.target_view = w.HTML(layout=w.Layout(max_height="10em", overflow="auto"))
        self.comment_text = w.Textarea(
            rows=3, placeholder="Votre commentaire (ou la raison d'une contestation)…",
            layout=w.Layout(width="100%"),
        )  # fmt: skip
        self.comment_button = w.Button(description="Commenter", icon="comment")
        self.approve_button = w.Button(
            description="Approuver", button_style="success", icon="thumbs-up"
        )
        self.contest_button = w.Button(
            description="Contester", button_style="warning", icon="exclamation-triangle"
        )
        supervise = w.VBox(
            [
                self.target_kind, self.document, self.targets, self.target_view, self.comment_text,
                w.HBox([self.comment_button, self.approve_button, self.contest_button]),
            ]
        )  # fmt: skip
        # « Historique »
        self.history_document = _dropdown("Document", documents, "22em")
        self.history_code = _dropdown("Code", code_tree(project.codebook), "22em")
        self.history_coder = _dropdown("Codeur·se", coders, "16em")
        self.history = w.HTML(layout=w.Layout(max_height="22em", overflow="auto", width="100%"))
        history = w.VBox(
            [
                w.HBox([self.history_document, self.history_code, self.history_coder],
                       layout=w.Layout(flex_flow="row wrap")),
                w.HTML("Les changements de codages, du plus récent au plus ancien."),
                self.history,
            ]
        )  # fmt: skip
        self.tabs = w.Tab(children=[to_review, supervise, history])
        for index, title in enumerate(["À revoir", "Commenter", "Historique"]):
            self.tabs.set_title(index, title)
        self.ui = w.VBox(
            [
                w.HBox([w.HTML("<b>Revue des codages</b>"), self.author],
                       layout=w.Layout(justify_content="space-between")),
                self.tabs,
                self.status,
            ],
            layout=w.Layout(max_width=MAX_WIDTH),
        )  # fmt: skip
        self._wire()
        self.show()

    def _wire(self) -> None:
        loop = self.loop
        self.author.observe(lambda c: self._act(loop.set_author, c["new"]), names="value")
        for name, control in (
            ("coder", self.filter_coder), ("kind", self.filter_kind),
            ("about", self.filter_about), ("document", self.filter_document),
        ):  # fmt: skip
            control.observe(
                lambda c, name=name: self._on(loop.set_filter, name, c["new"]), names="value"
            )
        self.items.observe(lambda c: self._on(loop.select, c["new"]), names="value")
        self.target_kind.observe(lambda c: self._on(loop.set_target_kind, c["new"]), names="value")
        self.document.observe(
            lambda c: c["new"] and self._on(loop.set_document, c["new"]), names="value"
        )
        self.targets.observe(lambda c: self._on(loop.choose, c["new"]), names="value")
        for control in (self.history_document, self.history_code, self.history_coder):
            control.observe(lambda _c: self._on(lambda: None), names="value")
        self.reply_button.on_click(lambda _b: self._write(loop.reply, self.reply_text))
        self.settle_button.on_click(lambda _b: self._act(loop.settle))
        self.comment_button.on_click(lambda _b: self._write(loop.comment, self.comment_text))
        self.approve_button.on_click(lambda _b: self._write(loop.approve, self.comment_text))
        self.contest_button.on_click(lambda _b: self._write(loop.contest, self.comment_text))

    # -- actions ------------------------------------------------------------------------------------
    def _on(self, action, *args):
        if self._showing:
            return None
        return self._act(action, *args)

    def _act(self, action, *args):
        result = action(*args)
        self.show()
        return result

    def _write(self, action, box: w.Textarea) -> bool:
        done = bool(action(box.value))
        if done:  # a refused write keeps what was typed
            box.value = ""
        self.show()
        return done

    # -- showing the loop's state -------------------------------------------------------------------
    def show(self) -> None:
        """Show the list, the chosen thread, the supervisor's target, the history and the status."""
        loop = self.loop
        self._showing = True
        try:
            choices = loop.item_choices()
            self.items.options = choices
            self.items.value = loop.thread if loop.thread in {t for _l, t in choices} else None
            self.target_kind.value = loop.target_kind
            self.document.value = loop.document
            self.document.layout.display = "" if loop.target_kind == "codage" else "none"
            targets = loop.target_choices()
            self.targets.options = targets
            self.targets.value = loop.target if loop.target in {t for _l, t in targets} else None
        finally:
            self._showing = False
        chosen = self.items.value is not None
        self.reply_button.disabled = self.settle_button.disabled = not chosen
        self.thread_view.value = self._thread_html() if chosen else (
            "<i>Choisissez un élément de la liste pour lire le fil et y répondre.</i>"
            if choices else "<i>Rien à revoir pour l'instant.</i>"
        )  # fmt: skip
        on_coding = loop.target_kind == "codage" and loop.target is not None
        self.approve_button.disabled = self.contest_button.disabled = not on_coding
        self.comment_button.disabled = loop.target is None
        self.target_view.value = self._target_html()
        self.history.value = _html_table(
            loop.history_table(
                document=self.history_document.value or None,
                code=self.history_code.value or None,
                coder=self.history_coder.value or None,
            )
        )
        color = COLORS.get(loop.status_level, COLORS["info"])
        self.status.value = (
            f"<span style='color:{color}'>{html.escape(loop.status) or '&nbsp;'}</span>"
        )

    def _thread_html(self) -> str:
        row = self.loop.thread_row()
        if row is None:
            return ""
        if row["about"] == "codage":
            gone = " <i>(codage retiré depuis)</i>" if row["coding_removed"] else ""
            where = (
                f"<b>{html.escape(row['code'])}</b> posé par {html.escape(row['coder'] or '')} "
                f"dans <b>{html.escape(row['document'])}</b>{gone} :"
                f"<blockquote style='margin:4px 0 6px 1em'>{html.escape(excerpt(row['passage'], 400))}"
                "</blockquote>"
            )
        else:
            what = "le code" if row["about"] == "code" else "la synthèse du thème"
            where = f"Sur {what} <b>{html.escape(row['code'])}</b>"
        return where + _messages(self.loop.conversation())

    def _target_html(self) -> str:
        loop = self.loop
        if loop.target is None:
            return "<i>Choisissez ci-dessus ce que vous commentez.</i>"
        frame = loop.target_threads()
        if not len(frame):
            return "<i>Pas encore de commentaire ici.</i>"
        parts = []
        for row in frame.to_dict("records"):
            state = "réglé" if row["status"] == "réglé" else "ouvert"
            replies = f", {row['replies']} réponse(s)" if row["replies"] else ""
            parts.append(
                f"<p style='margin:2px 0'><b>{html.escape(row['author'])}</b> ({row['kind']}, "
                f"{state}{replies}) : {html.escape(excerpt(row['text'], 160))}</p>"
            )
        return "".join(parts)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)


def _messages(messages: list[dict]) -> str:
    return "".join(
        f"<p style='margin:3px 0'><b>{html.escape(m['author'])}</b> "
        f"<span style='color:#555'>({html.escape(m['kind'])}, {html.escape(m['at'])})</span> : "
        f"{html.escape(m['text']).replace(chr(10), '<br>')}</p>"
        for m in messages
    )
