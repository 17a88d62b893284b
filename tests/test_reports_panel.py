"""The review panel of notebook 04: state and reading methods, then the widget view."""

from __future__ import annotations

from miam_qual.reports import review_panel


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
