"""Differential testing harness: render a template with Jinja2 (Flask's environment) and the
converted component with React 19 (one persistent Node worker), and compare normalised HTML.

Fixture layout (``fixtures/cases/<area>/``):

* ``<name>.html`` — the template;
* ``<name>.json`` — a JSON list of contexts (``[{}]`` when absent), parsed lexeme-aware on the
  React side so ``1.0`` stays a float;
* ``<name>.expect`` — for templates that must not convert: the expected diagnostic codes;
* ``<name>.refused.json`` — contexts whose Jinja2 output no component can reproduce (e.g. text
  written right after a tag name that would continue the name): Jinja2 renders them, and the
  component must refuse them with a ``jinja2tsx:`` render error instead of differing silently;
* ``<name>.options.json`` (and ``_options.json`` for a whole folder, nearest last) — settings of
  the app: ``{"i18n": "newstyle" | "oldstyle" | "off", "i18n_trimmed": bool,
  "template_names": {variable: template}, "html_blocks": {layout: [block, ...]}}``. The converter
  gets them as configuration; the Jinja side enables ``jinja2.ext.i18n`` with
  ``install_null_translations(newstyle=...)`` (what Flask-Babel installs without a catalog) when
  ``i18n`` is given and not ``off``.

A case may also be a folder ``<name>/`` holding several templates (layouts, macro libraries,
partials): its entry is ``main.html`` (contexts in ``main.json``, expectations in
``main.expect``); the whole folder is converted as one project. Such a folder may define the
app's own filters, tests and globals: ``app.py`` (dicts ``FILTERS``, ``TESTS``, ``GLOBALS``,
registered on the Jinja2 side) and ``app.ts`` (their TypeScript versions, the user-owned
``_jinja2tsx/app.ts`` of the converted output). Only those names are app names in a case; any
other unknown filter, test or global function is a diagnostic.
* ``<name>.extensions`` — the Jinja extensions the case enables, one import name a line (e.g.
  ``jinja2.ext.do``); both the converter's and Flask's environment load them. Without it a case
  runs with Flask's defaults (no extensions).

(``main.extensions`` for a folder case).

WTForms cases: a folder holding ``forms.py`` (it applies to every case below it) defines form
classes; a context value ``{"$form": "LoginForm", "formdata": {...}, "data": {...},
"validate": true, "csrf": true}`` stands for a real form of that class (built once, inside a
request context, from that form data and keyword data, then validated if asked). Jinja2 renders
the live form; React gets ``transpiler.wtforms_json.form_to_json(form)`` as the value, exactly
what a Flask view sends.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import flask
import jinja2

from transpiler.convert import RUNTIME_DIR, TemplateResult, convert_source

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CASES = FIXTURES / "cases"


@dataclasses.dataclass
class Case:
    area: str
    name: str
    template: Path
    contexts_json: list[str]  # one JSON text per context
    expect: list[str] | None  # expected diagnostic codes, or None when it must convert
    project: Path | None = None  # multi-template case: the folder holding main.html
    options: dict[str, Any] = dataclasses.field(default_factory=dict)  # app settings
    extensions: tuple[str, ...] = ()  # Jinja extensions enabled for this case
    # WTForms cases: the contexts Jinja2 renders, holding live forms (contexts_json then holds
    # what React gets: the same contexts with each form as form_to_json(form))
    jinja_contexts: list[dict[str, Any]] | None = None
    refused_json: list[str] = dataclasses.field(default_factory=list)  # <name>.refused.json
    jinja_refused: list[dict[str, Any]] | None = None  # (as jinja_contexts, for refused_json)

    def jinja_context(self, i: int) -> str | dict[str, Any]:
        return self.contexts_json[i] if self.jinja_contexts is None else self.jinja_contexts[i]

    def jinja_refused_context(self, j: int) -> str | dict[str, Any]:
        return self.refused_json[j] if self.jinja_refused is None else self.jinja_refused[j]

    @property
    def id(self) -> str:
        return f"{self.area}/{self.name}"


def _project_of(tpl: Path, root: Path) -> Path | None:
    """The multi-template case folder (one holding main.html) that ``tpl`` belongs to."""
    folder = tpl.parent
    while folder != root and root in folder.parents:
        if (folder / "main.html").exists():
            return folder
        folder = folder.parent
    return None


def case_options(tpl: Path, root: Path) -> dict[str, Any]:
    """Folder ``_options.json`` files from ``root`` down, then ``<stem>.options.json``."""
    options: dict[str, Any] = {}
    folders = [f for f in reversed(tpl.parents) if f == root or root in f.parents]
    for f in [*(f / "_options.json" for f in folders), tpl.with_suffix(".options.json")]:
        if f.exists():
            data = json.loads(f.read_text(encoding="utf-8"))
            assert isinstance(data, dict) and set(data) <= {
                "i18n",
                "i18n_trimmed",
                "template_names",
                "html_blocks",
            }, f
            options.update(data)
    return options


def converter_environment(
    options: dict[str, Any],
    src: Path | None = None,
    app_names: Any = None,
    extensions: Sequence[str] = (),
) -> jinja2.Environment:
    from transpiler.environment import make_environment

    loader = None if src is None else jinja2.FileSystemLoader(str(src))
    return make_environment(
        loader,
        extensions,
        app_names=app_names,
        i18n=options.get("i18n", "newstyle"),
        i18n_trimmed=options.get("i18n_trimmed", False),
        template_names=options.get("template_names"),
        html_blocks=options.get("html_blocks"),
    )


def load_cases(root: Path = CASES, exclude: tuple[str, ...] = ("flask",)) -> list[Case]:
    """The cases below ``root``; ``exclude``: top-level areas with their own harness (``flask/``
    renders inside a Flask app with a route table: tests/flaskcases.py)."""
    cases = []
    for tpl in sorted(root.rglob("*.html")):
        if tpl.relative_to(root).parts[0] in exclude:
            continue
        project = _project_of(tpl, root)
        if project is not None:
            if tpl != project / "main.html":
                continue  # a layout/partial of a multi-template case
            area = tpl.parent.parent.relative_to(root).as_posix()
            name = tpl.parent.name
        else:
            area = tpl.parent.relative_to(root).as_posix()
            name = tpl.stem
        ctx_file = tpl.with_suffix(".json")
        contexts = ["{}"]
        if ctx_file.exists():
            data = json.loads(ctx_file.read_text(encoding="utf-8"))
            assert isinstance(data, list), f"{ctx_file}: must hold a JSON list of contexts"
            contexts = [json.dumps(c, ensure_ascii=False) for c in data]
        refused: list[str] = []
        refused_file = tpl.with_suffix(".refused.json")
        if refused_file.exists():
            data = json.loads(refused_file.read_text(encoding="utf-8"))
            assert isinstance(data, list), f"{refused_file}: must hold a JSON list of contexts"
            refused = [json.dumps(c, ensure_ascii=False) for c in data]
        expect_file = tpl.with_suffix(".expect")
        expect = None
        if expect_file.exists():
            expect = [line.strip() for line in expect_file.read_text().splitlines() if line.strip()]
        options = case_options(tpl, root)
        jinja_contexts = jinja_refused = None
        forms = _forms_module(tpl, root)
        if forms is not None:
            built = [materialize_forms(json.loads(c), forms) for c in contexts]
            jinja_contexts = [b[0] for b in built]
            contexts = [b[1] for b in built]
            built = [materialize_forms(json.loads(c), forms) for c in refused]
            jinja_refused = [b[0] for b in built]
            refused = [b[1] for b in built]
        cases.append(
            Case(
                area,
                name,
                tpl,
                contexts,
                expect,
                project,
                options,
                read_extensions(tpl),
                jinja_contexts,
                refused,
                jinja_refused,
            )
        )
    return cases


def read_extensions(tpl: Path) -> tuple[str, ...]:
    """``<name>.extensions`` next to the template: one extension a line, ``#`` starts a comment."""
    ext_file = tpl.with_suffix(".extensions")
    if not ext_file.exists():
        return ()
    lines = (line.split("#", 1)[0].strip() for line in ext_file.read_text().splitlines())
    return tuple(line for line in lines if line)


