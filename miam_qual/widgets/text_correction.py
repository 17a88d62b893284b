"""Replacing a document's text by a corrected file from notebook 01: ``TextCorrection``.

The intern picks the document, uploads the corrected file (``.txt``, ``.md``, ``.docx``, ``.odt``,
``.vtt``, ``.srt``, read as an import reads it) and looks at the preview
(``Project.preview_text_change``: what becomes of each coding — intact, modifié, orphelin —
nothing is written); then « Remplacer le texte » writes the new version in one transaction
(``Project.replace_text_from_file``), only for the file previewed and only if nobody corrected
the document in between (the version previewed is passed as ``expected_version``). The original
file stays in ``corpus/`` byte for byte. Every refusal is a French sentence on the status line.
"""

from __future__ import annotations

import hashlib
import html
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import CorpusError, MiamError
from . import prefs

if TYPE_CHECKING:
    from ..project import Project

SUFFIXES = (".txt", ".md", ".docx", ".odt", ".vtt", ".srt")
STATE_LABELS = {
    "intact": "intact",
    "modifié": "modifié (à confirmer)",
    "orphelin": "orphelin (mots disparus)",
}


class TextCorrection:
    """Preview, then replace, the text of one document by a corrected file (module docstring).

    ``by``: who corrects (default: the name given on this machine, see ``prefs.known_coder``;
    without one, the replacement is refused until ``set_by``).
    """

    def __init__(self, project: Project, *, by: str | None = None):
        self.project = project
        self.by = (by or "").strip() or prefs.known_coder()
        names = list(project.documents()["document"])
        self.document: str | None = names[0] if names else None
        self.preview: pd.DataFrame | None = None
        self.status = ""
        self.status_level = "info"
        self._previewed: tuple[str, str, int] | None = None  # document, file digest, version
        self._widget: Any = None

    # -- actions ----------------------------------------------------------------------------
    def choose(self, document: str) -> None:
        self.document = document
        self.preview, self._previewed = None, None

    def set_by(self, name: str) -> str | None:
        name = " ".join((name or "").split())
        if not name:
            self._say("Indiquez votre nom : il est noté dans l'historique du document.", "erreur")
            return None
        self.by = name
        return name

    def show_preview(self, name: str, content: bytes) -> pd.DataFrame | None:
        """What the corrected file would do to the document's codings; writes nothing."""
        from ..sources import read_source

        if self.document is None:
            self._refuse("Le projet ne contient aucun document.")
            return None
        try:
            with self._file(name, content) as path:
                sources = read_source(path)
            if len(sources) != 1:
                raise CorpusError(
                    f"« {Path(name).name} » contient {len(sources)} documents : donnez un fichier "
                    "qui n'en contient qu'un."
                )
            version = self.project.text_version(self.document)
            table = self.project.preview_text_change(self.document, sources[0].text)
        except MiamError as err:
            self._refuse(str(err))
            return None
        self.preview = table
        self._previewed = (self.document, _digest(name, content), version)
        counts = table["state"].value_counts()
        self._say(
            f"Aperçu pour « {self.document} » (rien n'est encore écrit) : "
            f"{counts.get('intact', 0)} codage(s) intact(s), {counts.get('modifié', 0)} "
            f"modifié(s) à confirmer ensuite, {counts.get('orphelin', 0)} orphelin(s) (gardés à "
            "part, à replacer ou retirer). Les citations suivent le texte de la même façon."
        )
        return table

    def apply(self, name: str, content: bytes) -> dict[str, Any] | None:
        """Write the corrected text as the document's next version (the file previewed only)."""
        if (
            self.document is None
            or self._previewed is None
            or self._previewed[:2]
            != (
                self.document,
                _digest(name, content),
            )
        ):
            self._refuse(
                "Regardez d'abord l'aperçu de ce fichier pour ce document (bouton « Aperçu ») : "
                "rien n'est écrit avant."
            )
            return None
        if not self.by:
            self._refuse(prefs.ASK_NAME)
            return None
        try:
            with self._file(name, content) as path:
                result = self.project.replace_text_from_file(
                    self.document, path, by=self.by, expected_version=self._previewed[2]
                )
        except MiamError as err:
            self._refuse(str(err))
            return None
        self.preview, self._previewed = None, None
        self._say(
            f"« {self.document} » : version {result['version']} enregistrée. "
            f"{result['untouched']} codage(s) intact(s), {result['modified']} modifié(s) à "
            f"confirmer, {result['orphaned']} orphelin(s) ; {result['quotes_reset']} citation(s) "
            "à revoir. Le fichier d'origine reste tel quel dans corpus/."
        )
        return result

    # -- helpers ----------------------------------------------------------------------------
    @contextmanager
    def _file(self, name: str, content: bytes) -> Iterator[Path]:
        name = Path(name).name  # never trust a path sent by the browser
        if Path(name).suffix.lower() not in SUFFIXES:
            raise CorpusError(
                f"« {name} » : donnez le texte corrigé en {', '.join(SUFFIXES)} (comme à l'import)."
            )
        with tempfile.TemporaryDirectory(prefix="miam_correction_") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            yield path

    def _refuse(self, message: str) -> None:
        self._say(message, "erreur")

    def _say(self, message: str, level: str = "info") -> None:
        self.status, self.status_level = message, level
        if self._widget is not None:
            self._show()

    def _show(self) -> None:
        color = "#b71c1c" if self.status_level == "erreur" else "#1b5e20"
        parts = [f"<p style='color:{color}'>{html.escape(self.status)}</p>"]
        if self.preview is not None:
            changed = self.preview[self.preview["state"] != "intact"]
            rows = "".join(
                f"<tr><td>{html.escape(STATE_LABELS[r.state])}</td><td>{html.escape(r.code)}</td>"
                f"<td>{html.escape(r.coder)}</td><td>« {html.escape(r.text)} »</td>"
                f"<td>{'« ' + html.escape(r.new_text) + ' »' if r.new_text else '—'}</td></tr>"
                for r in changed.head(50).itertuples()
            )
            if rows:
                parts.append(
                    "<table><tr><th>Codage</th><th>Code</th><th>Codeur·se</th><th>Mots "
                    f"aujourd'hui</th><th>Mots après correction</th></tr>{rows}</table>"
                )
        self._status.value = "".join(parts)

    # -- view -------------------------------------------------------------------------------
    @property
    def widget(self) -> Any:
        """The form: document, corrected file, « Aperçu », « Remplacer le texte », status."""
        if self._widget is None:
            import ipywidgets as w

            names = list(self.project.documents()["document"])
            documents = w.Dropdown(
                options=names, value=self.document, description="Document",
                layout=w.Layout(width="40em"),
            )  # fmt: skip
            documents.observe(lambda change: self.choose(change["new"]), names="value")
            self._upload = w.FileUpload(
                accept=",".join(SUFFIXES), multiple=False, description="Texte corrigé"
            )
            preview = w.Button(description="Aperçu", icon="eye", layout=w.Layout(width="auto"))
            replace = w.Button(
                description="Remplacer le texte",
                button_style="warning",
                icon="pencil",
                layout=w.Layout(width="auto"),
            )
            preview.on_click(lambda _b: self._on_click(self.show_preview))
            replace.on_click(lambda _b: self._on_click(self.apply))
            self._status = w.HTML()
            self._widget = w.VBox(
                [
                    w.HTML("<b>Remplacer le texte d'un document par sa version corrigée</b>"),
                    documents,
                    self._upload,
                    w.HBox([preview, replace]),
                    self._status,
                ]
            )
        return self._widget

    def _on_click(self, action) -> None:
        files = list(self._upload.value)
        if not files:
            self._refuse("Choisissez d'abord le fichier du texte corrigé.")
            return
        action(files[0]["name"], bytes(files[0]["content"]))

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a kernel
        from IPython.display import display

        display(self.widget)


def _digest(name: str, content: bytes) -> str:
    return hashlib.sha256(Path(name).name.encode() + b"\0" + content).hexdigest()
