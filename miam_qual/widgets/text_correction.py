"""Replacing a document's text by a corrected file from notebook 01: ``TextCorrection``.

The intern picks the document, uploads the corrected file (``.txt``, ``.md``, ``.docx``, ``.odt``,
``.vtt``, ``.srt``, and the transcription tools' ``.html``, ``.otr``, ``.json``, read as an import
reads it) and looks at the preview
(``Project.preview_text_change``: what becomes of each coding — intact, modifié, orphelin —
nothing is written); then « Remplacer le texte » writes the new version in one transaction
(``Project.replace_text_from_file``), only for the file previewed and only if nobody corrected
the document in between (the version previewed is passed as ``expected_version``). The original
file stays in ``corpus/`` byte for byte. Every refusal is a French sentence on the status line.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import CorpusError, MiamError
from . import prefs
from .upload_form import UploadForm, upload_digest

if TYPE_CHECKING:
    from ..project import Project

SUFFIXES = (".txt", ".md", ".docx", ".odt", ".vtt", ".srt", ".html", ".otr", ".json")
STATE_LABELS = {
    "intact": "intact",
    "modifié": "modifié (à confirmer)",
    "orphelin": "orphelin (mots disparus)",
}


class TextCorrection(UploadForm):
    """Preview, then replace, the text of one document by a corrected file (module docstring).

    ``by``: who corrects (default: the name given on this machine, see ``prefs.known_coder``;
    without one, the replacement is refused until ``set_by``).
    """

    suffixes = SUFFIXES
    wrong_file = (
        "« {name} » : donnez le texte corrigé en " + ", ".join(SUFFIXES) + " (comme à l'import)."
    )
    no_file = "Choisissez d'abord le fichier du texte corrigé."

    def __init__(self, project: Project, *, by: str | None = None):
        super().__init__()
        self.project = project
        self.by = (by or "").strip() or prefs.known_coder()
        names = list(project.documents()["document"])
        self.document: str | None = names[0] if names else None
        self.preview: pd.DataFrame | None = None
        self._previewed: tuple[str, str, int] | None = None  # document, file digest, version

    # -- actions ----------------------------------------------------------------------------
    def choose(self, document: str) -> None:
        self.document = document
        self.preview, self._previewed = None, None

    def set_by(self, name: str) -> str | None:
        name = " ".join((name or "").split())
        if not name:
            self.say("Indiquez votre nom : il est noté dans l'historique du document.", "erreur")
            return None
        self.by = name
        return name

    def show_preview(self, name: str, content: bytes) -> pd.DataFrame | None:
        """What the corrected file would do to the document's codings; writes nothing."""
        from ..sources import read_source

        if self.document is None:
            self.refuse("Le projet ne contient aucun document.")
            return None
        try:
            with self.uploaded_file(name, content) as path:
                sources = read_source(path)
            if len(sources) != 1:
                raise CorpusError(
                    f"« {Path(name).name} » contient {len(sources)} documents : donnez un fichier "
                    "qui n'en contient qu'un."
                )
            version = self.project.text_version(self.document)
            table = self.project.preview_text_change(self.document, sources[0].text)
        except MiamError as err:
            self.refuse(str(err))
            return None
        self.preview = table
        self._previewed = (self.document, upload_digest(name, content), version)
        counts = table["state"].value_counts()
        self.say(
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
                upload_digest(name, content),
            )
        ):
            self.refuse(
                "Regardez d'abord l'aperçu de ce fichier pour ce document (bouton « Aperçu ») : "
                "rien n'est écrit avant."
            )
            return None
        if not self.by:
            self.refuse(prefs.ASK_NAME)
            return None
        try:
            with self.uploaded_file(name, content) as path:
                result = self.project.replace_text_from_file(
                    self.document, path, by=self.by, expected_version=self._previewed[2]
                )
        except MiamError as err:
            self.refuse(str(err))
            return None
        self.preview, self._previewed = None, None
        self.say(
            f"« {self.document} » : version {result['version']} enregistrée. "
            f"{result['untouched']} codage(s) intact(s), {result['modified']} modifié(s) à "
            f"confirmer, {result['orphaned']} orphelin(s) ; {result['quotes_reset']} citation(s) "
            "à revoir. Le fichier d'origine reste tel quel dans corpus/."
        )
        return result

    # -- view -------------------------------------------------------------------------------
    def show(self) -> None:
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
                accept=",".join(SUFFIXES),
                multiple=False,
                description="Texte corrigé",
                layout=w.Layout(width="16em"),
            )
            preview = w.Button(description="Aperçu", icon="eye", layout=w.Layout(width="auto"))
            replace = w.Button(
                description="Remplacer le texte",
                button_style="warning",
                icon="pencil",
                layout=w.Layout(width="auto"),
            )
            preview.on_click(lambda _b: self.on_click(self.show_preview))
            replace.on_click(lambda _b: self.on_click(self.apply))
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
