"""Undo and redo of a coding session's actions, replayed through the project's public API.

An action is a list of steps that undo and redo together (applying three codes at once is one
action). Removing a coding and applying it again gives it a new GUID; ``Renames`` keeps the
chain so that a later step still finds "its" coding.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
