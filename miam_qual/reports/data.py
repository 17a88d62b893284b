"""Everything a supervisor report shows, computed once and shared by the HTML, DOCX and XLSX
writers (which only lay it out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from .. import agreement as agreement_stats
from .. import analysis
from ..errors import MiamError
from ..summaries import Summary, theme_summaries
from . import charts

if TYPE_CHECKING:
    from spacy.language import Language

    from ..project import Project

#: Rows of the disagreement table shown in HTML/DOCX (the workbook has them all).
DISAGREEMENTS_SHOWN = 150


@dataclass
class ReportData:
    """The content of a report. Tables are the documented DataFrames of ``miam_qual.analysis``
    and ``miam_qual.agreement``; images are PNG bytes (``None`` when there is nothing to draw)."""

    project_name: str
    generated_at: str
    scope: str  # French sentence: which themes and coders the report covers
    status: dict[str, object]
    codings: pd.DataFrame
    themes: pd.DataFrame
    codes: pd.DataFrame
    codes_by_coder: pd.DataFrame
    summaries: list[Summary]
    group: str
    group_label: str
    by_group: pd.DataFrame  # crosstab_table (themes × group values)
    cooccurrence: pd.DataFrame  # labelled square matrix
    waves: pd.DataFrame
    saturation: pd.DataFrame
    agreement: pd.DataFrame | None
    disagreements: pd.DataFrame | None
    agreement_note: str
    images: dict[str, bytes | None] = field(default_factory=dict)


def build_report_data(
    project: Project,
    *,
    themes: list[str] | None = None,
    coders: list[str] | None = None,
    nlp: Language | None = None,
    unit: str = "turn",
    uncoded: str = "absent",
    group: str = "type_source",
    excerpts: int = 5,
) -> ReportData:
    """Compute the report's content.

    ``themes``: theme (or code) ids to cover (default: all); ``coders``: whose codings count
    (default: all). ``nlp``: the spaCy pipeline for word clouds (default: ``fr_core_news_sm``
    loaded once). ``unit``/``uncoded``: agreement options (see ``miam_qual.agreement``).
    """
    if nlp is None:
        from ..nlp import load_nlp

        nlp = load_nlp()
    book = project.codebook
    theme_ids = None
    if themes:
        theme_ids = list(dict.fromkeys(book.theme_of(book.get(t).id) for t in themes))
    codings = project.codings(code=themes or None, coder=coders or None)
    frame = analysis.common.coded_segments(project, codings)
    from .labels import column_label

    group_label = column_label(project, group)
    theme_table = analysis.theme_frequencies(project, codings=frame)
    code_table = analysis.code_frequencies(project, codings=frame)
    if theme_ids is not None:
        theme_table = theme_table[theme_table["theme_id"].isin(theme_ids)].reset_index(drop=True)
        code_table = code_table[code_table["theme_id"].isin(theme_ids)].reset_index(drop=True)
    by_coder = (
        analysis.code_frequencies(project, codings=frame, by="coder")
        if len(frame)
        else code_table.iloc[0:0]
    )
    if group in frame.columns and len(frame):
        by_group = analysis.crosstab_table(
            analysis.crosstab(project, group, codings=frame, level="theme")
        )
    else:
        by_group = pd.DataFrame()
    matrix = (
        analysis.cooccurrence_matrix(project, codings=frame, labels=True)
        if len(frame)
        else pd.DataFrame()
    )
    try:
        waves = analysis.compare_waves(project, codings=frame)
    except MiamError:
        waves = pd.DataFrame()
    saturation = analysis.saturation(project, codings=frame)
    summaries = theme_summaries(
        project, nlp=nlp, themes=theme_ids, codings=frame, group=group, excerpts=excerpts
    )
    agreement_table = disagreement_table = None
    unit_label = agreement_stats.UNIT_LABELS.get(unit, unit)
    try:
        comparison = agreement_stats.compare(
            project, unit=unit, coders=coders, codes=themes, uncoded=uncoded, codings=codings
        )
        agreement_table = agreement_stats.agreement(project, comparison=comparison)
        disagreement_table = agreement_stats.disagreements(project, comparison=comparison)
        compared = [c for c in disagreement_table.columns[5:]]
        note = (
            f"Codeur·ses comparé·es : {', '.join(compared)}. Unité d'analyse : {unit_label}. "
            f"Texte non codé : {agreement_stats.UNCODED_LABELS[uncoded]}. Seuls les documents codés "
            "par toutes et tous sont comparés."
        )
    except MiamError as err:
        note = f"Accord inter-codeurs non calculé : {err}"
    scope = (
        "Tous les thèmes"
        if not theme_ids
        else "Thèmes : " + ", ".join(book.get(t).label for t in theme_ids)
    )
    scope += " ; codages de " + (", ".join(coders) if coders else "toutes et tous les codeur·ses")
    data = ReportData(
        project_name=project.name,
        generated_at=dt.datetime.now().strftime("%d/%m/%Y à %H:%M"),
        scope=scope,
        status=_status(project, codings),
        codings=codings,
        themes=theme_table,
        codes=code_table,
        codes_by_coder=by_coder,
        summaries=summaries,
        group=group,
        group_label=group_label,
        by_group=by_group,
        cooccurrence=matrix,
        waves=waves,
        saturation=saturation,
        agreement=agreement_table,
        disagreements=disagreement_table,
        agreement_note=note,
    )
    data.images = {
        "by_group": charts.bars_by_group(
            by_group, title=f"Segments codés par thème et {group_label.lower()}"
        ),
        "cooccurrence": charts.heatmap(
            matrix, title="Cooccurrence des codes (passages qui se chevauchent)"
        ),
        "agreement": charts.agreement_bars(agreement_table, title="Accord par code")
        if agreement_table is not None
        else None,
        "saturation": charts.saturation_curve(saturation, title="Courbe de saturation"),
    }
    for summary in summaries:
        if not summary.distribution.empty:
            table = pd.DataFrame(
                {
                    c.label: c.distribution.set_index("group")["segments"]
                    for c in summary.codes
                    if c.counts["segments"]
                }
            ).T.fillna(0)
            data.images[f"theme:{summary.code_id}"] = charts.bars_by_group(
                table, title=f"Codes du thème par {group_label.lower()}"
            )
    return data


def _status(project: Project, codings: pd.DataFrame) -> dict[str, object]:
    """Headline counts (``documents, participants, codes``) without re-reading every text."""
    return {
        "documents": len(project.documents()),
        "participants": len(project.participants()),
        "codes": len(project.codebook),
        "coders": int(codings["coder"].nunique()),
    }
