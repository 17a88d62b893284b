"""Choosing codes in the workbench: the filtered tree, recent codes, shortcuts, in-vivo codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..codebook import Code
from ..errors import MiamError
from ..text import fold, slug
from . import prefs
from .history import Step

if TYPE_CHECKING:
    from .session import CodingSession

SHORTCUT_COUNT = 9


# -- CodingSession's code-choosing methods (bound on the class in session.py) --------------


def code_usage(session: CodingSession) -> dict[str, int]:
    """Number of codings per code id made by this coder in the whole project."""
    frame = session.coder_tally()
    return frame.groupby("code_id")["codings"].sum().to_dict() if len(frame) else {}


def compute_shortcuts(session: CodingSession) -> list[str]:
    """The codes of keys 1–9, which never change while coding: the codes this user pinned to a
    key on this machine (``pin_shortcut``), the other keys given to the first codable codes in
    codebook order. Key ``n`` is item ``n - 1``."""
    book = session.project.codebook
    pinned = {
        key: code
        for key, code in prefs.pinned_shortcuts(session.project.root).items()
        if 1 <= key <= SHORTCUT_COUNT and code in book and book.get(code).codable
    }
    rest = iter(c.id for c in book if c.codable and c.id not in pinned.values())
    keys: list[str] = []
    for key in range(1, SHORTCUT_COUNT + 1):
        code = pinned.get(key) or next(rest, None)
        if code is None:
            break
        keys.append(code)
    return keys


def pin_shortcut(session: CodingSession, key: int, code_id: str | None) -> list[str] | None:
    """Give key ``key`` (1–9) to ``code_id`` for this project on this machine (``None``: back to
    codebook order); returns the new keys, or ``None`` with a French message."""
    book = session.project.codebook
    if not 1 <= key <= SHORTCUT_COUNT:
        session.say(f"Les raccourcis vont de 1 à {SHORTCUT_COUNT}.", "erreur")
        return None
    if code_id is not None and (code_id not in book or not book.get(code_id).codable):
        session.say(f"« {code_id} » n'est pas un code que l'on peut appliquer.", "erreur")
        return None
    try:
        prefs.pin_shortcut(session.project.root, key, code_id)
    except OSError as err:
        session.say(f"Raccourci non mémorisé : {err.strerror}.", "erreur")
        return None
    session.shortcuts = compute_shortcuts(session)
    label = book.get(code_id).label if code_id else "l'ordre du livre de codes"
    session.say(f"Touche {key} : {label}.")
    return session.shortcuts


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
    created = Step(
        "create", "", code_id=code.id,
        created={"label": code.label, "parent": parent, "definition": definition, "color": code.color},
    )  # fmt: skip
    if apply:
        done = len(session.history.done)
        session.apply([code.id])
        if len(session.history.done) > done:  # one action: undo removes the coding, then the code
            action = session.history.done[-1]
            action.steps.insert(0, created)
            action.label = f"code in vivo « {code.label} »"
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
