"""The example Flask app in fixtures/app, end to end.

The whole templates folder converts as one project against the app's own route table (the README's
first command, ``--flask-app fixtures/app/app.py``), and every page the app serves renders with
React exactly as the app renders it with Jinja2: its i18n setup, its ``datetimeformat`` filter
(TypeScript side: ``fixtures/app/app.ts``, standing where a team keeps it, ``DEST/_jinja2tsx/app.ts``),
``url_for`` links, flashed messages, WTForms forms and CSRF tokens.

The Jinja2 side is the real app: each visit goes through its views with Flask's test client (forms
built by the views from the posted data and validated, messages ``flash()``ed, redirects followed).
When a view renders its template, the view's context and the React props are taken in that same
request: ``page_props`` of ``app.py`` (``form_to_json`` of the forms, plus ``flask_props``: the
request, the flashed messages, ``csrf_token()``). Every page is visited with each of its sample
contexts (``contexts/<page>.json``, ``?ctx=N``: typical data, empty lists, nulls, HTML-special
characters, unicode), and the forms are posted with empty, invalid, valid, HTML-special and unicode
data.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
import jinja2
import pytest

from differential import REPO, Rendered, compare, render_react
from transpiler.appnames import APP_MODULE
from transpiler.bulk import discover
from transpiler.convert import TemplateResult, convert_names
from transpiler.environment import make_environment
from transpiler.flaskapp import ROUTES_MODULE, FlaskSettings, routes_module, settings_from_app

APP = REPO / "fixtures" / "app"
TEMPLATES = APP / "templates"
CONTEXTS = APP / "contexts"

# Where the app serves each page (the page's sample contexts are picked with ?ctx=N).
PAGE_URLS = {
    "index.html": "/",
    "posts/list.html": "/posts",
    "posts/detail.html": "/posts/jinja-to-react",
    "auth/login.html": "/login",
    "admin/dashboard.html": "/admin",
    "admin/new_post.html": "/admin/posts/new",
    "about.html": "/about",
    "errors/404.html": "/no-such-page",
}


@dataclasses.dataclass(frozen=True)
class Visit:
    """A request to the app (``form``: POSTed, with the CSRF token a GET of ``token_from``
    gives) and the template the page it ends on renders (redirects are followed)."""

    id: str
    url: str
    template: str
    form: dict[str, str] | None = None
    token_from: str | None = None


def _contexts() -> dict[str, list[dict[str, Any]]]:
    return {
        f.stem.replace("__", "/") + ".html": json.loads(f.read_text(encoding="utf-8"))
        for f in sorted(CONTEXTS.glob("*.json"))
    }


def _sample_visits() -> list[Visit]:
    visits = []
    for name, contexts in _contexts().items():
        url = PAGE_URLS[name]
        for n in range(len(contexts)):
            sep = "&" if "?" in url else "?"
            visits.append(Visit(f"{name} context #{n}", f"{url}{sep}ctx={n}", name))
    return visits


LOGIN = "auth/login.html"
NEW_POST = "admin/new_post.html"
ANN = {"email": " Ann@Example.com", "password": "correct horse", "language": "en"}
POST = {
    "title": "Hello",
    "slug": "hello",
    "category": "flask",
    "body": "A body that is long enough.",
}

FLOWS = [
    Visit("login with ?next", "/login?next=%2Fadmin%3Ftab%3Dusers%26sort%3Dname", LOGIN),
    Visit("login: nothing filled in", "/login", LOGIN, form={}),
    Visit(
        "login: invalid email, HTML-special input",
        "/login?ctx=1&next=/admin?tab=<users>",
        LOGIN,
        form={
            "email": "o'brien+<test>@example",
            "password": '"><script>alert(1)</script>',
            "language": "x-tom",
            "remember": "y",
        },
    ),
    Visit(
        "login: wrong password, unicode",
        "/login?ctx=2&next=/posts/ünïcödé",
        LOGIN,
        form={"email": "zoë@example.com", "password": "falsch", "language": "ja"},
    ),
    Visit("login: not a choice", "/login", LOGIN, form={**ANN, "language": "<xx>"}),
    Visit("login: no choices at all", "/login?ctx=3", LOGIN, form=ANN),
    Visit("login: success, to ?next", "/login?next=/admin", "admin/dashboard.html", form=ANN),
    Visit(
        "login: success, foreign ?next refused",
        "/login?next=//evil.example/",
        "index.html",
        form=ANN,
    ),
    Visit("logout", "/logout", "index.html", form={}, token_from="/"),
    Visit("new post: nothing filled in", "/admin/posts/new", NEW_POST, form={}),
    Visit(
        "new post: invalid, HTML-special input",
        "/admin/posts/new?ctx=1",
        NEW_POST,
        form={
            "title": "<b>" * 30,
            "slug": "Hello World & <Co>!",
            "category": "nope",
            "body": "\r\n<i>short</i>\r\n  ",
            "tags": 'a, "b" & <c>',
        },
    ),
    Visit(
        "new post: draft saved (Markup flash)",
        "/admin/posts/new?ctx=1",
        "posts/list.html",
        form={**POST, "title": '<Jinja> & "React"', "category": "c++", "draft": "y"},
    ),
    Visit(
        "new post: published, unicode",
        "/admin/posts/new?ctx=2",
        "posts/list.html",
        form={**POST, "title": "日本語のテキスト 🎉", "category": "日本語", "body": "Ünïcödé " * 5},
    ),
    Visit("posts: page 2", "/posts?page=2", "posts/list.html"),
    Visit("posts: tag filter", "/posts?tag=c%2B%2B+%26+rust&ctx=0", "posts/list.html"),
    Visit("posts: unknown tag", "/posts?tag=%3Cnone%3E", "posts/list.html"),
    Visit(
        "404: markup in the URL", "/search?q=<script>alert('x')</script>&page=2", "errors/404.html"
    ),
    Visit("detail by slug", "/posts/escaping", "posts/detail.html"),
]

VISITS = _sample_visits() + FLOWS


@functools.cache
def example_app() -> ModuleType:
    """fixtures/app/app.py, the Flask app itself (the reference renderer)."""
    spec = importlib.util.spec_from_file_location("jinja2tsx_example_app", APP / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # Flask finds the app's folder (templates/) through it
    spec.loader.exec_module(module)
    return module


@functools.cache
def flask_settings() -> FlaskSettings:
    """The app's route table, as ``--flask-app fixtures/app/app.py`` reads it."""
    return settings_from_app(example_app().app, source="the Flask app fixtures/app/app.py")


