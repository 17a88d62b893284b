"""Choosing codes in the workbench: the filtered tree, recent codes, shortcuts, in-vivo codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..codebook import Code
from ..errors import MiamError
from ..text import fold, slug
from . import prefs

if TYPE_CHECKING:
    from .session import CodingSession

SHORTCUT_COUNT = 9


# -- CodingSession's code-choosing methods (bound on the class in session.py) --------------


def code_usage(session: CodingSession) -> dict[str, int]:
    """Number of codings per code id made by this coder in the whole project."""
    frame = session.coder_codings()
    return frame.groupby("code_id").size().to_dict() if len(frame) else {}


def compute_shortcuts(session: CodingSession) -> list[str]:
    """The nine codes this coder uses most (ties: codebook order), completed by the first
    codable codes of the codebook; keys 1–9 in that order."""
    usage = session.code_usage()
    order = {c.id: i for i, c in enumerate(session.project.codebook)}
    used = sorted((c for c in usage if c in order), key=lambda c: (-usage[c], order[c]))
    codable = [c.id for c in session.project.codebook if c.codable and c.id not in used]
    return (used + codable)[:SHORTCUT_COUNT]


def find_codes(session: CodingSession, query: str = "") -> list[Code]:
    """Codable codes whose label or id contains ``query`` (case and accents ignored), the
    session's recent codes first, then in codebook order."""
    needle = fold(query.strip())
    found = [
        c
        for c in session.project.codebook
        if c.codable and (needle in fold(c.label) or needle in c.id)
    ]
    rank = {code: i for i, code in enumerate(session.recent)}
    return sorted(found, key=lambda c: rank.get(c.id, len(rank)))


def code_choices(session: CodingSession) -> list[dict]:
    """The codebook tree for the view: ``id, label, parent, depth, color, codable,
    definition, path`` (labels from the theme down), plus ``uses`` by this coder."""
    book = session.project.codebook
    usage = session.code_usage()
    return [
        {
            "id": c.id,
            "label": c.label,
            "parent": c.parent,
            "depth": book.depth(c.id),
            "color": c.color,
            "codable": c.codable,
            "definition": c.definition,
            "path": " › ".join(book.get(i).label for i in [*reversed(book.ancestors(c.id)), c.id]),
            "uses": int(usage.get(c.id, 0)),
        }
        for c in book
    ]


def create_code(
    session: CodingSession,
    label: str | None = None,
    *,
    parent: str,
    definition: str = "",
    code_id: str | None = None,
    apply: bool = True,
) -> Code | None:
    """Create a code in vivo under ``parent`` (label: the selected words by default), log it
    in the codebook history, and apply it to the selection when ``apply``."""
    label = " ".join((label or session.selected_text).split())
    if not label:
        session.say(
            "Donnez un libellé au nouveau code (ou sélectionnez les mots à reprendre).",
            "erreur",
        )
        return None
    if apply and session.selection is None:
        session.say("Sélectionnez d'abord le passage à coder avec le nouveau code.", "erreur")
        return None
    if not session.coder:
        session.say(prefs.ASK_NAME, "erreur")
        return None
    try:
        session.sync_codebook()
        if parent not in session.project.codebook:
            session.project.reload_codebook()
        code_id = code_id or _free_id(session, slug(label))
        code = session.project.add_code(
            code_id, label, parent=parent, definition=definition, by=session.coder
        )
        session.book_stamp = session.codebook_stamp()
    except MiamError as err:
        session.say(f"Code non créé : {err}", "erreur")
        return None
    session.shortcuts = session.compute_shortcuts()
    if apply:
        session.apply([code.id])
    else:
        session.say(
            f"Code « {code.label} » créé sous « {session.project.codebook.get(parent).label} »."
        )
    return code


def _free_id(session: CodingSession, base: str) -> str:
    candidate, n = base, 2
    while candidate in session.project.codebook:
        candidate, n = f"{base}_{n}", n + 1
    return candidate
