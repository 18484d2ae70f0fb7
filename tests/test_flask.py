"""Flask: url_for against werkzeug, flashed messages, request/session/g/config/current_user/csrf_token.

Every case in ``fixtures/cases/flask/`` renders in the real Flask app of ``flaskcases_app.py`` (Jinja2
side) and as the component converted with that app's route table (React side, props from
``transpiler.flask_context``); diagnostics cases give exactly their codes; everything emitted, the
generated routes module included, passes ``tsc --strict``. A hypothesis property compares the
TypeScript URL builder with werkzeug over generated values, batched through the one Node worker.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import flask
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from markupsafe import Markup, escape

from differential import REPO, Case, compare, render_react, typecheck
from flaskcases import (
    APP_IMPORT,
    BASE_URL,
    FLASK_CASES,
    SCRIPT_ROOT,
    app,
    convert_flask_case,
    flask_cases,
    render,
    settings,
)
from transpiler.appnames import STUB_MARK, updated_module
from transpiler.config import ConfigError, parse_section
from transpiler.convert import RUNTIME_DIR, convert_source
from transpiler.environment import make_environment
from transpiler.flask_context import MARK, flask_json, flask_props
from transpiler.flaskapp import (
    ROUTES_MODULE,
    RoutesError,
    load_settings,
)

CASES = flask_cases()
CONVERTIBLE = [c for c in CASES if c.expect is None]
DIAGNOSTIC = [c for c in CASES if c.expect is not None]


@functools.cache
def _converted() -> dict[str, Any]:
    return {c.id: convert_flask_case(c) for c in CASES}


@functools.cache
def _rendered() -> dict[str, list[Any]]:
    """Jinja2 in Flask, and React through the Node worker in one batch."""
    jinja: dict[str, list[Any]] = {}
    batch = []
    ids = []
    for c in CONVERTIBLE:
        result, files = _converted()[c.id]
        rows = [render(c, ctx) for ctx in c.contexts_json + c.refused_json]
        jinja[c.id] = [r for r, _ in rows]
        if result.ok:
            ids.append(c.id)
            batch.append((files, result.output, [p for _, p in rows]))
    react = dict(zip(ids, render_react(batch)))
    return {cid: list(zip(jinja[cid], react.get(cid, []))) for cid in jinja}


def test_flask_case_count() -> None:
    assert len(CONVERTIBLE) >= 25, len(CONVERTIBLE)
    assert len(DIAGNOSTIC) >= 5, len(DIAGNOSTIC)


@pytest.mark.parametrize("case", CONVERTIBLE, ids=lambda c: c.id)
def test_renders_like_flask(case: Case) -> None:
    result, _ = _converted()[case.id]
    assert result.ok, "not converted: " + "; ".join(d.concise() for d in result.diagnostics)
    pairs = _rendered()[case.id]
    n = len(case.contexts_json)
    assert len(pairs) == n + len(case.refused_json)
    for i, (jinja, react) in enumerate(pairs[:n]):
        compare(jinja, react, f"{case.id} context #{i} {case.contexts_json[i][:200]}")
    for j, (jinja, react) in enumerate(pairs[n:]):  # <name>.refused.json
        what = f"{case.id} refused #{j} {case.refused_json[j][:200]}"
        assert jinja.error is None, f"{what}: Jinja2 raised {jinja.error!r}"
        assert react.error is not None and "jinja2tsx:" in react.error, (
            f"{what}: the component must refuse what it cannot reproduce, but rendered "
            f"{react.html!r}"
        )


def test_cases_exercise_errors_and_successes() -> None:
    """Some contexts make werkzeug raise (BuildError, ValueError): those must fail in React too
    (checked by compare); make sure the suite really has both kinds."""
    outcomes = [j.error is None for pairs in _rendered().values() for j, _ in pairs]
    assert outcomes.count(False) >= 10 and outcomes.count(True) >= 60


@pytest.mark.parametrize("case", DIAGNOSTIC, ids=lambda c: c.id)
def test_reports_diagnostic(case: Case) -> None:
    result, _ = _converted()[case.id]
    assert not result.ok, "converted, but a diagnostic was expected"
    assert [d.code for d in result.diagnostics] == case.expect
    for d in result.diagnostics:
        assert d.line >= 1 and d.column >= 1 and d.message


def test_emitted_modules_typecheck() -> None:
    files: dict[str, str] = {}
    for c in CONVERTIBLE:
        result, modules = _converted()[c.id]
        if result.ok:
            prefix = f"{c.id}/" if c.project is not None else "flask/"
            files.update({prefix + k: v for k, v in modules.items()})
    # hand-written TypeScript using the typed urlFor of the routes module
    files["flask/uses_routes.ts"] = (
        'import { urlFor } from "./_jinja2tsx/routes";\n'
        'export const a: string = urlFor("index");\n'
        'export const b: string = urlFor("post", { post_id: 3, q: "x" }, { anchor: "c" });\n'
        'export const c: string = urlFor("lang", { code: "de-at" });\n'
        'export const d: string = urlFor("users");\n'
        "// @ts-expect-error: post needs post_id\n"
        'export const e: string = urlFor("post", {});\n'
        "// @ts-expect-error: not an endpoint\n"
        'export const f: string = urlFor("nope");\n'
        "// @ts-expect-error: not one of the any() items\n"
        'export const g: string = urlFor("lang", { code: "es" });\n'
    )
    ok, output = typecheck(files)
    assert ok, output[:5000]


# ----------------------------------------------------------------------------- route tables


def test_table_from_app_matches_werkzeug_order() -> None:
    data = settings().data
    eps = dict(data["endpoints"])
    assert [r["rule"] for r in eps["post"]["rules"]] == [
        r.rule for r in app().url_map.iter_rules("post")
    ]
    assert eps["tags"]["unsupported"] and "to_url" in eps["tags"]["unsupported"]
    assert eps["feed"]["rules"][0]["parts"] == ["/feed.xml"]
    assert eps["odd"]["rules"][0]["parts"] == ["/a%20b/%C3%BC/", ["x"]]
    assert data["method_sensitive"] == ["submit"]
    assert data["script_root"] == SCRIPT_ROOT and data["server_name"] == "example.test"


def test_config_routes_give_the_same_table_as_the_app() -> None:
    """The same rules written in [tool.jinja2tsx.routes] build exactly like the app's."""
    routes = {
        "index": "/",
        "post": ["/post/<int:post_id>", "/post/<int:post_id>/<slug>"],
        "page": "/page/<int(fixed_digits=4):num>",
        "price": "/price/<float:amount>",
        "files": "/files/<path:filepath>",
        "item": "/item/<uuid:item_id>",
        "lang": "/lang/<any(en, fr, 'de-at'):code>/",
        "users": [{"rule": "/users/", "defaults": {"page": 1}}, "/users/page/<int:page>"],
        "submit": [
            {"rule": "/submit", "methods": ["GET"]},
            {"rule": "/submit/post", "methods": ["post"]},
        ],
        "feed": {"rule": "/feed.<fmt>", "defaults": {"fmt": "xml"}},
    }
    cfg = load_settings(flask_app=None, routes=routes, base=REPO, script_root="/app/")
    assert cfg is not None
    from_app = settings().endpoints
    for name in [*routes, "static"]:
        assert cfg.endpoints[name] == from_app[name], name
    assert cfg.data["script_root"] == "/app"
    assert cfg.data["method_sensitive"] == ["submit"]