def app_files(results: dict[str, TemplateResult]) -> dict[str, str]:
    files = {r.output: r.tsx for r in results.values() if r.tsx}
    files[APP_MODULE] = (APP / "app.ts").read_text(encoding="utf-8")
    files[ROUTES_MODULE] = routes_module(flask_settings())
    return files


@functools.cache
def _converted() -> dict[str, TemplateResult]:
    env = make_environment(jinja2.FileSystemLoader(str(TEMPLATES)), flask=flask_settings())
    return {r.name: r for r in convert_names(TEMPLATES, discover(TEMPLATES), env)}


@dataclasses.dataclass
class Served:
    template: str
    jinja: Rendered
    props: str  # JSON


@contextmanager
def _rendering(app: flask.Flask) -> Iterator[list[tuple[str, str] | BaseException]]:
    """(template, props JSON) of every template the app renders, taken in the request."""
    seen: list[tuple[str, str] | BaseException] = []

    def record(sender: flask.Flask, template: jinja2.Template, context: dict[str, Any]) -> None:
        try:
            injected: dict[str, Any] = {}
            sender.update_template_context(injected)  # Flask's and its extensions' names
            view_context = {
                k: v for k, v in context.items() if k not in injected or v is not injected[k]
            }
            props = example_app().page_props(view_context)
            seen.append((str(template.name), json.dumps(props, ensure_ascii=False)))
        except Exception as exc:  # the test's own failure, not the page's
            seen.append(exc)
            raise

    flask.before_render_template.connect(record, app)
    try:
        yield seen
    finally:
        flask.before_render_template.disconnect(record, app)


