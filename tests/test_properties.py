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
