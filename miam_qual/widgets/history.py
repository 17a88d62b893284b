"""Undo and redo of a coding session's actions, replayed through the project's public API.

An action is a list of steps that undo and redo together (applying three codes at once is one
action). Removing a coding and applying it again gives it a new GUID; ``Renames`` keeps the
chain so that a later step still finds "its" coding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import CodebookError, CodingError, MiamError

if TYPE_CHECKING:
    from .session import CodingSession


@dataclass
class Step:
    """One coding written or removed (``kind`` ``"apply"``/``"remove"``), one memo change, or a
    code created in vivo (``"create"``: ``code_id`` and ``created``, what re-creates it)."""

    kind: str  # "apply", "remove", "memo" or "create"
    coding_id: str
    document_id: str = ""
    start: int = 0
    end: int = 0
    code_id: str = ""
    memo: str = ""  # for "memo": the text before the change
    new_memo: str = ""  # for "memo": the text after the change
    created: dict[str, str] = field(default_factory=dict)  # for "create": label, parent, definition


@dataclass
class Action:
    """What one click did, with a French description for the status line."""

    label: str
    steps: list[Step] = field(default_factory=list)


class History:
    """Two stacks of actions; doing something new clears the redo stack."""

    def __init__(self) -> None:
        self.done: list[Action] = []
        self.undone: list[Action] = []
        self.renames: dict[str, str] = {}

    def record(self, action: Action) -> None:
        if action.steps:
            self.done.append(action)
            self.undone.clear()

    def current(self, coding_id: str) -> str:
        """The GUID a coding has now, after being removed and re-applied any number of times."""
        seen = set()
        while coding_id in self.renames and coding_id not in seen:
            seen.add(coding_id)
            coding_id = self.renames[coding_id]
        return coding_id

    def renamed(self, old: str, new: str) -> None:
        if old != new:
            self.renames[old] = new

    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)

    def clear(self) -> None:
        self.done.clear()
        self.undone.clear()


# -- CodingSession's undo and redo (bound on the class in session.py) -----------------------


# -- undo / redo --------------------------------------------------------------------------
def undo(session: CodingSession) -> bool:
    """Undo the session's last action; returns ``False`` when there is nothing to undo."""
    return _replay(session, session.history.done, session.history.undone, backwards=True)


def redo(session: CodingSession) -> bool:
    """Redo the last undone action."""
    return _replay(session, session.history.undone, session.history.done, backwards=False)


def _replay(
    session: CodingSession, source: list[Action], target: list[Action], *, backwards: bool
) -> bool:
    if not source:
        session.say("Rien à annuler." if backwards else "Rien à rétablir.", "erreur")
        return False
    action = source.pop()
    problems = []
    for step in reversed(action.steps) if backwards else action.steps:
        try:
            _play(session, step, backwards)
        except MiamError as err:
            problems.append(str(err))
    target.append(action)
    where = _show_where(session, action)
    verb = "Annulé" if backwards else "Rétabli"
    if problems:
        session.say(f"{verb} en partie ({action.label}{where}) : " + " ; ".join(problems), "erreur")
    else:
        session.say(f"{verb} : {action.label}{where}.")
    return not problems


def _show_where(session: CodingSession, action: Action) -> str:
    """Open the document an action acted on (undo never changes a passage out of sight) and
    select its passage; returns `` dans « document » (« passage »)`` for the status line."""
    step = next((s for s in action.steps if s.document_id), None)
    if step is None:
        return ""
    if step.document_id != session.document_id:
        opened = session.open(step.document_id)
        if opened is None:  # the document is gone: say where it was, select nothing
            return f" dans un document retiré du projet ({step.document_id})"
    if 0 <= step.start < step.end <= len(session.text):
        session.selection, session.focus = (step.start, step.end), step.start
        excerpt = " ".join(session.text[step.start : step.end].split())
        excerpt = excerpt if len(excerpt) <= 40 else excerpt[:39] + "…"
        return f" dans « {session.document} » (« {excerpt} »)"
    return f" dans « {session.document} »"


def _play(session: CodingSession, step: Step, backwards: bool) -> None:
    if step.kind == "create":
        _play_creation(session, step, backwards)
        return
    current = session.history.current(step.coding_id)
    if step.kind == "memo":
        text = step.memo if backwards else step.new_memo
        session.project.set_memo("coding", current, text, author=session.coder)
    elif (step.kind == "apply") == backwards:  # undo an apply, or redo a removal
        try:
            session.project.uncode(current)
        except CodingError:
            raise CodingError("ce codage avait déjà été retiré ailleurs") from None
    else:  # undo a removal, or redo an apply
        try:
            guid = session.project.code(
                step.document_id, step.start, step.end, step.code_id, coder=session.coder
            )
        except CodebookError:
            raise CodingError(f"le code « {step.code_id} » n'existe plus") from None
        session.history.renamed(current, guid)
        if step.kind == "remove" and step.memo:
            session.project.set_memo("coding", guid, step.memo, author=session.coder)


def _play_creation(session: CodingSession, step: Step, backwards: bool) -> None:
    """Undo an in-vivo code: it leaves the shared codebook (unless codings elsewhere use it by
    now: then it stays, and the status line says so); redo creates it again."""
    session.sync_codebook()
    try:
        if backwards:
            session.project.delete_code(step.code_id, by=session.coder)
        else:
            made = step.created
            session.project.add_code(
                step.code_id, made["label"], parent=made["parent"],
                definition=made["definition"], color=made["color"], by=session.coder,
            )  # fmt: skip
    except CodebookError as err:
        raise CodingError(
            f"le code « {step.code_id} » reste dans le livre de codes ({err})"
        ) from None
    finally:
        session.book_stamp = session.codebook_stamp()
        session.shortcuts = session.compute_shortcuts()
