"""The training panel (notebook 04) on a real copy of the demo: it writes only on its buttons,
shows the differences once the trainee is done, and its tables have French headers and
readable cells."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_guard import fingerprint
from test_training import without_the_demo_set

from miam_qual import Project
from miam_qual.training import reference_sets
from miam_qual.widgets.training import DIFFERENCE_HEADERS, PROGRESS_HEADERS, TrainingPanel

SET = ["entretien_centre_social.txt", "temoignage_07.txt"]


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))


def readable(frame) -> bool:
    """No NaN, no list or dict, only texts."""
    return all(isinstance(v, str) and v not in ("nan", "None") for v in frame.to_numpy().ravel())


def test_opening_the_panel_writes_nothing(demo_project: Project) -> None:
    before = fingerprint(demo_project.root)
    panel = TrainingPanel(demo_project, user="sophie")  # the demo's own set, léa done with it
    assert panel.set_name == "Formation — témoignage 1"
    assert TrainingPanel(demo_project, user="léa").coder == "léa"  # a trainee sees their own
    assert panel.coder == "camille"  # a supervisor: the first trainee
    assert list(panel.difference_table().columns) == list(DIFFERENCE_HEADERS.values())
    assert fingerprint(demo_project.root) == before
    empty = TrainingPanel(without_the_demo_set(demo_project), user="sophie")
    assert empty.set_name is None and "Aucun jeu" in empty.about.value


def test_a_supervisor_creates_a_set_and_the_trainee_sees_the_differences_when_done(
    demo_project: Project,
) -> None:
    without_the_demo_set(demo_project).add_coder("stagiaire")
    panel = TrainingPanel(demo_project, user="sophie")
    panel.documents_menu.value = tuple(SET)
    panel.reference_menu.value = "camille"
    panel.name_box.value = "Formation de mars"
    panel.create_button.click()
    assert panel.status_level == "info" and "« Formation de mars » créé" in panel.status
    assert reference_sets(demo_project)["set"].tolist() == ["Formation de mars"]
    assert panel.set_menu.value == "Formation de mars"
    assert "camille" not in panel.coder_menu.options

    panel.create_button.click()  # the same name again: refused, nothing written
    assert panel.status_level == "erreur" and "s'appelle déjà" in panel.status
    assert len(reference_sets(demo_project)) == 1

    reference = demo_project.codings(coder="camille", document=SET[0])
    for row in reference.iloc[:6].itertuples():
        demo_project.code(row.document, int(row.start), int(row.end), row.code_id,
                          coder="stagiaire")  # fmt: skip
    panel.select("Formation de mars", "stagiaire")
    assert panel.difference_table().empty
    assert "encore cachée" in panel.differences_view.value
    progress = panel.progress_table()
    assert list(progress.columns) == list(PROGRESS_HEADERS.values()) and len(progress) == 1
    assert readable(progress) and "<svg" in panel.progress_view.value

    panel.done_button.click()  # signed « sophie »: only the trainee declares being done
    assert panel.status_level == "erreur"
    panel.user_box.value = "stagiaire"
    panel.done_button.click()
    assert panel.status_level == "info", panel.status
    table = panel.difference_table()
    assert list(table.columns) == list(DIFFERENCE_HEADERS.values())
    assert set(table["Qui l'a codé"]) == {"les deux", "référence seulement"}
    assert readable(table) and "100 %" in set(table["Recouvrement"])
    assert "<table" in panel.differences_view.value

    panel.reveal_button.click()  # the trainee cannot reveal to everyone
    assert panel.status_level == "erreur"
    panel.user_box.value = "sophie"
    panel.reveal_button.click()
    assert (
        panel.status_level == "info" and reference_sets(demo_project)["revealed_by"][0] == "sophie"
    )
