"""Differential harness for ``fixtures/cases/flask/``: the Jinja2 side renders inside the real Flask app
of ``flaskcases_app.py`` (``app.test_request_context``, flashes pushed with ``flask.flash``, session
and ``g`` set, Flask-Login/Flask-WTF emulated), so werkzeug builds the reference URLs; the React side
renders the component converted with that app's route table, with the props
``transpiler.flask_context.flask_props`` builds in the same request.

A context may hold ``"__flask__"``, the request to render in::

    {"path": "/blog/hello?page=2", "method": "POST", "form": {...}, "headers": {...},
     "session": {...}, "g": {..., "$row": "user"}, "config": {...},
     "flashes": [["error", "Oops"], ["info", "<b>", true]],
     "user": {"id": 1, "name": "Ann"} | null, "csrf": "token"}

(a flash with a third element ``true`` is Markup; ``config`` items are set for this request only).
Session, ``g`` and config values may be Python values JSON has no form for: ``{"$tuple": [...]}``,
``{"$markup": "<b>"}``, ``{"$timedelta": seconds}``, ``{"$set": [...]}``. Everything else is the
template's context.
"""

from __future__ import annotations

import datetime
import functools
import json
import sys
from collections.abc import Sequence
from typing import Any

import flask
import jinja2
from markupsafe import Markup

from differential import CASES, Case, Rendered, load_cases, project_templates
from transpiler.bulk import discover
from transpiler.convert import TemplateResult, convert_names, convert_source
from transpiler.environment import make_environment
from transpiler.flask_context import flask_props
from transpiler.flaskapp import ROUTES_MODULE, FlaskSettings, load_settings, routes_module

FLASK_CASES = CASES / "flask"
APP_IMPORT = "flaskcases_app:create_app()"
SCRIPT_ROOT = "/app"
BASE_URL = "http://example.test/app"


@functools.cache
def settings() -> FlaskSettings:
    s = load_settings(flask_app=APP_IMPORT, routes=None, base=FLASK_CASES, script_root=SCRIPT_ROOT)
    assert s is not None
    return s


@functools.cache
def app() -> flask.Flask:
    settings()  # imports the module from FLASK_CASES
    return sys.modules["flaskcases_app"].create_app()  # type: ignore[no-any-return]


def flask_cases() -> list[Case]:
    return [c for c in load_cases(CASES, exclude=()) if c.area.split("/")[0] == "flask"]


def convert_flask_case(case: Case) -> tuple[TemplateResult, dict[str, str]]:
    """The entry's result and every module its render needs, routes module included."""
    routes = {ROUTES_MODULE: routes_module(settings())}
    if case.project is None:
        env = make_environment(flask=settings())
        name = case.template.name
        result = convert_source(case.template.read_text(encoding="utf-8"), name, env, case.id)
        return result, ({result.output: result.tsx, **routes} if result.tsx else {})
    env = make_environment(jinja2.FileSystemLoader(str(case.project)), flask=settings())
    results = convert_names(case.project, discover(case.project), env)
    entry = next(r for r in results if r.name == "main.html")
    files = {r.output: r.tsx for r in results if r.tsx}
    return entry, {**files, **routes}


class _Row:
    """A database row (sqlite3.Row): read by key, not a JSON value."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def _py(value: Any) -> Any:
    """A setup value with its ``$tuple``/``$markup``/``$timedelta``/``$set`` parts made Python's."""
    if isinstance(value, list):
        return [_py(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((kind, v),) = value.items()
        if kind == "$tuple":
            return tuple(_py(x) for x in v)
        if kind == "$markup":
            return Markup(v)
        if kind == "$timedelta":
            return datetime.timedelta(seconds=v)
        if kind == "$set":
            return set(v)
    return {k: _py(v) for k, v in value.items()}


def render(case: Case, context_json: str) -> tuple[Rendered, str]:
    """Jinja2's rendering in the Flask app, and the React props (JSON) for the same request."""
    context: dict[str, Any] = json.loads(context_json)
    setup: dict[str, Any] = context.pop("__flask__", {})
    templates = project_templates(case) or {
        case.template.name: case.template.read_text(encoding="utf-8")
    }
    name = "main.html" if case.project is not None else case.template.name
    mod = sys.modules["flaskcases_app"]
    a = app()
    config = dict(a.config)
    a.config.update(_py(setup.get("config", {})))
    try:
        return _render_in(a, mod, setup, context, templates, name)
    finally:
        a.config.clear()
        a.config.update(config)


def _render_in(
    a: flask.Flask,
    mod: Any,
    setup: dict[str, Any],
    context: dict[str, Any],
    templates: dict[str, str],
    name: str,
) -> tuple[Rendered, str]:
    with a.test_request_context(
        setup.get("path", "/"),
        base_url=BASE_URL,
        method=setup.get("method", "GET"),
        data=setup.get("form"),
        headers=setup.get("headers"),
    ):
        for k, v in setup.get("session", {}).items():
            flask.session[k] = _py(v)
        for f in setup.get("flashes", []):
            if len(f) == 1:
                flask.flash(f[0])
            else:
                flask.flash(Markup(f[1]) if len(f) > 2 and f[2] else f[1], f[0])
        for k, v in setup.get("g", {}).items():
            if k == "$row":  # g.<v> = a database row (no JSON value), as Flask's tutorial sets
                setattr(flask.g, v, _Row({"name": "Ann"}))
            else:
                setattr(flask.g, k, _py(v))
        user = setup.get("user")
        flask.g._test_user = mod.User(user) if user else None
        flask.g._csrf = setup.get("csrf", "csrf-token-1")
        # (the view sends the user's fields the templates read: all of them unless the case
        # names fewer, "user_fields")
        props = flask_props(user_fields=setup.get("user_fields", list(user or ())))
        env = a.create_jinja_environment()
        env.loader = jinja2.DictLoader(templates)
        env.globals["csrf_token"] = a.jinja_env.globals["csrf_token"]
        ctx = dict(context)
        a.update_template_context(ctx)
        try:
            jinja = Rendered(env.get_template(name).render(ctx), None)
        except Exception as exc:  # compared: React must fail too
            jinja = Rendered(None, f"{type(exc).__name__}: {exc}")
    return jinja, json.dumps({**context, **props}, ensure_ascii=False)


def render_all(cases: Sequence[Case]) -> dict[str, list[tuple[Rendered, str]]]:
    return {c.id: [render(c, ctx) for ctx in c.contexts_json] for c in cases}
