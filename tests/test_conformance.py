"""Opt-in: cases harvested from Jinja2's own test suite (../shared/conformance/jinja-suite.jsonl),
rendered by Jinja2 (Flask's environment) and by the converted component.

Run with ``JINJA2TSX_CONFORMANCE=1 python -m pytest tests/test_conformance.py -s``; skipped when
the suite file is absent. Each case ends as: ``pass`` (same HTML for every context, or both
raise), ``refused`` (a diagnostic: not convertible, by design never silently wrong), ``refused at
render`` (it converts, and a context Jinja2 renders makes the component fail with a
``jinja2tsx:`` error rather than differ) or ``mismatch`` (a bug). The summary line is what the
README reports; the test fails on a mismatch or if the pass count drops below the baseline.
"""

from __future__ import annotations

import collections
import json
import os
import tempfile
from pathlib import Path

import pytest

from conftest import SHARED
from differential import compare, render_jinja, render_react
from transpiler.appnames import APP_MODULE, AppUse, updated_module
from transpiler.convert import TemplateResult, convert_names, convert_source

SUITE = SHARED / "conformance" / "jinja-suite.jsonl"
BASELINE_PASS = 362  # raise when the count goes up

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not SUITE.exists(), reason="../shared/conformance is not present"),
    pytest.mark.skipif(
        os.environ.get("JINJA2TSX_CONFORMANCE") != "1", reason="opt-in: JINJA2TSX_CONFORMANCE=1"
    ),
]


def _convert_project(
    templates: dict[str, str], entry: str
) -> tuple[TemplateResult, dict[str, str]]:
    """A multi-template case: converted as one templates folder."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in templates.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        results = convert_names(root, sorted(templates))
    main = next(r for r in results if r.name == entry)
    files = {r.output: r.tsx for r in results if r.tsx}
    return main, _with_app_stubs(files, [u for r in results for u in r.app_uses])


def _with_app_stubs(files: dict[str, str], uses: list[AppUse]) -> dict[str, str]:
    """An unknown filter, test or global is taken as the app's: give the modules the stubs
    `convert` writes (each throws when called, as Jinja2 raises for an unknown name)."""
    module = updated_module(None, uses) if uses else None
    return files if module is None else {**files, APP_MODULE: module}


def test_conformance_suite() -> None:
    rows = [json.loads(line) for line in SUITE.read_text(encoding="utf-8").splitlines() if line]
    outcome: collections.Counter[str] = collections.Counter()
    mismatches: list[str] = []
    at_render: list[str] = []
    refused: collections.Counter[str] = collections.Counter()
    batch, pending = [], []
    for row in rows:
        entry = row["entry"]
        if len(row["templates"]) > 1:
            result, files = _convert_project(row["templates"], entry)
        else:
            result = convert_source(row["templates"][entry], entry)
            files = _with_app_stubs({result.output: result.tsx or ""}, result.app_uses)
        if not result.ok:
            outcome["refused"] += 1
            refused.update(d.code for d in result.diagnostics[:1])
            continue
        contexts = [json.dumps(c) for c in row["contexts"]]
        batch.append((files, result.output, contexts))
        pending.append((row, contexts))
    for (row, contexts), react in zip(pending, render_react(batch)):
        entry = row["entry"]
        refusal = None
        try:
            for i, ctx in enumerate(contexts):
                jinja = render_jinja(row["templates"][entry], entry, ctx, row["templates"])
                error = react[i].error
                if jinja.error is None and error is not None and "jinja2tsx:" in error:
                    refusal = error  # (refused, not different: the other contexts still count)
                    continue
                compare(jinja, react[i], row["name"])
            outcome["pass" if refusal is None else "refused at render"] += 1
            if refusal is not None:
                at_render.append(f"{row['name']}: {refusal[:200]}")
        except AssertionError as exc:
            outcome["mismatch"] += 1
            mismatches.append(f"{row['name']}: {str(exc)[:300]}")
    total = len(rows)
    print(
        f"\nconformance: {outcome['pass']}/{total} pass, {outcome['refused']} refused with a "
        f"diagnostic, {outcome['refused at render']} refused at render, "
        f"{outcome['mismatch']} mismatch"
    )
    print("refused by code:", dict(refused.most_common()))
    for r in at_render:
        print("  REFUSED AT RENDER", r)
    for m in mismatches:
        print("  MISMATCH", m)
    assert not mismatches
    assert outcome["pass"] >= BASELINE_PASS
