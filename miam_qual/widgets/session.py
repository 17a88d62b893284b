"""The coding workbench's state and actions, without any browser: ``CodingSession``.

The widget (``CodingPanel``) is a thin view over one session. Every action goes through the
project's public API and is saved at once; every refusal becomes a French sentence in
``status`` (``status_level`` ``"erreur"``) and leaves the project as it was. Methods return the
result of the action, or ``None`` when it was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..coding import DRAWN_COLUMNS, code_with_news
from ..errors import CodingError, MiamError
from ..text import excerpt
from ..training import hidden_codings
from . import codes_menu as _codes_menu
from . import finder as _finder
from . import history as _history
from . import navigation as _navigation
from . import prefs
from . import text_edit as _text_edit
from .finder import Finding
from .history import Action, History, Step
from .textspans import outside_labels, sentence_at, snap_to_words, unit_body

if TYPE_CHECKING:
    from ..project import Project

UNIT_KINDS = {
    "turn": "tour de parole",
    "paragraph": "paragraphe",
    "answer": "réponse",
    "sentence": "phrase",
}


class CodingSession:
    """One coder working through a project's documents.

    ``coder``: a name; by default the coder remembered on this machine, else ``$MIAM_CODEUR``;
    without either, ``coder`` is ``""`` and every write is refused until ``set_coder`` (the
    login name is never used). An unregistered coder is registered with their first coding (or when
    chosen with ``set_coder``): opening a session writes nothing. ``document``: name or GUID to
    open first (default: the first document).
    """

    # Navigation, undo/redo and code choosing are functions of their own modules taking the
    # session first, bound here (as ``Project`` binds its concept modules' functions): one home
    # each, checked by mypy, and none of those modules imports this one at run time.

    # -- navigation (navigation.py) ---------------------------------------------------------
    refresh_documents = _navigation.refresh_documents
    open = _navigation.open
    next_document = _navigation.next_document
    previous_document = _navigation.previous_document
    coded_documents = _navigation.coded_documents
    progress = _navigation.progress
    next_uncoded = _navigation.next_uncoded
    next_occurrence = _navigation.next_occurrence
    go_to = _navigation.go_to
    grid = _navigation.grid
    select_cell = _navigation.select_cell

    # -- finding documents and words (finder.py) ------------------------------------------------
    pick_documents = _finder.pick_documents
    search = _finder.search
    prepare_search = _finder.prepare_search
    go_to_hit = _finder.go_to_hit
    next_hit = _finder.next_hit
    preview_code_all = _finder.preview_code_all
    cancel_code_all = _finder.cancel_code_all
    code_all_hits = _finder.code_all_hits

    # -- correcting the text (text_edit.py) ----------------------------------------------------
    open_editor = _text_edit.open_editor
    close_editor = _text_edit.close_editor
    edit_passage = _text_edit.edit_passage
    modified_here = _text_edit.modified_here
    orphans_here = _text_edit.orphans_here
    confirm_modified = _text_edit.confirm_modified
    place_orphan = _text_edit.place_orphan
    remove_orphan = _text_edit.remove_orphan

    # -- undo and redo (history.py) -----------------------------------------------------------
    undo = _history.undo
    redo = _history.redo

    # -- choosing codes (codes_menu.py) -------------------------------------------------------
    code_usage = _codes_menu.code_usage
    compute_shortcuts = _codes_menu.compute_shortcuts
    pin_shortcut = _codes_menu.pin_shortcut
    find_codes = _codes_menu.find_codes
    code_choices = _codes_menu.code_choices
    create_code = _codes_menu.create_code

    def __init__(self, project: Project, coder: str | None = None, *, document: str | None = None):
        self.project = project
        self.status = ""
        self.status_level = "info"
        self.show_others = False
        self.history = History()
        self.recent: list[str] = []
        self.document_id: str | None = None
        self.text = ""
        #: how many times a document's text was loaded (``open``): the view resends it on change
        self.loads = 0
        self.units = pd.DataFrame()
        self.selection: tuple[int, int] | None = None
        self.focus: int | None = None
        #: the passage open in the edit mode: ``(start, end, version)``, or ``None``
        self.editing: tuple[int, int, int] | None = None
        self.documents = pd.DataFrame()
        self.finding = Finding()
        self.book_stamp = self.codebook_stamp()
        self._kept: dict[tuple, Any] = {}  # store reads under ``_kept_stamp`` (``_read``)
        self._kept_stamp: tuple[int, ...] | None = None
        self.coder = (coder or "").strip() or prefs.known_coder()
        self.shortcuts = self.compute_shortcuts()
        self.refresh_documents()
        if document is not None:
            self.open(document)
        elif len(self.documents):
            self.open(self.documents["document_id"].iloc[0])
        else:
            self.say(
                "Le projet ne contient aucun document : importez-en d'abord (miam-qual import).",
                "erreur",
            )
        if not self.coder and self.status_level != "erreur":
            self.say(prefs.ASK_NAME)

    # -- the open document ----------------------------------------------------------------------
    @property
    def position(self) -> int:
        """Index of the open document in import order (-1 when none)."""
        ids = list(self.documents["document_id"])
        return ids.index(self.document_id) if self.document_id in ids else -1

    @property
    def document(self) -> str | None:
        """Name of the open document."""
        pos = self.position
        return None if pos < 0 else str(self.documents["document"].iloc[pos])

    @property
    def kind(self) -> str | None:
        pos = self.position
        return None if pos < 0 else str(self.documents["kind"].iloc[pos])

    # -- reading the store only when it changed ----------------------------------------------
    def _read(self, key: tuple, load: Callable[[], Any]) -> Any:
        """``load()``'s result, kept while the project's data stays the same
        (``Project.data_stamp``): a click that writes nothing re-reads nothing, and any write,
        here or in another notebook, makes every read fresh again."""
        stamp = self.project.data_stamp()
        if stamp != self._kept_stamp:
            self._kept, self._kept_stamp = {}, stamp
        if key not in self._kept:
            self._kept[key] = load()
        return self._kept[key]

    def coder_tally(self) -> pd.DataFrame:
        """This coder's codings counted per code and document (``Project.coding_tally``)."""
        return self._read(("tally", self.coder), lambda: self.project.coding_tally(self.coder))

    # -- status -------------------------------------------------------------------------------
    def say(self, message: str, level: str = "info") -> None:
        """Put a French ``message`` on the status line (``level``: ``info`` or ``erreur``)."""
        self.status, self.status_level = message, level

    # -- coder --------------------------------------------------------------------------------
    def set_coder(self, name: str) -> str | None:
        """Code as ``name`` from now on (registered if new) and remember it on this machine."""
        name = (name or "").strip()
        if not name:
            self.say("Indiquez un nom de codeur.", "erreur")
            return None
        try:
            self.project.add_coder(name)
        except MiamError as err:  # a busy or read-only database: say so on the status line
            self.say(str(err), "erreur")
            return None
        self.coder = name
        self.history.clear()
        self.recent = []
        self.shortcuts = self.compute_shortcuts()
        unsaved = prefs.remember_coder(name)
        self.say(
            f"Vous codez maintenant en tant que « {name} »{unsaved}.",
            "erreur" if unsaved else "info",
        )
        return name

    def coders(self) -> list[str]:
        """Registered coders, and this session's coder even before their first coding."""
        known = list(self.project.coders()["coder"])
        return known if not self.coder or self.coder in known else [*known, self.coder]

    def _register_coder(self) -> None:
        """Register this session's coder before their first write (a no-op once registered)."""
        if self.coder not in set(self.project.coders()["coder"]):
            self.project.add_coder(self.coder)

    # -- selection ----------------------------------------------------------------------------
    def select(self, start: object, end: object) -> tuple[int, int] | None:
        """Select ``[start, end)`` snapped to word boundaries; returns the span kept, or ``None``."""
        if self.document_id is None:
            self.say("Aucun document ouvert.", "erreur")
            return None
        length = len(self.text)
        if (
            not isinstance(start, int)
            or not isinstance(end, int)
            or isinstance(start, bool)
            or isinstance(end, bool)
        ):
            self.say(
                f"Sélection invalide ({start!r}, {end!r}) : il faut deux positions entières.",
                "erreur",
            )
            return None
        if start == end:
            self.selection = None
            self.say("Sélection vide : surlignez des mots avec la souris.", "erreur")
            return None
        start, end = min(start, end), max(start, end)
        if start < 0 or end > length:
            self.selection = None
            self.say(
                f"Sélection hors du texte ([{start}, {end}) alors que le document compte {length} "
                "caractères) : rechargez le panneau si le document a changé.",
                "erreur",
            )
            return None
        snapped = snap_to_words(self.text, start, end)
        if snapped is not None and len(self.units):
            turns = self.units[self.units["kind"] == "turn"]
            a, b = snapped
            turns = turns[  # only the turns holding either end
                ((turns["start"] <= a) & (turns["end"] > a))
                | ((turns["start"] < b) & (turns["end"] >= b))
            ]
            snapped = outside_labels(
                self.text, list(zip(turns["start"], turns["end"], strict=True)), *snapped
            )
        if snapped is None:
            self.selection = None
            self.say(
                "La sélection ne contient que des espaces ou un nom de locuteur : surlignez des "
                "mots.",
                "erreur",
            )
            return None
        self.selection, self.focus = snapped, snapped[0]
        self.say(
            f"Sélection : « {excerpt(self.selected_text, 40)} » ({snapped[1] - snapped[0]} caractères)."
        )
        return snapped

    def point(self, offset: int) -> None:
        """A click without selection: forget the selection, remember where the reader is."""
        self.selection = None
        self.focus = max(0, min(int(offset), len(self.text)))
        self.say("")

    @property
    def selected_text(self) -> str:
        return self.text[self.selection[0] : self.selection[1]] if self.selection else ""

    def select_unit(self, kind: str, index: int | None = None) -> tuple[int, int] | None:
        """Select a whole ``turn``, ``paragraph``, ``answer`` or ``sentence``.

        ``index``: the unit's index (for sentences, its rank in the document); ``None`` means the
        unit around the current selection or click. A turn is selected without its speaker label.
        """
        if kind not in UNIT_KINDS:
            self.say(f"Unité inconnue « {kind} » (possibles : {', '.join(UNIT_KINDS)}).", "erreur")
            return None
        where = self.selection[0] if self.selection else (self.focus or 0)
        if kind == "sentence":
            span = self._sentence(index, where)
        else:
            span = self._unit_span(kind, index, where)
        if span is None:
            self.say(f"Pas de {UNIT_KINDS[kind]} à cet endroit dans ce document.", "erreur")
            return None
        return self.select(*span)

    def _sentence(self, index: int | None, where: int) -> tuple[int, int] | None:
        if index is None:
            return sentence_at(self.text, where)
        from .textspans import sentence_spans

        spans = sentence_spans(self.text)
        return spans[index] if 0 <= index < len(spans) else None

    def _unit_span(self, kind: str, index: int | None, where: int) -> tuple[int, int] | None:
        units = self.units[self.units["kind"] == kind]
        if index is not None:
            units = units[units["index"] == index]
        else:
            units = units[(units["start"] <= where) & (units["end"] >= where)]
        if units.empty:
            return None
        start, end = int(units["start"].iloc[0]), int(units["end"].iloc[0])
        return unit_body(self.text, start, end) if kind == "turn" else (start, end)

    # -- codebook freshness -------------------------------------------------------------------
    def codebook_stamp(self) -> tuple[int, int] | None:
        """(mtime, size) of the codebook file, to notice another notebook's change."""
        try:
            stat = self.project.codebook_path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def sync_codebook(self) -> bool:
        """Reload the codebook if another notebook changed its file; returns whether it did."""
        stamp = self.codebook_stamp()
        if stamp == self.book_stamp:
            return False
        self.project.reload_codebook()
        self.book_stamp = stamp
        return True

    # -- coding -------------------------------------------------------------------------------
    def apply(self, code_ids: str | list[str]) -> list[str] | None:
        """Apply one or several codes to the selection; returns the coding GUIDs written.

        A code already on this exact span (for this coder) is not written twice. A code that
        another notebook deleted meanwhile is refused with a message, after reloading the codebook.
        """
        codes = [code_ids] if isinstance(code_ids, str) else list(dict.fromkeys(code_ids))
        if not codes:
            self.say("Choisissez au moins un code.", "erreur")
            return None
        if self.selection is None:
            self.say(
                "Sélectionnez d'abord un passage avec la souris (ou un tour, une phrase).", "erreur"
            )
            return None
        if not self.coder:
            self.say(prefs.ASK_NAME, "erreur")
            return None
        try:
            self.sync_codebook()
            missing = [c for c in codes if c not in self.project.codebook]
            if missing:
                self.project.reload_codebook()
                self.book_stamp = self.codebook_stamp()
                missing = [c for c in codes if c not in self.project.codebook]
            if missing:
                self.shortcuts = self.compute_shortcuts()
                names = ", ".join(f"« {c} »" for c in missing)
                self.say(
                    f"Le code {names} n'existe plus dans le livre de codes (supprimé ou fusionné "
                    "dans un autre carnet ?). Le livre de codes a été rechargé ; rien n'a été écrit.",
                    "erreur",
                )
                return None
            start, end = self.selection
            document_id = self.document_id
            assert document_id is not None  # a selection exists only in an open document
            self._register_coder()
            written = code_with_news(self.project, document_id, start, end, codes, coder=self.coder)
        except MiamError as err:
            self.say(str(err), "erreur")
            return None
        ids = [guid for guid, _new in written]
        steps = [  # undo takes back what this click wrote, not a coding that was already there
            Step("apply", guid, document_id, start, end, code)
            for (guid, new), code in zip(written, codes, strict=True)
            if new
        ]
        labels = ", ".join(self.project.codebook.get(c).label for c in codes)
        self.history.record(Action(f"codage {labels}", steps))
        for code in codes:
            self.recent = [code] + [c for c in self.recent if c != code]
        if steps:
            self.say(f"« {labels} » appliqué à « {excerpt(self.selected_text, 40)} ».")
        else:
            self.say(f"« {labels} » était déjà appliqué à ce passage : rien de nouveau.")
        return ids

    def remove(self, coding_id: str) -> bool:
        """Remove one of this coder's codings (its memo goes with it; undo brings both back)."""
        coding_id = self.history.current(coding_id)
        try:
            found = self.project.coding(coding_id)
        except CodingError:
            self.say(
                "Ce codage a déjà été retiré (peut-être dans un autre carnet) : affichage mis à jour.",
                "erreur",
            )
            return False
        if found["coder"] != self.coder:
            self.say(
                f"Ce codage appartient à « {found['coder']} » : seul son auteur peut le retirer.",
                "erreur",
            )
            return False
        memo = self.memo_of(coding_id)
        try:
            self.project.uncode(coding_id)
        except MiamError as err:
            self.say(str(err), "erreur")
            return False
        step = Step(
            "remove",
            coding_id,
            found["document_guid"],
            found["start"],
            found["end"],
            found["code_id"],
            memo,
        )
        label = self.code_label(found["code_id"])
        self.history.record(Action(f"retrait {label}", [step]))
        self.say(f"Codage « {label} » retiré de « {excerpt(found['text'], 40)} ».")
        return True

    def memo_of(self, coding_id: str) -> str:
        """This coder's memo on a coding (``""`` when none)."""
        memos = self.project.memos("coding")
        mine = memos[
            (memos["target_id"] == self.history.current(coding_id))
            & (memos["author"] == self.coder)
        ]
        return str(mine["text"].iloc[0]) if len(mine) else ""

    def set_memo(self, coding_id: str, text: str) -> bool:
        """Write (or, with an empty text, delete) this coder's memo on a coding."""
        coding_id = self.history.current(coding_id)
        text = (text or "").strip()
        try:
            self.project.coding(coding_id)
            before = self.memo_of(coding_id)
            if before == text:
                return True
            self.project.set_memo("coding", coding_id, text, author=self.coder)
        except MiamError as err:
            self.say(f"Mémo non enregistré : {err}", "erreur")
            return False
        self.history.record(Action("mémo", [Step("memo", coding_id, memo=before, new_memo=text)]))
        self.say("Mémo enregistré." if text else "Mémo effacé.")
        return True

    def code_label(self, code_id: str) -> str:
        """A code's label, or its id when the codebook no longer holds it."""
        return (
            self.project.codebook.get(code_id).label
            if code_id in self.project.codebook
            else code_id
        )

    # -- reading ------------------------------------------------------------------------------
    def codings(self, *, mine_only: bool = False) -> pd.DataFrame:
        """Codings of the open document (this coder's, plus the others' when ``show_others``);
        columns as ``Project.drawn_codings()`` plus ``mine``."""
        if self.document_id is None:
            return pd.DataFrame(columns=[*DRAWN_COLUMNS, "mine"])
        guid = self.document_id
        frame = self._read(("document", guid), lambda: self.project.drawn_codings(guid))
        if mine_only or not self.show_others:
            frame = frame[frame["coder"] == self.coder]
        else:
            hidden = self.hidden_here()
            if hidden:  # a reference set this coder trains on: its codings stay out of sight
                frame = frame[~frame["coding_id"].isin(hidden)]
        return frame.assign(mine=frame["coder"] == self.coder).reset_index(drop=True)

    def hidden_here(self) -> set[str]:
        """GUIDs of the open document's codings this coder may not see yet: a reference set's
        codings while they train on it (``training.hidden_codings``)."""
        if self.document_id is None or not self.coder:
            return set()
        guid, coder = self.document_id, self.coder
        return self._read(
            ("hidden", guid, coder), lambda: hidden_codings(self.project, guid, coder)
        )

    def review_here(self) -> dict[str, str]:
        """Coding GUID → review state (« contesté », « commenté », « approuvé », « réglé ») for
        the open document's codings that a supervisor commented on (``Project.review_state``)."""
        if self.document_id is None:
            return {}
        guid = self.document_id
        return self._read(("review", guid), lambda: self.project.review_state(guid))

    def codings_here(self) -> pd.DataFrame:
        """Codings overlapping the selection, or covering the place clicked last."""
        frame = self.codings()
        if self.selection is not None:
            start, end = self.selection
            return frame[(frame["start"] < end) & (frame["end"] > start)].reset_index(drop=True)
        if self.focus is not None:
            return frame[(frame["start"] <= self.focus) & (frame["end"] > self.focus)].reset_index(
                drop=True
            )
        return frame.iloc[0:0]
