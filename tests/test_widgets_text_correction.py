"""Notebook 01's form for a corrected transcript: the preview says what becomes of each coding and
writes nothing; the replacement writes the previewed file only, as the document's next version,
and refuses a document corrected elsewhere in between."""

from __future__ import annotations

from pathlib import Path

from notebook_guard import differences, fingerprint

from miam_qual import Project
from miam_qual.widgets import TextCorrection

CANTINE = Path(__file__).parent / "data" / "core" / "entretien_cantine.txt"


def coded(project: Project) -> dict[str, str]:
    project.import_files([CANTINE], by="test")
    text = project.text("entretien_cantine.txt")
    spans = {
        "kept": "Depuis huit ans",
        "changed": "les enfants ne mangeaient pas les légumes",
        "gone": "ça reste difficile",
    }
    ids = {}
    for key, words in spans.items():
        start = text.index(words)
        ids[key] = project.code(
            "entretien_cantine.txt", start, start + len(words), "qualite", coder="camille"
        )
    return ids


def corrected() -> bytes:
    text = CANTINE.read_text(encoding="utf-8")
    text = text.replace("ne mangeaient pas les légumes", "ne mangeaient jamais les légumes")
    return text.replace(" Les épinards, par exemple, ça reste difficile.", "").encode("utf-8")


def test_preview_then_replace_the_text_of_a_coded_document(project: Project):
    ids = coded(project)
    form = TextCorrection(project, by="léa")
    form.choose("entretien_cantine.txt")
    before = fingerprint(project.root)

    assert form.apply("cantine_corrigee.txt", corrected()) is None  # no preview yet
    assert "Regardez d'abord l'aperçu" in form.status
    table = form.show_preview("cantine_corrigee.txt", corrected())
    assert table is not None
    states = dict(zip(table["coding_id"], table["state"], strict=True))
    assert states == {ids["kept"]: "intact", ids["changed"]: "modifié", ids["gone"]: "orphelin"}
    changed = table.set_index("coding_id").loc[ids["changed"], "new_text"]
    assert changed == "les enfants ne mangeaient jamais les légumes"
    assert "1 codage(s) intact(s), 1 modifié(s)" in form.status and "1 orphelin(s)" in form.status
    assert differences(before, fingerprint(project.root)) == []  # the preview wrote nothing

    result = form.apply("cantine_corrigee.txt", corrected())
    assert result is not None and result["version"] == 2
    assert (result["untouched"], result["modified"], result["orphaned"]) == (1, 1, 1)
    assert "jamais" in project.text("entretien_cantine.txt")
    assert (project.corpus_dir / "entretien_cantine.txt").read_bytes() == CANTINE.read_bytes()
    assert list(project.text_versions("entretien_cantine.txt")["who"])[-1] == "léa"
    assert "version 2 enregistrée" in form.status


def test_a_document_corrected_elsewhere_after_the_preview_is_refused(project: Project):
    coded(project)
    form = TextCorrection(project, by="léa")
    form.choose("entretien_cantine.txt")
    assert form.show_preview("cantine_corrigee.txt", corrected()) is not None
    text = project.text("entretien_cantine.txt")
    at = text.index("Bonjour")
    project.edit_text("entretien_cantine.txt", [(at, at + 7, "Bonsoir")], by="karim")
    before = fingerprint(project.root)
    assert form.apply("cantine_corrigee.txt", corrected()) is None
    assert form.status_level == "erreur"
    assert differences(before, fingerprint(project.root)) == []


def test_refusals_say_why_and_write_nothing(project: Project, monkeypatch, tmp_path):
    coded(project)
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("MIAM_CODEUR", raising=False)
    form = TextCorrection(project)  # nobody has given a name on this machine
    form.choose("entretien_cantine.txt")
    before = fingerprint(project.root)
    assert form.show_preview("cantine.pdf", b"%PDF") is None and ".txt" in form.status
    assert form.show_preview("cantine_corrigee.txt", corrected()) is not None
    assert form.apply("cantine_corrigee.txt", corrected()) is None
    assert "Indiquez d'abord votre nom" in form.status
    form.set_by("léa")
    assert form.apply("autre.txt", corrected()) is None  # another file than the one previewed
    assert differences(before, fingerprint(project.root)) == []
    view = form.widget
    form.on_click(form.show_preview)
    assert "Choisissez d'abord le fichier" in form.status and "Choisissez" in form._status.value
    assert view is form.widget
