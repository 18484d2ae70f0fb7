"""Property: arbitrary template text, attribute values and context strings come out of React
exactly as Jinja2 prints them — whatever the characters, no input becomes code. A generated
template either converts and renders identically, or is refused with a diagnostic."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from differential import compare, render_jinja, render_react
from transpiler.convert import convert_source

# Characters that stress escaping and code generation: quotes, backslashes, template-literal and
# JSX delimiters, entities, script terminators, unicode, whitespace.
TRICKY = list("<>&\"'`${}\\/;=!-#*\n\t ") + [
    "&amp;",
    "&lt;",
    "&#39;",
    "</script>",
    "${x}",
    "\u00a0",
    "é",
    "😀",
    "\u2028",
]
text = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=3)), max_size=12).map("".join)


def _jinja_safe(s: str) -> str:
    """Template *text* must not contain Jinja delimiters (they would be code, by definition)."""
    return re.sub(r"[{%#]", "", s)


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check(template: str, contexts: list[dict[str, object]]) -> None:
    result = convert_source(template, "prop.html")
    if not result.ok:
        assert all(d.code[0] in "HJU" for d in result.diagnostics), result.diagnostics
        return
    ctx_json = [json.dumps(c) for c in contexts]
    (react,) = render_react([({result.output: result.tsx or ""}, result.output, ctx_json)])
    for i, ctx in enumerate(ctx_json):
        compare(render_jinja(template, "prop.html", ctx), react[i], f"{template!r} with {ctx}")


@SETTINGS
@given(value=st.text(max_size=40), attr=st.text(max_size=40))
def test_context_strings_print_exactly(value: str, attr: str) -> None:
    template = '<div title="{{ a }}" data-x="x{{ v }}y"><p>{{ v }}</p><b>{{ a ~ v }}</b></div>'
    _check(template, [{"v": value, "a": attr}])


@SETTINGS
@given(body=text, attr=text)
def test_template_text_and_attributes_are_data(body: str, attr: str) -> None:
    body = _jinja_safe(body)
    attr = _jinja_safe(attr).replace('"', "")
    template = (
        f'<section><p class="{attr}">{body}</p><span title="{attr}">{{{{ v }}}}</span></section>'
    )
    _check(template, [{"v": body}])


@SETTINGS
@given(value=st.text(max_size=40))
def test_script_and_title_content(value: str) -> None:
    template = (
        "<html><head><title>{{ v }} | Site</title></head><body>"
        '<script>var s = "{{ v }}"; var j = {{ v|tojson }};</script>'
        "<textarea>{{ v }}</textarea></body></html>"
    )
    _check(template, [{"v": value}])


# emit.concat: the string expressions of HTML written as strings merge adjacent literals and
# flatten nested concatenations; what the expression evaluates to must not change
_term = st.one_of(
    text.map(lambda t: ("lit", t)),
    st.sampled_from(["a", "rt.out(x)", "(c ? d : e)"]).map(lambda e: ("expr", e)),
)
_terms = st.recursive(
    st.lists(_term, max_size=5), lambda inner: st.lists(st.one_of(_term, inner), max_size=4)
)


def _build(terms: list) -> tuple[str, list]:
    """(the concat expression, what it denotes: literal texts and expressions, in order)."""
    from transpiler.emit import concat, js_str

    pieces, meaning = [], []
    for t in terms:
        if isinstance(t, list):
            expr, sub = _build(t)
            pieces.append(expr)
            meaning += sub
        elif t[0] == "lit":
            pieces.append(js_str(t[1]))
            meaning.append(t)
        else:
            pieces.append(t[1])
            meaning.append(t)
    return concat(pieces), meaning


def _denotes(expr: str) -> list:
    """Split a flat concat expression back into literal texts and expressions."""
    if expr.startswith("(") and " + " in expr:
        expr = expr[1:-1]
    out = []
    for piece in re.findall(r'"(?:[^"\\]|\\.)*"|\(c \? d : e\)|rt\.out\(x\)|a', expr):
        out.append(("lit", json.loads(piece)) if piece.startswith('"') else ("expr", piece))
    return out


def _normal(meaning: list) -> list:
    out: list = []
    for kind, v in meaning:
        if kind == "lit" and not v:
            continue
        if kind == "lit" and out and out[-1][0] == "lit":
            out[-1] = ("lit", out[-1][1] + v)
        else:
            out.append((kind, v))
    return out


@given(_terms)
@settings(max_examples=300, deadline=None)
def test_concat_keeps_what_the_string_is(terms: list) -> None:
    expr, meaning = _build(terms)
    want = _normal(meaning)
    assert _denotes(expr) == want or (expr == '""' and not want)
    # one literal per run of text, and no nested parentheses of its own making
    code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # the parentheses outside literals
    assert code.count("(") == code.count("(c ?") + code.count("rt.out(") + (" + " in code)
    assert '" + "' not in code  # adjacent literals are one
