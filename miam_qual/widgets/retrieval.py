"""A code's coded segments, as QDA users retrieve them: ``SegmentRetrieval`` (state and actions,
no browser).

Choose a code (a theme brings its sub-codes), optionally a coder and attribute values; the
segments come back in corpus order with a few words of context on each side, their document,
speaker, coder and memo, a page at a time. ``jump`` takes one back to the passage in a coding
panel. ``RetrievalPanel`` (``retrieval_panel.py``) is the ipywidgets view. Nothing here writes to
the project; every refusal becomes a French sentence in ``status`` (``status_level``
``"erreur"``) and methods return ``None`` then.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import MiamError
from ..training import hidden_codings, reference_sets, set_documents
from .codebook_editor import code_tree
from .session import CodingSession
from .tables import french

if TYPE_CHECKING:
    from ..project import Project
    from .panel import CodingPanel

#: Columns of ``SegmentRetrieval.segments()``.
SEGMENT_COLUMNS = [
    "coding_id", "document_id", "document", "start", "end", "before", "text", "after",
    "code_id", "code", "coder", "speaker", "memo", "created_at",
]  # fmt: skip
#: The columns shown to users by ``table()``, with the French headers ``french`` does not know.
SHOWN_COLUMNS = ["document", "speaker", "before", "text", "after", "code", "coder", "memo"]
CONTEXT_LABELS = {"before": "Avant", "after": "Après", "text": "Passage codé"}
#: Attribute types offered as filters in the view (a closed list of values).
FILTER_TYPES = ("choix", "booleen")
BOOLEAN_VALUES = ("oui", "non")


def context(text: str, start: int, end: int, words: int = 8) -> tuple[str, str]:
    """Up to ``words`` words before ``start`` and after ``end`` in ``text``, blanks collapsed,
    with ``…`` where the text goes on."""
    window = 24 * words  # characters enough for that many words, without splitting the document
    head = text[max(0, start - window) : start].split()
    tail = text[end : end + window].split()
    before = " ".join(head[-words:]) if words else ""
    after = " ".join(tail[:words]) if words else ""
    if len(head) > words or (head and start - window > 0):
        before = "… " + before
    if len(tail) > words or (tail and end + window < len(text)):
        after = after + " …"
    return before, after


class SegmentRetrieval:
    """Retrieving a code's segments in a project.

    ``panel``: the ``CodingPanel`` (or ``CodingSession``) that ``jump`` shows passages in.
    ``page_size``: segments per page. ``words``: words of context on each side.
    """

    def __init__(
        self,
        project: Project,
        panel: CodingPanel | CodingSession | None = None,
        *,
        page_size: int = 20,
        words: int = 8,
    ):
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.project = project
        self.panel = panel
        self.page_size = page_size
        self.words = words
        self.status = ""
        self.status_level = "info"
        self.code: str | None = None
        self.coder: str | None = None
        self.filters: dict[str, object] = {}
        self.page = 0
        self.found = pd.DataFrame(columns=SEGMENT_COLUMNS)

    def say(self, message: str, level: str = "info") -> None:
        self.status, self.status_level = message, level

    # -- choices offered ------------------------------------------------------------------------
    def code_choices(self) -> list[tuple[str, str]]:
        """Every code and theme (a theme retrieves its sub-codes too), in the codebook's order."""
        return code_tree(self.project.codebook)

    def coder_choices(self) -> list[str]:
        """Registered coders."""
        return list(self.project.coders()["coder"])

    def filter_choices(self) -> dict[str, tuple[str, list[str]]]:
        """Attributes with a closed list of values, offered as filters: name → (French label,
        values). Other declared attributes can still be given to ``retrieve``."""
        return {
            name: (spec.label, list(spec.choices) if spec.type == "choix" else list(BOOLEAN_VALUES))
            for name, spec in self.project.config.attributes.items()
            if spec.type in FILTER_TYPES
        }

    # -- retrieving ------------------------------------------------------------------------------
    def retrieve(
        self, code: str, *, coder: str | None = None, **filters: object
    ) -> pd.DataFrame | None:
        """Find the segments coded ``code`` (with its sub-codes), by ``coder`` (``None``: all),
        whose document or participant has each filter's value (a list: one of them; ``None`` or
        ``""``: no filter); shows the first page. Returns every segment found, as
        ``Project.codings()`` gives them (attribute columns included, no context), or ``None``
        when refused (unknown code, coder or filter): the previous answer is kept then."""
        filters = {k: v for k, v in filters.items() if v is not None and v != ""}
        try:
            book = self.project.codebook
            if code not in book:
                self.say(
                    f"Le code « {code} » n'existe pas (ou plus) dans le livre de codes.", "erreur"
                )
                return None
            if coder is not None:
                self.project.coder_id(coder)
            frame = self.project.codings(
                code, coder=coder, document=None, descendants=True, **filters
            )
        except MiamError as err:
            self.say(f"Recherche impossible : {err}", "erreur")
            return None
        self.code, self.coder, self.filters, self.page = code, coder, filters, 0
        self.found = self._not_hidden(frame)
        entry = book.get(code)
        what = f"« {entry.label} »" + (" et ses sous-codes" if book.children(code) else "")
        who = f" par « {coder} »" if coder else ""
        where = "".join(f", {self._filter_label(k)} = {v}" for k, v in filters.items())
        count = len(self.found)
        if count:
            self.say(f"{count} passage(s) codé(s) {what}{who}{where}.")
        else:
            self.say(f"Aucun passage codé {what}{who}{where}.")
        return self.found

    def _not_hidden(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` without a reference set's codings that the panel's coder, training on it,
        may not see yet (``training.hidden_codings``): retrieval must not show the answers."""
        panel = self.panel
        session = panel if isinstance(panel, CodingSession) else getattr(panel, "session", None)
        if session is None or frame.empty:  # no coding panel: nobody to hide anything from
            return frame
        sets = reference_sets(self.project)["set"]
        trained = {d for name in sets for d in set_documents(self.project, name)}
        hidden: set[str] = set()
        for document in set(frame["document"]) & trained:
            hidden |= hidden_codings(self.project, str(document), session.coder)
        return frame[~frame["coding_id"].isin(hidden)].reset_index(drop=True)

    def _filter_label(self, name: str) -> str:
        spec = self.project.config.attributes.get(name)
        return spec.label if spec is not None else name

    # -- pages ------------------------------------------------------------------------------------
    @property
    def page_count(self) -> int:
        """Number of pages (at least 1, even when nothing was found)."""
        return max(1, math.ceil(len(self.found) / self.page_size))

    def set_page(self, page: int) -> int | None:
        """Show page ``page`` (counted from 0); returns it, or ``None`` when it does not exist."""
        if not 0 <= page < self.page_count:
            self.say(f"Il n'y a pas de page {page + 1} (pages 1 à {self.page_count}).", "erreur")
            return None
        self.page = page
        self.say(f"Page {page + 1} sur {self.page_count}.")
        return page

    def next_page(self) -> int | None:
        if self.page + 1 >= self.page_count:
            self.say("C'est la dernière page.", "erreur")
            return None
        return self.set_page(self.page + 1)

    def previous_page(self) -> int | None:
        if self.page == 0:
            self.say("C'est la première page.", "erreur")
            return None
        return self.set_page(self.page - 1)

    def segments(self) -> pd.DataFrame:
        """The segments of the current page (``SEGMENT_COLUMNS``): ``text`` is the exact coded
        slice, ``before``/``after`` its context; ``memo`` joins the authors' memos."""
        first = self.page * self.page_size
        page = self.found.iloc[first : first + self.page_size].reset_index(drop=True)
        texts: dict[str, str] = {}
        befores, afters = [], []
        for row in page.itertuples():
            document = str(row.document_id)
            if document not in texts:
                texts[document] = self.project.text(document)
            before, after = context(texts[document], int(row.start), int(row.end), self.words)
            befores.append(before)
            afters.append(after)
        return page.assign(before=befores, after=afters)[SEGMENT_COLUMNS]

    def table(self) -> pd.DataFrame:
        """The current page for reading: French headers, no empty-cell markers."""
        page = self.segments()[SHOWN_COLUMNS]
        shown = french(page, self.project, empty="Aucun passage.")
        if len(page):
            shown.columns = [
                CONTEXT_LABELS.get(name, label)
                for name, label in zip(SHOWN_COLUMNS, shown.columns, strict=True)
            ]
        return shown

    # -- back to the passage ----------------------------------------------------------------------
    def jump(self, coding_id: str) -> tuple[int, int] | None:
        """Open the segment's document in the coding panel and select its passage; returns the
        span, or ``None`` (with a French message) without a panel or for a segment not listed."""
        if self.panel is None:
            self.say(
                "Aucun panneau de codage relié : créez la vue avec "
                "RetrievalPanel(projet, panneau) pour aller aux passages.",
                "erreur",
            )
            return None
        rows = self.found[self.found["coding_id"] == coding_id]
        if rows.empty:
            self.say("Ce passage ne fait pas partie de la liste affichée.", "erreur")
            return None
        row = rows.iloc[0]
        panel = self.panel
        session: CodingSession = panel if isinstance(panel, CodingSession) else panel.session
        span = session.go_to(
            str(row["document_id"]), int(row["start"]), int(row["end"]), coder=str(row["coder"])
        )
        push = getattr(self.panel, "push", None)
        if push is not None:
            push()
        if span is None:
            self.say(session.status, "erreur")
            return None
        self.say(f"Passage ouvert dans le panneau de codage : {row['document']}.")
        return span
