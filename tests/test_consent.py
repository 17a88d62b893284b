"""Consent decided by the dates forms were signed, and speakers matched to the register by identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from miam_qual import ConsentError, CorpusError, Project

REGISTER = (
    "pseudonyme;role;consentement_analyse;consentement_radio;date_consentement\n"
    "Habitante 4;habitant;oui;{radio};{date}\n"
)


def _register(tmp_path: Path, name: str, radio: str, date: str) -> Path:
    path = tmp_path / name
    path.write_text(REGISTER.format(radio=radio, date=date), encoding="utf-8")
    return path


def test_reimporting_an_older_register_never_resurrects_a_withdrawal(project: Project, tmp_path):
    project.import_participants(_register(tmp_path, "2024.csv", "oui", "2024-10-05"), by="léa")
    assert project.has_consent("Habitante 4", "radio")
    project.set_consent("Habitante 4", "radio", False, date="2025-01-10", by="léa")
    assert not project.has_consent("Habitante 4", "radio")
    records = len(project.consent_history())
    # the 2024 register, imported again: the same form, nothing new, still withdrawn
    project.import_participants(_register(tmp_path, "2024.csv", "oui", "2024-10-05"), by="léa")
    assert not project.has_consent("Habitante 4", "radio")
    assert len(project.consent_history()) == records
    # another old form, dated before the withdrawal: refused, and nothing written
    with pytest.raises(
        ConsentError, match="daté du 2024-12-01.*retrait est enregistré le 2025-01-10"
    ):
        project.import_participants(_register(tmp_path, "vieux.csv", "oui", "01/12/2024"))
    assert not project.has_consent("Habitante 4", "radio")
    assert len(project.consent_history()) == records


def test_backdated_consent_is_refused_and_renewal_must_follow_the_withdrawal(project: Project):
    project.add_participant("Habitante 4")
    project.set_consent("Habitante 4", "radio", True, date="2024-10-05")
    project.set_consent("Habitante 4", "radio", False, date="2025-01-10")
    for day in ("2024-12-31", "2025-01-10"):
        with pytest.raises(ConsentError, match="doit être daté après le retrait"):
            project.set_consent("Habitante 4", "radio", True, date=day)
    assert not project.has_consent("Habitante 4", "radio")
    project.set_consent("Habitante 4", "radio", True, date="11/01/2025")
    assert project.has_consent("Habitante 4", "radio")
    # the state on a day follows the dates, whatever the order of entry
    assert project.has_consent("Habitante 4", "radio", on="2024-12-31")
    assert not project.has_consent("Habitante 4", "radio", on="2025-01-10")
    assert not project.has_consent("Habitante 4", "radio", on="2024-10-04")


def test_withdrawal_entered_late_but_dated_early_wins(project: Project):
    project.add_participant("Habitant 2")
    project.set_consent("Habitant 2", "exposition", True, date="2025-03-01")
    project.set_consent("Habitant 2", "exposition", False, date="2025-03-01")  # same day
    assert not project.has_consent("Habitant 2", "exposition")
    project.add_participant("Habitant 5")
    project.set_consent("Habitant 5", "citation", False, date="2025-06-01")
    # a later entry of an earlier form does not override the withdrawal dated after it
    with pytest.raises(ConsentError):
        project.set_consent("Habitant 5", "citation", True, date="2025-02-01")
    people = project.participants().set_index("participant")
    assert not people.loc["Habitant 2", "consentement_exposition"]
    assert not people.loc["Habitant 5", "consentement_citation"]


def test_register_consents_need_the_date_of_the_form(project: Project, tmp_path: Path):
    path = _register(tmp_path, "sans_date.csv", "oui", "")
    with pytest.raises(CorpusError, match="ligne 2 : date_consentement manquante"):
        project.import_participants(path)
    assert project.participants().empty


def test_speakers_are_matched_by_identity(project: Project, tmp_path: Path):
    project.add_participant("Habitante 4")
    project.add_participant("Habitant 2")
    source = tmp_path / "entretien.txt"
    source.write_text(
        "Camille (VRAC) : Bonjour.\nHabitante 4 : Les courses coûtent cher.\n"
        "Voisine : Et moi aussi.\n",
        encoding="utf-8",
    )
    project.import_files([source], participant="Habitant 2")
    doc = "entretien.txt"
    who = project.speaker_identity(doc, "habitante 4")
    assert (who.participant, who.known, who.interviewer) == ("Habitante 4", True, False)
    unknown = project.speaker_identity(doc, "Camille (VRAC)")
    assert not unknown.known and unknown.participant is None  # not the document's participant
    project.identify_speaker("Camille (VRAC)", interviewer=True, by="léa")
    assert project.speaker_identity(doc, "Camille (VRAC)").interviewer
    project.identify_speaker("Voisine", participant="Habitant 2", document=doc)
    assert project.speaker_identity(doc, "Voisine").participant == "Habitant 2"
    # text outside any turn belongs to the document's participant
    assert project.speaker_identity(doc, None).participant == "Habitant 2"
    declared = project.speakers()
    assert set(declared["label"]) == {"Camille (VRAC)", "Voisine"}
    with pytest.raises(ConsentError, match="soit le participant"):
        project.identify_speaker("X", participant="Habitant 2", interviewer=True)
    with pytest.raises(ConsentError, match="Participant inconnu"):
        project.identify_speaker("X", participant="Personne")
