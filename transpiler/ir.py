"""The intermediate representation: what a template means, independent of jinja2 and of TSX.

Lowering (``lower``) builds it from jinja2's AST and the HTML tokens; the emitters (``emit*``) read
only this. Expressions are Python/Jinja expressions over resolved bindings; content nodes are HTML
elements, text and control flow. Names are resolved at lowering time: every ``{% set %}`` creates a
fresh :class:`Binding`, so scoping is settled before emission.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

# ----------------------------------------------------------------------------- bindings


@dataclasses.dataclass(eq=False)
class Binding:
    """One variable of the generated code. Identity matters (eq=False): two sets of the same
    Jinja name are two bindings."""

    name: str  # the Jinja name
    kind: Literal["prop", "local", "loopvar", "loop", "param", "macro", "module", "caller"]
    mutable: bool = False  # assigned inline (let) rather than declared once (const)
    macro: "MacroInfo | None" = None  # kind "macro": what it binds
    module: str | None = None  # kind "module": the imported template
    safety: "Safety" = "no"  # may the value be Markup?
    content: "Safety" = "no"  # may a Markup value sit anywhere inside it (items, attributes)?
    initial: "Binding | None" = None  # for a mutable binding: the value it starts from
    with_context: bool = False  # kind "macro"/"module": imported `with context`
    flask: bool = False  # a prop holding a Flask context object (request, session, ...)
    lazy: str | None = None  # may hold the generator of this lazy filter (map, select, ...)


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
class AppGlobal(Expr):
    """A global function the app defines, named as a value (``{% if form_widget %}`` where the
    template also calls ``form_widget(...)``): Jinja finds the app's function when no context
    passes the name, and a JSON context cannot pass a function."""

    name: str


@dataclasses.dataclass(frozen=True)
class AppCall(Expr):
    """A filter, test or global function the app defines: a call into the user-owned app module."""

    kind: Literal["filter", "test", "global"]
    name: str
    value: "Expr | None"  # the filtered/tested value (None for a global, or a {% filter %} block)
    args: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...] = ()
    star: "Expr | None" = None  # f(*items)
    starstar: "Expr | None" = None  # f(**mapping)


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


TranslateFunc = Literal["gettext", "ngettext", "pgettext", "npgettext"]


@dataclasses.dataclass(frozen=True)
class Translate(Expr):
    """A call of an i18n global (``jinja2.ext.i18n``): ``gettext``/``_``, ``ngettext``,
    ``pgettext``, ``npgettext``, written in the template or generated by ``{% trans %}``.

    ``args`` are the positional arguments (context, message(s), count). Old style: the call is a
    plain catalog lookup. New style (Flask-Babel): the result is ``Markup`` under autoescape and
    always ``%``-formatted with the keyword ``variables`` (plus ``num``/``context``)."""

    func: TranslateFunc
    args: tuple[Expr, ...]
    variables: tuple[tuple[str, Expr], ...]
    newstyle: bool
    autoescape: bool


@dataclasses.dataclass(frozen=True)
class UrlFor(Expr):
    """Flask's ``url_for(endpoint, **values)``, built like werkzeug over the route table."""

    endpoint: Expr
    # keyword arguments in call order (_anchor, _method, _scheme, _external too)
    values: tuple[tuple[str, Expr], ...]
    starstar: Expr | None  # ``**mapping`` after them
    request: Binding | None  # the request prop, when the rule choice depends on the request


@dataclasses.dataclass(frozen=True)
class FlashedMessages(Expr):
    """Flask's ``get_flashed_messages(with_categories, category_filter)`` over the flashes prop."""

    flashes: Binding
    with_categories: Expr | None
    category_filter: Expr | None


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
    # as the template writes it: '"', "'"; unquoted "s" (last in its tag), "w" (more follows)
    quote: str = '"'


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
    after_name: bool = False  # ``<div{{ expr }}>``: written right after the tag name


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
    controls: bool = False  # the body holds a {% break %} or {% continue %} of this loop


