"""French words for the columns and figures that reports show (identifiers stay English)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import CONSENT_USES

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
    "own_segments": "Segments codés avec ce code seul (sans sous-codes)",
    "passages": "Passages distincts",
    "documents": "Documents",
    "participants": "Participant·es",
    "units": "Unités comparées",
    "units_coded": "Unités codées",
    "percent_agreement": "Accord observé",
    "kappa": "Kappa de Cohen",
    "alpha": "Alpha de Krippendorff",
    "codes_in_dispute": "Codes en désaccord",
    "fleiss_kappa": "Kappa de Fleiss",
    "gwet_ac1": "AC1 de Gwet",
    "brennan_prediger": "Brennan-Prediger",
    "coder_a": "Codeur·se A",
    "coder_b": "Codeur·se B",
    "alpha_low": "Alpha : borne basse",
    "alpha_high": "Alpha : borne haute",
    "below_0667": "Risque alpha < 0,667",
    "below_080": "Risque alpha < 0,8",
    "matched": "Segments retrouvés",
    "unmatched": "Segments sans correspondance",
    "overlap": "Chevauchement",
    "documents_all": "Documents où tous·tes l'ont appliqué",
    "characters": "Caractères",
    "coded": "Code utilisé",
    "both": "Caractères codés par les deux",
    "first_only": "Par le·la premier·e seul·e",
    "second_only": "Par le·la second·e seul·e",
    "neither": "Par personne",
    "percent_agreement_weighted": "Accord observé (pondéré par la longueur)",
    "kappa_weighted": "Kappa (pondéré par la longueur)",
    "cumulative_alpha": "Alpha cumulé",
    # documents and their units
    "kind": "Nature",
    "source_file": "Fichier source",
    "length": "Longueur (caractères)",
    "encoding": "Encodage",
    "media": "Enregistrement",
    "position": "Rang",
    "imported_at": "Importé le",
    "imported_by": "Importé par",
    "index": "N°",
    "question": "Question",
    "begin_ms": "Début (ms)",
    "end_ms": "Fin (ms)",
    "participant_id": "Identifiant du participant",
    # the codebook and its history
    "parent_id": "Parent",
    "depth": "Profondeur",
    "path": "Chemin",
    "color": "Couleur",
    "codable": "Codable",
    "definition": "Définition",
    "inclusion": "Inclure",
    "exclusion": "Exclure",
    "example": "Exemple",
    "keywords": "Mots-clés",
    "guid": "GUID",
    "at": "Date",
    "who": "Par",
    "action": "Action",
    "details": "Détails",
    # analyses
    "code_a": "Code A",
    "code_b": "Code B",
    "label_a": "Libellé A",
    "label_b": "Libellé B",
    "count": "Nombre",
    "codes": "Codes",
    "coders": "Codeur·ses",
    "segments_before": "Segments (état initial)",
    "segments_after": "Segments (bilan)",
    "respondents_before": "Répondant·es codé·es (état initial)",
    "respondents_after": "Répondant·es codé·es (bilan)",
    "share_before": "Part (état initial)",
    "share_after": "Part (bilan)",
    "change": "Évolution de la part",
    "paired": "Répondant·es aux deux vagues",
    "gained": "Gagné",
    "lost": "Perdu",
    "rank": "Rang",
    "first_coded_at": "Premier codage",
    "new_codes": "Nouveaux codes",
    "new_code_ids": "Codes apparus",
    "cumulative_codes": "Codes cumulés",
    "share_of_codes": "Part des codes",
    # attributes declared in projet.yml
    "name": "Nom",
    "label": "Libellé",
    "scope": "Portée",
    "type": "Type",
    "choices": "Valeurs possibles",
    # Project.status()
    "projet": "Projet",
    "mots": "Mots",
    "themes": "Thèmes",
    "codages": "Codages",
    "codages_par_codeur": "Codages par codeur·se",
}
#: Columns holding a share (0–1), shown as percentages.
PERCENT_COLUMNS = frozenset(
    {
        "share",
        "share_before",
        "share_after",
        "change",
        "share_of_codes",
        "percent_agreement",
        "percent_agreement_weighted",
        "overlap",
        "below_0667",
        "below_080",
    }  # fmt: skip
)
ROLE_LABELS = {"participant": "participant·e", "interviewer": "enquêteur·rice"}
#: French words for the English values of some columns.
VALUE_LABELS = {
    "kind": {
        "text": "texte",
        "transcript": "transcription",
        "questionnaire": "questionnaire",
        "turn": "tour de parole",
        "paragraph": "paragraphe",
        "answer": "réponse",
        "sentence": "phrase",
    },
    "role": ROLE_LABELS,
    "speaker_role": ROLE_LABELS,
}


def column_label(project: Project, column: str) -> str:
    """The French header of a column: a fixed label, else the attribute's ``libelle`` from
    ``projet.yml`` (or the consent use of a ``consentement_…`` column), else the column name."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    spec = project.config.attributes.get(column)
    if spec is not None:
        return spec.label
    use = column.removeprefix("consentement_")
    if use != column and use in project.config.consent_uses:
        return f"Consentement : {CONSENT_USES.get(use, use)}"
    return column


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
