"""Questions answered from a parsed Jinja template, apart from lowering it: which names a body
reads before it sets them or uses beyond iteration, where a ``{% break %}`` stands outside a
loop, which top-level sets a nested frame reads too early, which names the template calls as the
app's globals, where blocks nest and what the top level stores. ``lower`` asks them to decide
what converts and what a diagnostic must say; each is a walk over Jinja's own nodes (Jinja's
compiler is the specification of the answers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from jinja2 import nodes

from .appnames import RESERVED_GLOBALS, AppNames
from .environment import JINJA_GLOBALS
from .treeindex import index_of

# Filters that return a lazy iterator (a generator, a dict view) rather than a list
LAZY_FILTERS = frozenset(
    {"map", "select", "reject", "selectattr", "rejectattr", "unique", "batch", "slice", "items"}
)


STATEMENT_LABELS: dict[type[nodes.Node], str] = {
    nodes.Extends: "{% extends %}",
    nodes.Block: "{% block %}",
    nodes.ExprStmt: "{% do %}",
    nodes.Break: "{% break %}",
    nodes.Continue: "{% continue %}",
    nodes.Assign: "{% set %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.For: "{% for %}",
    nodes.With: "{% with %}",
    nodes.AssignBlock: "{% set %} block",
    nodes.FilterBlock: "{% filter %}",
}


def statement_label(node: nodes.Node) -> str:
    """How a statement is written in a template, for messages."""
    return STATEMENT_LABELS.get(type(node), type(node).__name__)


def names_read_outside_tests(body: Iterable[nodes.Node]) -> set[str]:
    """Names ``body`` reads or assigns anywhere but in the test of an ``if`` or conditional
    expression (where only the value's truth counts)."""
    found: set[str] = set()

    def visit(node: nodes.Node, in_test: bool) -> None:
        if isinstance(node, nodes.Name) and not in_test:
            found.add(node.name)
        tests = isinstance(node, (nodes.If, nodes.CondExpr))
        for field, value in node.iter_fields():
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, nodes.Node):
                    visit(child, in_test or (tests and field == "test"))

    for n in body:
        visit(n, False)
    return found


# filters that take a generator as Jinja2 does (iterate it once, or wrap it in another generator)
GENERATOR_CONSUMERS = (LAZY_FILTERS - {"items"}) | {
    "list",
    "join",
    "first",
    "sort",
    "sum",
    "min",
    "max",
}


def names_used_beyond_iteration(body: Iterable[nodes.Node]) -> set[str]:
    """Names ``body`` reads anywhere but as what a ``for`` loops over, the input of a filter
    that consumes a generator, or a test: a generator passed in for one of the others may be
    printed (its memory address in Jinja2) or passed on to where it is."""
    found: set[str] = set()

    def visit(node: nodes.Node, consumed: bool) -> None:
        if isinstance(node, nodes.Name):
            if not consumed:
                found.add(node.name)
            return
        for field, value in node.iter_fields():
            safe = (
                consumed
                and field in ("node", "left", "right")
                and isinstance(node, (nodes.Not, nodes.And, nodes.Or))
                or field == "iter"
                and isinstance(node, nodes.For)
                or field == "node"
                and isinstance(node, nodes.Filter)
                and node.name in GENERATOR_CONSUMERS
                or field == "node"
                and isinstance(node, nodes.Test)
                or field == "test"
                and isinstance(node, (nodes.If, nodes.CondExpr))
            )
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, nodes.Node):
                    visit(child, safe)

    for n in body:
        visit(n, False)
    return found


