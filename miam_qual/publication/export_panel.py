"""Exporting quotes from notebook 05 with a button: ``QuoteExport``.

Choose what to produce — the radio package, the exhibition panels, the social-network cards or
the spreadsheet —, its options and the folder, then click: the matching ``export_*`` function runs
(consent per speaker, pseudonyms, the privacy gate) and the form shows its French summary, the
quotes refused and why. Nothing is written before the click; the default folder is the project's
``exports/<date>_<kind>`` (``exports/2026-12-02_radio``…).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..widgets.export_form import ExportForm
from ..widgets.prefs import export_folder

if TYPE_CHECKING:
    from ..project import Project
    from .consent import ExportReport

#: Kind of export → French label.
KINDS = {
    "radio": "Paquet radio (conducteur, feuille de montage, extraits sonores)",
    "exposition": "Panneaux d'exposition (PDF à imprimer, aperçus PNG)",
    "reseaux": "Cartes pour les réseaux sociaux (PNG)",
    "tableur": "Tableur des citations (CSV, Excel)",
}


class QuoteExport(ExportForm):
    """The export form of notebook 05 (see module docstring).

    ``options`` holds the choices passed to the export function: ``padding_ms``,
    ``max_duration_s``, ``audio_format``, ``montage`` (the episode and its listening page) (radio); ``paper``, ``orientation``, ``with_word_cloud``
    (exhibition); ``theme`` (all: one theme id, or ``None`` for every theme)."""

    kind = "citations"
    button_label = "Exporter les citations validées"

    def __init__(self, project: Project, *, folder: Path | str | None = None):
        super().__init__(project, folder=folder)
        self.base = Path(folder) if folder is not None else None
        self.choice = "radio"
        self.options: dict[str, Any] = {
            "theme": None, "padding_ms": None, "max_duration_s": None, "audio_format": "wav",
            "montage": False,
            "paper": "A3", "orientation": "portrait", "with_word_cloud": True,
        }  # fmt: skip
        self.folder = self.default_folder(self.choice)
        self.report: ExportReport | None = None

    def default_folder(self, kind: str) -> Path:
        """Where ``kind`` goes unless the user types another folder: ``<folder>/<kind>`` when the
        form was given a folder, else ``exports/<date>_<kind>`` in the project."""
        if self.base is not None:
            return self.base / kind
        return export_folder(self.project.root, kind)

    def choose(self, kind: str) -> None:
        """Export ``kind`` (``radio``, ``exposition``, ``reseaux``, ``tableur``) on the next click;
        the folder follows the choice unless the user typed another one."""
        if kind not in KINDS:
            raise ValueError(f"unknown export kind: {kind}")
        if self.folder == self.default_folder(self.choice):
            self.folder = self.default_folder(kind)
            if self._widget is not None:
                self._folder.value = str(self.folder)
        self.choice = kind

    def run(self, folder: Path) -> list[Path]:
        from . import export_exhibition, export_radio, export_social_cards, export_spreadsheet

        theme = self.options["theme"]
        if self.choice == "radio":
            report = export_radio(
                self.project, folder, theme=theme, padding_ms=self.options["padding_ms"],
                max_duration_s=self.options["max_duration_s"],
                audio_format=self.options["audio_format"], montage=self.options["montage"],
            )  # fmt: skip
        elif self.choice == "exposition":
            report = export_exhibition(
                self.project, folder, theme=theme, paper=self.options["paper"],
                orientation=self.options["orientation"],
                with_word_cloud=self.options["with_word_cloud"],
            )  # fmt: skip
        elif self.choice == "reseaux":
            report = export_social_cards(self.project, folder, theme=theme)
        else:
            report = export_spreadsheet(self.project, folder, theme=theme)
        self.report = report
        return report.files

    def done(self, files: list[Path]) -> str:
        assert self.report is not None
        return self.report.summary()

    def previews(self) -> list[Path]:
        """The pictures the last export wrote (panel previews, cards), for display."""
        return [f for f in self.files if f.suffix == ".png"]

    def controls(self) -> list[Any]:
        import ipywidgets as w

        kinds = w.RadioButtons(
            options=[(label, key) for key, label in KINDS.items()], value=self.choice,
            layout=w.Layout(width="auto"),
        )  # fmt: skip
        kinds.observe(lambda change: self.choose(change["new"]), names="value")
        themes = [("tous les thèmes", None)] + [
            (t.label, t.id) for t in self.project.codebook.themes()
        ]
        theme = w.Dropdown(options=themes, value=None, description="Thème")
        theme.observe(lambda change: self.options.update(theme=change["new"]), names="value")
        paper = w.ToggleButtons(options=["A3", "A2"], value="A3", description="Papier")
        paper.observe(lambda change: self.options.update(paper=change["new"]), names="value")
        orientation = w.ToggleButtons(
            options=[("portrait", "portrait"), ("paysage", "paysage")], value="portrait",
            description="Orientation",
        )  # fmt: skip
        orientation.observe(
            lambda change: self.options.update(orientation=change["new"]), names="value"
        )
        audio = w.ToggleButtons(options=["wav", "mp3", "flac"], value="wav", description="Son")
        audio.observe(lambda change: self.options.update(audio_format=change["new"]), names="value")
        montage = w.Checkbox(value=False, indent=False,
                             description="Monter l'épisode et la page d'écoute (radio)")  # fmt: skip
        montage.observe(lambda change: self.options.update(montage=change["new"]), names="value")
        return [kinds, theme, w.HBox([paper, orientation]), audio, montage]
