"""Opt-in: the real-world templates of ../shared/corpus, converted folder by folder as
``tests/benchmark.py`` does, then rendered by Jinja2 (Flask's environment, a test request) and
by the converted components for up to ten generated contexts each, and compared.

Run with ``JINJA2TSX_CORPUS=1 python -m pytest tests/test_corpus_render.py -s`` (under a
minute); skipped when the corpus is absent. The contexts give every name a template reads but
does not set one value of a kind at a time (nothing, a str with HTML characters, an empty list,
a dict, a list of dicts, zero), then each the value its use asks for, then twice a value built
from every path the template reads it by (through loop targets and sets: ``posts`` as rows with
an ``author`` dict where a loop prints ``p.author.name``), its leaves a number, then a str with
HTML characters; then with live forms where names look like forms. Flask's own props come from
the same test request (``csrf_token`` included, as Flask-WTF gives every template). The app's names are the corpus' unknowns: on both sides a global function echoes its first
argument, a filter gives its value as text, a test its truth, and ``url_for`` builds the same made-up URL on both sides (the corpus has no
route tables). Each render ends as ``same`` (same HTML), ``both raise``, ``refused`` (the
component's ``jinja2tsx:`` error where Jinja2 renders: never silently wrong) or a mismatch (a
bug: the test fails).
"""

from __future__ import annotations

import collections
import json
import os
import re
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2 import meta

from benchmark import (
    DEFAULT_CORPUS,
    EXTENSIONS,
    HTML_BLOCKS,
    TEMPLATE_NAMES,
    search_paths,
    template_root,
)
from differential import Rendered, _app, compare, flask_environment, render_react
from transpiler.appnames import APP_MODULE, updated_module
from transpiler.convert import convert_names
from transpiler.environment import make_environment
from transpiler.flask_context import flask_props, user_data

# renders that reach the end of their template alike: a harness change that made every render
# raise on both sides would otherwise pass with nothing compared (raise when the count goes up)
BASELINE_SAME = 862

pytestmark = [
    pytest.mark.skipif(not DEFAULT_CORPUS.is_dir(), reason="../shared/corpus is not present"),
    pytest.mark.skipif(
        os.environ.get("JINJA2TSX_CORPUS") != "1", reason="opt-in: JINJA2TSX_CORPUS=1"
    ),
]

# the variables the benchmark maps to layout names ({% extends admin_base_template %})
CSRF_TOKEN = "corpus-csrf-token"
LAYOUT_NAMES = {k: v for k, v in TEMPLATE_NAMES.items() if "(" not in k}
ROW = {"id": 2, "name": "N<b>", "title": "T", "items": [1, 2], "a": "x"}
KINDS: list[Any] = [
    None,  # the name left out
    "s<&>'",
    [],
    ROW,
    [{"id": 1, "name": "A", "title": "t&"}, {"id": 3, "name": "", "title": None}],
    0,
]

URL_FOR_TS = """export function url_for(...args: unknown[]): string {
  const [pos, kw] = rt.splitArgs(args);
  const k = kw as Record<string, unknown>;
  const query = Object.keys(k).sort().map((x) => "?" + x + "=" + rt.str(k[x]));
  return "/" + rt.str(pos[0]) + query.join("");
}
"""


# the app's other functions (Flask-Security's _fsdomain, FlaskBB's theme) echo their first
# argument as text on both sides, so the templates calling them render on
GLOBAL_STUB = re.compile(
    r"export function (\w+)\(\.\.\.args: unknown\[\]\): unknown \{\n"
    r'  return rt\.notImplemented\("global", "[^"]+"\);[^\n]*\n\}'
)
ECHO_TS = r"""export function \1(...args: unknown[]): string {
  const [pos] = rt.splitArgs(args);
  return pos.length > 0 ? rt.str(pos[0]) : "";
}"""


def _echo(*args: object, **kwargs: object) -> str:
    return str(args[0]) if args else ""


class _Anonymous:
    """Flask-Login's anonymous user (the harness app has no login manager)."""

    is_authenticated = is_active = False
    is_anonymous = True

    def get_id(self) -> None:
        return None


def _url_for(endpoint: object, **values: object) -> str:
    return "/" + str(endpoint) + "".join(f"?{k}={v}" for k, v in sorted(values.items()))


