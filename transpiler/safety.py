"""Markup safety of IR expressions: may a value be Markup (raw HTML when printed), never, or
always? ``lower`` records it on bindings and decides from it where content is written as an HTML
string; ``emit`` asks it where a value is printed. Three answers (``ir.Safety``: "no", "maybe",
"yes"), from what each filter, method, operator and call does with Markup in Jinja2 and
markupsafe.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from . import i18n, ir

# Filters whose result is Markup whatever the input.
SAFE_RESULT_FILTERS = frozenset(
    {"safe", "tojson", "urlize", "xmlattr", "e", "escape", "forceescape"}
)
# Filters that keep Markup-ness of their input (they call Markup's str methods).
SAFE_PRESERVING_FILTERS = frozenset(
    {
        "upper",
        "lower",
        "capitalize",
        "trim",
        "center",
        "replace",
        "indent",
        "string",
        "truncate",
        "first",
        "last",
        "default",
        "d",
        "max",
        "min",
        "join",
    }
)


def combine(*s: ir.Safety) -> ir.Safety:
    if all(x == "no" for x in s):
        return "no"
    if all(x == "yes" for x in s):
        return "yes"
    return "maybe"


# Markup's methods that return Markup (markupsafe wraps str's): called on a Markup value, the
# result is Markup whatever the arguments (they are escaped into it)
MARKUP_STR_METHODS = frozenset(
    """format format_map join capitalize title lower upper casefold swapcase replace ljust rjust
    center lstrip rstrip strip zfill expandtabs translate removeprefix removesuffix""".split()
)


def is_app_url_for(e: ir.AppCall) -> bool:
    """The app's own ``url_for`` (no route table): a URL string, as Flask's (its stub is typed
    to return ``string``, never Markup)."""
    return e.kind == "global" and e.name == "url_for"


def expr_safety(e: ir.Expr) -> ir.Safety:
    """May the value of ``e`` be Markup (raw HTML when printed)?"""
    if isinstance(e, ir.Var):
        return e.binding.safety
    if isinstance(
        e,
        (
            ir.Const,
            ir.Global,
            ir.AppGlobal,
            ir.ListLit,
            ir.TupleLit,
            ir.DictLit,
            ir.Test,
            ir.Compare,
        ),
    ):
        return "no"
    if isinstance(e, (ir.UrlFor, ir.FlashedMessages, ir.MacroRef)):  # a str, a list, a Macro
        return "no"
    if isinstance(e, ir.Filter):
        if e.name in SAFE_RESULT_FILTERS:
            return "yes"
        if e.name in SAFE_PRESERVING_FILTERS and e.value is not None:
            inner = expr_safety(e.value)
            if e.name in ("default", "d") and e.args and e.args[0] is not None:
                return combine(inner, expr_safety(e.args[0]))
            if e.name == "join":
                items = content_safety(e.value)
                sep = expr_safety(e.args[0]) if e.args and e.args[0] is not None else "no"
                return "no" if (inner, items, sep) == ("no", "no", "no") else "maybe"
            if e.name == "replace":
                args = [expr_safety(a) for a in e.args[:2] if a is not None]
                return "no" if (inner, *args) == ("no",) * (1 + len(args)) else "maybe"
            return inner
        return "no"
    if isinstance(e, ir.Concat):
        parts = [expr_safety(p) for p in e.parts]
        if "yes" in parts:
            return "yes"
        return "maybe" if "maybe" in parts else "no"
    if isinstance(e, ir.CondExpr):
        other = "no" if e.otherwise is None else expr_safety(e.otherwise)
        return combine(expr_safety(e.then), other)
    if isinstance(e, ir.BoolOp):
        return combine(expr_safety(e.left), expr_safety(e.right))
    if isinstance(e, ir.BinOp):
        if e.op in ("add", "mul", "mod"):
            left = expr_safety(e.left)
            right = expr_safety(e.right) if e.op == "add" else "no"
            if "yes" in (left, right):
                return "yes"
            return "maybe" if "maybe" in (left, right) else "no"
        return "no"
    if isinstance(e, (ir.GetAttr, ir.GetItem)):
        return content_safety(e.obj)
    if isinstance(e, ir.SliceExpr):  # slicing Markup gives str; slicing a list gives its items
        return content_safety(e.obj)
    if isinstance(e, ir.MethodCall):  # Markup's str methods return Markup; d.get() an item
        if e.name in MARKUP_STR_METHODS and expr_safety(e.obj) == "yes":
            return "yes"
        return combine(expr_safety(e.obj), content_safety(e.obj))
    if isinstance(e, ir.AppCall):  # the app's function may return Markup
        return "no" if is_app_url_for(e) else "maybe"
    if isinstance(
        e, (ir.MarkupOf, ir.LoopCall, ir.MacroCall, ir.SuperCall, ir.BlockText, ir.SelfBlock)
    ):
        return "yes"
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Var) and e.func.binding.kind == "caller":
        return "yes"
    if isinstance(e, ir.UnaryOp):
        return "no"
    if isinstance(e, ir.Translate):
        return i18n.translate_safety(e, expr_safety)
    return "maybe"


CONTENT_KEEPING_FILTERS = frozenset(
    {
        "list",
        "sort",
        "reverse",
        "unique",
        "batch",
        "slice",
        "dictsort",
        "items",
        "select",
        "reject",
        "selectattr",
        "rejectattr",
        "groupby",
        "first",
        "last",
        "default",
        "d",
    }
)


def content_safety(e: ir.Expr) -> ir.Safety:
    """May a Markup value sit anywhere inside the value of ``e`` (its items, attributes)?
    Context values arrive as JSON and never hold Markup; locals built in the template may."""
    if isinstance(e, ir.Var):
        return e.binding.content
    if isinstance(e, ir.Const):
        return "no"
    if isinstance(e, ir.AppCall) and is_app_url_for(e):
        return "no"
    if isinstance(e, ir.AppCall):  # whatever the app's function returns may hold Markup
        return "maybe"
    if isinstance(e, (ir.ListLit, ir.TupleLit)):
        out: ir.Safety = "no"
        for item in e.items:
            out = combine(out, combine(expr_safety(item), content_safety(item)))
        return out
    if isinstance(e, ir.DictLit):
        out = "no"
        for _, v in e.items:
            out = combine(out, combine(expr_safety(v), content_safety(v)))
        return out
    if isinstance(e, (ir.GetAttr, ir.GetItem, ir.SliceExpr)):
        return content_safety(e.obj)
    if isinstance(e, ir.MethodCall):  # d.items(), s.split() (Markup.split gives Markup items)
        return combine(expr_safety(e.obj), content_safety(e.obj))
    if isinstance(e, ir.Filter) and e.value is not None:
        if e.name in CONTENT_KEEPING_FILTERS:
            inner = content_safety(e.value)
            if e.name in ("default", "d") and e.args and e.args[0] is not None:
                return combine(inner, content_safety(e.args[0]))
            return inner
        if e.name in (
            "length",
            "count",
            "wordcount",
            "int",
            "float",
            "abs",
            "string",
            "e",
            "escape",
            "safe",
            "tojson",
            "join",
            "upper",
            "lower",
            "title",
            "trim",
        ):
            return "no"
        return "maybe"
    if isinstance(e, (ir.Test, ir.Compare, ir.UnaryOp, ir.Concat, ir.UrlFor)):
        return "no"
    if isinstance(e, ir.Translate):
        return i18n.translate_safety(e, content_safety, content=True)
    if isinstance(e, ir.BinOp):
        if e.op == "add":
            return combine(content_safety(e.left), content_safety(e.right))
        return content_safety(e.left) if e.op == "mul" else "no"
    if isinstance(e, ir.CondExpr):
        other = "no" if e.otherwise is None else content_safety(e.otherwise)
        return combine(content_safety(e.then), other)
    if isinstance(e, ir.BoolOp):
        return combine(content_safety(e.left), content_safety(e.right))
    if isinstance(e, ir.Call) and isinstance(e.func, ir.Global) and e.func.name == "range":
        return "no"
    return "maybe"


def walk_expr(e: ir.Expr) -> Iterator[ir.Expr]:
    yield e
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        yield from _walk_value(v)


def _walk_value(v: object) -> Iterator[ir.Expr]:
    if isinstance(v, ir.Expr):
        yield from walk_expr(v)
    elif isinstance(v, ir.CallArgs):
        for a in v.args:
            yield from walk_expr(a)
        for _, a in v.kwargs:
            yield from walk_expr(a)
        for star in (v.star, v.starstar):
            if star is not None:
                yield from walk_expr(star)
    elif isinstance(v, tuple):
        for x in v:
            yield from _walk_value(x)