@pytest.mark.parametrize(
    "routes, message",
    [
        ({"a": 5}, "a rule is a string"),
        ({"a": {"rule": "/x", "colour": 1}}, "unknown keys"),
        ({"a": "no-slash"}, "a:"),
        ({"a": "/<nosuch:x>"}, "nosuch"),
        ({"a": {"rule": "/x", "methods": "GET"}}, "methods must be a list"),
    ],
)
def test_bad_routes_are_config_errors(routes: dict[str, Any], message: str) -> None:
    with pytest.raises(RoutesError, match=message):
        load_settings(flask_app=None, routes=routes, base=REPO)


def test_flask_app_and_routes_exclude_each_other() -> None:
    with pytest.raises(RoutesError, match="either"):
        load_settings(flask_app=APP_IMPORT, routes={"a": "/"}, base=FLASK_CASES)
    with pytest.raises(RoutesError, match="cannot load the Flask app"):
        load_settings(flask_app="no_such_module_xyz:app", routes=None, base=FLASK_CASES)


def test_config_keys() -> None:
    cfg = parse_section(
        {"flask-app": "m:app", "script-root": "/x", "server-name": "a.b", "url-scheme": "https"},
        Path("pyproject.toml"),
    )
    assert (cfg.flask_app, cfg.script_root, cfg.server_name, cfg.url_scheme) == (
        "m:app",
        "/x",
        "a.b",
        "https",
    )
    with pytest.raises(ConfigError):
        parse_section({"routes": ["/"]}, Path("pyproject.toml"))
    with pytest.raises(ConfigError):
        parse_section({"server-name": 1}, Path("pyproject.toml"))


