"""Counts: frequencies per code and theme, crosstabs by attribute, code × document, waves,
saturation. Every function returns a DataFrame whose columns are listed in its docstring."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import EmptySelection, UnknownColumn, UnknownOption
from .common import code_labels, code_order, coded_segments

if TYPE_CHECKING:
    from ..project import Project

COUNT_COLUMNS = ["segments", "documents", "participants"]
#: Count columns of ``code_frequencies`` (see its docstring).
CODE_COUNT_COLUMNS = ["segments", "own_segments", "passages", "documents", "participants"]


def _counts(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=False, dropna=False)
    counts = {
        "segments": grouped.size(),
        "documents": grouped["document_id"].nunique(),
        "participants": grouped["participant_key"].nunique(),
    }
    if "selection_id" in frame.columns:
        counts["passages"] = grouped["selection_id"].nunique()
    return pd.DataFrame(counts).reset_index()


def _with_ancestors(project: Project, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each coding repeated under every code above its own (parent,
    grandparent… up to the theme), so that a code counts its sub-codes' codings as
    ``Project.codings(code)`` and ``has(code)`` do; ``own`` marks the original rows."""
    book = project.codebook
    lineage: dict[str, list[str]] = {}
    for code in book:
        chain, parent = [code.id], code.parent
        while parent is not None:
            chain.append(parent)
            parent = book.get(parent).parent
        lineage[code.id] = chain
    chains = frame["code_id"].map(lambda c: lineage.get(c, [c]))
    expanded = frame.loc[frame.index.repeat(chains.map(len))].copy()
    expanded["code_id"] = [c for chain in chains for c in chain]
    expanded["own"] = np.array([i == 0 for chain in chains for i in range(len(chain))], dtype=bool)
    return expanded


