"""Bringing work from other tools into a project from notebook 01: ``ExchangeImport``.

A ``.qdpx`` project (NVivo, MAXQDA, ATLAS.ti, QualCoder…) is *imported* (its documents, codes,
codings, memos, cases and variables) or *merged* (only its codings, on documents the project
already holds, matched by their text: a second coder's copy, a supervisor's NVivo work); a
``.qdc`` codebook (Taguette, ATLAS.ti…) is merged into the project's codebook. The user uploads
the file, looks at the preview (``miam_qual.exchange.preview_import`` / ``preview_merge``: nothing
is written), then confirms: the write (``import_refi`` / ``merge``) is one transaction, all or
nothing, and is refused unless that very file was previewed in that mode. Every refusal is a
French sentence on the status line; the project is then unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import CorpusError, MiamError
from . import prefs
from .upload_form import UploadForm, upload_digest

if TYPE_CHECKING:
    from ..exchange import ExchangeReport
    from ..project import Project

#: Mode → French label.
MODES = {
    "import": "Importer (documents, codes, codages, mémos, participants)",
    "fusion": "Fusionner les codages (documents déjà dans le projet)",
}
SUFFIXES = (".qdpx", ".qdc")


class ExchangeImport(UploadForm):
    """Preview, then import or merge, one uploaded REFI-QDA file (see the module docstring).

    ``by``: who is recorded as having made the import (default: the name given on this
    machine, see ``prefs.known_coder``; without one, the import is refused until a name is given
    in a panel).
    """

    suffixes = SUFFIXES
    wrong_file = (
        "« {name} » : choisissez un projet .qdpx ou un livre de codes .qdc "
        "(les autres fichiers s'importent avec le formulaire au-dessus)."
    )
    no_file = "Choisissez d'abord un fichier .qdpx ou .qdc."

    def __init__(self, project: Project, *, by: str | None = None):
        super().__init__()
        self.project = project
        self.by = (by or "").strip() or prefs.known_coder()
        self.mode = "import"
        self.report: ExchangeReport | None = None
        self._previewed: tuple[str, str] | None = None  # (mode, digest) of the last preview

    # -- actions ----------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode: {mode}")
        self.mode = mode

    def preview(self, name: str, content: bytes) -> ExchangeReport | None:
        """What importing (or merging) the file would do; writes nothing. ``None`` with the
        French reason on refusal."""
        from ..exchange import preview_import, preview_merge

        try:
            with self.uploaded_file(name, content) as path:
                if self.mode == "fusion":
                    report = preview_merge(self.project, path)
                else:
                    report = preview_import(self.project, path)
        except MiamError as err:
            self.refuse(str(err))
            return None
        self.report = report
        self._previewed = (self.mode, upload_digest(name, content))
        self.say(str(report))
        return report

    def apply(self, name: str, content: bytes) -> ExchangeReport | None:
        """Import or merge the file previewed last (same file, same mode), in one transaction.
        ``None`` with the French reason on refusal; the project is then unchanged."""
        from ..exchange import import_refi, merge

        if self._previewed != (self.mode, upload_digest(name, content)):
            self.refuse(
                "Regardez d'abord l'aperçu de ce fichier (bouton « Aperçu ») : rien n'est écrit "
                "avant."
            )
            return None
        if not self.by:
            self.refuse(prefs.ASK_NAME)
            return None
        try:
            with self.uploaded_file(name, content) as path:
                if self.mode == "fusion":
                    report = merge(self.project, path, by=self.by)
                else:
                    report = import_refi(self.project, path, by=self.by)
        except MiamError as err:
            self.refuse(str(err))
            return None
        self.report = report
        self._previewed = None  # a second click needs a new preview
        self.say(str(report))
        return report

    def history(self):
        """Every import and merge of the project (``exchange_history``), oldest first."""
        from ..exchange import exchange_history

        return exchange_history(self.project)

    # -- helpers ----------------------------------------------------------------------------
    def check_file(self, name: str, suffix: str) -> None:
        if self.mode == "fusion" and suffix == ".qdc":
            raise CorpusError(
                f"« {name} » est un livre de codes seul : il n'a pas de codages à fusionner. "
                "Choisissez « Importer » pour l'ajouter au livre de codes."
            )

    # -- view -------------------------------------------------------------------------------
    @property
    def widget(self) -> Any:
        """The form: file, mode, « Aperçu », « Importer », status (built once)."""
        if self._widget is None:
            import ipywidgets as w

            self._upload = w.FileUpload(
                accept=",".join(SUFFIXES),
                multiple=False,
                description="Choisir le fichier",
                layout=w.Layout(width="16em"),
            )
            modes = w.RadioButtons(
                options=[(label, key) for key, label in MODES.items()],
                value=self.mode,
                layout=w.Layout(width="auto"),
            )
            modes.observe(lambda change: self.set_mode(change["new"]), names="value")
            preview = w.Button(description="Aperçu", icon="eye", layout=w.Layout(width="auto"))
            confirm = w.Button(
                description="Importer ou fusionner",
                button_style="primary",
                icon="check",
                layout=w.Layout(width="auto"),
            )
            preview.on_click(lambda _b: self.on_click(self.preview))
            confirm.on_click(lambda _b: self.on_click(self.apply))
            self._status = w.HTML()
            self._widget = w.VBox(
                [
                    w.HTML(
                        "<b>Importer le travail fait dans un autre logiciel</b> (NVivo, MAXQDA, "
                        "ATLAS.ti, QualCoder : projet .qdpx ; Taguette, ATLAS.ti : livre de codes "
                        ".qdc)"
                    ),
                    self._upload,
                    modes,
                    w.HBox([preview, confirm]),
                    self._status,
                ]
            )
        return self._widget
