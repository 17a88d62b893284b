"""Notebook 01's form for work done in other tools: a real .qdpx or .qdc is previewed (nothing
written), then imported or merged on confirmation only; refusals are French and write nothing."""

from __future__ import annotations

import json

from notebook_guard import differences, fingerprint
from refi_qda import sample, samples_dir

from miam_qual import Project
from miam_qual.exchange import export_qdpx
from miam_qual.widgets import ExchangeImport


def test_a_real_export_is_previewed_then_imported_on_confirmation(project: Project):
    path = sample("qualitative-coding-demo.qdpx")
    expected = json.loads(
        (samples_dir() / "expected" / f"{path.name}.expected.json").read_text(encoding="utf-8")
    )
    content = path.read_bytes()
    form = ExchangeImport(project, by="camille")
    before = fingerprint(project.root)

    assert form.apply(path.name, content) is None  # no preview yet: refused
    assert form.status_level == "erreur" and "Regardez d'abord l'aperçu" in form.status
    report = form.preview(path.name, content)
    assert report is not None and not report.written
    assert "aperçu, rien n'a encore été écrit" in form.status
    assert differences(before, fingerprint(project.root)) == []

    form.set_mode("fusion")  # the preview was of an import: a merge needs its own preview
    assert form.apply(path.name, content) is None
    form.set_mode("import")
    done = form.apply(path.name, content)
    assert done is not None and done.written and "fait." in form.status
    codings = project.codings()
    assert len(expected["codings"]) == 205 and len(codings) == 205
    assert set(codings["document"]) == {c["source"] for c in expected["codings"]}
    assert form.history().iloc[-1]["action"] == "import"
    assert form.apply(path.name, content) is None  # a second write needs a second preview


def test_merging_the_projects_own_export_adds_nothing(demo_project: Project, tmp_path):
    archive = export_qdpx(demo_project, tmp_path / "copie.qdpx")
    form = ExchangeImport(demo_project, by="camille")
    form.set_mode("fusion")
    content = archive.read_bytes()
    before = len(demo_project.codings())
    assert form.preview(archive.name, content) is not None
    report = form.apply(archive.name, content)
    assert report is not None and report.nothing_new
    assert "Rien de nouveau" in form.status
    assert len(demo_project.codings()) == before


def test_refusals_name_the_file_and_write_nothing(project: Project):
    form = ExchangeImport(project, by="camille")
    before = fingerprint(project.root)
    assert form.preview("projet.qdpx", b"ceci n'est pas une archive") is None
    assert form.status_level == "erreur" and "projet.qdpx" in form.status
    assert form.preview("notes.txt", b"du texte") is None
    assert "choisissez un projet .qdpx ou un livre de codes .qdc" in form.status
    form.set_mode("fusion")
    codebook = sample("uto_tag-taguette141-codebook.qdc")
    assert form.preview(codebook.name, codebook.read_bytes()) is None
    assert "livre de codes seul" in form.status
    assert differences(before, fingerprint(project.root)) == []
    view = form.widget  # the view: an empty upload is refused in French
    form.on_click(form.preview)
    assert "Choisissez d'abord un fichier" in form.status and "Choisissez" in form._status.value
    assert view is form.widget


def test_an_import_is_signed_by_a_name_given_in_a_panel_never_the_login(
    project: Project, monkeypatch, tmp_path
):
    monkeypatch.setenv("MIAM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("MIAM_CODEUR", raising=False)
    path = sample("qualitative-coding-demo.qdpx")
    form = ExchangeImport(project)
    before = fingerprint(project.root)
    assert form.preview(path.name, path.read_bytes()) is not None
    assert form.apply(path.name, path.read_bytes()) is None
    assert "Indiquez d'abord votre nom" in form.status
    assert differences(before, fingerprint(project.root)) == []
