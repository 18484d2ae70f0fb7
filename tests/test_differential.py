"""Every fixture case: converted, rendered by React and by Jinja2 for each context, compared as
HTML trees; cases with a ``.expect`` file must produce exactly those diagnostics instead. All
emitted modules type-check under ``tsc --strict``."""

from __future__ import annotations

import functools

import pytest

from differential import (
    Case,
    compare,
    convert_case,
    load_cases,
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
        r = converted[c.id]
        if not r.ok:  # type: ignore[attr-defined]
            continue
        ids.append(c.id)
        batch.append(({r.output: r.tsx}, r.output, c.contexts_json))  # type: ignore[attr-defined]
    results = render_react(batch)
    return dict(zip(ids, results))


def test_fixture_count() -> None:
    assert len(CONVERTIBLE) >= 150, f"only {len(CONVERTIBLE)} convertible fixture cases"


@pytest.mark.parametrize("case", CONVERTIBLE, ids=lambda c: c.id)
def test_renders_like_jinja(case: Case) -> None:
    result = _converted()[case.id]
    assert result.ok, "not converted: " + "; ".join(  # type: ignore[attr-defined]
        d.concise() for d in result.diagnostics  # type: ignore[attr-defined]
    )
    source = case.template.read_text(encoding="utf-8")
    react = _react_results()[case.id]
    for i, ctx in enumerate(case.contexts_json):
        jinja = render_jinja(source, case.template.name, ctx)
        compare(jinja, react[i], f"{case.id} context #{i} {ctx[:200]}")  # type: ignore[arg-type]


@pytest.mark.parametrize("case", DIAGNOSTIC, ids=lambda c: c.id)
def test_reports_diagnostic(case: Case) -> None:
    result = _converted()[case.id]
    assert not result.ok, "converted, but a diagnostic was expected"  # type: ignore[attr-defined]
    codes = [d.code for d in result.diagnostics]  # type: ignore[attr-defined]
    assert codes == case.expect
    for d in result.diagnostics:  # type: ignore[attr-defined]
        assert d.line >= 1 and d.column >= 1 and d.message


def test_emitted_modules_typecheck() -> None:
    files = {}
    for c in CONVERTIBLE:
        r = _converted()[c.id]
        if r.ok:  # type: ignore[attr-defined]
            files[r.output] = r.tsx  # type: ignore[attr-defined]
    ok, output = typecheck(files)
    assert ok, output[:5000]
