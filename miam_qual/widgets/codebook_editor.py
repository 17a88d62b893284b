"""Changing the codebook without writing Python: ``CodebookEditor`` (state and actions, no browser).

``CodebookPanel`` (``codebook_panel.py``) is its ipywidgets view. Every change goes through the
project's public API (``add_code``, ``update_code``, ``move_code``, ``merge_codes``,
``delete_code``) under the editor's name, so it is logged in the codebook history. Every refusal
becomes a French sentence in ``status`` (``status_level`` ``"erreur"``) and leaves the project as
it was; actions return their result, or ``None`` when refused. Merging and deleting are asked
twice: the first call says what would happen, the second (``confirmed=True``) does it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..codebook import Code, Codebook
from ..colors import suggest_color, too_close
from ..errors import MiamError
from ..text import slug
from . import prefs

if TYPE_CHECKING:
    from ..project import Project

#: Fields a user edits, in display order, with their French labels.
FIELDS = {
    "label": "Libellé",
    "definition": "Définition",
    "inclusion": "Inclure",
    "exclusion": "Exclure",
    "example": "Exemple",
    "color": "Couleur",
    "keywords": "Mots-clés",
}
#: The choice that makes a code a theme (no parent).
NO_PARENT = "(aucun : c'est un thème)"


@dataclass(frozen=True)
class Pending:
    """A merge or deletion announced and awaiting its confirmation."""

    action: str  # "fusion" or "suppression"
    code_id: str
    into: str | None = None


def keywords_from_text(text: str) -> tuple[str, ...]:
    """``"prix, budget ; euros"`` → ``("prix", "budget", "euros")`` (commas, semicolons or lines)."""
    words = (w.strip() for w in re.split(r"[,;\n]", text or ""))
    return tuple(dict.fromkeys(w for w in words if w))


def _same_color(a: str, b: str) -> bool:
    def six(color: str) -> str:
        color = color.strip().lower()
        if re.fullmatch(r"#[0-9a-f]{3}", color):
            return "#" + "".join(ch * 2 for ch in color[1:])
        return color

    return six(a) == six(b)


def code_tree(book: Codebook) -> list[tuple[str, str]]:
    """(label indented by depth, code id) for every code and theme, in the codebook's order."""
    rows: list[tuple[str, str]] = []

    def walk(parent: str | None, depth: int) -> None:
        for child in book.children(parent):
            marker = "" if depth == 0 else "\u2003" * depth + "› "
            rows.append((f"{marker}{child.label}", child.id))
            walk(child.id, depth + 1)

    walk(None, 0)
    return rows