@dataclasses.dataclass(frozen=True)
class LoopControl(Node):
    """``{% break %}`` / ``{% continue %}`` (``jinja2.ext.loopcontrols``): ends the body of the
    innermost enclosing :class:`For`. Lowering guarantees it sits directly in that body or in
    ``If`` branches inside it (never inside an element, attribute value or captured block), so
    the output written before it is a sequence of whole nodes."""

    kind: Literal["break", "continue"]


@dataclasses.dataclass(frozen=True)
class Do(Node):
    """``{% do expr %}`` (``jinja2.ext.do``): evaluate ``expr`` where it stands, print nothing."""

    expr: Expr


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

    filters: tuple["Filter | AppCall", ...]  # innermost first; each value is None
    body: tuple[Node, ...]


@dataclasses.dataclass(frozen=True)
class Template:
    name: str  # path relative to the templates folder
    component: str  # the default export's name
    body: tuple[Node, ...]
    props: tuple[Binding, ...]
    autoescape: bool
    macros: tuple["MacroInfo", ...] = ()
    layout: "Layout | None" = None  # set when the template has blocks or extends another
    app_uses: tuple[Any, ...] = ()  # appnames.AppUse: app-defined names it calls
    # configured template-name variables: (value, dotted name, the template it must name)
    assumptions: tuple[tuple["Expr", str, str], ...] = ()
    # the top-level macros left out of its module (see MacroInfo.broken_error), with their lines
    left_out: tuple[tuple["MacroInfo", int], ...] = ()
    # end tags with no start tag at its top level: dropped, as a browser drops them when the
    # template is the page; an include of it is refused (they may close the includer's elements)
    stray_end_tags: tuple[str, ...] = ()
    # elements without end tag that the end of the template closes: an include of it must be
    # followed by what closes them too
    open_at_end: tuple[str, ...] = ()
    p_closer: str | None = None  # a start tag it may write that ends a <p> open around it
    # its top level is raw HTML (or its layout's is): it renders to an HTML string, not elements
    html_root: int | None = None  # the line of the first raw node at the top level

    @property
    def warnings(self) -> tuple[Any, ...]:
        """What converts without a part or in another form (diagnostics.ConversionError): W003
        for each macro left out, saying why as its MacroInfo says now; W004 for an HTML root."""
        out = tuple(m.left_out_warning(line) for m, line in self.left_out)
        if self.html_root is not None:
            from .diagnostics import ConversionError

            layout = self.layout
            if layout is not None and layout.parent is not None and layout.parent_html:
                why = f"it extends {layout.parent}, which renders to an HTML string: so does it"
                instead = f"make {layout.parent} render elements to get a component."
            else:
                why = (
                    "the template's top level is raw HTML (outside any element), which React "
                    "cannot place: it renders to an HTML string"
                )
                instead = "wrap the template's content in an element to get a component."
            out += (
                ConversionError(
                    "W004",
                    f"{why} (rt.SafeHtml), not elements",
                    self.html_root,
                    1,
                    "Use its .html where a string of HTML fits (a route handler's response, "
                    "dangerouslySetInnerHTML); or " + instead,
                ),
            )
        return out


# ----------------------------------------------------------------------------- composition


