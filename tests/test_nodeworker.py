"""The persistent Node worker: one process serves formatting, rendering and runtime calls."""

from __future__ import annotations

import json

import pytest

from transpiler.convert import RUNTIME_DIR
from transpiler.nodeworker import shared_worker
from transpiler.toolchain import find_toolchain, lock_hash, manifest_dir

COMPONENT = """
import * as rt from "../_jinja2tsx/v1";
export default function Page(props: { name?: unknown }) {
  return <p className="x">{rt.text(props.name)}</p>;
}
"""


@pytest.fixture(scope="module")
def worker():
    return shared_worker()


def test_toolchain_is_provisioned_from_the_lock_file() -> None:
    tc = find_toolchain(install=True)
    assert tc is not None
    assert (tc.node_modules / "prettier").is_dir()
    assert tc.tsc.exists()
    assert lock_hash(manifest_dir()) == lock_hash(manifest_dir())


def test_format_is_prettier_and_reports_bad_input_per_file(worker) -> None:
    good, bad = worker.format([("a.tsx", "const a=<b>x</b>"), ("b.tsx", "const = ;")])
    assert good == "const a = <b>x</b>;\n"
    assert isinstance(bad, Exception) and "b.tsx" in str(bad)


def test_render_uses_the_runtime_and_reuses_one_process(worker) -> None:
    request = {
        "files": {"pages/p.tsx": COMPONENT},
        "runtime_dir": str(RUNTIME_DIR),
        "entry": "pages/p.tsx",
        "export": "default",
        "props": [json.dumps({"name": None}), json.dumps({"name": "<a>"}), "{}"],
    }
    pid = worker._start().pid
    (rows,) = worker.render([request])
    assert [r.get("html") for r in rows] == [
        '<p class="x">None</p>',
        '<p class="x">&lt;a&gt;</p>',
        '<p class="x"></p>',
    ]
    worker.render([request])
    assert worker._start().pid == pid


def test_render_reports_build_errors_per_case(worker) -> None:
    request = {
        "files": {"p.tsx": 'import x from "./missing";\nexport default () => x;'},
        "runtime_dir": str(RUNTIME_DIR),
        "entry": "p.tsx",
        "export": "default",
        "props": ["{}"],
    }
    ((row,),) = worker.render([request])
    assert "error" in row and "missing" in row["error"]


def test_eval_calls_runtime_functions(worker) -> None:
    rows = worker.eval(
        str(RUNTIME_DIR),
        [{"fn": "str", "args": "[null]"}, {"fn": "nope", "args": "[]"}],
    )
    assert json.loads(rows[0]["value"]) == "None"
    assert "error" in rows[1]
