"""App-defined filters, tests and global functions: the names a template uses that Jinja2 does
not define (``|format_datetime``, ``is visible``, ``render_icon(...)``).

The converted modules import them from one user-owned TypeScript module, ``DEST/_jinja2tsx/app.ts``
(``APP_MODULE``). jinja2tsx writes it once, with a typed stub per name showing how the templates
call it, and afterwards only appends stubs for names it has not seen before: the implementations
are the team's code and are never overwritten. A stub carries ``STUB_MARK`` until someone
implements it, which is how ``check`` lists the ones still missing.

Calling convention (documented in the module header): ``filter_<name>(value, ...args)``,
``test_<name>(value, ...args)`` and ``<name>(...args)`` for globals; keyword arguments arrive as a
last ``rt.kw({...})`` object (``rt.splitArgs(args)`` separates them). Values are the runtime's
Python values (``rt.str``, ``rt.truthy``...), and a function returns Markup (``rt.markup(html)``)
where the Python one returns Markup.

Which names count as app names is the ``AppNames`` policy: any unknown name by default, or only
those declared (``filters``/``tests``/``globals`` in ``[tool.jinja2tsx]``) once any is declared,
so a typo becomes a U003 diagnostic instead of a new stub.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Literal

import jinja2

Kind = Literal["filter", "test", "global"]

APP_MODULE = "_jinja2tsx/app.ts"
STUB_MARK = "jinja2tsx:stub"
ENV_ATTRIBUTE = "jinja2tsx_app_names"

JS_RESERVED = frozenset(
    """break case catch class const continue debugger default delete do else enum export extends
    false finally for function if import in instanceof new null return super switch this throw true
    try typeof var void while with yield let static implements interface package private protected
    public await arguments eval""".split()
)

# Names other parts of the converter give a meaning (Flask globals, i18n): never app names.
RESERVED_GLOBALS = frozenset(
    {
        "url_for",
        "get_flashed_messages",
        "csrf_token",
        "_",
        "gettext",
        "ngettext",
        "pgettext",
        "npgettext",
        "config",
        "request",
        "session",
        "g",
        "self",
        "super",
        "caller",
        "varargs",
        "kwargs",
        "loop",
    }
)


@dataclasses.dataclass(frozen=True)
class AppNames:
    """Which unknown names are app-defined. ``None``: any name of that kind; a set: only those
    (others are U003 diagnostics)."""

    filters: frozenset[str] | None = None
    tests: frozenset[str] | None = None
    globals: frozenset[str] | None = None

    def allows(self, kind: Kind, name: str) -> bool:
        if kind == "global" and name in RESERVED_GLOBALS:
            return False
        declared = {"filter": self.filters, "test": self.tests, "global": self.globals}[kind]
        return declared is None or name in declared

    @classmethod
    def declared(
        cls, filters: Iterable[str] = (), tests: Iterable[str] = (), globals: Iterable[str] = ()
    ) -> "AppNames":
        """Only the names given: nothing else is app-defined."""
        return cls(frozenset(filters), frozenset(tests), frozenset(globals))

    @classmethod
    def from_config(cls, filters: list[str], tests: list[str], globals: list[str]) -> "AppNames":
        """Config lists: when none is given, any unknown name is the app's; once the app's
        names are declared (any of the three lists), only the declared ones are."""
        if not (filters or tests or globals):
            return cls()
        return cls.declared(filters, tests, globals)


def app_names_of(env: jinja2.Environment) -> AppNames:
    """The policy attached to a converter environment (any name when none is)."""
    policy = getattr(env, ENV_ATTRIBUTE, None)
    return policy if isinstance(policy, AppNames) else AppNames()


@dataclasses.dataclass(frozen=True)
class AppUse:
    """One use of an app name: what the stub is generated from."""

    kind: Kind
    name: str
    positional: int  # positional arguments after the value
    keywords: tuple[str, ...]
    example: str  # the template expression, for the stub's comment
    template: str
    line: int

    def as_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "AppUse":
        return cls(
            kind=data["kind"],  # type: ignore[arg-type]
            name=str(data["name"]),
            positional=int(data["positional"]),  # type: ignore[call-overload]
            keywords=tuple(data["keywords"]),  # type: ignore[arg-type]
            example=str(data["example"]),
            template=str(data["template"]),
            line=int(data["line"]),  # type: ignore[call-overload]
        )


def export_name(kind: Kind, name: str) -> str:
    """The TypeScript export for an app name: ``filter_x``, ``test_x``, or the global's name."""
    base = re.sub(r"[^A-Za-z0-9_$]", "_", name)
    if kind != "global":
        return f"{kind}_{base}"
    if base in JS_RESERVED or base[:1].isdigit() or base.startswith(("filter_", "test_")):
        return f"global_{base}"
    return base


def app_import_for(output: str) -> str:
    """The import specifier of the app module from a generated module at ``output``."""
    depth = output.count("/")
    prefix = "./" if depth == 0 else "../" * depth
    return prefix + APP_MODULE[: -len(".ts")]


