"""Flask at conversion time: the app's URL rules as data for the TypeScript URL builder.

The route table comes from the real app (``flask-app = "module:app"`` / ``--flask-app``: the app is
imported and ``app.url_map`` read) or from ``[tool.jinja2tsx.routes]`` (parsed into a werkzeug
``Map`` exactly as ``@app.route`` would add the rules). Either way werkzeug itself parses the rules, and
this module records what its URL builder does with them: the build order of each endpoint's rules,
static parts already quoted, variables with a default already converted (``Rule._compile_builder``),
each variable's converter, the methods and defaults ``Rule.suitable_for`` checks. Rules whose building
jinja2tsx cannot reproduce (custom ``to_url``, subdomains or host matching, websockets, defaults that are
not JSON, ``@app.url_defaults`` hooks) make their endpoint ``unsupported``: using it is a diagnostic.

The settings travel with the Jinja environment (``env.jinja2tsx_flask``, set by ``make_environment``)
so every template of a run, in every worker process, sees the same table; ``routes_module`` writes the
generated ``DEST/_jinja2tsx/routes.ts`` the components import ``templateUrlFor`` from.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

PATH_SAFE = "!$&'()*+,/:;=@"
ROUTES_MODULE = "_jinja2tsx/routes.ts"


class RoutesError(Exception):
    """The route table cannot be read (a configuration problem: exit code 2)."""


@dataclasses.dataclass(frozen=True)
class FlaskSettings:
    """What conversion needs to know about the Flask app. ``table`` is canonical JSON (the runtime's
    ``RouteTableData``), so the settings pickle into worker processes and hash into the manifest."""

    table: str
    source: str  # where the table came from, for messages and the generated module's header
    # the app's own filters, tests and globals: "kind:name" → Python signature and docstring,
    # shown in the app module's stubs (JSON, like the table)
    app_docs: str = "{}"

    @functools.cached_property
    def docs(self) -> dict[str, str]:
        return json.loads(self.app_docs)  # type: ignore[no-any-return]

    @functools.cached_property
    def data(self) -> dict[str, Any]:
        return json.loads(self.table)  # type: ignore[no-any-return]

    @functools.cached_property
    def endpoints(self) -> dict[str, dict[str, Any]]:
        return {name: ep for name, ep in self.data["endpoints"]}

    @property
    def method_sensitive(self) -> frozenset[str]:
        return frozenset(self.data["method_sensitive"])

    @property
    def server_name(self) -> str | None:
        return self.data["server_name"]  # type: ignore[no-any-return]


def flask_settings(env: jinja2.Environment) -> FlaskSettings | None:
    """The settings a conversion environment carries (None: no route table configured)."""
    return getattr(env, "jinja2tsx_flask", None)


# ----------------------------------------------------------------------------- werkzeug → data


def _json_value(value: object) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return not (isinstance(value, float) and value != value)
    return False


def _converter(conv: Any) -> dict[str, Any] | str:
    """The runtime form of a converter's ``to_url``, or why it cannot be reproduced."""
    from werkzeug.routing.converters import (
        AnyConverter,
        BaseConverter,
        NumberConverter,
        UUIDConverter,
    )

    to_url = type(conv).to_url
    if to_url is BaseConverter.to_url:
        return {"kind": "quote"}
    if to_url is NumberConverter.to_url:
        digits = int(getattr(conv, "fixed_digits", 0) or 0)
        if conv.num_convert is int:
            return {"kind": "int", "fixed_digits": digits}
        if conv.num_convert is float:
            return {"kind": "float", "fixed_digits": digits}
    if to_url is AnyConverter.to_url and all(isinstance(i, str) for i in conv.items):
        return {"kind": "any", "items": sorted(conv.items)}
    if to_url is UUIDConverter.to_url:
        return {"kind": "uuid"}
    return f"the converter {type(conv).__name__} has its own to_url"


def _rule_data(rule: Any, host_matching: bool) -> dict[str, Any] | str:
    """``rule`` as ``Rule._compile_builder`` sees it, or why it cannot be built by jinja2tsx."""
    if getattr(rule, "websocket", False):
        return f"{rule.rule} is a websocket rule"
    domain = rule.host if host_matching else rule.subdomain
    if domain:
        return f"{rule.rule} has a {'host' if host_matching else 'subdomain'} ({domain})"
    defaults = dict(rule.defaults or {})
    for key, value in defaults.items():
        if not _json_value(value):
            return f"the default {key}={value!r} of {rule.rule} is not a JSON value"
    converters: dict[str, Any] = {}
    for name, conv in rule._converters.items():
        data = _converter(conv)
        if isinstance(data, str):
            return f"{data} ({rule.rule})"
        converters[name] = data
    parts: list[Any] = []
    url = False
    for is_dynamic, data in rule._trace:
        if data == "|" and not url:
            url = True
            continue
        if not url:
            continue  # the domain part: empty here
        if is_dynamic and data in defaults:
            text = rule._converters[data].to_url(defaults[data])
        elif not is_dynamic:
            text = quote(data, safe=PATH_SAFE)
        else:
            parts.append([data])
            continue
        if parts and isinstance(parts[-1], str):
            parts[-1] += text
        else:
            parts.append(text)
    return {
        "rule": rule.rule,
        "methods": sorted(rule.methods) if rule.methods is not None else None,
        "defaults": defaults or None,
        "arguments": sorted(rule.arguments),
        "parts": parts,
        "converters": converters,
    }