def loop_control_outside_loop(tree: nodes.Template) -> tuple[nodes.Node, str] | None:
    """The first ``{% break %}``/``{% continue %}`` Jinja2 would compile outside a Python loop:
    not in a loop body, or in a macro, call block or block body (functions of their own) or a
    loop's else part without a loop around them there. Returns it and where it stands."""
    found: list[tuple[nodes.Node, str]] = []
    functions = {nodes.Macro: "a {% macro %}", nodes.CallBlock: "a {% call %} block"}

    def visit(node: nodes.Node, in_loop: bool, where: str) -> None:
        if found:
            return
        if isinstance(node, (nodes.Break, nodes.Continue)):
            if not in_loop:
                found.append((node, where))
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock, nodes.Block)):
            inside = functions.get(type(node), "a {% block %}")
            for child in node.body:
                visit(child, False, f" of {inside} (a function of its own)")
            return
        if isinstance(node, nodes.For):
            for child in node.body:
                visit(child, True, where)
            for child in node.else_:
                visit(child, in_loop, where or " (a loop's {% else %} part runs after it)")
            return
        for child in node.iter_child_nodes():
            visit(child, in_loop, where)

    if not index_of(tree).of(nodes.Break, nodes.Continue):  # (the index lowering uses anyway)
        return None
    visit(tree, False, "")
    return found[0] if found else None


# statements whose bodies Jinja2 compiles as frames of their own (reading the render
# function's variables), and the names each binds for its body
_NESTED_FRAMES = (nodes.For, nodes.With, nodes.FilterBlock, nodes.AssignBlock, nodes.CallBlock)


def nested_read_before_root_set(tree: nodes.Template) -> tuple[str, nodes.Node] | None:
    """A loop, with, filter, set-block or call body that reads a variable before the template's
    top-level ``{% set %}`` of it, where Jinja2 gives it Undefined rather than the context's
    value: the render function declares the variable for that set (``l_0_x = missing``) and the
    nested frame reads the declaration. Jinja2 resolves it from the context instead when the
    top level reads it itself before the set, or sets it only in an ``{% if %}``. Returns the
    name and the reading statement, or None."""
    conditional: set[str] = set()
    first_store: dict[str, int] = {}
    root_loads: dict[str, int] = {}
    statements = list(tree.body)

    def own_level(node: nodes.Node, i: int, in_if: bool) -> None:
        """The top-level frame's own stores and loads in ``node`` (statement ``i``)."""
        if isinstance(node, nodes.Name):
            if node.ctx == "load":
                root_loads.setdefault(node.name, i)
            elif in_if:
                conditional.add(node.name)
            else:
                first_store.setdefault(node.name, i)
            return
        if isinstance(node, (nodes.Macro, nodes.Block)):
            return
        if isinstance(node, nodes.For):
            own_level(node.iter, i, in_if)
            return
        if isinstance(node, nodes.With):
            for v in node.values:
                own_level(v, i, in_if)
            return
        if isinstance(node, nodes.AssignBlock):
            own_level(node.target, i, in_if)
            return
        if isinstance(node, (nodes.FilterBlock, nodes.CallBlock)):
            return
        if isinstance(node, nodes.If):
            own_level(node.test, i, in_if)
            for child in [*node.body, *node.elif_, *node.else_]:
                own_level(child, i, True)
            return
        if isinstance(node, nodes.Assign):
            own_level(node.node, i, in_if)
            own_level(node.target, i, in_if)
            return
        for child in node.iter_child_nodes():
            own_level(child, i, in_if)

    for i, stmt in enumerate(statements):
        own_level(stmt, i, False)
    missing = {
        n
        for n, at in first_store.items()
        if n not in conditional and root_loads.get(n, at + 1) > at
    }
    if not missing:
        return None

    def frames(node: nodes.Node) -> Iterator[nodes.Node]:
        if isinstance(node, _NESTED_FRAMES):
            yield node
            return
        if isinstance(node, (nodes.Macro, nodes.Block)):
            return
        for child in node.iter_child_nodes():
            yield from frames(child)

    for i, stmt in enumerate(statements):
        for frame in frames(stmt):
            # the frame's own targets (loop variables, with names, call parameters) bind
            # inside it; what it reads in the top-level frame (a loop's iterable) is a
            # top-level read, which makes the variable resolve from the context
            for name in sorted(names_read_before_set([frame], missing)):
                if i < first_store[name]:
                    return name, frame
    return None


