"""Correcting a document's text after coding: every coding, quote, unit and timecode follows.

``edit_text`` applies edits given as ranges of the current text; ``replace_text`` takes a whole
new text and finds the edits (``alignment.diff_edits``); ``replace_text_from_file`` reads a
corrected file as the importer would. Each is one transaction that:

1. refuses bad edits (``alignment.check_edits``, a speaker label cut in two) and a document
   edited elsewhere since ``expected_version`` (``StaleVersion``), before writing anything;
2. records the new text as the document's next version (``document_versions``: who, when, why,
   the whole text) and makes it the current one;
3. recomputes the structure: paragraphs, and speaker turns with the timecodes their lines carry,
   are found again in the new text as the importer finds them, when the stored ones are exactly
   what the importer finds in the old text (plain text and Markdown transcripts); otherwise
   (subtitles' cues, office files, questionnaire answers) each unit and cue is carried over by
   the alignment, keeping its speaker, question and times, and dropped if its text vanished;
4. re-anchors every selection: untouched → same words at their new place; changed → kept,
   with its former wording (``modified_from``) until a coder confirms it
   (``confirm_coding``); vanished → its codings become orphans (``orphan_codings``), listed,
   to be placed again or removed; two selections landing on one span are merged;
5. re-anchors quotes: a quote whose words changed takes the new words and, if it was validated
   or published, goes back to « retenue » (the person validated other words); one whose words
   vanished is « écartée »; every quote's recording times are taken again; each change logged.

The new version's text is written to ``corpus/<nom>.vN.txt`` after the commit (staged as a hidden
temporary before, like an import's files); the imported file stays byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import corpus
from .alignment import (
    MODIFIED,
    UNTOUCHED,
    VANISHED,
    Edit,
    SpanMap,
    apply_edits,
    check_edits,
    check_speaker_labels,
    diff_edits,
)
from .errors import StaleVersion, TextEditError
from .fileio import crash_point
from .sources import read_source
from .sources.limits import check_text
from .sources.turns import detect_paragraphs, detect_turns, turn_timecodes
from .store import documents as docs_sql
from .store import quotes as quotes_sql
from .store import review as review_sql
from .store import versions as sql
from .text import normalise_text, slug

if TYPE_CHECKING:
    from .project import Project

_EXTENSION = re.compile(r"\.(txt|md|docx|odt|vtt|srt)$", re.IGNORECASE)


def edit_text(
    project: Project,
    document: str,
    edits: Sequence[Edit],
    *,
    by: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Apply ``edits`` — ``(start, end, replacement)`` ranges of the current text, not
    overlapping — as one new version of ``document`` (name or GUID).

    ``by``: who edits; ``reason``: why (shown in ``text_versions``); ``expected_version``: the
    version the edits were prepared on (``text_version``), refused with ``StaleVersion`` if the
    document changed since. Returns ``version`` (the new number), ``untouched``, ``modified``,
    ``orphaned`` (codings) and ``quotes_reset`` (quotes sent back to « retenue »).
    Raises ``TextEditError`` (ranges out of the text, reversed or overlapping, a speaker label
    cut in two, an empty result, no editor named), ``StaleVersion``, ``UnreadableFile`` (a result
    longer than an import accepts), ``CorpusError`` (unknown document) or a ``StorageError``
    subclass; nothing is written then.
    """
    guid = project.document_id(document)
    old = docs_sql.text(project.store, guid)
    name = _name(project, guid)
    return _revise(
        project, guid, name, old, check_edits(old, edits, document=name),
        by=by, reason=reason or "correction", expected_version=expected_version,
    )  # fmt: skip


