"""What the memo editor and the review loop share (``MemoEditor``, ``ReviewLoop``): the project,
the name that signs what is written, a French status line, and the document whose codings are
offered as targets. State and actions only, no browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import MiamError
from ..text import excerpt
from . import prefs

if TYPE_CHECKING:
    from ..project import Project


class SignedTargets:
    """A person writing about targets of a project: ``author`` (by default the coder remembered
    on this machine, never the login name), ``status``/``status_level`` (French), ``document``
    (GUID; the first document at the start) and the chosen ``target``."""

    def __init__(self, project: Project, *, author: str | None = None):
        self.project = project
        self.author = (author or "").strip() or prefs.known_coder()
        self.status, self.status_level = "", "info"
        documents = project.documents()
        self.document: str | None = (
            str(documents["document_id"].iloc[0]) if len(documents) else None
        )
        self.target: str | None = None

    def say(self, message: str, level: str = "info") -> None:
        self.status, self.status_level = message, level

    @property
    def on_codings(self) -> bool:
        """Whether the targets are the codings of ``document`` (subclasses say when)."""
        return False

    def set_document(self, document: str) -> str | None:
        """List the codings of ``document`` (name or GUID); returns its GUID."""
        try:
            self.document = self.project.document_id(document)
        except MiamError as err:
            self.say(str(err), "erreur")
            return None
        if self.on_codings:
            self.target = None
        return self.document

    def coding_labels(self, width: int) -> list[tuple[str, str]]:
        """(label, coding GUID) of every coding of ``document``: « code — « passage » (coder) »."""
        if self.document is None:
            return []
        frame = self.project.codings(document=self.document)
        return [
            (f"{r.code} — « {excerpt(r.text, width)} » ({r.coder})", r.coding_id)
            for r in frame.itertuples()
        ]