def _forms_module(tpl: Path, root: Path) -> dict[str, Any] | None:
    """The namespace of the nearest ``forms.py`` above ``tpl`` (within ``root``)."""
    for folder in tpl.parents:
        if folder != root and root not in folder.parents:
            return None
        f = folder / "forms.py"
        if f.is_file():
            namespace: dict[str, Any] = {"__name__": f"fixture_forms_{folder.name}"}
            exec(compile(f.read_text(encoding="utf-8"), str(f), "exec"), namespace)
            return namespace
    return None


_forms_app = flask.Flask("jinja2tsx_wtforms_fixtures")
_forms_app.secret_key = "jinja2tsx fixtures"
_forms_app.config["WTF_CSRF_ENABLED"] = False


def build_form(spec: dict[str, Any], forms: dict[str, Any]) -> Any:
    """A real form from a fixture spec (see the module docstring)."""
    import warnings

    from werkzeug.datastructures import MultiDict

    cls = forms[spec["$form"]]
    formdata = spec.get("formdata")
    pairs = []
    for k, v in (formdata or {}).items():
        pairs.extend((k, x) for x in (v if isinstance(v, list) else [v]))
    kwargs = dict(spec.get("data", {}))
    if spec.get("csrf"):
        kwargs["meta"] = {"csrf": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # tuple choices, as most apps write
        with _forms_app.test_request_context(method="POST" if formdata is not None else "GET"):
            form = cls(formdata=None if formdata is None else MultiDict(pairs), **kwargs)
            if spec.get("validate"):
                form.validate()
            return form


def materialize_forms(ctx: Any, forms: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(the context with live forms for Jinja2, its JSON with form_to_json values for React)."""
    from transpiler.wtforms_json import form_to_json

    assert isinstance(ctx, dict)
    live: dict[str, Any] = {}
    sent: dict[str, Any] = {}
    for key, value in ctx.items():
        if isinstance(value, dict) and "$form" in value:
            live[key] = build_form(value, forms)
            with _forms_app.app_context():  # as a view calls it (Flask-WTF reads the config)
                sent[key] = form_to_json(live[key])
        else:
            live[key] = sent[key] = value
    return live, json.dumps(sent, ensure_ascii=False)


_app = flask.Flask("jinja2tsx_fixtures")


def flask_environment(
    loader: jinja2.BaseLoader,
    options: dict[str, Any] | None = None,
    extensions: Sequence[str] = (),
) -> jinja2.Environment:
    """Flask's own Jinja environment (autoescape by extension, Flask globals) over ``loader``;
    with i18n as Flask-Babel installs it when ``options`` say so, and ``extensions`` added as
    an app would (``app.jinja_env.add_extension``)."""
    env = _app.create_jinja_environment()
    env.loader = loader
    for ext in extensions:
        env.add_extension(ext)
    style = (options or {}).get("i18n", "off")
    if style != "off":
        env.add_extension("jinja2.ext.i18n")
        env.install_null_translations(newstyle=style == "newstyle")  # type: ignore[attr-defined]
        env.policies["ext.i18n.trimmed"] = (options or {}).get("i18n_trimmed", False)
    return env


@dataclasses.dataclass
class Rendered:
    html: str | None
    error: str | None


def render_jinja(
    template_source: str,
    name: str,
    context_json: str | dict[str, Any],
    templates: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    app: AppModule | None = None,
    extensions: Sequence[str] = (),
) -> Rendered:
    mapping = dict(templates or {})
    mapping[name] = template_source
    env = flask_environment(jinja2.DictLoader(mapping), options, extensions)
    if app is not None:
        env.filters.update(app.filters)
        env.tests.update(app.tests)
        env.globals.update(app.globals)
    context = json.loads(context_json) if isinstance(context_json, str) else context_json
    try:
        with _app.test_request_context():
            return Rendered(env.get_template(name).render(context), None)
    except Exception as exc:  # template errors are results to compare, not test errors
        return Rendered(None, f"{type(exc).__name__}: {exc}")


def render_react(
    cases: Sequence[tuple[dict[str, str], str, Sequence[str]]],
) -> list[list[Rendered]]:
    """Render [(files, entry, contexts)] with the shared Node worker in one request."""
    from transpiler.nodeworker import shared_worker

    requests = [
        {
            "files": files,
            "runtime_dir": str(RUNTIME_DIR),
            "entry": entry,
            "export": "default",
            "props": list(contexts),
        }
        for files, entry, contexts in cases
    ]
    results = shared_worker().render(requests)
    out: list[list[Rendered]] = []
    for per_case in results:
        rows = []
        for r in per_case:
            if isinstance(r, dict):
                rows.append(Rendered(r.get("html"), r.get("error")))
            else:  # pragma: no cover - defensive
                rows.append(Rendered(None, str(r)))
        out.append(rows)
    return out


@dataclasses.dataclass(frozen=True)
class AppModule:
    """A case's app-defined names: Python implementations and the TypeScript module."""

    filters: dict[str, Any]
    tests: dict[str, Any]
    globals: dict[str, Any]
    typescript: str

    def names(self) -> Any:
        from transpiler.appnames import AppNames

        return AppNames.declared(self.filters, self.tests, self.globals)


def app_of(case: Case) -> AppModule | None:
    if case.project is None or not (case.project / "app.py").is_file():
        return None
    namespace: dict[str, Any] = {}
    code = (case.project / "app.py").read_text(encoding="utf-8")
    exec(compile(code, str(case.project / "app.py"), "exec"), namespace)
    ts = case.project / "app.ts"
    return AppModule(
        dict(namespace.get("FILTERS", {})),
        dict(namespace.get("TESTS", {})),
        dict(namespace.get("GLOBALS", {})),
        ts.read_text(encoding="utf-8") if ts.is_file() else "",
    )


def convert_case(case: Case) -> tuple[TemplateResult, dict[str, str]]:
    """The entry's result, and every module the render needs (output path → TSX)."""
    from transpiler.appnames import APP_MODULE, AppNames

    app = app_of(case)
    names = app.names() if app is not None else AppNames.declared()
    if case.project is None:
        from transpiler.convert import read_template, output_name

        source = read_template(case.template, f"{case.id}.html")
        if not isinstance(source, str):  # not UTF-8: the diagnostic is the result
            return (
                TemplateResult(f"{case.id}.html", output_name(f"{case.id}.html"), None, [source]),
                {},
            )
        env = converter_environment(case.options, app_names=names, extensions=case.extensions)
        result = convert_source(source, f"{case.id}.html", env, label=case.id)
        return result, ({result.output: result.tsx} if result.tsx else {})
    from transpiler.bulk import discover
    from transpiler.convert import convert_names

    env = converter_environment(case.options, case.project, names, case.extensions)
    results = convert_names(case.project, discover(case.project), env)
    entry = next(r for r in results if r.name == "main.html")
    files = {r.output: r.tsx for r in results if r.tsx}
    if app is not None and app.typescript:
        files[APP_MODULE] = app.typescript
    return entry, files


def project_templates(case: Case) -> dict[str, str]:
    if case.project is None:
        return {}
    return {
        p.relative_to(case.project).as_posix(): p.read_text(encoding="utf-8")
        for p in case.project.rglob("*.html")
    }


def compare(jinja: Rendered, react: Rendered, what: str) -> None:
    from htmlcompare import assert_same_html

    if jinja.error is not None:
        assert (
            react.error is not None
        ), f"{what}: Jinja2 raised {jinja.error!r} but React rendered:\n{react.html}"
        return
    assert (
        react.error is None
    ), f"{what}: React failed: {react.error}\nJinja2 rendered:\n{jinja.html}"
    assert jinja.html is not None and react.html is not None
    assert_same_html(jinja.html, react.html, what)


def typecheck(files: dict[str, str]) -> tuple[bool, str]:
    """``tsc --strict --noEmit`` over generated files plus the runtime, in one process."""
    from transpiler.convert import RUNTIME_SUBDIR, runtime_sources
    from transpiler.toolchain import find_toolchain

    tc = find_toolchain(install=True)
    assert tc is not None
    with tempfile.TemporaryDirectory(dir=tc.root, prefix=".tsc-") as tmp:
        base = Path(tmp)
        for rel, text in files.items():
            (base / rel).parent.mkdir(parents=True, exist_ok=True)
            (base / rel).write_text(text, encoding="utf-8")
        # one runtime copy wherever a module's relative runtime import points
        runtime_dirs = set()
        for rel, text in files.items():
            m = re.search(r'from "((?:\.\.?/)+)' + re.escape(RUNTIME_SUBDIR) + '"', text)
            if m:
                runtime_dirs.add(((base / rel).parent / m.group(1) / RUNTIME_SUBDIR).resolve())
        for target in runtime_dirs:
            target.mkdir(parents=True, exist_ok=True)
            for name, text in runtime_sources().items():
                (target / name).write_text(text, encoding="utf-8")
        return run_tsc(base)


def run_tsc(base: Path) -> tuple[bool, str]:
    """``tsc --strict --noEmit`` over every .ts/.tsx file below ``base`` (a folder inside the
    toolchain's root, so ``react`` resolves); returns (passed, tsc's output)."""
    import subprocess

    from transpiler.toolchain import find_toolchain

    tc = find_toolchain(install=True)
    assert tc is not None
    (base / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "strict": True,
                    "noEmit": True,
                    "jsx": "react-jsx",
                    "target": "es2022",
                    "module": "esnext",
                    "moduleResolution": "bundler",
                    "skipLibCheck": True,
                    "types": [],
                    "typeRoots": [str(Path(tc.root) / "node_modules" / "@types")],
                },
                "include": ["**/*.ts", "**/*.tsx"],
            }
        )
    )
    proc = subprocess.run(
        [str(tc.tsc), "-p", str(base / "tsconfig.json")],
        capture_output=True,
        text=True,
        cwd=base,
    )
    return proc.returncode == 0, proc.stdout + proc.stderr


def batched(items: Iterable[Any], n: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch
