"""Participants (REFI-QDA cases) and their consent per use.

A participant is known by a pseudonym only: real names never enter the store. Consent is an
append-only history per use (analysis, written quotation, radio, exhibition, photo); the latest
record wins, so a withdrawal is simply a newer record.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .errors import ConsentError, CorpusError, MiamError
from .store import people

if TYPE_CHECKING:
    from .project import Project


class Participants:
    """Participant and consent methods of ``Project``."""

    def _ensure_participant(self: Project, pseudonym: str) -> str:
        return people.ensure_participant(self.store, pseudonym)

    def _store_participant_attributes(self: Project, guid: str, values: dict[str, str]) -> None:
        people.set_participant_attributes(self.store, guid, values)

    def add_participant(self: Project, pseudonym: str, **attributes: object) -> str:
        """Register (or update) a participant by pseudonym; returns its GUID."""
        pseudonym = pseudonym.strip()
        if not pseudonym:
            raise MiamError("Un participant doit avoir un pseudonyme.")
        clean = self.config.validate(attributes, scope="participant", where=pseudonym)
        with self.store.transaction():
            guid = people.ensure_participant(self.store, pseudonym)
            people.set_participant_attributes(self.store, guid, clean)
        return guid

    def participants(self: Project) -> pd.DataFrame:
        """Participants: ``participant_id, participant`` (pseudonym), their attributes, then one
        boolean column ``consentement_<use>`` per consent use (``False`` when never recorded)."""
        frame = people.participants_frame(self.store)
        current = people.current_consents(self.store)
        for use in self.config.consent_uses:
            granted = set(current[(current["use"] == use) & current["granted"]]["participant"])
            frame[f"consentement_{use}"] = frame["participant"].isin(granted)
        return frame

    def _participant_guid(self: Project, pseudonym: str) -> str:
        guid = people.participant_guid(self.store, pseudonym)
        if guid is None:
            raise ConsentError(f"Participant inconnu « {pseudonym} » : enregistrez-le d'abord.")
        return guid

    def set_consent(
        self: Project,
        pseudonym: str,
        use: str,
        granted: bool,
        *,
        date: str | None = None,
        method: str | None = None,
        by: str | None = None,
    ) -> None:
        """Record a participant's consent (or refusal, or withdrawal) for one use."""
        from .project import default_user

        if use not in self.config.consent_uses:
            raise ConsentError(
                f"Usage de consentement inconnu « {use} » "
                f"(usages prévus : {', '.join(self.config.consent_uses)})."
            )
        guid = self._participant_guid(pseudonym)
        with self.store.transaction():
            people.record_consent(
                self.store, guid, use, granted, given_on=date, method=method,
                recorded_by=by or default_user(),
            )  # fmt: skip

    def has_consent(self: Project, pseudonym: str, use: str) -> bool:
        """Whether the participant's latest consent record for ``use`` grants it."""
        current = people.current_consents(self.store)
        match = current[(current["participant"] == pseudonym) & (current["use"] == use)]
        return bool(len(match) and match["granted"].iloc[-1])

    def consent_history(self: Project) -> pd.DataFrame:
        """Every consent record, oldest first: ``participant, use, granted, given_on, method,
        recorded_by, recorded_at``."""
        return people.consent_history(self.store).drop(columns="id")

    def import_participants(self: Project, path: Path | str, *, by: str | None = None) -> int:
        """Register participants from a table (CSV): a ``pseudonyme`` column, attribute columns,
        ``consentement_<use>`` columns (oui/non), and optional ``date_consentement`` and
        ``mode_consentement``. All rows are validated first; returns the number of rows."""
        from .importing import read_table
        from .project import default_user

        path = Path(path)
        rows = read_table(path)
        plan, problems = [], []
        for line, row in rows:
            where = f"« {path.name} » ligne {line}"
            pseudonym = (row.pop("pseudonyme", "") or "").strip()
            if not pseudonym:
                problems.append(f"{where} : pseudonyme manquant.")
                continue
            date = row.pop("date_consentement", None)
            method = row.pop("mode_consentement", None)
            consents = {}
            for use in self.config.consent_uses:
                value = row.pop(f"consentement_{use}", None)
                if value is not None:
                    folded = value.strip().casefold()
                    if folded not in {"oui", "non"}:
                        problems.append(
                            f"{where} : consentement_{use} doit valoir oui ou non, pas « {value} »."
                        )
                        continue
                    consents[use] = folded == "oui"
            try:
                attrs = self.config.validate(row, scope="participant", where=where)
            except MiamError as err:
                problems.append(str(err))
                continue
            plan.append((pseudonym, attrs, consents, date, method))
        if problems:
            raise CorpusError(
                "Registre des participants refusé, rien n'a été écrit :\n- " + "\n- ".join(problems)
            )
        who = by or default_user()
        with self.store.transaction():
            for pseudonym, attrs, consents, date, method in plan:
                guid = people.ensure_participant(self.store, pseudonym)
                people.set_participant_attributes(self.store, guid, attrs)
                for use, granted in consents.items():
                    people.record_consent(
                        self.store,
                        guid,
                        use,
                        granted,
                        given_on=date,
                        method=method,
                        recorded_by=who,
                    )
        return len(plan)
