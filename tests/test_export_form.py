"""The notebooks' export forms: nothing is written before the click; the click writes through the
privacy gate into a dated folder of the project's exports/ (or under $MIAM_EXPORTS), and says in
French what it did or refused."""

from __future__ import annotations

import datetime as dt

import pytest

from miam_qual import Project
from miam_qual.publication import QuoteExport, list_quotes


@pytest.fixture
def exports_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MIAM_EXPORTS", str(tmp_path / "exports"))
    return tmp_path / "exports"


def test_the_quote_form_writes_only_on_click(demo_project: Project, exports_home):
    today = dt.date.today().isoformat()
    form = QuoteExport(demo_project)
    assert form.folder == exports_home / demo_project.root.name / f"{today}_radio"
    assert demo_project.root not in form.folder.parents
    form.choose("tableur")
    assert form.folder.name == f"{today}_tableur" and not form.folder.exists()
    files = form.write()
    assert files and {f.name for f in files} >= {"citations.csv", "citations.xlsx"}
    assert all(f.is_file() and form.folder in f.parents for f in files)
    validated = list_quotes(demo_project, status="validée")
    assert f"{len(form.report.exported)} citation(s) exportée(s)" in form.status
    assert set(form.report.exported) <= set(validated["quote_id"])


def test_the_quote_form_says_why_nothing_was_written(demo_project: Project, exports_home):
    form = QuoteExport(demo_project)
    form.set_folder(str(demo_project.root / "prive" / "sortie"))
    assert form.write() is None
    assert form.status_level == "erreur" and "dossier privé" in form.status
    form.choose("exposition")  # a typed folder stays as typed
    assert form.folder == demo_project.root / "prive" / "sortie"
    assert form.set_folder("  ") is None and "Indiquez le dossier" in form.status


def test_panels_and_their_previews_from_the_form(demo_project: Project, exports_home):
    form = QuoteExport(demo_project)
    form.choose("exposition")
    form.options.update(theme="acces", with_word_cloud=False)
    assert form.write()
    assert form.previews() and all(p.suffix == ".png" for p in form.previews())
    assert "Export « exposition »" in form.status


def test_without_a_setting_exports_go_into_the_project_by_day_and_kind(
    demo_project: Project, monkeypatch
):
    monkeypatch.delenv("MIAM_EXPORTS", raising=False)
    form = QuoteExport(demo_project)
    today = dt.date.today().isoformat()
    assert form.folder == demo_project.root / "exports" / f"{today}_radio"
    form.choose("exposition")
    assert form.folder == demo_project.root / "exports" / f"{today}_exposition"
    given = QuoteExport(demo_project, folder=demo_project.root.parent / "ailleurs")
    given.choose("tableur")  # a folder given to the form keeps one sub-folder per kind
    assert given.folder == demo_project.root.parent / "ailleurs" / "tableur"
