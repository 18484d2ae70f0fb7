"""Jinja syntax errors (J001) point at what to fix: a block never closed is reported where it is
opened, a stray or mismatched end tag where it stands, with the block it should have closed;
neither is blamed on a missing extension."""

from __future__ import annotations

import pytest

from transpiler.convert import convert_source
from transpiler.diagnostics import RULES, Diagnostic


def diagnose(source: str) -> Diagnostic:
    result = convert_source(source, "page.html")
    assert not result.ok and len(result.diagnostics) == 1, result.diagnostics
    d = result.diagnostics[0]
    assert d.code == "J001"
    return d


@pytest.mark.parametrize(
    "source, line, column, opened, end",
    [
        ("<ul>\n  {% for x in y %}\n  <li>{{ x }}</li>\n</ul>\n", 2, 3, "for", "endfor"),
        ("{% if a %}\n{% for x in y %}{% endfor %}\n<p>x</p>", 1, 1, "if", "endif"),
        ("<p>{% set note %}Hi\n</p>", 1, 4, "set", "endset"),
        ("{% set n = 1 %}{%- if a %}{{ n }}", 1, 16, "if", "endif"),
        (
            "{# {% if a %} #}{% raw %}{% for %}{% endraw %}{% macro m() %}x",
            1,
            47,
            "macro",
            "endmacro",
        ),
        (
            "{% if a %}{% if b %}x{% endif %}\n\n  {%+ block c %}y{% endblock %}",
            1,
            1,
            "if",
            "endif",
        ),
    ],
)
def test_a_block_never_closed_is_reported_where_it_opens(
    source: str, line: int, column: int, opened: str, end: str
) -> None:
    d = diagnose(source)
    assert (d.line, d.column) == (line, column)
    assert f"{{% {opened} %}}" in d.message and "never closed" in d.message
    assert "Unexpected end of template" in d.message  # Jinja's own words stay
    assert f"{{% {end} %}}" in d.hint
    assert "extension" not in d.message + d.hint


@pytest.mark.parametrize(
    "source, line, column, tag, opened, opened_line, end",
    [
        (
            "<p>\n{% for x in y %}\n<b>{{ x }}</b>\n{% endif %}\n</p>",
            4,
            1,
            "endif",
            "for",
            2,
            "endfor",
        ),
        ("{% if a %}\n  {% block b %}\n{%- endif %}", 3, 1, "endif", "block", 2, "endblock"),
        ("{% if a %}x{% else %}y{% else %}z{% endif %}", 1, 23, "else", "if", 1, "endif"),
        (
            "{% for x in y %}{% endfor %}{% for x in y %}{% elif b %}",
            1,
            45,
            "elif",
            "for",
            1,
            "endfor",
        ),
    ],
)
def test_a_mismatched_tag_names_the_block_still_open(
    source: str, line: int, column: int, tag: str, opened: str, opened_line: int, end: str
) -> None:
    d = diagnose(source)
    assert (d.line, d.column) == (line, column)
    assert f"{{% {tag} %}}" in d.message
    assert f"{{% {opened} %}} opened at line {opened_line}" in d.message
    assert f"{{% {end} %}}" in d.hint
    assert "extension" not in d.message + d.hint


@pytest.mark.parametrize(
    "source, column, tag, opener",
    [
        ("<p>{% endif %}</p>", 4, "endif", "if"),
        ("{% for x in y %}{% endfor %}\n{%- endfor %}", 1, "endfor", "for"),
        ("<i>{% else %}</i>", 4, "else", "if"),
    ],
)
def test_an_end_tag_with_nothing_open(source: str, column: int, tag: str, opener: str) -> None:
    d = diagnose(source)
    assert d.column == column and d.line == source.count("\n") + 1
    assert f"{{% {tag} %}}" in d.message and f"{{% {opener} %}}" in d.message
    assert "extension" not in d.message + d.hint


def test_other_syntax_errors_keep_jinja_message_and_a_short_hint() -> None:
    d = diagnose("<p>\n{{ x | }}</p>")
    assert d.line == 2 and "expected token 'name'" in d.message
    shown = d.hint or RULES["J001"].instead  # what check prints
    assert "extension" not in shown and "break" not in shown
