"""The intermediate representation: what a template means, independent of jinja2 and of TSX.

Lowering (``lower``) builds it from jinja2's AST and the HTML tokens; the emitters (``emit*``) read
only this. Expressions are Python/Jinja expressions over resolved bindings; content nodes are HTML
elements, text and control flow. Names are resolved at lowering time: every ``{% set %}`` creates a
fresh :class:`Binding`, so scoping is settled before emission.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

# ----------------------------------------------------------------------------- bindings


@dataclasses.dataclass(eq=False)
class Binding:
    """One variable of the generated code. Identity matters (eq=False): two sets of the same
    Jinja name are two bindings."""

    name: str  # the Jinja name
    kind: Literal["prop", "local", "loopvar", "loop", "param"]
    mutable: bool = False  # assigned inline (let) rather than declared once (const)
    safety: "Safety" = "no"  # may the value be Markup?
    initial: "Binding | None" = None  # for a mutable binding: the value it starts from


Safety = Literal["no", "yes", "maybe"]

# ----------------------------------------------------------------------------- expressions


@dataclasses.dataclass(frozen=True)
class Expr:
    line: int


@dataclasses.dataclass(frozen=True)
class Const(Expr):
    value: object  # None, bool, int, float, str, tuple of Const values


@dataclasses.dataclass(frozen=True)
class Var(Expr):
    binding: Binding


@dataclasses.dataclass(frozen=True)
class Global(Expr):
    name: str  # range, dict, namespace, cycler, joiner


@dataclasses.dataclass(frozen=True)
class ListLit(Expr):
    items: tuple[Expr, ...]


@dataclasses.dataclass(frozen=True)
class TupleLit(Expr):
    items: tuple[Expr, ...]


@dataclasses.dataclass(frozen=True)
class DictLit(Expr):
    items: tuple[tuple[Expr, Expr], ...]


@dataclasses.dataclass(frozen=True)
class GetAttr(Expr):
    obj: Expr
    name: str


@dataclasses.dataclass(frozen=True)
class GetItem(Expr):
    obj: Expr
    key: Expr


@dataclasses.dataclass(frozen=True)
class SliceExpr(Expr):
    obj: Expr
    start: Expr | None
    stop: Expr | None
    step: Expr | None


@dataclasses.dataclass(frozen=True)
class CallArgs:
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    star: Expr | None = None
    starstar: Expr | None = None


@dataclasses.dataclass(frozen=True)
class Call(Expr):
    func: Expr
    call: CallArgs


@dataclasses.dataclass(frozen=True)
class MethodCall(Expr):
    obj: Expr
    name: str
    call: CallArgs


@dataclasses.dataclass(frozen=True)
class LoopCall(Expr):
    """``loop(children)`` inside a recursive for loop."""

    loop: Binding
    arg: Expr


@dataclasses.dataclass(frozen=True)
class Filter(Expr):
    name: str
    value: Expr | None  # None inside {% filter %} blocks (value supplied by the block)
    args: tuple[Expr | None, ...]  # bound positionally; None = Python default
    star: tuple[Expr, ...] = ()  # *args of map/select/format...
    kw: tuple[tuple[str, Expr], ...] = ()  # **kwargs of map/format
    autoescape: bool = True


@dataclasses.dataclass(frozen=True)
class Test(Expr):
    name: str
    value: Expr
    args: tuple[Expr, ...]
    negate: bool = False


BinOpName = Literal["add", "sub", "mul", "truediv", "floordiv", "mod", "pow"]


@dataclasses.dataclass(frozen=True)
class BinOp(Expr):
    op: BinOpName
    left: Expr
    right: Expr


@dataclasses.dataclass(frozen=True)
class UnaryOp(Expr):
    op: Literal["neg", "pos", "not"]
    operand: Expr


@dataclasses.dataclass(frozen=True)
class BoolOp(Expr):
    op: Literal["and", "or"]
    left: Expr
    right: Expr


@dataclasses.dataclass(frozen=True)
class Concat(Expr):
    parts: tuple[Expr, ...]


CompareOp = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "notin"]


@dataclasses.dataclass(frozen=True)
class Compare(Expr):
    first: Expr
    ops: tuple[tuple[CompareOp, Expr], ...]


@dataclasses.dataclass(frozen=True)
class CondExpr(Expr):
    test: Expr
    then: Expr
    otherwise: Expr | None  # None: Undefined


@dataclasses.dataclass(frozen=True)
class MarkupOf(Expr):
    """Markup of rendered content (``{% set x %}…{% endset %}``, ``{% filter %}`` bodies)."""

    body: "tuple[Node, ...]"


# ----------------------------------------------------------------------------- content


@dataclasses.dataclass(frozen=True)
class Node:
    line: int


@dataclasses.dataclass(frozen=True)
class Text(Node):
    raw: str  # exactly as Jinja writes it (entities not decoded)


@dataclasses.dataclass(frozen=True)
class Output(Node):
    expr: Expr
    safety: Safety
    autoescape: bool = True


@dataclasses.dataclass(frozen=True)
class Comment(Node):
    """An HTML comment. JSX cannot express it; side effects inside it are kept."""

    body: tuple[Node, ...]


@dataclasses.dataclass(frozen=True)
class Doctype(Node):
    raw: str


@dataclasses.dataclass(frozen=True)
class AttrValue:
    """An attribute's value: content nodes (Text raw, Output, If, For...) as in string mode."""

    parts: tuple[Node, ...]