def test_without_routes_url_for_is_the_apps_function() -> None:
    """No route table: url_for is the team's function in the app module, whose stub says how to
    get werkzeug-exact URLs instead."""
    r = convert_source("<a href=\"{{ url_for('post', id=3) }}\">x</a>", "t.html")
    assert r.ok and r.tsx is not None, r.diagnostics
    assert "url_for" in r.tsx and "_jinja2tsx/app" in r.tsx and "templateUrlFor" not in r.tsx
    [use] = r.app_uses
    assert (use.kind, use.name, use.positional, use.keywords) == ("global", "url_for", 1, ("id",))
    module = updated_module(None, r.app_uses)
    assert module is not None and "flask-app" in module and STUB_MARK in module
    # Flask's url_for returns a str: the stub is typed so (the converter escapes it as text)
    assert "export function url_for(...args: unknown[]): string {" in module


def test_external_without_server_name_is_a_diagnostic() -> None:
    s = load_settings(flask_app=None, routes={"index": "/"}, base=REPO)
    env = make_environment(flask=s)
    for call in ("_external=True", "_scheme='https'", "_external=flag"):
        r = convert_source(f"<p>{{{{ url_for('index', {call}) }}}}</p>", "t.html", env)
        assert [d.code for d in r.diagnostics] == ["T103"], call
    r = convert_source("<p>{{ url_for('index', _external=False) }}</p>", "t.html", env)
    assert r.ok


def test_url_for_needs_no_prop_but_request_when_the_method_decides() -> None:
    env = make_environment(flask=settings())
    r = convert_source("<p>{{ url_for('post', post_id=1) }}</p>", "t.html", env)
    assert r.ok and "export type TProps = Record<string, never>;" in (r.tsx or "")
    r = convert_source("<p>{{ url_for('submit') }}</p>", "t.html", env)
    assert r.ok and "request: rt.FlaskRequestData;" in (r.tsx or "")
    r = convert_source("<p>{{ url_for('submit', _method='POST') }}</p>", "t.html", env)
    assert r.ok and "request" not in (r.tsx or "")


# ----------------------------------------------------------------------------- the CLI


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m transpiler`` from this checkout (whatever jinja2tsx is installed)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "transpiler", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


def test_cli_convert_writes_the_routes_module(tmp_path: Path) -> None:
    src = tmp_path / "templates"
    src.mkdir()
    (src / "index.html").write_text(
        "<a href=\"{{ url_for('post', post_id=2) }}\">{{ get_flashed_messages()|length }}</a>\n"
    )
    out = tmp_path / "out"
    proc = _cli(
        "convert",
        str(src),
        "--out",
        str(out),
        "--no-format",
        "--flask-app",
        APP_IMPORT,
        cwd=FLASK_CASES,
    )
    assert proc.returncode == 0, proc.stderr
    routes = (out / ROUTES_MODULE).read_text()
    assert "export function templateUrlFor(" in routes and '"blog.show"' in routes
    page = (out / "index.tsx").read_text()
    assert 'import { templateUrlFor } from "./_jinja2tsx/routes";' in page
    # an unknown endpoint is reported by check, with the endpoint table's suggestion
    (src / "bad.html").write_text("<a href=\"{{ url_for('blog.shwo') }}\">x</a>\n")
    proc = _cli("check", str(src), "--flask-app", APP_IMPORT, cwd=FLASK_CASES)
    assert proc.returncode == 1
    assert "T101" in proc.stdout and "blog.show" in proc.stdout


