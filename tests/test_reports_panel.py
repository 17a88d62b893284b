"""The review panel of notebook 04: state and reading methods, then the widget view."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
import spacy
from notebook_guard import differences, fingerprint

from miam_qual.errors import UnknownOption
from miam_qual.reports import report_panel, review_panel, segments_panel
from miam_qual.reports.export_panel import ReportExport, SegmentsExport


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
    assert list(table.columns) == [
        "Thème", "Code", "Segments codés (avec sous-codes)", "Passages distincts", "Documents",
        "Participant·es",
    ]  # fmt: skip
    assert table["Segments codés (avec sous-codes)"].sum() == len(expected)  # no sub-codes here
    passages = expected.drop_duplicates(["selection_id", "code_id"])
    assert table["Passages distincts"].sum() == len(passages)
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
    assert panel.describe_filters() == "Aucun filtre : tout le projet."
    panel.select(theme="acces", wave="bilan")
    assert panel._dropdowns["theme"].value == "acces"
    assert panel._dropdowns[panel._name("wave")].value == "bilan"
    assert [d.label for d in panel._dropdowns.values()].count("(tous)") == len(panel.filters) - 2
    expected = demo_project.codings(code="acces", vague="bilan")
    assert f"<b>{len(expected)}</b>" in panel._count.value
    wave = panel.labels[panel._name("wave")]
    assert panel.describe_filters() == (
        f"Filtres : Thème = Accès à une alimentation de qualité ; {wave} = bilan."
    )
    assert "Thème = Accès" in panel._count.value  # the state is always shown
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


def test_report_form_writes_only_on_click_into_the_dated_exports_folder(demo_project, monkeypatch):
    import datetime as dt
    import os
    import urllib.parse

    monkeypatch.delenv("MIAM_EXPORTS", raising=False)
    monkeypatch.chdir(demo_project.root.parent)  # where a notebook beside the project runs
    before = fingerprint(demo_project.root)
    form = ReportExport(demo_project, nlp=BLANK)
    today = dt.date.today().isoformat()
    assert form.folder == demo_project.root / "exports" / f"{today}_rapports"
    assert report_panel(demo_project).folder == form.folder
    view = form.widget
    assert not (demo_project.root / "exports").exists()
    assert differences(before, fingerprint(demo_project.root)) == []
    assert form._folder.value == str(form.folder)
    form._boxes["docx"].value = False
    assert form.formats == ["html", "xlsx"]
    form._button.click()
    written = sorted(p.name for p in form.folder.iterdir())
    assert written == ["revue_des_themes.html", "revue_des_themes.xlsx"]
    assert sorted(p.name for p in form.files) == written
    assert "2 fichier(s) écrit(s)" in form._status.value
    links = re.findall(r"<a href='([^']+)'[^>]*title='([^']+)'", form._status.value)
    assert [Path(t).name for _h, t in links] == ["revue_des_themes.html"]  # Excel: no link
    assert "clic droit › Download" in form._status.value
    for href, title in links:  # each link, read from the notebook's folder, reaches its file
        assert Path(os.getcwd(), urllib.parse.unquote(href)).resolve() == Path(title).resolve()
    page = (form.folder / "revue_des_themes.html").read_text(encoding="utf-8")
    assert "Prix et budget" in page
    changed = differences(before, fingerprint(demo_project.root))
    assert changed == [  # the click wrote the report, and nothing else changed
        "dossier ajouté : exports",
        f"dossier ajouté : exports/{today}_rapports",
        *(f"fichier ajouté : exports/{today}_rapports/{name}" for name in written),
    ]
    assert view is form.widget


def test_segments_form_writes_the_sheet_only_on_click(demo_project, monkeypatch):
    import datetime as dt

    monkeypatch.delenv("MIAM_EXPORTS", raising=False)
    before = fingerprint(demo_project.root)
    form = segments_panel(demo_project)
    assert isinstance(form, SegmentsExport)
    today = dt.date.today().isoformat()
    assert form.folder == demo_project.root / "exports" / f"{today}_segments"
    form.widget  # noqa: B018
    assert differences(before, fingerprint(demo_project.root)) == []
    form._button.click()
    assert [p.name for p in form.files] == ["segments_codes.xlsx"]
    assert "1 fichier(s) écrit(s)" in form._status.value
    sheet = openpyxl.load_workbook(form.files[0])["Segments codés"]
    assert sheet.max_row - 1 == len(demo_project.codings()) - refused_codings(demo_project)
    form._folder.value = str(demo_project.root / "prive")
    assert form.write() is None and "dossier privé prive/" in form.status
    assert differences(before, fingerprint(demo_project.root)) == [
        "dossier ajouté : exports",
        f"dossier ajouté : exports/{today}_segments",
        f"fichier ajouté : exports/{today}_segments/segments_codes.xlsx",
    ]


def refused_codings(project) -> int:
    """How many codings lie in words whose speaker refused analysis (left out of every export)."""
    from miam_qual.privacy.consent import ConsentCheck

    return int(ConsentCheck(project).touching(project.codings(), "analyse", unknown=True).sum())


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