def _value_stub(kind: str, returns: str, body: str) -> tuple[re.Pattern[str], str]:
    """The generated stub of an app filter or test (``kind``), and what replaces it."""
    stub = re.compile(
        rf"export function ({kind}_\w+)\(value: unknown, \.\.\.args: unknown\[\]\): unknown \{{\n"
        rf'  return rt\.notImplemented\("{kind}", "[^"]+"\);[^\n]*\n\}}'
    )
    return stub, rf"export function \1(value: unknown, ...args: unknown[]): {returns} {{ {body} }}"


# the app's filters give their value as text, its tests its truth, on both sides
VALUE_STUBS = [
    _value_stub("filter", "string", "return rt.str(value);"),
    _value_stub("test", "boolean", "return rt.truthy(value);"),
]


def _as_text(value: object, *args: object, **kwargs: object) -> str:
    return str(value)


def _truth(value: object, *args: object, **kwargs: object) -> bool:
    return bool(value)


def _contexts(
    names: list[str], tree: jinja2.nodes.Template
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(Jinja2's context, the component's props) pairs: the kinds, each name by its use, and
    that with live forms where names look like forms."""
    out = [{**LAYOUT_NAMES, **({} if kind is None else {n: kind for n in names})} for kind in KINDS]
    out.append({**LAYOUT_NAMES, **_by_use(names, tree)})
    shapes = _shapes(tree)  # (one walk, two contexts)
    for leaf in (3, "Ann & <Bo>"):
        values = {n: shapes[n].value(leaf) for n in names if n in shapes}
        out.append({**LAYOUT_NAMES, **{n: v for n, v in values.items() if v is not _CALLED}})
    pairs = [(c, c) for c in out]
    fields = _form_fields(names, tree)
    if fields:
        live, sent = _forms(fields)
        pairs.append(({**out[-1], **live}, {**out[-1], **sent}))
    return pairs


def _by_use(names: list[str], tree: jinja2.nodes.Template) -> dict[str, Any]:
    """A value for each name as the template uses it: a list of rows where it loops over it, a
    row where it reads an attribute or item, nothing where it calls it, else a str."""
    from jinja2 import nodes

    uses: dict[str, str] = {}
    for loop in tree.find_all(nodes.For):
        if isinstance(loop.iter, nodes.Name):
            uses.setdefault(loop.iter.name, "rows")
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node.node, nodes.Name):
            uses.setdefault(node.node.name, "row")
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name):
            uses[call.node.name] = "call"
    values = {"rows": KINDS[4], "row": ROW, "str": "Ann & <Bo>"}
    return {n: values[uses.get(n, "str")] for n in names if uses.get(n) != "call"}


class _Shape:
    """What a template does with one value: the attributes and items it reads, whether it loops
    over it (and what it does with each row), whether it calls it."""

    def __init__(self) -> None:
        self.attrs: dict[str, _Shape] = {}
        self.rows: _Shape | None = None
        self.called = False

    def attr(self, name: str) -> _Shape:
        return self.attrs.setdefault(name, _Shape())

    def row(self) -> _Shape:
        if self.rows is None:
            self.rows = _Shape()
        return self.rows

    def value(self, leaf: object) -> Any:
        if self.rows is not None:
            row = self.rows.value(leaf)
            return [row, row] if row is not _CALLED else []
        if self.attrs:
            fields = {k: v.value(leaf) for k, v in sorted(self.attrs.items())}
            return {k: v for k, v in fields.items() if v is not _CALLED}
        return _CALLED if self.called else leaf


_CALLED = object()  # a function: no JSON value stands for it, so the name is left out


def _shapes(tree: jinja2.nodes.Template) -> dict[str, _Shape]:
    """What the template does with each name it reads, from every path it reads it by,
    through loop targets and sets (``{% for p in posts %}{{ p.author.name }}`` gives ``posts``
    rows with an ``author`` dict); ``_Shape.value`` builds a value of it (names it calls:
    ``_CALLED``, left out)."""
    from jinja2 import nodes

    roots: dict[str, _Shape] = {}

    def shape_of(expr: nodes.Node, scope: dict[str, _Shape | None]) -> _Shape | None:
        if isinstance(expr, nodes.Name):
            if expr.name in scope:
                return scope[expr.name]
            return roots.setdefault(expr.name, _Shape())
        if isinstance(expr, nodes.Getattr):
            inner = shape_of(expr.node, scope)
            return None if inner is None else inner.attr(expr.attr)
        if isinstance(expr, nodes.Getitem) and isinstance(expr.arg, nodes.Const):
            inner = shape_of(expr.node, scope)
            key = expr.arg.value
            return None if inner is None or not isinstance(key, str) else inner.attr(key)
        return None

    def targets(target: nodes.Node, value: _Shape | None, scope: dict[str, _Shape | None]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = value
        else:
            for name in target.find_all(nodes.Name):
                scope[name.name] = None

    def walk(node: nodes.Node, scope: dict[str, _Shape | None]) -> None:
        if isinstance(node, nodes.For):
            walk(node.iter, scope)
            source = shape_of(node.iter, scope)
            inner = dict(scope)
            targets(node.target, None if source is None else source.row(), inner)
            inner["loop"] = None
            for child in [*node.body, *([node.test] if node.test else [])]:
                walk(child, inner)
            for child in node.else_:
                walk(child, scope)
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = None
            for name in ("varargs", "kwargs", "caller"):
                inner[name] = None
            if isinstance(node, nodes.CallBlock):
                walk(node.call, scope)
            for child in node.body:
                walk(child, inner)
            if isinstance(node, nodes.Macro):
                scope[node.name] = None
            return
        if isinstance(node, nodes.Assign):
            walk(node.node, scope)
            targets(node.target, shape_of(node.node, scope), scope)
            return
        if isinstance(node, nodes.AssignBlock):
            for child in node.body:
                walk(child, scope)
            targets(node.target, None, scope)
            return
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                walk(value, scope)
                targets(target, shape_of(value, scope), inner)
            for child in node.body:
                walk(child, inner)
            return
        if isinstance(node, (nodes.Import, nodes.FromImport)):
            for name in [node.target] if isinstance(node, nodes.Import) else node.names:
                scope[name if isinstance(name, str) else name[1]] = None
            return
        if isinstance(node, nodes.Call):
            called = shape_of(node.node, scope)
            if called is not None:
                called.called = True
        elif isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            shape_of(node, scope)
        for child in node.iter_child_nodes():
            walk(child, scope)

    walk(tree, {})
    return roots


FORM_ATTRIBUTES = {"hidden_tag", "csrf_token", "errors", "data", "meta", "validate_on_submit"}


def _form_fields(names: list[str], tree: jinja2.nodes.Template) -> dict[str, list[str]]:
    """The names that look like forms (``form``, ``login_form``) and the fields read on them."""
    from jinja2 import nodes

    fields: dict[str, list[str]] = {n: [] for n in names if "form" in n.lower()}
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in fields:
            if node.attr not in FORM_ATTRIBUTES and not node.attr.startswith("_"):
                if node.attr not in fields[node.node.name]:
                    fields[node.node.name].append(node.attr)
    return {n: f for n, f in fields.items() if f}


def _forms(fields: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(live FlaskForms for Jinja2, their form_to_json for the component): a StringField per
    field read (a BooleanField for remember-me, a SubmitField for submit), with data."""
    import wtforms
    from flask_wtf import FlaskForm

    from differential import _forms_app
    from transpiler.wtforms_json import form_to_json

    live: dict[str, Any] = {}
    sent: dict[str, Any] = {}
    for name, names in fields.items():
        attrs: dict[str, Any] = {}
        for f in names:
            if "remember" in f:
                attrs[f] = wtforms.BooleanField(f.title())
            elif "submit" in f:
                attrs[f] = wtforms.SubmitField(f.title())
            else:
                attrs[f] = wtforms.StringField(f.replace("_", " ").title(), default=f"<{f}> & co")
        cls = type(f"Corpus_{name}", (FlaskForm,), attrs)
        with _forms_app.test_request_context():
            live[name] = cls()
            sent[name] = form_to_json(live[name])
    return live, sent


def _folders() -> dict[Path, list[str]]:
    files = sorted(
        p for p in DEFAULT_CORPUS.rglob("*") if p.suffix in (".html", ".htm", ".j2", ".jinja")
    )
    roots: dict[Path, list[str]] = collections.defaultdict(list)
    for f in files:
        root = template_root(f, DEFAULT_CORPUS)
        roots[root].append(f.relative_to(root).as_posix())
    return roots


def test_corpus_renders_like_jinja() -> None:
    roots = _folders()
    paths = search_paths(list(roots), DEFAULT_CORPUS)
    with _app.test_request_context():
        flask_data = flask_props()
    # current_user is a Flask prop with a shape of its own: the same anonymous user everywhere
    flask_data["current_user"] = user_data(_Anonymous())
    # Flask-WTF's csrf_token(), which the converter takes every app to have (a Flask prop)
    flask_data["csrf_token"] = CSRF_TOKEN
    outcome: collections.Counter[str] = collections.Counter()
    mismatches: list[str] = []
    for root, names in roots.items():
        loader = jinja2.FileSystemLoader([str(p) for p in paths[root]])
        env = make_environment(
            loader, EXTENSIONS, template_names=TEMPLATE_NAMES, html_blocks=HTML_BLOCKS
        )
        results = [r for r in convert_names(root, names, env)]
        uses = [u for r in results for u in r.app_uses]
        files = {r.output: r.tsx for r in results if r.tsx}
        module = updated_module(None, uses) if uses else None
        if module is not None:
            module = re.sub(r"export function url_for\(.*?\n}\n", URL_FOR_TS, module, flags=re.S)
            for stub, replacement in VALUE_STUBS:
                module = stub.sub(replacement, module)
            files[APP_MODULE] = GLOBAL_STUB.sub(ECHO_TS, module)
        jinja_env = flask_environment(
            loader, {"i18n": "newstyle"}, [e for e in EXTENSIONS if not e.endswith("i18n")]
        )
        jinja_env.globals["url_for"] = _url_for
        jinja_env.globals["current_user"] = _Anonymous()
        jinja_env.globals["csrf_token"] = lambda: CSRF_TOKEN
        for u in uses:
            if u.kind == "global" and u.name != "url_for":
                jinja_env.globals.setdefault(u.name, _echo)
            if u.kind == "filter":
                jinja_env.filters.setdefault(u.name, _as_text)
            elif u.kind == "test":
                jinja_env.tests.setdefault(u.name, _truth)
        batch = []
        for r in results:
            if not r.ok:
                continue
            tree = jinja_env.parse((root / r.name).read_text(encoding="utf-8"))
            read = sorted(meta.find_undeclared_variables(tree) - set(jinja_env.globals))
            batch.append((r, _contexts([n for n in read if n not in LAYOUT_NAMES], tree)))
        requests = [
            (files, r.output, [json.dumps({**flask_data, **props}) for _, props in contexts])
            for r, contexts in batch
        ]
        for (r, contexts), react in zip(batch, render_react(requests)):
            where = f"{root.relative_to(DEFAULT_CORPUS)}/{r.name}"
            for i, (context, _) in enumerate(contexts):
                try:
                    with _app.test_request_context():
                        html = jinja_env.get_template(r.name).render(context)
                    jinja = Rendered(html, None)
                except Exception as exc:  # template errors are results to compare
                    jinja = Rendered(None, f"{type(exc).__name__}: {exc}")
                error = react[i].error or ""
                if jinja.error is None and "jinja2tsx:" in error:
                    outcome["refused"] += 1
                    print(f"refused: {where} context #{i}: {error[:200]}")
                    continue
                try:
                    compare(jinja, react[i], f"{where} context #{i}")
                except AssertionError as exc:
                    outcome["mismatch"] += 1
                    mismatches.append(str(exc)[:1500])
                    continue
                outcome["both raise" if jinja.error else "same"] += 1
    print(
        f"\ncorpus renders: {outcome['same']} same HTML, {outcome['both raise']} both raise, "
        f"{outcome['refused']} refused by the component, {outcome['mismatch']} mismatch"
    )
    assert not mismatches, "\n\n".join(mismatches[:10])
    assert (
        outcome["same"] >= BASELINE_SAME
    ), f"{outcome['same']} same renders, {BASELINE_SAME} before"
