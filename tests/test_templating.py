"""The one Jinja2 environment factory: escaping for HTML and CSS, missing variables refused."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from miam_qual.templating import css_string, environment


def _write(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_html_and_string_templates_are_escaped(tmp_path):
    env = environment(_write(tmp_path, "page.html.j2", "<p>{{ text }}</p>"))
    hostile = "<script>alert('x')</script> & « Ça »"
    page = env.get_template("page.html.j2").render(text=hostile)
    assert "<script>" not in page
    assert page == "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; « Ça »</p>"
    assert "<b>" not in env.from_string("{{ t }}").render(t="<b>")


def test_css_templates_escape_text_with_css_string_only(tmp_path):
    env = environment(
        _write(tmp_path, "style.css.j2", 'a::after { content: "{{ t | css_string }}"; }')
    )
    css = env.get_template("style.css.j2").render(t="l'équipe \"</style><script>")
    assert css == 'a::after { content: "l\'équipe \\22 \\3c /style\\3e \\3c script\\3e "; }'
    assert css_string("a\nb") == "a\\a b"


def test_a_missing_variable_is_refused_and_filters_are_added(tmp_path):
    env = environment(
        _write(tmp_path, "page.html.j2", "{{ n | double }} {{ absent }}"), double=lambda n: 2 * n
    )
    with pytest.raises(UndefinedError):
        env.get_template("page.html.j2").render(n=2)
    assert env.from_string("{{ n | double }}").render(n=2) == "4"


def test_reports_and_publication_use_the_shared_factory():
    from miam_qual.publication.exhibition import panel_environment
    from miam_qual.reports.html import report_environment

    for env in (report_environment(), panel_environment()):
        assert env.filters["css_string"] is css_string
        assert env.autoescape("anything.html.j2") and not env.autoescape("panneaux.css.j2")
