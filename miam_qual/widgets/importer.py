"""An import form for notebooks: upload files, choose their attributes, import — no code to type.

``ImportPanel(project).ui`` shows a file picker, one drop-down per declared document attribute
with fixed choices (type de source, vague, site, activité…), a participant field, and a button.
The logic lives in ``import_uploaded`` so tests call it without a browser; every refusal is shown
as the French message of the library's error, and nothing is written in that case.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from ..errors import CorpusError, MiamError
from ..project import Project
from ..sources import SUPPORTED_SUFFIXES

NOT_CHOSEN = "— (non précisé)"


class ImportPanel:
    """A form that imports uploaded files into ``project`` with the chosen attributes."""

    def __init__(self, project: Project, *, by: str | None = None):
        self.project = project
        self.by = by
        label = {"description_width": "10em"}
        self.upload = w.FileUpload(
            accept=",".join(SUPPORTED_SUFFIXES),
            multiple=True,
            description="Choisir les fichiers",
            layout=w.Layout(width="16em"),
        )
        self.choices: dict[str, w.Dropdown] = {}
        for spec in project.config.attributes.values():
            if spec.scope == "document" and spec.type == "choix":
                self.choices[spec.name] = w.Dropdown(
                    options=[NOT_CHOSEN, *spec.choices],
                    description=spec.label,
                    style=label,
                    layout=w.Layout(width="32em"),
                )
        self.participant = w.Text(
            description="Participant",
            placeholder="pseudonyme, ex. Habitante 3",
            style=label,
            layout=w.Layout(width="32em"),
        )
        self.date = w.Text(
            description="Date",
            placeholder="AAAA-MM-JJ ou JJ/MM/AAAA",
            style=label,
            layout=w.Layout(width="32em"),
        )
        self.button = w.Button(description="Importer", button_style="primary", icon="upload")
        self.message = w.HTML()
        self.button.on_click(lambda _button: self._on_click())
        self.ui = w.VBox(
            [
                w.HTML(
                    "<b>Importer des fichiers dans le projet</b> (txt, md, docx, odt, vtt, srt, csv, xlsx)"
                ),
                self.upload,
                *self.choices.values(),
                self.participant,
                self.date,
                self.button,
                self.message,
            ]
        )

    def attributes(self) -> dict[str, Any]:
        """The attributes chosen in the form (empty choices left out)."""
        chosen = {name: box.value for name, box in self.choices.items() if box.value != NOT_CHOSEN}
        if self.participant.value.strip():
            chosen["participant"] = self.participant.value.strip()
        if self.date.value.strip():
            chosen["date"] = self.date.value.strip()
        return chosen

    def import_uploaded(self, files: list[tuple[str, bytes]]) -> pd.DataFrame:
        """Import ``(file name, content)`` pairs with the form's attributes; returns the new
        documents (see ``Project.documents``). Raises a ``MiamError`` subclass (``CorpusError``
        without files) and writes nothing on refusal."""
        if not files:
            raise CorpusError("Choisissez d'abord un ou plusieurs fichiers.")
        with tempfile.TemporaryDirectory(prefix="miam_import_") as folder:
            paths = []
            for name, content in files:
                path = Path(folder) / Path(name).name  # never trust a path sent by the browser
                path.write_bytes(content)
                paths.append(path)
            return self.project.import_files(paths, by=self.by, **self.attributes())

    def _on_click(self) -> None:
        files = [(item["name"], bytes(item["content"])) for item in self.upload.value]
        try:
            added = self.import_uploaded(files)
        except MiamError as err:
            lines = "<br>".join(_escape(line) for line in str(err).splitlines())
            self.message.value = f"<span style='color:#b71c1c'>{lines}</span>"
            return
        names = ", ".join(_escape(n) for n in added["document"])
        self.message.value = (
            f"<span style='color:#1b5e20'>{len(added)} document(s) importé(s) : {names}</span>"
        )
        self.upload.value = ()


def _escape(text: str) -> str:
    import html

    return html.escape(text)
