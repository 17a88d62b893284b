"""Importing ``.qdpx`` projects and ``.qdc`` codebooks: preview, then all or nothing.

``preview_*`` read the file and compare it with the project without writing anything; ``import_*``
write exactly what the preview shows, in one transaction, and return the same report (French,
``str(report)``), which lists what was adapted and what could not be kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..common import default_user
from ..errors import UnreadableFile
from .apply import apply_plan
from .codebook_xml import read_qdc
from .model import Exchange
from .plan import plan_exchange
from .positions import LINE_RULES, UNITS, Reading
from .qdpx_read import read_qdpx
from .report import ExchangeReport

if TYPE_CHECKING:
    from ..project import Project

#: File suffixes ``import_refi`` accepts.
REFI_SUFFIXES = (".qdpx", ".qdc")


def reading_of(unit: str | None, lines: str | None) -> Reading | None:
    """The ``Reading`` a caller forces (``None``: decided from the file). Raises
    ``UnreadableFile`` for an unknown unit or line rule."""
    if unit is None and lines is None:
        return None
    if unit is not None and unit not in UNITS:
        raise UnreadableFile(
            f"Unité de position « {unit} » inconnue (possibles : {', '.join(UNITS)})."
        )
    if lines is not None and lines not in LINE_RULES:
        raise UnreadableFile(
            f"Règle de fin de ligne « {lines} » inconnue (possibles : {', '.join(LINE_RULES)})."
        )
    return Reading(unit or "points", lines or "brut")


def _read(path: Path, unit: str | None, lines: str | None) -> Exchange:
    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        return read_qdpx(path, reading=reading_of(unit, lines))
    if suffix == ".qdc":
        return read_qdc(path)
    raise UnreadableFile(
        f"« {path.name} » : ce n'est pas un fichier REFI-QDA (.qdpx pour un projet, .qdc pour un "
        "livre de codes)."
    )


def preview_import(
    project: Project, path: Path | str, *, unit: str | None = None, lines: str | None = None
) -> ExchangeReport:
    """What importing the ``.qdpx`` or ``.qdc`` file at ``path`` would add; nothing is written.

    ``unit`` (``points``, ``utf16``, ``octets``) and ``lines`` (``brut``, ``lf``) force how
    positions count when the producer's habit is not the usual one. Raises ``UnreadableFile``
    for a broken file (naming the file and the line)."""
    path = Path(path)
    ex = _read(path, unit, lines)
    mode = "livre de codes" if path.suffix.lower() == ".qdc" else "import"
    return plan_exchange(project, ex, mode=mode, new_documents=True, who=default_user()).report


def import_refi(
    project: Project,
    path: Path | str,
    *,
    by: str | None = None,
    unit: str | None = None,
    lines: str | None = None,
) -> ExchangeReport:
    """Import a ``.qdpx`` project (sources, codebook, codings with their coders and dates,
    users, cases and variables as participants and attributes, memos, sets) or a ``.qdc``
    codebook (merged into the project's: identical codes kept, new ones added, conflicting ones
    reported with the project's version kept). All or nothing; returns the report.

    Sources already in the project (same text) are not duplicated: their codings are merged.
    Raises ``UnreadableFile`` for a broken file, a ``StorageError`` subclass or
    ``CodebookConflict`` when writing fails; the project is then exactly as it was."""
    path = Path(path)
    who = by or default_user()
    ex = _read(path, unit, lines)
    mode = "livre de codes" if path.suffix.lower() == ".qdc" else "import"
    plan = plan_exchange(project, ex, mode=mode, new_documents=True, who=who)
    apply_plan(project, plan, who=who)
    return plan.report


def import_qdpx(project: Project, path: Path | str, **options) -> ExchangeReport:
    """``import_refi`` for a ``.qdpx`` project (refuses another suffix)."""
    if Path(path).suffix.lower() != ".qdpx":
        raise UnreadableFile(f"« {Path(path).name} » : un projet REFI-QDA a l'extension .qdpx.")
    return import_refi(project, path, **options)


def import_qdc(project: Project, path: Path | str, *, by: str | None = None) -> ExchangeReport:
    """``import_refi`` for a ``.qdc`` codebook (refuses another suffix)."""
    if Path(path).suffix.lower() != ".qdc":
        raise UnreadableFile(
            f"« {Path(path).name} » : un livre de codes REFI-QDA a l'extension .qdc."
        )
    return import_refi(project, path, by=by)
