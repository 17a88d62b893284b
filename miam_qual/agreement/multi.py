"""Agreement beyond one table per code: per theme, coder by coder, with bootstrapped
intervals for alpha, and a coder's progress against a reference coder document after document.
Every function reads a ``Comparison`` (see ``coders.compare``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import AgreementError
from .bootstrap import THRESHOLDS, bootstrap_from_coincidences
from .coders import OVERALL, OVERALL_LABEL, Comparison, agreement, compare
from .decisions import AGREEMENT_COLUMNS, code_decisions, coded_weight, pooled_row

if TYPE_CHECKING:
    from ..project import Project

#: Columns of ``theme_agreement``.
THEME_AGREEMENT_COLUMNS = ["theme_id", "theme", "codes", *AGREEMENT_COLUMNS[3:]]
#: Columns of ``pairwise``.
PAIRWISE_COLUMNS = [
    "coder_a", "coder_b", "documents", "units", "percent_agreement", "kappa", "alpha",
]  # fmt: skip
#: Columns of ``alpha_intervals``.
INTERVAL_COLUMNS = [
    "code_id", "code", "theme", "alpha", "alpha_low", "alpha_high", "below_0667", "below_080",
]  # fmt: skip


def theme_agreement(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    uncoded: str = "absent",
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """Agreement per theme: the yes/no decisions of a theme's codes pooled (as the overall row
    of ``agreement`` pools every code), so alpha per theme says how reliably the theme as a
    whole is coded, code by code.

    Columns: ``theme_id, theme, codes`` (codes of the theme compared), then the columns of
    ``agreement`` from ``units`` on (``units_coded``: units where some coder applied one of the
    theme's codes). The first row, ``theme_id == "*"``, pools every code. Themes in codebook
    order; a theme none of whose codes was applied is left out. Raises what ``compare`` raises.
    """
    if comparison is None:
        comparison = compare(project, unit=unit, coders=coders, uncoded=uncoded)
    book = project.codebook
    per_code = code_decisions(comparison)
    rows = []
    for theme in book.themes():
        mine = [c for c in per_code if book.theme_of(c) == theme.id]
        if not mine:
            continue
        row = pooled_row(theme.id, theme.label, theme.label, [per_code[c] for c in mine],
                         coded_weight(comparison, mine))  # fmt: skip
        rows.append({"theme_id": theme.id, "codes": len(mine), **row})
    overall = pooled_row(OVERALL, OVERALL_LABEL, "", list(per_code.values()),
                         coded_weight(comparison))  # fmt: skip
    rows.insert(0, {**overall, "theme_id": OVERALL, "theme": OVERALL_LABEL, "codes": len(per_code)})
    return pd.DataFrame(rows, columns=THEME_AGREEMENT_COLUMNS)


def pairwise(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    uncoded: str = "absent",
) -> pd.DataFrame:
    """Every pair of coders compared on its own shared documents (so an intern who coded six
    passages is compared on those, without shrinking the others' comparison).

    ``coders``: the coders to pair (default: everyone who coded). Columns: ``coder_a, coder_b``
    (alphabetical), ``documents`` (documents both coded; 0 when they share none, the figures
    are then ``NaN``), ``units`` (weighted units compared), and the overall row of ``agreement``
    for the pair: ``percent_agreement, kappa, alpha``. ``pairwise_matrix`` turns it into a
    coder × coder table. Raises ``AgreementError`` when fewer than two coders coded.
    """
    codings = project.codings()
    names = sorted(set(codings["coder"]) if coders is None else coders)
    if len(names) < 2:
        raise AgreementError(
            "L'accord par paire demande au moins deux codeurs ayant codé "
            f"(trouvé : {', '.join(names) or 'aucun'})."
        )
    rows = []
    nan = float("nan")
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            row: dict = {"coder_a": first, "coder_b": second, "documents": 0, "units": 0.0,
                         "percent_agreement": nan, "kappa": nan, "alpha": nan}  # fmt: skip
            try:
                pair = compare(project, unit=unit, coders=[first, second], codes=codes,
                               uncoded=uncoded, codings=codings)  # fmt: skip
            except AgreementError:  # nothing shared (or nothing coded in the units): NaN
                rows.append(row)
                continue
            table = agreement(project, comparison=pair).iloc[0]
            row.update(documents=len(pair.documents), units=float(table["units"]),
                       percent_agreement=table["percent_agreement"], kappa=table["kappa"],
                       alpha=table["alpha"])  # fmt: skip
            rows.append(row)
    return pd.DataFrame(rows, columns=PAIRWISE_COLUMNS)


def pairwise_matrix(table: pd.DataFrame, value: str = "alpha") -> pd.DataFrame:
    """A ``pairwise`` result as a square coder × coder table of ``value`` (``alpha``,
    ``percent_agreement``, ``kappa``, ``documents`` or ``units``): symmetric, ``NaN`` on the
    diagonal."""
    names = sorted(set(table["coder_a"]) | set(table["coder_b"]))
    square = pd.DataFrame(np.nan, index=pd.Index(names, name="coder"), columns=names)
    for a, b, v in zip(table["coder_a"], table["coder_b"], table[value], strict=True):
        square.loc[a, b] = square.loc[b, a] = v
    return square


def alpha_intervals(
    project: Project,
    *,
    unit: str = "turn",
    coders: list[str] | None = None,
    codes: list[str] | None = None,
    uncoded: str = "absent",
    comparison: Comparison | None = None,
    samples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Krippendorff's alpha per code and overall with its bootstrapped interval
    (``miam_qual.agreement.bootstrap``: Krippendorff's resampling of pairs of values, ``samples``
    resamples, seeded: the same ``seed`` gives the same table).

    Columns: ``code_id, code, theme, alpha, alpha_low, alpha_high`` (the interval at ``level``),
    ``below_0667`` and ``below_080`` (share of resampled alphas under 0.667 and 0.8: the risk
    that the true alpha does not reach these thresholds). First row: every code pooled.
    """
    if comparison is None:
        comparison = compare(project, unit=unit, coders=coders, codes=codes, uncoded=uncoded)
    per_code = code_decisions(comparison)
    book = project.codebook
    m = len(comparison.coders)
    draws = float(comparison.units["weight"].sum()) * m * (m - 1) / 2
    rng = np.random.default_rng(seed)
    rows = []
    groups = [(OVERALL, OVERALL_LABEL, "", list(per_code))] + [
        (c, book.get(c).label, book.get(book.theme_of(c)).label, [c]) for c in per_code
    ]
    for code_id, label, theme, members in groups:
        o = sum(per_code[c].sums.coincidences for c in members)
        result = bootstrap_from_coincidences(
            np.asarray(o), int(round(draws * len(members))), samples=samples, level=level,
            seed=rng, thresholds=THRESHOLDS,
        )  # fmt: skip
        rows.append({"code_id": code_id, "code": label, "theme": theme, "alpha": result.alpha,
                     "alpha_low": result.low, "alpha_high": result.high,
                     "below_0667": result.below[0.667], "below_080": result.below[0.8]})  # fmt: skip
    return pd.DataFrame(rows, columns=INTERVAL_COLUMNS)


#: Columns of ``progress``.
PROGRESS_COLUMNS = [
    "rank", "document", "first_coded_at", "units", "percent_agreement", "gwet_ac1", "alpha",
    "cumulative_alpha", "cumulative_gwet_ac1",
]  # fmt: skip


def progress(
    project: Project,
    *,
    reference: str,
    coder: str,
    unit: str = "turn",
    uncoded: str = "absent",
    documents: list[str] | None = None,
) -> pd.DataFrame:
    """How a coder's agreement with a ``reference`` coder (a supervisor's coding taken as the
    reference) moves as the coder works: one row per document both coded, in the order the
    coder first coded them (same time: document name). The passages themselves: ``disagreements(coders=[reference,
    coder])``.

    Columns: ``rank`` (1, 2…), ``document``, ``first_coded_at`` (the coder's first coding in it),
    ``units`` (weighted units), ``percent_agreement``, ``gwet_ac1``, ``alpha`` (every code's
    yes/no decisions pooled, in that document), ``cumulative_alpha`` (the same over this
    document and every earlier one), ``cumulative_gwet_ac1`` (likewise). ``documents``: names or
    GUIDs of the documents to follow (a reference set, ``miam_qual.training``); default: every
    document both coded. Raises what ``compare`` raises.
    """
    codings = None
    if documents is not None:
        guids = {project.document_id(d) for d in documents}
        codings = project.codings(coder=[reference, coder])
        codings = codings[codings["document_id"].isin(guids)]
    comparison = compare(
        project, unit=unit, coders=[reference, coder], uncoded=uncoded, codings=codings
    )
    theirs = project.codings(coder=coder)
    theirs = theirs[theirs["document"].isin(comparison.documents)]
    first = theirs.groupby("document")["created_at"].min().sort_values(kind="stable")
    units = comparison.units
    rows: list[dict] = []
    seen: list = []
    for rank, (document, when) in enumerate(first.items(), start=1):
        keep = np.flatnonzero(units["document"].to_numpy() == document)
        remap = np.full(len(units), -1)
        remap[keep] = np.arange(len(keep))
        presence = comparison.presence[comparison.presence["unit"].isin(keep)]
        part = Comparison(
            units.iloc[keep].reset_index(drop=True),
            presence.assign(unit=remap[presence["unit"].to_numpy()]).reset_index(drop=True),
            comparison.coders, comparison.codes, comparison.unit, comparison.uncoded,
        )  # fmt: skip
        decisions = list(code_decisions(part).values())
        seen.extend(decisions)
        here = pooled_row(document, document, "", decisions, coded_weight(part))
        so_far = pooled_row("*", "", "", seen, 0.0)
        rows.append({"rank": rank, "document": document, "first_coded_at": when,
                     "units": here["units"], "percent_agreement": here["percent_agreement"],
                     "gwet_ac1": here["gwet_ac1"], "alpha": here["alpha"],
                     "cumulative_alpha": so_far["alpha"],
                     "cumulative_gwet_ac1": so_far["gwet_ac1"]})  # fmt: skip
    return pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