HEADER = """\
// App-defined filters, tests and globals for the converted templates. THIS FILE IS YOURS:
// jinja2tsx wrote it once and only ever appends stubs for names it has not seen before.
//
// Implement each function like the Python one your Flask app registers (app.jinja_env.filters,
// .tests, .globals or a context processor). Arguments are the runtime's Python values (use
// rt.str, rt.truthy, rt.getattr...); keyword arguments arrive as a last rt.kw({...}) object,
// separated by `const [pos, kw] = rt.splitArgs(args)`. Return rt.markup(html) where Python
// returns Markup, so the HTML is not escaped again. Remove the `{mark}` comment of a
// function once it is implemented: `jinja2tsx check` lists the ones still carrying it.
import * as rt from "./v1";
""".replace("{mark}", STUB_MARK)


# What a stub of a name Flask itself defines says beyond how the templates call it.
NOTES: dict[tuple[Kind, str], tuple[str, ...]] = {
    ("global", "url_for"): (
        " *",
        " * No route table was configured, so the templates call this url_for(endpoint,",
        ' * rt.kw({...values})). Better: set flask-app = "module:app" (or --flask-app, or',
        " * [tool.jinja2tsx.routes]) in [tool.jinja2tsx] and convert again: jinja2tsx then builds",
        " * URLs exactly as werkzeug does (DEST/_jinja2tsx/routes.ts) and checks every endpoint.",
        " * Return the URL as a string, as Flask does (never rt.markup): the converted templates",
        " * escape it as text.",
    ),
}


# The return type of a stub whose Python twin returns one kind of value: Flask's url_for returns
# a str, never Markup, and the converter relies on it (its URL is escaped as text, so a call of
# it may stand in a macro's JSX form).
RETURNS: dict[tuple[Kind, str], str] = {("global", "url_for"): "string"}


def _signature(kind: Kind, uses: list[AppUse]) -> str:
    params = ["value: unknown"] if kind != "global" else []
    return ", ".join(params + ["...args: unknown[]"])


def stub(kind: Kind, name: str, uses: list[AppUse], python: str | None = None) -> str:
    """The stub of one app name; ``python``: the app's Python signature and docstring."""
    label = {"filter": f"Filter `{name}`", "test": f"Test `{name}`", "global": f"Global `{name}()`"}
    seen = []
    for u in sorted(uses, key=lambda u: (u.template, u.line))[:3]:
        example = u.example.replace("*/", "* /")
        seen.append(f" *   {example}  ({u.template}:{u.line})")
    notes = list(NOTES.get((kind, name), ()))
    if python:
        first, *rest = python.replace("*/", "* /").splitlines()
        notes += [" *", f" * In the Flask app: {first}"] + [
            f" *   {line}".rstrip() for line in rest
        ]
    doc = "\n".join([f"/** {label[kind]}, used as:", *seen, *notes, " */"])
    return (
        f"{doc}\n"
        f"export function {export_name(kind, name)}({_signature(kind, uses)}): "
        f"{RETURNS.get((kind, name), 'unknown')} {{\n"
        f"  return rt.notImplemented({_ts_str(kind)}, {_ts_str(name)}); // {STUB_MARK}\n"
        "}\n"
    )


def _ts_str(s: str) -> str:
    import json

    return json.dumps(s, ensure_ascii=True)


EXPORT_RE = re.compile(
    r"^export\s+(?:async\s+)?(?:function|const|let|var)\s+([A-Za-z0-9_$]+)", re.M
)


def exported(text: str) -> dict[str, int]:
    """Exported names of the app module → line number."""
    return {m.group(1): text.count("\n", 0, m.start()) + 1 for m in EXPORT_RE.finditer(text)}


def unimplemented(text: str) -> dict[str, int]:
    """Exports whose body still carries the stub mark → line number of the export."""
    names = exported(text)
    out: dict[str, int] = {}
    ordered = sorted(names.items(), key=lambda kv: kv[1])
    lines = text.splitlines()
    for i, (name, line) in enumerate(ordered):
        end = ordered[i + 1][1] - 1 if i + 1 < len(ordered) else len(lines)
        if any(STUB_MARK in l for l in lines[line - 1 : end]):
            out[name] = line
    return out


def updated_module(
    existing: str | None, uses: Iterable[AppUse], docs: dict[str, str] | None = None
) -> str | None:
    """The app module's new text with stubs for every used name it does not export yet
    (appended, existing text untouched), or None when nothing is missing. ``docs``: the Flask
    app's signature and docstring per "kind:name" (``flaskapp.app_function_docs``)."""
    by_name: dict[tuple[Kind, str], list[AppUse]] = {}
    for u in uses:
        by_name.setdefault((u.kind, u.name), []).append(u)
    have = exported(existing) if existing is not None else {}
    missing = [
        (kind, name)
        for kind, name in sorted(by_name, key=lambda k: (export_name(*k), k))
        if export_name(kind, name) not in have
    ]
    if not missing and existing is not None:
        return None
    text = existing if existing is not None else HEADER
    parts = [text.rstrip("\n") + "\n"]
    for kind, name in missing:
        python = (docs or {}).get(f"{kind}:{name}")
        parts.append("\n" + stub(kind, name, by_name[(kind, name)], python))
    return "".join(parts)
