"""Lowering of Flask's template names: ``url_for``, ``get_flashed_messages``, ``csrf_token()`` and the
context objects ``request``, ``session``, ``g``, ``config``, ``current_user``.

Flask puts ``url_for``, ``get_flashed_messages``, ``config``, ``request``, ``session`` and ``g`` in every
template (Jinja globals and context processors), Flask-Login adds ``current_user`` and Flask-WTF
``csrf_token``. In the component they are explicit props with documented JSON shapes (README "Flask
context"): ``request``, ``session``, ``g``, ``config``, ``current_user``, ``csrf_token`` (the token
``csrf_token()`` returns) and ``_flashes`` (the request's flashed messages). ``url_for`` needs no prop: it
builds from the route table compiled into ``DEST/_jinja2tsx/routes.ts`` (see ``flaskapp``), and a
constant endpoint is checked against that table at conversion time. Without a route table it is an
app-defined global (``appnames``): the team's ``url_for`` in ``DEST/_jinja2tsx/app.ts``.

``FlaskLowering`` is a mixin of ``lower.Lowerer``: it relies on the lowerer's ``env``, ``scope``,
``prop``, ``expr`` and ``node_fail``.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, NoReturn

from jinja2 import nodes

from . import ir
from .flaskapp import flask_settings
from .treeindex import index_of

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

    from .appnames import Kind
    from .lower import Scope

# Flask's function globals: never template variables (using one as a value is U002).
FLASK_FUNCTIONS = frozenset({"url_for", "get_flashed_messages"})
# Context objects: props with a documented JSON shape.
FLASK_OBJECTS = frozenset({"request", "session", "g", "config", "current_user"})
FLASHES_PROP = "_flashes"
CSRF_PROP = "csrf_token"

# The request prop's fields (runtime/flask.ts REQUEST_FIELDS) and every public attribute of
# flask.Request (REQUEST_ATTRS): reading one of the others is refused.
REQUEST_FIELDS = frozenset(
    """method scheme host path full_path script_root url base_url url_root host_url root_url endpoint
    blueprint blueprints view_args args form cookies headers remote_addr remote_user referrer origin
    is_secure is_json mimetype content_type content_length user_agent""".split()
)
REQUEST_ATTRS = frozenset("""accept_charsets accept_encodings accept_languages accept_mimetypes
    access_control_request_headers access_control_request_method access_route application args
    authorization base_url blueprint blueprints cache_control close content_encoding content_length
    content_md5 content_type cookies data date dict_storage_class endpoint files form
    form_data_parser_class from_values full_path get_data get_json host host_url if_match
    if_modified_since if_none_match if_range if_unmodified_since input_stream is_json
    is_multiprocess is_multithread is_run_once is_secure json json_module list_storage_class
    make_form_data_parser max_content_length max_form_memory_size max_form_parts max_forwards
    mimetype mimetype_params on_json_loading_failed origin parameter_storage_class pragma range
    referrer remote_user root_url routing_exception script_root stream trusted_hosts url url_root
    url_rule user_agent user_agent_class values view_args want_form_data_parsed environ method
    scheme server root_path path query_string headers remote_addr shallow""".split())
# Attributes of Flask's session and config objects that their JSON (a plain dict) lacks.
SESSION_ATTRS = frozenset({"permanent", "new", "modified", "accessed"})
CONFIG_ATTRS = frozenset(
    {
        "from_envvar",
        "from_file",
        "from_mapping",
        "from_object",
        "from_prefixed_env",
        "from_pyfile",
        "get_namespace",
        "root_path",
    }
)
# Printed as such, these show a Python repr their JSON cannot reproduce.
UNPRINTABLE = frozenset({"session", "g", "config", "current_user"})


class FlaskLowering:
    csrf_called: bool

    if TYPE_CHECKING:  # pragma: no cover
        # what the host class (lower.Lowerer) provides; declared for the type checker only, so
        # nothing here exists at runtime

        env: jinja2.Environment
        scope: Scope

        def node_fail(
            self, code: str, message: str, node: nodes.Node, hint: str = ""
        ) -> NoReturn: ...

        def prop(self, name: str) -> ir.Binding: ...

        def _bound(self, name: str) -> bool: ...

        def expr(self, node: nodes.Expr) -> ir.Expr: ...

        def app_call(
            self,
            kind: Kind,
            name: str,
            value: ir.Expr | None,
            node: nodes.Call | nodes.Filter | nodes.Test,
        ) -> ir.AppCall: ...

    def init_flask(self, tree: nodes.Template) -> None:
        index = index_of(tree)
        calls = [c for c in index.of(nodes.Call) if isinstance(c.node, nodes.Name)]
        called = {id(c.node) for c in calls}
        self.csrf_called = any(c.node.name == CSRF_PROP for c in calls)  # type: ignore[attr-defined]
        parents = index.parents
        for name in index.of(nodes.Name):
            if name.ctx != "load" or id(name) in called:
                continue
            if name.name == FLASHES_PROP:
                self.node_fail(
                    "U201", f"{FLASHES_PROP!r} is reserved for the flashed messages", name
                )
            if name.name == CSRF_PROP and self.csrf_called and not _only_tested(name, parents):
                self.node_fail(
                    "U201",
                    "csrf_token is both called and read as a value other than a condition (the "
                    "component's csrf_token prop holds the token csrf_token() returns)",
                    name,
                )

    def is_flask_prop(self, name: str) -> bool:
        return (
            name in FLASK_OBJECTS
            or name == FLASHES_PROP
            or (name == CSRF_PROP and self.csrf_called)
        )

    def flask_prop(self, name: str) -> ir.Binding:
        """The prop behind a Flask global, whatever template variable shadows the name; the
        macros around the call now read the context."""
        scope: Scope | None = self.scope
        while scope is not None:
            if scope.macro is not None:
                scope.macro.context_free = False
                if name not in scope.macro.context_names:
                    scope.macro.context_names.append(name)  # a module-level macro receives it
            scope = scope.parent
        b = self.prop(name)
        b.flask = True
        return b

    def forward_flask(self, wanted: ir.Binding, have: ir.Binding) -> None:
        """An included template or layout reads a Flask prop: the value handed to it is ours."""
        if wanted.flask and have.kind == "prop":
            have.flask = True

    # -- calls ------------------------------------------------------------------------------

    def flask_call(self, node: nodes.Call, line: int) -> ir.Expr | None:
        func = node.node
        if not isinstance(func, nodes.Name) or self._bound(func.name):
            return None
        if func.name == "url_for":
            return self.url_for(node, line)
        if func.name == "get_flashed_messages":
            return self.flashed_messages(node, line)
        if func.name == CSRF_PROP:
            if node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
                self.node_fail("U002", "csrf_token() with arguments", node)
            return ir.Var(line, self.flask_prop(CSRF_PROP))
        return None

    def url_for(self, node: nodes.Call, line: int) -> ir.Expr:
        settings = flask_settings(self.env)
        if settings is None:
            # no route table: the app's own url_for, written by the team in the app module
            # (its stub says how to get werkzeug-exact URLs instead: a route table)
            return self.app_call("global", "url_for", None, node)
        if node.dyn_args is not None:
            self.node_fail("U002", "*args in url_for()", node)
        if len(node.args) > 1:
            self.node_fail("U004", "url_for() takes one positional argument, the endpoint", node)
        endpoint_node = node.args[0] if node.args else None
        values: list[tuple[str, ir.Expr]] = []
        endpoint: ir.Expr | None = None if endpoint_node is None else self.expr(endpoint_node)
        for kw in node.kwargs:
            if kw.key == "endpoint":
                if endpoint is not None:
                    self.node_fail("U004", "url_for() got multiple values for 'endpoint'", node)
                endpoint = self.expr(kw.value)
                continue
            values.append((kw.key, self.expr(kw.value)))
        if endpoint is None:
            self.node_fail("U004", "url_for() is missing the endpoint", node)
        starstar = None if node.dyn_kwargs is None else self.expr(node.dyn_kwargs)
        given = dict(values)
        method = given.get("_method")
        constant_method = isinstance(method, ir.Const) and method.value is not None
        needs_request = False
        if isinstance(endpoint, ir.Const) and isinstance(endpoint.value, str):
            name = endpoint.value
            if name.startswith("."):
                needs_request = True
                known = [e for e in settings.endpoints if e == name[1:] or e.endswith(name)]
                if not known:
                    self.unknown_endpoint(name, node)
            else:
                ep = settings.endpoints.get(name)
                if ep is None:
                    self.unknown_endpoint(name, node)
                if ep["unsupported"] is not None:
                    self.node_fail(
                        "T104",
                        f"url_for({name!r}): jinja2tsx cannot build this endpoint's URLs "
                        f"({ep['unsupported']})",
                        node,
                    )
                needs_request = name in settings.method_sensitive and not constant_method
        elif isinstance(endpoint, ir.Const):
            self.node_fail("U004", "url_for() endpoint must be a string", node)
        else:
            # a dynamic endpoint may be one whose rule depends on the request method; inside a
            # macro the request is not passed (imported macros see no context): building such an
            # endpoint there throws instead
            needs_request = bool(settings.method_sensitive) and not self._in_macro()
        if settings.server_name is None and self._maybe_external(given):
            self.node_fail(
                "T103",
                "url_for(..., _external=True) needs server-name in [tool.jinja2tsx]",
                node,
            )
        request = self.flask_prop("request") if needs_request else None
        return ir.UrlFor(line, endpoint, tuple(values), starstar, request)

    def _in_macro(self) -> bool:
        scope: Scope | None = self.scope
        while scope is not None:
            if scope.macro is not None:
                return True
            scope = scope.parent
        return False

    @staticmethod
    def _maybe_external(given: dict[str, ir.Expr]) -> bool:
        scheme, external = given.get("_scheme"), given.get("_external")
        if scheme is not None and not (isinstance(scheme, ir.Const) and scheme.value is None):
            return True
        return external is not None and not (isinstance(external, ir.Const) and not external.value)

    def unknown_endpoint(self, name: str, node: nodes.Node) -> NoReturn:
        settings = flask_settings(self.env)
        assert settings is not None
        close = difflib.get_close_matches(name.lstrip("."), list(settings.endpoints), n=3)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        self.node_fail(
            "T101",
            f"url_for({name!r}): no such endpoint in {settings.source}{hint}",
            node,
        )

    def flashed_messages(self, node: nodes.Call, line: int) -> ir.Expr:
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            self.node_fail("U002", "*args/**kwargs in get_flashed_messages()", node)
        params = ("with_categories", "category_filter")
        if len(node.args) > len(params):
            self.node_fail("U004", "get_flashed_messages() takes at most 2 arguments", node)
        bound: list[ir.Expr | None] = [self.expr(a) for a in node.args]
        bound += [None] * (len(params) - len(bound))
        for kw in node.kwargs:
            if kw.key not in params:
                self.node_fail("U004", f"get_flashed_messages() has no argument {kw.key!r}", node)
            i = params.index(kw.key)
            if bound[i] is not None:
                self.node_fail("U004", f"get_flashed_messages() got {kw.key!r} twice", node)
            bound[i] = self.expr(kw.value)
        return ir.FlashedMessages(line, self.flask_prop(FLASHES_PROP), bound[0], bound[1])

    # -- reads ------------------------------------------------------------------------------

    def check_flask_attr(self, obj: ir.Expr, attr: str, node: nodes.Node) -> None:
        if not (isinstance(obj, ir.Var) and obj.binding.kind == "prop" and obj.binding.flask):
            return
        name = obj.binding.name
        refused = (
            (name == "request" and attr in REQUEST_ATTRS and attr not in REQUEST_FIELDS)
            or (name == "session" and attr in SESSION_ATTRS)
            or (name == "config" and attr in CONFIG_ATTRS)
        )
        if refused:
            self.node_fail(
                "U201",
                f"{name}.{attr} is not part of the {name} prop jinja2tsx renders with",
                node,
            )

    def check_flask_printable(self, expr: ir.Expr, node: nodes.Node) -> None:
        if (
            isinstance(expr, ir.Var)
            and expr.binding.kind == "prop"
            and expr.binding.flask
            and expr.binding.name in UNPRINTABLE
        ):
            self.node_fail(
                "U201",
                f"printing {expr.binding.name} itself (Flask prints its Python object)",
                node,
            )


# Tests that see only whether a value exists: Flask-WTF's csrf_token function passes them exactly
# as the (never empty) token string of the prop does.
_EXISTENCE_TESTS = frozenset({"defined", "undefined", "none"})


def _only_tested(node: nodes.Node, parents: dict[int, nodes.Node]) -> bool:
    """``node`` is used only for its truth or existence (``{% if csrf_token %}``, ``csrf_token is
    defined``, ``not csrf_token``, operands of ``and``/``or`` that are themselves conditions)."""
    parent = parents.get(id(node))
    if isinstance(parent, nodes.Test):
        return parent.node is node and parent.name in _EXISTENCE_TESTS
    if isinstance(parent, nodes.Not):
        return True
    if isinstance(parent, (nodes.If, nodes.CondExpr)):
        return parent.test is node
    if isinstance(parent, (nodes.And, nodes.Or)):
        return _only_tested(parent, parents)
    return False