@dataclasses.dataclass(eq=False)
class MacroInfo:
    """What call sites need to know about a macro (possibly defined in another template)."""

    name: str
    params: tuple[str, ...]
    n_defaults: int
    catch_varargs: bool
    catch_kwargs: bool
    uses_caller: bool
    module: str  # defining template's name
    context_free: bool = True  # reads only its parameters, globals, macros and imports
    jsx_ok: bool = True  # its body can be JSX (no raw HTML at its root, caller() only printed)
    # a start tag its output may write that ends a <p> open around the call (lowering.closer_inside)
    p_closer: str | None = None
    top_level: bool = False  # defined at the top level of its template (importable)
    # context variables (props of the defining template) it reads, directly or through the
    # macros it calls: a module-level macro receives them as its first argument
    context_names: list[str] = dataclasses.field(default_factory=list)
    reads_locals: bool = False  # reads a {% set %} or loop variable of the template: a closure

    @property
    def takes_context(self) -> bool:
        """Emitted at module level with the context values it reads as a first argument."""
        return self.top_level and not self.reads_locals and bool(self.context_names)

    @property
    def module_level(self) -> bool:
        return self.top_level and not self.reads_locals

    @property
    def broken(self) -> str:
        """Why the macro is left out ("" when it converts)."""
        e = self.broken_error
        return "" if e is None else f"{e.code} at line {e.line}: {e.message}"

    def left_out_warning(self, line: int) -> Any:
        """W003 for this macro, left out of its module (defined at ``line``)."""
        from .diagnostics import ConversionError

        return ConversionError(
            "W003",
            f"macro {self.name!r} is not converted ({self.broken})",
            line,
            1,
            self.broken_error.hint,
        )

    # why a top-level macro does not convert ("H103 at line 281: …"): the rest of its template
    # converts without it, and a call of it is T005
    broken_error: Any = None  # diagnostics.ConversionError: the macro's own problem
    # parameters that may hold WTForms fields (formdetect.py): they take any value, Markup too
    markup_params: frozenset[str] = frozenset()
    # parameters only tested (the tests of ifs and conditional expressions), never printed or
    # passed on: a Markup argument for them does not need the macro's HTML form
    tested_params: frozenset[str] = frozenset()
    # parameters only looped over, tested or handed to a filter that consumes a generator: the
    # only ones a generator (``items|map(…)``) may be passed for
    iterated_params: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class CallerDef:
    """The body of a ``{% call %}`` block, passed to the macro as ``caller``."""

    params: tuple[Binding, ...]
    defaults: tuple["Expr | None", ...]
    body: tuple["Node", ...]


@dataclasses.dataclass(frozen=True)
class MacroCall(Expr):
    info: MacroInfo
    target: "Binding | None"  # same-template macro binding; None when imported
    module_alias: "Binding | None"  # `{% import … as f %}`: f.m(); None for `from … import`
    import_name: str  # JS name of the function (alias for from-imports)
    args: tuple["Expr | None", ...]  # bound to info.params (None = default)
    varargs: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...]
    caller: CallerDef | None = None
    # for a macro that takes context values: the ones this call passes (Jinja name, value)
    context: tuple[tuple[str, "Expr"], ...] = ()
    html_only: bool = False  # an argument may be Markup: call the macro's HTML form
    # ``m(x, *items, **attrs)``: bound at run time (``rt.callMacro``); ``args`` are then the
    # positional arguments as written and ``kwargs`` every keyword argument
    star: "Expr | None" = None
    starstar: "Expr | None" = None
    dynamic: bool = False


@dataclasses.dataclass(frozen=True)
class MacroRef(Expr):
    """A macro named as a value (passed to another macro, set to a name, printed): Jinja's
    Macro object, whose call binds its arguments at run time and returns its HTML."""

    info: MacroInfo
    module_alias: "Binding | None"  # `{% import … as f %}`: f.m; None otherwise
    import_name: str  # JS name of the function (alias for from-imports)
    # for a macro that takes context values: the ones it gets where it is named
    context: tuple[tuple[str, "Expr"], ...] = ()


@dataclasses.dataclass(frozen=True)
class MacroDef(Node):
    info: MacroInfo
    binding: Binding
    params: tuple[Binding, ...]
    defaults: tuple["Expr | None", ...]
    varargs: Binding | None
    kwargs: Binding | None
    caller: Binding | None
    body: tuple["Node", ...]


@dataclasses.dataclass(frozen=True)
class Import(Node):
    """``{% import "x.html" as f %}`` / ``{% from "x.html" import a as b %}``."""

    module: str  # template name
    alias: Binding | None
    names: tuple[tuple[str, str], ...]  # (exported macro, local JS-visible name)
    with_context: bool = False


