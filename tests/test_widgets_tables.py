"""``french``: the tables notebooks show, on real project data, read as a person would."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from miam_qual import Project, analysis
from miam_qual.widgets import french
from miam_qual.widgets.tables import french_time, readable

PYTHON_LOOKS = ("nan", "None", "NaT", "<NA>", "[", "{", "Code(", "True", "False")


def cells(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame.to_numpy().ravel()]


def assert_readable(frame: pd.DataFrame) -> None:
    for value in cells(frame):
        assert not value.startswith(PYTHON_LOOKS), value


def test_codings_get_french_headers_and_no_python_values(demo_project: Project) -> None:
    codings = demo_project.codings()
    shown = french(codings, demo_project)
    assert list(shown.columns[:4]) == [
        "Identifiant du codage", "Identifiant du passage", "Identifiant du document", "Document",
    ]  # fmt: skip
    assert "Participant (pseudonyme)" in shown.columns and "Vague d'enquête" in shown.columns
    assert codings["memo"].isna().any()
    assert_readable(shown)
    assert set(shown["Rôle dans l'échange"]) <= {"", "participant·e", "enquêteur·rice"}
    assert shown.shape == codings.shape
    assert list(shown.index) == list(range(len(codings)))


def test_codebook_history_and_codes(demo_project: Project) -> None:
    demo_project.update_code("prix", label="Prix", keywords=["cher"], by="camille")
    history = french(demo_project.codebook_history(), demo_project)
    assert list(history.columns) == ["Date", "Par", "Action", "Identifiant du code", "Détails"]
    details = history["Détails"].iloc[-1]
    assert "libellé : Prix et budget → Prix" in details and "mots-clés : " in details
    assert_readable(history)
    assert history["Date"].str.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d").all()
    book = french(demo_project.codebook.to_dataframe(), demo_project)
    assert set(book["Codable"]) == {"oui", "non"}
    assert book.loc[book["Identifiant du code"] == "prix", "Mots-clés"].item() == "cher"
    found = french(demo_project.codebook.find("enfant"))
    assert list(found.columns) == ["Identifiant du code", "Code", "Parent", "Définition"]
    assert "Goût des enfants" in set(found["Code"])
    assert_readable(found)


def test_status_attributes_and_empty_lists(demo_project: Project) -> None:
    status = french(demo_project.status())
    assert status.index.name == "Élément" and list(status.columns) == ["Valeur"]
    counts = demo_project.status()["codages_par_codeur"]
    assert status.loc["Codages par codeur·se", "Valeur"] == " ; ".join(
        f"{who} : {n}" for who, n in counts.items()
    )
    attributes = french(demo_project.config.attributes.values())
    assert list(attributes.columns) == ["Nom", "Libellé", "Portée", "Type", "Valeurs possibles"]
    assert "état initial, mi-parcours, bilan" in set(attributes["Valeurs possibles"])
    nothing = french(demo_project.validate(), header="Problème", empty="Aucun problème.")
    assert nothing.to_dict("list") == {"Problème": ["Aucun problème."]}
    participants = french(demo_project.participants(), demo_project)
    assert "Consentement : voix à la radio" in participants.columns
    assert set(participants["Consentement : voix à la radio"]) == {"oui", "non"}


def test_indexes_numbers_and_shares(demo_project: Project) -> None:
    codings = demo_project.codings()
    pivot = codings.pivot_table(
        index=["theme", "code"], columns="coder", values="coding_id", aggfunc="count", fill_value=0
    )
    shown = french(pivot, demo_project)
    assert shown.index.names == ["Thème", "Code"] and shown.columns.name == "Codeur·se"
    assert shown.loc[("Accès à une alimentation de qualité", "Prix et budget"), "camille"] == str(
        pivot.loc[("Accès à une alimentation de qualité", "Prix et budget"), "camille"]
    )
    shares = analysis.crosstab_table(analysis.crosstab(demo_project, "vague"), value="share")
    percent = french(shares, demo_project, percent=True)
    assert percent.index.name == "Code"
    assert all(v.endswith("\u00a0%") for v in cells(percent))
    waves = french(analysis.compare_waves(demo_project), demo_project)
    assert waves["Part (bilan)"].str.endswith("\u00a0%").all()
    assert_readable(waves)
    big = french(pd.DataFrame({"count": [1234567], "kappa": [0.85146], "units": [288.0]}), digits=3)
    assert big.iloc[0].tolist() == ["1\u202f234\u202f567", "0,851", "288"]
    assert big.columns.tolist() == ["Nombre", "Kappa de Cohen", "Unités comparées"]


def test_single_values(monkeypatch: pytest.MonkeyPatch) -> None:
    assert readable(None) == readable(float("nan")) == readable(pd.NA) == ""
    assert readable(True) == "oui" and readable(["a", "b"]) == "a, b"
    assert readable({"avant": None, "après": "x"}) == " → x"
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        assert french_time("2026-03-12T08:05:00Z") == "12/03/2026 09:05"  # stored in UTC
        assert french_time("2026-07-12T08:05:00Z") == "12/07/2026 10:05"  # summer time
    finally:
        monkeypatch.undo()
        time.tzset()
    assert french_time("pas une date") == "pas une date"
