"""Every coded segment as one Excel sheet, ready to share: the coded-segments export.

What MAXQDA calls "export coded segments" and Taguette "export highlights": one row per coding
(its passage, code, theme, coder, date, memo, speaker and the document's attributes), filtered
and sorted in Excel. It is the report's « Segments codés » sheet alone, built without the
report's analyses, charts or language model, so it is written in about a second
(``benchmarks/bench_report.py``).

Like the report it leaves the project only in its shareable form: the words of anyone who did not
consent to analysis are left out, an excerpt whose speaker did not consent to written quotation
reads ``(extrait non citable)``, every text has real names replaced, and the file passes the
privacy gate (read back in full, written only when no real name remains).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..fileio import atomic_write_bytes
from ..privacy.consent import NOT_QUOTABLE, ConsentCheck
from ..workbook import Sheet, workbook_bytes
from .labels import column_label

if TYPE_CHECKING:
    from ..project import Project

#: File name of the export when a folder is given (French: users see it).
SEGMENTS_NAME = "segments_codes.xlsx"
#: Columns of the segments sheet left out (internal identifiers are kept; these are noise).
SEGMENT_SKIP = {"participant_key", "quotable"}
WIDE_COLUMNS = {"text": 70, "memo": 40}


def consented_codings(codings: pd.DataFrame, check: ConsentCheck) -> pd.DataFrame:
    """The codings that may leave the project: without the words of anyone who did not consent
    to analysis; ``text`` replaced by ``NOT_QUOTABLE`` where a speaker did not consent to written
    quotation (column ``quotable`` says which)."""
    keep = ~check.touching(codings, "analyse", unknown=True)
    codings = codings[keep].reset_index(drop=True)
    quotable = ~check.touching(codings, "citation", unknown=False)
    codings = codings.assign(text=codings["text"].where(quotable, NOT_QUOTABLE), quotable=quotable)
    if "memo" in codings.columns:  # memos stay: they are the coders' words, pseudonymised later
        codings["memo"] = codings["memo"].where(codings["memo"].notna(), None)
    return codings


def segments_sheet(project: Project, codings: pd.DataFrame) -> Sheet:
    """« Segments codés »: one row per coding, every column but ``SEGMENT_SKIP``, French
    headers (``labels.column_label``). ``codings`` must already be in their shareable form."""
    segments = codings[[c for c in codings.columns if c not in SEGMENT_SKIP]]
    headers = [column_label(project, c) for c in segments.columns]
    return Sheet.from_frame("Segments codés", segments, headers=headers, widths=WIDE_COLUMNS)


def write_segments(
    project: Project,
    path: Path | str,
    *,
    codes: list[str] | None = None,
    coders: list[str] | None = None,
) -> Path:
    """Write every coded segment (or those of ``codes``, a code or theme counting its
    sub-codes, and of ``coders``) to an Excel file and return its path.

    ``path``: a file ending in ``.xlsx``, or a folder (the file is then ``segments_codes.xlsx``).
    Columns: those of ``project.codings()`` with French headers, less ``SEGMENT_SKIP``. Raises
    ``ExportError`` for a destination inside ``prive/`` or when a real name would leave,
    ``UnknownCode`` and ``UnknownCoder`` for a code or coder the project lacks; nothing is
    written then.
    """
    from ..privacy.gate import ExportGate
    from ..privacy.pseudonyms import Pseudonyms
    from ..privacy.redact import pseudonymise

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target / SEGMENTS_NAME
    pseudonyms = Pseudonyms.load(project.root)
    gate = ExportGate(  # refuses a destination in prive/ before any work
        project.root, target, what="segments codés", pseudonyms=pseudonyms, single_file=True,
        replace_previous=False,
    )  # fmt: skip
    for coder in coders or []:  # a misspelt name is refused, not read as "nothing coded"
        project.coder_id(coder)
    codings = project.codings(code=codes or None, coder=coders or None)
    shared = pseudonymise(consented_codings(codings, ConsentCheck(project)), pseudonyms)
    data = workbook_bytes([segments_sheet(project, shared)])
    with gate:
        atomic_write_bytes(gate.target, data)
    return gate.files[0]