def _by_list(by: str | list[str] | None) -> list[str]:
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def _with_columns(project: Project, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` holding ``columns``: an attribute declared in ``projet.yml`` that no coded
    document carries yet is added as missing values; any other absent name raises
    ``UnknownColumn``."""
    declared = set(project.config.attributes)
    missing = [c for c in columns if c not in frame.columns and c not in declared]
    if missing:
        known = ", ".join(
            dict.fromkeys([*(c for c in frame.columns if c not in ("text", "memo")), *declared])
        )
        raise UnknownColumn(
            f"Colonne inconnue : {', '.join(missing)} (colonnes disponibles : {known})."
        )
    absent = [c for c in columns if c not in frame.columns]
    return frame.assign(**{c: pd.Series(pd.NA, index=frame.index, dtype=object) for c in absent})


def code_frequencies(
    project: Project, *, codings: pd.DataFrame | None = None, by: str | list[str] | None = None
) -> pd.DataFrame:
    """How often each code was applied, a code counting its sub-codes' codings too (as
    ``Project.codings(code)`` and ``has(code)`` do).

    ``by``: a column of ``project.codings()`` (``"coder"``, ``"vague"``, ``"type_source"``…) or a
    list of them, to count per group. ``codings``: an already filtered ``project.codings()``.

    Columns: ``code_id, code, theme_id, theme, depth``, the ``by`` columns, then ``segments``
    (codings of the code and of its sub-codes: a passage coded by two coders, or with the code
    and one of its sub-codes, counts twice), ``own_segments`` (codings of this very code; equal
    to ``segments`` for a code without sub-codes, and summing to the number of codings),
    ``passages`` (distinct passages coded, whoever coded them, with sub-codes), ``documents``
    (distinct documents) and ``participants`` (distinct participants, see ``participant_keys``),
    with sub-codes too. Without ``by`` every codable code appears, with zeros when unused; in
    codebook order.
    """
    keys = _by_list(by)
    frame = _with_columns(project, coded_segments(project, codings), keys)
    if "selection_id" not in frame.columns:  # a hand-made frame: each row its own passage
        frame = frame.assign(selection_id=np.arange(len(frame)))
    expanded = _with_ancestors(project, frame)
    book = project.codebook
    shown = {c.id for c in book if c.codable} | set(frame["code_id"])
    expanded = expanded[expanded["code_id"].isin(shown)]
    counts = None
    if len(frame):
        counts = _counts(expanded, ["code_id", *keys])
        own = expanded[expanded["own"]].groupby(["code_id", *keys], sort=False, dropna=False)
        counts = counts.merge(
            own.size().rename("own_segments").reset_index(), on=["code_id", *keys], how="left"
        )
    labels = code_labels(project)
    if not keys:
        codable = labels[labels["codable"]].index
        base = pd.DataFrame({"code_id": list(codable)})
        counts = base.merge(counts, on="code_id", how="left") if counts is not None else base
    elif counts is None:  # nothing coded: no group to count in
        counts = pd.DataFrame(
            {
                "code_id": pd.Series(dtype=object),
                **{k: frame[k].iloc[0:0] for k in keys},
                **{c: pd.Series(dtype=int) for c in CODE_COUNT_COLUMNS},
            }
        )
    for column in CODE_COUNT_COLUMNS:
        counts[column] = counts.get(column, pd.Series(0, index=counts.index)).fillna(0)
    result = counts.merge(
        labels[["code", "theme_id", "theme", "depth"]].rename_axis(None),
        left_on="code_id",
        right_index=True,
    )
    result[CODE_COUNT_COLUMNS] = result[CODE_COUNT_COLUMNS].astype(int)
    order = {c: i for i, c in enumerate(code_order(project))}
    result = result.sort_values(
        ["code_id", *keys], key=lambda s: s.map(order) if s.name == "code_id" else s
    )
    return result[
        ["code_id", "code", "theme_id", "theme", "depth", *keys, *CODE_COUNT_COLUMNS]
    ].reset_index(drop=True)


def theme_frequencies(
    project: Project, *, codings: pd.DataFrame | None = None, by: str | list[str] | None = None
) -> pd.DataFrame:
    """How often each theme was used: codings of any of its codes, at any depth.

    Columns: ``theme_id, theme``, the ``by`` columns, ``segments`` (codings: a passage coded by
    two coders or with two of the theme's codes counts twice), ``passages`` (distinct passages
    coded with one of its codes), ``documents, participants``. Without ``by`` every theme
    appears (zeros when unused), in codebook order.
    """
    keys = _by_list(by)
    frame = _with_columns(project, coded_segments(project, codings), keys)
    if "selection_id" not in frame.columns:  # a hand-made frame: each row its own passage
        frame = frame.assign(selection_id=np.arange(len(frame)))
    columns = ["segments", "passages", "documents", "participants"]
    themes = [t.id for t in project.codebook.themes()]
    labels = {t.id: t.label for t in project.codebook.themes()}
    counts = (
        _counts(frame, ["theme_id", *keys])
        if len(frame)
        else pd.DataFrame(columns=["theme_id", *keys, *columns])
    )
    if not keys:
        counts = (
            pd.DataFrame({"theme_id": themes})
            .merge(counts, on="theme_id", how="left")
            .fillna({c: 0 for c in columns})
        )
    counts = counts[["theme_id", *keys, *columns]]
    counts[columns] = counts[columns].astype(int)
    counts.insert(1, "theme", counts["theme_id"].map(labels))
    order = {t: i for i, t in enumerate(themes)}
    counts = counts.sort_values(
        ["theme_id", *keys], key=lambda s: s.map(order) if s.name == "theme_id" else s
    )
    return counts.reset_index(drop=True)


def crosstab(
    project: Project,
    attribute: str,
    *,
    codings: pd.DataFrame | None = None,
    level: str = "code",
) -> pd.DataFrame:
    """Codes (or themes, ``level="theme"``) by the values of a document or participant attribute.

    Columns: ``code_id, code`` (the theme's id and label when ``level="theme"``), ``value`` (the
    attribute value; missing values are shown as « non renseigné »), ``segments``, ``participants``
    (distinct participants coded), ``group_participants`` (distinct participants of that group
    found in the coded material) and ``share`` (``participants / group_participants``, 0–1).
    """
    if level not in ("code", "theme"):
        raise UnknownOption(f"Niveau inconnu « {level} » : choisissez « code » ou « theme ».")
    frame = _with_columns(project, coded_segments(project, codings), [attribute])
    frame["value"] = frame[attribute].fillna("non renseigné").astype(str)
    key = "code_id" if level == "code" else "theme_id"
    counts = _counts(frame, [key, "value"]).drop(columns="documents")
    groups = frame.groupby("value")["participant_key"].nunique().rename("group_participants")
    counts = counts.merge(groups, left_on="value", right_index=True, how="left")
    counts["share"] = np.where(
        counts["group_participants"] > 0,
        counts["participants"] / counts["group_participants"].clip(lower=1),
        np.nan,
    )
    labels = {c.id: c.label for c in project.codebook}
    counts = counts.rename(columns={key: "code_id"})
    counts.insert(1, "code", counts["code_id"].map(labels))
    order = {c: i for i, c in enumerate(code_order(project))}
    counts = counts.sort_values(
        ["code_id", "value"], key=lambda s: s.map(order) if s.name == "code_id" else s
    )
    return counts.reset_index(drop=True)


def crosstab_table(table: pd.DataFrame, value: str = "segments") -> pd.DataFrame:
    """A ``crosstab`` result as a wide table: one row per code label, one column per attribute
    value, cells = ``value`` (``segments``, ``participants`` or ``share``); zeros where absent."""
    wide = table.pivot_table(
        index=["code_id", "code"], columns="value", values=value, aggfunc="sum", sort=False
    )
    wide = wide.fillna(0).reset_index(level="code_id", drop=True)
    wide.columns.name = None
    wide.index.name = "code"
    return wide


def code_document_matrix(project: Project, *, codings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Segments per code (rows, ``code_id``) and document (columns, document names, import order);
    only codes and documents that carry codings."""
    frame = coded_segments(project, codings)
    documents = list(dict.fromkeys(frame["document"]))
    present = set(frame["code_id"])
    order = [c for c in code_order(project) if c in present]
    matrix = pd.crosstab(frame["code_id"], frame["document"]) if len(frame) else pd.DataFrame()
    matrix = matrix.reindex(index=order, columns=documents, fill_value=0)
    matrix.columns.name = None
    return matrix


def compare_waves(
    project: Project,
    *,
    before: str | None = None,
    after: str | None = None,
    attribute: str | None = None,
    codings: pd.DataFrame | None = None,
    kind: str | None = "questionnaire",
) -> pd.DataFrame:
    """Compare two survey waves of questionnaires (documents of kind ``kind``; all if ``None``).

    ``attribute``: the attribute holding the wave (default: the project's ``config.review.wave``,
    ``vague`` for MIAM). ``before``/``after``: the two waves (default: the first and the last
    value the attribute declares in ``projet.yml``, « état initial » and « bilan » for MIAM).
    The respondents of a wave are its documents, identified by their ``participant`` attribute
    when set.

    Columns: ``code_id, code, theme, segments_before, segments_after, respondents_before,
    respondents_after`` (respondents coded), ``share_before, share_after`` (coded respondents /
    all respondents of the wave, 0–1), ``change`` (``share_after - share_before``), ``paired``
    (respondents present in both waves), ``gained`` / ``lost`` (paired respondents coded only
    after / only before). Codes never used in either wave are left out.

    Raises ``UnknownColumn`` when the project declares no wave attribute or no document carries
    it, ``UnknownOption`` when the waves are not given and the attribute declares no values,
    ``EmptySelection`` when a wave has no document.
    """
    attribute = attribute or project.config.review.wave
    if attribute is None:
        raise UnknownColumn(
            "Le projet ne déclare pas d'attribut de vague : ajoutez « vague : <attribut> » à la "
            "section « revue » de projet.yml, ou passez attribute=…"
        )
    if before is None or after is None:
        spec = project.config.attributes.get(attribute)
        declared = spec.choices if spec is not None else ()
        if len(declared) < 2:
            raise UnknownOption(
                f"L'attribut « {attribute} » ne déclare pas ses vagues (valeurs) dans projet.yml : "
                "indiquez les deux vagues à comparer (before=…, after=…)."
            )
        before = declared[0] if before is None else before
        after = declared[-1] if after is None else after
    documents = project.documents()
    if kind is not None:
        documents = documents[documents["kind"] == kind]
    if attribute not in documents.columns:
        raise UnknownColumn(
            f"Aucun document ne porte l'attribut « {attribute} » : impossible de comparer les vagues."
        )
    who = (
        documents["participant"] if "participant" in documents.columns else documents["document_id"]
    )
    documents = documents.assign(respondent=who.fillna(documents["document_id"]))
    waves = {}
    for name, wave in (("before", before), ("after", after)):
        waves[name] = documents[documents[attribute] == wave]
        if waves[name].empty:
            raise EmptySelection(
                f"Vague « {wave} » introuvable : aucun document de ce genre ne porte "
                f"« {attribute} » = « {wave} »."
            )
    frame = coded_segments(project, codings)
    rows = []
    book = project.codebook
    paired = set(waves["before"]["respondent"]) & set(waves["after"]["respondent"])
    sets = {}
    for name, wave_docs in waves.items():
        part = frame[frame["document_id"].isin(wave_docs["document_id"])]
        respondent = part["document_id"].map(wave_docs.set_index("document_id")["respondent"])
        sets[name] = (part.assign(respondent=respondent), wave_docs["respondent"].nunique())
    present = set(sets["before"][0]["code_id"]) | set(sets["after"][0]["code_id"])
    used = [c for c in code_order(project) if c in present]
    for code_id in used:
        row: dict[str, Any] = {
            "code_id": code_id,
            "code": book.get(code_id).label,
            "theme": book.get(book.theme_of(code_id)).label,
        }
        coded = {}
        for name, (part, total) in sets.items():
            mine = part[part["code_id"] == code_id]
            coded[name] = set(mine["respondent"])
            row[f"segments_{name}"] = len(mine)
            row[f"respondents_{name}"] = len(coded[name])
            row[f"share_{name}"] = len(coded[name]) / total if total else np.nan
        row["change"] = row["share_after"] - row["share_before"]
        row["paired"] = len(paired)
        row["gained"] = len((coded["after"] - coded["before"]) & paired)
        row["lost"] = len((coded["before"] - coded["after"]) & paired)
        rows.append(row)
    columns = [
        "code_id", "code", "theme", "segments_before", "segments_after", "respondents_before",
        "respondents_after", "share_before", "share_after", "change", "paired", "gained", "lost",
    ]  # fmt: skip
    result = pd.DataFrame(rows, columns=columns)
    result.attrs["waves"] = (before, after)
    return result


def saturation(project: Project, *, codings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Saturation curve: new codes appearing as documents are coded, in coding order (documents
    sorted by the time of their first coding).

    Columns: ``rank`` (1, 2…), ``document``, ``first_coded_at``, ``segments`` (codings in the
    document), ``new_codes`` (how many codes appear for the first time), ``new_code_ids`` (list),
    ``cumulative_codes``, ``share_of_codes`` (cumulative / codes used overall, 0–1).
    """
    frame = coded_segments(project, codings)
    columns = ["rank", "document", "first_coded_at", "segments", "new_codes", "new_code_ids",
               "cumulative_codes", "share_of_codes"]  # fmt: skip
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.sort_values(["created_at", "document", "start"], kind="stable")
    first_doc = frame.groupby("document", sort=False)["created_at"].min().sort_values(kind="stable")
    rank = {doc: i for i, doc in enumerate(first_doc.index)}
    frame = frame.assign(doc_rank=frame["document"].map(rank))
    first_seen = frame.sort_values(["doc_rank", "created_at"], kind="stable").drop_duplicates(
        "code_id"
    )
    new = first_seen.groupby("document")["code_id"].agg(list)
    result = pd.DataFrame(
        {
            "rank": np.arange(1, len(first_doc) + 1),
            "document": first_doc.index,
            "first_coded_at": first_doc.to_numpy(),
            "segments": frame.groupby("document").size().reindex(first_doc.index).to_numpy(),
        }
    )
    result["new_code_ids"] = [new.get(d, []) for d in result["document"]]
    result["new_codes"] = result["new_code_ids"].map(len)
    result["cumulative_codes"] = result["new_codes"].cumsum()
    result["share_of_codes"] = result["cumulative_codes"] / max(
        int(result["cumulative_codes"].iloc[-1]), 1
    )
    return result[columns]
