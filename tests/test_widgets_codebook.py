"""The codebook editing panel of notebook 02: ``CodebookEditor`` (logic) and ``CodebookPanel``
(ipywidgets view) on real projects; every change is read back from the store, the history and
the YAML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from miam_qual import Project, load_codebook
from miam_qual.widgets import CodebookEditor, CodebookPanel, CodingSession, prefs


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(folder))
    return folder


def last_change(project: Project) -> dict:
    return project.codebook_history().iloc[-1].to_dict()


def file_code(project: Project, code_id: str):
    """The code as the YAML file on disk says (what a hand editor or another notebook reads)."""
    book = load_codebook(project.codebook_path)
    return book.get(code_id) if code_id in book else None


def test_opening_writes_nothing_and_lists_the_tree(demo_project: Project) -> None:
    history = len(demo_project.codebook_history())
    editor = CodebookEditor(demo_project, by="camille")
    choices = editor.choices()
    assert [c for _label, c in choices] == [c for c in _tree_order(demo_project)]
    labels = dict((c, label) for label, c in choices)
    assert labels["acces"] == "Accès à une alimentation de qualité"  # a theme: not indented
    assert labels["prix"] == "\u2003› Prix et budget"
    assert len(demo_project.codebook_history()) == history
    assert editor.select("prix").label == "Prix et budget"
    assert editor.fields()["keywords"].startswith("cher, prix, budget")
    used = len(demo_project.codings("prix", descendants=False))
    assert used > 60 and f"{used} codage(s)" in editor.summary()
    assert editor.select("inconnu") is None
    assert editor.status_level == "erreur" and "n'existe pas" in editor.status


def _tree_order(project: Project) -> list[str]:
    book, order = project.codebook, []

    def walk(parent):
        for child in book.children(parent):
            order.append(child.id)
            walk(child.id)

    walk(None)
    return order


def test_save_changes_only_what_differs_and_keeps_codings(demo_project: Project) -> None:
    codings = len(demo_project.codings("prix", descendants=False))
    editor = CodebookEditor(demo_project, by="camille")
    editor.select("prix")
    fields = editor.fields()
    fields["color"] = fields["color"].lower()  # what a colour picker sends back
    assert editor.save(**fields).label == "Prix et budget"
    assert "Rien à enregistrer" in editor.status
    fields.update(label="Prix, budget et fins de mois", keywords="cher ; budget\nfin de mois, cher")
    code = editor.save(**fields)
    assert code.keywords == ("cher", "budget", "fin de mois")
    assert demo_project.codebook.get("prix").label == "Prix, budget et fins de mois"
    assert file_code(demo_project, "prix").keywords == ("cher", "budget", "fin de mois")
    change = last_change(demo_project)
    assert (change["who"], change["action"], change["code_id"]) == (
        "camille",
        "modification",
        "prix",
    )
    assert set(change["details"]) == {"libellé", "mots-clés"}
    assert len(demo_project.codings("prix", descendants=False)) == codings
    assert editor.status == "« Prix, budget et fins de mois » enregistré (libellé, mots-clés)."


def test_refusals_are_french_and_change_nothing(demo_project: Project) -> None:
    editor = CodebookEditor(demo_project, by="camille")
    editor.select("prix")
    before = demo_project.codebook_path.read_bytes()
    assert editor.save(label="   ") is None
    assert editor.status == "Le libellé ne peut pas être vide."
    assert editor.save(color="vert pomme") is None
    assert editor.status_level == "erreur" and editor.status.startswith("Modification refusée : ")
    assert editor.add("Prix", parent="acces", code_id="prix") is None
    assert "existe déjà" in editor.status
    assert editor.add("", parent="acces") is None
    editor.select("acces")
    assert editor.move("prix") is None  # under its own sub-code
    assert editor.status.startswith("Déplacement refusé : ")
    assert demo_project.codebook_path.read_bytes() == before
    assert demo_project.codebook.get("prix").label == "Prix et budget"


def test_add_under_a_parent_or_as_a_theme(demo_project: Project) -> None:
    editor = CodebookEditor(demo_project, by="karim")
    code = editor.add("Jardins partagés !", parent="leviers", definition="  Un jardin collectif. ")
    assert (code.id, code.parent, code.definition) == (
        "jardins_partages",
        "leviers",
        "Un jardin collectif.",
    )
    assert editor.selected == "jardins_partages"
    assert file_code(demo_project, "jardins_partages").label == "Jardins partagés !"
    assert last_change(demo_project)["who"] == "karim"
    again = editor.add("Jardins partagés", parent="leviers")
    assert again.id == "jardins_partages_2"  # a free identifier
    theme = editor.add("Environnement", parent=None)
    assert theme.parent is None and theme in demo_project.codebook.themes()
    assert "comme thème" in editor.status


def test_move_keeps_codings_and_refuses_its_own_branch(demo_project: Project) -> None:
    editor = CodebookEditor(demo_project, by="camille")
    editor.select("prix")
    codings = set(demo_project.codings("prix", descendants=False)["coding_id"])
    assert "prix" not in [c for _l, c in editor.parent_choices(exclude_branch="prix")]
    assert editor.move("leviers").parent == "leviers"
    assert file_code(demo_project, "prix").parent == "leviers"
    assert set(demo_project.codings("prix", descendants=False)["coding_id"]) == codings
    assert last_change(demo_project)["action"] == "déplacement"
    assert editor.move(None).parent is None
    assert editor.status == "« Prix et budget » est maintenant un thème ; ses codages sont gardés."


def test_merge_is_announced_then_done(demo_project: Project) -> None:
    editor = CodebookEditor(demo_project, by="camille")
    editor.select("qualite")
    source = demo_project.codings("qualite", descendants=False)
    target_before = demo_project.codings("prix", descendants=False)
    assert editor.merge("prix") is None  # announced only
    assert editor.status_level == "attention"
    assert f"ses {len(source)} codage(s) passeront dans « Prix et budget »" in editor.status
    assert "qualite" in demo_project.codebook
    editor.select("proximite")  # choosing another code forgets the announcement
    assert editor.pending is None
    editor.select("qualite")
    editor.merge("prix")
    moved = editor.merge("prix", confirmed=True)
    assert "qualite" not in demo_project.codebook and file_code(demo_project, "qualite") is None
    after = demo_project.codings("prix", descendants=False)
    assert moved > 0 and len(after) == len(target_before) + moved
    assert set(source["selection_id"]) <= set(after["selection_id"])
    change = last_change(demo_project)
    assert (change["who"], change["action"], change["details"]["dans"]) == (
        "camille",
        "fusion",
        "prix",
    )
    assert editor.selected == "prix"


def test_delete_is_refused_with_the_reason_when_codings_exist(demo_project: Project) -> None:
    editor = CodebookEditor(demo_project, by="camille")
    editor.select("prix")
    used = len(demo_project.codings("prix", descendants=False))
    assert editor.delete(confirmed=True) is False
    assert editor.status == (
        f"« Prix et budget » ne peut pas être supprimé : il porte {used} codage(s). Fusionnez-le "
        "plutôt dans un autre code (ses codages y seront déplacés)."
    )
    editor.select("acces")
    assert editor.delete() is False and "4 sous-code(s)" in editor.status
    assert "prix" in demo_project.codebook and "acces" in demo_project.codebook


def test_delete_an_unused_code_after_confirmation(demo_project: Project) -> None:
    editor = CodebookEditor(demo_project, by="camille")
    editor.add("Jardins partagés", parent="leviers")
    assert editor.delete() is False and editor.status_level == "attention"
    assert "jardins_partages" in demo_project.codebook
    editor.cancel()
    assert editor.pending is None and editor.status == "Rien n'a été fait."
    assert editor.delete(confirmed=True) is False  # a confirmation without announcement
    assert editor.delete(confirmed=True) is True
    assert "jardins_partages" not in demo_project.codebook
    assert file_code(demo_project, "jardins_partages") is None
    assert last_change(demo_project)["action"] == "suppression"
    assert editor.selected == "leviers"


def test_the_name_is_shared_with_the_coding_panel(
    demo_project: Project, private_config: Path
) -> None:
    editor = CodebookEditor(demo_project, by="camille")
    assert editor.set_by("  Léa   Martin ") == "Léa Martin"
    assert prefs.saved_coder() == "Léa Martin"
    assert CodebookEditor(demo_project).by == "Léa Martin"
    assert CodingSession(demo_project).coder == "Léa Martin"
    assert "Léa Martin" not in demo_project.coders()["coder"].tolist()  # choosing writes nothing
    assert editor.set_by(" ") is None and editor.by == "Léa Martin"
    editor.select("prix")
    editor.save(definition="Le coût des aliments.")
    assert last_change(demo_project)["who"] == "Léa Martin"


def test_a_change_made_in_another_notebook_is_seen(demo_project: Project) -> None:
    editor = CodebookEditor(demo_project, by="camille")
    with Project.open(demo_project.root) as other:
        other.add_code("vente_directe", "Vente directe", parent="acces", by="karim")
    assert "vente_directe" in [c for _l, c in editor.choices()]
    editor.select("prix")
    assert editor.save(definition="Le coût des aliments.") is not None
    assert file_code(demo_project, "vente_directe").label == "Vente directe"
    assert file_code(demo_project, "prix").definition == "Le coût des aliments."


# -- the ipywidgets view, driven as a user would (no browser) ---------------------------------


def test_panel_buttons_edit_the_codebook(demo_project: Project) -> None:
    panel = CodebookPanel(demo_project, by="camille")
    panel.search.value = "budg"
    assert [c for _l, c in panel.codes.options] == ["prix"]
    panel.search.value = ""
    panel.codes.value = "prix"
    assert panel.field["label"].value == "Prix et budget"
    assert panel.move_to.value == "acces" and panel.new_parent.value == "prix"
    panel.field["label"].value = "Prix et budget des familles"
    panel.save_button.click()
    assert demo_project.codebook.get("prix").label == "Prix et budget des familles"
    assert "enregistré" in panel.status.value
    assert ("\u2003› Prix et budget des familles", "prix") in panel.codes.options

    panel.new_parent.value = "leviers"
    panel.new_label.value = "Jardins partagés"
    panel.add_button.click()
    assert demo_project.codebook.get("jardins_partages").parent == "leviers"
    assert panel.codes.value == "jardins_partages" and panel.new_label.value == ""

    panel.delete_button.click()
    assert panel.delete_button.description == "Confirmer la suppression"
    assert panel.cancel_button.layout.display == ""
    panel.delete_button.click()
    assert "jardins_partages" not in demo_project.codebook
    assert panel.delete_button.description == "Supprimer…"

    panel.codes.value = "qualite"
    panel.merge_into.value = "prix"
    panel.merge_button.click()
    assert "qualite" in demo_project.codebook and "color:#8a5300" in panel.status.value
    panel.merge_button.click()
    assert "qualite" not in demo_project.codebook
    assert panel.codes.value == "prix"

    panel.codes.value = "prix"
    panel.delete_button.click()
    assert (
        "ne peut pas être supprimé" in panel.status.value and "color:#b71c1c" in panel.status.value
    )

    panel.move_to.value = ""  # « aucun : c'est un thème »
    panel.move_button.click()
    assert demo_project.codebook.get("prix").parent is None
    assert [c["who"] for c in demo_project.codebook_history().tail(5).to_dict("records")] == [
        "camille"
    ] * 5


def test_panel_name_field_signs_the_changes(demo_project: Project) -> None:
    panel = CodebookPanel(demo_project, by="camille")
    panel.by.value = "Karim"
    assert panel.editor.by == "Karim" and prefs.saved_coder() == "Karim"
    panel.codes.value = "prix"
    panel.field["example"].value = "« Tout est trop cher. »"
    panel.save_button.click()
    assert last_change(demo_project)["who"] == "Karim"