class CodebookEditor:
    """One person changing a project's codebook.

    ``by``: the name written in the codebook history; by default the coder remembered on this
    machine (the coding panel's), else ``$MIAM_CODEUR``; without either, changes are refused
    until ``set_by`` (the login name is never used). Nothing is written until an action is
    called.
    """

    def __init__(self, project: Project, *, by: str | None = None):
        self.project = project
        self.by = (by or "").strip() or prefs.known_coder()
        self.status = ""
        self.status_level = "info"
        self.pending: Pending | None = None
        codes = list(project.codebook)
        self.selected: str | None = codes[0].id if codes else None

    def _say(self, message: str, level: str = "info") -> None:
        self.status, self.status_level = message, level

    def _unsigned(self) -> bool:
        """Whether nobody has given their name yet (then says so: every change is refused)."""
        if self.by:
            return False
        self.pending = None
        self._say(prefs.ASK_NAME.replace("« Codeur »", "« Votre nom »"), "erreur")
        return True

    def _refused(self, what: str, err: MiamError) -> None:
        self._say(f"{what} : {err}", "erreur")

    # -- who ----------------------------------------------------------------------------------
    def set_by(self, name: str) -> str | None:
        """Sign later changes as ``name`` and remember it on this machine (shared with the coding
        panel). Writes nothing in the project."""
        name = " ".join((name or "").split())
        if not name:
            self._say(
                "Indiquez votre nom : il est noté dans l'historique du livre de codes.", "erreur"
            )
            return None
        self.by = name
        self._say(f"Les modifications sont signées « {name} »{prefs.remember_coder(name)}.")
        return name

    # -- reading ------------------------------------------------------------------------------
    @property
    def code(self) -> Code | None:
        """The selected code (``None`` when the codebook is empty)."""
        book = self.project.codebook
        selected = self.selected
        return book.get(selected) if selected is not None and selected in book else None

    def choices(self) -> list[tuple[str, str]]:
        """(label indented by depth, code id) for every code, in the codebook's tree order."""
        return code_tree(self.project.codebook)

    def parent_choices(self, *, exclude_branch: str | None = None) -> list[tuple[str, str | None]]:
        """Possible parents: ``NO_PARENT`` then every code, except ``exclude_branch`` and its
        sub-codes (a code cannot go under itself)."""
        banned = set()
        if exclude_branch is not None and exclude_branch in self.project.codebook:
            banned = set(self.project.codebook.descendants(exclude_branch))
        return [(NO_PARENT, None), *((t, c) for t, c in self.choices() if c not in banned)]

    def select(self, code_id: str) -> Code | None:
        """Show ``code_id``; returns it, or ``None`` (with a message) when it does not exist."""
        self.pending = None
        if code_id not in self.project.codebook:
            self._say(
                f"Le code « {code_id} » n'existe pas (ou plus) dans le livre de codes.", "erreur"
            )
            return None
        self.selected = code_id
        self._say("")
        return self.code

    def fields(self) -> dict[str, str]:
        """The selected code's editable fields as texts (keywords joined with commas)."""
        code = self.code
        if code is None:
            return dict.fromkeys(FIELDS, "")
        values = {name: getattr(code, name) for name in FIELDS}
        values["keywords"] = ", ".join(code.keywords)
        return values

    def codings_of(self, code_id: str) -> int:
        """How many codings carry exactly ``code_id`` (its sub-codes not counted)."""
        return len(self.project.codings(code_id, descendants=False))

    def summary(self) -> str:
        """One French line about the selected code: where it sits and how much it is used."""
        code = self.code
        if code is None:
            return "Le livre de codes est vide : ajoutez un premier thème."
        book = self.project.codebook
        place = (
            f"sous « {book.get(code.parent).label} »" if code.parent else "thème (premier niveau)"
        )
        children = len(book.children(code.id))
        parts = [
            f"« {code.label} » (identifiant {code.id}), {place}",
            f"{self.codings_of(code.id)} codage(s)",
        ]
        if children:
            parts.append(f"{children} sous-code(s)")
        return " · ".join(parts)

    # -- changing -----------------------------------------------------------------------------
    def save(self, **values: str) -> Code | None:
        """Change the selected code's fields (``label=``, ``definition=``… as in ``FIELDS``;
        ``keywords`` as text). Only fields that differ are written; returns the code."""
        if self._unsigned():
            return None
        code = self.code
        self.pending = None
        if code is None:
            self._say("Choisissez d'abord un code.", "erreur")
            return None
        unknown = sorted(set(values) - set(FIELDS))
        if unknown:
            raise TypeError(f"unknown fields: {', '.join(unknown)}")
        changes: dict[str, object] = {}
        for name, value in values.items():
            new: object = keywords_from_text(value) if name == "keywords" else (value or "").strip()
            if name == "label" and not new:
                self._say("Le libellé ne peut pas être vide.", "erreur")
                return None
            if name == "color" and _same_color(str(new), code.color):
                continue  # a colour picker writes #43a047 for #43A047
            if new != getattr(code, name):
                changes[name] = new
        if not changes:
            self._say(f"Rien à enregistrer : « {code.label} » est déjà ainsi.")
            return code
        try:
            new_code = self.project.update_code(code.id, by=self.by, **changes)
        except MiamError as err:
            self._refused("Modification refusée", err)
            return None
        names = ", ".join(FIELDS[n].lower() for n in changes)
        close = self.close_colors(new_code.id) if "color" in changes else []
        if close:
            self._say(
                f"« {new_code.label} » enregistré ({names}). Attention : sa couleur est proche de "
                + ", ".join(f"« {label} » (écart {gap:g})" for label, gap in close)
                + " : difficile à distinguer dans le panneau de codage ; « Couleur proposée » en "
                "donne une bien distincte.",
                "attention",
            )
        else:
            self._say(f"« {new_code.label} » enregistré ({names}).")
        return new_code

    def suggested_color(self) -> str | None:
        """A colour for the selected code in its theme's family, as distinct as possible from its
        neighbours' (``colors.suggest_color``); ``None`` without a selected code."""
        code = self.code
        if code is None:
            return None
        return suggest_color(self.project.codebook, code.parent, exclude=code.id)

    def close_colors(self, code_id: str) -> list[tuple[str, float]]:
        """Neighbours (parent, sibling, sub-code) whose colour is too close to ``code_id``'s:
        ``(label, ΔE00)``."""
        book = self.project.codebook
        pairs = too_close(book)
        return [
            (book.get(b if a == code_id else a).label, gap)
            for a, b, gap in pairs
            if code_id in (a, b)
        ]

    def add(
        self,
        label: str,
        *,
        parent: str | None,
        code_id: str = "",
        definition: str = "",
        inclusion: str = "",
        exclusion: str = "",
        example: str = "",
    ) -> Code | None:
        """Add a code under ``parent`` (``None``: a new theme) and select it. ``code_id``: the
        stable identifier (lower-case letters, digits, ``_``); by default made from the label."""
        if self._unsigned():
            return None
        self.pending = None
        label = " ".join((label or "").split())
        if not label:
            self._say("Donnez un libellé au nouveau code.", "erreur")
            return None
        code_id = (code_id or "").strip() or self._free_id(slug(label))
        try:
            code = self.project.add_code(
                code_id, label, parent=parent, definition=definition, inclusion=inclusion,
                exclusion=exclusion, example=example, by=self.by,
            )  # fmt: skip
        except MiamError as err:
            self._refused("Code non ajouté", err)
            return None
        self.selected = code.id
        where = f"sous « {self.project.codebook.get(parent).label} »" if parent else "comme thème"
        self._say(f"Code « {code.label} » ajouté {where} (identifiant {code.id}).")
        return code

    def _free_id(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.project.codebook:
            candidate, n = f"{base}_{n}", n + 1
        return candidate

    def move(self, parent: str | None) -> Code | None:
        """Move the selected code (with its sub-codes and codings) under ``parent``."""
        if self._unsigned():
            return None
        code = self.code
        self.pending = None
        if code is None:
            self._say("Choisissez d'abord un code.", "erreur")
            return None
        if parent == code.parent:
            self._say(f"« {code.label} » est déjà à cet endroit.")
            return code
        try:
            moved = self.project.move_code(code.id, parent, by=self.by)
        except MiamError as err:
            self._refused("Déplacement refusé", err)
            return None
        where = (
            f"est maintenant sous « {self.project.codebook.get(parent).label} »"
            if parent
            else "est maintenant un thème"
        )
        self._say(f"« {moved.label} » {where} ; ses codages sont gardés.")
        return moved

    def merge(self, into: str | None, *, confirmed: bool = False) -> int | None:
        """Merge the selected code into ``into``: its codings and sub-codes go there, and it
        disappears. Without ``confirmed`` (or when another merge was announced), only says what
        would happen. Returns the number of codings moved."""
        if self._unsigned():
            return None
        code = self.code
        if code is None or into is None:
            self.pending = None
            self._say("Choisissez le code à fusionner et le code qui le reçoit.", "erreur")
            return None
        if into not in self.project.codebook or into == code.id:
            self.pending = None
            self._say("Choisissez un autre code, qui existe, pour recevoir la fusion.", "erreur")
            return None
        target = self.project.codebook.get(into)
        wanted = Pending("fusion", code.id, into)
        used = self.codings_of(code.id)
        if not confirmed or self.pending != wanted:
            self.pending = wanted
            children = len(self.project.codebook.children(code.id))
            carried = f"ses {used} codage(s)" + (
                f" et ses {children} sous-code(s)" if children else ""
            )
            self._say(
                f"Fusionner « {code.label} » dans « {target.label} » : {carried} passeront dans "
                f"« {target.label} » et « {code.label} » disparaîtra du livre de codes (c'est "
                "définitif). Cliquez sur « Confirmer la fusion » pour le faire.",
                "attention",
            )
            return None
        self.pending = None
        try:
            moved = self.project.merge_codes(code.id, into, by=self.by)
        except MiamError as err:
            self._refused("Fusion refusée", err)
            return None
        self.selected = into
        doubles = used - moved
        merged = (
            f" ; {doubles} passage(s) portaient déjà « {target.label} » du même codeur : un seul "
            "codage y est gardé"
            if doubles > 0
            else ""
        )
        self._say(
            f"« {code.label} » fusionné dans « {target.label} » : {moved} codage(s) déplacé(s){merged}."
        )
        return moved

    def delete(self, *, confirmed: bool = False) -> bool:
        """Delete the selected code; refused (with the reason) when it carries codings or has
        sub-codes. Without ``confirmed``, only asks for the confirmation."""
        if self._unsigned():
            return False
        code = self.code
        if code is None:
            self.pending = None
            self._say("Choisissez d'abord un code.", "erreur")
            return False
        used = self.codings_of(code.id)
        children = self.project.codebook.children(code.id)
        if used or children:
            self.pending = None
            reason = f"il porte {used} codage(s)" if used else f"il a {len(children)} sous-code(s)"
            self._say(
                f"« {code.label} » ne peut pas être supprimé : {reason}. Fusionnez-le plutôt dans "
                "un autre code (ses codages y seront déplacés)"
                + ("" if used else ", ou déplacez d'abord ses sous-codes")
                + ".",
                "erreur",
            )
            return False
        wanted = Pending("suppression", code.id)
        if not confirmed or self.pending != wanted:
            self.pending = wanted
            self._say(
                f"Supprimer « {code.label} » du livre de codes ? Il ne porte aucun codage. "
                "Cliquez sur « Confirmer la suppression » pour le faire.",
                "attention",
            )
            return False
        self.pending = None
        try:
            self.project.delete_code(code.id, by=self.by)
        except MiamError as err:
            self._refused("Suppression refusée", err)
            return False
        book = self.project.codebook
        first = next(iter(book), None)
        self.selected = code.parent if code.parent in book else first.id if first else None
        self._say(f"« {code.label} » supprimé du livre de codes.")
        return True

    def cancel(self) -> None:
        """Forget an announced merge or deletion."""
        if self.pending is not None:
            self.pending = None
            self._say("Rien n'a été fait.")
