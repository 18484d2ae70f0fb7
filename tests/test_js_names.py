"""Names that mean something in the emitted module: what every JS object inherits (toString,
constructor, __proto__...), JS reserved words and globals, and the names the module itself
imports (rt, React, Fragment, ReactNode) used as a context variable, a loop variable, a macro,
a macro parameter, an imported macro and a block. Each project converts, builds, type-checks
and renders like Jinja2 with and without the name in the context (or, for the few names React
reserves, is refused with a diagnostic). Found a silent difference (props read by destructuring
inherit toString) and four modules that did not build when written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from differential import compare, render_jinja, render_react, typecheck
from transpiler.convert import convert_names

NAMES = """constructor toString valueOf hasOwnProperty isPrototypeOf propertyIsEnumerable
toLocaleString __defineGetter__ __lookupGetter__ class new delete typeof void
instanceof await yield let static enum arguments eval undefined NaN Infinity this ref
export function var const switch case default_value Object Array String JSON Symbol Promise
globalThis window document rt React Fragment ReactNode props children""".split()

LAYOUT = "<html><body><main>{% block NAME %}base {{ NAME }}{% endblock %}</main></body></html>\n"
LIBRARY = "{% macro NAME(NAME, other=1) %}<b>{{ NAME }}/{{ other }}</b>{% endmacro %}\n"
PAGE = """{% extends "base.html" %}{% import "lib.html" as lib %}
{% from "lib.html" import NAME as imported %}
{% block NAME %}<p>{{ NAME is defined }} [{{ NAME }}] {{ lib.NAME("a") }} {{ imported(NAME) }}
{% for NAME in [1, 2] %}<i>{{ NAME }}</i>{% endfor %} {{ super() }}</p>{% endblock %}
"""


def _project(tmp: Path, name: str) -> dict[str, str]:
    page = PAGE
    if name.startswith("_"):  # Jinja's module exports no such name (see the test below)
        page = page.replace('{% from "lib.html" import NAME as imported %}', "")
        page = page.replace('{{ lib.NAME("a") }} {{ imported(NAME) }}', "")
    files = {
        "base.html": LAYOUT.replace("NAME", name),
        "lib.html": LIBRARY.replace("NAME", name),
        "main.html": page.replace("NAME", name),
    }
    for file, text in files.items():
        (tmp / file).write_text(text, encoding="utf-8")
    return files


def test_names_js_gives_meaning_convert_and_render_like_jinja(tmp_path: Path) -> None:
    cases = []
    for name in NAMES:
        folder = tmp_path / name
        folder.mkdir()
        files = _project(folder, name)
        results = convert_names(folder, sorted(files))
        refused = [d for r in results for d in r.diagnostics if d.severity == "error"]
        assert not refused, f"{name}: {refused[0]}"
        modules = {f"{name}/{r.output}": r.tsx or "" for r in results}
        contexts = [json.dumps({name: "v<"}), "{}"]
        cases.append((name, files, modules, contexts))
    reacts = render_react([(m, f"{n}/main.tsx", c) for n, _, m, c in cases])
    for (name, files, _, contexts), react in zip(cases, reacts):
        for i, ctx in enumerate(contexts):
            jinja = render_jinja(files["main.html"], "main.html", ctx, files)
            compare(jinja, react[i], f"name {name!r} context #{i}")  # type: ignore[arg-type]
    ok, output = typecheck({k: v for _, _, m, _ in cases for k, v in m.items()})
    assert ok, output[:3000]


@pytest.mark.parametrize("name", ["key", "__proto__"])
def test_names_react_reserves_for_itself_are_refused(tmp_path: Path, name: str) -> None:
    files = _project(tmp_path, name)
    results = {r.name: r for r in convert_names(tmp_path, sorted(files))}
    # the layout reads it in its block: U005 there, and the page extending it is T005
    assert [d.code for d in results["base.html"].diagnostics] == ["U005"]
    assert [d.code for d in results["main.html"].diagnostics] == ["T005"]


def test_a_module_exports_no_name_starting_with_an_underscore(tmp_path: Path) -> None:
    """Jinja's template module leaves out such names: lib._helper is undefined (calling it
    raises), so the converter refuses the call rather than render what Jinja cannot."""
    files = {
        "lib.html": "{% macro _helper(x) %}<b>{{ x }}</b>{% endmacro %}"
        "{% macro shown(x) %}{{ _helper(x) }}{% endmacro %}",
        "main.html": '{% import "lib.html" as lib %}<p>{{ lib.shown(1) }}{{ lib._helper(2) }}</p>',
    }
    for file, text in files.items():
        (tmp_path / file).write_text(text, encoding="utf-8")
    assert render_jinja(files["main.html"], "main.html", "{}", files).error
    results = {r.name: r for r in convert_names(tmp_path, sorted(files))}
    assert results["lib.html"].ok
    assert [d.code for d in results["main.html"].diagnostics] == ["U002"]


def test_super_as_a_value_in_a_block_is_refused(tmp_path: Path) -> None:
    """In a block Jinja binds super to the parent block's reference (or Undefined), whatever the
    context holds: the converter read the context variable."""
    files = _project(tmp_path, "super")
    results = {r.name: r for r in convert_names(tmp_path, sorted(files))}
    assert [d.code for d in results["base.html"].diagnostics] == ["U002"]
    assert not results["main.html"].ok
    jinja = render_jinja(files["main.html"], "main.html", '{"super": "v"}', files).html or ""
    assert "BlockReference object at 0x" in jinja  # (a memory address: nothing to reproduce)
