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
    """One coding written or removed (``kind`` ``"apply"``/``"remove"``) or one memo change."""

    kind: str  # "apply", "remove" or "memo"
    coding_id: str
    document_id: str = ""
    start: int = 0
    end: int = 0
    code_id: str = ""
    memo: str = ""  # for "memo": the text before the change
    new_memo: str = ""  # for "memo": the text after the change


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


class Undoing:
    """Undo and redo methods of ``CodingSession``."""

    # -- undo / redo --------------------------------------------------------------------------
    def undo(self: CodingSession) -> bool:
        """Undo the session's last action; returns ``False`` when there is nothing to undo."""
        return self._replay(self.history.done, self.history.undone, backwards=True)

    def redo(self: CodingSession) -> bool:
        """Redo the last undone action."""
        return self._replay(self.history.undone, self.history.done, backwards=False)

    def _replay(self, source: list[Action], target: list[Action], *, backwards: bool) -> bool:
        if not source:
            self._say("Rien à annuler." if backwards else "Rien à rétablir.", "erreur")
            return False
        action = source.pop()
        problems = []
        for step in reversed(action.steps) if backwards else action.steps:
            try:
                self._play(step, backwards)
            except MiamError as err:
                problems.append(str(err))
        target.append(action)
        verb = "Annulé" if backwards else "Rétabli"
        if problems:
            self._say(f"{verb} en partie ({action.label}) : " + " ; ".join(problems), "erreur")
        else:
            self._say(f"{verb} : {action.label}.")
        return not problems

    def _play(self: CodingSession, step: Step, backwards: bool) -> None:
        current = self.history.current(step.coding_id)
        if step.kind == "memo":
            text = step.memo if backwards else step.new_memo
            self.project.set_memo("coding", current, text, author=self.coder)
        elif (step.kind == "apply") == backwards:  # undo an apply, or redo a removal
            try:
                self.project.uncode(current)
            except CodingError:
                raise CodingError("ce codage avait déjà été retiré ailleurs") from None
        else:  # undo a removal, or redo an apply
            try:
                guid = self.project.code(
                    step.document_id, step.start, step.end, step.code_id, coder=self.coder
                )
            except CodebookError:
                raise CodingError(f"le code « {step.code_id} » n'existe plus") from None
            self.history.renamed(current, guid)
            if step.kind == "remove" and step.memo:
                self.project.set_memo("coding", guid, step.memo, author=self.coder)
