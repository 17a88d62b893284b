"""Consent screening shared by every export, and the French export report.

Each target needs one consent use: radio → ``radio``, exposition → ``exposition``, rapport,
réseaux sociaux and the spreadsheet → ``citation``. The latest consent record wins, so a consent
withdrawn after a quote was validated removes it from every later export.

By default an export proceeds with the allowed quotes and reports the refused ones (quote, reason);
``strict=True`` refuses the whole export when any quote is refused. When nothing is left to
export, ``ConsentError`` is raised if consent was the reason, ``ExportError`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..config import CONSENT_USES
from ..errors import ConsentError, ExportError
from ..privacy.pseudonyms import Pseudonyms
from .quotes import Quotes, _targets

if TYPE_CHECKING:
    from ..project import Project

#: The consent use each target needs.
USE_OF_TARGET = {
    "radio": "radio",
    "exposition": "exposition",
    "rapport": "citation",
    "réseaux sociaux": "citation",
    "tableur": "citation",
}
DEFAULT_STATUSES = ("validée", "publiée")
REFUSED_COLUMNS = ["quote_id", "participant", "reason"]


@dataclass
class ExportReport:
    """What an export wrote, which quotes it used, which it refused and why (French)."""

    format: str
    destination: Path
    files: list[Path] = field(default_factory=list)
    exported: list[str] = field(default_factory=list)
    refused: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REFUSED_COLUMNS))
    warnings: list[str] = field(default_factory=list)

    def refuse(self, quote_id: str, participant: object, reason: str) -> None:
        row = pd.DataFrame([[quote_id, participant, reason]], columns=REFUSED_COLUMNS)
        self.refused = (
            row if self.refused.empty else pd.concat([self.refused, row], ignore_index=True)
        )

    def summary(self) -> str:
        """A French summary: files written, quotes exported, quotes refused with their reason."""
        lines = [
            f"Export « {self.format} » dans {self.destination}",
            f"{len(self.exported)} citation(s) exportée(s), {len(self.refused)} refusée(s), "
            f"{len(self.files)} fichier(s) écrit(s).",
        ]
        if len(self.refused):
            lines.append("Citations refusées :")
            lines += [f"  - {r.quote_id} ({r.participant or 'participant inconnu'}) : {r.reason}"
                      for r in self.refused.itertuples()]  # fmt: skip
        if self.warnings:
            lines.append("Avertissements :")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def write(self, name: str = "rapport_export.txt") -> Path:
        """Write the summary into the export folder (no real name, no quote text)."""
        path = self.destination / name
        path.write_text(self.summary() + "\n", encoding="utf-8")
        self.files.append(path)
        return path


def check_destination(project: Project, destination: Path | str) -> Path:
    """The export folder, refused when it lies in the project's private folder."""
    from ..privacy.pseudonyms import PRIVATE_DIR

    target = Path(destination).resolve()
    private = (project.root / PRIVATE_DIR).resolve()
    if target == private or private in target.parents:
        raise ExportError(
            f"« {target} » est dans le dossier privé {PRIVATE_DIR}/ : choisissez un autre dossier d'export."
        )
    return Path(destination)


def select_quotes(
    quotes: pd.DataFrame, target: str | None, *, theme: str | None, statuses: tuple[str, ...] | None
) -> pd.DataFrame:
    """Quotes aimed at ``target`` (``None``: any), of ``theme`` and with one of ``statuses``."""
    frame = quotes
    if target is not None and target != "tableur":
        wanted = _targets(target)[0]
        frame = frame.loc[frame["targets"].map(lambda t: wanted in t).astype(bool)]
    if theme is not None:
        frame = frame[(frame["theme_id"] == theme) | (frame["theme"] == theme)]
    if statuses:
        frame = frame[frame["status"].isin(list(statuses))]
    return frame.reset_index(drop=True)


