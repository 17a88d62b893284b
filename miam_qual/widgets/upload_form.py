"""What the notebooks' "preview, then confirm" upload forms share: ``UploadForm``.

One uploaded file, a French status line, a preview that writes nothing and a confirmation that
acts only on the file previewed (compared by ``upload_digest``). Subclasses say which suffixes
they take (``suffixes``, ``wrong_file``), may refuse more (``check_file``) and draw their own
status (``show``). ``ExchangeImport`` and ``TextCorrection`` are built on it.
"""

from __future__ import annotations

import hashlib
import html
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import CorpusError


def upload_digest(name: str, content: bytes) -> str:
    """Identity of an uploaded file (its name and bytes): what was previewed is what is written."""
    return hashlib.sha256(Path(name).name.encode() + b"\0" + content).hexdigest()


class UploadForm:
    """State of a preview-then-confirm form over one uploaded file (see the module docstring)."""

    suffixes: tuple[str, ...] = ()
    #: French refusal for another kind of file; ``{name}`` is the file's name.
    wrong_file = "« {name} » : ce type de fichier n'est pas pris en charge ici."
    #: French refusal when the button is pressed with no file chosen.
    no_file = "Choisissez d'abord un fichier."

    def __init__(self) -> None:
        self.status = ""
        self.status_level = "info"
        self._widget: Any = None
        self._upload: Any = None
        self._status: Any = None

    # -- for subclasses ---------------------------------------------------------------------
    def check_file(self, name: str, suffix: str) -> None:
        """Raise a ``MiamError`` for a file of an accepted suffix this form still refuses."""

    def show(self) -> None:
        """Draw the status line (the form's view exists)."""
        color = "#b71c1c" if self.status_level == "erreur" else "#1b5e20"
        self._status.value = (
            f"<pre style='white-space:pre-wrap;color:{color};font-size:12px'>"
            f"{html.escape(self.status)}</pre>"
        )

    # -- shared -----------------------------------------------------------------------------
    @contextmanager
    def uploaded_file(self, name: str, content: bytes) -> Iterator[Path]:
        """The upload as a file in a temporary folder (removed afterwards); raises
        ``CorpusError`` (or ``check_file``'s refusal) for a file this form does not take."""
        name = Path(name).name  # never trust a path sent by the browser
        suffix = Path(name).suffix.lower()
        if suffix not in self.suffixes:
            raise CorpusError(self.wrong_file.format(name=name))
        self.check_file(name, suffix)
        with tempfile.TemporaryDirectory(prefix="miam_envoi_") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            yield path

    def say(self, message: str, level: str = "info") -> None:
        self.status, self.status_level = message, level
        if self._widget is not None:
            self.show()

    def refuse(self, message: str) -> None:
        self.say(message, "erreur")

    def on_click(self, action: Callable[[str, bytes], object]) -> None:
        """Run ``action(name, content)`` on the chosen file, or say that none is chosen."""
        files = list(self._upload.value)
        if not files:
            self.refuse(self.no_file)
            return
        action(files[0]["name"], bytes(files[0]["content"]))

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a kernel
        from IPython.display import display

        display(self.widget)

    @property
    def widget(self) -> Any:  # pragma: no cover - every subclass builds its own
        raise NotImplementedError
