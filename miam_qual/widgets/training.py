"""``TrainingPanel``: training against a reference in a notebook (notebook 04).

Top, the set and the person in training; the differences with the reference passage by passage,
and the agreement document after document (table and a small chart of the running figures).
Below, the supervisor's form: documents, reference coder and name, and « Créer le jeu de
référence ». Only the three buttons write (create, « J'ai fini », « Dévoiler à tous »), through
``miam_qual.training``; the panel itself never reads or writes the store directly.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as w
import pandas as pd

from .. import training
from ..errors import MiamError
from .prefs import known_coder
from .tables import french_time, readable

if TYPE_CHECKING:
    from ..project import Project

COLORS = {"info": "#1b5e20", "erreur": "#b71c1c"}
#: French headers of the differences table.
DIFFERENCE_HEADERS = {
    "document": "Document", "passage": "Passage", "code": "Code", "status": "Qui l'a codé",
    "overlap": "Recouvrement",
}  # fmt: skip
#: French headers of the progress table.
PROGRESS_HEADERS = {
    "rank": "Ordre", "document": "Document", "first_coded_at": "Codé le",
    "units": "Unités", "percent_agreement": "Accord simple", "gwet_ac1": "AC1 de Gwet",
    "alpha": "Alpha", "cumulative_alpha": "Alpha cumulé", "cumulative_gwet_ac1": "AC1 cumulé",
}  # fmt: skip


class TrainingPanel:
    """``TrainingPanel(projet)`` in a notebook cell: compare a trainee with a reference set, and
    (for a supervisor) create reference sets.

    ``user``: who acts (the supervisor creating a set, or the person declaring they are done);
    default: the coder remembered on this machine. The methods below are the panel's logic and can
    be called without a browser; refusals become a French status line, never an exception.
    """

    def __init__(self, project: Project, *, user: str | None = None):
        self.project = project
        self.status = ""
        self.status_level = "info"
        self.set_name: str | None = None
        self.coder: str | None = None
        #: why a table is empty (a hidden reference, nothing coded yet), by table
        self.notes: dict[str, str] = {}
        self.progress_figures = pd.DataFrame()
        self.user_box = w.Text(value=user if user is not None else known_coder(),
                               description="Votre nom", style={"description_width": "6.5em"},
                               layout=w.Layout(width="24em"))  # fmt: skip
        self.set_menu = w.Dropdown(description="Jeu", layout=w.Layout(width="28em"))
        self.coder_menu = w.Dropdown(description="Stagiaire", layout=w.Layout(width="22em"))
        self.done_button = w.Button(description="J'ai fini ce jeu", icon="check")
        self.reveal_button = w.Button(description="Dévoiler à tous", icon="eye")
        self.about = w.HTML()
        self.differences_view = w.HTML(layout=w.Layout(max_height="26em", overflow="auto"))
        self.progress_view = w.HTML()
        self.documents_menu = w.SelectMultiple(rows=8, layout=w.Layout(width="98%"))
        self.reference_menu = w.Dropdown(description="Référence", layout=w.Layout(width="22em"))
        self.name_box = w.Text(description="Nom du jeu", placeholder="Référence 1",
                               layout=w.Layout(width="28em"))  # fmt: skip
        self.create_button = w.Button(description="Créer le jeu de référence",
                                      button_style="primary", icon="plus",
                                      layout=w.Layout(width="auto", min_width="17em"))  # fmt: skip
        self.status_view = w.HTML()
        self.ui = w.VBox(
            [
                w.HBox([w.HTML("<b>Formation sur un jeu de référence</b>"), self.user_box],
                       layout=w.Layout(justify_content="space-between")),
                w.HBox([self.set_menu, self.coder_menu, self.done_button, self.reveal_button],
                       layout=w.Layout(flex_flow="row wrap")),
                self.about,
                w.HTML("<h4>Différences avec la référence, passage par passage</h4>"),
                self.differences_view,
                w.HTML("<h4>Progression, document après document</h4>"),
                self.progress_view,
                w.HTML("<h4>Créer un jeu de référence (superviseur·e)</h4>"
                       "<i>Choisissez les documents déjà codés par la référence "
                       "(Ctrl ou Maj pour en choisir plusieurs).</i>"),
                self.documents_menu,
                w.HBox([self.reference_menu, self.name_box, self.create_button],
                       layout=w.Layout(flex_flow="row wrap")),
                self.status_view,
            ],
            layout=w.Layout(max_width="72em"),
        )  # fmt: skip
        self._showing = False
        self.set_menu.observe(self._on_choice, names="value")
        self.coder_menu.observe(self._on_choice, names="value")
        self.create_button.on_click(
            lambda _b: self.create(
                list(self.documents_menu.value), self.reference_menu.value, self.name_box.value
            )
        )
        self.done_button.on_click(lambda _b: self.declare_done())
        self.reveal_button.on_click(lambda _b: self.reveal())
        self.select()

    # -- logic ------------------------------------------------------------------------------------
    def select(self, set_name: str | None = None, coder: str | None = None) -> None:
        """Choose the set and the trainee shown (default: the latest set; the person using the
        panel when they train on it, else its first trainee)."""
        sets = training.reference_sets(self.project)
        names = list(sets["set"])
        self.set_name = set_name if set_name in names else (names[-1] if names else None)
        trainees = self.trainees()
        user = self.user_box.value.strip()
        default = user if user in trainees else (trainees[0] if trainees else None)
        self.coder = coder if coder in trainees else default  # the trainee is often oneself
        self.show()

    def trainees(self) -> list[str]:
        """Registered coders other than the chosen set's reference coder."""
        coders = list(self.project.coders()["coder"])
        if self.set_name is None:
            return coders
        sets = training.reference_sets(self.project).set_index("set")
        return [c for c in coders if c != sets.loc[self.set_name, "reference_coder"]]

    def difference_table(self) -> pd.DataFrame:
        """The chosen trainee's differences with French headers and readable cells; empty (with
        the headers) when nothing is chosen or the reference is still hidden (the status says
        why)."""
        empty = pd.DataFrame(columns=list(DIFFERENCE_HEADERS.values()))
        if self.set_name is None or self.coder is None:
            return empty
        try:
            table = training.differences(self.project, self.set_name, self.coder)
        except MiamError as err:
            self.notes["differences"] = str(err)
            return empty
        shown = table[list(DIFFERENCE_HEADERS)].copy()
        shown["overlap"] = [f"{round(100 * v)} %" for v in table["overlap"]]
        return shown.rename(columns=DIFFERENCE_HEADERS).astype(str)

    def progress_table(self) -> pd.DataFrame:
        """The trainee's agreement document after document, French headers, readable cells."""
        empty = pd.DataFrame(columns=list(PROGRESS_HEADERS.values()))
        if self.set_name is None or self.coder is None:
            return empty
        try:
            table = training.progress(self.project, self.set_name, self.coder)
        except MiamError as err:
            self.notes["progress"] = str(err)
            return empty
        self.progress_figures = table
        shown = table.copy()
        shown["first_coded_at"] = [french_time(v) for v in table["first_coded_at"]]
        for column in shown.columns.drop(["document", "first_coded_at"]):
            shown[column] = [readable(v) for v in table[column]]
        return shown.rename(columns=PROGRESS_HEADERS)

    def create(self, documents: list[str], reference_coder: str | None, name: str = "") -> bool:
        """Create a reference set (the supervisor's button); returns whether it was written."""
        try:
            made = training.mark_reference(
                self.project, documents, reference_coder=reference_coder or "",
                by=self.user_box.value, name=name.strip() or None,
            )  # fmt: skip
        except MiamError as err:
            return self.say(str(err), "erreur")
        self.select(made)
        return self.say(f"Jeu de référence « {made} » créé ({len(documents)} document(s)).")

    def declare_done(self) -> bool:
        """The chosen trainee declares the chosen set done; returns whether it was written."""
        if self.set_name is None or self.coder is None:
            return self.say("Choisissez d'abord un jeu et une personne en formation.", "erreur")
        if self.user_box.value.strip() != self.coder:
            return self.say(f"Seule « {self.coder} » peut déclarer avoir fini : indiquez votre "
                            "nom en haut à droite.", "erreur")  # fmt: skip
        try:
            training.mark_done(self.project, self.set_name, self.coder)
        except MiamError as err:
            return self.say(str(err), "erreur")
        self.select(self.set_name, self.coder)
        return self.say(f"« {self.coder} » a fini le jeu « {self.set_name} » : la référence "
                        "lui est maintenant visible.")  # fmt: skip

    def reveal(self) -> bool:
        """Show the chosen set's reference to everyone (the supervisor's button)."""
        if self.set_name is None:
            return self.say("Choisissez d'abord un jeu de référence.", "erreur")
        try:
            training.reveal(self.project, self.set_name, by=self.user_box.value.strip())
        except MiamError as err:
            return self.say(str(err), "erreur")
        self.select(self.set_name, self.coder)
        return self.say(f"La référence du jeu « {self.set_name} » est visible de tous.")

    def say(self, text: str, level: str = "info") -> bool:
        """Set the status line; returns ``level == "info"`` (a refusal returns ``False``)."""
        self.status, self.status_level = text, level
        color = COLORS.get(level, COLORS["info"])
        self.status_view.value = f"<span style='color:{color}'>{html.escape(text)}</span>"
        return level == "info"

    # -- view -------------------------------------------------------------------------------------
    def show(self) -> None:
        """Fill the menus, the tables and the chart from the current choice."""
        self._showing = True
        try:
            sets = training.reference_sets(self.project)
            self.set_menu.options = list(sets["set"])
            self.set_menu.value = self.set_name
            self.coder_menu.options = self.trainees()
            self.coder_menu.value = self.coder
            documents = self.project.documents()
            self.documents_menu.options = list(documents["document"])
            self.reference_menu.options = list(self.project.coders()["coder"])
        finally:
            self._showing = False
        if self.set_name is None:
            self.about.value = (
                "<i>Aucun jeu de référence pour l'instant : créez-en un plus bas.</i>"
            )
        else:
            row = sets.set_index("set").loc[self.set_name]
            seen = (f"dévoilée par {row['revealed_by']}" if row["revealed_by"]
                    else "cachée jusqu'à ce que chaque stagiaire déclare avoir fini")  # fmt: skip
            self.about.value = html.escape(
                f"Référence : {row['reference_coder']} · {row['documents']} document(s) · créé "
                f"par {row['created_by']} le {french_time(row['created_at'])} · référence {seen}"
                + (f" · ont fini : {row['done']}" if row["done"] else "")
            )
        self.notes = {}
        self.progress_figures = pd.DataFrame()
        differences = self.difference_table()
        self.differences_view.value = _html_table(differences, self.notes.get("differences"))
        progress = self.progress_table()
        chart = _chart(self.progress_figures) if len(progress) else ""
        self.progress_view.value = _html_table(progress, self.notes.get("progress")) + chart

    def _on_choice(self, _change) -> None:
        if not self._showing:
            self.select(self.set_menu.value, self.coder_menu.value)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)


