"""The one Jinja2 environment factory, shared by the report and the publication templates.

Every environment escapes what it inserts: HTML and XML templates (and templates from strings)
through Jinja2's autoescaping, so an excerpt holding ``<script>`` is shown as text and never run;
CSS templates (``*.css.j2``), where HTML escaping would mangle text, through the ``css_string``
filter that every text inserted into a CSS string must pass. A variable the template names but the
caller did not give raises instead of printing nothing (``StrictUndefined``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

__all__ = ["css_string", "environment"]


def css_string(value: object) -> str:
    """``value`` as the inside of a double-quoted CSS string: quotes, backslashes, angle brackets
    and line breaks written as CSS escapes, so it can end neither the string nor the style."""
    out = []
    for char in str(value):
        if char in '"\\<>&' or ord(char) < 0x20 or char in "\u2028\u2029":
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return "".join(out)


def environment(templates: Path, **filters: Callable[..., object]) -> Environment:
    """A Jinja2 environment for the templates of folder ``templates``, with ``css_string`` and
    the given ``filters``; autoescaping on for every template but ``*.css.j2``."""
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2", "html", "xml.j2", "xml"),
            disabled_extensions=("css.j2",),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters.update(filters)
    return env
