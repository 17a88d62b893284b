"""A corrected document's history and what its edits left to decide.

- ``text_versions`` lists every version (who, when, why, its file under ``corpus/``);
  ``version_text`` returns one; ``compare_versions`` shows two side by side as French HTML
  (deletions struck through in red, insertions underlined in green).
- ``modified_codings`` lists codings whose words an edit changed, with the former and the new
  wording; ``confirm_coding`` accepts the new wording.
- ``orphan_codings`` lists codings whose words vanished; ``place_orphan`` puts one back on a span
  of the current text, ``remove_orphan`` deletes it.
- ``preview_text_change`` says, before anything is written, what a new text would do to each
  coding of the document (intact, modifié, orphelin), with the old and the new wording.
- ``pseudonymise_source`` replaces every real name of ``prive/pseudonymes.yml`` in a document's
  text by its pseudonym (the privacy gate's matcher), as one logged edit; the text before it is
  kept in ``prive/originaux/`` (0700/0600).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import pandas as pd

from .alignment import VANISHED, SpanMap, diff_edits, normalise_replacement
from .errors import CodingError, TextEditError
from .fileio import atomic_write_text, private_folder
from .privacy.pseudonyms import Pseudonyms
from .revision import edit_text, version_stem
from .store import codings as codings_sql
from .store import documents as docs_sql
from .store import review as review_sql
from .store import versions as sql

if TYPE_CHECKING:
    from .project import Project

PRIVATE_ORIGINALS = "originaux"

#: Columns of ``preview_text_change``.
PREVIEW_COLUMNS = ["coding_id", "code", "coder", "state", "start", "end", "text", "new_text"]


def preview_text_change(project: Project, document: str, new_text: str) -> pd.DataFrame:
    """What replacing the text of ``document`` by ``new_text`` would do to each of its codings;
    nothing is written. One row per coding (``PREVIEW_COLUMNS``): ``state`` is ``intact``,
    ``modifié`` (kept, waiting for a coder's confirmation) or ``orphelin`` (its words vanish: kept
    apart, to be placed again or removed); ``start``/``end``/``text`` are today's, ``new_text``
    the words it would cover (empty for an orphan). In text order."""
    old = project.text(document)
    new = normalise_replacement(new_text)
    span_map = SpanMap(diff_edits(old, new))
    codings = project.codings(document=project.document_id(document))
    rows = []
    for c in codings.sort_values(["start", "end"]).itertuples():
        placed = span_map.place(int(c.start), int(c.end))
        gone = placed.state == VANISHED or placed.end <= placed.start
        rows.append(
            {
                "coding_id": c.coding_id, "code": c.code, "coder": c.coder,
                "state": VANISHED if gone else placed.state,
                "start": int(c.start), "end": int(c.end), "text": c.text,
                "new_text": "" if gone else new[placed.start : placed.end],
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=PREVIEW_COLUMNS)


def text_versions(project: Project, document: str) -> pd.DataFrame:
    """Every version of ``document``, oldest first. Columns: ``version`` (1: as imported),
    ``at``, ``who``, ``reason``, ``file`` (under ``corpus/``), ``edits`` (from the version before),
    ``length`` (code points). A document never edited has its one version."""
    guid = project.document_id(document)
    frame = sql.versions_frame(project.store, guid)
    if frame.empty:
        row = project.documents().set_index("document_id").loc[guid]
        frame = pd.DataFrame(
            [
                [
                    1,
                    row["imported_at"],
                    row["imported_by"],
                    "import",
                    row["source_file"],
                    0,
                    int(row["length"]),
                ]
            ],  # fmt: skip
            columns=sql.VERSION_COLUMNS,
        )
    return frame


def version_text(project: Project, document: str, version: int) -> str:
    """The text of ``document`` in ``version``; raises ``TextEditError`` for an unknown one."""
    guid = project.document_id(document)
    current = sql.current_version(project.store, guid)
    if version == current:
        return docs_sql.text(project.store, guid)
    found = sql.version_text(project.store, guid, version)
    if found is None:
        raise TextEditError(
            f"« {document} » n'a pas de version {version} (versions 1 à {current})."
        )
    return found


def compare_versions(
    project: Project, document: str, old: int | None = None, new: int | None = None
) -> str:
    """Two versions of ``document`` side by side as an HTML fragment (French headings): the
    old text with its deletions struck through, the new one with its insertions underlined.
    Default: the version before the current one, and the current one."""
    current = text_versions(project, document)["version"].max()
    new = int(current) if new is None else new
    old = max(new - 1, 1) if old is None else old
    before, after = version_text(project, document, old), version_text(project, document, new)
    left, right, position, moved = [], [], 0, 0
    for start, end, replacement in diff_edits(before, after):
        same = html.escape(before[position:start])
        left += [same, f'<del style="background:#fdd">{html.escape(before[start:end])}</del>']
        right += [same, f'<ins style="background:#dfd">{html.escape(replacement)}</ins>']
        position, moved = end, moved + 1
    tail = html.escape(before[position:])
    cell = 'style="vertical-align:top;white-space:pre-wrap;width:50%;padding:0 1em"'
    return (
        f"<table><caption>« {html.escape(document)} » : {moved} modification(s)</caption>"
        f"<tr><th>Version {old}</th><th>Version {new}</th></tr>"
        f"<tr><td {cell}>{''.join(left)}{tail}</td><td {cell}>{''.join(right)}{tail}</td></tr>"
        "</table>"
    )


def modified_codings(project: Project, document: str | None = None) -> pd.DataFrame:
    """Codings waiting for confirmation after an edit changed their words. Columns:
    ``coding_id, selection_id, document_id, document, start, end, previous_text`` (before the
    edit), ``text`` (now), ``version`` (of the edit), ``code_id, code, coder``."""
    guid = None if document is None else project.document_id(document)
    return sql.modified_frame(project.store, guid)


def confirm_coding(project: Project, coding_id: str) -> None:
    """Accept the new wording of a modified coding (and of the codings on the same passage).
    Raises ``CodingError`` for an unknown coding."""
    found = codings_sql.get_coding(project.store, coding_id)
    if found is None:
        raise CodingError(f"Codage inconnu « {coding_id} ».")
    with project.store.transaction():
        sql.confirm_selection(project.store, found["selection_guid"])


def orphan_codings(project: Project, document: str | None = None) -> pd.DataFrame:
    """Codings whose words an edit removed. Columns: ``orphan_id`` (the coding's GUID),
    ``document_id, document, version`` (the one ``start, end, text`` belong to), ``code_id, code,
    coder, created_at, orphaned_at, orphaned_by``."""
    guid = None if document is None else project.document_id(document)
    return sql.orphans_frame(project.store, guid)


def place_orphan(
    project: Project, orphan_id: str, start: int, end: int, *, by: str | None = None
) -> str:
    """Put an orphan coding back on ``[start, end)`` of its document's current text, with its
    GUID, code, coder, date and memos; returns the coding id. The audit trail records it as
    ``re-ancré`` by ``by`` (default: its coder). Raises ``TextEditError`` for an unknown orphan,
    ``OffsetOutOfRange`` for a bad span, ``CodingError`` if that coder already coded that span
    with that code."""
    orphan = _orphan(project, orphan_id)
    words = project.span_text(orphan["document_guid"], start, end)
    with project.store.transaction():
        former = review_sql.orphan_state(project.store, orphan)
        if not sql.restore_coding(project.store, orphan, start, end, words):
            raise CodingError(
                f"Ce passage [{start}, {end}) porte déjà ce code pour ce codeur : supprimez "
                "plutôt l'orphelin (remove_orphan)."
            )
        states = review_sql.coding_states(project.store, [orphan["guid"]])
        details = {
            "etat": "replacé",
            "avant": [former["start"], former["end"], former["text"]],
            "version": orphan["version"],
        }
        review_sql.log(project.store, states, "re-ancré", by or former["coder"], details=details)
    return orphan["guid"]


def remove_orphan(project: Project, orphan_id: str, *, by: str | None = None) -> None:
    """Delete an orphan coding for good (its memos too), recorded in the audit trail as
    ``retiré`` by ``by`` (default: its coder). Raises ``TextEditError`` if unknown."""
    orphan = _orphan(project, orphan_id)
    with project.store.transaction():
        state = review_sql.orphan_state(project.store, orphan)
        details = {"etat": "orphelin", "version": orphan["version"]}
        review_sql.log(project.store, [state], "retiré", by or state["coder"], details=details)
        sql.remove_orphan(project.store, orphan["guid"])


def _orphan(project: Project, orphan_id: str) -> dict:
    orphan = sql.get_orphan(project.store, orphan_id)
    if orphan is None:
        raise TextEditError(f"Codage orphelin inconnu « {orphan_id} ».")
    return orphan


def pseudonymise_source(
    project: Project, document: str, *, by: str, expected_version: int | None = None
) -> dict[str, Any]:
    """Replace every real name of the private mapping found in ``document``'s text (any form,
    any part, as the privacy gate finds them) by its pseudonym, as one edit. The text before it
    is written to ``prive/originaux/<nom>.vN.txt`` (folder 0700, file 0600) first. Returns as
    ``edit_text`` plus ``names`` (the number replaced). Raises ``TextEditError`` when no name
    is found, then as ``edit_text``."""
    guid = project.document_id(document)
    text = docs_sql.text(project.store, guid)
    hits = Pseudonyms.load(project.root).find(text)
    if not hits:
        raise TextEditError(
            f"« {document} » : aucun nom de prive/pseudonymes.yml dans le texte, rien à remplacer."
        )
    version = sql.current_version(project.store, guid)
    folder = private_folder(project.root / "prive" / PRIVATE_ORIGINALS)
    name = version_stem(sql.document_name(project.store, guid))
    atomic_write_text(folder / f"{name}.v{version}.txt", text, mode=0o600)
    result = edit_text(
        project, guid, [(h.start, h.end, h.replacement) for h in hits], by=by,
        reason="pseudonymisation à la source", expected_version=expected_version,
    )  # fmt: skip
    return {**result, "names": len(hits)}
