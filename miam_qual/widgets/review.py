"""The review loop in a notebook: ``ReviewLoop`` (state and actions, no browser).

``ReviewLoopPanel`` (``review_panel.py``) is its ipywidgets view. A coder reads the list « à
revoir » (open contestations and comments, with filters), the passage and the thread of the item
chosen, answers and marks it settled; a supervisor chooses a coding (or a code, or a theme's
summary) and comments, approves or contests it; the « Historique » is the audit trail of codings.
Writing happens only in ``reply``, ``settle``, ``comment``, ``approve`` and ``contest``, through
the ``Project`` methods of ``miam_qual/review.py`` (one transaction each). Every refusal becomes a
French sentence in ``status`` (``status_level`` ``"erreur"``) and leaves the project as it was.

(Not named ``ReviewPanel``: that is notebook 04's theme review panel, ``reports.review_panel``.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import MiamError
from ..review import LABELS
from ..text import excerpt
from . import prefs
from .codebook_editor import code_tree
from .tables import french, french_time
from .targets import SignedTargets

if TYPE_CHECKING:
    from ..project import Project

#: Filters of the list « à revoir »: name → (French label, {value: French choice}).
KIND_CHOICES = {"contestation": "Contestations", "commentaire": "Commentaires"}
ABOUT_CHOICES = {"codage": "Codages", "code": "Codes", "synthèse": "Synthèses de thème"}
#: What a supervisor's comment can be about.
TARGETS = {"codage": "Un codage", "code": "Un code", "synthèse": "Synthèse d'un thème"}
#: How a thread's kind and a coding's review state read in lists.
KIND_MARKS = {"contestation": "⚠ Contestation", "commentaire": "✎ Commentaire",
              "approbation": "✔ Approbation"}  # fmt: skip
STATE_MARKS = {"contesté": " ⚠", "commenté": " ✎", "approuvé": " ✔", "réglé": " ✓"}
#: Columns of the tables the panel shows.
LIST_COLUMNS = ["kind", "about", "document", "passage", "code", "coder", "author", "created_at",
                "replies"]  # fmt: skip
HISTORY_COLUMNS = ["at", "who", "action", "document", "text", "code", "previous_code", "coder",
                   "detail"]  # fmt: skip
#: Rows of the history shown (the latest); the audit trail itself keeps everything.
HISTORY_SHOWN = 200


class ReviewLoop(SignedTargets):
    """One person reviewing codings, or answering a review, in a project.

    ``author``: who signs comments, replies and settlements (a registered coder); by default the
    coder remembered on this machine, else ``$MIAM_CODEUR``. Nothing is written until one of the
    writing methods is called.
    """

    def __init__(self, project: Project, *, author: str | None = None):
        super().__init__(project, author=author)
        #: Filters of the list « à revoir » (``None``: no filter).
        self.filters: dict[str, str | None] = {
            "coder": None, "kind": None, "about": None, "document": None
        }  # fmt: skip
        self.thread: str | None = None
        #: The supervisor's target: its kind, the document whose codings are listed, the target.
        self.target_kind = "codage"

    @property
    def on_codings(self) -> bool:
        return self.target_kind == "codage"

    def set_author(self, name: str) -> str | None:
        """Sign as ``name`` (it must be a registered coder) and remember it on this machine."""
        name = " ".join((name or "").split())
        try:
            self.project.coder_id(name)
        except MiamError as err:
            self.say(str(err) if name else "Indiquez votre nom de codeur·se.", "erreur")
            return None
        self.author = name
        self.say(f"Vous signez « {name} »{prefs.remember_coder(name)}.")
        return name

    # -- the list « à revoir » ----------------------------------------------------------------------
    def set_filter(self, name: str, value: str | None) -> bool:
        """Filter the list by ``coder``, ``kind``, ``about`` or ``document`` (GUID); ``None`` or
        ``""`` removes the filter."""
        if name not in self.filters:
            self.say(f"Filtre inconnu « {name} ».", "erreur")
            return False
        self.filters[name] = value or None
        self.say("")
        return True

    def items(self) -> pd.DataFrame:
        """The open threads the filters keep (columns of ``Project.to_review``)."""
        try:
            frame = self.project.to_review(coder=self.filters["coder"])
        except MiamError as err:
            self.say(str(err), "erreur")
            frame = self.project.to_review()
        for name, column in (("kind", "kind"), ("about", "about"), ("document", "document_id")):
            if self.filters[name] is not None:
                frame = frame[frame[column] == self.filters[name]]
        return frame.reset_index(drop=True)

    def item_choices(self) -> list[tuple[str, str]]:
        """(label, thread id) for each item of the list."""
        return [
            (self._item_label(row), row["thread_id"]) for row in self.items().to_dict("records")
        ]

    @staticmethod
    def _item_label(row: dict) -> str:
        where = {"code": "code", "synthèse": "synthèse"}.get(row["about"])
        passage = f"« {excerpt(row['passage'], 40)} » ({row['document']})" if not where else where
        return f"{KIND_MARKS[row['kind']]} — {row['code']} — {passage} — {row['author']}"

    def select(self, thread: str | None) -> str | None:
        """Show ``thread`` (one of the list's, or any thread of the project)."""
        if thread is not None and thread not in set(self.project.threads()["thread_id"]):
            self.say(f"Fil de revue inconnu « {thread} ».", "erreur")
            return None
        self.thread = thread
        return thread

    def conversation(self) -> list[dict]:
        """The chosen thread as messages, oldest first: ``author, at`` (French date), ``text``,
        ``kind`` (the opening's French kind, or ``réponse``). Empty when none is chosen."""
        if self.thread is None:
            return []
        frame = self.project.threads()
        [row] = frame[frame["thread_id"] == self.thread].to_dict("records")
        opening = {"author": row["author"], "at": french_time(row["created_at"]),
                   "text": row["text"], "kind": KIND_MARKS[row["kind"]]}  # fmt: skip
        replies = [
            {"author": r.author, "at": french_time(r.created_at), "text": r.text, "kind": "Réponse"}
            for r in self.project.replies(self.thread).itertuples()
        ]
        return [opening, *replies]

    def thread_row(self) -> dict | None:
        """The chosen thread's row (columns of ``Project.threads``), or ``None``."""
        if self.thread is None:
            return None
        frame = self.project.threads()
        rows = frame[frame["thread_id"] == self.thread].to_dict("records")
        return rows[0] if rows else None

    def reply(self, text: str) -> bool:
        """Answer the chosen thread, signed by the author."""
        if self.thread is None:
            return self._refuse("Choisissez d'abord un élément de la liste.")
        thread = self.thread
        return self._write(
            lambda: self.project.reply(thread, text, author=self.author), "Réponse enregistrée"
        )

    def settle(self) -> bool:
        """Mark the chosen thread settled; it leaves the list."""
        if self.thread is None:
            return self._refuse("Choisissez d'abord un élément de la liste.")
        thread = self.thread
        done = self._write(
            lambda: self.project.settle(thread, author=self.author), "Marqué comme réglé"
        )
        if done:
            self.thread = None
        return done

    # -- supervisors: comment, approve, contest -----------------------------------------------------
    def set_target_kind(self, kind: str) -> str | None:
        """Comment on a ``codage``, a ``code`` or a theme's ``synthèse``."""
        if kind not in TARGETS:
            self.say(f"Cible inconnue « {kind} » (possibles : {', '.join(TARGETS)}).", "erreur")
            return None
        self.target_kind, self.target = kind, None
        return kind

    def target_choices(self) -> list[tuple[str, str]]:
        """(label, target) of the current kind: the document's codings (their review state
        marked ⚠ ✎ ✔ ✓), or the codes and themes."""
        book = self.project.codebook
        if self.target_kind == "code":
            return code_tree(book)
        if self.target_kind == "synthèse":
            return [(label, i) for label, i in code_tree(book) if book.get(i).parent is None]
        if self.document is None:
            return []
        states = self.project.review_state(self.document)
        return [
            (label + STATE_MARKS.get(states.get(guid, ""), ""), guid)
            for label, guid in self.coding_labels(45)
        ]

    def choose(self, target: str | None) -> str | None:
        """Comment on ``target`` (one of ``target_choices``)."""
        if target is not None and target not in {t for _l, t in self.target_choices()}:
            self.say(f"« {target} » n'est pas dans la liste.", "erreur")
            return None
        self.target = target
        return target

    def target_threads(self) -> pd.DataFrame:
        """Every thread on the chosen target (columns of ``Project.threads``)."""
        if self.target is None:
            return self.project.threads().iloc[0:0]
        return self.project.threads(self.target, summary=self.target_kind == "synthèse")

    def comment(self, text: str) -> bool:
        target, summary = self.target, self.target_kind == "synthèse"
        if target is None:
            return self._refuse("Choisissez d'abord ce que vous commentez.")
        return self._write(
            lambda: self.project.comment(target, text, author=self.author, summary=summary),
            "Commentaire enregistré",
        )

    def approve(self, text: str = "") -> bool:
        target = self._coding_target()
        if target is None:
            return False
        return self._write(
            lambda: self.project.approve(target, author=self.author, text=text),
            "Codage approuvé",
        )

    def contest(self, text: str) -> bool:
        target = self._coding_target()
        if target is None:
            return False
        return self._write(
            lambda: self.project.contest(target, text, author=self.author), "Codage contesté"
        )

    def _coding_target(self) -> str | None:
        if self.target_kind != "codage" or self.target is None:
            self._refuse("Choisissez d'abord un codage : on approuve ou conteste un codage.")
            return None
        return self.target

    # -- history ------------------------------------------------------------------------------------
    def history(
        self, document: str | None = None, code: str | None = None, coder: str | None = None
    ) -> pd.DataFrame:
        """The audit trail, latest first (``HISTORY_COLUMNS``), at most ``HISTORY_SHOWN`` rows."""
        try:
            trail = self.project.audit_trail(document=document, code=code, coder=coder)
        except MiamError as err:
            self.say(str(err), "erreur")
            trail = self.project.audit_trail().iloc[0:0]
        return trail.iloc[::-1].head(HISTORY_SHOWN)[HISTORY_COLUMNS].reset_index(drop=True)

    # -- tables for reading -------------------------------------------------------------------------
    def list_table(self) -> pd.DataFrame:
        frame = self.items().assign(passage=lambda f: f["passage"].map(excerpt))
        return _table(frame[LIST_COLUMNS], self.project, "Rien à revoir pour l'instant.")

    def history_table(self, **filters: str | None) -> pd.DataFrame:
        frame = self.history(**filters).assign(text=lambda f: f["text"].map(excerpt))
        return _table(frame, self.project, "Aucun changement de codage enregistré.")

    # -- writing ------------------------------------------------------------------------------------
    def _write(self, action: Callable[[], object], done: str) -> bool:
        if not self.author:
            return self._refuse(
                "Indiquez d'abord votre nom dans le champ « Votre nom » : il signe vos "
                "commentaires et vos réponses."
            )
        try:
            action()
        except MiamError as err:
            return self._refuse(f"Rien n'a été écrit : {err}")
        self.say(f"{done} (signé « {self.author} »).")
        return True

    def _refuse(self, message: str) -> bool:
        self.say(message, "erreur")
        return False


def _table(frame: pd.DataFrame, project: Project, empty: str) -> pd.DataFrame:
    shown = french(frame, project, empty=empty)
    if len(frame):
        shown.columns = [LABELS[c] for c in frame.columns]
    return shown
