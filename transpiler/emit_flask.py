"""Emission of Flask's template names (see ``lower_flask``): typed props with the runtime's JSON
interfaces, ``templateUrlFor`` calls into the generated routes module, ``rt.getFlashedMessages``, and
the wrappers that give the JSON props Python's attribute semantics. A mixin of ``emit.Emitter``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ir
from .flaskapp import routes_import_for

# prop name → (TypeScript type, doc comment)
FLASK_PROP_TYPES: dict[str, tuple[str, str]] = {
    "request": (
        "rt.FlaskRequestData",
        "Flask's `request`: the JSON subset in the README (`request_data(request)` in the view).",
    ),
    "session": (
        "Readonly<Record<string, unknown>>",
        "Flask's `session`: its items (without `_flashes`, which are `_flashes`).",
    ),
    "g": ("Readonly<Record<string, unknown>>", "Flask's `g`: its attributes."),
    "config": (
        "Readonly<Record<string, unknown>>",
        "Flask's `config`: its items (flask_props sends a secret's key without its value).",
    ),
    "current_user": (
        "rt.FlaskUserData",
        "Flask-Login's `current_user`: `is_authenticated`, `is_active`, `is_anonymous`, "
        "`get_id` and the attributes the templates read.",
    ),
    "_flashes": (
        "rt.FlashData",
        "The request's flashed messages for `get_flashed_messages()`: `[category, message]`, "
        "oldest first (`[category, message, true]` for Markup).",
    ),
    "csrf_token": ("string", "Flask-WTF's `csrf_token()` for this request."),
}


class FlaskEmitting:
    if TYPE_CHECKING:  # pragma: no cover
        # what the host class (emit.Emitter) provides; declared for the type checker only, so
        # nothing here exists at runtime

        runtime_import: str
        imports: dict[str, set[str]]
        _url_for_local: str  # set by routes_function itself

        def ident(self, hint: str) -> str: ...

        def var(self, b: ir.Binding) -> str: ...

        def expr(self, e: ir.Expr) -> str: ...

    def prop_field(self, b: ir.Binding) -> str:
        """The Props interface field of a template variable."""
        if b.flask and b.name in FLASK_PROP_TYPES:
            ts, doc = FLASK_PROP_TYPES[b.name]
            return f"  /** {doc} */\n  {b.name}: {ts};"
        return f"  {b.name}?: unknown;"

    def flask_var(self, b: ir.Binding) -> str:
        """A Flask prop read by the template: the JSON wrapped with Python semantics."""
        from .emit import js_str

        name = self.var(b)
        if b.name == "request":
            return f"rt.flaskRequest({name})"
        if b.name == "current_user":
            return f"rt.flaskUser({name})"
        return f"rt.flaskValue({name}, {js_str(b.name)})"

    def forward(self, value: ir.Expr) -> str:
        """A prop handed on to an included template or a layout: Flask props as their JSON."""
        if isinstance(value, ir.Var) and value.binding.flask:
            return self.var(value.binding)
        return self.expr(value)

    def routes_function(self) -> str:
        local: str | None = getattr(self, "_url_for_local", None)
        if local is None:
            local = self.ident("templateUrlFor")
            self._url_for_local = local
            path = routes_import_for(self.runtime_import)
            name = "templateUrlFor" if local == "templateUrlFor" else f"templateUrlFor as {local}"
            self.imports.setdefault(path, set()).add(name)
        return local

    def x_UrlFor(self, e: ir.UrlFor) -> str:
        from .emit import js_str

        items = [f"[{js_str(k)}, {self.expr(v)}]" for k, v in e.values]
        if e.starstar is not None:
            items.append(f"...rt.mappingItems({self.expr(e.starstar)})")
        args = [self.expr(e.endpoint), "[" + ", ".join(items) + "]"]
        if e.request is not None:
            args.append(self.var(e.request))
        elif not items:
            args.pop()
        return f"{self.routes_function()}({', '.join(args)})"

    def x_FlashedMessages(self, e: ir.FlashedMessages) -> str:
        args = [self.var(e.flashes)]
        for a in (e.with_categories, e.category_filter):
            args.append("undefined" if a is None else self.expr(a))
        while args[-1] == "undefined":
            args.pop()
        return f"rt.getFlashedMessages({', '.join(args)})"
