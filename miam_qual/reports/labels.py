"""French words for the columns and figures that reports show (identifiers stay English)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..project import Project

COLUMN_LABELS = {
    "coding_id": "Identifiant du codage",
    "selection_id": "Identifiant du passage",
    "document_id": "Identifiant du document",
    "document": "Document",
    "start": "Début",
    "end": "Fin",
    "text": "Extrait",
    "code_id": "Identifiant du code",
    "code": "Code",
    "theme_id": "Identifiant du thème",
    "theme": "Thème",
    "coder": "Codeur·se",
    "created_at": "Codé le",
    "memo": "Mémo",
    "speaker": "Locuteur·rice",
    "speaker_role": "Rôle dans l'échange",
    "role": "Rôle",
    "segments": "Segments codés",
    "documents": "Documents",
    "participants": "Participant·es",
    "units": "Unités comparées",
    "units_coded": "Unités codées",
    "percent_agreement": "Accord observé",
    "kappa": "Kappa de Cohen",
    "alpha": "Alpha de Krippendorff",
    "codes_in_dispute": "Codes en désaccord",
}
ROLE_LABELS = {"participant": "participant·e", "interviewer": "enquêteur·rice"}


def column_label(project: Project, column: str) -> str:
    """The French header of a column: a fixed label, else the attribute's ``libelle`` from
    ``projet.yml``, else the column name itself."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    spec = project.config.attributes.get(column)
    return spec.label if spec is not None else column


def french_number(value: float, digits: int = 0) -> str:
    """``1234.5`` → ``1 234,5`` (French separators; narrow no-break space for thousands)."""
    if value is None or value != value:  # NaN
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def french_percent(value: float, digits: int = 0) -> str:
    """``0.734`` → ``73 %``."""
    if value is None or value != value:
        return "—"
    return f"{french_number(100 * value, digits)}\u00a0%"