@dataclasses.dataclass(frozen=True)
class Include(Node):
    """``{% include %}``: the partial's component with the current context as props."""

    module: str
    component: str
    props: tuple[tuple[str, "Expr"], ...]
    # a template including itself (a tree partial): its props are known only once the whole
    # template is lowered, so the emitter passes each of them from these variables in scope
    # at the include, or from the component's own props
    recursive: bool = False
    scope: tuple[tuple[str, "Binding"], ...] = ()
    with_context: bool = True
    p_closer: str | None = None  # a start tag the partial may write that ends a <p> around it
    html: bool = False  # the partial renders to an HTML string (Template.html_root)


@dataclasses.dataclass(frozen=True)
class BlockRef(Node):
    """Where ``{% block name %}`` stands: render the final override of the block."""

    name: str
    scope: tuple[Binding, ...] = ()  # `scoped`: the local variables the block renders with
    # its own content has raw HTML at its root (a Markup value): only an element written as an
    # HTML string can hold it, as a string-valued block
    raw_root: bool = False


@dataclasses.dataclass(frozen=True)
class BlockDef:
    name: str
    body: tuple["Node", ...]
    super_binding: "Binding | None"  # the `super()` render function, when the body calls it
    flavor: "str | None" = None  # inside <title>, <script>, an attribute...: a string slot
    required: bool = False  # {% block x required %}: rendering it un-overridden is an error
    scoped: bool = False  # the block renders with a scope (`scoped` here or in a parent)
    received: tuple[Binding, ...] = ()  # scope variables an override reads
    passes: tuple[str, ...] = ()  # `scoped` where it stands here: the names it passes
    # `scoped` inside a loop/with of this template: the local variables its body reads there,
    # which its override function (hoisted out of the loop) takes from the scope instead
    locals_read: tuple[Binding, ...] = ()
    quote: str = '"'  # in an attribute value (flavor "attr"): how the value is quoted there
    # its markup written as text, not read as elements (an override in a template rendering to
    # an HTML string whose elements do not balance: Lowerer.block_def)
    as_text: bool = False


@dataclasses.dataclass(frozen=True)
class SuperCall(Expr):
    binding: Binding


@dataclasses.dataclass(frozen=True)
class SelfBlock(Expr):
    """``self.name()``: the block's final override rendered again, with the template context."""

    name: str


@dataclasses.dataclass(frozen=True)
class Layout:
    """A template's place in an ``{% extends %}`` chain."""

    blocks: tuple[BlockDef, ...]  # every block this template defines, in source order
    parent: "str | None"  # the template it extends
    parent_component: "str | None"
    parent_props: tuple[tuple[str, "Expr"], ...] = ()  # the parent's context, from this scope
    flavors: tuple[tuple[str, str], ...] = ()  # string-slot blocks of the whole chain
    scoped: tuple[tuple[str, tuple[str, ...]], ...] = ()  # scoped blocks of the chain: names
    sets: tuple[str, ...] = ()  # names set by a top-level {% set %} here or in a parent
    parent_has_blocks: bool = True  # the parent takes `blocks` (it has a block of its own)
    # what a child template writes before its {% extends %} (Jinja outputs it, then the parent)
    prefix: tuple[Node, ...] = ()
    # block → the template that places it: the first of the chain (from the root) to define it
    homes: tuple[tuple[str, str], ...] = ()
    inherited: tuple[tuple[str, str], ...] = ()  # the parent chain's `flavors`
    # blocks in an attribute value (flavor "attr") of the chain: how that value is quoted
    quotes: tuple[tuple[str, str], ...] = ()
    parent_html: bool = False  # the parent renders to an HTML string (Template.html_root)


@dataclasses.dataclass(frozen=True)
class BlockText(Expr):
    """The HTML a string-slot block writes, as Markup (a block inside a start tag)."""

    name: str