def test_cli_routes_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "a.html").write_text(
        "<a href=\"{{ url_for('shop.item', id=3, _external=True) }}\">x</a>\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jinja2tsx]\nsrc = "templates"\nout = "web"\nserver-name = "shop.example"\n'
        'url-scheme = "https"\n[tool.jinja2tsx.routes]\n"shop.item" = "/item/<int:id>"\n'
    )
    proc = _cli("convert", "--no-format", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    routes = (tmp_path / "web" / ROUTES_MODULE).read_text()
    assert 'server_name: "shop.example"' in routes and 'url_scheme: "https"' in routes
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jinja2tsx]\nsrc = "templates"\nout = "web"\nflask-app = "x:y"\n'
        '[tool.jinja2tsx.routes]\na = "/"\n'
    )
    proc = _cli("convert", "-q", cwd=tmp_path)
    assert proc.returncode == 2 and "either" in proc.stderr


# ----------------------------------------------------------------------------- property test

# Values a template can pass: JSON scalars and lists (what a context or a literal gives).
# Every ASCII character (what quoting is about) and non-ASCII ones in both Python's and Node's
# Unicode databases (repr() of a list value escapes unassigned code points by Python's version).
URL_ALPHABET = "".join(map(chr, range(128))) + "éßüİΣ中文日本😀🎉\xa0\x85\u2028\ufeff\u0301\uff01"
_text = st.text(alphabet=URL_ALPHABET, max_size=12)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    _text,
    st.sampled_from(["en", "fr", "de-at", "1", " 2 ", "3.5", "1e3", "abc", "-0"]),
)
_value = st.one_of(_scalar, st.lists(_scalar, max_size=3))
_ENDPOINTS = [
    "index",
    "post",
    "page",
    "signed",
    "price",
    "files",
    "item",
    "lang",
    "users",
    "user",
    "country",
    "odd",
    "search",
    "static",
    "feed",
    "blog.show",
    ".show",
]
# well-typed values for the rule variables, so most calls build
_TYPED = {
    "post_id": st.integers(min_value=0, max_value=10**6),
    "num": st.integers(min_value=0, max_value=10**6),
    "n": st.integers(min_value=-(10**6), max_value=10**6),
    "page": st.one_of(st.just(1), st.integers(min_value=1, max_value=99)),
    "amount": st.floats(min_value=0, max_value=1e6, allow_nan=False),
    "code": st.sampled_from(["en", "fr", "de-at"]),
    "fmt": st.just("xml"),
}


@st.composite
def _call(draw: st.DrawFn) -> tuple[str, list[tuple[str, Any]], str | None]:
    endpoint = draw(st.sampled_from(_ENDPOINTS))
    rules = settings().endpoints.get(endpoint.lstrip("."), {"rules": []})["rules"]
    names = sorted({a for r in rules for a in r["arguments"]})
    values: list[tuple[str, Any]] = []
    for name in names:
        if draw(st.integers(0, 9)) == 0:
            continue  # sometimes missing: BuildError
        typed = _TYPED.get(name, _text)
        values.append((name, draw(st.one_of(typed, typed, _value))))
    for key in draw(st.lists(_text.filter(lambda k: k not in ("endpoint", *names)), max_size=3)):
        if key not in dict(values):
            values.append((key, draw(_value)))
    values = draw(st.permutations(values))
    anchor = draw(st.one_of(st.none(), _text))
    return endpoint, values, anchor


_BUILT: list[bool] = []


def _werkzeug_url(endpoint: str, values: list[tuple[str, Any]], anchor: str | None) -> str | None:
    kwargs = dict(values)
    if anchor is not None:
        kwargs["_anchor"] = anchor
    with app().test_request_context("/", base_url=BASE_URL):
        try:
            return flask.url_for(endpoint, **kwargs)
        except Exception:
            return None


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_call(), min_size=20, max_size=20))
def test_url_builder_matches_werkzeug(calls: list[Any]) -> None:
    from transpiler.nodeworker import shared_worker

    table = settings().data
    request = {"method": "GET", "blueprint": None}
    batch = []
    for endpoint, values, anchor in calls:
        kwargs = [[k, v] for k, v in values] + ([["_anchor", anchor]] if anchor is not None else [])
        args = json.dumps([table, endpoint, kwargs, request], ensure_ascii=False)
        batch.append({"fn": "urlFor", "args": args})
    results = shared_worker().eval(str(RUNTIME_DIR), batch)
    for (endpoint, values, anchor), res in zip(calls, results):
        expected = _werkzeug_url(endpoint, values, anchor)
        _BUILT.append(expected is not None)
        if expected is None:
            assert "error" in res, (endpoint, values, anchor, res)
        else:
            assert "error" not in res, (endpoint, values, anchor, expected, res)
            assert json.loads(res["value"]) == expected, (endpoint, values, anchor)
    assert _BUILT.count(True) * 2 > len(_BUILT) / 2  # most generated calls build a URL


