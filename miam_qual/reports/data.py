"""Everything a supervisor report shows, computed once and shared by the HTML, DOCX and XLSX
writers (which only lay it out)."""

from __future__ import annotations

import dataclasses
import datetime as dt
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
from ..summaries import Summary, theme_summaries
from .pictures import PictureJobs
from .review import review_tables
from .segments import consented_codings

if TYPE_CHECKING:
    from spacy.language import Language

    from ..nlp import CachedWordCounts
    from ..project import Project

#: The module of the report's charts (matplotlib), loaded by whichever process draws them.
CHARTS = "miam_qual.reports.charts"
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
    pictures: bool | PictureJobs = True,
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
    Given a ``PictureJobs``, the pictures are only asked for (drawn beside the rest of the work,
    ``reports/pictures.py``): ``finish_pictures(data, jobs)`` puts them in ``data`` once the
    caller has done what needs none (``write_report`` writes the workbook meanwhile).

    The report leaves the project, so it honours consent and pseudonyms: the words of a person
    who did not consent to *analysis* are left out of everything, counts included; an excerpt is
    shown only when every speaker in it consented to *written quotation* (otherwise it reads
    ``(extrait non citable)`` and its words feed no word list); every text — excerpts, memos,
    code labels, document names, attribute values, chart labels — has real names replaced.
    """
    if pictures is True:  # drawn beside the work below, collected before returning
        own = PictureJobs()  # the worker (if any) loads matplotlib while tables are computed
        try:
            data = build_report_data(
                project, themes=themes, coders=coders, nlp=nlp, unit=unit, uncoded=uncoded,
                group=group, excerpts=excerpts, pictures=own,
            )  # fmt: skip
            finish_pictures(data, own)
        finally:
            own.cancel()  # after a failure, nothing more is drawn
        return data
    if nlp is None:
        from ..nlp import CachedWordCounts

        nlp = CachedWordCounts(project.root)
    for coder in coders or []:  # a misspelt name is refused, not read as "nothing coded"
        project.coder_id(coder)
    jobs = pictures or None
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
    picture_words: dict[str, list[str]] = {}
    if jobs is not None:  # drawn while the summaries are computed
        picture_words = _ask_charts(
            jobs, pseudonyms, group_label, by_group, matrix, saturation, agreement_table
        )
    summaries = theme_summaries(
        project, nlp=nlp, themes=theme_ids, codings=frame, group=group, excerpts=excerpts,
        clouds=False,
    )  # fmt: skip
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
    if jobs is not None:
        data.picture_words = picture_words | _ask_theme_pictures(jobs, data)
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


def _ask_charts(
    jobs: PictureJobs,
    pseudonyms: Pseudonyms,
    group_label: str,
    by_group: pd.DataFrame,
    cooccurrence: pd.DataFrame,
    saturation: pd.DataFrame,
    agreement: pd.DataFrame | None,
) -> dict[str, list[str]]:
    """Ask for the project-wide charts, drawn from pseudonymised tables (``pseudonymise`` gives
    the tables ``ReportData`` will hold); return the words each shows, for the privacy gate."""
    tables: dict[str, tuple[str, pd.DataFrame | None, str]] = {
        "by_group": (f"{CHARTS}:bars_by_group", by_group,
                     f"Segments codés par thème et {group_label.lower()}"),
        "cooccurrence": (f"{CHARTS}:heatmap", cooccurrence,
                         "Cooccurrence des codes (passages qui se chevauchent)"),
        "saturation": (f"{CHARTS}:saturation_curve", saturation, "Courbe de saturation"),
        "agreement": (f"{CHARTS}:agreement_bars", agreement, "Accord par code"),
    }  # fmt: skip
    words = {}
    for key, (draw, table, title) in tables.items():
        if table is None:
            continue  # no agreement: ``images["agreement"]`` is None
        shown, title = pseudonymise(table, pseudonyms), pseudonymise(title, pseudonyms)
        jobs.draw(key, draw, shown, title=title)
        if key == "agreement":  # its bars are labelled by code
            shown = shown.set_index("code") if "code" in shown else None
        words[key] = _labels(shown, title)
    return words


def _ask_theme_pictures(jobs: PictureJobs, data: ReportData) -> dict[str, list[str]]:
    """Ask for each theme's word cloud and bars by group; return the words each shows."""
    words = {}
    title = f"Codes du thème par {data.group_label.lower()}"
    for summary in data.summaries:
        if not summary.words.empty:
            jobs.draw(f"nuage:{summary.code_id}", "miam_qual.summaries:word_cloud_png",
                      summary.words, color=summary.color)  # fmt: skip
            words[f"nuage:{summary.code_id}"] = list(summary.words["word"])
        if not summary.distribution.empty:
            table = pd.DataFrame(
                {
                    c.label: c.distribution.set_index("group")["segments"]
                    for c in summary.codes
                    if c.counts["segments"]
                }
            ).T.fillna(0)
            jobs.draw(f"theme:{summary.code_id}", f"{CHARTS}:bars_by_group", table, title=title)
            words[f"theme:{summary.code_id}"] = _labels(table, title)
    return words


def finish_pictures(data: ReportData, jobs: PictureJobs) -> None:
    """Wait for the pictures asked by ``build_report_data(..., pictures=jobs)`` and put them in
    ``data.images`` and in each theme summary's ``cloud_png``."""
    images = jobs.results()
    charts: dict[str, bytes | None] = {"agreement": None}  # None: no agreement computed
    charts.update((k, v) for k, v in images.items() if not k.startswith("nuage:"))
    data.images = charts
    for summary in data.summaries:
        summary.cloud_png = images.get(f"nuage:{summary.code_id}")


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
