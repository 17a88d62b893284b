"""The French report of an import or a merge: what was (or would be) added, matched, adapted,
and what could not be kept. A preview and the import itself return the same report."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: Counts a report carries, with their French labels, in display order.
COUNTS = {
    "documents_nouveaux": "documents ajoutés",
    "documents_existants": "documents déjà dans le projet (reconnus à leur texte)",
    "documents_absents": "documents absents du projet (leurs codages ne sont pas repris)",
    "codes_nouveaux": "codes ajoutés",
    "codes_identiques": "codes déjà dans le livre de codes",
    "codes_en_conflit": "codes reconnus mais différents (la version du projet est gardée)",
    "codages_nouveaux": "codages ajoutés",
    "codages_deja_presents": "codages déjà présents",
    "codages_non_repris": "codages non repris",
    "codeurs_nouveaux": "codeurs ajoutés",
    "participants_nouveaux": "participants ajoutés",
    "memos": "mémos ajoutés ou complétés",
    "attributs_declares": "attributs déclarés dans projet.yml",
}


@dataclass
class ExchangeReport:
    """What an exchange did (``written``) or would do (a preview).

    ``documents``: one row per incoming source (``source, document, action, codages``);
    ``codes``: one row per incoming code (``code, action, code_id, par, differences``);
    ``counts``: see ``COUNTS``; ``adapted``: what was changed to fit; ``lost``: what cannot be
    kept; ``conflicts``: where the project and the input disagree (the project's version kept).
    """

    action: str  # « import », « fusion », « livre de codes »
    source: str
    origin: str = ""
    written: bool = False
    reading: str = ""
    documents: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["source", "document", "action", "codages"])
    )
    codes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["code", "action", "code_id", "par", "differences"]
        )
    )
    counts: dict[str, int] = field(default_factory=dict)
    adapted: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def nothing_new(self) -> bool:
        """Whether the exchange adds nothing (a merge done twice)."""
        return not any(
            self.counts.get(k, 0)
            for k in ("documents_nouveaux", "codes_nouveaux", "codages_nouveaux", "memos",
                      "participants_nouveaux", "codeurs_nouveaux", "attributs_declares")
        )  # fmt: skip

    def __str__(self) -> str:
        verb = {"import": "Import", "fusion": "Fusion", "livre de codes": "Livre de codes"}
        head = f"{verb.get(self.action, self.action)} de « {self.source} »"
        if self.origin:
            head += f" (produit par {self.origin})"
        head += " : " + ("fait." if self.written else "aperçu, rien n'a encore été écrit.")
        lines = [head]
        if self.reading:
            lines.append(f"Positions lues en {self.reading}.")
        for key, label in COUNTS.items():
            if self.counts.get(key):
                lines.append(f"- {self.counts[key]} {label}")
        if self.nothing_new:
            lines.append("Rien de nouveau : tout est déjà dans le projet.")
        for title, items in (
            ("Conflits (la version du projet est gardée)", self.conflicts),
            ("Adaptations", self.adapted),
            ("Non repris", self.lost),
        ):
            if items:
                lines.append(f"{title} :")
                lines.extend(f"  - {item}" for item in items)
        return "\n".join(lines)

    def to_details(self) -> dict:
        """What the exchange log keeps of this report (JSON-able)."""
        return {
            "comptes": dict(self.counts),
            "positions": self.reading,
            "adaptations": list(self.adapted),
            "non_repris": list(self.lost),
            "conflits": list(self.conflicts),
        }
