"""Participants (REFI-QDA cases) and their consent per use.

A participant is known by a pseudonym only: real names never enter the store. Consent is an
append-only history per use (analysis, written quotation, radio, exhibition, photo). Each record
carries the date the form was signed, and the state on a day is decided by those dates: the
latest-dated record wins and, on the same day, a refusal or withdrawal wins. A consent given after
a withdrawal must be dated after it.

Speakers are people too: a transcript's speaker label is bound to a registered participant or
declared as an interviewer of the team (``identify_speaker``); a label equal to a registered
pseudonym needs no declaration. Exports check the consent of every speaker whose words they use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .common import default_user
from .errors import ConsentError, CorpusError, MiamError, ParticipantError
from .sources.tables import read_table
from .store import Store, people
from .store import documents as docs_sql
from .store import speakers as speakers_sql
from .text import fold

if TYPE_CHECKING:
    from .project import Project


@dataclass(frozen=True)
class SpeakerIdentity:
    """Who a speaker label stands for in one document.

    ``participant``: the pseudonym (``None`` for an interviewer or an unknown label);
    ``interviewer``: a member of the team; ``known``: ``False`` when neither the register nor a
    declaration says who it is; ``how``: French, how it was decided (for messages)."""

    label: str
    participant: str | None
    interviewer: bool
    known: bool
    how: str


# -- Project's participant methods (bound on the class in project.py) ----------------------------
def add_participant(project: Project, pseudonym: str, **attributes: object) -> str:
    """Register (or update) a participant by pseudonym; returns its GUID."""
    pseudonym = pseudonym.strip()
    if not pseudonym:
        raise ParticipantError("Un participant doit avoir un pseudonyme.")
    clean = project.config.validate(attributes, scope="participant", where=pseudonym)
    with project.store.transaction():
        guid = people.ensure_participant(project.store, pseudonym)
        people.set_participant_attributes(project.store, guid, clean)
    return guid


def participants(project: Project) -> pd.DataFrame:
    """Participants: ``participant_id, participant`` (pseudonym), their attributes, then one
    boolean column ``consentement_<use>`` per consent use (``False`` when never recorded)."""
    frame = people.participants_frame(project.store)
    current = people.current_consents(project.store)
    for use in project.config.consent_uses:
        granted = set(current[(current["use"] == use) & current["granted"]]["participant"])
        frame[f"consentement_{use}"] = frame["participant"].isin(granted)
    return frame


def participant_id(project: Project, pseudonym: str) -> str:
    """GUID of a registered participant; raises ``ConsentError`` for an unknown pseudonym."""
    guid = people.participant_guid(project.store, pseudonym)
    if guid is None:
        raise ConsentError(f"Participant inconnu « {pseudonym} » : enregistrez-le d'abord.")
    return guid


def set_consent(
    project: Project,
    pseudonym: str,
    use: str,
    granted: bool,
    *,
    date: str | None = None,
    method: str | None = None,
    by: str | None = None,
) -> None:
    """Record a participant's consent (or refusal, or withdrawal) for one use.

    ``date``: the day the form was signed (``AAAA-MM-JJ`` or ``JJ/MM/AAAA``; default: today).
    Raises ``ConsentError`` for an unknown use or participant, and for a consent dated on or
    before a recorded withdrawal (a renewed consent must be dated after the withdrawal).
    """
    if use not in project.config.consent_uses:
        raise ConsentError(
            f"Usage de consentement inconnu « {use} » "
            f"(usages prévus : {', '.join(project.config.consent_uses)})."
        )
    guid = participant_id(project, pseudonym)
    day = _consent_day(date, where=pseudonym)
    with project.store.transaction():
        if granted:
            _refuse_backdated(project.store, guid, use, day, where=pseudonym)
        people.record_consent(
            project.store, guid, use, granted, given_on=day, method=method,
            recorded_by=by or default_user(),
        )  # fmt: skip


def has_consent(project: Project, pseudonym: str, use: str, *, on: str | None = None) -> bool:
    """Whether the consent in force for ``use`` (on day ``on``, default: today and after)
    grants it; see the module docstring for how dates decide."""
    current = people.current_consents(project.store, on=on)
    match = current[(current["participant"] == pseudonym) & (current["use"] == use)]
    return bool(len(match) and match["granted"].iloc[-1])


def consent_history(project: Project) -> pd.DataFrame:
    """Every consent record, oldest first: ``participant, use, granted, given_on, method,
    recorded_by, recorded_at``."""
    return people.consent_history(project.store).drop(columns="id")


def import_participants(project: Project, path: Path | str, *, by: str | None = None) -> int:
    """Register participants from a table (CSV): a ``pseudonyme`` column, attribute columns,
    ``consentement_<use>`` columns (oui/non), and optional ``date_consentement`` and
    ``mode_consentement``. All rows are validated first; returns the number of rows."""
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
        for use in project.config.consent_uses:
            value = row.pop(f"consentement_{use}", None)
            if value is not None:
                folded = value.strip().casefold()
                if folded not in {"oui", "non"}:
                    problems.append(
                        f"{where} : consentement_{use} doit valoir oui ou non, pas « {value} »."
                    )
                    continue
                consents[use] = folded == "oui"
        day = ""  # no consent column filled: no date needed
        if consents:
            if not date:
                problems.append(
                    f"{where} : date_consentement manquante (la date de signature du "
                    "formulaire décide quel consentement est en vigueur)."
                )
                continue
            try:
                day = _consent_day(date, where=where)
            except ConsentError as err:
                problems.append(str(err))
                continue
        try:
            attrs = project.config.validate(row, scope="participant", where=where)
        except MiamError as err:
            problems.append(str(err))
            continue
        plan.append((where, pseudonym, attrs, consents, day, method))
    if problems:
        raise CorpusError(
            "Registre des participants refusé, rien n'a été écrit :\n- " + "\n- ".join(problems)
        )
    who = by or default_user()
    with project.store.transaction():
        refused = []
        for where, pseudonym, attrs, consents, day, method in plan:
            guid = people.ensure_participant(project.store, pseudonym)
            people.set_participant_attributes(project.store, guid, attrs)
            for use, granted in consents.items():
                if people.has_record(project.store, guid, use, granted, day):
                    continue  # the same form, imported again (an older register)
                if granted:
                    try:
                        _refuse_backdated(project.store, guid, use, day, where=where)
                    except ConsentError as err:
                        refused.append(str(err))
                        continue
                people.record_consent(
                    project.store, guid, use, granted, given_on=day, method=method,
                    recorded_by=who,
                )  # fmt: skip
        if refused:
            raise ConsentError(
                "Registre des participants refusé, rien n'a été écrit :\n- " + "\n- ".join(refused)
            )
    return len(plan)


# -- speakers -----------------------------------------------------------------------------
def identify_speaker(
    project: Project,
    label: str,
    *,
    participant: str | None = None,
    interviewer: bool = False,
    document: str | None = None,
    by: str | None = None,
) -> None:
    """Say who the speaker ``label`` is: a registered ``participant`` (pseudonym) or an
    ``interviewer`` of the team, in one ``document`` or (default) in every document.

    Exports check the consent of every speaker whose words they use; a label that is neither
    a registered pseudonym nor declared here is refused there. Raises ``ConsentError`` for an
    unknown participant or when not exactly one of ``participant``/``interviewer`` is given.
    """
    label = label.strip()
    if not label:
        raise ConsentError("Indiquez le nom du locuteur tel qu'il est écrit dans la transcription.")
    if (participant is None) == (not interviewer):
        raise ConsentError(
            f"Locuteur « {label} » : indiquez soit le participant (pseudonyme), soit "
            "interviewer=True pour un membre de l'équipe."
        )
    person = participant_id(project, participant) if participant is not None else None
    doc = project.document_id(document) if document is not None else None
    with project.store.transaction():
        speakers_sql.declare(
            project.store, document_guid=doc, label=label, folded=fold(label),
            participant_guid=person, interviewer=interviewer, who=by or default_user(),
        )  # fmt: skip


def speakers(project: Project) -> pd.DataFrame:
    """Declared speaker identities: ``document`` (``None``: every document), ``label``,
    ``participant`` (pseudonym), ``interviewer`` (bool), ``declared_by``, ``declared_at``."""
    return speakers_sql.speakers_frame(project.store).drop(columns=["document_id", "folded"])


def speaker_identity(project: Project, document: str, label: str | None) -> SpeakerIdentity:
    """Who ``label`` is in ``document``: a declaration for that document, else one for every
    document, else the registered participant whose pseudonym is the label. ``label=None``
    (text outside any speaker turn) stands for the document's ``participant`` attribute."""
    return speaker_resolver(project)(project.document_id(document), label)


