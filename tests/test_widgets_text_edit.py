"""The coding panel's edit mode: correct a passage where one codes, and the codings follow.

Driven through the messages the page sends (as tests/test_widgets_panel.py does); the store is
read back after each step."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_guard import differences, fingerprint

from miam_qual import Project
from miam_qual.widgets import CodingPanel

CANTINE = Path(__file__).parent / "data" / "core" / "entretien_cantine.txt"
NAME = "entretien_cantine.txt"


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))


def send(panel: CodingPanel, action: str, **content: object) -> None:
    panel._on_message(panel, {"action": action, "seq": panel.ack + 1, **content}, None)


def span(project: Project, words: str) -> tuple[int, int]:
    start = project.text(NAME).index(words)
    return start, start + len(words)


@pytest.fixture
def coded(project: Project) -> dict[str, str]:
    project.import_files([CANTINE], by="test")
    ids = {}
    for key, words in {
        "kept": "Depuis huit ans",
        "changed": "les enfants ne mangeaient pas les légumes",
        "gone": "ça reste difficile",
    }.items():
        ids[key] = project.code(NAME, *span(project, words), "qualite", coder="camille")
    return ids


def test_correct_a_word_inside_a_coded_passage_then_confirm(project: Project, coded):
    panel = CodingPanel(project, "camille", document=NAME)
    send(panel, "select", **dict(zip(("start", "end"), span(project, "mangeaient"), strict=True)))
    send(panel, "edit_open")
    editing = panel.editing
    turn = "Depuis huit ans. Au début, les enfants ne mangeaient pas les légumes, ça partait à la poubelle."
    assert editing["text"] == turn  # the whole turn, without « Responsable cantine : »
    assert editing["version"] == 1
    assert panel.status["level"] == "info"

    send(panel, "edit_save", text=turn.replace("ne mangeaient pas", "ne mangeaient jamais"))
    assert panel.status["level"] == "info", panel.status
    assert "Texte corrigé (version 2)" in panel.status["text"]
    assert "1 passage codé modifié" in panel.status["text"]
    assert panel.editing == {}
    text = project.text(NAME)
    assert "ne mangeaient jamais les légumes" in text and panel.doc["text"] == text

    by_id = {c["id"]: c for c in panel.codings}
    # the coding next to the corrected word kept its exact words, at their new place
    assert by_id[coded["kept"]]["modified"] is None
    kept = project.coding(coded["kept"])
    assert text[kept["start"] : kept["end"]] == "Depuis huit ans"
    changed = by_id[coded["changed"]]
    assert changed["modified"] == "les enfants ne mangeaient pas les légumes"
    assert text[changed["start"] : changed["end"]] == "les enfants ne mangeaient jamais les légumes"
    assert project.modified_codings(NAME)["coding_id"].tolist() == [coded["changed"]]
    # the corrected passage stays selected, with its coding and the former wording to confirm
    here = {c["id"]: c for c in panel.here}
    assert here[coded["changed"]]["modified"] == "les enfants ne mangeaient pas les légumes"

    send(panel, "confirm", id=coded["changed"])
    assert project.modified_codings(NAME).empty
    assert all(c["modified"] is None for c in panel.codings)
    assert panel.history == {"undo": False, "redo": False}  # undo does not cross a correction
    assert project.validate() == []


def test_a_passage_removed_leaves_an_orphan_placed_again_or_removed(project: Project, coded):
    panel = CodingPanel(project, "camille", document=NAME)
    send(
        panel,
        "select",
        **dict(zip(("start", "end"), span(project, "ça reste difficile"), strict=True)),
    )
    send(panel, "edit_open")
    old = panel.editing["text"]
    send(
        panel, "edit_save", text=old.replace(" Les épinards, par exemple, ça reste difficile.", "")
    )
    assert "1 codage orphelin" in panel.status["text"]
    assert [o["id"] for o in panel.orphans] == [coded["gone"]]
    assert panel.orphans[0]["text"] == "ça reste difficile" and panel.orphans[0]["label"]

    assert panel.selection  # the corrected passage stays selected
    send(panel, "point", offset=0)
    send(panel, "place_orphan", id=coded["gone"])  # no selection: refused, nothing written
    assert panel.status["level"] == "erreur"
    assert len(project.orphan_codings(NAME)) == 1
    send(
        panel,
        "select",
        **dict(zip(("start", "end"), span(project, "Ils goûtent plus volontiers"), strict=True)),
    )
    send(panel, "place_orphan", id=coded["gone"])
    assert project.orphan_codings(NAME).empty and panel.orphans == []
    placed = project.coding(coded["gone"])
    assert project.text(NAME)[placed["start"] : placed["end"]] == "Ils goûtent plus volontiers"


def test_refused_corrections_change_nothing_and_keep_the_box_open(project: Project, coded):
    panel = CodingPanel(project, "camille", document=NAME)
    send(panel, "select", **dict(zip(("start", "end"), span(project, "huit"), strict=True)))
    send(panel, "edit_open")
    before = fingerprint(project.root)
    editing = dict(panel.editing)

    send(panel, "edit_save", text="   ")  # the turn's words all gone would leave a bare label
    assert panel.status["level"] == "erreur" and "vide" in panel.status["text"]
    assert panel.editing == editing
    send(panel, "edit_save", text=editing["text"])  # nothing changed
    assert panel.status["text"] == "Aucune modification du texte."
    # the same document corrected meanwhile in another notebook: refused, the box stays open
    project.edit_text(NAME, [(*span(project, "Bonjour"), "Bonsoir")], by="karim")
    after_other = fingerprint(project.root)
    send(panel, "edit_save", text=editing["text"].replace("huit", "neuf"))
    assert panel.status["level"] == "erreur" and "Correction refusée" in panel.status["text"]
    assert panel.editing == editing
    assert differences(after_other, fingerprint(project.root)) == []
    assert "neuf" not in project.text(NAME)
    send(panel, "edit_cancel")
    assert panel.editing == {} and "abandonnée" in panel.status["text"]
    assert differences(before, fingerprint(project.root)) != []  # only karim's correction


def test_without_a_coder_the_box_cannot_save(project: Project, coded):
    panel = CodingPanel(project, document=NAME)
    send(panel, "point", offset=span(project, "huit")[0])
    send(panel, "edit_open")
    assert panel.editing["text"].startswith("Depuis huit ans")
    send(panel, "edit_save", text=panel.editing["text"].replace("huit", "neuf"))
    assert panel.status["level"] == "erreur"
    assert "neuf" not in project.text(NAME)


def test_a_selection_does_not_start_or_end_on_a_speaker_label(project: Project, coded):
    panel = CodingPanel(project, "camille", document=NAME)
    text = project.text(NAME)
    label = text.index("Responsable cantine : Depuis")
    end_label = text.index("Enquêtrice : Et depuis")
    # from inside the label of one turn to inside the label of the next-but-one
    send(panel, "select", start=label + 3, end=end_label + 5)
    start, end = panel.selection
    assert text[start:].startswith("Depuis huit ans")
    assert text[:end].endswith("à la poubelle.")
    send(panel, "select", start=label, end=label + 10)  # nothing but a label
    assert panel.status["level"] == "erreur" and "nom de locuteur" in panel.status["text"]


def test_the_panel_shows_review_states_and_hides_a_reference_while_training(
    project: Project, coded
):
    """Issue 13 in the coding panel: a contested coding is marked where one codes; a reference
    set's codings stay hidden from a trainee showing « autres codeurs » until done."""
    from miam_qual.training import mark_done, mark_reference

    project.add_coder("léa")
    reference = project.code(NAME, *span(project, "Ils goûtent"), "qualite", coder="karim")
    name = mark_reference(project, [NAME], reference_coder="karim", by="karim")
    project.contest(coded["kept"], "Plutôt « ancienneté » que « qualité » ?", author="karim")
    project.comment(coded["changed"], "Bel exemple.", author="karim")

    panel = CodingPanel(project, "camille", document=NAME)
    reviews = {c["id"]: c["review"] for c in panel.codings}
    assert reviews == {coded["kept"]: "contesté", coded["changed"]: "commenté", coded["gone"]: None}
    send(panel, "others", value=True)
    assert reference not in {c["id"] for c in panel.codings}  # hidden while camille trains
    mark_done(project, name, "camille")
    send(panel, "others", value=True)
    assert reference in {c["id"] for c in panel.codings}
