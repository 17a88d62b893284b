"""The review panel of notebook 04: state and reading methods, then the widget view."""

from __future__ import annotations

import pytest
import spacy

from miam_qual.errors import UnknownOption
from miam_qual.reports import report_panel, review_panel
from miam_qual.reports.export_panel import ReportExport


def test_filters_select_the_same_codings_as_the_project(demo_project):
    panel = review_panel(demo_project)
    assert panel.choices("wave")[0] == ("(tous)", None)
    assert ("bilan", "bilan") in panel.choices("wave")
    assert [v for _, v in panel.choices("theme")][1:] == [
        t.id for t in demo_project.codebook.themes()
    ]
    assert len(panel.codings()) == len(demo_project.codings())
    panel.select(theme="acces", wave="bilan", coder="karim")
    expected = demo_project.codings(code="acces", coder="karim", vague="bilan")
    assert sorted(panel.codings()["coding_id"]) == sorted(expected["coding_id"])
    table = panel.frequencies()
    assert list(table.columns) == ["Thème", "Code", "Segments codés", "Documents", "Participant·es"]
    assert table["Segments codés"].sum() == len(expected)
    assert set(panel.excerpts()["text"]) <= set(expected["text"])
    panel.select(theme=None, wave=None, coder=None, source_type="questionnaire")
    assert set(panel.codings()["type_source"]) == {"questionnaire"}


def test_widget_follows_the_dropdowns(demo_project):
    panel = review_panel(demo_project)
    view = panel.widget
    assert view is panel.widget  # built once
    panel._dropdowns["coder"].value = "camille"
    assert panel.filters["coder"] == "camille"
    count = len(demo_project.codings(coder="camille"))
    assert f"<b>{count}</b>" in panel._count.value
    assert "Prix et budget" in panel._table.value
    assert "<blockquote>" in panel._quotes.value


def test_filters_start_at_all_and_code_moves_the_dropdowns(demo_project):
    panel = review_panel(demo_project)
    assert all(value is None for value in panel.filters.values())
    panel.widget  # noqa: B018 (builds the view)
    assert all(d.label == "(tous)" for d in panel._dropdowns.values())  # shown, not blank
    panel.select(theme="acces", wave="bilan")
    assert panel._dropdowns["theme"].value == "acces"
    assert panel._dropdowns[panel._name("wave")].value == "bilan"
    assert [d.label for d in panel._dropdowns.values()].count("(tous)") == len(panel.filters) - 2
    expected = demo_project.codings(code="acces", vague="bilan")
    assert f"<b>{len(expected)}</b>" in panel._count.value
    panel._dropdowns["theme"].label = "(tous)"  # the user puts « (tous) » back
    assert panel.filters["theme"] is None and panel.filters[panel._name("wave")] == "bilan"


def test_a_value_the_filter_does_not_offer_is_refused(demo_project):
    panel = review_panel(demo_project)
    panel.widget  # noqa: B018
    panel.select(coder="karim")
    with pytest.raises(UnknownOption, match="aucune valeur « Bilan »"):
        panel.select(coder="camille", wave="Bilan")
    assert panel.filters["coder"] == "karim" and panel._dropdowns["coder"].value == "karim"
    demo_project.add_coder("Inès")  # registered, no coding yet: a true empty answer
    assert panel.select(coder="Inès").codings().empty
    assert panel._dropdowns["coder"].label == "Inès"


# -- the report form: nothing is written before the click ---------------------------------------

BLANK = spacy.blank("fr")


def test_report_form_writes_only_on_click_outside_the_project(demo_project, tmp_path, monkeypatch):
    monkeypatch.setenv("MIAM_EXPORTS", str(tmp_path / "exports"))
    form = ReportExport(demo_project, nlp=BLANK)
    assert form.folder == tmp_path / "exports" / demo_project.root.name / "rapports"
    assert report_panel(demo_project).folder == form.folder
    view = form.widget
    assert not (tmp_path / "exports").exists()
    assert form._folder.value == str(form.folder)
    form._boxes["docx"].value = False
    assert form.formats == ["html", "xlsx"]
    form._button.click()
    written = sorted(p.name for p in form.folder.iterdir())
    assert written == ["revue_des_themes.html", "revue_des_themes.xlsx"]
    assert sorted(p.name for p in form.files) == written
    assert "2 fichier(s) écrit(s)" in form._status.value
    assert all(str(p) in form._status.value for p in form.files)
    page = (form.folder / "revue_des_themes.html").read_text(encoding="utf-8")
    assert "Prix et budget" in page
    assert view is form.widget


def test_report_form_refusals_write_nothing(demo_project, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "maison"))
    form = ReportExport(demo_project, nlp=BLANK)
    form.widget  # noqa: B018
    for box in form._boxes.values():
        box.value = False
    assert form.write() is None and form.status == "Cochez au moins un format."
    form.choose_formats("html")
    form._folder.value = str(demo_project.root / "prive" / "rapports")
    assert form.write() is None
    assert form.status_level == "erreur" and "dossier privé prive/" in form.status
    assert not (demo_project.root / "prive" / "rapports").exists()
    assert "color:#b71c1c" in form._status.value
    form._folder.value = "rapports/mars"  # relative: in the home folder
    assert form.folder == tmp_path / "maison" / "rapports" / "mars"
    form._folder.value = "  "
    assert form.status == "Indiquez le dossier où écrire."
