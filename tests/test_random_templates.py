"""Randomised differential tests (fixed seeds): random expressions, markup and statements, each
converted, rendered by Jinja2 and by React for two contexts, and compared. A template may be
refused, with a diagnostic; one that converts must render like Jinja2. The generators live in
``random_templates.py``; the loop-control generator in ``test_loopcontrols_random.py``.

Each found a silent difference when written: `x or {}` (an object literal read as a block),
a generator printed through an inline if, a <p> ended by an <hr> inside a loop, a <p> ended
by <li>, an <option> left open across loop passes, table tags outside a table; a caller passed
in place of an unset parameter, a let read before its declaration, a macro reading a later
top-level set, a filter block's variable starting from a stale value; super() inside an HTML
string, a partial reading its includer's import. The template soup (Jinja statements around
ill-formed HTML) found crashes in block positions and in the omitted-end-tag check, and
blocks whose raw HTML printed as text."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from differential import compare, converter_environment, render_jinja, render_react, typecheck
from random_templates import (
    CHAIN_CONTEXTS,
    EXPRESSION_CONTEXTS,
    MARKUP_CONTEXTS,
    PROJECT_CONTEXTS,
    SOUP_CONTEXTS,
    SOUP_EXTENSIONS,
    STATEMENT_CONTEXTS,
    ChainTemplates,
    ExpressionTemplates,
    MarkupTemplates,
    ProjectTemplates,
    SoupTemplates,
    StatementTemplates,
)
from transpiler.appnames import AppNames
from transpiler.bulk import discover
from transpiler.convert import TemplateResult, convert_names, convert_source
from transpiler.environment import make_environment

Rendered = list[tuple[str, str, TemplateResult, list[object]]]


def _run(make: Callable[[int], str], seeds: range, contexts: list[str]) -> tuple[Rendered, int]:
    env = make_environment()
    converted = []
    refused = 0
    for seed in seeds:
        tpl = make(seed)
        result = convert_source(tpl, f"random/t{seed}.html", env)  # a crash fails the test
        if not result.ok:
            assert result.diagnostics, f"seed {seed}: refused without a diagnostic\n{tpl}"
            refused += 1
            continue
        converted.append((f"t{seed}", tpl, result))
    batch = [({r.output: r.tsx or ""}, r.output, contexts) for _, _, r in converted]
    rendered = [(n, t, r, react) for (n, t, r), react in zip(converted, render_react(batch))]
    return rendered, refused


@pytest.fixture(scope="module")
def expressions() -> tuple[Rendered, int]:
    return _run(lambda s: ExpressionTemplates(s).template(), range(400), EXPRESSION_CONTEXTS)


@pytest.fixture(scope="module")
def markup() -> tuple[Rendered, int]:
    return _run(lambda s: MarkupTemplates(s).template(), range(400), MARKUP_CONTEXTS)


@pytest.fixture(scope="module")
def statements() -> tuple[Rendered, int]:
    return _run(lambda s: StatementTemplates(s).template(), range(400), STATEMENT_CONTEXTS)


def _compare_all(rendered: Rendered, contexts: list[str]) -> None:
    for name, tpl, _, react in rendered:
        for i, ctx in enumerate(contexts):
            jinja = render_jinja(tpl, f"{name}.html", ctx)
            compare(jinja, react[i], f"{name} context #{i}\n{tpl}")  # type: ignore[arg-type]


def test_random_expressions_render_like_jinja(expressions: tuple[Rendered, int]) -> None:
    rendered, refused = expressions
    assert len(rendered) >= 300, f"only {len(rendered)} of 400 converted ({refused} refused)"
    _compare_all(rendered, EXPRESSION_CONTEXTS)


def test_random_markup_renders_like_jinja(markup: tuple[Rendered, int]) -> None:
    rendered, refused = markup
    assert len(rendered) >= 250, f"only {len(rendered)} of 400 converted ({refused} refused)"
    _compare_all(rendered, MARKUP_CONTEXTS)


def test_random_statements_render_like_jinja(statements: tuple[Rendered, int]) -> None:
    rendered, refused = statements
    assert len(rendered) >= 250, f"only {len(rendered)} of 400 converted ({refused} refused)"
    _compare_all(rendered, STATEMENT_CONTEXTS)


def _convert_folder(
    folder: Path, files: dict[str, str], options: dict[str, object]
) -> tuple[TemplateResult, dict[str, str]]:
    """Write a multi-template case and convert it as one project: main.html's result, and
    every module written."""
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    env = converter_environment(options, folder, AppNames.declared(), ())
    results = convert_names(folder, discover(folder), env)
    entry = next(r for r in results if r.name == "main.html")
    return entry, {r.output: r.tsx or "" for r in results if r.tsx}


def test_random_projects_render_like_jinja(tmp_path: Path) -> None:
    """Layouts, overrides with super(), includes and imports: 200 seeded four-template projects."""
    converted = []
    for seed in range(200):
        files = ProjectTemplates(seed).project()
        entry, modules = _convert_folder(tmp_path / str(seed), files, {})
        if not entry.ok:
            assert entry.diagnostics, f"seed {seed}: refused without a diagnostic"
            continue
        converted.append((seed, files, entry, modules))
    assert len(converted) >= 130, f"only {len(converted)} of 200 projects converted"
    reacts = render_react([(m, e.output, PROJECT_CONTEXTS) for _, _, e, m in converted])
    for (seed, files, _, _), react in zip(converted, reacts):
        for i, ctx in enumerate(PROJECT_CONTEXTS):
            jinja = render_jinja(files["main.html"], "main.html", ctx, files)
            compare(jinja, react[i], f"project {seed} context #{i}\n{files}")  # type: ignore[arg-type]


def test_random_layout_chains_render_like_jinja(tmp_path: Path) -> None:
    """500 seeded three-level layout chains whose middle template places the layout's blocks
    again, in element content, beside raw HTML, in <title> or an attribute value (and some with
    html_blocks; contents with includes, macro calls, super() and self.b0()): what converts
    renders like Jinja2 or fails with a jinja2tsx: error, and type-checks; nothing crashes the
    converter.
    Found overrides printing HTML as text, a dropped comment, two unbound super() and a crash
    on self.b0() inside b0 when written."""
    converted = []
    for seed in range(500):
        files, html_blocks = ChainTemplates(seed).project()
        options = {"html_blocks": html_blocks} if html_blocks else {}
        entry, modules = _convert_folder(tmp_path / str(seed), files, options)
        internal = [d for d in entry.diagnostics if d.code == "E001"]
        assert not internal, f"seed {seed}: {internal[0].message}\n{files}"
        if entry.ok:
            converted.append((seed, files, entry, modules))
    assert len(converted) >= 110, f"only {len(converted)} of 500 chains converted"
    reacts = render_react([(m, e.output, CHAIN_CONTEXTS) for _, _, e, m in converted])
    for (seed, files, _, _), react in zip(converted, reacts):
        for i, ctx in enumerate(CHAIN_CONTEXTS):
            if react[i].error is not None and "jinja2tsx:" in react[i].error:
                continue  # refused at render time, on purpose (said in the error)
            jinja = render_jinja(files["main.html"], "main.html", ctx, files)
            compare(jinja, react[i], f"chain {seed} context #{i}\n{files}")  # type: ignore[arg-type]
    modules = {f"c{seed}/{k}": v for seed, _, _, m in converted for k, v in m.items()}
    ok, output = typecheck(modules)
    assert ok, output[:5000]


def test_random_soup_never_crashes_and_renders_like_jinja() -> None:
    """600 seeded templates of Jinja statements nested around random, mostly ill-formed HTML:
    each converts or gets a diagnostic that is not an internal error (E001); what converts
    renders like Jinja2, or fails with a jinja2tsx: error where Jinja2's output has something
    React cannot write. Found three crashes and two silent differences when written."""
    env = make_environment(extensions=(*SOUP_EXTENSIONS, "jinja2.ext.i18n"))
    converted = []
    for seed in range(600):
        tpl = SoupTemplates(seed).template()
        result = convert_source(tpl, f"soup/t{seed}.html", env)
        internal = [d for d in result.diagnostics if d.code == "E001"]
        assert not internal, f"seed {seed}: {internal[0].message}\n{tpl}"
        if result.ok:
            converted.append((seed, tpl, result))
    assert len(converted) >= 40, f"only {len(converted)} of 600 converted"
    batch = [({r.output: r.tsx or ""}, r.output, SOUP_CONTEXTS) for _, _, r in converted]
    for (seed, tpl, _), react in zip(converted, render_react(batch)):
        for i, ctx in enumerate(SOUP_CONTEXTS):
            if react[i].error is not None and "jinja2tsx:" in react[i].error:
                continue  # refused at render time, on purpose (said in the error)
            jinja = render_jinja(
                tpl, f"t{seed}.html", ctx, None, {"i18n": "newstyle"}, None, SOUP_EXTENSIONS
            )
            compare(jinja, react[i], f"soup {seed} context #{i}\n{tpl}")  # type: ignore[arg-type]


def test_random_templates_typecheck(
    expressions: tuple[Rendered, int],
    markup: tuple[Rendered, int],
    statements: tuple[Rendered, int],
) -> None:
    files = {r.output: r.tsx or "" for _, _, r, _ in expressions[0]}
    files.update({f"m/{r.output}": r.tsx or "" for _, _, r, _ in markup[0]})
    files.update({f"s/{r.output}": r.tsx or "" for _, _, r, _ in statements[0]})
    ok, output = typecheck(files)
    assert ok, output[:5000]
