"""Moving what follows an ``{% if %}`` into its branches (transpiler/pathsplit.py) must not
change what Jinja renders: every rewrite — of the corpus patterns and of random templates — is
rendered with Jinja2 next to the original for many contexts."""

from __future__ import annotations

import itertools

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transpiler.pathsplit import split_open_branches

CASES = [
    # readthedocs' site_name block: one <a> per branch, content after it, closed after an if
    '<div>\n  {%- if logo %}\n  <a href="/">\n  {%- else %}\n  <a href="/" class="home"> {{ name }}'
    '\n  {%- endif %}\n  {%- if logo %}\n  <img src="{{ logo }}"/>\n  {%- endif %}\n  </a>\n</div>',
    # Bootstrap-Flask's _hz_form_wrap: nested conditions wrapping caller()
    '{% macro wrap(cols, form_type, add_group=False) %}\n  {% if form_type == "horizontal" %}\n'
    '    {% if add_group %}<div class="group">{% endif %}\n    <div class="col-{{ cols }}">\n'
    '  {% endif %}\n{{ caller() }}\n{% if form_type == "horizontal" %}\n'
    "  {% if add_group %}</div>{% endif %}\n  </div>\n{% endif %}\n{% endmacro %}"
    '{% call wrap(a, b, add_group=x) %}<input name="{{ name }}">{% endcall %}',
    # an element opened before the if and closed after its twin
    '<section><div class="form">{% if b == "horizontal" %}<div class="col">{% endif %}\n'
    '<p>{{ name }}</p>{% if b == "horizontal" %}</div>{% endif %}\n</div></section>\n',
    # the twin cannot be decided (the branch assigns what the test reads): left to Jinja
    "{% if x %}{% set x = a %}<b>{% endif %}{{ x }}{% if x %}</b>{% endif %}<i>{{ name }}</i>",
    # a comment holding "%}" is one construct up to its own "#}"
    "{# a %} b #}{% if a %}<div>{% endif %}<p>{{ name }}</p>{% if a %}</div>{% endif %}",
    # elif chains and an if without else
    "{% if a %}<ul>{% elif b %}<ol>{% endif %}<li>{{ name }}</li>"
    "{% if a %}</ul>{% elif b %}</ol>{% endif %}",
]
NOT_SPLIT = [
    "<div>{% if a %}<b>x</b>{% endif %}</div>",  # balanced already
    "{% if a %}<div>{% endif %}{% block b %}{% endblock %}</div>",  # a block cannot be repeated
    "{% raw %}{% if a %}<div>{% endif %}</div>{% endraw %}",
    "{% if a %}<div>{% endif %}",  # nothing follows
    # a set in the moved text's own scope (not inside a loop): Jinja scopes it differently
    "{% if a %}<div>{% endif %}{% for i in [1, 2] %}{% if b %}<div>{% endif %}{% endfor %}"
    "{% set b = name %}",
]
VALUES = [None, "", "a", 0, 1, "horizontal", "x<y\"'&", True]
NAMES = ["logo", "name", "a", "b", "x"]


def _same(source: str, split: str) -> None:
    env = jinja2.Environment(autoescape=True)
    before, after = env.from_string(source), env.from_string(split)
    for combo in itertools.product(VALUES, repeat=3):
        ctx = {n: combo[i % 3] for i, n in enumerate(NAMES)}
        assert before.render(ctx) == after.render(ctx), (split, ctx)


@pytest.mark.parametrize("source", CASES)
def test_rewrite_renders_the_same(source: str) -> None:
    split = split_open_branches(source)
    assert split is not None and split != source
    _same(source, split)


@pytest.mark.parametrize("source", NOT_SPLIT)
def test_left_alone(source: str) -> None:
    assert split_open_branches(source) is None


_test = st.sampled_from(["a", "not a", "b", "a and b", "x", "b == 'horizontal'", "loop.first"])
_leaf = st.sampled_from(
    [
        "<div>",
        "</div>",
        '<p class="k">',
        "</p>",
        "<br>",
        "{{ name }}",
        "{{ a }}",
        " text ",
        "\n  ",
        "{% set a = x %}",
        "{% set b = name %}",
        "{{ items.append(1) or '' }}",
        "{#- c -#}",
    ]
)


def _if(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(t: str, body: str, other: str | None, dash: bool) -> str:
        d = "-" if dash else ""
        out = f"{{%{d} if {t} %}}{body}"
        if other is not None:
            out += f"{{% else {d}%}}{other}"
        return out + f"{{%{d} endif %}}"

    return st.builds(build, _test, children, st.none() | children, st.booleans())


def _for(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return children.map(lambda body: "{% for i in [1, 2] %}" + body + "{% endfor %}")


_template = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, min_size=1, max_size=5).map("".join)
    | _if(st.lists(inner, max_size=4).map("".join))
    | _for(st.lists(inner, max_size=3).map("".join)),
    max_leaves=14,
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_template, min_size=1, max_size=4).map("".join))
def test_random_rewrites_render_the_same(source: str) -> None:
    split = split_open_branches(source)
    if split is None:
        return
    env = jinja2.Environment(autoescape=True)
    before, after = env.from_string(source), env.from_string(split)
    for combo in itertools.product([None, "", "a", "horizontal", 1], repeat=3):
        ctx = {n: combo[i % 3] for i, n in enumerate(NAMES)}
        ctx_before = dict(ctx, items=[])
        ctx_after = dict(ctx, items=[])
        assert _render(before, ctx_before) == _render(after, ctx_after), (source, split, ctx)


def _render(t: jinja2.Template, ctx: dict[str, object]) -> str:
    try:
        return t.render(ctx)
    except jinja2.TemplateError as exc:  # e.g. loop.first outside a loop: both must raise
        return f"error: {type(exc).__name__}"


# what the rewrite meets past the markup is what the diagnostic tells, at the markup's place
# (the rewrite moved the lines: "{%-" is applied first, and the rest of the body is repeated)
PAST_MARKUP = (
    "<div>\n{%- if k %}\n<b>\n{%- else %}\n<i>\n{%- endif %}\nx\n{%- if k %}\n</b>\n"
    "{%- else %}\n</i>\n{%- endif %}\n{{ p.__dict__ }}</div>\n"
)


def _diagnostics(source: str) -> list:
    from transpiler.convert import convert_source
    from transpiler.environment import make_environment

    env = make_environment(jinja2.DictLoader({"page.html": source}))
    return convert_source(source, "page.html", env).diagnostics


def test_template_past_its_markup_reports_the_next_problem() -> None:
    (d,) = _diagnostics(PAST_MARKUP)
    assert (d.code, d.line) == ("H101", 3)
    assert "then meets U002: Python internals (.__dict__)" in d.message


def test_macro_past_its_markup_reports_the_next_problem() -> None:
    source = "{% macro link(logo) %}" + PAST_MARKUP + "{% endmacro %}<p>rest</p>"
    (w,) = _diagnostics(source)
    assert w.code == "W003"
    assert "H101 at line 3" in w.message and "then meets U002" in w.message
