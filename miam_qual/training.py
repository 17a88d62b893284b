"""Training against a reference: a supervisor marks documents they coded as a *reference set*;
trainees code the same documents without seeing the reference, then compare passage by passage
and follow their agreement document after document.

Hiding: on a reference document, the reference coder's codings are hidden from every other coder
until that coder declares the set done (``mark_done``) or the supervisor reveals it to everyone
(``reveal``). The coding panel asks ``hidden_codings`` which codings to leave out; the reference
coder always sees their own codings.

Plain functions taking a project first (see "API style" in ARCHITECTURE.md); every write is one
transaction. Refusals: ``TrainingError`` (French), ``CorpusError`` for an unknown document,
``UnknownCoder`` for an unregistered coder.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import pandas as pd

from .agreement.multi import PROGRESS_COLUMNS
from .agreement.multi import progress as agreement_progress
from .errors import TrainingError
from .store import new_guid, now
from .store import people as people_sql
from .store import training as training_sql

if TYPE_CHECKING:
    from .project import Project

#: Columns of ``reference_sets``.
SET_COLUMNS = [
    "set", "reference_coder", "documents", "document_names", "created_by", "created_at",
    "done", "revealed_by", "revealed_at",
]  # fmt: skip
#: Columns of ``differences``.
DIFFERENCE_COLUMNS = [
    "document", "start", "end", "passage", "code_id", "code", "status", "overlap",
]  # fmt: skip
#: Columns of ``progress`` (those of ``agreement.multi.progress``).
TRAINING_PROGRESS_COLUMNS = PROGRESS_COLUMNS
#: ``status`` values of ``differences``.
REFERENCE_ONLY = "référence seulement"
TRAINEE_ONLY = "stagiaire seulement"
BOTH = "les deux"
#: Longest name of a reference set.
NAME_MAX_LENGTH = 120


# -- writing ----------------------------------------------------------------------------------
def mark_reference(
    project: Project,
    documents: list[str],
    *,
    reference_coder: str,
    by: str,
    name: str | None = None,
) -> str:
    """Mark ``documents`` (names or GUIDs) as a reference set coded by ``reference_coder``, on
    behalf of ``by`` (the supervisor). ``name``: the set's name (default « Référence n »).
    Returns the set's name.

    Raises ``CorpusError`` for an unknown document, ``UnknownCoder`` for an unregistered coder,
    ``TrainingError`` for no document, an empty ``by`` or name, a name already used, or a
    document the reference coder has not coded yet. One transaction: all or nothing.
    """
    if not str(by or "").strip():
        raise TrainingError("Indiquez qui crée le jeu de référence (by=…).")
    guids = list(dict.fromkeys(project.document_id(d) for d in documents))
    if not guids:
        raise TrainingError("Choisissez au moins un document pour le jeu de référence.")
    coder_guid = project.coder_id(reference_coder)
    existing = training_sql.set_names(project.store)
    if name is None:
        number = len(existing) + 1
        while f"Référence {number}" in existing:
            number += 1
        name = f"Référence {number}"
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise TrainingError(
            f"Donnez au jeu de référence un nom de 1 à {NAME_MAX_LENGTH} caractères."
        )
    if name in existing:
        raise TrainingError(
            f"Un jeu de référence s'appelle déjà « {name} » : choisissez un autre nom."
        )
    coded = set(project.codings(coder=reference_coder)["document_id"])
    missing = [d for d in guids if d not in coded]
    if missing:
        listed = project.documents()
        names = dict(zip(listed["document_id"], listed["document"], strict=True))
        raise TrainingError(
            f"« {reference_coder} » n'a encore rien codé dans "
            f"{', '.join(f'« {names[d]} »' for d in missing)} : un document de référence "
            "doit d'abord être codé par la personne qui sert de référence."
        )
    with project.store.transaction():
        training_sql.add_set(
            project.store, guid=new_guid(), name=name, coder_guid=coder_guid, by=by.strip(),
            at=now(), document_guids=guids,
        )  # fmt: skip
    return name


def mark_done(project: Project, set: str, coder: str) -> None:
    """``coder`` declares they are done with the reference set ``set``: from now on they see the
    reference codings there, and ``differences`` can show them. Declaring twice keeps the first
    date. Raises ``TrainingError`` for an unknown set, the reference coder themselves, or a coder
    who has coded none of the set's documents; ``UnknownCoder`` for an unregistered coder."""
    entry = _set(project, set)
    coder_guid = project.coder_id(coder)
    if coder_guid == entry["coder_guid"]:
        raise TrainingError(
            f"« {coder} » est la référence du jeu « {entry['name']} » : c'est aux autres "
            "codeurs de déclarer qu'ils ont fini."
        )
    if not _coded_documents(project, entry, coder):
        raise TrainingError(
            f"« {coder} » n'a encore codé aucun document du jeu « {entry['name']} » : codez-les "
            "avant de déclarer avoir fini."
        )
    with project.store.transaction():
        training_sql.add_done(project.store, entry["guid"], coder_guid, now())


