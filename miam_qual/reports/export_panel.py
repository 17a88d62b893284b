"""Writing the theme review from notebook 04 with a button: ``ReportExport``.

An ``ExportForm`` (destination folder, button, French status line, the files written) with the
report's formats as its own controls. Nothing is written until ``write`` runs, and it writes only
through ``write_report`` (the privacy gate). The default folder is the project's
``exports/<date>_rapports``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..widgets.export_form import ExportForm
from . import FORMATS, write_report

if TYPE_CHECKING:
    from spacy.language import Language

    from ..project import Project

FORMAT_LABELS = {"html": "HTML (navigateur)", "docx": "Word (.docx)", "xlsx": "Excel (.xlsx)"}


class ReportExport(ExportForm):
    """The report form of notebook 04: which formats, which folder, and the writing itself.

    ``folder``: the destination (default: ``exports/<date>_rapports`` in the project).
    ``nlp``: the spaCy pipeline for word clouds (default: the French model, loaded on writing).
    """

    kind = "rapports"
    button_label = "Écrire le rapport"
    waiting = "Rapport en cours d'écriture…"

    def __init__(
        self, project: Project, *, folder: Path | str | None = None, nlp: Language | None = None
    ):
        super().__init__(project, folder=folder)
        self.nlp = nlp
        self.formats: list[str] = list(FORMATS)

    def choose_formats(self, *formats: str) -> list[str]:
        """Keep ``formats`` (among ``html``, ``docx``, ``xlsx``); returns them."""
        unknown = [f for f in formats if f not in FORMATS]
        if unknown:
            raise ValueError(f"unknown formats: {', '.join(unknown)}")
        self.formats = [f for f in FORMATS if f in formats]
        return self.formats

    def ready(self) -> str | None:
        return None if self.formats else "Cochez au moins un format."

    def run(self, folder: Path) -> list[Path]:
        return write_report(self.project, folder, format=self.formats, nlp=self.nlp)

    def controls(self) -> list[Any]:
        import ipywidgets as w

        self._boxes = {
            f: w.Checkbox(value=f in self.formats, description=FORMAT_LABELS[f], indent=False,
                          layout=w.Layout(width="14em"))
            for f in FORMATS
        }  # fmt: skip
        for box in self._boxes.values():
            box.observe(lambda _change: self._formats_from_boxes(), names="value")
        return [w.HBox([w.HTML("<b>Formats</b>&nbsp;"), *self._boxes.values()])]

    def _formats_from_boxes(self) -> None:
        self.choose_formats(*(f for f, box in self._boxes.items() if box.value))


class SegmentsExport(ExportForm):
    """Every coded segment in one Excel file, from notebook 04 with a button
    (``reports.segments.write_segments``: consented, pseudonymised, through the privacy gate).

    ``folder``: the destination (default: ``exports/<date>_segments`` in the project).
    """

    kind = "segments"
    button_label = "Exporter les segments codés"
    waiting = "Export des segments en cours…"

    def run(self, folder: Path) -> list[Path]:
        from .segments import write_segments

        return [write_segments(self.project, folder)]