def _csrf_token(client: Any, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    m = re.search(r'<input [^>]*name="csrf_token" [^>]*value="([^"]+)"', html)
    assert m, f"no CSRF token in {url}"
    return m.group(1)


def _visit(visit: Visit) -> Served:
    app = example_app().app
    client = app.test_client()
    data = None
    if visit.form is not None:
        data = {**visit.form, "csrf_token": _csrf_token(client, visit.token_from or visit.url)}
    with _rendering(app) as seen:
        try:
            if data is None:
                response = client.get(visit.url, follow_redirects=True)
            else:
                response = client.post(visit.url, data=data, follow_redirects=True)
            jinja = Rendered(response.get_data(as_text=True), None)
        except Exception as exc:  # compared: React must fail too
            jinja = Rendered(None, f"{type(exc).__name__}: {exc}")
    assert seen, f"{visit.id}: no template rendered"
    last = seen[-1]
    if isinstance(last, BaseException):
        raise last
    template, props = last
    return Served(template, jinja, props)


@functools.cache
def _served() -> dict[str, tuple[Served, Rendered]]:
    """Every visit: what the app served, and React's rendering of the same page and props."""
    app = example_app().app
    app.testing = True  # errors raised while rendering propagate (compared with React's)
    served = {v.id: _visit(v) for v in VISITS}
    results = _converted()
    files = app_files(results)
    by_template: dict[str, list[str]] = {}
    for vid, s in served.items():
        by_template.setdefault(s.template, []).append(vid)
    batch = [
        (files, results[t].output, [served[vid].props for vid in vids])
        for t, vids in by_template.items()
    ]
    out: dict[str, tuple[Served, Rendered]] = {}
    for (t, vids), rendered in zip(by_template.items(), render_react(batch)):
        for vid, react in zip(vids, rendered):
            out[vid] = (served[vid], react)
    return out


def test_every_template_converts() -> None:
    results = _converted()
    assert set(results) == set(discover(TEMPLATES))
    problems = [d.concise() for r in results.values() for d in r.diagnostics]
    assert not problems, "\n".join(problems)


def test_every_page_has_sample_contexts() -> None:
    contexts = _contexts()
    assert set(contexts) == set(PAGE_URLS)
    for name, samples in contexts.items():
        assert (TEMPLATES / name).is_file(), name
        assert len(samples) >= 3, f"{name}: typical, empty or null, special-character samples"


@pytest.mark.parametrize("visit", VISITS, ids=lambda v: v.id)
def test_page_renders_like_flask(visit: Visit) -> None:
    served, react = _served()[visit.id]
    assert served.template == visit.template, f"{visit.id}: rendered {served.template}"
    compare(served.jinja, react, f"{visit.id} ({visit.url}) props {served.props[:300]}")


def test_visits_exercise_forms_flashes_and_urls() -> None:
    """The visits really reach what they are about (a guard against a silently empty page)."""
    pages = {vid: s for vid, (s, _) in _served().items()}

    def html(vid: str) -> str:
        text = pages[vid].jinja.html
        assert text is not None, pages[vid].jinja.error
        return text

    assert 'name="csrf_token" type="hidden" value="' in html("login: nothing filled in")
    assert "This field is required." in html("login: nothing filled in")
    assert "Not a valid choice." in html("login: not a choice")
    assert "Invalid email address or password." in html("login: wrong password, unicode")
    assert "Welcome back, Ann Lee!" in html("login: success, to ?next")
    assert "Post <strong>&lt;Jinja&gt; &amp; &#34;React&#34;</strong> saved as a draft." in html(
        "new post: draft saved (Markup flash)"
    )
    flashes = json.loads(pages["new post: draft saved (Markup flash)"].props)["_flashes"]
    assert [
        "success",
        "Post <strong>&lt;Jinja&gt; &amp; &#34;React&#34;</strong> saved as a draft.",
        True,
    ] in flashes
    assert "Use lowercase letters, digits and dashes only." in html(
        "new post: invalid, HTML-special input"
    )
    assert "You have been logged out." in html("logout")
    assert "Tagged <strong>c++ &amp; rust</strong>" in html("posts: tag filter")
    assert 'href="/posts?tag=c%2B%2B+%26+rust"' in html("index.html context #0")
    assert 'href="/static/style.css"' in html("index.html context #0")
    assert 'href="/posts?page=3"' in html("posts/list.html context #0")
    assert 'href="/posts/jinja-to-react"' in html("index.html context #0")
    assert '<li class="nav-item active"><a href="/posts" aria-current="page">' in html(
        "posts/list.html context #0"
    )
    assert not any(s.jinja.error for s in pages.values())


def test_layouts_and_macro_libraries_are_shared_modules() -> None:
    """Pages import the layout and macro modules rather than inlining them."""
    results = _converted()
    page = results["posts/detail.html"].tsx or ""
    assert '"../layouts/section"' in page
    assert '"../_macros"' in page
    assert 'from "./_jinja2tsx/routes"' in (results["_macros.html"].tsx or "")
    assert Path(results["layouts/section.html"].output) == Path("layouts/section.tsx")


def test_example_app_typechecks() -> None:
    from differential import typecheck

    ok, output = typecheck(app_files(_converted()))
    assert ok, output[:5000]


def test_readme_first_command_converts_the_example_app(tmp_path: Path) -> None:
    """The README's first command (what .ci/run executes verbatim on a fresh clone) converts the
    whole example app without a diagnostic, url_for included (the app's routes)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^```sh\n(.*?)\n```", readme, re.M | re.S)
    assert m, "README.md opens with a ```sh block"
    install, command = (part.strip() for part in m.group(1).split("&&"))
    assert install == "python3 -m pip install -e '.[dev]'"
    args = shlex.split(command)
    assert args[:3] == ["jinja2tsx", "convert", "fixtures/app/templates"]
    out = tmp_path / "example-app"
    args[args.index("--out") + 1] = str(out)
    env = dict(os.environ, PYTHONPATH=str(REPO))  # this checkout, whatever is installed
    proc = subprocess.run(
        [sys.executable, "-m", "transpiler", *args[1:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    n = len(discover(TEMPLATES))
    assert f"{n} converted, 0 not convertible" in proc.stderr
    routes = (out / ROUTES_MODULE).read_text(encoding="utf-8")
    assert "post_detail: { slug: string };" in routes and '"static"' in routes
    assert (out / "admin" / "new_post.tsx").is_file()