def names_read_before_set(body: Iterable[nodes.Node], names: Iterable[str]) -> set[str]:
    """Those of ``names`` that ``body`` may read before setting them itself: read where no
    ``{% set %}`` of the same body level has run before (a set inside an ``if``, a loop or a
    with-block may not run). Jinja's ``find_undeclared`` stops looking at a name once it is set
    anywhere, conditionally too. Nested blocks are not looked into (they render on their own)."""
    wanted = set(names)
    found: set[str] = set()

    def visit(node: nodes.Node, assigned: set[str]) -> None:
        if isinstance(node, nodes.Name):
            if node.ctx == "load":
                if node.name in wanted and node.name not in assigned:
                    found.add(node.name)
            else:
                assigned.add(node.name)
            return
        if isinstance(node, nodes.Block):
            return
        if isinstance(node, nodes.Macro):
            inner = set(assigned) | {node.name}  # (its body runs when it is called)
            for child in node.body:
                visit(child, inner)
            assigned.add(node.name)
            return
        if isinstance(node, (nodes.Import, nodes.FromImport)):
            if isinstance(node, nodes.Import):
                assigned.add(node.target)
            else:
                assigned.update(n if isinstance(n, str) else n[1] for n in node.names)
            return
        if isinstance(node, nodes.Assign):
            visit(node.node, assigned)  # the value is read before the target is set
            visit(node.target, assigned)
            return
        if isinstance(node, (nodes.For, nodes.With)):
            inner = set(assigned)  # its variables are its own, and its body may not run
            for expr in [node.iter] if isinstance(node, nodes.For) else node.values:
                visit(expr, assigned)
            for target in [node.target] if isinstance(node, nodes.For) else node.targets:
                visit(target, inner)
            rest = [node.test, *node.body] if isinstance(node, nodes.For) else node.body
            for sub in rest:
                if sub is not None:
                    visit(sub, inner)
            if isinstance(node, nodes.For):
                for child in node.else_:
                    visit(child, set(assigned))
            return
        if isinstance(node, nodes.AssignBlock):
            inner = set(assigned)
            for child in node.body:
                visit(child, inner)
            if node.filter is not None:
                visit(node.filter, assigned)
            visit(node.target, assigned)
            return
        for _, value in node.iter_fields():
            children = value if isinstance(value, list) else [value]
            statements = any(isinstance(c, nodes.Stmt) for c in children)
            inner = set(assigned) if statements else assigned  # a nested body may not run
            for child in children:
                if isinstance(child, nodes.Node):
                    visit(child, inner)

    assigned: set[str] = set()
    for n in body:
        visit(n, assigned)
    return found


def names_read(exprs: Iterable[nodes.Expr]) -> set[str]:
    """The variable names the expressions read."""
    return {
        n.name for e in exprs for n in [e, *e.find_all(nodes.Name)] if isinstance(n, nodes.Name)
    }


def changes_names(stmts: Iterable[nodes.Node], names: set[str]) -> bool:
    """Whether running ``stmts`` may change what ``names`` hold: they assign one, set a
    namespace attribute of one, or call a method of one (``kwargs.pop(…)``)."""
    for stmt in stmts:
        for n in [stmt, *stmt.find_all((nodes.Name, nodes.NSRef, nodes.Call))]:
            if isinstance(n, nodes.Name) and n.ctx != "load" and n.name in names:
                return True
            if isinstance(n, nodes.NSRef) and n.name in names:
                return True
            if (
                isinstance(n, nodes.Call)
                and isinstance(n.node, nodes.Getattr)
                and any(x.name in names for x in n.node.find_all(nodes.Name))
            ):
                return True
    return False


def spaced_xmlattr(node: nodes.Node) -> bool:
    """``<ul{{ attrs|xmlattr }}>``: xmlattr output starts with a space (autospace defaults on),
    so it is an attribute list, not part of the tag name."""
    if not (isinstance(node, nodes.Filter) and node.name == "xmlattr"):
        return False
    autospace: nodes.Expr | None = node.args[0] if node.args else None
    for kw in node.kwargs:
        if kw.key == "autospace":
            autospace = kw.value
    return autospace is None or (isinstance(autospace, nodes.Const) and bool(autospace.value))