def screen_consent(
    project: Project, quotes: pd.DataFrame, target: str, report: ExportReport
) -> pd.DataFrame:
    """Keep the quotes whose participant consents (latest record) to ``target``'s use; record
    every refusal in ``report``."""
    use = USE_OF_TARGET[target]
    current = project.participants()
    column = f"consentement_{use}"
    granted = dict(zip(current["participant"], current.get(column, False), strict=False))
    history = project.consent_history()
    keep = []
    for row in quotes.itertuples():
        label = CONSENT_USES.get(use, use)
        if not isinstance(row.participant, str) or not row.participant:
            report.refuse(
                row.quote_id,
                None,
                f"aucun participant associé : consentement « {label} » invérifiable",
            )
            keep.append(False)
        elif not granted.get(row.participant, False):
            past = history[(history["participant"] == row.participant) & (history["use"] == use)]
            if past.empty:
                why = f"aucun consentement « {label} » enregistré"
            elif past["granted"].any():
                date = past.iloc[-1]["given_on"] or past.iloc[-1]["recorded_at"]
                why = f"consentement « {label} » retiré ({date})"
            else:
                why = f"refus de l'usage « {label} »"
            report.refuse(row.quote_id, row.participant, why)
            keep.append(False)
        else:
            keep.append(True)
    return quotes.loc[pd.Series(keep, index=quotes.index, dtype=bool)].reset_index(drop=True)


def finish_selection(report: ExportReport, allowed: pd.DataFrame, *, strict: bool) -> None:
    """Apply the strict flag and the empty-export rules (see module docstring)."""
    consent_refusals = report.refused["reason"].str.contains("consentement|usage", regex=True)
    if strict and len(report.refused):
        raise ConsentError(
            "Export refusé (mode strict) : des citations ne peuvent pas être publiées.\n"
            + report.summary()
        )
    if allowed.empty:
        if consent_refusals.any():
            raise ConsentError(
                "Aucune citation exportable : consentement manquant.\n" + report.summary()
            )
        if len(report.refused):
            raise ExportError("Aucune citation exportable.\n" + report.summary())
        raise ExportError(
            f"Aucune citation à exporter pour « {report.format} » : retenez et faites valider des "
            "citations ciblées pour cet usage (statut « validée »)."
        )


@dataclass
class ExportStart:
    """What every export works from: the quotes API, the pseudonyms, the report, the checked
    destination, and the quotes allowed after selection, consent and the target's own checks."""

    quotes: Quotes
    pseudonyms: Pseudonyms
    report: ExportReport
    destination: Path
    allowed: pd.DataFrame


def begin_export(
    project: Project,
    destination: Path | str,
    target: str,
    *,
    theme: str | None,
    statuses: tuple[str, ...] | None,
    strict: bool,
    check: Callable[[object, Pseudonyms], str | None] | None = None,
) -> ExportStart:
    """The steps every export shares, in order: check the destination, load the pseudonyms,
    select the quotes aimed at ``target``, screen consent, refuse those for which ``check(row)``
    (given the pseudonyms) returns a reason, then apply ``finish_selection`` (strict flag, empty-export rules)."""
    quotes = Quotes(project)
    destination = check_destination(project, destination)
    pseudonyms = Pseudonyms.load(project.root)
    report = ExportReport(target, destination)
    wanted = None if target == "tableur" else target
    chosen = select_quotes(
        quotes.list(pseudonyms=pseudonyms), wanted, theme=theme, statuses=statuses
    )
    allowed = screen_consent(project, chosen, target, report)
    if check is not None:
        keep = []
        for row in allowed.itertuples():
            reason = check(row, pseudonyms)
            if reason:
                report.refuse(row.quote_id, row.participant, reason)
            keep.append(not reason)
        allowed = allowed.loc[pd.Series(keep, index=allowed.index, dtype=bool)].reset_index(
            drop=True
        )
    finish_selection(report, allowed, strict=strict)
    return ExportStart(quotes, pseudonyms, report, destination, allowed)


def too_long_for(limit: int, medium: str) -> Callable[[object, Pseudonyms], str | None]:
    """A ``check`` refusing quotes whose public text exceeds ``limit`` characters."""

    def check(row: object, _pseudonyms: Pseudonyms) -> str | None:
        length = len(row.public_text)  # type: ignore[attr-defined]
        if length > limit:
            return f"trop longue pour {medium} ({length} caractères, maximum {limit})"
        return None

    return check
