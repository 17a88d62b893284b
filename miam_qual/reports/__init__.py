"""Reports for supervisors: one call writes the theme review as HTML, Word and/or Excel.

    from miam_qual.reports import write_report
    write_report(project, "rapports/", format="all")

- HTML: one self-contained file (images embedded, opens offline, prints well).
- DOCX: headings, tables and charts, for comments in Word.
- XLSX: every coded segment with its attributes (filters, frozen header) and the summary tables.

In notebooks, ``review_panel(projet)`` filters the review, ``report_panel(projet)`` writes the
report when its button is clicked and ``segments_panel(projet)`` every coded segment to Excel
(``miam_qual.reports.segments``, also ``miam-qual exporter-segments``).

The content is computed once (``build_report_data``) and only laid out by each writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExportError

if TYPE_CHECKING:
    from spacy.language import Language

    from ..nlp import CachedWordCounts
    from ..project import Project
    from .data import ReportData, build_report_data

FORMATS = ("html", "docx", "xlsx")
#: Base name of report files (French: users see it).
REPORT_NAME = "revue_des_themes"

__all__ = [
    "FORMATS",
    "ReportData",
    "build_report_data",
    "report_panel",
    "review_panel",
    "segments_panel",
    "write_report",
]


def write_report(
    project: Project,
    path: Path | str,
    *,
    format: str | list[str] = "html",
    themes: list[str] | None = None,
    coders: list[str] | None = None,
    nlp: Language | CachedWordCounts | None = None,
    unit: str = "turn",
    uncoded: str = "absent",
    data: ReportData | None = None,
) -> list[Path]:
    """Write the theme review and return the files written.

    ``path``: a folder (files are named ``revue_des_themes.<ext>``) or, for a single format, a
    file name with its extension. ``format``: ``"html"``, ``"docx"``, ``"xlsx"``, ``"all"`` or a
    list. ``themes``/``coders``/``unit``/``uncoded``/``nlp``: see ``build_report_data``.
    Raises ``ExportError`` for an unknown format or a destination inside ``prive/``. The report is
    built from consented, pseudonymised data (``build_report_data``) and leaves through the privacy
    gate (``miam_qual.privacy.gate``): it is read back in full and written only when no real name
    remains; otherwise nothing is written. With the default ``nlp`` (or any ``CachedWordCounts``),
    the content words of the passages are kept in the project's ``.cache/`` once the report is
    written (not when the project is read-only), so that the next report loads no language model
    for them; a report on every theme and coder keeps there only the passages it read, so that
    the words of removed passages and of people who withdrew their consent leave the cache.
    """
    from ..privacy.gate import ExportGate
    from .data import build_report_data

    formats = (
        list(FORMATS) if format == "all" else [format] if isinstance(format, str) else list(format)
    )
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ExportError(
            f"Format de rapport inconnu « {', '.join(unknown) or '(aucun)'} » "
            f"(possibles : {', '.join(FORMATS)} ou all)."
        )
    target = Path(path)
    single = len(formats) == 1 and target.suffix.lower() == f".{formats[0]}"
    gate = ExportGate(  # refuses a destination in prive/ before any work
        project.root, target, what="rapport", single_file=single, replace_previous=False
    )
    word_cache = jobs = None
    try:
        if data is None:
            from ..nlp import CachedWordCounts
            from .pictures import PictureJobs

            if nlp is None:
                nlp = CachedWordCounts(project.root)
            word_cache = nlp if isinstance(nlp, CachedWordCounts) else None
            if {"html", "docx"} & set(formats):  # the workbook has no picture
                jobs = PictureJobs()
            data = build_report_data(
                project, themes=themes, coders=coders, nlp=nlp, unit=unit, uncoded=uncoded,
                pictures=jobs or False,
            )  # fmt: skip
        with gate:
            for picture, words in data.picture_words.items():
                gate.picture(f"image « {picture} » du rapport", words)
            # the workbook first: it needs no picture, and is written while they are drawn
            for fmt in sorted(formats, key=lambda f: f != "xlsx"):
                if fmt != "xlsx" and jobs is not None:
                    from .data import finish_pictures

                    finish_pictures(data, jobs)
                    jobs = None
                destination = gate.target if single else gate.path / f"{REPORT_NAME}.{fmt}"
                if fmt == "html":
                    from .html import write_html

                    colors = {c.id: c.color for c in project.codebook}
                    write_html(data, destination, colors)
                elif fmt == "docx":
                    from .docx import write_docx

                    write_docx(data, destination)
                else:
                    from .xlsx import write_xlsx

                    write_xlsx(project, data, destination)
    finally:
        if jobs is not None:  # the report failed before its pictures were collected
            jobs.cancel()
    if word_cache is not None and not project.read_only:
        # a report on every theme and coder read every passage a report may count: the others
        # (removed, corrected, or whose speaker withdrew consent) leave the cache
        word_cache.save(only_asked=not themes and not coders)
    return gate.files


def __getattr__(name: str) -> object:
    # The report's data (pandas, matplotlib) is loaded on first use, not when the command line
    # registers ``miam-qual rapport`` (``miam_qual.reports.command``).
    if name in ("ReportData", "build_report_data"):
        from . import data

        return getattr(data, name)
    raise AttributeError(f"module 'miam_qual.reports' has no attribute {name!r}")


def review_panel(project: Project):
    """The interactive theme review of notebook 04 (ipywidgets); see ``miam_qual.reports.panel``."""
    from .panel import ReviewPanel

    return ReviewPanel(project)


def report_panel(project: Project, *, folder: Path | str | None = None):
    """The report form of notebook 04 (formats, folder, a button); writes only when clicked. See
    ``miam_qual.reports.export_panel``."""
    from .export_panel import ReportExport

    return ReportExport(project, folder=folder)


def segments_panel(project: Project, *, folder: Path | str | None = None):
    """The coded-segments form of notebook 04 (a folder, a button); writes every coded segment
    to ``segments_codes.xlsx`` only when clicked. See ``miam_qual.reports.segments``."""
    from .export_panel import SegmentsExport

    return SegmentsExport(project, folder=folder)