def _html_table(frame: pd.DataFrame, note: str | None = None) -> str:
    if frame.empty:
        return f"<i>{html.escape(note or 'Rien à afficher.')}</i>"
    return frame.to_html(index=False, escape=True, border=0, classes="miam-table")


def _chart(table: pd.DataFrame, width: int = 360, height: int = 90) -> str:
    """A small SVG of the running alpha (dark) and AC1 (light) after each document (0 to 1)."""

    def points(column: str) -> str:
        values = table[column].fillna(0).clip(lower=0, upper=1).tolist()
        step = (width - 20) / max(len(values) - 1, 1)
        return " ".join(f"{10 + i * step:.1f},{height - 10 - v * (height - 20):.1f}"
                        for i, v in enumerate(values))  # fmt: skip

    return (
        f"<svg width='{width}' height='{height}' role='img' aria-label='Accord cumulé'>"
        f"<line x1='10' y1='{height - 10}' x2='{width - 10}' y2='{height - 10}' stroke='#bbb'/>"
        f"<polyline fill='none' stroke='#1565c0' stroke-width='2' points='{points('cumulative_alpha')}'/>"
        f"<polyline fill='none' stroke='#90caf9' stroke-width='2' points='{points('cumulative_gwet_ac1')}'/>"
        "</svg><div style='font-size:85%;color:#555'>Alpha cumulé (foncé) et AC1 cumulé "
        "(clair), de 0 à 1, après chaque document.</div>"
    )
