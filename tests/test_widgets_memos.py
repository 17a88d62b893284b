"""The memo panel (notebook 03): ``MemoEditor`` (logic) and ``MemoPanel`` (ipywidgets view) on
real project copies; every memo is read back from the store, after reopening the project too."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_guard import fingerprint

from miam_qual import MemoError, Project
from miam_qual.coding import MEMO_MAX_LENGTH
from miam_qual.widgets import MemoEditor, MemoPanel


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))


def stored(project: Project, kind: str, author: str) -> list[dict]:
    memos = project.memos(kind)
    return memos[memos["author"] == author].to_dict("records")


def test_memos_on_a_document_a_code_and_a_coding_are_saved_signed_and_kept(
    demo_project: Project,
) -> None:
    coding = demo_project.codings("prix", coder="karim").iloc[0]
    document = demo_project.documents().iloc[1]
    editor = MemoEditor(demo_project, author="zoé")
    assert stored(demo_project, None, "zoé") == []  # type: ignore[arg-type]
    cases = [
        ("document", document["document_id"], "Entretien à relire avec la référente."),
        ("code", "prix", "Distinguer le prix perçu du prix payé."),
        ("coding", coding["coding_id"], "Ironique ? À vérifier sur l'enregistrement."),
    ]
    for kind, target, text in cases:
        assert editor.set_kind(kind) == kind
        if kind == "coding":
            assert editor.set_document(coding["document"]) == coding["document_id"]
        assert editor.select(target) == target
        assert editor.save(f"  {text}\n") and editor.status_level == "info"
        assert editor.text() == text and "signé « zoé »" in editor.status
    path = demo_project.root
    demo_project.close()
    reopened = Project.open(path)
    try:
        for kind, target, text in cases:
            [row] = stored(reopened, kind, "zoé")
            assert row["text"] == text and row["created_at"] == row["updated_at"]
            guid = reopened.codebook.get(target).guid if kind == "code" else target
            assert row["target_id"] == guid
        assert stored(reopened, "code", "zoé")[0]["target"] == "prix"
        assert stored(reopened, "document", "zoé")[0]["target"] == document["document"]
        assert (
            reopened.codings(coder="karim").set_index("coding_id").loc[coding["coding_id"], "memo"]
            == cases[2][2]
        )
        # editing replaces the author's memo, keeps when it was first written, dates the change
        editor = MemoEditor(reopened, author="zoé")
        editor.set_kind("code")
        editor.select("prix")
        first = stored(reopened, "code", "zoé")[0]
        assert editor.save("Prix perçu, prix payé, et reste à vivre.")
        [row] = stored(reopened, "code", "zoé")
        assert row["note_id"] == first["note_id"] and row["created_at"] == first["created_at"]
        assert row["updated_at"] >= first["updated_at"]
        assert editor.save("Prix perçu, prix payé, et reste à vivre.")
        assert "Rien à enregistrer" in editor.status
        listing = editor.listing()
        mine = listing[listing["author"] == "zoé"]
        labels = dict(zip(mine["target_kind"], mine["target_label"], strict=True))
        assert labels["document"] == document["document"] and labels["code"] == "Prix et budget"
        start = " ".join(coding["text"].split())[:20]
        assert labels["codage"].startswith(f"Prix et budget — « {start}")
        assert labels["codage"].endswith(f" » ({coding['document']})")
        assert list(editor.table().columns) == ["Sur", "Cible", "Auteur·rice", "Mémo", "Modifié le"]
        cells = [str(v) for v in editor.table().to_numpy().ravel()]
        assert not [c for c in cells if c in {"nan", "None", "NaN"} or c.startswith(("[", "{"))]
    finally:
        reopened.close()


def test_other_authors_memos_are_shown_and_left_alone(demo_project: Project) -> None:
    demo_project.set_memo("code", "prix", "Voir aussi les paniers solidaires.", author="karim")
    editor = MemoEditor(demo_project, author="zoé")
    editor.set_kind("code")
    assert ("\u2003› Prix et budget ✎", "prix") in editor.targets()
    assert ("\u2003› Offre alimentaire de proximité", "proximite") in editor.targets()
    editor.select("prix")
    assert editor.text() == "" and editor.others() == [
        ("karim", "Voir aussi les paniers solidaires.")
    ]
    assert editor.save("Mon mémo.")
    assert editor.delete() and editor.text() == "" and "effacé" in editor.status
    assert stored(demo_project, "code", "zoé") == []
    assert [r["text"] for r in stored(demo_project, "code", "karim")] == [
        "Voir aussi les paniers solidaires."
    ]


def test_refusals_say_why_and_change_nothing(demo_project: Project) -> None:
    before = fingerprint(demo_project.root)
    editor = MemoEditor(demo_project, author="zoé")
    assert not editor.save("Sans cible.") and editor.status_level == "erreur"
    assert editor.set_kind("participant") is None and editor.kind == "document"
    editor.set_kind("code")
    assert editor.select("inconnu") is None and "inconnu" in editor.status
    editor.select("prix")
    assert not editor.save("   ") and "vide" in editor.status
    assert not editor.delete() and "rien à effacer" in editor.status
    assert not editor.save("x" * (MEMO_MAX_LENGTH + 1))
    assert "trop long" in editor.status and editor.status_level == "erreur"
    assert editor.set_author("  ") is None and editor.author == "zoé"
    editor.author = " "  # a blank signature set from Python is refused by the project
    assert not editor.save("Un mémo.") and "signé" in editor.status
    for author in ("", "  "):
        with pytest.raises(MemoError):
            demo_project.set_memo("code", "prix", "Un mémo.", author=author)
    with pytest.raises(MemoError):
        demo_project.set_memo("document", "x", "y" * (MEMO_MAX_LENGTH + 1), author="zoé")
    assert fingerprint(demo_project.root) == before


def test_a_code_deleted_in_another_notebook_is_refused(project: Project) -> None:
    project.add_code("a_relire", "À relire", parent="prix", by="camille")
    editor = MemoEditor(project, author="camille")
    editor.set_kind("code")
    editor.select("a_relire")
    other = Project.open(project.root)
    other.delete_code("a_relire", by="karim")
    other.close()
    before = fingerprint(project.root)
    assert not editor.save("Trop tard.") and "Mémo non enregistré" in editor.status
    assert fingerprint(project.root) == before


def test_memo_panel_writes_on_its_buttons_only(demo_project: Project) -> None:
    before = fingerprint(demo_project.root)
    panel = MemoPanel(demo_project, author="zoé")
    panel.kind.value = "code"
    panel.targets.value = "prix"
    panel.text.value = "Écrit dans le panneau."
    assert fingerprint(demo_project.root) == before  # typing writes nothing
    panel.save_button.click()
    assert [r["text"] for r in stored(demo_project, "code", "zoé")] == ["Écrit dans le panneau."]
    assert "Mémo enregistré" in panel.status.value
    too_long = "y" * (MEMO_MAX_LENGTH + 1)
    panel.text.value = too_long
    panel.save_button.click()
    assert "trop long" in panel.status.value and panel.text.value == too_long  # kept as typed
    panel.kind.value = "coding"
    assert panel.document.layout.display == "" and panel.targets.value is None
    assert panel.save_button.disabled
    coding = demo_project.codings(document=panel.document.value).iloc[0]
    panel.targets.value = coding["coding_id"]
    panel.text.value = "Sur un codage."
    panel.save_button.click()
    assert (
        demo_project.codings(document=coding["document_id"])
        .set_index("coding_id")
        .loc[coding["coding_id"], "memo"]
        .endswith("Sur un codage.")
    )
    panel.delete_button.click()
    assert stored(demo_project, "coding", "zoé") == []