def test_app_stubs_show_the_python_signature_and_docstring(tmp_path: Path) -> None:
    """With --flask-app, a stub for an app-defined name quotes the app's own function."""
    out = tmp_path / "web"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "transpiler.cli",
            "convert",
            "-q",
            "--no-format",
            "fixtures/app/templates",
            "--out",
            str(out),
            "--flask-app",
            "fixtures/app/app.py",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    module = (out / "_jinja2tsx" / "app.ts").read_text(encoding="utf-8")
    assert "In the Flask app: datetimeformat(value: 'Any', with_year: 'bool' = True)" in module
    assert "``2024-05-01`` → ``1 May 2024``" in module
    assert "export function filter_datetimeformat(" in module


# -- Flask prop values: flask_json and the runtime's reading back ------------------------------

_py_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    # (repr of code points Python's and Node's Unicode versions disagree on is not the point here)
    st.text(alphabet="ab <&'\"\\\n\t\x00é€😀", max_size=6),
    st.text(alphabet="<&'\"ab", max_size=4).map(Markup),
)
_py_value = st.recursive(
    _py_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(alphabet="ab_<", max_size=3), inner, max_size=3),
    ),
    max_leaves=8,
)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_py_value, min_size=25, max_size=25))
def test_flask_values_read_back_as_python_values(values: list[Any]) -> None:
    """A value flask_props() sends in config/session/g reads back in the runtime as the same
    Python value: the same repr and the same printed HTML (tuples, Markup, floats, nesting)."""
    from transpiler.nodeworker import shared_worker

    batch = []
    for v in values:
        data = {"v": flask_json(v)}
        batch.append({"fn": "flaskValue", "args": json.dumps([data, "config"], ensure_ascii=False)})
    results = shared_worker().observe(str(RUNTIME_DIR), batch)
    for v, res in zip(values, results):
        assert "error" not in res, (v, res)
        assert res["repr"] == repr({"v": v}), v
        assert res["out"] == str(escape({"v": v})), v


def test_flask_values_json_cannot_hold_keep_their_place() -> None:
    """A session/config/g item the view does not send (JSON cannot hold it, a secret, a private
    g attribute, or not among the keys it names) goes as a marker: the key stays (in, length,
    order), reading it fails the render; named explicitly, an unwritable one fails in the view."""
    from transpiler.nodeworker import shared_worker

    unsent = MARK, "unsent"
    with app().test_request_context("/", base_url=BASE_URL):
        flask.session["a"] = 1
        flask.session["when"] = datetime.timedelta(seconds=5)
        flask.session["tags"] = {"x"}
        flask.session["d"] = {1: "int key"}
        flask.session["z"] = (1,)
        flask.g.title = "T"
        flask.g._token = "t"
        props = flask_props(["session", "config", "g"])
        assert list(props["session"]) == ["a", "when", "tags", "d", "z"]
        assert props["session"]["when"] == dict([unsent, ("why", "a timedelta")])
        config = props["config"]
        assert config["PERMANENT_SESSION_LIFETIME"] == dict([unsent, ("why", "a timedelta")])
        assert config["SECRET_KEY"] == dict([unsent, ("why", "a secret, by its name")])
        assert props["g"] == {
            "title": "T",
            "_token": dict([unsent, ("why", "a private attribute")]),
        }
        only = flask_props(["session"], session_keys=("a",))["session"]
        assert only["a"] == 1 and only["z"] == dict([unsent, ("why", "not in session_keys")])
        with pytest.raises(TypeError, match=r"session\['tags'\] is a set"):
            flask_props(["session"], session_keys=("a", "tags"))
        with pytest.raises(TypeError, match=r"config\['PERMANENT_SESSION_LIFETIME'\]"):
            flask_props(["config"], config_keys=("PERMANENT_SESSION_LIFETIME",))
        with pytest.raises(KeyError):
            flask_props(["session"], session_keys=("nosuch",))
    args = json.dumps([props["session"], "session"])
    (observed,) = shared_worker().observe(str(RUNTIME_DIR), [{"fn": "flaskValue", "args": args}])
    assert "jinja2tsx: session['when'] (a timedelta)" in observed["error"]  # (its repr reads it)
