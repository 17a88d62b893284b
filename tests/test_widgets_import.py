"""The import form: uploaded bytes + chosen attributes → documents, or a French refusal."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from miam_qual import MiamError, Project
from miam_qual.widgets import ImportPanel
from miam_qual.widgets.importer import NOT_CHOSEN

CORE = Path(__file__).parent / "data" / "core"


def test_uploaded_files_are_imported_with_the_chosen_attributes(project: Project):
    panel = ImportPanel(project, by="camille")
    assert (
        NOT_CHOSEN in panel.choices["vague"].options and "bilan" in panel.choices["vague"].options
    )
    panel.choices["vague"].value = "bilan"
    panel.choices["type_source"].value = "témoignage d'habitant"
    panel.participant.value = "Habitante 4"
    panel.date.value = "05/10/2024"
    added = panel.import_uploaded(
        [("../../temoignage_cp1252.txt", (CORE / "temoignage_cp1252.txt").read_bytes())]
    )
    row = added.iloc[0]
    assert (row["document"], row["vague"], row["participant"], row["date"]) == (
        "temoignage_cp1252.txt", "bilan", "Habitante 4", "2024-10-05",
    )  # fmt: skip
    assert "« raisonnable »" in project.text("temoignage_cp1252.txt")
    assert (project.corpus_dir / "temoignage_cp1252.txt").exists()


def test_a_refused_upload_shows_the_message_and_writes_nothing(project: Project):
    panel = ImportPanel(project)
    with pytest.raises(MiamError, match="octet 26"):
        panel.import_uploaded([("casse_utf8.txt", (CORE / "casse_utf8.txt").read_bytes())])
    assert project.documents().empty
    with pytest.raises(MiamError, match="Choisissez d'abord"):
        panel.import_uploaded([])
    panel.date.value = "demain"
    with pytest.raises(MiamError, match="date « demain » illisible"):
        panel.import_uploaded(
            [("entretien_cantine.txt", (CORE / "entretien_cantine.txt").read_bytes())]
        )
    assert project.documents().empty


def test_the_button_reports_in_french(project: Project):
    panel = ImportPanel(project)
    content = (CORE / "casse_utf8.txt").read_bytes()
    panel.upload.value = ({"name": "casse_utf8.txt", "type": "text/plain", "size": len(content),
                           "content": memoryview(content),
                           "last_modified": datetime.datetime(2026, 1, 1)},)  # fmt: skip
    panel.button.click()
    assert "octet 26" in panel.message.value and "b71c1c" in panel.message.value
    content = (CORE / "entretien_cantine.txt").read_bytes()
    panel.upload.value = ({"name": "entretien_cantine.txt", "type": "text/plain", "size": len(content),
                           "content": memoryview(content),
                           "last_modified": datetime.datetime(2026, 1, 1)},)  # fmt: skip
    panel.button.click()
    assert "1 document(s) importé(s) : entretien_cantine.txt" in panel.message.value
    assert panel.upload.value == ()