def table_from_map(
    url_map: Any,
    *,
    script_root: str = "",
    server_name: str | None = None,
    url_scheme: str = "http",
    hooked: Mapping[str | None, object] | None = None,
) -> dict[str, Any]:
    """The runtime's ``RouteTableData`` for a werkzeug ``Map``. ``hooked``: the app's
    ``url_default_functions`` (keys None or a blueprint name)."""
    if getattr(url_map, "sort_parameters", False):
        raise RoutesError("url_map.sort_parameters is not supported by jinja2tsx")
    hooked = hooked or {}
    endpoints: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for rule in url_map.iter_rules():
        if rule.endpoint not in endpoints:
            endpoints[rule.endpoint] = {"rules": [], "unsupported": None}
            order.append(rule.endpoint)
    sensitive = []
    for name in order:
        if not isinstance(name, str):
            raise RoutesError(f"the endpoint {name!r} is not a string")
        ep = endpoints[name]
        rules = list(url_map.iter_rules(name))  # werkzeug's build order
        for rule in rules:
            data = _rule_data(rule, url_map.host_matching)
            if isinstance(data, str):
                ep["unsupported"] = data
                ep["rules"] = []
                break
            ep["rules"].append(data)
        for key in hooked:
            if key is None or name.startswith(f"{key}."):
                ep["unsupported"] = "the app changes its URL values with @url_defaults"
                ep["rules"] = []
        if len({tuple(r["methods"] or ()) for r in ep["rules"]}) > 1:
            sensitive.append(name)
    return {
        "script_root": _script_root(script_root),
        "server_name": _server_name(server_name, url_scheme),
        "url_scheme": url_scheme,
        "endpoints": [[name, endpoints[name]] for name in order],
        "method_sensitive": sensitive,
    }


def _script_root(value: str) -> str:
    if value and not value.startswith("/"):
        raise RoutesError(f"script-root must start with '/' (got {value!r})")
    return value.rstrip("/")


def _server_name(value: str | None, scheme: str) -> str | None:
    """As ``Map.bind_to_environ`` normalises a configured server name."""
    if not value:
        return None
    value = value.lower()
    if scheme in ("http", "ws") and value.endswith(":80"):
        value = value[:-3]
    elif scheme in ("https", "wss") and value.endswith(":443"):
        value = value[:-4]
    return value


def settings_from_table(table: dict[str, Any], source: str) -> FlaskSettings:
    return FlaskSettings(json.dumps(table, sort_keys=True, ensure_ascii=False), source)


# ----------------------------------------------------------------------------- sources


def _werkzeug() -> Any:
    try:
        import werkzeug.routing
    except ImportError:  # pragma: no cover - werkzeug comes with Flask
        raise RoutesError("a route table needs werkzeug (pip install flask)") from None
    return werkzeug.routing


def map_from_routes(routes: Mapping[str, Any], where: str = "[tool.jinja2tsx.routes]") -> Any:
    """A werkzeug Map with the rules of a ``[tool.jinja2tsx.routes]`` table, added as Flask's
    ``add_url_rule`` adds them (``GET`` by default, ``HEAD`` and ``OPTIONS`` automatic), plus Flask's
    ``static`` endpoint (``/static/<path:filename>``) unless the table names ``static``."""
    routing = _werkzeug()
    rules = []
    table = dict(routes)
    table.setdefault("static", "/static/<path:filename>")
    for endpoint, spec in table.items():
        entries = spec if isinstance(spec, list) else [spec]
        for entry in entries:
            if isinstance(entry, str):
                entry = {"rule": entry}
            if not isinstance(entry, dict) or not isinstance(entry.get("rule"), str):
                raise RoutesError(
                    f"{where} {endpoint}: a rule is a string or a table with a 'rule' string"
                )
            unknown = set(entry) - {"rule", "defaults", "methods"}
            if unknown:
                raise RoutesError(f"{where} {endpoint}: unknown keys {sorted(unknown)}")
            defaults = entry.get("defaults")
            if defaults is not None and not isinstance(defaults, dict):
                raise RoutesError(f"{where} {endpoint}: defaults must be a table")
            methods = entry.get("methods", ["GET"])
            if not (isinstance(methods, list) and all(isinstance(m, str) for m in methods)):
                raise RoutesError(f"{where} {endpoint}: methods must be a list of strings")
            methods_set = {m.upper() for m in methods} | {"OPTIONS"}
            try:
                rules.append(
                    routing.Rule(
                        entry["rule"], endpoint=endpoint, defaults=defaults, methods=methods_set
                    )
                )
            except (ValueError, TypeError, LookupError) as exc:
                raise RoutesError(f"{where} {endpoint}: {exc}") from None
    try:
        return routing.Map(rules)
    except (ValueError, TypeError, LookupError) as exc:
        raise RoutesError(f"{where}: {exc}") from None


