"""What every quote export shares: selection, consent screening, the privacy gate, the report.

Each target needs one consent use: radio → ``radio``, exposition → ``exposition``, rapport,
réseaux sociaux and the spreadsheet → ``citation``. Consent is checked for *every speaker* whose
words fall inside the quote (``miam_qual.privacy.consent``), as decided by the dates of the forms,
so a consent withdrawn after a quote was validated removes it from every later export.

Every export writes into the staging folder of an ``ExportGate`` (``ExportStart.folder``); the
gate reads everything back and moves it into place only when no real name remains.

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

from ..errors import ConsentError, ExportError
from ..privacy.consent import ConsentCheck
from ..privacy.gate import ExportGate
from ..privacy.pseudonyms import Pseudonyms
from .quotes import USE_OF_TARGET, clean_targets, list_quotes
from .settings import PublicationSettings, load_settings

if TYPE_CHECKING:
    from ..project import Project

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
    #: What else the export made, one French line each (the episode's duration and loudness…).
    notes: list[str] = field(default_factory=list)

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
        lines += self.notes
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

    def write(self, folder: Path, name: str = "rapport_export.txt") -> Path:
        """Write the summary into ``folder`` (the gate's staging folder; no real name, no quote
        text)."""
        path = Path(folder) / name
        path.write_text(self.summary() + "\n", encoding="utf-8")
        return path


def select_quotes(
    quotes: pd.DataFrame, target: str | None, *, theme: str | None, statuses: tuple[str, ...] | None
) -> pd.DataFrame:
    """Quotes aimed at ``target`` (``None``: any), of ``theme`` and with one of ``statuses``."""
    frame = quotes
    if target is not None and target != "tableur":
        wanted = clean_targets(target)[0]
        frame = frame.loc[frame["targets"].map(lambda t: wanted in t).astype(bool)]
    if theme is not None:
        frame = frame[(frame["theme_id"] == theme) | (frame["theme"] == theme)]
    if statuses:
        frame = frame[frame["status"].isin(list(statuses))]
    return frame.reset_index(drop=True)


def screen_consent(
    quotes: pd.DataFrame, target: str, report: ExportReport, check: ConsentCheck
) -> pd.DataFrame:
    """Keep the quotes in which every speaker consents to ``target``'s use (the consent in force,
    by the dates of the forms); record every refusal in ``report``, naming who and why."""
    use = USE_OF_TARGET[target]
    keep = []
    for row in quotes.itertuples():
        reason = check.span_refusal(row.document_id, int(row.start), int(row.end), use)
        if reason:
            report.refuse(row.quote_id, row.participant, reason)
        keep.append(not reason)
    return quotes.loc[pd.Series(keep, index=quotes.index, dtype=bool)].reset_index(drop=True)


def finish_selection(report: ExportReport, allowed: pd.DataFrame, *, strict: bool) -> None:
    """Apply the strict flag and the empty-export rules (see module docstring)."""
    consent_refusals = report.refused["reason"].str.contains(
        "consentement|usage|locuteur", regex=True
    )
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
    """What every export works from: the publication settings, the pseudonyms, the report, the
    privacy gate whose staging ``folder`` the export writes into, the quotes allowed after
    selection, consent and the target's own checks, and the consent check (for exports that look
    further)."""

    settings: PublicationSettings
    pseudonyms: Pseudonyms
    report: ExportReport
    gate: ExportGate
    allowed: pd.DataFrame
    consent: ConsentCheck

    @property
    def folder(self) -> Path:
        """The staging folder: everything the export writes goes here."""
        return self.gate.path


def begin_export(
    project: Project,
    destination: Path | str,
    target: str,
    *,
    theme: str | None,
    statuses: tuple[str, ...] | None,
    strict: bool,
    check: Callable[[object, ExportStart], str | None] | None = None,
) -> ExportStart:
    """The steps every export shares, in order: open the privacy gate on the destination (refused
    inside ``prive/``), load the pseudonyms, select the quotes aimed at ``target``, screen consent
    speaker by speaker, refuse those for which ``check(row, start)`` returns a reason, then apply
    ``finish_selection`` (strict flag, empty-export rules).

    The caller writes inside ``with start.gate:`` into ``start.folder``; see ``ExportGate``."""
    pseudonyms = Pseudonyms.load(project.root)
    gate = ExportGate(project.root, destination, what=target, pseudonyms=pseudonyms)
    settings = load_settings(project.root)
    report = ExportReport(target, gate.destination)
    consent = ConsentCheck(project)
    wanted = None if target == "tableur" else target
    chosen = select_quotes(
        list_quotes(project, pseudonyms=pseudonyms, settings=settings),
        wanted,
        theme=theme,
        statuses=statuses,
    )
    # labels that reach the files (theme titles, document names) are pseudonymised like the text
    chosen = chosen.assign(
        theme=chosen["theme"].map(pseudonyms.apply),
        document=chosen["document"].map(pseudonyms.apply),
    )
    allowed = screen_consent(chosen, target, report, consent)
    start = ExportStart(settings, pseudonyms, report, gate, allowed, consent)
    if check is not None:
        keep = []
        for row in allowed.itertuples():
            reason = check(row, start)
            if reason:
                report.refuse(row.quote_id, row.participant, reason)
            keep.append(not reason)
        start.allowed = allowed.loc[pd.Series(keep, index=allowed.index, dtype=bool)].reset_index(
            drop=True
        )
    finish_selection(report, start.allowed, strict=strict)
    return start


def too_long_for(limit: int, medium: str) -> Callable[[object, ExportStart], str | None]:
    """A ``check`` refusing quotes whose public text exceeds ``limit`` characters."""

    def check(row: object, _start: ExportStart) -> str | None:
        length = len(row.public_text)  # type: ignore[attr-defined]
        if length > limit:
            return f"trop longue pour {medium} ({length} caractères, maximum {limit})"
        return None

    return check