def reveal(project: Project, set: str, *, by: str) -> None:
    """Show the reference codings of ``set`` to every coder, on behalf of ``by``: the supervisor
    who created the set, or the reference coder. Raises ``TrainingError`` otherwise, or for an
    unknown set."""
    entry = _set(project, set)
    if by not in (entry["created_by"], entry["coder"]):
        raise TrainingError(
            f"Seule la personne qui a créé le jeu « {entry['name']} » ({entry['created_by']}) "
            f"ou sa référence ({entry['coder']}) peut le dévoiler."
        )
    with project.store.transaction():
        training_sql.set_revealed(project.store, entry["guid"], by, now())


# -- reading ----------------------------------------------------------------------------------
def reference_sets(project: Project) -> pd.DataFrame:
    """Every reference set, oldest first. Columns: ``set`` (name), ``reference_coder``,
    ``documents`` (how many), ``document_names`` (joined by ``, ``), ``created_by``,
    ``created_at``, ``done`` (coders who declared they are done, joined by ``, ``),
    ``revealed_by``, ``revealed_at`` (empty strings while hidden)."""
    rows = [
        {
            "set": s["name"],
            "reference_coder": s["coder"],
            "documents": len(s["documents"]),
            "document_names": ", ".join(s["documents"]),
            "created_by": s["created_by"],
            "created_at": s["created_at"],
            "done": ", ".join(s["done"]),
            "revealed_by": s["revealed_by"] or "",
            "revealed_at": s["revealed_at"] or "",
        }  # fmt: skip
        for s in training_sql.all_sets(project.store)
    ]
    return pd.DataFrame(rows, columns=SET_COLUMNS)


def set_documents(project: Project, set: str) -> list[str]:
    """Names of the documents of a reference set, in its order. Raises ``TrainingError`` for an
    unknown set."""
    return [
        name
        for _guid, name in training_sql.set_documents(project.store, _set(project, set)["guid"])
    ]


def hidden_codings(project: Project, document: str, viewer: str) -> set[str]:
    """GUIDs of the codings of ``document`` that ``viewer`` must not see yet (see the module
    docstring); an empty set when nothing is hidden. A viewer who is not a registered coder sees
    no reference codings. Raises ``CorpusError`` for an unknown document."""
    guid = project.document_id(document)
    viewer_guid = people_sql.coder_guid(project.store, viewer)
    hiding = training_sql.hiding_sets(project.store, guid, viewer_guid)
    return training_sql.coding_guids(project.store, guid, hiding)


def is_hidden(project: Project, document: str, viewer: str) -> bool:
    """Whether some reference codings of ``document`` are hidden from ``viewer`` (the document is
    in a reference set that is neither revealed nor declared done by the viewer, who is not its
    reference coder). Raises ``CorpusError`` for an unknown document."""
    guid = project.document_id(document)
    viewer_guid = people_sql.coder_guid(project.store, viewer)
    return bool(training_sql.hiding_sets(project.store, guid, viewer_guid))


