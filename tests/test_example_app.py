"""The example Flask app in fixtures/app: the whole templates folder converts as one project, and
every page renders with React exactly as the app's own Jinja2 environment (its i18n setup and its
``datetimeformat`` filter) renders it, for every sample context. The TypeScript side of the app's
filter is ``fixtures/app/app.ts``, standing where a team keeps it: ``DEST/_jinja2tsx/app.ts``."""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import jinja2
import pytest

from differential import REPO, Rendered, compare, render_react
from transpiler.appnames import APP_MODULE
from transpiler.bulk import discover
from transpiler.convert import TemplateResult, convert_names

APP = REPO / "fixtures" / "app"
TEMPLATES = APP / "templates"
CONTEXTS = APP / "contexts"


def _pages() -> list[tuple[str, list[str]]]:
    pages = []
    for ctx_file in sorted(CONTEXTS.glob("*.json")):
        name = ctx_file.stem.replace("__", "/") + ".html"
        contexts = [json.dumps(c, ensure_ascii=False) for c in json.loads(ctx_file.read_text())]
        pages.append((name, contexts))
    return pages


PAGES = _pages()


@functools.cache
def example_app() -> ModuleType:
    """fixtures/app/app.py, the Flask app itself (the reference renderer)."""
    spec = importlib.util.spec_from_file_location("jinja2tsx_example_app", APP / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # Flask finds the app's folder (templates/) through it
    spec.loader.exec_module(module)
    return module


def app_files(results: dict[str, TemplateResult]) -> dict[str, str]:
    files = {r.output: r.tsx for r in results.values() if r.tsx}
    files[APP_MODULE] = (APP / "app.ts").read_text(encoding="utf-8")
    return files


@functools.cache
def _converted() -> dict[str, TemplateResult]:
    return {r.name: r for r in convert_names(TEMPLATES, discover(TEMPLATES))}


@functools.cache
def _rendered() -> dict[str, list[Rendered]]:
    results = _converted()
    files = app_files(results)
    batch = [(files, results[name].output, contexts) for name, contexts in PAGES]
    return dict(zip([name for name, _ in PAGES], render_react(batch)))


def test_every_template_converts() -> None:
    results = _converted()
    assert set(results) == set(discover(TEMPLATES))
    problems = [d.concise() for r in results.values() for d in r.diagnostics]
    assert not problems, "\n".join(problems)


def test_every_page_has_sample_contexts() -> None:
    pages = {name for name, _ in PAGES}
    assert {"index.html", "posts/list.html", "posts/detail.html", "auth/login.html"} <= pages
    for name in pages:
        assert (TEMPLATES / name).is_file(), name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p[0])
def test_page_renders_like_flask(page: tuple[str, list[str]]) -> None:
    name, contexts = page
    flask_app = example_app().app
    env = flask_app.jinja_env
    react = _rendered()[name]
    for i, ctx in enumerate(contexts):
        with flask_app.test_request_context():
            try:
                jinja = Rendered(env.get_template(name).render(json.loads(ctx)), None)
            except Exception as exc:  # compared: React must fail too
                jinja = Rendered(None, f"{type(exc).__name__}: {exc}")
        compare(jinja, react[i], f"{name} context #{i}")


def test_layouts_and_macro_libraries_are_shared_modules() -> None:
    """Pages import the layout and macro modules rather than inlining them."""
    results = _converted()
    page = results["posts/detail.html"].tsx or ""
    assert '"../layouts/section"' in page
    assert '"../_macros"' in page
    assert Path(results["layouts/section.html"].output) == Path("layouts/section.tsx")


def test_example_app_typechecks() -> None:
    from differential import typecheck

    ok, output = typecheck(app_files(_converted()))
    assert ok, output[:5000]
