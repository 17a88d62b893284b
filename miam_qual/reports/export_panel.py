"""Writing the theme review from notebook 04 with a button: ``ReportExport``.

State plus a thin view, like ``ReviewPanel``: ``choose_formats``, ``set_folder`` and ``write``
work without a browser (tests call them); ``ReportExport.widget`` builds the ipywidgets form
(format boxes, a destination folder, a button, the files written or the French refusal). Nothing
is written until ``write`` runs, and it writes only through ``write_report`` (the privacy gate).
The default folder lies outside the project: ``~/miam_exports/<project>/rapports``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import MiamError
from ..widgets.prefs import export_folder
from . import FORMATS, write_report

if TYPE_CHECKING:
    from spacy.language import Language

    from ..project import Project

FORMAT_LABELS = {"html": "HTML (navigateur)", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)"}
COLORS = {"info": "#1b5e20", "attente": "#37474f", "erreur": "#b71c1c"}


class ReportExport:
    """Where and in which formats the report of ``project`` is written, and the writing itself.

    ``folder``: the destination (default: ``~/miam_exports/<project folder>/rapports``).
    ``nlp``: the spaCy pipeline for word clouds (default: the French model, loaded on writing).
    """

    def __init__(
        self, project: Project, *, folder: Path | str | None = None, nlp: Language | None = None
    ):
        self.project = project
        self.nlp = nlp
        self.formats: list[str] = list(FORMATS)
        self.folder = (
            Path(folder) if folder is not None else export_folder(project.root, "rapports")
        )
        self.files: list[Path] = []
        self.status = ""
        self.status_level = "info"
        self._widget = None

    def _say(self, message: str, level: str = "info") -> None:
        self.status, self.status_level = message, level
        self._show_status()

    # -- state ---------------------------------------------------------------------------------
    def choose_formats(self, *formats: str) -> list[str]:
        """Keep ``formats`` (among ``html``, ``docx``, ``xlsx``); returns them."""
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise ValueError(f"unknown formats: {', '.join(unknown)}")
        self.formats = [f for f in FORMATS if f in formats]
        return self.formats

    def set_folder(self, text: str | Path) -> Path | None:
        """Write into ``text`` from now on: a full path, ``~/…``, or a path relative to the
        home folder. Returns the folder, or ``None`` (with a message) when it is empty."""
        text = str(text).strip()
        if not text:
            self._say("Indiquez le dossier où écrire le rapport.", "erreur")
            return None
        folder = Path(text).expanduser()
        self.folder = folder if folder.is_absolute() else Path.home() / folder
        self._say("")
        return self.folder

    def write(self) -> list[Path] | None:
        """Write the report in the chosen formats into the folder (through ``write_report``);
        returns the files written, or ``None`` with the French refusal (nothing written then)."""
        if not self.formats:
            self._say("Cochez au moins un format.", "erreur")
            return None
        self._say("Rapport en cours d'écriture…", "attente")
        try:
            self.files = write_report(self.project, self.folder, format=self.formats, nlp=self.nlp)
        except (MiamError, OSError) as err:
            self.files = []
            reason = f"{err.strerror} ({err.filename})" if isinstance(err, OSError) else str(err)
            self._say(f"Rapport non écrit : {reason}", "erreur")
            return None
        names = ", ".join(f.name for f in self.files)
        self._say(f"{len(self.files)} fichier(s) écrit(s) dans {self.folder} : {names}.")
        return self.files

    # -- view ----------------------------------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets form (built once): formats, folder, button, status and files."""
        if self._widget is None:
            import ipywidgets as w

            self._boxes = {
                f: w.Checkbox(value=f in self.formats, description=FORMAT_LABELS[f], indent=False,
                              layout=w.Layout(width="14em"))
                for f in FORMATS
            }  # fmt: skip
            for box in self._boxes.values():
                box.observe(lambda _c: self._formats_from_boxes(), names="value")
            self._folder = w.Text(
                value=str(self.folder),
                description="Dossier",
                continuous_update=False,
                layout=w.Layout(width="100%", max_width="48em"),
                style={"description_width": "5em"},
            )
            self._folder.observe(lambda change: self.set_folder(change["new"]), names="value")
            self._button = w.Button(
                description="Écrire le rapport", button_style="primary", icon="file"
            )
            self._button.on_click(lambda _b: self._on_click())
            self._status = w.HTML()
            self._widget = w.VBox(
                [
                    w.HBox([w.HTML("<b>Formats</b>&nbsp;"), *self._boxes.values()]),
                    self._folder,
                    self._button,
                    self._status,
                ]
            )
            self._show_status()
        return self._widget

    def _formats_from_boxes(self) -> None:
        self.choose_formats(*(f for f, box in self._boxes.items() if box.value))

    def _on_click(self) -> None:
        self._button.disabled = True
        try:
            self.write()
        finally:
            self._button.disabled = False

    def _show_status(self) -> None:
        if self._widget is None:
            return
        color = COLORS.get(self.status_level, COLORS["info"])
        lines = [f"<span style='color:{color}'>{html.escape(self.status)}</span>"]
        if self.files and self.status_level == "info":
            lines.append(
                "<ul>"
                + "".join(
                    f"<li><code>{html.escape(str(f))}</code> ({max(1, f.stat().st_size // 1024)} Ko)</li>"
                    for f in self.files
                )
                + "</ul>"
            )
        self._status.value = "".join(lines)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
