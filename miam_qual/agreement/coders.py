"""Agreement among a project's coders: per code and overall, and the passages to discuss."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import AgreementError, DuplicateCoder, UnknownCoder, UnknownOption
from .decisions import AGREEMENT_COLUMNS, code_decisions, coded_weight, pooled_row
from .units import UNIT_LABELS, agreement_units, locate

if TYPE_CHECKING:
    from ..project import Project

#: How text that no coder coded counts, with French labels.
UNCODED_LABELS = {
    "absent": "compté comme « code absent » pour chaque codeur",
    "ignore": "ignoré (seules les unités codées par au moins un codeur comptent)",
}
#: ``code_id`` of the row that pools every code in ``agreement``.
OVERALL = "*"
OVERALL_LABEL = "Ensemble des codes"


#: Columns of ``Comparison.left_out``.
LEFT_OUT_COLUMNS = ["document", "coders", "reason"]


@dataclass
class Comparison:
    """What the coders are compared on: ``units`` (``agreement_units`` columns), ``presence``
    (``unit`` position in ``units``, ``coder``, ``code_id``: who applied which code to which
    unit), the ``coders`` and the ``codes`` used (codebook order), and the options.

    ``documents``: names of the documents compared. ``left_out``: the coded documents left out
    (columns ``document, coders``: who coded it, and ``reason``, in French). ``others``: coders
    who coded something but are not compared. ``chosen``: ``"explicit"`` when the caller named
    the coders, ``"all"`` when exactly the coders who coded are compared, ``"pair"`` when the
    pair sharing the most documents was chosen among three or more. ``describe`` says all of it
    in French.
    """

    units: pd.DataFrame
    presence: pd.DataFrame
    coders: list[str]
    codes: list[str]
    unit: str
    uncoded: str
    documents: list[str] = field(default_factory=list)
    left_out: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LEFT_OUT_COLUMNS))
    others: list[str] = field(default_factory=list)
    chosen: str = "explicit"


def default_coders(codings: pd.DataFrame) -> tuple[list[str], str]:
    """The coders compared when none are named: everyone who coded when there are two; among
    three or more, the pair who coded the most documents in common (ties: the pair with the most
    codings in those documents, then alphabetical order). Returns ``(coders, chosen)`` with
    ``chosen`` ``"all"`` or ``"pair"`` (see ``Comparison``)."""
    everyone = sorted(codings["coder"].unique())
    if len(everyone) <= 2:
        return everyone, "all"
    docs = {c: set(d) for c, d in codings.groupby("coder")["document_id"]}
    per_doc = codings.groupby(["coder", "document_id"]).size()
    best: tuple[int, int, tuple[str, str]] | None = None
    for i, first in enumerate(everyone):
        for second in everyone[i + 1 :]:
            shared = docs[first] & docs[second]
            weight = sum(int(per_doc[(c, d)]) for c in (first, second) for d in shared)
            key = (len(shared), weight, (first, second))
            if best is None or (key[0], key[1]) > (best[0], best[1]):
                best = key
    assert best is not None
    return list(best[2]), "pair"


def describe(comparison: Comparison) -> str:
    """What an agreement compares, in French: the coders and how they were chosen, the documents
    and units compared, and what was left out and why."""
    coders = _names(comparison.coders)
    how = {
        "explicit": "choisi·es",
        "all": "les deux personnes qui ont codé",
        "pair": "la paire qui a codé le plus de documents en commun",
    }[comparison.chosen]
    text = [f"Codeur·ses comparé·es : {coders} ({how})."]
    if comparison.others:
        text.append(
            f"Non comparé·e{'s' if len(comparison.others) > 1 else ''} : "
            f"{_names(comparison.others)} (passez coders=[...] pour choisir)."
        )
    unit_label = UNIT_LABELS[comparison.unit]
    weight = float(comparison.units["weight"].sum()) if len(comparison.units) else 0.0
    text.append(
        f"{len(comparison.documents)} document(s) comparé(s) (ceux que chacun·e a codés), "
        f"{weight:.0f} unité(s) « {unit_label} » ; texte non codé "
        f"{UNCODED_LABELS[comparison.uncoded]}."
    )
    left = comparison.left_out
    if len(left):
        shown = [
            f"{d} ({r})" for d, r in zip(left["document"][:5], left["reason"][:5], strict=True)
        ]
        more = f" et {len(left) - 5} autre(s)" if len(left) > 5 else ""
        text.append(
            f"{len(left)} document(s) codé(s) laissé(s) de côté, car codé(s) par une partie "
            f"seulement des personnes comparées : {' ; '.join(shown)}{more}."
        )
    return " ".join(text)


def compare(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    uncoded: str = "absent",
    codings: pd.DataFrame | None = None,
) -> Comparison:
    """Prepare an agreement computation (shared by ``agreement`` and ``disagreements``).

    ``codings``: an already read ``project.codings()`` or ``project.coded_spans()`` to reuse. ``coders``: the coders to compare
    (default: ``default_coders``). Only documents that every compared coder coded are kept; the
    others are listed in ``left_out``.

    Raises ``UnknownOption`` for an unknown ``unit`` or ``uncoded`` option, ``DuplicateCoder`` when
    a coder is named twice, ``UnknownCoder`` for a coder the project does not know, and
    ``AgreementError`` with fewer than two coders, a coder who coded nothing, no document coded by
    every coder, or nothing coded in the units compared.
    """
    if uncoded not in UNCODED_LABELS:
        raise UnknownOption(
            f"Option « uncoded » inconnue « {uncoded} » (possibles : {', '.join(UNCODED_LABELS)})."
        )
    if unit not in UNIT_LABELS:
        raise UnknownOption(
            f"Unité d'analyse inconnue « {unit} » (possibles : {', '.join(UNIT_LABELS)})."
        )
    if coders is not None:
        coders = _registered(project, [coders] if isinstance(coders, str) else list(coders))
    if codings is None:  # where each coding lies is all a comparison needs
        codings = project.coded_spans(coders) if coders else project.coded_spans()
    elif coders:
        codings = codings[codings["coder"].isin(coders)]
    chosen = "explicit"
    if not coders:
        coders, chosen = default_coders(codings)
        others = sorted(set(codings["coder"]) - set(coders))
        codings = codings[codings["coder"].isin(coders)]
    else:
        others = []
    if len(coders) < 2:
        raise AgreementError(
            "L'accord inter-codeurs demande au moins deux codeurs ayant codé "
            f"(trouvé : {', '.join(coders) or 'aucun'})."
        )
    idle = [c for c in coders if c not in set(codings["coder"])]
    if idle:
        raise AgreementError(
            f"{_names(idle)} n'{'a' if len(idle) == 1 else 'ont'} encore rien codé : l'accord "
            "se calcule entre codeurs qui ont codé les mêmes documents."
        )
    per_doc = codings.groupby("document_id")["coder"].nunique()
    common = list(per_doc.index[per_doc == len(coders)])
    if not common:
        raise AgreementError(
            f"Aucun document n'a été codé à la fois par {_names(coders)} : l'accord se calcule "
            "sur les documents que chacun·e a codés. Faites coder au moins un même document."
        )
    names = codings.drop_duplicates("document_id").set_index("document_id")["document"]
    partial = per_doc.index[per_doc < len(coders)]
    who = codings[codings["document_id"].isin(partial)].groupby("document_id")["coder"].unique()
    left_out = pd.DataFrame(
        {
            "document": [names[d] for d in partial],
            "coders": [", ".join(sorted(who[d])) for d in partial],
            "reason": [f"codé seulement par {_names(sorted(who[d]))}" for d in partial],
        },
        columns=LEFT_OUT_COLUMNS,
    )
    documents = [names[d] for d in common]
    codings = codings[codings["document_id"].isin(common)]
    if codes is not None:
        wanted: list[str] = []
        for code in codes:
            wanted.extend(project.codebook.descendants(code))
        codings = codings[codings["code_id"].isin(wanted)]
    codings = codings.reset_index(drop=True)
    units = agreement_units(project, unit, common, codings)
    if units.empty:
        raise AgreementError(
            f"Les documents codés par {_names(coders)} n'ont aucune unité « {UNIT_LABELS[unit]} » : "
            "choisissez une autre unité d'analyse."
        )
    unit_pos, coding_pos = locate(units, codings)
    presence = pd.DataFrame(
        {
            "unit": unit_pos,
            "coder": codings["coder"].to_numpy()[coding_pos],
            "code_id": codings["code_id"].to_numpy()[coding_pos],
        }
    ).drop_duplicates()
    if presence.empty:
        asked = " avec les codes demandés" if codes is not None else ""
        raise AgreementError(
            f"Rien à comparer : aucun passage codé{asked} dans les documents communs à "
            f"{_names(coders)} ne tombe dans une unité « {UNIT_LABELS[unit]} »."
        )
    if uncoded == "ignore":
        kept = np.sort(presence["unit"].unique())
        remap = np.full(len(units), -1)
        remap[kept] = np.arange(len(kept))
        units = units.iloc[kept].reset_index(drop=True)
        presence = presence.assign(unit=remap[presence["unit"].to_numpy()])
    order = {c.id: i for i, c in enumerate(project.codebook)}
    used = sorted(presence["code_id"].unique(), key=lambda c: order.get(c, len(order)))
    return Comparison(
        units, presence.reset_index(drop=True), coders, used, unit, uncoded,
        documents=documents, left_out=left_out, others=others, chosen=chosen,
    )  # fmt: skip


def _registered(project: Project, coders: list[str]) -> list[str]:
    """``coders`` checked: each named once and registered in the project."""
    twice = sorted({c for c in coders if coders.count(c) > 1})
    if twice:
        raise DuplicateCoder(
            f"{_names(twice)} figure{'nt' if len(twice) > 1 else ''} deux fois parmi les codeurs "
            "à comparer : l'accord se calcule entre codeurs différents."
        )
    known = list(project.coders()["coder"])
    unknown = [c for c in coders if c not in known]
    if unknown:
        raise UnknownCoder(
            f"Codeur inconnu {_names(unknown)} (codeurs enregistrés : "
            f"{', '.join(known) or 'aucun'}). Vérifiez l'orthographe du nom."
        )
    return coders


def _names(names: list[str]) -> str:
    """« a », « b » et « c »."""
    quoted = [f"« {n} »" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " et " + quoted[-1]


def agreement(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    uncoded: str = "absent",
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """Agreement among ``coders`` per code and overall (default coders: see ``default_coders``;
    ``describe(compare(...))`` says who and what is compared).

    ``unit``: ``turn``, ``sentence``, ``answer``, ``paragraph`` or ``character`` (see
    ``UNIT_LABELS``). ``uncoded``: ``"absent"`` (a unit a coder left without the code counts as
    "absent" for that coder) or ``"ignore"`` (units no coder coded at all are left out).
    ``codes``: restrict to these codes or themes (with their descendants). ``comparison``: a
    ``compare(...)`` result to reuse (the other options are then ignored).

    Columns: ``code_id, code, theme, units`` (weighted number of units compared), ``units_coded``
    (units where at least one coder applied the code), ``percent_agreement`` (0–1: agreeing coder
    pairs), ``kappa`` (Cohen; ``NaN`` unless exactly two coders), ``fleiss_kappa`` (any number of
    coders; Scott's pi with two), ``gwet_ac1`` and ``brennan_prediger`` (chance-corrected like
    kappa, but stable when a code is rare: each unit is a yes/no decision, so two categories),
    ``alpha`` (Krippendorff, nominal). The first row, ``code_id == "*"``, pools every code (the
    yes/no decisions of all codes taken together). Raises what ``compare`` raises.
    """
    if comparison is None:
        comparison = compare(project, unit=unit, coders=coders, codes=codes, uncoded=uncoded)
    per_code = code_decisions(comparison)
    book = project.codebook
    rows = [
        pooled_row(
            code_id, book.get(code_id).label, book.get(book.theme_of(code_id)).label, [d], d.coded
        )  # fmt: skip
        for code_id, d in per_code.items()
    ]
    overall = pooled_row(
        OVERALL, OVERALL_LABEL, "", list(per_code.values()), coded_weight(comparison)
    )
    return pd.DataFrame([overall, *rows], columns=AGREEMENT_COLUMNS)


def disagreements(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    max_chars: int | None = 600,
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """Passages to discuss: units where the compared coders did not apply the same codes.

    Columns: ``document, start, end, text`` (the unit's text, cut to ``max_chars``),
    ``codes_in_dispute`` (labels applied by some coders but not all), then one column per coder
    with the labels that coder applied (``""`` for none), side by side. In document and text order.
    """
    if comparison is None:
        comparison = compare(project, unit=unit, coders=coders, codes=codes)
    units, presence, coders = comparison.units, comparison.presence, comparison.coders
    columns = ["document", "start", "end", "text", "codes_in_dispute", *coders]
    book = project.codebook
    order = {c: i for i, c in enumerate(comparison.codes)}
    labels = {c: book.get(c).label for c in comparison.codes}
    applied_by = presence.groupby(["unit", "code_id"])["coder"].nunique()
    disputed = applied_by[applied_by < len(coders)].reset_index()
    if disputed.empty:
        return pd.DataFrame(columns=columns)
    in_dispute = _joined(disputed["unit"], disputed["code_id"], order, labels)
    mine = presence[presence["unit"].isin(in_dispute.index)]
    rows = units.iloc[in_dispute.index].copy()
    texts: dict[str, str] = {}
    excerpts = []
    for doc, start, end in zip(rows["document_id"], rows["start"], rows["end"], strict=True):
        if doc not in texts:
            texts[doc] = project.text(doc)
        excerpt = texts[doc][start:end]
        if max_chars and len(excerpt) > max_chars:
            excerpt = excerpt[: max_chars - 1].rstrip() + "…"
        excerpts.append(excerpt)
    result = pd.DataFrame(
        {
            "document": rows["document"].to_numpy(),
            "start": rows["start"].astype(int).to_numpy(),
            "end": rows["end"].astype(int).to_numpy(),
            "text": excerpts,
            "codes_in_dispute": in_dispute.to_numpy(),
        }
    )
    for coder in coders:
        theirs = mine[mine["coder"] == coder]
        joined = _joined(theirs["unit"], theirs["code_id"], order, labels)
        result[coder] = joined.reindex(in_dispute.index).fillna("").to_numpy()
    return result[columns]


def _joined(
    keys: pd.Series, codes: pd.Series, order: dict[str, int], labels: dict[str, str]
) -> pd.Series:
    """Per key, the labels of its codes in codebook order joined by ", " (indexed by sorted key).

    Vectorised: rows are sorted by (key, code rank) and concatenated per run with
    ``np.add.reduceat`` instead of one Python call per group.
    """
    if len(keys) == 0:
        return pd.Series(dtype=object)
    frame = pd.DataFrame({"key": keys.to_numpy(), "rank": codes.map(order).to_numpy()})
    frame = frame.drop_duplicates().sort_values(["key", "rank"], kind="stable")
    ids = list(order)
    text = np.array([", " + labels[ids[r]] for r in frame["rank"]], dtype=object)
    key = frame["key"].to_numpy()
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    joined = np.add.reduceat(text, starts)
    return pd.Series([j[2:] for j in joined], index=key[starts])
