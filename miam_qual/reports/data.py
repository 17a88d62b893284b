"""Everything a supervisor report shows, computed once and shared by the HTML, DOCX and XLSX
writers (which only lay it out)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import agreement as agreement_stats
from .. import analysis
from ..errors import MiamError
from ..privacy.consent import NOT_QUOTABLE, ConsentCheck
from ..privacy.pseudonyms import Pseudonyms
from ..privacy.redact import pseudonymise
from ..summaries import Summary, theme_summaries, word_cloud_png
from .review import review_tables
from .segments import consented_codings

if TYPE_CHECKING:
    from spacy.language import Language

    from ..nlp import CachedWordCounts
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
    status: dict[str, Any]
    codings: pd.DataFrame
    themes: pd.DataFrame
    codes: pd.DataFrame
    codes_by_coder: pd.DataFrame
    summaries: list[Summary]
    group: str | None  # the attribute grouping sources (``config.review.group``), if any
    group_label: str
    by_group: pd.DataFrame  # crosstab_table (themes × group values)
    cooccurrence: pd.DataFrame  # labelled square matrix
    waves: pd.DataFrame
    saturation: pd.DataFrame
    agreement: pd.DataFrame | None
    disagreements: pd.DataFrame | None
    agreement_note: str
    images: dict[str, bytes | None] = field(default_factory=dict)
    #: The words each picture shows (chart labels, word clouds), read by the privacy gate.
    picture_words: dict[str, list[str]] = field(default_factory=dict)
    #: The review of codings (``reports/review.py``): open threads, latest changes to codings.
    review_threads: pd.DataFrame = field(default_factory=pd.DataFrame)
    review_changes: pd.DataFrame = field(default_factory=pd.DataFrame)


def build_report_data(
    project: Project,
    *,
    themes: list[str] | None = None,
    coders: list[str] | None = None,
    nlp: Language | CachedWordCounts | None = None,
    unit: str = "turn",
    uncoded: str = "absent",
    group: str | None = None,
    excerpts: int = 5,
    pictures: bool = True,
) -> ReportData:
    """Compute the report's content, in its shareable form.

    ``themes``: theme (or code) ids to cover (default: all); ``coders``: whose codings count
    (default: all; a name not registered raises ``UnknownCoder``). ``nlp``: the spaCy pipeline for word lists and clouds (default:
    ``fr_core_news_sm`` through the project's word cache, ``nlp.CachedWordCounts``, which loads
    it only for passages no report has seen; this function never writes the cache).
    ``unit``/``uncoded``: agreement options (see ``miam_qual.agreement``).
    ``group``: the attribute that sorts sources by kind (default: ``config.review.group`` of
    ``projet.yml``; ``type_source`` for MIAM); without one, the by-group tables stay empty.
    ``pictures=False``: no chart nor word cloud (``images`` stays empty), for a workbook alone.

    The report leaves the project, so it honours consent and pseudonyms: the words of a person
    who did not consent to *analysis* are left out of everything, counts included; an excerpt is
    shown only when every speaker in it consented to *written quotation* (otherwise it reads
    ``(extrait non citable)`` and its words feed no word list); every text — excerpts, memos,
    code labels, document names, attribute values, chart labels — has real names replaced.
    """
    if nlp is None:
        from ..nlp import CachedWordCounts

        nlp = CachedWordCounts(project.root)
    for coder in coders or []:  # a misspelt name is refused, not read as "nothing coded"
        project.coder_id(coder)
    book = project.codebook
    check = ConsentCheck(project)
    pseudonyms = Pseudonyms.load(project.root)
    theme_ids = None
    if themes:
        theme_ids = list(dict.fromkeys(book.theme_of(book.get(t).id) for t in themes))
    codings = consented_codings(project.codings(code=themes or None, coder=coders or None), check)
    frame = analysis.common.coded_segments(project, codings)
    from .labels import column_label

    if group is None:
        group = project.config.review.group
    group_label = column_label(project, group) if group else ""
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
    if group and group in frame.columns and len(frame):
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
        project, nlp=nlp, themes=theme_ids, codings=frame, group=group, excerpts=excerpts,
        clouds=False,
    )  # fmt: skip
    agreement_table = disagreement_table = None
    unit_label = agreement_stats.UNIT_LABELS.get(unit, unit)
    try:
        comparison = agreement_stats.compare(
            project, unit=unit, coders=coders, codes=themes, uncoded=uncoded, codings=codings
        )
        comparison = _without_refused_units(comparison, check)
        agreement_table = agreement_stats.agreement(project, comparison=comparison)
        disagreement_table = _quotable_passages(
            project, agreement_stats.disagreements(project, comparison=comparison), check
        )
        note = f"Unité d'analyse : {unit_label}. " + agreement_stats.describe(comparison)
    except MiamError as err:
        note = f"Accord inter-codeurs non calculé : {err}"
    scope = (
        "Tous les thèmes"
        if not theme_ids
        else "Thèmes : " + ", ".join(book.get(t).label for t in theme_ids)
    )
    scope += " ; codages de " + (", ".join(coders) if coders else "toutes et tous les codeur·ses")
    covered = None
    if themes:
        covered = list(dict.fromkeys(c for t in themes for c in book.descendants(t)))
    review_threads, review_changes = review_tables(project, check, codes=covered, coders=coders)
    data = ReportData(
        project_name=project.name,
        generated_at=dt.datetime.now().strftime("%d/%m/%Y à %H:%M"),
        scope=scope,
        status=_status(project, codings, check),
        codings=codings.drop(columns=["quotable"]),
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
        review_threads=review_threads,
        review_changes=review_changes,
    )
    data = pseudonymise(data, pseudonyms)
    if pictures:
        _draw(data)
    return data


def _without_refused_units(comparison, check: ConsentCheck):
    """The comparison without the units spoken by someone who did not consent to analysis."""
    units = comparison.units
    refused = check.touching(units, "analyse", unknown=True)
    if not refused.any():
        return comparison
    kept = np.flatnonzero(~refused)
    remap = np.full(len(units), -1)
    remap[kept] = np.arange(len(kept))
    presence = comparison.presence.assign(unit=remap[comparison.presence["unit"].to_numpy()])
    presence = presence[presence["unit"] >= 0].reset_index(drop=True)
    return dataclasses.replace(
        comparison, units=units.iloc[kept].reset_index(drop=True), presence=presence
    )


def _quotable_passages(project: Project, table: pd.DataFrame, check: ConsentCheck) -> pd.DataFrame:
    """Disagreement passages with the text of non-quotable ones replaced by ``NOT_QUOTABLE``."""
    if table.empty:
        return table
    ids = dict(
        zip(project.documents()["document"], project.documents()["document_id"], strict=True)
    )
    located = table.assign(document_id=table["document"].map(ids))
    hidden = check.touching(located, "citation", unknown=False)
    return table.assign(text=table["text"].where(~hidden, NOT_QUOTABLE))


def _labels(frame: pd.DataFrame | None, title: str) -> list[str]:
    if frame is None or frame.empty:
        return [title]
    values = [str(v) for v in frame.index] + [str(c) for c in frame.columns]
    return [title, *values]


def _draw(data: ReportData) -> None:
    """Draw the charts and word clouds from the (pseudonymised) data; record the words each
    picture shows in ``data.picture_words`` for the privacy gate."""
    from . import charts  # matplotlib: loaded only when pictures are drawn

    group_label = data.group_label.lower()
    charts_to_draw: dict[str, tuple[Callable[..., Any], pd.DataFrame, str]] = {
        "by_group": (charts.bars_by_group, data.by_group,
                     f"Segments codés par thème et {group_label}"),
        "cooccurrence": (charts.heatmap, data.cooccurrence,
                         "Cooccurrence des codes (passages qui se chevauchent)"),
        "saturation": (charts.saturation_curve, data.saturation, "Courbe de saturation"),
    }  # fmt: skip
    if data.agreement is not None:
        labelled = data.agreement.set_index("code") if "code" in data.agreement else None
        charts_to_draw["agreement"] = (charts.agreement_bars, data.agreement, "Accord par code")
        data.picture_words["agreement"] = _labels(labelled, "Accord par code")
    else:
        data.images["agreement"] = None
    for key, (draw, table, title) in charts_to_draw.items():
        data.images[key] = draw(table, title=title)
        data.picture_words.setdefault(key, _labels(table, title))
    for summary in data.summaries:
        if not summary.words.empty:
            summary.cloud_png = word_cloud_png(summary.words, color=summary.color)
            data.picture_words[f"nuage:{summary.code_id}"] = list(summary.words["word"])
        if not summary.distribution.empty:
            table = pd.DataFrame(
                {
                    c.label: c.distribution.set_index("group")["segments"]
                    for c in summary.codes
                    if c.counts["segments"]
                }
            ).T.fillna(0)
            title = f"Codes du thème par {group_label}"
            data.images[f"theme:{summary.code_id}"] = charts.bars_by_group(table, title=title)
            data.picture_words[f"theme:{summary.code_id}"] = _labels(table, title)


def _status(project: Project, codings: pd.DataFrame, check: ConsentCheck) -> dict[str, object]:
    """Headline counts (``documents, participants, codes, coders``), without the documents and
    people who did not consent to analysis, and without re-reading every text."""
    documents = project.documents()
    people = project.participants()
    consenting = {p for p in people["participant"] if check.allows(p, "analyse")}
    owners = documents["participant"] if "participant" in documents else pd.Series(dtype=object)
    refused_documents = owners.notna() & ~owners.isin(consenting)
    return {
        "documents": int((~refused_documents).sum()),
        "participants": len(consenting),
        "codes": len(project.codebook),
        "coders": int(codings["coder"].nunique()),
    }
