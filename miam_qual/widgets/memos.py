"""Memos on documents, codes and codings: ``MemoEditor`` (state and actions, no browser).

``MemoPanel`` (``memo_panel.py``) is its ipywidgets view. A memo belongs to its author (one per
author and target, as the store keeps them): the editor edits its author's memo and shows the
others' beside it. Writing happens only in ``save`` and ``delete``, through
``Project.set_memo`` (one transaction; the note records its author and when it was written and
changed). Every refusal becomes a French sentence in ``status`` (``status_level`` ``"erreur"``)
and leaves the project as it was; actions return ``None`` or ``False`` then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..errors import CodingError, MiamError
from ..text import excerpt
from . import prefs
from .codebook_editor import code_tree
from .tables import french
from .targets import SignedTargets

if TYPE_CHECKING:
    from ..project import Project

#: Kinds of target the panel edits, with their French names.
KINDS = {"document": "Documents", "code": "Codes", "coding": "Codages"}
#: Columns of ``MemoEditor.listing()``, and the headers ``french`` does not know.
LISTING_COLUMNS = ["target_kind", "target_label", "author", "text", "updated_at"]
LISTING_LABELS = {
    "target_kind": "Sur",
    "target_label": "Cible",
    "author": "Auteur·rice",
    "text": "Mémo",
    "updated_at": "Modifié le",
}
KIND_WORDS = {"document": "document", "code": "code", "coding": "codage"}
#: What the list says of a memo whose code or coding no longer exists.
GONE = {"document": "(document retiré)", "code": "(code supprimé)", "coding": "(codage retiré)"}
#: Marks a target that carries at least one memo in the lists.
WITH_MEMO = " ✎"


class MemoEditor(SignedTargets):
    """One person reading and writing memos in a project.

    ``author``: the name signing the memos; by default the coder remembered on this machine (the
    coding panel's), else ``$MIAM_CODEUR``; without either, saving is refused until a name is
    given (the login name is never used). Nothing is written until ``save``
    or ``delete`` is called.
    """

    def __init__(self, project: Project, *, author: str | None = None):
        super().__init__(project, author=author)
        self.kind = "document"

    @property
    def on_codings(self) -> bool:
        return self.kind == "coding"

    # -- who and what -----------------------------------------------------------------------------
    def set_author(self, name: str) -> str | None:
        """Sign later memos as ``name`` and remember it on this machine. Writes nothing in the
        project; an empty name is refused."""
        name = " ".join((name or "").split())
        if not name:
            self.say("Indiquez votre nom : chaque mémo est signé par son auteur·rice.", "erreur")
            return None
        self.author = name
        self.say(f"Vos mémos sont signés « {name} »{prefs.remember_coder(name)}.")
        return name

    def set_kind(self, kind: str) -> str | None:
        """Edit memos on ``document``, ``code`` or ``coding`` targets."""
        if kind not in KINDS:
            self.say(f"Type de mémo inconnu « {kind} » (possibles : {', '.join(KINDS)}).", "erreur")
            return None
        self.kind, self.target = kind, None
        self.say("")
        return kind

    def targets(self) -> list[tuple[str, str]]:
        """(label, target) for every target of the current kind: documents (GUID), codes (id), or
        the codings of ``document`` (GUID). Targets with a memo end with ``✎``."""
        noted = set(self.project.memos(self.kind)["target_id"])
        if self.kind == "document":
            docs = self.project.documents()
            pairs = list(zip(docs["document"], docs["document_id"], strict=True))
            return [(_mark(g in noted, name), g) for name, g in pairs]
        if self.kind == "code":
            book = self.project.codebook
            return [(_mark(book.get(c).guid in noted, label), c) for label, c in code_tree(book)]
        return [(_mark(g in noted, label), g) for label, g in self.coding_labels(40)]

    def select(self, target: str) -> str | None:
        """Edit the memos of ``target`` (of the current kind); returns it, or ``None``."""
        if target not in {t for _label, t in self.targets()}:
            self.say(f"Aucun {KIND_WORDS[self.kind]} « {target} » dans ce projet.", "erreur")
            return None
        self.target = target
        self.say("")
        return target

    # -- reading ----------------------------------------------------------------------------------
    def _target_memos(self) -> pd.DataFrame:
        if self.target is None:
            return self.project.memos(self.kind).iloc[0:0]
        memos = self.project.memos(self.kind)
        guid = self._target_guid(self.target)
        return memos[memos["target_id"] == guid]

    def _target_guid(self, target: str) -> str:
        book = self.project.codebook
        if self.kind == "code":
            return book.get(target).guid if target in book else target
        return target

    def text(self) -> str:
        """The author's memo on the target (``""`` when none)."""
        mine = self._target_memos()
        mine = mine[mine["author"] == self.author]
        return str(mine["text"].iloc[0]) if len(mine) else ""

    def others(self) -> list[tuple[str, str]]:
        """(author, text) of the other authors' memos on the target."""
        rows = self._target_memos()
        rows = rows[rows["author"] != self.author]
        return list(zip(rows["author"], rows["text"], strict=True))

    def listing(self, kind: str | None = None) -> pd.DataFrame:
        """Every memo on documents, codes and codings (``kind``: one of them), most recently
        changed first: ``LISTING_COLUMNS``, ``target_label`` readable (document name, code label,
        code and passage of a coding)."""
        memos = self.project.memos(kind)
        memos = memos[memos["target_kind"].isin(list(KINDS))]
        book = self.project.codebook
        labels = {c.guid: c.label for c in book}
        docs = self.project.documents()
        names = dict(zip(docs["document_id"], docs["document"], strict=True))
        for guid in memos.loc[memos["target_kind"] == "coding", "target_id"]:
            try:  # one row each: only the codings holding a memo
                found = self.project.coding(guid)
            except CodingError:
                continue
            code = (
                book.get(found["code_id"]).label if found["code_id"] in book else found["code_id"]
            )
            where = names.get(found["document_guid"], "")
            labels[guid] = f"{code} — « {excerpt(found['text'], 40)} » ({where})"
        frame = memos.assign(
            target_label=[
                target if kind_ == "document" else labels.get(guid, GONE[kind_])
                for kind_, guid, target in zip(
                    memos["target_kind"], memos["target_id"], memos["target"], strict=True
                )
            ],
            target_kind=memos["target_kind"].map(KIND_WORDS),
        )
        return frame.sort_values("updated_at", ascending=False)[LISTING_COLUMNS].reset_index(
            drop=True
        )

    def table(self, kind: str | None = None) -> pd.DataFrame:
        """``listing()`` for reading: French headers, readable cells."""
        listing = self.listing(kind)
        shown = french(listing, self.project, empty="Aucun mémo pour l'instant.")
        if len(listing):
            shown.columns = [LISTING_LABELS[c] for c in LISTING_COLUMNS]
        return shown

    # -- writing (on a button only) -----------------------------------------------------------------
    def save(self, text: str) -> bool:
        """Write the author's memo on the target; an empty text is refused (``delete`` removes a
        memo). Returns whether the project now holds ``text``."""
        text = (text or "").strip()
        if self.target is None:
            self.say("Choisissez d'abord un document, un code ou un codage.", "erreur")
            return False
        if not text:
            self.say(
                "Le mémo est vide : écrivez-le, ou utilisez « Effacer » pour le retirer.", "erreur"
            )
            return False
        if text == self.text():
            self.say("Rien à enregistrer : le mémo n'a pas changé.")
            return True
        return self._write(text, "Mémo enregistré")

    def delete(self) -> bool:
        """Remove the author's memo on the target. Returns whether it is gone."""
        if self.target is None:
            self.say("Choisissez d'abord un document, un code ou un codage.", "erreur")
            return False
        if not self.text():
            self.say(f"« {self.author} » n'a pas de mémo ici : rien à effacer.", "erreur")
            return False
        return self._write("", "Mémo effacé")

    def _write(self, text: str, done: str) -> bool:
        assert self.target is not None
        try:
            self.project.set_memo(self.kind, self.target, text, author=self.author)
        except MiamError as err:
            self.say(f"Mémo non enregistré : {err}", "erreur")
            return False
        self.say(f"{done} (signé « {self.author} »).")
        return True


def _mark(noted: bool, label: str) -> str:
    return f"{label}{WITH_MEMO}" if noted else label