@dataclasses.dataclass(frozen=True)
class Attribute:
    name: str  # HTML name as written
    value: AttrValue | None  # None: no value (`disabled`)


@dataclasses.dataclass(frozen=True)
class CondAttrs:
    """``{% if %}`` inside a start tag: alternative attribute lists."""

    branches: tuple[tuple[Expr, tuple["AttrItem", ...]], ...]
    otherwise: tuple["AttrItem", ...]


@dataclasses.dataclass(frozen=True)
class DynAttrs:
    """``<div {{ expr }}>``: attribute text computed at run time."""

    expr: Expr
    autoescape: bool = True


AttrItem = Attribute | CondAttrs | DynAttrs


@dataclasses.dataclass(frozen=True)
class Element(Node):
    tag: str  # as written (case kept for SVG)
    attrs: tuple[AttrItem, ...]
    children: tuple[Node, ...]
    void: bool = False
    in_svg: bool = False
    raw_text: bool = False  # script/style/textarea/title: children are raw text parts


@dataclasses.dataclass(frozen=True)
class If(Node):
    branches: tuple[tuple[Expr, tuple[Node, ...]], ...]
    otherwise: tuple[Node, ...]


@dataclasses.dataclass(frozen=True)
class CondWrap(Node):
    """``{% if c %}<a …>{% endif %}…{% if c %}</a>{% endif %}``: the element wraps the content
    only when ``test`` holds."""

    test: Expr
    element: Element  # children empty: the wrapped content is ``children``
    children: tuple[Node, ...]


@dataclasses.dataclass(frozen=True)
class Target:
    """Loop/assignment target: one name or a tuple of names."""

    bindings: tuple[Binding, ...]
    is_tuple: bool


@dataclasses.dataclass(frozen=True)
class For(Node):
    target: Target
    iterable: Expr
    body: tuple[Node, ...]
    otherwise: tuple[Node, ...]
    loop: Binding | None  # the `loop` object, when the body uses it
    condition: Expr | None = None  # {% for x in y if cond %}
    recursive: bool = False


@dataclasses.dataclass(frozen=True)
class Set(Node):
    """``{% set %}``, ``{% with %}`` bindings and set blocks: bind ``value`` to ``target``.
    ``inline``: assigned where it stands (a let), else declared before the content (a const)."""

    target: Target
    value: Expr
    inline: bool


@dataclasses.dataclass(frozen=True)
class SetAttr(Node):
    """``{% set ns.attr = value %}``."""

    obj: Expr
    name: str
    value: Expr


@dataclasses.dataclass(frozen=True)
class FilterBlock(Node):
    """``{% filter f %}…{% endfilter %}``: filters applied to the rendered body (Markup)."""

    filters: tuple[Filter, ...]  # innermost first; each Filter.value is None
    body: tuple[Node, ...]


@dataclasses.dataclass(frozen=True)
class Template:
    name: str  # path relative to the templates folder
    component: str  # the default export's name
    body: tuple[Node, ...]
    props: tuple[Binding, ...]
    autoescape: bool
