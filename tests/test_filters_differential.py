"""Differential test of every Jinja2 builtin filter and test: hypothesis-generated JSON values and
arguments go through Python's Jinja2 (Flask's environment, the reference) and through our
TypeScript runtime, one batched worker request per example. What ``{{ result }}`` prints, its
truthiness, its repr and its laziness must agree; a call Jinja2 refuses must fail in the runtime.
Cases (strategies per builtin) and both observations live in ``filtercases.py``."""

from __future__ import annotations

from collections.abc import Sequence

import jinja2
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from filtercases import FILTER_CASES, TEST_CASES, Case, mismatches
from transpiler.convert import convert_source

BATCH = 25  # cases per hypothesis example, sent as one worker request
EXAMPLES = 10  # examples per builtin: 250 cases each

# Deterministic (derandomized, no example database). No shrinking: a failure lists every
# differing case of its batch individually, which is what shrinking would have isolated.
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# A builtin added to Jinja2 must get cases here: the parametrization covers exactly the builtins.
assert set(FILTER_CASES) | {"random"} == set(jinja2.filters.FILTERS), "filters not covered"
assert set(TEST_CASES) == set(jinja2.tests.TESTS), "tests not covered"


def _check(kind: str, name: str, cases: Sequence[Case]) -> None:
    problems = mismatches(kind, name, cases)
    assert not problems, f"{len(problems)} of {len(cases)} cases differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(FILTER_CASES))
@SETTINGS
@given(data=st.data())
def test_filter(name: str, data: st.DataObject) -> None:
    cases = data.draw(st.lists(FILTER_CASES[name], min_size=BATCH, max_size=BATCH), label="cases")
    _check("filter", name, cases)


@pytest.mark.parametrize("name", sorted(TEST_CASES))
@SETTINGS
@given(data=st.data())
def test_test(name: str, data: st.DataObject) -> None:
    cases = data.draw(st.lists(TEST_CASES[name], min_size=BATCH, max_size=BATCH), label="cases")
    _check("test", name, cases)


def test_random_is_refused() -> None:
    """``random`` is not reproducible: a template using it does not convert (U101)."""
    result = convert_source("{{ x|random }}", "t.html")
    assert not result.ok
    assert "U101" in [d.code for d in result.diagnostics]
