"""``CodingPanel``: the anywidget view of a ``CodingSession`` (one ES module, one stylesheet).

The browser sends small messages (``{"action": "select", "start": 3, "end": 9}``); Python runs the
action on the session, which saves it through the project's API, then pushes the new state back
in synced traits. Nothing here decides anything about text or codes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..errors import MiamError
from .finder import hits_payload, picker_payload
from .layout import document_blocks
from .session import CodingSession

if TYPE_CHECKING:
    from ..project import Project

STATIC = Path(__file__).parent / "static"


def _as_json(value: object, _widget: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class CodingPanel(anywidget.AnyWidget):
    """The intern's coding workbench: ``CodingPanel(projet)`` in a notebook cell.

    ``coder``: who codes (default: the coder remembered on this machine). The underlying
    ``session`` (a ``CodingSession``) holds the logic and can be driven from Python too.
    """

    _esm = STATIC / "coder.js"
    _css = STATIC / "coder.css"

    doc = traitlets.Dict().tag(sync=True)
    #: the open document's codings; sent as one JSON string (``_as_json``), not walked item by
    #: item by the widget protocol: a thousand codings leave on every click
    codings: traitlets.List[Any] = traitlets.List().tag(sync=True, to_json=_as_json)
    selection: traitlets.List[Any] = traitlets.List().tag(sync=True)
    here: traitlets.List[Any] = traitlets.List().tag(sync=True)
    codes: traitlets.List[Any] = traitlets.List().tag(sync=True)
    shortcuts: traitlets.List[Any] = traitlets.List().tag(sync=True)
    recent: traitlets.List[Any] = traitlets.List().tag(sync=True)
    coder = traitlets.Unicode().tag(sync=True)
    coders: traitlets.List[Any] = traitlets.List().tag(sync=True)
    show_others = traitlets.Bool(False).tag(sync=True)
    progress: traitlets.List[Any] = traitlets.List().tag(sync=True)
    status = traitlets.Dict().tag(sync=True)
    history = traitlets.Dict().tag(sync=True)
    grid = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    grid_open = traitlets.Bool(False).tag(sync=True)
    picker = traitlets.Dict().tag(sync=True)
    search = traitlets.Dict().tag(sync=True)
    ack = traitlets.Int(0).tag(sync=True)
    #: the passage open for correction: ``{start, end, text, version}`` or ``{}`` (text_edit.py)
    editing = traitlets.Dict().tag(sync=True)
    #: the open document's orphan codings (words removed by a correction): id, label, color…
    orphans: traitlets.List[Any] = traitlets.List().tag(sync=True)
    #: the text span being heard, ``[start, end]`` or ``[]``: set by a ``ListenPanel`` (listen.py)
    playing: traitlets.List[Any] = traitlets.List().tag(sync=True)

    def __init__(
        self, project: Project, coder: str | None = None, *, document: str | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.session = CodingSession(project, coder, document=document)
        self._doc_shown: tuple[str | None, int] | None = None
        self.on_msg(self._on_message)
        self.push()

    # -- Python → browser ---------------------------------------------------------------------
    def push(self) -> None:
        """Send the session's state to the browser (the document's text only when it changed)."""
        s = self.session
        with self.hold_sync():
            if (s.document_id, s.loads) != self._doc_shown:
                self.doc = self._document_payload()
                self._doc_shown = (s.document_id, s.loads)
            self.codings = self._codings_payload(s.codings(), details=False)
            self.here = self._codings_payload(s.codings_here(), details=True)
            self.selection = list(s.selection) if s.selection else []
            self.codes = s.code_choices()
            self.shortcuts = list(s.shortcuts)
            self.recent = list(s.recent)
            self.coder = s.coder
            self.coders = s.coders()
            self.show_others = s.show_others
            self.progress = list(s.progress())
            self.status = {"text": s.status, "level": s.status_level}
            self.history = {"undo": s.history.can_undo, "redo": s.history.can_redo}
            self.search = hits_payload(s)
            self.editing = self._editing_payload()
            self.orphans = self._orphans_payload()
            # allow_none=True on the trait; traitlets' annotations cannot express it for Dict
            self.grid = s.grid() if self.grid_open and s.kind == "questionnaire" else None  # type: ignore[assignment]

    def _document_payload(self) -> dict:
        s = self.session
        if s.document_id is None:
            return {}
        return {
            "id": s.document_id,
            "load": s.loads,  # the same document's text loaded again (after a correction)
            "name": s.document,
            "kind": s.kind,
            "position": s.position,
            "count": len(s.documents),
            "text": s.text,
            "blocks": document_blocks(s.text, s.units, s.project.timecodes(s.document_id)),
        }

    def _editing_payload(self) -> dict:
        editing = self.session.editing
        if editing is None:
            return {}
        start, end, version = editing
        return {
            "start": start,
            "end": end,
            "version": version,
            "text": self.session.text[start:end],
        }

    def _orphans_payload(self) -> list[dict]:
        book = self.session.project.codebook.codes
        rows = []
        for r in self.session.orphans_here().to_dict("records"):
            code = book.get(r["code_id"])
            rows.append(
                {
                    "id": r["orphan_id"], "label": code.label if code else r["code"],
                    "color": code.color if code else "#9E9E9E", "coder": r["coder"],
                    "text": r["text"][:120],
                }
            )  # fmt: skip
        return rows

    def _codings_payload(self, frame, *, details: bool) -> list[dict]:
        """Codings for the page; ``details`` adds the memo and the start of the coded text;
        ``modified`` is the wording before a correction, for codings awaiting confirmation."""
        book = self.session.project.codebook.codes
        modified = self.session.modified_here()
        review = self.session.review_here()
        columns = ["coding_id", "start", "end", "code_id", "coder", "mine", "memo", "text"]
        looks = {c.id: (c.label, c.color) for c in book.values()}
        rows = []
        # plain lists zipped, not DataFrame.to_dict: a thousand codings on every click
        for guid, start, end, code_id, coder, mine, memo, text in zip(
            *(frame[c].tolist() for c in columns), strict=True
        ):
            label, color = looks.get(code_id, (code_id, "#9E9E9E"))
            row = {
                "id": guid, "start": int(start), "end": int(end), "code": code_id,
                "label": label, "color": color, "coder": coder, "mine": bool(mine),
                "modified": modified.get(guid), "review": review.get(guid),
            }  # fmt: skip
            if details:
                row.update(memo=memo if isinstance(memo, str) else "", text=text[:80])
            rows.append(row)
        return rows

    # -- browser → Python ---------------------------------------------------------------------
    def _on_message(self, _widget: object, content: dict, _buffers: object) -> None:
        s = self.session
        action = content.get("action")
        handlers = {
            "select": lambda: s.select(content.get("start"), content.get("end")),
            "point": lambda: s.point(int(content.get("offset", 0))),
            "unit": lambda: s.select_unit(str(content.get("kind")), content.get("index")),
            "apply": lambda: s.apply(list(content.get("codes") or [])),
            "shortcut": lambda: self._shortcut(int(content.get("key", 0))),
            "remove": lambda: s.remove(str(content.get("id"))),
            "memo": lambda: s.set_memo(str(content.get("id")), str(content.get("text", ""))),
            "undo": s.undo,
            "redo": s.redo,
            "create": lambda: s.create_code(
                str(content.get("label", "")),
                parent=str(content.get("parent", "")),
                definition=str(content.get("definition", "")),
            ),  # fmt: skip
            "coder": lambda: s.set_coder(str(content.get("name", ""))),
            "others": lambda: setattr(s, "show_others", bool(content.get("value"))),
            "next": s.next_document,
            "previous": s.previous_document,
            "uncoded": s.next_uncoded,
            "occurrence": lambda: s.next_occurrence(str(content.get("code"))),
            "open": lambda: s.open(str(content.get("document"))),
            "grid": lambda: setattr(self, "grid_open", bool(content.get("value"))),
            "cell": lambda: s.select_cell(
                str(content.get("document")), str(content.get("question"))
            ),
            # finding (finder.py)
            "pick": lambda: self._pick(str(content.get("query", "")), bool(content.get("uncoded"))),
            "search": lambda: s.search(
                str(content.get("query", "")), scope=str(content.get("scope", "document"))
            ),
            "prepare_search": s.prepare_search,
            "hit": lambda: s.go_to_hit(int(content.get("index", -1))),
            "next_hit": lambda: s.next_hit(-1 if content.get("back") else 1),
            "preview_all": lambda: s.preview_code_all(str(content.get("code"))),
            "code_all": lambda: s.code_all_hits(str(content.get("code"))),
            "cancel_all": s.cancel_code_all,
            # correcting the text (text_edit.py)
            "edit_open": s.open_editor,
            "edit_cancel": s.close_editor,
            "edit_save": lambda: self._save_edit(content.get("text")),
            "confirm": lambda: s.confirm_modified(str(content.get("id"))),
            "place_orphan": lambda: s.place_orphan(str(content.get("id"))),
            "remove_orphan": lambda: s.remove_orphan(str(content.get("id"))),
        }
        handler = handlers.get(str(action))
        if handler is None:
            s.say(f"Action inconnue « {action} » : rechargez le panneau.", "erreur")
        else:
            try:
                handler()
            except (MiamError, ValueError, TypeError) as err:
                s.say(f"Action impossible : {err}", "erreur")
        with self.hold_sync():  # one message: the new state and the acknowledgement together
            self.push()
            self.ack = int(content.get("seq", self.ack + 1))

    def _save_edit(self, text: object) -> None:
        editing = self.session.editing
        if editing is None:
            self.session.say(
                "Aucun passage en correction : rouvrez « Corriger le texte ».", "erreur"
            )
            return
        if not isinstance(text, str):
            self.session.say("Correction invalide : le texte corrigé manque.", "erreur")
            return
        start, end, version = editing
        self.session.edit_passage(start, end, text, version)

    def _pick(self, query: str, uncoded_only: bool) -> None:
        """Fill the document picker (its list lives in the view only, not in the session)."""
        found = self.session.pick_documents(query, uncoded_only=uncoded_only)
        self.picker = picker_payload(self.session, found)

    def _shortcut(self, key: int) -> None:
        shortcuts = self.session.shortcuts
        if not 1 <= key <= len(shortcuts):
            self.session.say(f"Aucun code sur la touche {key}.", "erreur")
            return
        self.session.apply([shortcuts[key - 1]])
