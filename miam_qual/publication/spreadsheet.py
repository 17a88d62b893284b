"""Spreadsheet export: the quotes as a ``;`` CSV and an XLSX (written use: ``citation`` consent)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .consent import (
    DEFAULT_STATUSES,
    ExportReport,
    check_destination,
    finish_selection,
    screen_consent,
    select_quotes,
)
from .outputs import clock, guard_files, write_table
from .pseudonyms import Pseudonyms
from .quotes import Quotes

if TYPE_CHECKING:
    from ..project import Project


def export_spreadsheet(
    project: Project,
    destination: Path | str,
    *,
    theme: str | None = None,
    statuses: tuple[str, ...] | None = DEFAULT_STATUSES,
    strict: bool = False,
) -> ExportReport:
    """Write ``citations.csv`` and ``citations.xlsx``: id, theme, text (pseudonyms applied),
    attribution, targets, status, timecodes. Only quotes with ``citation`` consent."""
    destination = check_destination(project, destination)
    pseudonyms = Pseudonyms.load(project.root)
    report = ExportReport("tableur", destination)
    chosen = select_quotes(
        Quotes(project).list(pseudonyms=pseudonyms), None, theme=theme, statuses=statuses
    )
    allowed = screen_consent(project, chosen, "tableur", report)
    finish_selection(report, allowed, strict=strict)
    table = pd.DataFrame(
        {
            "citation": allowed["quote_id"],
            "theme": allowed["theme"],
            "texte": allowed["public_text"],
            "attribution": allowed["attribution"],
            "cibles": allowed["targets"].map(", ".join),
            "statut": allowed["status"],
            "debut": allowed["begin_ms"].map(clock),
            "fin": allowed["end_ms"].map(clock),
            "caracteres": allowed["public_text"].str.len(),
        }
    )
    destination.mkdir(parents=True, exist_ok=True)
    report.files = write_table(table, destination / "citations.csv", destination / "citations.xlsx",
                               sheet="Citations")  # fmt: skip
    report.exported = list(allowed["quote_id"])
    report.write()
    guard_files(report.files, pseudonyms)
    return report