def differences(project: Project, set: str, coder: str, *, max_chars: int = 300) -> pd.DataFrame:
    """The trainee ``coder``'s codings against the reference, passage by passage, on the set's
    documents the trainee coded.

    For each document and code, a reference passage and a trainee passage that share characters
    are paired, best overlap first, each passage at most once. Columns: ``document``, ``start``,
    ``end`` (the pair's union, or the lone passage), ``passage`` (its text, cut to ``max_chars``
    with « … »), ``code_id``, ``code`` (label), ``status`` (« les deux », « référence
    seulement », « stagiaire seulement »), ``overlap`` (characters both cover / characters either
    covers: 1 for identical passages, 0 for a lone one). In the set's document order, then
    position.

    Raises ``TrainingError`` for an unknown set, for the reference coder, and while the reference
    is still hidden from ``coder`` (neither declared done nor revealed); ``UnknownCoder`` for an
    unregistered coder.
    """
    entry = _set(project, set)
    coder_guid = project.coder_id(coder)
    if coder_guid == entry["coder_guid"]:
        raise TrainingError(
            f"« {coder} » est la référence du jeu « {entry['name']} » : choisissez une personne "
            "en formation."
        )
    done = training_sql.done_coders(project.store, entry["guid"])
    if entry["revealed_at"] is None and coder_guid not in done:
        raise TrainingError(
            f"La référence du jeu « {entry['name']} » est encore cachée à « {coder} » : "
            "les différences s'affichent quand cette personne a déclaré avoir fini, ou quand "
            "la référence est dévoilée."
        )
    documents = _coded_documents(project, entry, coder)
    columns = ["document_id", "document", "start", "end", "code_id", "code", "coder"]
    codings = project.codings(coder=[entry["coder"], coder])
    codings = codings[codings["document_id"].isin(documents)][columns]
    order = {guid: i for i, guid in enumerate(documents)}
    rows: list[dict] = []
    for (document_id, code_id), group in codings.groupby(["document_id", "code_id"], sort=False):
        ours = group[group["coder"] == entry["coder"]][["start", "end"]].to_numpy().tolist()
        theirs = group[group["coder"] == coder][["start", "end"]].to_numpy().tolist()
        base = {"document_id": document_id, "document": group["document"].iloc[0],
                "code_id": code_id, "code": group["code"].iloc[0]}  # fmt: skip
        for first, second, overlap in _pairs(ours, theirs):
            spans = [s for s in (first, second) if s is not None]
            status = BOTH if len(spans) == 2 else REFERENCE_ONLY if first else TRAINEE_ONLY
            rows.append({**base, "start": min(s[0] for s in spans),
                         "end": max(s[1] for s in spans), "status": status,
                         "overlap": overlap})  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    table = pd.DataFrame(rows)
    table["_order"] = table["document_id"].map(order)
    table = table.sort_values(["_order", "start", "end", "code"], kind="stable")
    texts: dict[str, str] = {}
    passages = []
    for document_id, start, end in zip(table["document_id"], table["start"], table["end"],
                                       strict=True):  # fmt: skip
        if document_id not in texts:
            texts[document_id] = project.text(document_id)
        passage = texts[document_id][start:end]
        if max_chars and len(passage) > max_chars:
            passage = passage[: max_chars - 1].rstrip() + "…"
        passages.append(passage)
    table["passage"] = passages
    table["start"] = table["start"].astype(int)
    table["end"] = table["end"].astype(int)
    return table[DIFFERENCE_COLUMNS].reset_index(drop=True)


def progress(project: Project, set: str, coder: str, *, unit: str = "turn") -> pd.DataFrame:
    """The trainee ``coder``'s agreement with the reference on the set's documents, one row per
    document in the order the trainee coded them, with the running figures
    (``agreement.multi.progress``: ``rank, document, first_coded_at, units, percent_agreement,
    gwet_ac1, alpha, cumulative_alpha, cumulative_gwet_ac1``). Figures only, no passage: the
    supervisor can follow them while the reference is still hidden. Raises ``TrainingError`` for
    an unknown set and what ``agreement.compare`` raises (``AgreementError`` when the trainee has
    coded none of the documents yet)."""
    entry = _set(project, set)
    project.coder_id(coder)
    documents = [guid for guid, _name in training_sql.set_documents(project.store, entry["guid"])]
    return agreement_progress(
        project, reference=entry["coder"], coder=coder, unit=unit, documents=documents
    )


# -- helpers ----------------------------------------------------------------------------------
def _set(project: Project, name: str) -> dict:
    """A reference set by name, or ``TrainingError`` naming the close ones."""
    entry = training_sql.find_set(project.store, name)
    if entry is None:
        names = training_sql.set_names(project.store)
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = (
            f" Vouliez-vous dire : {', '.join(close)} ?"
            if close
            else f" Jeux existants : {', '.join(names)}."
            if names
            else " Aucun jeu de référence n'a encore été créé."
        )
        raise TrainingError(f"Jeu de référence inconnu « {name} ».{hint}")
    return entry


def _coded_documents(project: Project, entry: dict, coder: str) -> list[str]:
    """GUIDs of the set's documents that ``coder`` coded, in the set's order."""
    coded = set(project.codings(coder=coder)["document_id"])
    return [g for g, _n in training_sql.set_documents(project.store, entry["guid"]) if g in coded]


def _pairs(
    ours: list[list[int]], theirs: list[list[int]]
) -> list[tuple[list[int] | None, list[int] | None, float]]:
    """Pair the reference's and the trainee's spans of one code in one document: spans sharing
    characters, best overlap first, each span at most once; the rest stay alone (overlap 0)."""
    candidates = []
    for i, (a0, a1) in enumerate(ours):
        for j, (b0, b1) in enumerate(theirs):
            shared = min(a1, b1) - max(a0, b0)
            if shared > 0:
                candidates.append((shared / (max(a1, b1) - min(a0, b0)), i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    result: list[tuple[list[int] | None, list[int] | None, float]] = []
    for overlap, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            result.append((ours[i], theirs[j], overlap))
    result += [(span, None, 0.0) for i, span in enumerate(ours) if i not in used_a]
    result += [(None, span, 0.0) for j, span in enumerate(theirs) if j not in used_b]
    return result
