"""Lowering of Jinja expressions to IR expressions, and the tables of Jinja's filters and tests
behind it: which filters escape, take varargs, return lazy or Python-only objects or cannot be
reproduced, the signatures of the built-in filters and tests (their arguments bind as in
Python), constant folding with JSON-exact constants, and the checks on what a template prints.

``ExprLowering`` is a mixin of ``lower.Lowerer``: names resolve through the lowerer's scopes,
macros and Flask's names (declared below for the type checker).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn, cast

import jinja2
from jinja2 import nodes
from markupsafe import Markup

from . import i18n, ir
from .appnames import RESERVED_GLOBALS, AppNames, AppUse, Kind
from .environment import JINJA_GLOBALS
from .jinja_facts import LAZY_FILTERS
from .safety import expr_safety, walk_expr

if TYPE_CHECKING:  # pragma: no cover
    from .lower import Scope

# ----------------------------------------------------------------------------- filters and tests

_CONTEXT_PARAMS = ("environment", "env", "context", "eval_ctx")
# Python internals the runtime models: a value's class (for JSON values, Markup, tuples) and the
# class's names and base (runtime/core.ts PyType)
TYPE_ATTRS = frozenset({"__class__", "__name__", "__qualname__", "__module__", "__base__"})
AUTOESCAPE_FILTERS = frozenset(
    {"join", "replace", "urlize", "xmlattr", "wordwrap", "tojson", "indent"}
)
VARARGS_FILTERS = frozenset({"map", "select", "reject", "selectattr", "rejectattr", "format"})
NOT_REPRODUCIBLE = frozenset({"random"})
# how Python writes an object without a repr of its own (`<generator object … at 0x7f…>`)
MEMORY_ADDRESS = re.compile(r"0x[0-9a-f]{6,}", re.I)
# filters whose result may be such an object (a generator, an iterator, a bound method)
OBJECT_FILTERS = LAZY_FILTERS | {"reverse", "attr"}
# filters whose result is the text of their input (str() of a generator shows its address)
STRINGIFYING_FILTERS = frozenset(
    {
        "string",
        "upper",
        "lower",
        "e",
        "escape",
        "forceescape",
        "safe",
        "trim",
        "title",
        "capitalize",
        "center",
        "indent",
        "replace",
        "truncate",
        "wordwrap",
        "wordcount",
        "striptags",
        "urlize",
        "format",
        "pprint",
    }
)
MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "update",
        "setdefault",
        "popitem",
        "sort",
        "reverse",
        "next",
        "reset",
        "changed",
        "add",
        "discard",
    }
)
LOOP_ATTRS = frozenset(
    {
        "index",
        "index0",
        "revindex",
        "revindex0",
        "first",
        "last",
        "length",
        "depth",
        "depth0",
        "previtem",
        "nextitem",
        "cycle",
        "changed",
    }
)


@dataclasses.dataclass(frozen=True)
class Signature:
    params: tuple[str, ...]  # positional parameters after the value
    required: int  # how many of them have no default
    varargs: bool


def _signature(fn: Callable[..., Any]) -> Signature:
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values() if p.name not in _CONTEXT_PARAMS]
    params = params[1:]  # the value
    names = tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    required = sum(
        1
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    )
    varargs = any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)
    return Signature(names, required, varargs)


FILTER_SIGNATURES = {name: _signature(fn) for name, fn in jinja2.filters.FILTERS.items()}
TEST_SIGNATURES = {
    name: _signature(cast("Callable[..., Any]", fn)) for name, fn in jinja2.tests.TESTS.items()
}


def is_index_key(key: str) -> bool:
    """A str a JS object lists first, in numeric order ("0", "12"), whatever the insertion order."""
    return re.fullmatch(r"0|[1-9][0-9]{0,9}", key) is not None and int(key) < 2**32 - 1


def _leaves(value: object) -> Iterator[object]:
    """The scalars of a folded constant (dict keys too)."""
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(k)
            yield from _leaves(v)
    else:
        yield value


def _huge_int(value: object) -> bool:
    """Does ``value`` hold an int with more digits than Python writes as text (4300)?"""
    return any(
        isinstance(v, int)
        and not isinstance(v, bool)
        and v.bit_length() > 14000
        and abs(v) >= 10**4300
        for v in _leaves(value)
    )


def _holds_text(value: object) -> bool:
    """Is ``value`` a str, or a list, tuple or dict holding one?"""
    return any(isinstance(v, str) for v in _leaves(value))


def lazy_source(e: ir.Expr) -> str | None:
    """The lazy filter whose generator ``e`` may evaluate to (through conditionals, and/or,
    |default and variables set from one), or None."""
    if isinstance(e, ir.Filter):
        if e.name in LAZY_FILTERS:
            return e.name
        if e.name in ("default", "d"):
            for x in (e.value, *e.args[:1]):
                found = lazy_source(x) if x is not None else None
                if found is not None:
                    return found
        return None
    if isinstance(e, ir.CondExpr):
        return lazy_source(e.then) or (lazy_source(e.otherwise) if e.otherwise else None)
    if isinstance(e, ir.BoolOp):
        return lazy_source(e.left) or lazy_source(e.right)
    if isinstance(e, ir.Var):
        return e.binding.lazy
    return None


class ExprLowering:
    """Jinja expressions → IR expressions (``expr``), filters, tests, calls and the checks on
    printed values."""

    if TYPE_CHECKING:  # the host's members this mixin uses (lower.Lowerer)
        env: jinja2.Environment
        name: str
        source: str
        autoescape: bool
        scoped_autoescape: dict[int, bool]
        scope: Scope
        app_names: AppNames
        app_uses: list[AppUse]

        called_app_globals: frozenset[str]
        i18n: i18n.I18n | None
        current_super: list[ir.Binding | None]
        loop_recursive: dict[int, bool]

        def node_fail(
            self, code: str, message: str, node: nodes.Node, hint: str = ""
        ) -> NoReturn: ...

        def _bound(self, name: str) -> bool: ...

        def _current(self, name: str) -> ir.Binding | None: ...

        def macro_call(
            self, call: nodes.Call, caller: ir.CallerDef | None = None
        ) -> ir.MacroCall | None: ...

        def macro_ref(
            self,
            info: ir.MacroInfo,
            alias: ir.Binding | None,
            import_name: str,
            binding: ir.Binding | None,
            node: nodes.Node,
        ) -> ir.MacroRef: ...

        def flask_call(self, node: nodes.Call, line: int) -> ir.Expr | None: ...

        def check_flask_attr(self, obj: ir.Expr, attr: str, node: nodes.Node) -> None: ...

        def check_flask_printable(self, expr: ir.Expr, node: nodes.Node) -> None: ...

    # -- effects --------------------------------------------------------------------------

    def pure(self, expr: ir.Expr) -> bool:
        for e in walk_expr(expr):
            if isinstance(e, ir.MethodCall) and e.name in MUTATING_METHODS:
                return False
            if isinstance(e, ir.Call) and not isinstance(e.func, ir.Global):
                return False
            if isinstance(e, (ir.MarkupOf, ir.MacroCall, ir.AppCall)):
                return False
        return True

    def note_effects(self, expr: ir.Expr) -> None:
        if not self.pure(expr):
            self.scope.region.effects_seen = True

    # -- expressions ----------------------------------------------------------------------

    def expr(self, node: nodes.Expr) -> ir.Expr:
        line = node.lineno or 1
        folded = self.fold(node, line)
        if folded is not None:
            return folded
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            self.node_fail("U002", f"the expression {type(node).__name__} is not supported", node)
        return method(node, line)  # type: ignore[no-any-return]

    def fold(self, node: nodes.Expr, line: int) -> ir.Expr | None:
        """Jinja's compiler folds constant expressions at compile time (``@optimizeconst``), with
        observable effects: ``"<b>"|safe ~ "<"`` folds to a plain str (escaped when printed) while
        the same concatenation at run time is Markup. Fold exactly where Jinja does."""
        if isinstance(node, (nodes.Const, nodes.Name, nodes.TemplateData)):
            return None
        try:
            eval_ctx = nodes.EvalContext(self.env, self.name)
            eval_ctx.autoescape = self.autoescape_at(node)
            value = node.as_const(eval_ctx)
            nodes.Const.from_untrusted(value)  # Jinja keeps the fold only for safe reprs
        except Exception:
            return None
        if _huge_int(value):
            # Jinja2 writes the folded constant into the code it compiles: Python refuses an int
            # of more than 4300 digits as text, and the template does not compile at all
            self.node_fail(
                "U002",
                "an integer constant of more than 4300 digits: Jinja2 cannot compile the template",
                node,
                "Compute it from a context value, or keep it smaller.",
            )
        if MEMORY_ADDRESS.search(repr(value)) or (
            _holds_text(value)
            and any(f.name in OBJECT_FILTERS for f in node.find_all(nodes.Filter))
        ):
            # a generator or method turned into text (`<generator object … at 0x7f…>`, then
            # maybe changed by more filters): its address is no constant of the template
            # (unfolded, the printing checks refuse it, or the component fails at run time)
            return None
        return self.const_value(value, line)

    def const_value(self, value: object, line: int) -> ir.Expr | None:
        if isinstance(value, Markup):
            return ir.Filter(line, "safe", ir.Const(line, str(value)), ())
        if value is None or isinstance(value, (bool, int, float, str)):
            return ir.Const(line, value)
        if isinstance(value, (tuple, list)):
            items = [self.const_value(v, line) for v in value]
            if any(i is None for i in items):
                return None
            cls = ir.TupleLit if isinstance(value, tuple) else ir.ListLit
            return cls(line, tuple(i for i in items if i is not None))
        if isinstance(value, dict) and all(
            isinstance(k, str) and not is_index_key(k) for k in value
        ):
            pairs = [(ir.Const(line, k), self.const_value(v, line)) for k, v in value.items()]
            if any(v is None for _, v in pairs):
                return None
            return ir.DictLit(line, tuple((k, v) for k, v in pairs if v is not None))
        return None

    def expr_Const(self, node: nodes.Const, line: int) -> ir.Expr:
        return ir.Const(line, node.value)

    def expr_Name(self, node: nodes.Name, line: int) -> ir.Expr:
        if node.name == "super" and self.current_super and not self._bound("super"):
            # (a called super() is lowered in expr_Call)
            self.node_fail(
                "U002",
                "super as a value: in a block Jinja binds it to the parent block's reference (or "
                "to Undefined in a layout's own block), not to the context variable",
                node,
                "Call it, {{ super() }}, or rename the context variable.",
            )
        if node.name in self.called_app_globals and not self._bound(node.name):
            return ir.AppGlobal(line, node.name)
        b = self._current(node.name)
        if b is None:
            return ir.Global(line, node.name)
        if b.kind == "macro" and b.macro is not None:
            return self.macro_ref(b.macro, None, b.name, b, node)
        return ir.Var(line, b)

    def expr_List(self, node: nodes.List, line: int) -> ir.Expr:
        return ir.ListLit(line, tuple(self.expr(i) for i in node.items))

    def expr_Tuple(self, node: nodes.Tuple, line: int) -> ir.Expr:
        return ir.TupleLit(line, tuple(self.expr(i) for i in node.items))

    def expr_Dict(self, node: nodes.Dict, line: int) -> ir.Expr:
        items = []
        for pair in node.items:
            key = self.expr(pair.key)
            if isinstance(key, ir.Const):
                if not isinstance(key.value, str):
                    self.node_fail("U002", "dict literal keys must be strings", node)
                elif is_index_key(key.value):
                    self.node_fail(
                        "U002",
                        f"dict literal key {key.value!r} would be listed first by JavaScript "
                        "(array-index keys), out of Python's order",
                        node,
                    )
            items.append((key, self.expr(pair.value)))
        return ir.DictLit(line, tuple(items))

    def expr_Getattr(self, node: nodes.Getattr, line: int) -> ir.Expr:
        if node.attr.startswith("__") and node.attr not in TYPE_ATTRS:
            self.node_fail("U002", f"Python internals (.{node.attr}) have no JavaScript form", node)
        obj = self.expr(node.node)
        self.check_flask_attr(obj, node.attr, node)
        return ir.GetAttr(line, obj, node.attr)

    def expr_Getitem(self, node: nodes.Getitem, line: int) -> ir.Expr:
        obj = self.expr(node.node)
        arg = node.arg
        if isinstance(arg, nodes.Slice):
            part = lambda n: None if n is None else self.expr(n)  # noqa: E731
            return ir.SliceExpr(line, obj, part(arg.start), part(arg.stop), part(arg.step))
        return ir.GetItem(line, obj, self.expr(arg))

    def call_args(self, node: nodes.Call | nodes.Filter | nodes.Test) -> ir.CallArgs:
        return ir.CallArgs(
            tuple(self.expr(a) for a in node.args),
            # (the parser makes Keywords of Filter/Test kwargs too; jinja2 types them as Pairs)
            tuple((k.key, self.expr(k.value)) for k in cast("list[nodes.Keyword]", node.kwargs)),
            None if node.dyn_args is None else self.expr(node.dyn_args),
            None if node.dyn_kwargs is None else self.expr(node.dyn_kwargs),
        )

    def expr_Call(self, node: nodes.Call, line: int) -> ir.Expr:
        if i18n.is_gettext_call(self, node):
            return i18n.lower_gettext_call(self, node, line)
        func = node.node
        if (
            isinstance(func, nodes.Getattr)
            and isinstance(func.node, nodes.Name)
            and func.node.name == "self"
            and not self._bound("self")
        ):
            if node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
                self.node_fail("U002", f"arguments to self.{func.attr}()", node)
            return ir.SelfBlock(line, func.attr)
        mc = self.macro_call(node)
        if mc is not None:
            return mc
        flask = self.flask_call(node, line)
        if flask is not None:
            return flask
        if isinstance(func, nodes.Name) and func.name == "super" and not self._bound("super"):
            if not self.current_super or node.args or node.kwargs:
                self.node_fail("U002", "super() outside a block", node)
            self.super_used = True
            b = self.current_super[-1]
            assert b is not None
            return ir.SuperCall(line, b)
        if isinstance(func, nodes.Name) and self._bound(func.name):
            b = self._current(func.name)
            if b is not None and b.kind == "caller":
                if node.kwargs or node.dyn_args or node.dyn_kwargs:
                    self.node_fail("U002", "keyword arguments to caller()", node)
                return ir.Call(
                    line, ir.Var(line, b), ir.CallArgs(tuple(self.expr(a) for a in node.args))
                )
        if isinstance(func, nodes.Getattr):
            if (
                func.attr in ("format", "format_map")
                and isinstance(func.node, nodes.Const)
                and isinstance(func.node.value, str)
                and any(
                    not (m[1] == "." and m[2] in TYPE_ATTRS)  # (a value's class is modelled)
                    for field in re.findall(r"\{([^{}]*)", func.node.value)
                    for m in re.finditer(r"([.\[])(_\w*)", field)
                )
            ):
                self.node_fail(
                    "U002", "a format field reads Python internals (e.g. {0.__dict__})", node
                )
            return ir.MethodCall(line, self.expr(func.node), func.attr, self.call_args(node))
        if (
            isinstance(func, nodes.Name)
            and not self._bound(func.name)
            and func.name not in JINJA_GLOBALS
            and func.name not in RESERVED_GLOBALS
        ):
            # a function no context (JSON data) can carry: a global the app defines
            if not self.app_names.allows("global", func.name):
                self.node_fail(
                    "U003",
                    f"unknown global function {func.name}() (not declared for the app)",
                    node,
                )
            return self.app_call("global", func.name, None, node)
        if isinstance(func, nodes.Name):
            b = self._current(func.name)
            if b is not None and b.kind == "loop":
                if not self.loop_recursive.get(id(b)):
                    self.node_fail("U002", "loop(...) outside a recursive loop", node)
                if len(node.args) != 1 or node.kwargs or node.dyn_args or node.dyn_kwargs:
                    self.node_fail("U004", "loop(...) takes exactly one iterable", node)
                return ir.LoopCall(line, b, self.expr(node.args[0]))
            if b is None:
                if func.name == "lipsum":
                    self.node_fail("U101", "lipsum() produces random text", node)
                return ir.Call(line, ir.Global(line, func.name), self.call_args(node))
        return ir.Call(line, self.expr(func), self.call_args(node))

    def expr_MarkSafeIfAutoescape(self, node: nodes.MarkSafeIfAutoescape, line: int) -> ir.Expr:
        return i18n.mark_safe_if_autoescape(self, node, line)

    def expr_ExtensionAttribute(self, node: nodes.ExtensionAttribute, line: int) -> ir.Expr:
        """What an enabled extension's tag compiles to (``{% debug %}``, ``{% cache %}``...)."""
        if node.identifier == "jinja2.ext.DebugExtension":
            self.node_fail(
                "U001",
                "{% debug %} (jinja2.ext.debug) prints the whole template context, which a "
                "component cannot reproduce",
                node,
                "Remove {% debug %}; inspect the props in the React app instead.",
            )
        self.node_fail(
            "U001",
            f"a tag of the Jinja extension {node.identifier} (jinja2tsx converts only "
            "jinja2.ext.do and jinja2.ext.loopcontrols)",
            node,
        )

    def expr_Filter(self, node: nodes.Filter, line: int) -> ir.Expr:
        assert node.node is not None
        return self.filter(node, self.expr(node.node))

    def filter(self, node: nodes.Filter, value: ir.Expr | None) -> ir.Expr:
        name = node.name
        if name in NOT_REPRODUCIBLE:
            self.node_fail("U101", f"the |{name} filter is not reproducible", node)
        sig = FILTER_SIGNATURES.get(name)
        if sig is None:
            if self.app_names.allows("filter", name):
                return self.app_call("filter", name, value, node)
            self.node_fail("U003", f"unknown filter |{name}", node)
        autoescape = self.autoescape_at(node)
        if name in VARARGS_FILTERS:
            if node.dyn_args is not None or node.dyn_kwargs is not None:
                self.node_fail("U002", f"*args/**kwargs in |{name}", node)
            return ir.Filter(
                node.lineno,
                name,
                value,
                (),
                tuple(self.expr(a) for a in node.args),
                # (the parser makes Keywords of Filter/Test kwargs too; jinja2 types them as Pairs)
                tuple(
                    (k.key, self.expr(k.value)) for k in cast("list[nodes.Keyword]", node.kwargs)
                ),
                autoescape,
            )
        args = self.bind(sig, node, f"|{name}")
        if name in STRINGIFYING_FILTERS and value is not None:
            self.check_printable(value, node, f"|{name} of")
        return ir.Filter(node.lineno, name, value, args, autoescape=autoescape)

    def app_call(
        self,
        kind: Kind,
        name: str,
        value: ir.Expr | None,
        node: nodes.Call | nodes.Filter | nodes.Test,
    ) -> ir.AppCall:
        """A call of an app-defined filter, test or global (see ``appnames``)."""
        args = tuple(self.expr(a) for a in node.args)
        # (the parser makes Keywords of Filter/Test kwargs too; jinja2 types them as Pairs)
        kwargs = tuple(
            (k.key, self.expr(k.value)) for k in cast("list[nodes.Keyword]", node.kwargs)
        )
        star = None if node.dyn_args is None else self.expr(node.dyn_args)
        starstar = None if node.dyn_kwargs is None else self.expr(node.dyn_kwargs)
        lines = self.source.splitlines()
        example = lines[node.lineno - 1].strip() if node.lineno <= len(lines) else name
        if len(example) > 100:
            example = example[:97] + "..."
        self.app_uses.append(
            AppUse(
                kind, name, len(args), tuple(k for k, _ in kwargs), example, self.name, node.lineno
            )
        )
        return ir.AppCall(node.lineno, kind, name, value, args, kwargs, star, starstar)

    def autoescape_at(self, node: nodes.Node) -> bool:
        """Jinja's eval context at ``node``: the template's autoescape setting, or that of the
        ``{% autoescape %}`` block around it (filters such as xmlattr and join, constant
        folding, filter blocks and macro bodies see it)."""
        return self.scoped_autoescape.get(id(node), self.autoescape)

    def bind(
        self, sig: Signature, node: nodes.Filter | nodes.Test, label: str
    ) -> tuple[ir.Expr | None, ...]:
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            self.node_fail("U002", f"*args/**kwargs in {label}", node)
        if len(node.args) > len(sig.params):
            self.node_fail("U004", f"{label} takes at most {len(sig.params)} arguments", node)
        bound: list[ir.Expr | None] = [self.expr(a) for a in node.args]
        bound += [None] * (len(sig.params) - len(bound))
        for kw in node.kwargs:
            if kw.key not in sig.params:
                self.node_fail("U004", f"{label} has no argument {kw.key!r}", node)
            i = sig.params.index(kw.key)
            if i < len(node.args):
                self.node_fail("U004", f"{label} got {kw.key!r} twice", node)
            bound[i] = self.expr(kw.value)
        if any(b is None for b in bound[: sig.required]):
            self.node_fail("U004", f"{label} is missing a required argument", node)
        while bound and bound[-1] is None:
            bound.pop()
        return tuple(bound)

    def expr_Test(self, node: nodes.Test, line: int) -> ir.Expr:
        sig = TEST_SIGNATURES.get(node.name)
        if sig is None:
            if self.app_names.allows("test", node.name):
                return self.app_call("test", node.name, self.expr(node.node), node)
            self.node_fail("U003", f"unknown test 'is {node.name}'", node)
        args = self.bind(sig, node, f"is {node.name}")
        return ir.Test(
            line, node.name, self.expr(node.node), tuple(a for a in args if a is not None)
        )

    def _binop(op: ir.BinOpName) -> Callable[["ExprLowering", Any, int], ir.Expr]:  # type: ignore[misc]
        def visit(self: "ExprLowering", node: Any, line: int) -> ir.Expr:
            return ir.BinOp(line, op, self.expr(node.left), self.expr(node.right))

        return visit

    expr_Add = _binop("add")
    expr_Sub = _binop("sub")
    expr_Mul = _binop("mul")
    expr_Div = _binop("truediv")
    expr_FloorDiv = _binop("floordiv")
    expr_Mod = _binop("mod")
    expr_Pow = _binop("pow")

    def expr_And(self, node: nodes.And, line: int) -> ir.Expr:
        return ir.BoolOp(line, "and", self.expr(node.left), self.expr(node.right))

    def expr_Or(self, node: nodes.Or, line: int) -> ir.Expr:
        return ir.BoolOp(line, "or", self.expr(node.left), self.expr(node.right))

    def expr_Not(self, node: nodes.Not, line: int) -> ir.Expr:
        return ir.UnaryOp(line, "not", self.expr(node.node))

    def expr_Neg(self, node: nodes.Neg, line: int) -> ir.Expr:
        return ir.UnaryOp(line, "neg", self.expr(node.node))

    def expr_Pos(self, node: nodes.Pos, line: int) -> ir.Expr:
        return ir.UnaryOp(line, "pos", self.expr(node.node))

    def expr_Concat(self, node: nodes.Concat, line: int) -> ir.Expr:
        parts = tuple(self.expr(n) for n in node.nodes)
        for part in parts:
            self.check_printable(part, node, "joining with ~")
        return ir.Concat(line, parts)

    def expr_Compare(self, node: nodes.Compare, line: int) -> ir.Expr:
        opmap = {
            "eq": "eq",
            "ne": "ne",
            "lt": "lt",
            "lteq": "le",
            "gt": "gt",
            "gteq": "ge",
            "in": "in",
            "notin": "notin",
        }
        ops = tuple((opmap[o.op], self.expr(o.expr)) for o in node.ops)
        return ir.Compare(line, self.expr(node.expr), ops)  # type: ignore[arg-type]

    def expr_CondExpr(self, node: nodes.CondExpr, line: int) -> ir.Expr:
        otherwise = None if node.expr2 is None else self.expr(node.expr2)
        return ir.CondExpr(line, self.expr(node.test), self.expr(node.expr1), otherwise)

    # -- analyses -------------------------------------------------------------------------

    def safety(self, e: ir.Expr) -> ir.Safety:
        return expr_safety(e)

    def check_printable(self, expr: ir.Expr, node: nodes.Node, how: str = "printing") -> None:
        """A generator turned into text shows its memory address in Jinja2 (``<generator object
        sync_do_map at 0x7f…>``): no component can print that."""
        lazy = lazy_source(expr)
        if lazy is not None:
            self.node_fail("U102", f"{how} the generator returned by |{lazy}", node)
        if isinstance(expr, ir.GetAttr) and expr.name in ("items", "keys", "values", "get"):
            self.node_fail(
                "U102", f"printing the method .{expr.name} (did you mean .{expr.name}()?)", node
            )
        if isinstance(expr, (ir.Global, ir.AppGlobal)):
            self.node_fail("U102", f"printing the function {expr.name}", node)
        self.check_flask_printable(expr, node)