def speaker_resolver(project: Project) -> Callable[[str, str | None], SpeakerIdentity]:
    """A function ``(document_id, label) -> SpeakerIdentity`` reading the register once (for
    exports that resolve many speakers)."""
    declared = speakers_sql.speakers_frame(project.store)
    by_doc: dict[tuple[str | None, str], tuple[str | None, bool]] = {
        (d if isinstance(d, str) else None, f): (p if isinstance(p, str) else None, bool(i))
        for d, f, p, i in zip(
            declared["document_id"], declared["folded"], declared["participant"],
            declared["interviewer"], strict=True,
        )
    }  # fmt: skip
    registered = {fold(p): p for p in people.participants_frame(project.store)["participant"]}
    attrs = docs_sql.attributes_frame(project.store)
    owner = (
        dict(zip(attrs["document_id"], attrs["participant"], strict=True))
        if "participant" in attrs
        else {}
    )

    decided: dict[tuple[str, str | None], SpeakerIdentity] = {}

    def resolve(document_id: str, label: str | None) -> SpeakerIdentity:
        # each (document, label) is decided once: a transcript repeats its labels turn after turn
        identity = decided.get((document_id, label))
        if identity is None:
            identity = decided[(document_id, label)] = decide(document_id, label)
        return identity

    def decide(document_id: str, label: str | None) -> SpeakerIdentity:
        if label is None or not str(label).strip():
            person = owner.get(document_id)
            if isinstance(person, str) and person:
                return SpeakerIdentity("", person, False, True, "participant du document")
            return SpeakerIdentity("", None, False, False, "aucun participant associé")
        key = fold(str(label))
        for scope, how in ((document_id, "déclaré pour ce document"), (None, "déclaré")):
            if (scope, key) in by_doc:
                person, interviewer = by_doc[(scope, key)]
                return SpeakerIdentity(str(label), person, interviewer, True, how)
        if key in registered:
            return SpeakerIdentity(str(label), registered[key], False, True, "registre")
        return SpeakerIdentity(str(label), None, False, False, "locuteur non identifié")

    return resolve


def _consent_day(value: str | None, *, where: str) -> str:
    """The ISO day of a consent form (today when ``None``); ``ConsentError`` when unreadable."""
    if value is None or not str(value).strip():
        return dt.date.today().isoformat()
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ConsentError(
        f"{where} : date de consentement « {text} » illisible (formats : AAAA-MM-JJ ou JJ/MM/AAAA)."
    )


def _refuse_backdated(store: Store, participant: str, use: str, day: str, *, where: str) -> None:
    """A consent dated on or before a recorded withdrawal cannot undo it."""
    withdrawn = people.last_withdrawal(store, participant, use)
    if withdrawn is not None and day <= withdrawn:
        raise ConsentError(
            f"{where} : accord « {use} » daté du {day}, alors qu'un refus ou un retrait est "
            f"enregistré le {withdrawn}. Un nouvel accord doit être daté après le retrait."
        )
