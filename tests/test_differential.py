"""Every fixture case: converted, rendered by React and by Jinja2 for each context, compared as
HTML trees; cases with a ``.expect`` file must produce exactly those diagnostics instead. A
``.extensions`` file enables Jinja extensions for its case (see ``differential.py``). All emitted
modules type-check under ``tsc --strict``."""

from __future__ import annotations

import functools

import pytest

from differential import (
    Case,
    app_of,
    compare,
    convert_case,
    load_cases,
    project_templates,
    render_jinja,
    render_react,
    typecheck,
)

CASES = load_cases()
CONVERTIBLE = [c for c in CASES if c.expect is None]
DIAGNOSTIC = [c for c in CASES if c.expect is not None]


@functools.cache
def _converted() -> dict[str, object]:
    return {c.id: convert_case(c) for c in CASES}


@functools.cache
def _react_results() -> dict[str, list[object]]:
    """All convertible cases rendered through the one Node worker, in one batch."""
    converted = _converted()
    batch = []
    ids = []
    for c in CONVERTIBLE:
        r, files = converted[c.id]  # type: ignore[misc]
        if not r.ok:
            continue
        ids.append(c.id)
        batch.append((files, r.output, c.contexts_json + c.refused_json))
    results = render_react(batch)
    return dict(zip(ids, results))


def test_fixture_count() -> None:
    assert len(CONVERTIBLE) >= 150, f"only {len(CONVERTIBLE)} convertible fixture cases"


@pytest.mark.parametrize("case", CONVERTIBLE, ids=lambda c: c.id)
def test_renders_like_jinja(case: Case) -> None:
    result, _ = _converted()[case.id]  # type: ignore[misc]
    assert result.ok, "not converted: " + "; ".join(d.concise() for d in result.diagnostics)
    source = case.template.read_text(encoding="utf-8")
    react = _react_results()[case.id]
    others = project_templates(case)
    for i, ctx in enumerate(case.contexts_json):
        live = case.jinja_context(i)  # ctx itself, or with live WTForms forms where ctx has JSON
        jinja = render_jinja(
            source, case.template.name, live, others, case.options, app_of(case), case.extensions
        )
        compare(jinja, react[i], f"{case.id} context #{i} {ctx[:200]}")  # type: ignore[arg-type]
    for j, ctx in enumerate(case.refused_json):
        live = case.jinja_refused_context(j)
        jinja = render_jinja(
            source, case.template.name, live, others, case.options, app_of(case), case.extensions
        )
        assert jinja.error is None, f"{case.id} refused #{j}: Jinja2 raised {jinja.error!r}"
        refused = react[len(case.contexts_json) + j]
        assert refused.error is not None and "jinja2tsx:" in refused.error, (
            f"{case.id} refused #{j} {ctx[:200]}: the component must refuse what it cannot "
            f"reproduce, but rendered {refused.html!r}"
        )


@pytest.mark.parametrize("case", DIAGNOSTIC, ids=lambda c: c.id)
def test_reports_diagnostic(case: Case) -> None:
    result, _ = _converted()[case.id]  # type: ignore[misc]
    assert not result.ok, "converted, but a diagnostic was expected"
    codes = [d.code for d in result.diagnostics]
    assert codes == case.expect
    for d in result.diagnostics:
        assert d.line >= 1 and d.column >= 1 and d.message


def test_emitted_modules_typecheck() -> None:
    files: dict[str, str] = {}
    for c in CONVERTIBLE:
        r, modules = _converted()[c.id]  # type: ignore[misc]
        if r.ok:
            prefix = f"{c.id}/" if c.project is not None else ""
            files.update({prefix + k: v for k, v in modules.items()})
    ok, output = typecheck(files)
    assert ok, output[:5000]


@pytest.mark.parametrize("name", ["page.html", "page.HTML", "page.svg", "page.txt", "mail.Htm"])
def test_autoescape_follows_the_template_name_as_flask_does(name: str) -> None:
    """Flask escapes by the name's suffix, case-sensitively (``select_jinja_autoescape``):
    ``page.HTML`` is not escaped, so neither is its component's output."""
    from transpiler.convert import convert_source

    source = "<p>{{ x }}</p>"
    result = convert_source(source, name)
    assert result.ok, result.diagnostics
    context = '{"x": "<b>bold</b> & co"}'
    jinja = render_jinja(source, name, context)
    (react,) = render_react([({result.output: result.tsx or ""}, result.output, [context])])[0]
    compare(jinja, react, name)