def replace_text(
    project: Project,
    document: str,
    new_text: str,
    *,
    by: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Replace the whole text of ``document`` by ``new_text`` (normalised: BOM, line ends, NFC);
    the edits are found by aligning both texts. Returns and raises as ``edit_text``."""
    guid = project.document_id(document)
    if not isinstance(new_text, str):
        raise TextEditError(f"« {document} » : le nouveau texte doit être une chaîne.")
    old = docs_sql.text(project.store, guid)
    edits = diff_edits(old, normalise_text(new_text))
    return _revise(
        project, guid, _name(project, guid), old, edits,
        by=by, reason=reason or "correction", expected_version=expected_version,
    )  # fmt: skip


def replace_text_from_file(
    project: Project,
    document: str,
    path: Path | str,
    *,
    by: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Replace the text of ``document`` by that of a corrected file (read as an import reads
    it: ``.txt``, ``.md``, ``.docx``, ``.odt``, ``.vtt``, ``.srt``); attributes in the file are
    ignored. Raises ``CorpusError`` for an unreadable file or one holding several documents,
    then as ``edit_text``."""
    path = Path(path)
    sources = read_source(path)
    if len(sources) != 1:
        raise TextEditError(
            f"« {path.name} » contient {len(sources)} documents : donnez un fichier qui n'en "
            "contient qu'un pour remplacer le texte d'un document."
        )
    return replace_text(
        project, document, sources[0].text, by=by,
        reason=reason or f"version corrigée « {path.name} »", expected_version=expected_version,
    )  # fmt: skip


def text_version(project: Project, document: str) -> int:
    """The current version number of ``document`` (1 until its text is first edited)."""
    return sql.current_version(project.store, project.document_id(document))


# -- the one transaction --------------------------------------------------------------------------
def _name(project: Project, guid: str) -> str:
    return sql.document_name(project.store, guid)


def _revise(
    project: Project,
    guid: str,
    name: str,
    old: str,
    edits: list[Edit],
    *,
    by: str,
    reason: str,
    expected_version: int | None,
) -> dict[str, Any]:
    if not isinstance(by, str) or not by.strip():
        raise TextEditError(f"« {name} » : dites qui modifie le texte (by=…).")
    store = project.store
    version = sql.current_version(store, guid)
    _check_version(name, version, expected_version)
    if not edits:
        raise TextEditError(f"« {name} » : le nouveau texte est identique, rien à modifier.")
    new = apply_edits(old, edits)
    check_text(name, new)  # the size an import accepts
    if not new.strip():
        raise TextEditError(f"« {name} » : le texte ne peut pas devenir vide.")
    if normalise_text(new) != new:
        raise TextEditError(
            f"« {name} » : la modification laisse des caractères combinés à recomposer (NFC) à sa "
            "limite ; étendez-la au caractère voisin."
        )
    span_map = SpanMap(edits)
    units, timecodes = sql.units_of(store, guid), sql.timecodes_of(store, guid)
    turns = [(u[2], u[3]) for u in units if u[0] == "turn"]
    check_speaker_labels(old, new, turns, span_map, document=name)
    new_units, new_timecodes = _structure(old, new, units, timecodes, span_map)
    store.require_writable()
    file_name = _version_file(project, name, version + 1)
    data = new.encode("utf-8")
    staged: list[tuple[Path, Path]] = []
    committed = False

    def put_in_place() -> None:
        nonlocal committed
        committed = True
        crash_point("edit:before-rename")
        corpus.put_in_place(staged)

    try:
        with corpus.import_lock(project.root, exclusive=False):
            destination = project.corpus_dir / file_name
            staged.append((corpus.stage(destination, data), destination))
            with store.transaction():
                _check_version(name, sql.current_version(store, guid), version)
                if docs_sql.text(store, guid) != old:  # changed between the two reads above
                    raise StaleVersion(
                        f"« {name} » a été modifié dans un autre carnet pendant la préparation de "
                        "la modification : rien n'a été écrit. Relisez le texte et recommencez."
                    )
                if file_name in sql.corpus_files(store):  # another notebook, same name, just now
                    raise TextEditError(
                        f"« {name} » : « {file_name} » vient d'être écrit par un autre carnet ; "
                        "rien n'a été écrit, recommencez."
                    )
                new_version = sql.record_version(
                    store, guid, text=new, who=by, reason=reason, file=file_name,
                    sha256=hashlib.sha256(data).hexdigest(), edits=len(edits),
                )  # fmt: skip
                sql.replace_structure(store, guid, new_units, new_timecodes)
                counts = _reanchor_selections(store, guid, new, span_map, version, new_version, by)
                counts["quotes_reset"] = _reanchor_quotes(project, guid, new, span_map, by)
                store.on_commit(put_in_place)
                store.on_rollback(lambda: corpus.discard(t for t, _ in staged))
                crash_point("edit:before-commit")
    except BaseException:
        if not committed:
            corpus.discard(t for t, _ in staged)
        raise
    return {"version": new_version, **counts}


def _check_version(name: str, current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise StaleVersion(
            f"« {name} » a été modifié entre-temps (version {current}, la modification a été "
            f"préparée sur la version {expected}, peut-être dans un autre carnet) : rien n'a été "
            "écrit. Relisez le texte actuel et refaites la modification."
        )


def version_stem(name: str) -> str:
    """The file-name stem of a document's versions: ``entretien.txt`` → ``entretien``,
    ``questionnaire.csv#R07`` → ``questionnaire_csv_r07``."""
    return slug(_EXTENSION.sub("", name), prefix="document", max_length=60)


def _version_file(project: Project, name: str, version: int) -> str:
    stem = version_stem(name)
    used = set(sql.corpus_files(project.store))
    candidate, n = f"{stem}.v{version}.txt", 1
    while candidate in used or (project.corpus_dir / candidate).exists():
        n += 1
        candidate = f"{stem}.v{version}-{n}.txt"
    return candidate


def _structure(
    old: str, new: str, units: list[tuple], timecodes: list[tuple], span_map: SpanMap
) -> tuple[list[tuple], list[tuple]]:
    """The new text's units and timecodes (see the module docstring, step 3)."""
    by_kind: dict[str, list[tuple]] = {}
    for unit in units:
        by_kind.setdefault(unit[0], []).append(unit)
    result: list[tuple] = []
    paragraphs = by_kind.pop("paragraph", [])
    if [(u[2], u[3]) for u in paragraphs] == [(p.start, p.end) for p in detect_paragraphs(old)]:
        result += [_row(p) for p in detect_paragraphs(new)]
    else:
        result += _carried(paragraphs, span_map)
    turns = by_kind.pop("turn", [])
    old_turns = detect_turns(old)
    derived = bool(turns) and [(u[2], u[3], u[4], u[7]) for u in turns] == [
        (t.start, t.end, t.speaker, t.begin_ms) for t in old_turns
    ]
    if derived:
        new_turns = detect_turns(new)
        result += [_row(t) for t in new_turns]
        old_cues = [(c.start, c.end, c.begin_ms, c.end_ms) for c in turn_timecodes(old_turns)]
        if list(timecodes) == old_cues:
            cues = turn_timecodes(new_turns)
            return result + _rest(by_kind, span_map), [
                (c.start, c.end, c.begin_ms, c.end_ms) for c in cues
            ]
    else:
        result += _carried(turns, span_map)
    carried_cues: list[tuple] = []
    for start, end, begin_ms, end_ms in sorted(timecodes):
        placed = span_map.place(start, end)
        begin = placed.start
        if carried_cues and begin < carried_cues[-1][1]:  # a replacement across two cues' words:
            begin = carried_cues[-1][1]  # the earlier cue keeps them, the cues never overlap
        if placed.state != VANISHED and placed.end > begin:
            carried_cues.append((begin, placed.end, begin_ms, end_ms))
    return result + _rest(by_kind, span_map), carried_cues


def _rest(by_kind: dict[str, list[tuple]], span_map: SpanMap) -> list[tuple]:
    return [row for kind_units in by_kind.values() for row in _carried(kind_units, span_map)]


def _row(unit: Any) -> tuple:
    return (unit.kind, unit.index, unit.start, unit.end, unit.speaker, unit.role, unit.question,
            unit.begin_ms, unit.end_ms)  # fmt: skip


def _carried(units: list[tuple], span_map: SpanMap) -> list[tuple]:
    """Units of one kind carried through the alignment, renumbered; vanished ones dropped."""
    kept: list[tuple] = []
    for unit in sorted(units, key=lambda u: u[1]):
        placed = span_map.place(unit[2], unit[3])
        if placed.state != VANISHED and placed.end > placed.start:
            kept.append((unit[0], len(kept), placed.start, placed.end, *unit[4:]))
    return kept


def _reanchor_selections(
    store: Any, guid: str, new: str, span_map: SpanMap, old_version: int, version: int, who: str
) -> dict[str, int]:
    counts = {"untouched": 0, "modified": 0, "orphaned": 0}
    holders: dict[tuple[int, int], str] = {}
    moves = []
    reworded: list[tuple[str, dict]] = []

    def audit(selection: str, details: dict) -> None:
        # Untouched passages are not recorded: their words are intact, only offsets shift.
        states = review_sql.codings_of_selection(store, selection)
        review_sql.log(store, states, "re-ancré", who, details={**details, "version": version})

    for sel, start, end, text, previous, modified_in in sql.selections_of(store, guid):
        placed = span_map.place(start, end)
        if placed.state == VANISHED or placed.end <= placed.start:
            audit(sel, {"etat": "orphelin"})
            counts["orphaned"] += sql.orphan_selection(
                store, sel, start=start, end=end, version=old_version, who=who
            )
            continue
        words = new[placed.start : placed.end]
        if placed.state == UNTOUCHED:
            counts["untouched"] += 1
        else:
            counts["modified"] += 1
            previous = text if previous is None else previous
            modified_in = version
            if words == previous:  # an edit undone: nothing left to confirm
                previous = modified_in = None
            reworded.append((sel, {"etat": "modifié", "avant": [start, end, text]}))
        span = (placed.start, placed.end)
        if span in holders:
            audit(sel, {"etat": "réuni à un autre passage", "avant": [start, end, text]})
            counts["orphaned"] += sql.merge_selection(
                store, sel, holders[span], version=old_version, who=who
            )
            continue
        holders[span] = sel
        moves.append((sel, placed.start, placed.end, words, previous, modified_in))
    sql.move_selections(store, guid, moves)
    for sel, details in reworded:
        audit(sel, details)
    return counts


def _reanchor_quotes(project: Project, guid: str, new: str, span_map: SpanMap, who: str) -> int:
    store = project.store
    reset = 0
    for quote in sql.quotes_of(store, guid):
        placed = span_map.place(quote["start"], quote["end"])
        changes: dict[str, object] = {}
        log: list[tuple[str, object, object]] = []
        if placed.state == VANISHED or placed.end <= placed.start:
            start = min(placed.start, len(new) - 1)
            end = start + 1
            changes.update(start=start, end=end)
            log.append(("passage", quote["original"], "texte disparu du document"))
            if quote["status"] != "écartée":
                changes["status"] = "écartée"
                log.append(("statut", quote["status"], "écartée"))
        else:
            start, end = placed.start, placed.end
            changes.update(start=start, end=end)
            if placed.state == MODIFIED:
                words = new[placed.start : placed.end]
                changes["original"] = words
                if quote["display"] == quote["original"]:
                    changes["display"] = words
                log.append(("texte source", quote["original"], words))
                if quote["status"] in ("validée", "publiée"):
                    changes["status"] = "retenue"
                    log.append(("statut", quote["status"], "retenue"))
                    reset += 1
        times = project.span_times(guid, start, end)
        changes.update(begin_ms=times[0] if times else None, end_ms=times[1] if times else None)
        quotes_sql.update_quote(store, quote["guid"], changes)
        for action, old_value, new_value in log:
            quotes_sql.log(store, quote["guid"], who, action, old_value, new_value)
    return reset