def load_app(import_path: str, base: Path) -> Any:
    """Import the Flask app the way ``flask --app`` does, from the folder ``base``."""
    try:
        from flask.cli import ScriptInfo
    except ImportError:
        raise RoutesError("flask-app needs Flask installed") from None
    old = os.getcwd()
    sys.path.insert(0, str(base))
    try:
        os.chdir(base)
        info = ScriptInfo(import_path, set_debug_flag=False, load_dotenv_defaults=False)
        return info.load_app()
    except Exception as exc:
        raise RoutesError(f"cannot load the Flask app {import_path!r}: {exc}") from None
    finally:
        os.chdir(old)
        try:
            sys.path.remove(str(base))
        except ValueError:
            pass


def settings_from_app(
    app: Any,
    *,
    source: str,
    script_root: str = "",
    server_name: str | None = None,
    url_scheme: str | None = None,
) -> FlaskSettings:
    scheme = url_scheme or app.config.get("PREFERRED_URL_SCHEME") or "http"
    table = table_from_map(
        app.url_map,
        script_root=script_root,
        server_name=server_name or app.config.get("SERVER_NAME"),
        url_scheme=scheme,
        hooked={k: v for k, v in app.url_default_functions.items() if v},
    )
    settings = settings_from_table(table, source)
    docs = json.dumps(app_function_docs(app), sort_keys=True, ensure_ascii=False)
    return dataclasses.replace(settings, app_docs=docs)


def app_function_docs(app: Any) -> dict[str, str]:
    """The Python signature and docstring of each filter, test and global function the app adds
    to Jinja's (``@app.template_filter``, ``app.jinja_env.globals[...]``...), by "kind:name"."""
    import inspect

    import jinja2.defaults

    out: dict[str, str] = {}
    tables = (
        ("filter", app.jinja_env.filters, jinja2.defaults.DEFAULT_FILTERS),
        ("test", app.jinja_env.tests, jinja2.defaults.DEFAULT_TESTS),
        ("global", app.jinja_env.globals, jinja2.defaults.DEFAULT_NAMESPACE),
    )
    for kind, table, builtins in tables:
        for name, fn in table.items():
            # (type(), not isinstance(): Flask's request/session globals are proxies that fail
            # outside a request on any other access)
            if builtins.get(name) is fn or type(fn).__name__ == "LocalProxy":
                continue
            if not (inspect.isroutine(fn) or inspect.isclass(fn)):
                continue
            try:
                signature = str(inspect.signature(fn))
            except (TypeError, ValueError):
                signature = "(...)"
            doc = inspect.getdoc(fn) or ""
            out[f"{kind}:{name}"] = f"{name}{signature}" + (f"\n{doc}" if doc else "")
    return out


def load_settings(
    *,
    flask_app: str | None,
    routes: Mapping[str, Any] | None,
    base: Path,
    script_root: str = "",
    server_name: str | None = None,
    url_scheme: str | None = None,
) -> FlaskSettings | None:
    """The settings of a run: from the app, from the routes table, or None (no Flask routes)."""
    if flask_app and routes:
        raise RoutesError("set either flask-app or [tool.jinja2tsx.routes], not both")
    if flask_app:
        app = load_app(flask_app, base)
        return settings_from_app(
            app,
            source=f"the Flask app {flask_app}",
            script_root=script_root,
            server_name=server_name,
            url_scheme=url_scheme,
        )
    if routes is not None:
        scheme = url_scheme or "http"
        table = table_from_map(
            map_from_routes(routes),
            script_root=script_root,
            server_name=server_name,
            url_scheme=scheme,
        )
        return settings_from_table(table, "[tool.jinja2tsx.routes]")
    return None


# ----------------------------------------------------------------------------- routes.ts


