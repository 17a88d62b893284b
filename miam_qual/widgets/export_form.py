"""What every export form of the notebooks shares: a destination folder, a button, a status line.

``ExportForm`` is state plus a thin view. Subclasses say what one click writes (``run``: called
with the folder, returns the files written or raises a ``MiamError``) and may add their own
controls (``controls``). Nothing is written until ``write`` runs, and subclasses only call the
package's export functions, which go through the privacy gate. The default folder is a dated
folder in the project's ``exports/`` (``exports/2026-12-02_rapports``, see
``prefs.export_folder``); the files written are shown as links the notebook can open.
"""

from __future__ import annotations

import html
import os
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MiamError
from .prefs import export_folder

if TYPE_CHECKING:
    from ..project import Project

COLORS = {"info": "#1b5e20", "attente": "#37474f", "erreur": "#b71c1c"}


#: Kinds of file JupyterLab shows in a tab of its own; the others (Word, Excel, sound) are
#: downloaded from its file browser (right click › Download).
LAB_VIEWABLE = {".html", ".pdf", ".png", ".jpg", ".svg", ".csv", ".md", ".txt", ".json"}


def file_link(path: Path, here: Path | None = None) -> str:
    """``path``'s name as HTML: a link relative to ``here`` (default: the working directory, which
    in a notebook is the notebook's folder) for the kinds JupyterLab shows, which it opens in a
    tab when the file lies under its root folder; the full path is the tooltip."""
    name = f"<code>{html.escape(path.name)}</code>"
    if path.suffix.lower() not in LAB_VIEWABLE:
        return f"<span title='{html.escape(str(path))}'>{name}</span>"
    relative = os.path.relpath(path, here or Path.cwd())
    href = urllib.parse.quote(Path(relative).as_posix())
    return (
        f"<a href='{html.escape(href)}' target='_blank' title='{html.escape(str(path))}' "
        f"style='color:#0b57d0;text-decoration:underline'>{name}</a>"
    )


class ExportForm:
    """A destination folder, a button and a French status line over one kind of export.

    ``kind``: the dated folder's suffix under ``exports/`` (``"rapports"``…); ``button``: the
    button's French label; ``folder``: another destination.
    """

    kind = "exports"
    button_label = "Exporter"
    waiting = "Export en cours…"

    def __init__(self, project: Project, *, folder: Path | str | None = None):
        self.project = project
        self.folder = Path(folder) if folder is not None else export_folder(project.root, self.kind)
        self.files: list[Path] = []
        self.status = ""
        self.status_level = "info"
        self._widget: Any = None

    # -- what a click does (subclasses) -----------------------------------------------------------
    def run(self, folder: Path) -> list[Path]:
        """Write the export into ``folder``; return the files written."""
        raise NotImplementedError

    def ready(self) -> str | None:
        """``None`` when the form can write; else the French reason why not."""
        return None

    def done(self, files: list[Path]) -> str:
        """The French line shown once ``files`` are written."""
        names = ", ".join(f.name for f in files[:6]) + (" …" if len(files) > 6 else "")
        return f"{len(files)} fichier(s) écrit(s) dans {self.folder} : {names}."

    def controls(self) -> list[Any]:
        """The subclass's own widgets, shown above the folder."""
        return []

    # -- state ------------------------------------------------------------------------------------
    def say(self, message: str, level: str = "info") -> None:
        self.status, self.status_level = message, level
        self._show_status()

    def set_folder(self, text: str | Path) -> Path | None:
        """Write into ``text`` from now on: a full path, ``~/…``, or a path relative to the home
        folder. Returns the folder, or ``None`` (with a message) when it is empty."""
        text = str(text).strip()
        if not text:
            self.say("Indiquez le dossier où écrire.", "erreur")
            return None
        folder = Path(text).expanduser()
        self.folder = folder if folder.is_absolute() else Path.home() / folder
        self.say("")
        return self.folder

    def write(self) -> list[Path] | None:
        """Run the export into the folder; returns the files written, or ``None`` with the French
        refusal on the status line (nothing is written then)."""
        problem = self.ready()
        if problem:
            self.say(problem, "erreur")
            return None
        self.say(self.waiting, "attente")
        try:
            self.files = self.run(self.folder)
        except (MiamError, OSError) as err:
            self.files = []
            reason = f"{err.strerror} ({err.filename})" if isinstance(err, OSError) else str(err)
            self.say(f"Rien n'a été écrit : {reason}", "erreur")
            return None
        self.say(self.done(self.files))
        return self.files

    # -- view -------------------------------------------------------------------------------------
    @property
    def widget(self) -> Any:
        """The ipywidgets form (built once): own controls, folder, button, status, files."""
        if self._widget is None:
            import ipywidgets as w

            self._folder = w.Text(
                value=str(self.folder),
                description="Dossier",
                continuous_update=False,
                layout=w.Layout(width="100%", max_width="48em"),
                style={"description_width": "5em"},
            )
            self._folder.observe(lambda change: self.set_folder(change["new"]), names="value")
            self._button = w.Button(
                description=self.button_label,
                button_style="primary",
                icon="file",
                layout=w.Layout(width="auto"),
            )
            self._button.on_click(lambda _b: self._on_click())
            self._status = w.HTML()
            self._widget = w.VBox([*self.controls(), self._folder, self._button, self._status])
            self._show_status()
        return self._widget

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
            items = "".join(
                f"<li>{file_link(f)} ({max(1, f.stat().st_size // 1024)} Ko)</li>"
                for f in self.files[:20]
                if f.exists()
            )
            lines.append(f"<ul>{items}</ul>")
            if any(f.suffix.lower() not in LAB_VIEWABLE for f in self.files):
                lines.append(
                    "<span>Les fichiers sans lien (Word, Excel, son…) s'ouvrent depuis "
                    "l'explorateur de fichiers de JupyterLab : clic droit › Download.</span>"
                )
        self._status.value = "".join(lines)

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a kernel
        from IPython.display import display

        display(self.widget)
