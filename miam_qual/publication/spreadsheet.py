"""Spreadsheet export: the quotes as a ``;`` CSV and an XLSX (written use: ``citation`` consent)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .consent import DEFAULT_STATUSES, ExportReport, begin_export
from .outputs import clock, write_table

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
    start = begin_export(
        project, destination, "tableur", theme=theme, statuses=statuses, strict=strict
    )
    report, allowed = start.report, start.allowed
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
    with start.gate:
        folder = start.folder
        write_table(table, folder / "citations.csv", folder / "citations.xlsx", sheet="Citations")
        report.exported = list(allowed["quote_id"])
        report.write(folder)
    report.files = start.gate.files
    return report
