"""Correcting the open document's text from the coding workbench (the panel's edit mode).

The reader opens a passage for correction, types in a plain text box (a text editor's keys) and
saves; the session turns the corrected passage into the smallest edits (``alignment.diff_edits``
inside the passage) so that a coding next to a corrected word keeps its exact words, then saves
them through ``Project.edit_text`` as one new version of the document. Codings whose words changed
are shown « modifié » with their former wording until confirmed; those whose words vanished
become orphans, listed in the panel, to be placed again on a selection or removed.

Undo (Ctrl+Z) does not cross a correction: the steps recorded before it hold offsets of the
previous text, so the session's history is emptied and the status line says so; the document's
versions stay listed in notebook 01 (``text_versions``, ``compare_versions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..alignment import diff_edits, normalise_replacement
from ..errors import MiamError
from . import prefs
from .textspans import unit_body

if TYPE_CHECKING:
    from .session import CodingSession

REASON = "correction dans le panneau de codage"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def edit_range(session: CodingSession) -> tuple[int, int] | None:
    """The passage the edit mode opens on: the units (turns without their speaker label,
    paragraphs, answers) around the selection or the place clicked last, whole; the whole text
    for a document without units; ``None`` when nothing is selected or clicked."""
    if session.document_id is None:
        return None
    if session.selection is not None:
        start, end = session.selection
    elif session.focus is not None:
        start = end = session.focus
    else:
        return None
    units = session.units
    kinds = set(units["kind"]) if len(units) else set()
    kind = next((k for k in ("turn", "answer", "paragraph") if k in kinds), None)
    if kind is None:
        return 0, len(session.text)
    primary = units[units["kind"] == kind]
    around = primary[(primary["start"] <= end) & (primary["end"] >= start)].sort_values("start")
    if around.empty:
        return None
    begin, finish = int(around["start"].iloc[0]), int(around["end"].iloc[-1])
    if kind == "turn":  # the speaker label stays out of the box
        begin = unit_body(session.text, begin, int(around["end"].iloc[0]))[0]
    return begin, finish


def open_editor(session: CodingSession) -> tuple[int, int] | None:
    """Open the edit mode on the passage around the selection (``edit_range``): the panel shows
    it in a text box until ``edit_passage`` or ``close_editor``."""
    span = edit_range(session)
    if span is None:
        session.say(
            "Cliquez dans le passage à corriger (ou sélectionnez-le) avant « Corriger le texte ».",
            "erreur",
        )
        session.editing = None
        return None
    assert session.document_id is not None
    version = session.project.text_version(session.document_id)
    session.editing = (span[0], span[1], version)
    session.say(
        "Correction du texte : modifiez le passage puis « Enregistrer » (Ctrl+Entrée) ; "
        "Échap annule."
    )
    return span


def close_editor(session: CodingSession) -> None:
    """Leave the edit mode without changing anything."""
    if session.editing is not None:
        session.say("Correction abandonnée : le texte est inchangé.")
    session.editing = None


def edit_passage(
    session: CodingSession, start: int, end: int, new_text: str, version: int | None = None
) -> dict | None:
    """Replace ``[start, end)`` of the open document by ``new_text`` as one new version.

    ``version``: the version the passage was read from (the panel sends the one it shows), so
    that a document corrected meanwhile in another notebook is refused rather than overwritten.
    Returns ``Project.edit_text``'s summary, or ``None`` when refused (the status line says why).
    """
    if session.document_id is None:
        session.say("Aucun document ouvert.", "erreur")
        return None
    if not session.coder:
        session.say(prefs.ASK_NAME, "erreur")
        return None
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
        session.say("Passage à corriger invalide : rechargez le panneau.", "erreur")
        return None
    if not 0 <= start <= end <= len(session.text):
        session.say(
            f"Passage à corriger hors du texte ([{start}, {end}) pour {len(session.text)} "
            "caractères) : rechargez le panneau, le document a peut-être changé.",
            "erreur",
        )
        return None
    old = session.text[start:end]
    new = normalise_replacement(str(new_text))
    if new == old:
        session.say("Aucune modification du texte.")
        return None
    if not new.strip():
        session.say(
            "Le passage corrigé est vide : gardez au moins un mot. Pour retirer un tour de parole "
            "entier (avec le nom du locuteur), remplacez le texte du document (carnet 01).",
            "erreur",
        )
        return None
    edits = [(start + s, start + e, r) for s, e, r in diff_edits(old, new)]
    guid = session.document_id
    try:
        session._register_coder()
        result = session.project.edit_text(
            guid, edits, by=session.coder, reason=REASON, expected_version=version
        )
    except MiamError as err:
        session.say(f"Correction refusée, le texte est inchangé : {err}", "erreur")
        return None
    session.open(guid)  # the new text, its units and timecodes; closes the edit mode
    shift = len(new) - len(old)
    span = (start, end + shift)
    if span[1] > span[0]:
        session.selection, session.focus = span, span[0]
    session.history.clear()
    session.say(_summary(result))
    return result


def _summary(result: dict) -> str:
    parts = [f"Texte corrigé (version {result['version']})."]
    modified, orphaned = int(result.get("modified", 0)), int(result.get("orphaned", 0))
    if modified:
        parts.append(
            f"{_plural(modified, 'passage codé modifié', 'passages codés modifiés')} à confirmer (« Confirmer » "
            "dans « Codages du passage »)."
        )
    if orphaned:
        parts.append(
            f"{_plural(orphaned, 'codage orphelin', 'codages orphelins')} (mots disparus) : à replacer "
            "ou supprimer (liste « Codages orphelins »)."
        )
    reset = int(result.get("quotes_reset", 0))
    if reset:
        parts.append(
            f"{_plural(reset, 'citation repasse', 'citations repassent')} en « retenue » : "
            "à valider de nouveau avec la personne."
        )
    parts.append("L'historique d'annulation repart de cette version.")
    return " ".join(parts)


def modified_here(session: CodingSession) -> dict[str, str]:
    """Coding GUID → wording before the edit, for the open document's codings awaiting
    confirmation."""
    if session.document_id is None:
        return {}
    guid = session.document_id
    frame = session._read(("modified", guid), lambda: session.project.modified_codings(guid))
    return dict(zip(frame["coding_id"], frame["previous_text"], strict=True))


def orphans_here(session: CodingSession) -> pd.DataFrame:
    """Orphan codings of the open document (``Project.orphan_codings`` columns)."""
    if session.document_id is None:
        return pd.DataFrame(columns=["orphan_id", "code_id", "code", "coder", "text"])
    guid = session.document_id
    return session._read(("orphans", guid), lambda: session.project.orphan_codings(guid))


def confirm_modified(session: CodingSession, coding_id: str) -> bool:
    """Accept the new wording of a coding an edit changed."""
    try:
        session.project.confirm_coding(coding_id)
    except MiamError as err:
        session.say(str(err), "erreur")
        return False
    session.say("Nouvelle formulation confirmée pour ce passage.")
    return True


def place_orphan(session: CodingSession, orphan_id: str) -> str | None:
    """Put an orphan coding back on the current selection."""
    if session.selection is None:
        session.say("Sélectionnez d'abord le passage où replacer ce codage orphelin.", "erreur")
        return None
    try:
        guid = session.project.place_orphan(orphan_id, *session.selection)
    except MiamError as err:
        session.say(str(err), "erreur")
        return None
    session.history.clear()
    session.say("Codage orphelin replacé sur la sélection.")
    return guid


def remove_orphan(session: CodingSession, orphan_id: str) -> bool:
    """Delete an orphan coding for good."""
    try:
        session.project.remove_orphan(orphan_id)
    except MiamError as err:
        session.say(str(err), "erreur")
        return False
    session.say("Codage orphelin supprimé.")
    return True