def dotted_path(expr: nodes.Expr) -> str | None:
    """``layout`` / ``theme.base`` as a dotted path; None for any other expression."""
    if isinstance(expr, nodes.Name):
        return expr.name
    if isinstance(expr, nodes.Getattr):
        inner = dotted_path(expr.node)
        return None if inner is None else f"{inner}.{expr.attr}"
    return None


def called_app_globals(tree: nodes.Template, app_names: AppNames) -> frozenset[str]:
    """The names the template calls as the app's global functions (``form_widget(...)`` where
    no loop, macro, call block or with around the call binds the name, and no set or import of
    the template does): where it reads one as a value, Jinja finds the app's function too, as
    no JSON context can pass a function in its place."""
    index = index_of(tree)
    calls = [
        c
        for c in index.of(nodes.Call)
        if isinstance(c.node, nodes.Name)
        and c.node.name not in JINJA_GLOBALS
        and c.node.name not in RESERVED_GLOBALS
    ]
    if not calls:
        return frozenset()
    set_anywhere = {m.name for m in index.of(nodes.Macro)}
    assigns = cast(
        "list[nodes.Assign | nodes.AssignBlock]", index.of(nodes.Assign, nodes.AssignBlock)
    )
    for assign in assigns:
        set_anywhere |= target_names(assign.target)
    imports = cast(
        "list[nodes.Import | nodes.FromImport]", index.of(nodes.Import, nodes.FromImport)
    )
    for imp in imports:
        if isinstance(imp, nodes.Import):
            set_anywhere.add(imp.target)
        else:
            set_anywhere |= {n if isinstance(n, str) else n[1] for n in imp.names}
    out = set()
    for c in calls:
        name = c.node.name  # type: ignore[attr-defined]
        if name in set_anywhere or name in out or not app_names.allows("global", name):
            continue
        parent = index.parents.get(id(c))
        while parent is not None:
            if isinstance(parent, (nodes.Macro, nodes.CallBlock)) and (
                name in {a.name for a in parent.args} or name in ("varargs", "kwargs", "caller")
            ):
                break
            if isinstance(parent, nodes.For) and name in target_names(parent.target):
                break
            if isinstance(parent, nodes.With) and any(
                name in target_names(t) for t in parent.targets
            ):
                break
            parent = index.parents.get(id(parent))
        else:
            out.add(name)
    return frozenset(out)


def target_names(target: nodes.Node) -> set[str]:
    """The names an assignment target (``x``, ``a, b``, ``ns.attr``: none) binds."""
    if isinstance(target, nodes.Name):
        return {target.name}
    return {n.name for n in target.find_all(nodes.Name) if n.ctx == "store"}


def root_stores(tree: nodes.Template) -> dict[str, list[tuple[int, int]]]:
    """The names a template assigns in its render function's own frame (a {% set %} at its top
    level, or in an {% if %} there), with the tree positions of the assignments."""
    index = index_of(tree)
    out: dict[str, list[tuple[int, int]]] = {}
    assigns = cast(
        "list[nodes.Assign | nodes.AssignBlock]", index.of(nodes.Assign, nodes.AssignBlock)
    )
    for node in assigns:
        parent = index.parents.get(id(node))
        while isinstance(parent, nodes.If):
            parent = index.parents.get(id(parent))
        if parent is not tree:
            continue
        targets = [node.target]
        if isinstance(node.target, nodes.Tuple):
            targets = list(node.target.items)
        for t in targets:
            if isinstance(t, nodes.Name):
                out.setdefault(t.name, []).append((index.position[id(node)], node.lineno))
    return out


def nested_blocks(tree: nodes.Template) -> dict[str, int]:
    """The blocks of ``tree`` nested in another block, with their lines (from the tree's
    cached index: its blocks and each node's parent)."""
    index = index_of(tree)
    out: dict[str, int] = {}
    for block in index.of(nodes.Block):
        parent = index.parents.get(id(block))
        while parent is not None and not isinstance(parent, nodes.Block):
            parent = index.parents.get(id(parent))
        if parent is not None:
            out[block.name] = block.lineno
    return out