def ts_value(value: object) -> str:
    """A TypeScript literal of a JSON value, in the runtime's value model (floats stay floats)."""
    from .emit import js_str

    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return f"{value}n" if abs(value) > 2**53 else str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
        return f"rt.pyfloat({int(value)})" if value == int(value) else repr(value)
    if isinstance(value, str):
        return js_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(ts_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{js_str(k)}: {ts_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"not a JSON value: {value!r}")


_TS_TYPES = {"int": "number | bigint", "float": "number", "quote": "string", "uuid": "string"}


def _value_type(rule: dict[str, Any]) -> str:
    from .emit import js_str

    defaults = rule["defaults"] or {}
    fields = []
    for arg in rule["arguments"]:
        conv = rule["converters"].get(arg, {"kind": "quote"})
        if conv["kind"] == "any":
            t = " | ".join(js_str(i) for i in conv["items"]) or "never"
        else:
            t = _TS_TYPES[conv["kind"]]
        optional = "?" if arg in defaults else ""
        fields.append(f"{js_str(arg)}{optional}: {t}")
    return "{ " + "; ".join(fields) + " }" if fields else "{}"


def routes_module(settings: FlaskSettings, runtime_import: str = "./v1") -> str:
    """The generated ``DEST/_jinja2tsx/routes.ts``: the route table, a typed ``urlFor`` for
    hand-written code and ``templateUrlFor`` for converted templates."""
    from . import __version__
    from .emit import js_str

    data = settings.data
    source = re.sub(r"[\r\n\u2028\u2029]", " ", settings.source)  # stays a one-line comment
    lines = [
        f"// Generated by jinja2tsx {__version__} from {source}.",
        "// Rewritten on every convert: change the app's routes (or [tool.jinja2tsx]) instead.",
        f'import * as rt from "{runtime_import}";',
        "",
        "/** The app's URL rules as werkzeug builds them (each endpoint's rules in build order). */",
        "export const ROUTES: rt.RouteTableData = {",
        f"  script_root: {js_str(data['script_root'])},",
        f"  server_name: {ts_value(data['server_name'])},",
        f"  url_scheme: {js_str(data['url_scheme'])},",
        "  endpoints: [",
    ]
    for name, ep in data["endpoints"]:
        lines.append(f"    [{js_str(name)}, {{")
        lines.append(f"      unsupported: {ts_value(ep['unsupported'])},")
        lines.append("      rules: [")
        for r in ep["rules"]:
            conv = ", ".join(f"{js_str(k)}: {ts_value(v)}" for k, v in r["converters"].items())
            lines += [
                "        {",
                f"          rule: {js_str(r['rule'])},",
                f"          methods: {ts_value(r['methods'])},",
                f"          defaults: {ts_value(r['defaults'])},",
                f"          arguments: {ts_value(r['arguments'])},",
                f"          parts: {ts_value(r['parts'])},",
                f"          converters: {{{' ' + conv + ' ' if conv else ''}}},",
                "        },",
            ]
        lines.append("      ],")
        lines.append("    }],")
    lines += [
        "  ],",
        f"  method_sensitive: {ts_value(data['method_sensitive'])},",
        "};",
        "",
    ]
    buildable = [(n, ep) for n, ep in data["endpoints"] if ep["unsupported"] is None]
    union = " | ".join(js_str(n) for n, _ in buildable) or "never"
    lines += [
        "/** The endpoints url_for can build. */",
        f"export type Endpoint = {union};",
        "",
        "/** The rule variables of each endpoint (one alternative per rule; other values become the query). */",
        "export interface EndpointValues {",
    ]
    for name, ep in buildable:
        alts = sorted({_value_type(r) for r in ep["rules"]}, key=lambda t: (t.count(":"), t))
        lines.append(f"  {js_str(name)}: {' | '.join(alts) or '{}'};")
    lines += [
        "}",
        "",
        "type Query = Record<string, unknown>;",
        "",
        '/** Flask\'s url_for for TypeScript code: `urlFor("post", { post_id: 3 }, { anchor: "c" })`. */',
        "export function urlFor<E extends Endpoint>(",
        "  endpoint: E,",
        "  ...args: {} extends EndpointValues[E]",
        "    ? [values?: EndpointValues[E] & Query, options?: rt.UrlOptions]",
        "    : [values: EndpointValues[E] & Query, options?: rt.UrlOptions]",
        "): string {",
        "  return rt.buildUrl(ROUTES, endpoint, args[0] ?? {}, args[1] ?? {});",
        "}",
        "",
        "/** url_for(...) as converted templates call it: Python values, keyword arguments in call order. */",
        "export function templateUrlFor(",
        "  endpoint: unknown,",
        "  kwargs: readonly (readonly [string, unknown])[] = [],",
        "  request?: unknown,",
        "): string {",
        "  return rt.urlFor(ROUTES, endpoint, kwargs, request);",
        "}",
        "",
    ]
    return "\n".join(lines)


def routes_import_for(runtime_import: str) -> str:
    """The routes module's path relative to a component, from its runtime import path."""
    return runtime_import.rsplit("/", 1)[0] + "/routes"
