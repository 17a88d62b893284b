"""A thin ipywidgets board to browse coded excerpts by theme, shortlist, edit and validate quotes.

The logic lives in plain methods (``show_theme``, ``excerpts``, ``shortlist``, ``load``, ``save``,
``set_status``) that tests call without a browser; the buttons only call them.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as w
import pandas as pd

from ..errors import MiamError, QuoteError
from .quotes import (
    TARGETS,
    edit_quote,
    list_quotes,
    propose_quote,
    quote_consents,
    set_quote_status,
)

if TYPE_CHECKING:
    from ..project import Project
    from ..widgets.listen_panel import ListenPanel

STATUS_BUTTONS = [
    ("Retenir", "retenue"),
    ("Validée par la personne", "validée"),
    ("Publiée", "publiée"),
    ("Écarter", "écartée"),
]


class QuoteBoard:
    """Browse excerpts of a theme, shortlist them as quotes, edit and move them along.

    Display it in a notebook with ``board.ui`` (or just ``board`` as the last expression).
    ``listen``: a ``ListenPanel`` (``miam_qual.widgets``); the board then offers « ▶ Écouter »,
    which plays the loaded quote's passage in its recording there.
    """

    def __init__(
        self, project: Project, *, by: str | None = None, listen: ListenPanel | None = None
    ):
        from ..widgets.prefs import saved_coder

        self.project = project
        #: who signs the changes: ``by``, else the coder chosen on this machine (notebook 03)
        self.by = by or saved_coder()
        self.theme_id: str | None = None
        self.current: str | None = None
        themes = [(t.label, t.id) for t in project.codebook.themes()]
        self.theme = w.Dropdown(options=themes, description="Thème")
        self.excerpt_list = w.Select(
            options=[], rows=8, description="Extraits", layout=w.Layout(width="100%")
        )
        self.propose_button = w.Button(description="Proposer comme citation", icon="plus")
        self.quote_list = w.Select(
            options=[], rows=6, description="Citations", layout=w.Layout(width="100%")
        )
        self.original = w.HTML()
        self.consent = w.HTML()
        self.editor = w.Textarea(description="Texte", layout=w.Layout(width="100%", height="6em"))
        self.target_boxes = {t: w.Checkbox(description=t, indent=False) for t in TARGETS}
        self.save_button = w.Button(description="Enregistrer", icon="save", button_style="primary")
        self.status_buttons = [w.Button(description=label) for label, _ in STATUS_BUTTONS]
        self.message = w.HTML()
        self.listen = listen
        self.listen_button = w.Button(
            description="Écouter", icon="play", tooltip="Écouter ce passage dans l'enregistrement"
        )
        self.listen_button.on_click(lambda _b: self._safely(self.play))
        self.theme.observe(lambda change: self.show_theme(change["new"]), names="value")
        self.propose_button.on_click(
            lambda _b: self._safely(self.shortlist, self.excerpt_list.value)
        )
        self.quote_list.observe(
            lambda change: self.load(change["new"]) if change["new"] else None, names="value"
        )
        self.save_button.on_click(lambda _b: self._safely(self.save))
        for button, (_label, status) in zip(self.status_buttons, STATUS_BUTTONS, strict=True):
            button.on_click(lambda _b, s=status: self._safely(self.set_status, s))
        self.ui = w.VBox(
            [
                self.theme,
                self.excerpt_list,
                self.propose_button,
                self.quote_list,
                self.original,
                self.consent,
                self.editor,
                w.HBox(list(self.target_boxes.values())),
                w.HBox(
                    [
                        self.save_button,
                        *self.status_buttons,
                        *([self.listen_button] if listen is not None else []),
                    ]
                ),
                self.message,
            ]
        )
        if themes:
            self.show_theme(themes[0][1])

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a kernel
        from IPython.display import display

        display(self.ui)

    def _safely(self, action, *args) -> None:
        try:
            action(*args)
        except MiamError as err:
            self.message.value = f"<span style='color:#c62828'>{html.escape(str(err))}</span>"

    # -- logic --------------------------------------------------------------------------------
    def show_theme(self, theme_id: str) -> None:
        """Show the coded excerpts and the quotes of a theme."""
        self.theme_id = theme_id
        if self.theme.value != theme_id:
            self.theme.value = theme_id
        frame = self.excerpts()
        self.excerpt_list.options = [
            (f"{r.document} · {r.code} · {r.text[:90]}", r.coding_id) for r in frame.itertuples()
        ]
        self._refresh_quotes()

    def excerpts(self) -> pd.DataFrame:
        """Coded excerpts of the current theme, one per selection: the columns of ``codings()``."""
        if self.theme_id is None:
            return pd.DataFrame()
        return (
            self.project.codings(self.theme_id)
            .drop_duplicates("selection_id")
            .reset_index(drop=True)
        )

    def _refresh_quotes(self) -> None:
        frame = list_quotes(self.project, theme=self.theme_id) if self.theme_id else pd.DataFrame()
        self.quote_list.options = [
            (f"{r.quote_id} [{r.status}] {r.public_text[:80]}", r.quote_id)
            for r in frame.itertuples()
        ]

    def _signer(self) -> str:
        """Who signs a change; refused (French) when nobody chose a name on this machine."""
        if not self.by:
            raise QuoteError(
                "Choisissez d'abord votre nom de codeur ou codeuse (carnet 03, panneau de codage) :"
                " chaque changement d'une citation est signé."
            )
        return self.by

    def shortlist(self, coding_id: str) -> str:
        """Propose a coding as a quote; returns its id and loads it in the editor."""
        quote = propose_quote(self.project, coding_id, by=self._signer())
        self._refresh_quotes()
        self.load(quote)
        self.message.value = f"Citation {quote} proposée."
        return quote

    def load(self, quote: str) -> None:
        """Put a quote in the editor (text, original, targets)."""
        row = list_quotes(self.project).set_index("quote_id").loc[quote]
        self.current = quote
        self.editor.value = row["display"]
        self.original.value = (
            f"<b>{quote}</b> · {html.escape(row['attribution'])} · statut : {row['status']}"
            f"<br><small>Original : « {html.escape(row['original'])} »</small>"
        )
        for target, box in self.target_boxes.items():
            box.value = target in row["targets"]
        self.consent.value = self.consent_summary(quote)

    def consent_summary(self, quote: str) -> str:
        """HTML: for each target, whether every speaker of the quote consents to its use, and
        why not (the board refuses to validate a use someone refused)."""
        parts = []
        for row in quote_consents(self.project, quote).itertuples():
            if row.allowed:
                parts.append(f"<span style='color:#2e7d32'>✓ {html.escape(row.target)}</span>")
            else:
                parts.append(
                    f"<span style='color:#c62828' title='{html.escape(row.reason)}'>"
                    f"✗ {html.escape(row.target)} ({html.escape(row.reason)})</span>"
                )
        return "<small>Consentements : " + " · ".join(parts) + "</small>"

    def save(self, *, text: str | None = None, targets: list[str] | None = None) -> None:
        """Save the editor's text and targets (or the values given) for the current quote."""
        if self.current is None:
            raise QuoteError("Choisissez d'abord une citation.")
        chosen = (
            targets if targets is not None else [t for t, b in self.target_boxes.items() if b.value]
        )
        edit_quote(
            self.project,
            self.current,
            text=text if text is not None else self.editor.value,
            targets=chosen,
            by=self._signer(),
        )
        self.load(self.current)
        self._refresh_quotes()
        self.message.value = f"Citation {self.current} enregistrée."

    def play(self) -> bool:
        """Play the current quote's passage in the listening panel given as ``listen``; returns
        whether sound was sent (the panel's status line says why not)."""
        if self.current is None:
            raise QuoteError("Choisissez d'abord une citation.")
        if self.listen is None:
            raise QuoteError(
                "Aucun panneau d'écoute : créez le tableau avec QuoteBoard(projet, listen=ecoute)."
            )
        played = self.listen.play_quote(self.current)
        status = self.listen.status
        self.message.value = (
            f"Écoute de la citation {self.current}."
            if played
            else f"<span style='color:#c62828'>{html.escape(status.get('text', ''))}</span>"
        )
        return played

    def set_status(self, status: str) -> None:
        """Move the current quote to ``status``."""
        if self.current is None:
            raise QuoteError("Choisissez d'abord une citation.")
        set_quote_status(self.project, self.current, status, by=self._signer())
        self.load(self.current)
        self._refresh_quotes()
        self.message.value = f"Citation {self.current} : {status}."
