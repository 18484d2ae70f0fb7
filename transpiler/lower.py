"""Lowering: jinja2 AST + HTML tokens → IR.

Three steps, all in source order:

1. *Flatten*: walk the jinja2 AST; template text is kept, every Jinja construct becomes one HOLE
   character, and block statements contribute an open, middle (elif/else) and close hole. Each
   hole remembers its Jinja node (``HoleItem``).
2. *Scan*: the lark grammar (``htmlscan``) tokenises the holed text as HTML.
3. *Build*: a recursive-descent tree builder pairs tokens and holes into IR elements and control
   flow, resolving names to bindings with Jinja's scoping rules (loop bodies and ``with`` are
   scopes, ``if`` is not; each ``set`` is a fresh binding) and reporting everything JSX cannot
   express as a diagnostic.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import re
from collections.abc import Iterator
from typing import Literal, NoReturn, cast

import jinja2
from jinja2 import nodes
from jinja2.compiler import find_undeclared

from . import formdetect, i18n, ir
from .treeindex import index_of
from . import pathsplit, tagsplit
from .appnames import AppUse, app_names_of
from .diagnostics import ConversionError
from .environment import FLASK_ENV_GLOBALS, JINJA_GLOBALS
from .graph import Project
from .htmlfacts import (
    TABLE_PARTS,
    blank,
    BUTTON_SCOPE_BOUNDARIES,
    RAW_TEXT,
    VOID_ELEMENTS,
    end_tag_ends,
    end_tag_stays_inside,
    table_part_ignored,
)
from .jinja_syntax import syntax_error
from .jinja_facts import (
    called_app_globals,
    changes_names,
    dotted_path,
    loop_control_outside_loop,
    names_read,
    names_read_before_set,
    names_read_outside_tests,
    names_used_beyond_iteration,
    nested_blocks,
    nested_read_before_root_set,
    root_stores,
    spaced_xmlattr,
    statement_label,
)
from .lower_expr import MUTATING_METHODS, ExprLowering, lazy_source
from .lower_flask import FLASK_FUNCTIONS, FlaskLowering
from .safety import content_safety, expr_safety
from .htmlscan import (
    HOLE,
    hole_offsets,
    text_tokens,
    Attr,
    CommentTok,
    DoctypeTok,
    EndTagTok,
    HoleRef,
    HoleTok,
    HtmlSyntaxError,
    HtmlToken,
    RawTextTok,
    StartTagTok,
    TextTok,
    ValuePart,
    scan,
)

# ----------------------------------------------------------------------------- HTML facts

PREFORMATTED = frozenset({"pre", "listing", "textarea"})  # whitespace inside is shown
# Start tags that close an open <p> (HTML5 "close a p element").
P_CLOSERS = frozenset(
    """address article aside blockquote center dd details dialog dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li listing main menu nav ol
    p plaintext pre search section summary table ul xmp""".split()
)
# element → start tags that imply its end tag
IMPLIED_BY: dict[str, frozenset[str]] = {
    "p": P_CLOSERS,
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "option": frozenset({"option", "optgroup"}),
    "optgroup": frozenset({"optgroup"}),
    "tr": frozenset({"tr", "tbody", "thead", "tfoot"}),
    "td": frozenset({"td", "th", "tr", "tbody", "thead", "tfoot"}),
    "th": frozenset({"td", "th", "tr", "tbody", "thead", "tfoot"}),
    "thead": frozenset({"tbody", "tfoot"}),
    "tbody": frozenset({"tbody", "tfoot"}),
    "tfoot": frozenset({"tbody"}),
    "rt": frozenset({"rt", "rp"}),
    "rp": frozenset({"rt", "rp"}),
    "head": frozenset({"body"}),
    "colgroup": frozenset(),
    "caption": frozenset(),
}
OPTIONAL_END = frozenset(IMPLIED_BY) | {"html", "body"}
# where content other than table parts is moved before the table ("foster parenting")
TABLE_ROWS = frozenset({"table", "tbody", "thead", "tfoot", "tr"})
# start tags that end an open <select> ("in select" insertion mode)
SELECT_CLOSERS = frozenset({"input", "keygen", "textarea", "select"})


# ----------------------------------------------------------------------------- flattening


@dataclasses.dataclass(frozen=True)
class HoleItem:
    kind: Literal["expr", "stmt", "open", "mid", "close"]
    node: nodes.Node
    autoescape: bool
    branch: int = 0  # for "mid": 1.. for elif branches, -1 for else


def component_name(template_name: str) -> str:
    stem = template_name.rsplit("/", 1)[-1].split(".", 1)[0]
    words = [w for w in re.split(r"[^0-9A-Za-z]+", stem) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Template"
    if name[0].isdigit():
        name = "T" + name
    return name + ("Page" if name in {"Template", "Fragment", "React"} else "")


class _Flattener:
    """Jinja AST → holed text + hole items, with source offsets for positions."""

    def __init__(self, source: str, autoescape: bool, scoped: dict[int, bool]):
        self.source = source
        self.parts: list[str] = []
        self.length = 0
        self.items: list[HoleItem] = []
        self.autoescape = autoescape  # the template's; ``scoped`` inside {% autoescape %} blocks
        self.scoped = scoped
        self.cursor = 0
        # (holed offset, source offset) anchors for text runs, and hole line numbers
        self.anchors: list[tuple[int, int]] = []
        self.hole_lines: list[int] = []

    def text(self, data: str) -> None:
        if not data:
            return
        found = self.source.find(data, self.cursor)
        if found >= 0:
            self.anchors.append((self.length, found))
            self.cursor = found + len(data)
        self.parts.append(data)
        self.length += len(data)

    def hole(self, item: HoleItem) -> None:
        self.items.append(item)
        self.hole_lines.append(item.node.lineno)
        self.parts.append(HOLE)
        self.length += 1

    def body(self, body: list[nodes.Node]) -> None:
        for node in body:
            self.node(node)

    def node(self, node: nodes.Node) -> None:
        ae = self.scoped.get(id(node), self.autoescape)
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    self.text(child.data)
                else:
                    self.hole(HoleItem("expr", child, ae))
        elif isinstance(node, nodes.If):
            self.hole(HoleItem("open", node, ae))
            self.body(node.body)
            for i, elif_ in enumerate(node.elif_, 1):
                self.hole(HoleItem("mid", node, ae, i))
                self.body(elif_.body)
            if node.else_:
                self.hole(HoleItem("mid", node, ae, -1))
                self.body(node.else_)
            self.hole(HoleItem("close", node, ae))
        elif isinstance(node, nodes.For):
            self.hole(HoleItem("open", node, ae))
            self.body(node.body)
            if node.else_:
                self.hole(HoleItem("mid", node, ae, -1))
                self.body(node.else_)
            self.hole(HoleItem("close", node, ae))
        elif isinstance(node, (nodes.With, nodes.AssignBlock, nodes.FilterBlock, nodes.Scope)):
            self.hole(HoleItem("open", node, ae))
            self.body(node.body)
            self.hole(HoleItem("close", node, ae))
        elif isinstance(node, nodes.ScopedEvalContextModifier):
            self.hole(HoleItem("open", node, ae))
            for opt in node.options:
                if opt.key == "autoescape" and not isinstance(opt.value, nodes.Const):
                    raise ConversionError(
                        "U001", "{% autoescape %} with a non-constant value", node.lineno
                    )
            self.body(node.body)
            self.hole(HoleItem("close", node, ae))
        else:
            self.hole(HoleItem("stmt", node, ae))

    def text_value(self) -> str:
        return "".join(self.parts)


def scoped_autoescape(tree: nodes.Template) -> dict[int, bool]:
    """id(node) → the setting of the ``{% autoescape %}`` block around it, for every node inside
    one (macro bodies included); empty when the template has none."""
    out: dict[int, bool] = {}
    if not index_of(tree).of(nodes.ScopedEvalContextModifier):
        return out

    def walk(node: nodes.Node, ae: bool | None) -> None:
        if ae is not None:
            out[id(node)] = ae
        if isinstance(node, nodes.ScopedEvalContextModifier):
            for opt in node.options:
                if opt.key == "autoescape" and isinstance(opt.value, nodes.Const):
                    ae = bool(opt.value.value)
        for child in node.iter_child_nodes():
            walk(child, ae)

    walk(tree, None)
    return out


@dataclasses.dataclass(frozen=True)
class _ExtendsMark(ir.Node):
    """Where ``{% extends %}`` stood (consumed by ``Lowerer.layout``)."""

    parent: str
    node: nodes.Node


# ----------------------------------------------------------------------------- scopes


@dataclasses.dataclass(eq=False)
class Region:
    """A function body of the generated code (component, loop body): consts may be hoisted to
    its top while nothing with side effects ran before them."""

    branch_depth: int = 0
    effects_seen: bool = False


@dataclasses.dataclass(eq=False)
class Scope:
    parent: "Scope | None"
    region: Region
    names: dict[str, ir.Binding] = dataclasses.field(default_factory=dict)
    mutables: dict[str, ir.Binding] = dataclasses.field(default_factory=dict)
    macro: ir.MacroInfo | None = None  # the scope of a macro body
    # variables of this scope that start from an outer one assigned in place (see entry_sets)
    entry_inits: list[ir.Binding] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(eq=False)
class LoopFrame:
    """A ``{% for %}`` body being lowered: where its ``{% break %}``/``{% continue %}`` may stand.
    The depths say what was open when the body started: a control must leave them as they were
    (Jinja would otherwise stop in the middle of an element, attribute value or comment)."""

    open_depth: int  # len(Lowerer.open_stack)
    wrapper_depth: int  # len(Lowerer.wrappers)
    flavor_depth: int  # len(Lowerer.flavors)
    controls: bool = False  # a break/continue of this loop was found


@dataclasses.dataclass(frozen=True)
class ControlBarrier:
    """A construct between a loop body and a ``{% break %}`` that the break cannot cross as
    Jinja means it: a function of its own (``function``: macro, call block, block — Python
    rejects the break) or a body Jinja captures into a buffer ({% set %} / {% filter %} blocks,
    the {% else %} of an inner loop), whose output and effects the break would cut short."""

    what: str
    function: bool
    hint: str = ""


# ----------------------------------------------------------------------------- the builder


class Lowerer(ExprLowering, FlaskLowering):
    def __init__(
        self,
        source: str,
        name: str,
        tree: nodes.Template,
        autoescape: bool,
        project: "Project | None" = None,
        env: jinja2.Environment | None = None,
        html_blocks: frozenset[str] = frozenset(),
        raw_blocks: frozenset[str] = frozenset(),
        text_blocks: frozenset[str] = frozenset(),
        macros_as_text: bool = False,
    ):
        self.name = name
        # a macro whose markup does not form elements gets an HTML form written as text; for
        # a problem a source rewrite may solve (STRUCTURE_CODES), only once rewrites are tried
        self.macros_as_text = macros_as_text
        # overrides written as the text Jinja writes, not read as elements (see block_def)
        self.text_blocks = text_blocks
        self.text_mode = False  # lowering such a body: its HTML is text (sub_lower)
        self.parent_renders_html = False  # the layout renders to an HTML string (extends)
        self._closer_visits: set[tuple[int, int, str]] = set()  # see _follows_closer_from
        # blocks standing in element content written as an HTML string (see lower_template)
        self.html_blocks = html_blocks
        # blocks whose element is written as an HTML string: configured (html_blocks), or
        # placed here in element content by an override while a layout makes them string-valued
        self.forced_html: frozenset[str] = raw_blocks | getattr(
            env, "jinja2tsx_html_blocks", {}
        ).get(name, frozenset())
        # what the layout chain binds at its top level (its macros, layout_imports)
        self.layout_bindings: dict[str, ir.Binding] = {}
        self.env = env or jinja2.Environment()
        # any `x.append(...)`-style call: containers built in the template may gain Markup later
        self.mutates = any(
            isinstance(c.node, nodes.Getattr) and c.node.attr in MUTATING_METHODS
            for c in index_of(tree).of(nodes.Call)
        )
        self.project = project
        self.init_flask(tree)
        self.macros: list[ir.MacroInfo] = []
        self.parent_macros: tuple[ir.MacroInfo, ...] = ()  # the layout's exported macros
        self.app_names = app_names_of(self.env)
        self.called_app_globals = called_app_globals(tree, self.app_names)
        self.app_uses: list[AppUse] = []
        self.assumptions: list[tuple[ir.Expr, str, str]] = []  # configured template names
        # calls of this template's context-reading macros: (macro, names known then, call)
        self.macro_calls_checked: list[tuple[ir.MacroInfo, int, nodes.Node]] = []
        self.source = source
        self.autoescape = autoescape  # the template's; autoescape_at(node) for a node's
        self.scoped_autoescape = scoped_autoescape(tree)
        flat = _Flattener(source, autoescape, self.scoped_autoescape)
        flat.body(tree.body)
        self.flat = flat
        self.items = flat.items
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.anchor_keys = [a[0] for a in flat.anchors]
        self.hole_offsets: list[int] = []
        text = flat.text_value()
        self.hole_offsets = hole_offsets(text)
        try:
            self.toks: list[HtmlToken] = scan(text)
        except HtmlSyntaxError as exc:
            self.html_error(exc, text)
        self.pos = 0
        self.props: dict[str, ir.Binding] = {}
        # {% include %}s of this template itself (see self_include)
        self.self_includes: list[tuple[nodes.Include, ir.Include]] = []
        self.extends_prefix: list[ir.Node] = []  # output before {% extends %} (child_body)
        self.left_out: list[tuple[ir.MacroInfo, int]] = []  # macros left out, with their lines
        self.nested_bodies = 0  # macro, call and block bodies being lowered (nested_body)
        self.stray_end_tags: set[str] = set()  # end tags without start tag at the top level
        self.open_at_end: set[str] = set()  # elements the end of the template closes
        self.root_region = Region()
        self.scope = Scope(None, self.root_region)
        self.wrappers: list[tuple[nodes.Expr, tuple[str, ...]]] = []  # test, tags outermost first
        self.svg_depth = 0
        self.loop_recursive: dict[int, bool] = {}
        self.extends_seen = False
        self.extends_line = 1
        self.index = index_of(tree)
        self.extends_any = bool(self.index.of(nodes.Extends))  # anywhere in the template
        self.root_stores = root_stores(tree)  # name → (position, line) of its top-level sets
        self.macro_positions: dict[int, tuple[int, int]] = {}  # id(MacroInfo) → position, line
        self.parent_scoped: dict[str, tuple[str, ...]] = {}  # the parent chain's scoped blocks
        self.blocks_before_extends: list[nodes.Block] = []
        self.parent_sets: frozenset[str] = frozenset()  # top-level {% set %} names of the chain
        self.flavors: list[str] = []  # string contexts being lowered (innermost last)
        self.attr_quote = '"'  # how the attribute value being lowered is quoted
        self.open_stack: list[str] = []  # names of the elements being built, outermost first
        self.i18n = i18n.settings(self.env)  # None: no i18n extension
        self.loop_frames: list[LoopFrame | ControlBarrier] = []  # innermost last
        self.form_names = formdetect.form_names(
            tree, formdetect.imported_macro_params(tree, self._load_quietly)
        )

    def _load_quietly(self, name: str, line: int) -> ir.Template | None:
        """An imported template for the form analysis; its problems are reported where the
        import itself is lowered."""
        if self.project is None:
            return None
        try:
            return self.project.load(name, self.name, line)
        except ConversionError:
            return None

    def form_binding(self, name: str, kind: Literal["prop", "param"]) -> ir.Binding:
        """A prop or parameter; one that may hold WTForms objects (``formdetect``) may hold
        Markup inside it (a prop: a form's fields) or be Markup-like itself (a parameter)."""
        if name not in self.form_names:
            return ir.Binding(name, kind)
        if kind == "prop":
            return ir.Binding(name, kind, content="maybe")
        return ir.Binding(name, kind, safety="maybe", content="maybe")

    def html_error(self, exc: HtmlSyntaxError, text: str) -> NoReturn:
        line, col = self.position(exc.offset)
        start = max(0, exc.offset - 2)
        if re.search("</?" + HOLE, text[start : exc.offset + 3]):
            raise ConversionError("H104", "Jinja code inside a tag name", line, col)
        if HOLE in text[start : exc.offset + 1] and text[exc.offset :].lstrip().startswith("="):
            raise ConversionError("H104", "Jinja code inside an attribute name", line, col)
        raise ConversionError("H001", str(exc), line, col)

    # -- positions ------------------------------------------------------------------------

    def position(self, offset: int) -> tuple[int, int]:
        """Holed-text offset → (line, column) in the template source (1-based)."""
        holes_before = bisect.bisect_left(self.hole_offsets, offset)
        if holes_before < len(self.hole_offsets) and self.hole_offsets[holes_before] == offset:
            return self.flat.hole_lines[holes_before], 1
        i = bisect.bisect_right(self.anchor_keys, offset) - 1
        if i < 0:
            return 1, 1
        holed_start, source_start = self.flat.anchors[i]
        src = source_start + (offset - holed_start)
        line = bisect.bisect_right(self.line_starts, src)
        return line, src - self.line_starts[line - 1] + 1

    def fail(
        self,
        code: str,
        message: str,
        offset: int | None = None,
        line: int | None = None,
        hint: str = "",
    ) -> NoReturn:
        col = 1
        if offset is not None:
            line, col = self.position(offset)
        raise ConversionError(code, message, line or 1, col, hint)

    def node_fail(self, code: str, message: str, node: nodes.Node, hint: str = "") -> NoReturn:
        raise ConversionError(code, message, node.lineno or 1, 1, hint)

    # -- token cursor ---------------------------------------------------------------------

    def peek(self) -> HtmlToken | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def item_of(self, tok: HtmlToken | None) -> HoleItem | None:
        if isinstance(tok, HoleTok):
            return self.items[tok.hole.index]
        return None

    def tok_offset(self, tok: HtmlToken) -> int:
        if isinstance(tok, HoleTok):
            return tok.hole.offset
        return tok.offset

    # -- entry ----------------------------------------------------------------------------

    def lower(self) -> ir.Template:
        self.blocks: list[ir.BlockDef] = []
        self.block_names: set[str] = set()
        # what the blocks being lowered render with (innermost last): a block nested in a
        # scoped block renders with the scope the outer one received, scoped itself or not
        self.block_scopes: list[tuple[ir.Binding, ...]] = []
        self.current_super: list[ir.Binding | None] = []
        self.super_used = False
        body = self.content(None)
        tok = self.peek()
        if tok is not None:
            if isinstance(tok, EndTagTok):
                self.fail("H102", f"end tag </{tok.name}> has no matching start tag", tok.offset)
            self.fail("H101", "unbalanced Jinja block", self.tok_offset(tok))  # pragma: no cover
        if self.extends_seen:
            body = self.child_body(body)
        self.check_self_includes()
        listed = getattr(self.env, "jinja2tsx_html_blocks", {}).get(self.name, frozenset())
        unknown = sorted(listed - self.block_names)
        if unknown:
            raise ConversionError(
                "T007",
                f"[tool.jinja2tsx.html_blocks] lists block {unknown[0]!r}, which {self.name} "
                "does not define",
                1,
                1,
                "List a block the template defines ({% block name %}), or remove the entry.",
            )
        layout = self.layout(body)
        # a macro reading a name the template also sets at its top level sees the set value
        # (Jinja's template context): it stays a closure of the component, never importable
        root_sets = {n for n, b in self.scope.names.items() if b.kind not in ("prop", "macro")}
        for info in self.macros:
            if root_sets.intersection(info.context_names):
                info.reads_locals = True
        for info, known, call in self.macro_calls_checked:
            if info.module_level and len(info.context_names) != known:
                self.node_fail(
                    "U001",
                    f"a call of the macro {info.name!r} before the definition of what it reads",
                    call,
                )
        return ir.Template(
            name=self.name,
            component=component_name(self.name),
            body=tuple(body),
            props=tuple(self.props.values()),
            autoescape=self.autoescape,
            macros=self.exported_macros(),
            layout=layout,
            app_uses=tuple(self.app_uses),
            assumptions=tuple(self.assumptions),
            left_out=tuple(self.left_out),
            stray_end_tags=tuple(sorted(self.stray_end_tags)),
            open_at_end=tuple(sorted(self.open_at_end)),
            p_closer=p_closer_of(body),
            # (extending a layout that renders to a string: so does this template; otherwise
            # the lowering loop decides from the top level, see lower_template)
            html_root=self.extends_line if layout is not None and layout.parent_html else None,
        )

    def exported_macros(self) -> tuple[ir.MacroInfo, ...]:
        """What importing this template gives: its top-level macros and, for a child template,
        its layout's (Jinja runs the layout's top level after the child's, so the layout's
        macro wins where both define one)."""
        # (Jinja's module exports no name starting with an underscore: lib._helper is undefined)
        exported = {m.name: m for m in self.macros if not m.name.startswith("_")}
        for m in self.parent_macros:
            if m.name.startswith("_"):
                continue
            if m.name in exported and exported[m.name] is not m:
                # the child's own macro of that name is what its own code calls; importers
                # would get the layout's: keep the name out of the module rather than guess
                del exported[m.name]
                continue
            exported[m.name] = m
        return tuple(exported.values())

    def child_body(self, body: list[ir.Node]) -> list[ir.Node]:
        """A child template renders only its parent: keep its definitions and statements
        (Jinja runs top-level sets before the parent renders), drop its other output. Output
        before the {% extends %} is written before the parent (``extends_prefix``): then what
        precedes the extends renders in place, in order, as the start of the component."""
        kept: list[ir.Node] = []
        before = True
        prefix: list[ir.Node] = []
        for n in body:
            if isinstance(n, _ExtendsMark):
                before = False
            elif before:
                prefix.append(n)
            if isinstance(
                n, (ir.Set, ir.SetAttr, ir.Do, ir.MacroDef, ir.Import, _ExtendsMark, ir.BlockRef)
            ):
                kept.append(n)
        if all(
            isinstance(n, ir.Comment)
            or isinstance(n, ir.Text)
            and blank(n.raw)
            or isinstance(n, (ir.Set, ir.SetAttr, ir.Do, ir.MacroDef, ir.Import, ir.BlockRef))
            for n in prefix
        ):
            return kept  # nothing written before the extends (but white space)
        from .emit import definitely_raw

        for n in prefix:
            if isinstance(n, (ir.SetAttr, ir.Do, ir.BlockRef)) or definitely_raw(n):
                what = {ir.BlockRef: "a {% block %}", ir.Do: "{% do %}", ir.SetAttr: "a set"}
                raise ConversionError(
                    "U001",
                    f"output before {{% extends %}} together with "
                    f"{what.get(type(n), 'raw HTML')}",
                    n.line,
                )
        # the prefix renders in order, with its sets, before the parent: keep the rest only
        self.extends_prefix = [n for n in prefix if not isinstance(n, (ir.MacroDef, ir.Import))]
        return [n for n in kept if n not in self.extends_prefix]

    def layout(self, body: list[ir.Node]) -> ir.Layout | None:
        extends = [n for n in body if isinstance(n, _ExtendsMark)]
        if not extends and not self.blocks:
            return None
        own = tuple((b.name, b.flavor) for b in self.blocks if b.flavor is not None)
        own_scoped = tuple((b.name, b.passes) for b in self.blocks if b.passes)
        sets = tuple(sorted(n for n, b in self.scope.names.items() if b.kind == "local"))
        own_quotes = tuple((b.name, b.quote) for b in self.blocks if b.flavor == "attr")
        if not extends:
            homes = tuple((b.name, self.name) for b in self.blocks)
            return ir.Layout(
                tuple(self.blocks),
                None,
                None,
                (),
                own,
                own_scoped,
                sets,
                homes=homes,
                quotes=own_quotes,
            )
        mark = extends[0]
        self.extends_line = mark.line
        parent = self.project_load(mark.parent, mark.node)
        inherited = parent.layout.flavors if parent.layout is not None else ()
        inherited_homes = parent.layout.homes if parent.layout is not None else ()
        inherited_quotes = parent.layout.quotes if parent.layout is not None else ()
        quoted = {n for n, _ in inherited_quotes}
        homed = {n for n, _ in inherited_homes}
        names = {n for n, _ in inherited}
        flavors = inherited + tuple((n, f) for n, f in own if n not in names)
        for b in self.blocks_before_extends:
            if b.name in self.parent_scoped:
                self.node_fail(
                    "U001",
                    f"block {b.name!r} is scoped in {mark.parent} but stands before "
                    "{% extends %}",
                    b,
                )
        scoped = tuple(self.parent_scoped.items())
        scoped += tuple((n, p) for n, p in own_scoped if n not in self.parent_scoped)
        props = []
        for p in parent.props:
            have = self._current(p.name)
            if have is None or have.kind in ("macro", "module", "caller"):
                continue
            self.forward_flask(p, have)
            props.append((p.name, ir.Var(mark.line, have)))
        sets = tuple(sorted(self.parent_sets | set(sets)))
        return ir.Layout(
            tuple(self.blocks),
            mark.parent,
            parent.component,
            tuple(props),
            flavors,
            scoped,
            sets,
            parent_has_blocks=parent.layout is not None,
            prefix=tuple(self.extends_prefix),
            homes=inherited_homes
            + tuple((b.name, self.name) for b in self.blocks if b.name not in homed),
            inherited=inherited,
            quotes=inherited_quotes + tuple((n, q) for n, q in own_quotes if n not in quoted),
            parent_html=parent.html_root is not None,
        )

    # -- content --------------------------------------------------------------------------

    def content(self, parent: str | None) -> list[ir.Node]:
        """Parse content until an end tag, a middle/close hole, EOF, or a start tag that closes
        ``parent`` implicitly. Stopping tokens are left for the caller."""
        out: list[ir.Node] = []
        while True:
            tok = self.peek()
            if tok is None:
                return out
            if isinstance(tok, EndTagTok):
                if tok.name in self.open_stack:
                    return out  # the caller's (or an enclosing block's) element
                # No such element is open: HTML5 ignores the end tag, except </p> and </br>,
                # which create an element. Reproduce exactly what the browser builds -- where
                # this markup is the whole document, or where an element open here bounds the
                # parser's search (`<td><p><form>…</form></p>`: the <p> ends at <form>, the
                # </p> makes an empty one). A page's parts are written inside other markup (a
                # macro or call body where its caller writes it, a block inside its layout, a
                # template where it is included) where the end tag may close an element
                # around them. A void element is never open anywhere: its end tag is dropped
                # everywhere, and </br> is a <br> everywhere.
                if tok.name not in VOID_ELEMENTS and not end_tag_stays_inside(
                    tok.name, self.open_stack
                ):
                    if self.nested_bodies:
                        self.fail(
                            "H102",
                            f"end tag </{tok.name}> has no start tag in this macro, call or "
                            "block body: where it is written, it may close an element around it",
                            tok.offset,
                        )
                    self.stray_end_tags.add(tok.name)
                self.pos += 1
                if tok.name in ("p", "br"):
                    line = self.position(tok.offset)[0]
                    out.append(ir.Element(line, tok.name, (), (), void=tok.name == "br"))
                continue
            if isinstance(tok, TextTok):
                self.pos += 1
                if (
                    tok.text.endswith("<")
                    and isinstance(self.peek(), HoleTok)
                    and not self.text_mode
                ):
                    self.fail(
                        "H104", "Jinja code inside a tag name", tok.offset + len(tok.text) - 1
                    )
                out.append(ir.Text(self.position(tok.offset)[0], tok.text))
            elif isinstance(tok, StartTagTok):
                if parent is not None and tok.name in IMPLIED_BY.get(parent, ()):
                    return out
                self.pos += 1
                out.append(self.element(tok))
            elif isinstance(tok, RawTextTok):
                self.pos += 1
                out.append(self.raw_text_element(tok))
            elif isinstance(tok, CommentTok):
                self.pos += 1
                out.append(
                    ir.Comment(self.position(tok.offset)[0], tuple(self.parts_content(tok.parts)))
                )
            elif isinstance(tok, DoctypeTok):
                self.pos += 1
                out.append(ir.Doctype(1, tok.text))
            else:
                item = self.items[tok.hole.index]
                if item.kind in ("mid", "close"):
                    return out
                if item.kind == "open" and self.wrappers and self.closes_wrapper(item):
                    return out
                self.pos += 1
                out.extend(self.hole(item, tok.hole))

    def hole(self, item: HoleItem, ref: HoleRef) -> list[ir.Node]:
        node = item.node
        if item.kind == "expr":
            expr = self.expr(node)  # type: ignore[arg-type]
            self.check_printable(expr, node)
            self.note_effects(expr)
            return [ir.Output(node.lineno, expr, self.safety(expr), item.autoescape)]
        if item.kind == "stmt":
            return self.statement(node)
        return self.block(item, ref)

    def expect_hole(self, node: nodes.Node, kinds: tuple[str, ...]) -> HoleItem:
        tok = self.peek()
        item = self.item_of(tok)
        if item is not None and item.node is node and item.kind in kinds:
            self.pos += 1
            return item
        if tok is None:
            self.node_fail("H101", "element left open at the end of a Jinja block", node)
        if isinstance(tok, EndTagTok):
            self.fail(
                "H101",
                f"end tag </{tok.name}> closes an element opened outside this Jinja block "
                f"(line {node.lineno})",
                tok.offset,
            )
        self.fail(
            "H101",
            f"Jinja block on line {node.lineno} ends inside an element",
            self.tok_offset(tok),
        )

    # -- blocks ---------------------------------------------------------------------------

    def block(self, item: HoleItem, ref: HoleRef) -> list[ir.Node]:
        node = item.node
        if isinstance(node, nodes.If):
            wrapped = self.try_wrapper(node)
            if wrapped is None:
                wrapped = self.try_nested_wrapper(node)
            if wrapped is not None:
                return wrapped
            variant = self.try_variant_start_tag(node)
            if variant is not None:
                return variant
            return [self.if_block(node)]
        if isinstance(node, nodes.For):
            return [self.for_block(node)]
        if isinstance(node, nodes.With):
            return self.with_block(node)
        if isinstance(node, nodes.AssignBlock):
            return self.assign_block(node)
        if isinstance(node, nodes.FilterBlock):
            return [self.filter_block(node)]
        if isinstance(node, (nodes.ScopedEvalContextModifier, nodes.Scope)):
            outer = self.scope
            self.scope = Scope(outer, outer.region)
            with self.control_barrier(
                (
                    "an {% autoescape %} block"
                    if isinstance(node, nodes.ScopedEvalContextModifier)
                    else None
                ),
                hint="Jinja would skip restoring the autoescape setting; move the control out "
                "of the block.",
            ):
                body = self.content(None)
            self.expect_hole(node, ("close",))
            body[:0] = self.entry_sets(self.scope, node.lineno)
            self.scope = outer
            return body
        self.node_fail("U001", f"{type(node).__name__} blocks are not supported yet", node)

    def branch(self, node: nodes.Node) -> list[ir.Node]:
        region = self.scope.region
        region.branch_depth += 1
        body = self.content(None)
        region.branch_depth -= 1
        return body

    def if_block(self, node: nodes.If) -> ir.If:
        branches: list[tuple[ir.Expr, tuple[ir.Node, ...]]] = []
        tests = cast("list[nodes.Expr]", [node.test] + [e.test for e in node.elif_])
        otherwise: list[ir.Node] = []
        test = self.expr(tests[0])
        self.note_effects(test)
        body = self.branch(node)
        branches.append((test, tuple(body)))
        while True:
            item = self.expect_hole(node, ("mid", "close"))
            if item.kind == "close":
                break
            if item.branch == -1:
                otherwise = self.branch(node)
            else:
                test = self.expr(tests[item.branch])
                body = self.branch(node)
                branches.append((test, tuple(body)))
        return ir.If(node.lineno, tuple(branches), tuple(otherwise))

    def for_block(self, node: nodes.For) -> ir.For:
        iterable = self.expr(cast(nodes.Expr, node.iter))
        self.note_effects(iterable)
        outer = self.scope
        region = Region()
        self.scope = Scope(outer, region)
        target = self.bind_target(
            cast(nodes.Expr, node.target), "loopvar", content_safety(iterable)
        )
        # Jinja also makes `loop` for a scoped block inside: an override may read it
        uses_loop = (
            node.recursive
            or bool(find_undeclared(node.iter_child_nodes(only=("body",)), ("loop",)))
            or any(b.scoped for b in node.find_all(nodes.Block))
        )
        condition = None
        if node.test is not None:
            # the filter runs before the loop object exists: `loop` is not visible to it
            condition = self.expr(cast(nodes.Expr, node.test))
        loop_binding = None
        if uses_loop:
            loop_binding = ir.Binding("loop", "loop")
            self.scope.names["loop"] = loop_binding
            self.loop_recursive[id(loop_binding)] = node.recursive
        frame = LoopFrame(len(self.open_stack), len(self.wrappers), len(self.flavors))
        self.loop_frames.append(frame)
        body = self.content(None)
        self.loop_frames.pop()
        self.scope = outer
        if region.effects_seen:  # the body runs where the loop stands: later sets come after
            outer.region.effects_seen = True
        otherwise: list[ir.Node] = []
        item = self.expect_hole(node, ("mid", "close"))
        if item.kind == "mid":
            # Jinja compiles the else after the Python loop: a break there is the outer loop's
            with self.control_barrier(
                "the {% else %} of an inner {% for %} loop",
                hint="Set a flag in a namespace there ({% set ns.empty = true %}) and test it "
                "after the inner loop: {% if ns.empty %}{% continue %}{% endif %}.",
            ):
                otherwise = self.branch(node)
            self.expect_hole(node, ("close",))
        return ir.For(
            node.lineno,
            target,
            iterable,
            tuple(body),
            tuple(otherwise),
            loop_binding,
            condition,
            node.recursive,
            frame.controls,
        )

    def with_block(self, node: nodes.With) -> list[ir.Node]:
        values = [self.expr(v) for v in node.values]
        outer = self.scope
        self.scope = Scope(outer, outer.region)
        out: list[ir.Node] = []
        for target, value in zip(node.targets, values):
            out.extend(self.assign(target, value, node))
        out.extend(self.content(None))
        self.expect_hole(node, ("close",))
        out[:0] = self.entry_sets(self.scope, node.lineno)
        self.scope = outer
        return out

    def assign_block(self, node: nodes.AssignBlock) -> list[ir.Node]:
        outer = self.scope
        self.scope = Scope(outer, outer.region)
        outer.region.branch_depth += 1  # the body's sets are local and evaluated in place
        with self.control_barrier(
            "a {% set %} block",
            hint="Jinja would drop the captured output and skip the assignment; move the "
            "control out of the block.",
        ):
            body = self.content(None)
        outer.region.branch_depth -= 1
        self.expect_hole(node, ("close",))
        body[:0] = self.entry_sets(self.scope, node.lineno)
        self.scope = outer
        value: ir.Expr = ir.MarkupOf(node.lineno, tuple(body))
        if node.filter is not None:
            value = self.filter_chain(node.filter, value)
            if self.autoescape_at(node):  # Jinja: (Markup if autoescape else identity)(...)
                value = ir.Filter(node.lineno, "safe", value, ())
        return self.assign(node.target, value, node)

    def filter_block(self, node: nodes.FilterBlock) -> ir.FilterBlock:
        outer = self.scope
        self.scope = Scope(outer, outer.region)
        outer.region.branch_depth += 1
        with self.control_barrier(
            "a {% filter %} block",
            hint="Jinja would drop the block's output; move the control out of the block.",
        ):
            body = self.content(None)
        outer.region.branch_depth -= 1
        self.expect_hole(node, ("close",))
        body[:0] = self.entry_sets(self.scope, node.lineno)
        self.scope = outer
        chain: list[ir.Filter] = []
        f: nodes.Expr | None = node.filter
        while isinstance(f, nodes.Filter):
            lowered = self.filter(f, None)
            assert isinstance(lowered, (ir.Filter, ir.AppCall))
            chain.append(lowered)  # type: ignore[arg-type]
            f = f.node
        return ir.FilterBlock(node.lineno, tuple(reversed(chain)), tuple(body))

    def filter_chain(self, f: nodes.Filter, value: ir.Expr) -> ir.Expr:
        inner = value if f.node is None else self.filter_chain(f.node, value)  # type: ignore[arg-type]
        return self.filter(f, inner)

    # -- one element whose start tag varies by branch ------------------------------------------

    def try_variant_start_tag(self, node: nodes.If) -> list[ir.Node] | None:
        """``{% if a %}<div class="x">{% elif b %}<div class="y">{% else %}<div>{% endif %}…</div>``
        is one element with conditional attributes: every branch holds only a start tag of the
        same element."""
        if not node.else_:
            return None
        branches: list[StartTagTok] = []
        sets: list[list[nodes.Assign]] = []  # `{% set %}`s before the start tag, per branch
        i = self.pos
        while True:
            sig_iter = self._sig_tokens(i)
            branch_sets: list[nodes.Assign] = []
            first = next(sig_iter, None)
            while first is not None:
                lead = self.item_of(first[1])
                if lead is None or lead.kind != "stmt" or not isinstance(lead.node, nodes.Assign):
                    break
                branch_sets.append(lead.node)
                first = next(sig_iter, None)
            second = next(sig_iter, None)
            if first is None or second is None:
                return None
            sets.append(branch_sets)
            (_, tag), (j2, marker) = first, second
            item = self.item_of(marker)
            if not isinstance(tag, StartTagTok) or item is None or item.node is not node:
                return None
            if any(isinstance(t, TextTok) and not blank(t.text) for t in self.toks[i:j2]):
                return None
            branches.append(tag)
            i = j2 + 1
            if item.kind == "close":
                break
        names = {t.name for t in branches}
        if len(names) != 1 or branches[0].name in VOID_ELEMENTS or branches[0].name in RAW_TEXT:
            return None
        tests = cast("list[nodes.Expr]", [node.test] + [e.test for e in node.elif_])
        if changes_names([a for branch in sets for a in branch], names_read(tests)):
            return None  # the conditions are evaluated again after the sets: they must not move
        exprs = [self.expr(t) for t in tests]
        if not all(self.pure(e) for e in exprs):
            return None
        hoisted: list[ir.Node] = []
        if any(sets):
            # the branches' `{% set %}`s run first, under the same (pure) conditions
            region = self.scope.region
            region.branch_depth += 1
            lowered = [tuple(n for a in b for n in self.statement(a)) for b in sets]
            region.branch_depth -= 1
            hoisted.append(ir.If(node.lineno, tuple(zip(exprs, lowered[:-1])), lowered[-1]))
        attr_lists = [tuple(self.attributes(t)) for t in branches]
        cond = ir.CondAttrs(tuple(zip(exprs, attr_lists[:-1])), attr_lists[-1])
        self.pos = i
        first_tag = branches[0]
        element = self.element(first_tag, attrs_override=[cond])
        return hoisted + [element]

    # -- the conditional wrapper pattern ------------------------------------------------------

    def _sig_tokens(self, start: int) -> Iterator[tuple[int, HtmlToken]]:
        i = start
        while i < len(self.toks):
            tok = self.toks[i]
            if not (isinstance(tok, TextTok) and blank(tok.text)):
                yield i, tok
            i += 1

    def try_wrapper(self, node: nodes.If) -> list[ir.Node] | None:
        """``{% if c %}<a …>{% endif %}…{% if c %}</a>{% endif %}`` → CondWrap."""
        if node.elif_ or node.else_:
            return None
        sig = self._sig_tokens(self.pos)
        first = next(sig, None)
        second = next(sig, None)
        if first is None or second is None:
            return None
        (i1, t1), (i2, t2) = first, second
        close = self.item_of(t2)
        if not isinstance(t1, StartTagTok) or t1.name in VOID_ELEMENTS:
            return None
        # `{% if c %}<div>…more…{% endif %}`: the start tag may be followed by more content
        # inside the opening block (rendered under the same condition)
        extra = not (close is not None and close.node is node and close.kind == "close")
        if extra:
            found = self._own_close(i1 + 1, node)
            if found is None:
                return None
            i2 = found
        ws_open = [t for t in self.toks[self.pos : i2] if isinstance(t, TextTok)]
        if ws_open and PREFORMATTED.intersection(self.open_stack):
            return None  # whitespace that <pre>/<textarea> would show: keep it simple and exact
        # find the closing twin at the same nesting level
        j = self._find_twin(i2 + 1, cast(nodes.Expr, node.test), (t1.name,))
        if j is None:
            return None
        if self._may_change(cast(nodes.Expr, node.test), i1 + 1, j):
            return None  # the closing twin could see another value of the condition
        test = self.expr(cast(nodes.Expr, node.test))
        if not self.pure(test):
            return None
        line = self.position(t1.offset)[0]

        def when(texts: list[str]) -> list[ir.Node]:
            """Whitespace written only when the condition holds, kept exactly."""
            text = "".join(texts)
            return [ir.If(line, ((test, (ir.Text(line, text),)),), ())] if text else []

        before = [t.text for t in self.toks[self.pos : i1] if isinstance(t, TextTok)]
        inside = [t.text for t in self.toks[i1 + 1 : i2] if isinstance(t, TextTok)]
        self.pos = i1 + 1
        attrs = self.attributes(t1)
        self.wrappers.append((cast(nodes.Expr, node.test), (t1.name,)))
        if extra:
            self.pos = i1 + 1
            region = self.scope.region
            region.branch_depth += 1
            more = self.content(None)
            region.branch_depth -= 1
            self.expect_hole(node, ("close",))
            opening: list[ir.Node] = [ir.If(line, ((test, tuple(more)),), ())] if more else []
        else:
            self.pos = i2 + 1
            opening = when(inside)
        children = self.content(None)
        self.wrappers.pop()
        # consume the closing twin: open, [whitespace] end tag [whitespace], close
        twin = self.item_of(self.peek())
        assert twin is not None
        self.pos += 1
        closing_inside: list[str] = []
        while not isinstance(self.peek(), EndTagTok):
            tok = self.peek()
            if isinstance(tok, TextTok):
                closing_inside.append(tok.text)
            self.pos += 1
        self.pos += 1
        after: list[str] = []
        while isinstance(self.peek(), TextTok):
            after.append(self.peek().text)  # type: ignore[union-attr]
            self.pos += 1
        self.expect_hole(twin.node, ("close",))
        element = ir.Element(line, t1.source_name, tuple(attrs), (), in_svg=self.svg_depth > 0)
        body = opening + children + when(closing_inside)
        wrap = ir.CondWrap(node.lineno, test, element, tuple(body))
        return when(before) + [wrap] + when(after)

    def _find_twin(self, start: int, test: nodes.Expr, tags: tuple[str, ...]) -> int | None:
        """The token index of the ``{% if test %}`` closing ``tags`` at the nesting level of
        ``start`` (None when the level ends first)."""
        depth = 0
        for j in range(start, len(self.toks)):
            item = self.item_of(self.toks[j])
            if item is None:
                continue
            if item.kind == "open" and depth == 0 and isinstance(item.node, nodes.If):
                if self._is_wrapper_close(j, item, test, tags):
                    return j
            if item.kind == "open":
                depth += 1
            elif item.kind == "close":
                depth -= 1
                if depth < 0:
                    return None
        return None

    def _may_change(self, test: nodes.Expr, start: int, end: int) -> bool:
        """Whether Jinja code between tokens ``start`` and ``end`` may change what ``test``
        reads (see ``changes_names``)."""
        items = (self.item_of(tok) for tok in self.toks[start:end])
        stmts = [i.node for i in items if i is not None and i.kind not in ("mid", "close")]
        return changes_names(stmts, names_read([test]))

    def _own_close(self, start: int, node: nodes.Node) -> int | None:
        """Index of ``node``'s closing hole from ``start`` (None when a branch of it comes
        first or it is missing)."""
        for j in range(start, len(self.toks)):
            item = self.item_of(self.toks[j])
            if item is not None and item.node is node:
                return j if item.kind == "close" else None
        return None

    def _is_wrapper_close(
        self, j: int, item: HoleItem, test: nodes.Expr, tags: tuple[str, ...]
    ) -> bool:
        """``item`` (at token ``j``) opens ``{% if test %}`` holding only the end tags of
        ``tags`` (innermost first) and whitespace."""
        other = item.node
        assert isinstance(other, nodes.If)
        if other.elif_ or other.else_ or other.test != test:
            return False
        toks = self.toks
        names = tags
        nested = len(names) > 1  # (comments between the end tags allowed there)

        def skippable(tok: HtmlToken) -> bool:
            if isinstance(tok, TextTok):
                return blank(tok.text)
            return nested and isinstance(tok, CommentTok)

        k = j + 1
        for tag in reversed(names):
            while k < len(toks) and skippable(toks[k]):
                k += 1
            if not (k < len(toks) and isinstance(toks[k], EndTagTok) and toks[k].name == tag):  # type: ignore[union-attr]
                return False
            k += 1
        while k < len(toks) and skippable(toks[k]):
            k += 1
        after = self.item_of(toks[k]) if k < len(toks) else None
        return after is not None and after.node is other and after.kind == "close"

    def try_nested_wrapper(self, node: nodes.If) -> list[ir.Node] | None:
        """``{% if c %}<div a><div b>{% endif %}…{% if c %}</div></div>{% endif %}``: several
        wrappers under one condition (comments and whitespace between the tags allowed)."""
        if node.elif_ or node.else_:
            return None
        toks = self.toks
        tags: list[tuple[int, StartTagTok]] = []
        i = self.pos
        while i < len(toks):
            tok = toks[i]
            item = self.item_of(tok)
            if item is not None:
                if item.node is node and item.kind == "close":
                    break
                return None
            if isinstance(tok, StartTagTok):
                if tok.name in VOID_ELEMENTS or tok.self_closing and self.svg_depth:
                    return None
                tags.append((i, tok))
            elif not (isinstance(tok, CommentTok) or isinstance(tok, TextTok) and blank(tok.text)):
                return None
            i += 1
        else:
            return None
        if len(tags) < 2:
            return None
        close = i
        names = tuple(t.name for _, t in tags)
        j = self._find_twin(close + 1, cast(nodes.Expr, node.test), names)
        if j is None:
            return None
        if PREFORMATTED.intersection(self.open_stack) or self._may_change(
            cast(nodes.Expr, node.test), self.pos, j
        ):
            return None
        test = self.expr(cast(nodes.Expr, node.test))
        if not self.pure(test):
            return None
        line = self.position(tags[0][1].offset)[0]

        def when(items: list[ir.Node]) -> list[ir.Node]:
            return [ir.If(line, ((test, tuple(items)),), ())] if items else []

        def markup(start: int, end: int) -> list[ir.Node]:
            """The whitespace and comments between tokens ``start`` and ``end``."""
            out: list[ir.Node] = []
            for tok in toks[start:end]:
                if isinstance(tok, TextTok):
                    out.append(ir.Text(line, tok.text))
                elif isinstance(tok, CommentTok):
                    out.append(
                        ir.Comment(
                            self.position(tok.offset)[0], tuple(self.parts_content(tok.parts))
                        )
                    )
            return out

        elements = []
        for _, t in tags:
            elements.append(
                ir.Element(
                    self.position(t.offset)[0],
                    t.source_name,
                    tuple(self.attributes(t)),
                    (),
                    in_svg=self.svg_depth > 0,
                )
            )
        leading = [markup(self.pos, tags[0][0])] + [
            markup(tags[n][0] + 1, tags[n + 1][0] if n + 1 < len(tags) else close)
            for n in range(len(tags))
        ]
        self.pos = close + 1
        self.wrappers.append((cast(nodes.Expr, node.test), names))
        children = self.content(None)
        self.wrappers.pop()
        # the closing twin: open, then (whitespace, end tag) per wrapper, whitespace, close
        twin = self.item_of(self.peek())
        assert twin is not None
        self.pos += 1
        trailing: list[list[ir.Node]] = []

        def spacing() -> list[ir.Node]:
            start = self.pos
            while isinstance(self.peek(), (TextTok, CommentTok)):
                self.pos += 1
            return markup(start, self.pos)

        for _ in tags:
            trailing.append(spacing())
            self.pos += 1  # the end tag
        after = spacing()
        self.expect_hole(twin.node, ("close",))
        # innermost first: trailing[0] is the whitespace before the innermost end tag
        body: list[ir.Node] = when(leading[-1]) + children + when(trailing[0])
        for n in range(len(tags) - 1, -1, -1):
            wrap = ir.CondWrap(node.lineno, test, elements[n], tuple(body))
            if n == 0:
                return when(leading[0]) + [wrap] + when(after)
            body = when(leading[n]) + [wrap] + when(trailing[len(tags) - n])
        raise AssertionError("unreachable")

    def closes_wrapper(self, item: HoleItem) -> bool:
        if not isinstance(item.node, nodes.If):
            return False  # a loop or other block inside the wrapped content
        test, tags = self.wrappers[-1]
        return self._is_wrapper_close(self.pos, item, test, tags)

    # -- elements -------------------------------------------------------------------------

    def element(
        self, tok: StartTagTok, attrs_override: list[ir.AttrItem] | None = None
    ) -> ir.Element:
        line = self.position(tok.offset)[0]
        attrs = self.attributes(tok) if attrs_override is None else attrs_override
        name = tok.name
        in_svg = self.svg_depth > 0 or name == "svg"
        if not in_svg:
            self.check_form_nesting(tok)
        if name in VOID_ELEMENTS and not in_svg:
            return ir.Element(line, tok.source_name, tuple(attrs), (), void=True, in_svg=in_svg)
        if in_svg and tok.self_closing:  # `<use href="#i"/>`: an empty element in SVG
            return ir.Element(line, tok.source_name, tuple(attrs), (), in_svg=True)
        if not in_svg and table_part_ignored(name, self.open_stack):
            self.fail(
                "H106",
                f"<{tok.source_name}> inside <{self.open_stack[-1]}>: the HTML parser ignores "
                "table tags outside a table",
                tok.offset,
            )
        if name == "svg":
            self.svg_depth += 1
        self.open_stack.append(name)
        children = self.content(name)
        self.open_stack.pop()
        if name == "svg":
            self.svg_depth -= 1
        nxt = self.peek()
        if name in OPTIONAL_END and not (isinstance(nxt, EndTagTok) and nxt.name == name):
            self.check_not_fostered(tok)
        if isinstance(nxt, EndTagTok) and nxt.name == name:
            self.pos += 1
        elif name in OPTIONAL_END and self.may_close_implicitly(name):
            # the component writes </p> at the end; where the browser ended the <p> before,
            # that </p> makes a new, empty paragraph (other end tags without an element open
            # in their scope are ignored)
            closer = closer_inside(children) if name == "p" else None
            if closer is not None:
                self.fail(
                    "H107",
                    f"<{tok.source_name}> has no end tag and holds a <{closer.tag}> inside a "
                    f"Jinja block or element (line {closer.line}), where the browser ends it",
                    tok.offset,
                )
        elif in_svg and name != "svg" and isinstance(nxt, EndTagTok) is False and nxt is not None:
            self.fail("H103", f"<{tok.source_name}> is never closed", tok.offset)
        else:
            if isinstance(nxt, EndTagTok) and name in OPTIONAL_END:
                self.fail(
                    "H103",
                    f"<{tok.source_name}> has no end tag, and </{nxt.name}> after it does not "
                    f"end it in the browser (the parser ignores or moves that end tag while "
                    f"<{name}> is open)",
                    tok.offset,
                )
            if nxt is None and self.nested_bodies and name in OPTIONAL_END:
                self.fail(
                    "H103",
                    f"<{tok.source_name}> has no end tag at the end of a block, macro or call "
                    "body: what is written after the body goes on inside it in the browser",
                    tok.offset,
                    hint=f"Add </{name}> before the end of the body.",
                )
            if nxt is None or isinstance(nxt, EndTagTok):
                self.fail(
                    "H103",
                    f"<{tok.source_name}> is never closed",
                    tok.offset,
                    hint=f"Add </{name}> where the element ends, inside the same Jinja block.",
                )
            self.fail(
                "H101",
                f"<{tok.source_name}> is opened inside a Jinja block and closed outside it",
                tok.offset,
            )
        return ir.Element(line, tok.source_name, tuple(attrs), tuple(children), in_svg=in_svg)

    def may_close_implicitly(self, name: str) -> bool:
        """Closing ``name`` here gives the browser's tree only if what follows would close it:
        an end tag, the end of the template, or a start tag implying its end. (The end of a
        block, macro or call body is not the end of the output: what the layout, the caller or
        the rest of the template writes next goes on inside the element in the browser.)"""
        nxt = self.peek()
        if nxt is None:
            return self.closed_by_end(name)
        if isinstance(nxt, EndTagTok):
            return end_tag_ends(name, nxt.name)
        if isinstance(nxt, StartTagTok):
            return nxt.name in IMPLIED_BY.get(name, ())
        item = self.item_of(nxt)
        if item is None or item.kind not in ("mid", "close"):
            return False
        # At the end of a Jinja block: look past the block's end.
        return self._follows_closer(item.node, name)

    def _follows_closer(self, block: nodes.Node, name: str) -> bool:
        i = self.pos
        while i < len(self.toks):
            it = self.item_of(self.toks[i])
            if it is not None and it.node is block and it.kind == "close":
                break
            i += 1
        if isinstance(block, nodes.For):
            # the next pass of the loop follows too: its body's start must close the element
            start = self.pos
            while start >= 0:
                it = self.item_of(self.toks[start])
                if it is not None and it.node is block and it.kind == "open":
                    break
                start -= 1
            if start < 0 or not self._closes_from(start + 1, name):
                return False
        return self._closes_from(i + 1, name)

    def _closes_from(self, i: int, name: str) -> bool:
        """Does what follows token ``i`` (past white space) end an open ``<name>``?"""
        for _, tok in self._sig_tokens(i):
            if isinstance(tok, EndTagTok):
                if tok.name in self.open_stack:
                    return end_tag_ends(name, tok.name)
                if tok.name in ("p", "br"):
                    return False  # the parser makes an element of it, inside the open one
                continue  # no such element open: the parser ignores the end tag (see content)
            if isinstance(tok, StartTagTok):
                return tok.name in IMPLIED_BY.get(name, ())
            it = self.item_of(tok)
            if it is None or it.kind == "expr":
                return False
            if it.kind == "stmt":
                continue
            if it.kind in ("close", "mid"):
                return self._follows_closer_from(it.node, name, tok)
            # an opening block: what starts it must close the element too
            continue
        return self.closed_by_end(name)

    def closed_by_end(self, name: str) -> bool:
        """At the end of the tokens, is an open ``<name>`` closed? At the end of the template
        (remembered: an include of the template must be followed by what closes it); not at
        the end of a block, macro or call body, after which more output follows. An open
        ``<html>`` or ``<body>`` is closed anywhere: the parser puts what follows their end
        tags into the body all the same."""
        if name in ("html", "body"):
            return True
        if self.nested_bodies:
            return False
        self.open_at_end.add(name)
        return True

    def _follows_closer_from(self, block: nodes.Node, name: str, tok: HtmlToken) -> bool:
        saved = self.pos
        self.pos = self.toks.index(tok)
        key = (id(block), self.pos, name)
        if key in self._closer_visits:
            # back where this question was asked (a loop whose passes may write nothing):
            # that path adds no follower the other paths do not check
            self.pos = saved
            return True
        self._closer_visits.add(key)
        try:
            return self._follows_closer(block, name)
        finally:
            self._closer_visits.discard(key)
            self.pos = saved

    def check_not_fostered(self, tok: StartTagTok) -> None:
        """An element whose end tag the template omits, written straight inside a table (not
        in a cell): the HTML parser moves it before the table ("foster parenting"), where
        other rules find its end than where it is written: refused (H111)."""
        if tok.name not in TABLE_PARTS and self.open_stack and self.open_stack[-1] in TABLE_ROWS:
            self.fail(
                "H111",
                f"<{tok.source_name}> inside <{self.open_stack[-1]}> with no end tag: the HTML "
                "parser moves it out of the table",
                tok.offset,
            )

    def check_form_nesting(self, tok: StartTagTok) -> None:
        """Form tags the HTML parser does not nest as written: an ``<input>``, ``<textarea>``,
        ``<keygen>`` or ``<select>`` inside an open ``<select>`` ends the select there (an
        ``<option>`` after it is not ended by ``</select>``); a ``<form>`` inside an open form
        is ignored (and so does not end a ``<p>`` before it, as a first ``<form>`` does)."""
        if self.svg_depth:
            return
        if tok.name in SELECT_CLOSERS and "select" in self.open_stack:
            self.fail(
                "H110",
                f"<{tok.source_name}> inside <select>: the HTML parser ends the <select> there",
                tok.offset,
            )
        if tok.name == "form" and "form" in self.open_stack:
            self.fail(
                "H110",
                f"<{tok.source_name}> inside <form>: the HTML parser ignores it",
                tok.offset,
            )

    def raw_text_element(self, tok: RawTextTok) -> ir.Element:
        line = self.position(tok.offset)[0]
        self.check_form_nesting(tok.tag)
        attrs = self.attributes(tok.tag)
        flavor = "html" if tok.tag.name in ("script", "style") else "text"
        children = self.parts_content(tok.content, flavor)
        return ir.Element(line, tok.tag.source_name, tuple(attrs), tuple(children), raw_text=True)

    def parts_content(self, parts: list[ValuePart], flavor: str = "html") -> list[ir.Node]:
        """Content of an attribute value, comment or raw-text element (text and holes only).
        ``flavor`` says how it is emitted: as HTML ("html"), or as decoded text ("attr",
        "text"); blocks inside it become string-valued slots."""
        self.flavors.append(flavor)
        try:
            return self._parts_content(parts)
        finally:
            self.flavors.pop()

    def _parts_content(self, parts: list[ValuePart]) -> list[ir.Node]:
        saved_toks, saved_pos = self.toks, self.pos
        sub: list[HtmlToken] = []
        for part in parts:
            if isinstance(part, str):
                offset = 0
                sub.append(TextTok(part, offset))
            else:
                sub.append(HoleTok(part))
        # give text tokens their real offsets for positions
        self.toks, self.pos = sub, 0
        try:
            out = self.content(None)
            if self.pos != len(sub):
                self.fail(
                    "H101",
                    "Jinja block crosses the end of an attribute value or raw text",
                    self.tok_offset(sub[self.pos]),
                )
            return out
        finally:
            self.toks, self.pos = saved_toks, saved_pos

    # -- attributes -----------------------------------------------------------------------

    def attributes(self, tok: StartTagTok) -> list[ir.AttrItem]:
        items = tok.attrs
        after_name = False
        for i, a in enumerate(items):
            if (
                isinstance(a, HoleRef)
                and a.offset == tok.name_end
                and self.items[a.index].kind in ("expr", "stmt")
                and not spaced_xmlattr(self.items[a.index].node)
            ):
                item = self.items[a.index]
                if item.kind == "stmt" and not isinstance(item.node, nodes.Block):
                    self.fail(
                        "H104", f"Jinja code inside the tag name <{tok.source_name}…>", a.offset
                    )
                # `<html{% block attrs %}{% endblock %}>`, `<div{{ attrs }}>`: attribute text,
                # checked at run time not to continue the tag name
                after_name = i == 0
            if isinstance(a, Attr) and i + 1 < len(items):
                nxt = items[i + 1]
                if (
                    isinstance(nxt, HoleRef)
                    and nxt.offset == a.name_end
                    and a.value is None
                    and self.items[nxt.index].kind in ("expr", "stmt")
                ):
                    self.fail(
                        "H104", f"Jinja code inside the attribute name {a.name!r}", nxt.offset
                    )
            if isinstance(a, Attr) and a.value is None and i > 0:
                prev = items[i - 1]
                if (
                    isinstance(prev, HoleRef)
                    and prev.offset + 1 == a.offset
                    and self.items[prev.index].kind in ("expr", "stmt")
                ):
                    self.fail(
                        "H104", f"Jinja code inside the attribute name {a.name!r}", prev.offset
                    )
        result, k = self.attr_items(items, 0, None)
        if after_name and isinstance(result[0], ir.DynAttrs):  # the hole is the first item
            result[0] = dataclasses.replace(result[0], after_name=True)
        return result

    def attr_items(
        self, items: list[Attr | HoleRef], k: int, block: nodes.Node | None
    ) -> tuple[list[ir.AttrItem], int]:
        out: list[ir.AttrItem] = []
        while k < len(items):
            a = items[k]
            if isinstance(a, Attr):
                # unquoted: "w" when more of the tag follows (an empty value then takes the next
                # attribute's text as its own), else "s"
                quote = a.quote or ("w" if k + 1 < len(items) else "s")
                saved_quote, self.attr_quote = self.attr_quote, quote
                try:
                    value = (
                        None
                        if a.value is None
                        else ir.AttrValue(tuple(self.parts_content(a.value, "attr")), quote)
                    )
                finally:
                    self.attr_quote = saved_quote
                out.append(ir.Attribute(a.name, value))
                k += 1
                continue
            item = self.items[a.index]
            if item.kind in ("mid", "close"):
                if item.node is not block:
                    self.fail("H101", "Jinja block crosses a start tag", a.offset)
                return out, k
            k += 1
            node = item.node
            if item.kind == "expr":
                expr = self.expr(node)  # type: ignore[arg-type]
                out.append(ir.DynAttrs(expr, item.autoescape))
            elif item.kind == "stmt" and isinstance(node, nodes.Block):
                # `<html{% block attrs %}{% endblock %}>`: the block writes attribute text
                self.flavors.append("html")
                ref = self.block_def(node)
                self.flavors.pop()
                out.append(ir.DynAttrs(ir.BlockText(node.lineno, ref.name), item.autoescape))
            elif item.kind == "open" and isinstance(node, nodes.If):
                tests = cast("list[nodes.Expr]", [node.test] + [e.test for e in node.elif_])
                branches: list[tuple[ir.Expr, tuple[ir.AttrItem, ...]]] = []
                otherwise: list[ir.AttrItem] = []
                body, k = self.attr_items(items, k, node)
                test = self.expr(tests[0])
                if not self.pure(test):
                    self.node_fail("U002", "condition with side effects inside a start tag", node)
                branches.append((test, tuple(body)))
                while True:
                    marker = items[k]
                    assert isinstance(marker, HoleRef)
                    m = self.items[marker.index]
                    k += 1
                    if m.kind == "close":
                        break
                    body, k = self.attr_items(items, k, node)
                    if m.branch == -1:
                        otherwise = body
                    else:
                        branches.append((self.expr(tests[m.branch]), tuple(body)))
                out.append(ir.CondAttrs(tuple(branches), tuple(otherwise)))
            else:
                self.fail(
                    "H104",
                    f"{statement_label(node)} inside a start tag produces attribute names at "
                    "run time",
                    a.offset,
                )
        if block is not None:
            self.fail("H101", "Jinja block crosses the end of a start tag", None, block.lineno)
        return out, k

    # -- statements -----------------------------------------------------------------------

    def statement(self, node: nodes.Node) -> list[ir.Node]:
        if isinstance(node, nodes.Assign):
            value = self.expr(cast(nodes.Expr, node.node))
            return self.assign(node.target, value, node)
        if isinstance(node, nodes.Macro):
            defined = self.macro_def(node)
            return [defined] if defined is not None else []
        if isinstance(node, nodes.CallBlock):
            call = self.call_block(node)
            return [ir.Output(node.lineno, call, "yes")]
        if isinstance(node, (nodes.Import, nodes.FromImport)):
            return [self.import_stmt(node)]
        if isinstance(node, nodes.Include):
            return self.include(node)
        if isinstance(node, nodes.Extends):
            return [self.extends(node)]
        if isinstance(node, nodes.Block):
            return [self.block_def(node)]
        if isinstance(node, nodes.ExprStmt):
            return [self.do(node)]
        if isinstance(node, (nodes.Break, nodes.Continue)):
            return [self.loop_control(node)]
        self.node_fail("U001", f"{statement_label(node)} is not supported yet", node)

    def do(self, node: nodes.ExprStmt) -> ir.Do:
        """``{% do expr %}``: evaluated where it stands. Later ``set``s are then assigned in
        place too (``note_effects``), so they see what the expression changed."""
        expr = self.expr(cast(nodes.Expr, node.node))
        self.note_effects(expr)
        return ir.Do(node.lineno, expr)

    def loop_control(self, node: nodes.Break | nodes.Continue) -> ir.LoopControl:
        label = statement_label(node)
        top = self.loop_frames[-1] if self.loop_frames else None
        if isinstance(top, LoopFrame):
            if len(self.flavors) != top.flavor_depth:
                self.node_fail(
                    "U001",
                    f"{label} inside an attribute value, comment or raw-text element: Jinja would "
                    "stop writing in the middle of it",
                    node,
                    "Move the condition and the control to the loop body, outside the markup.",
                )
            if len(self.open_stack) != top.open_depth or len(self.wrappers) != top.wrapper_depth:
                self.node_fail(
                    "U001",
                    f"{label} inside an HTML element of the loop body: Jinja would leave the "
                    "element unclosed",
                    node,
                    "Test the condition before the element opens, e.g. "
                    "{% if skip %}{% continue %}{% endif %}<li>…</li>.",
                )
            top.controls = True
            # nothing after the control may be evaluated ahead of it (hoisted consts)
            self.scope.region.effects_seen = True
            kind: Literal["break", "continue"] = (
                "break" if isinstance(node, nodes.Break) else "continue"
            )
            return ir.LoopControl(node.lineno, kind)
        function: ControlBarrier | None = None  # the macro/call/block body it stands in
        for entry in reversed(self.loop_frames):
            if isinstance(entry, LoopFrame):
                assert isinstance(top, ControlBarrier)
                self.node_fail("U001", f"{label} inside {top.what} in a loop body", node, top.hint)
            if entry.function:
                function = entry
                break
        where = f" of {function.what} (a function of its own)" if function else ""
        self.node_fail(
            "J001",
            f"{label} outside a {{% for %}} loop{where}",
            node,
            "Jinja compiles it to a Python break/continue outside a loop, which fails "
            "(SyntaxError) when the template is loaded.",
        )

    @contextlib.contextmanager
    def nested_body(self) -> Iterator[None]:
        """A macro, call or block body: its output is written inside markup it does not see."""
        self.nested_bodies += 1
        try:
            yield
        finally:
            self.nested_bodies -= 1

    @contextlib.contextmanager
    def control_barrier(
        self, what: str | None, function: bool = False, hint: str = ""
    ) -> Iterator[None]:
        """Lower a body that a ``{% break %}`` of an enclosing loop cannot cross (no-op for
        ``None``)."""
        if what is None:
            yield
            return
        self.loop_frames.append(ControlBarrier(what, function, hint))
        try:
            yield
        finally:
            self.loop_frames.pop()

    def assign(self, target: nodes.Expr, value: ir.Expr, node: nodes.Node) -> list[ir.Node]:
        if isinstance(target, nodes.NSRef):
            obj = self.lookup(target.name, node.lineno)
            self.scope.region.effects_seen = True
            return [ir.SetAttr(node.lineno, ir.Var(node.lineno, obj), target.attr, value)]
        region = self.scope.region
        inline = region.branch_depth > 0 or region.effects_seen or not self.pure(value)
        self.note_effects(value)
        names = self._target_names(target)
        content = "maybe" if self.mutates else content_safety(value)
        # unpacking `a, b = x` binds items of x: their safety is x's content
        safety = content if isinstance(target, nodes.Tuple) else self.safety(value)
        lazy = None if isinstance(target, nodes.Tuple) else lazy_source(value)
        if inline:
            bindings = []
            for n in names:
                b = self.scope.mutables.get(n)
                if b is None:
                    b = ir.Binding(
                        n,
                        "local",
                        mutable=True,
                        safety=safety,
                        content=content,
                        initial=self._value_binding(n),
                        lazy=lazy,
                    )
                    self.scope.mutables[n] = b
                    if self._starts_from_outer_mutable(b):
                        self.scope.entry_inits.append(b)
                else:
                    b.lazy = b.lazy or lazy
                    if b.safety != safety:
                        b.safety = "maybe"
                    if b.content != content:
                        b.content = "maybe"
                self.scope.names[n] = b
                bindings.append(b)
            region.effects_seen = True
        else:
            bindings = []
            for n in names:
                b = ir.Binding(n, "local", safety=safety, content=content, lazy=lazy)
                self.scope.names[n] = b
                bindings.append(b)
        return [
            ir.Set(
                node.lineno,
                ir.Target(tuple(bindings), isinstance(target, nodes.Tuple)),
                value,
                inline,
            )
        ]

    def _starts_from_outer_mutable(self, b: ir.Binding) -> bool:
        """Does ``b`` (new in this scope) start from a variable of an enclosing scope of the same
        function that is assigned in place? Its declaration is hoisted to the function's top,
        before that variable changes: the scope's entry must copy the value (entry_sets)."""
        if b.initial is None or not b.initial.mutable:
            return False
        scope = self.scope.parent
        while scope is not None and scope.region is self.scope.region:
            if b.initial in scope.names.values() or b.initial in scope.mutables.values():
                return True
            scope = scope.parent
        return False

    def entry_sets(self, scope: Scope, line: int) -> list[ir.Node]:
        """At the start of an inner scope (with, filter or set block): its variables that start
        from an outer one take that one's value as it is there (Jinja's inner frame does)."""
        return [
            ir.Set(line, ir.Target((b,), False), ir.Var(line, b.initial), True)  # type: ignore[arg-type]
            for b in scope.entry_inits  # (each has an initial: _starts_from_outer_mutable)
        ]

    def _value_binding(self, name: str) -> ir.Binding | None:
        """The binding a conditionally assigned variable starts from, if it holds a value (a
        macro or module of the same name is shadowed, not copied)."""
        b = self._current(name)
        if b is not None and b.kind in ("macro", "module", "caller"):
            return None
        return b

    def _target_names(self, target: nodes.Expr) -> list[str]:
        if isinstance(target, nodes.Name):
            return [target.name]
        if isinstance(target, nodes.Tuple):
            out = []
            for item in target.items:
                if not isinstance(item, nodes.Name):
                    self.node_fail("U002", "nested unpacking targets", target)
                out.append(item.name)
            return out
        self.node_fail("U002", f"assignment to {type(target).__name__}", target)

    def bind_target(
        self, target: nodes.Expr, kind: Literal["loopvar"], safety: ir.Safety
    ) -> ir.Target:
        names = self._target_names(target)
        bindings = []
        for n in names:
            b = ir.Binding(n, kind, safety=safety, content=safety)
            self.scope.names[n] = b
            bindings.append(b)
        return ir.Target(tuple(bindings), isinstance(target, nodes.Tuple))

    def _bound(self, name: str) -> bool:
        scope: Scope | None = self.scope
        while scope is not None:
            if name in scope.names:
                return True
            scope = scope.parent
        return False

    def _current(self, name: str) -> ir.Binding | None:
        scope: Scope | None = self.scope
        crossed: list[ir.MacroInfo] = []
        found: ir.Binding | None = None
        while scope is not None:
            if name in scope.names:
                found = scope.names[name]
                break
            if scope.macro is not None:
                crossed.append(scope.macro)
            scope = scope.parent
        if found is None:
            if (
                name in JINJA_GLOBALS
                or name in FLASK_FUNCTIONS
                or (self.i18n and name in i18n.GETTEXT_GLOBALS)
            ):
                return None
            found = self.prop(name)
        if crossed and found.kind not in ("macro", "module"):
            self._check_later_store(name, crossed[-1])
            for info in crossed:
                info.context_free = False
                if found.kind == "prop":
                    if name not in info.context_names:
                        info.context_names.append(name)
                else:
                    info.reads_locals = True
        return found

    def _check_later_store(self, name: str, macro: ir.MacroInfo) -> None:
        """Jinja2's top-level macro reads a variable the template sets at its top level as it
        stands when the macro is called (a closure over the render function's variable); the
        generated macro reads the value it had where the macro is defined. Those agree unless a
        top-level {% set %} of the name comes after the definition."""
        if id(macro) not in self.macro_positions:
            return
        at, line = self.macro_positions[id(macro)]
        later = [ln for p, ln in self.root_stores.get(name, ()) if p > at]
        if later:
            raise ConversionError(
                "U007",
                f"macro {macro.name!r} reads {name!r}, which the template sets at its top level "
                f"after the macro (line {later[0]}): Jinja2's macro sees the value it has when "
                "called",
                line,
            )

    def _crossed_macros(self) -> list[ir.MacroInfo]:
        """The macros whose bodies are being lowered, innermost first."""
        out = []
        scope: Scope | None = self.scope
        while scope is not None:
            if scope.macro is not None:
                out.append(scope.macro)
            scope = scope.parent
        return out

    def prop(self, name: str) -> ir.Binding:
        b = self.props.get(name)
        if b is None:
            if name in REACT_RESERVED_PROPS:
                m = re.search(rf"\b{name}\b", self.source)
                self.fail(
                    "U005",
                    f"the context variable {name!r} cannot be passed to a React component",
                    m.start() if m else None,
                )
            b = self.form_binding(name, "prop")
            if self.is_flask_prop(name):
                b = dataclasses.replace(b, flask=True)
            self.props[name] = b
        return b

    def lookup(self, name: str, line: int) -> ir.Binding:
        b = self._current(name)
        if b is None:
            raise ConversionError("U002", f"the global {name!r} is not a value here", line)
        return b

    # -- composition ----------------------------------------------------------------------

    def parts_body(self, body: list[nodes.Node], flavor: str) -> list[ir.Node]:
        """A block inside a string context: its body is text and Jinja only (no tags)."""
        flat = _Flattener(self.source, self.autoescape, self.scoped_autoescape)
        flat.body(body)
        parts: list[ValuePart] = []
        k = 0
        text = flat.text_value()
        saved = (self.flat, self.items, self.anchor_keys, self.hole_offsets)
        # positions inside the body are the body's own (its holes, its anchors)
        self.flat, self.items = flat, flat.items
        self.anchor_keys = [a[0] for a in flat.anchors]
        self.hole_offsets = hole_offsets(text)
        try:
            buf = ""
            for ch in text:
                if ch == HOLE:
                    if buf:
                        parts.append(buf)
                        buf = ""
                    parts.append(HoleRef(k, 0))
                    k += 1
                else:
                    buf += ch
            if buf:
                parts.append(buf)
            return self.parts_content(parts, flavor)
        finally:
            self.flat, self.items, self.anchor_keys, self.hole_offsets = saved

    def sub_lower(self, body: list[nodes.Node], as_text: bool = False) -> list[ir.Node]:
        """Lower a nested body (macro, call block) with its own HTML scan: its tags must
        balance on their own, as they do for Jinja2's output of that body. ``as_text``: its HTML
        is not read, only its Jinja code (``htmlscan.text_tokens``): for a body written as an
        HTML string within one, exactly as Jinja writes it."""
        flat = _Flattener(self.source, self.autoescape, self.scoped_autoescape)
        flat.cursor = 0
        flat.body(body)
        text = flat.text_value()
        saved = (
            self.flat,
            self.items,
            self.toks,
            self.pos,
            self.anchor_keys,
            self.hole_offsets,
            self.open_stack,
            self.wrappers,
            self.text_mode,
        )
        self.flat, self.items = flat, flat.items
        self.anchor_keys = [a[0] for a in flat.anchors]
        self.hole_offsets = hole_offsets(text)
        self.open_stack, self.wrappers, self.pos = [], [], 0
        self.text_mode = as_text
        try:
            try:
                self.toks = text_tokens(text) if as_text else scan(text)
            except HtmlSyntaxError as exc:
                self.html_error(exc, text)
            out = self.content(None)
            tok = self.peek()
            if tok is not None:
                if isinstance(tok, EndTagTok):
                    self.fail(
                        "H101",
                        f"end tag </{tok.name}> closes an element opened outside this macro or call block",
                        tok.offset,
                    )
                self.fail("H101", "unbalanced Jinja block", self.tok_offset(tok))
            return out
        finally:
            (
                self.flat,
                self.items,
                self.toks,
                self.pos,
                self.anchor_keys,
                self.hole_offsets,
                self.open_stack,
                self.wrappers,
                self.text_mode,
            ) = saved

    def macro_body(self, node: nodes.Macro, scope: Scope, as_text: bool) -> list[ir.Node]:
        """A macro's body lowered in its scope (``sub_lower``); when that fails, the loop,
        flavor and super() stacks are as they were, for another attempt or the rest of the
        library."""
        depths = (len(self.loop_frames), len(self.flavors), len(self.current_super))
        self.scope = scope
        try:
            with self.control_barrier("a {% macro %}", function=True), self.nested_body():
                return self.sub_lower(node.body, as_text)
        except ConversionError:
            del self.loop_frames[depths[0] :], self.flavors[depths[1] :]
            del self.current_super[depths[2] :]
            raise

    def check_export_name(self, node: nodes.Macro) -> None:
        """A top-level macro is exported under its name and its HTML form under name_html: a
        second macro named like the first's HTML form (m and m_html), or a macro named like
        the module's other exports (its component is ``default``), has no name of its own."""
        name = node.name
        if name in ("default", "rendersHtml"):
            self.node_fail(
                "U009",
                f"a macro named {name!r}: the module exports "
                + ("its component" if name == "default" else "rendersHtml")
                + " under that name",
                node,
            )
        others = {m.name for m in self.macros if m.top_level}
        clash = name[: -len("_html")] if name.endswith("_html") else name + "_html"
        if clash in others:
            form, html = (clash, name) if name.endswith("_html") else (name, clash)
            self.node_fail(
                "U009",
                f"the macros {form!r} and {html!r}: {form}'s HTML form is exported as {html}",
                node,
            )

    def macro_def(self, node: nodes.Macro) -> ir.MacroDef | None:
        special = find_undeclared(node.body, ("caller", "kwargs", "varargs"))
        info = ir.MacroInfo(
            node.name,
            tuple(a.name for a in node.args),
            len(node.defaults),
            "varargs" in special,
            "kwargs" in special,
            "caller" in special,
            self.name,
            top_level=self.scope.parent is None and self.scope.macro is None,
        )
        if info.top_level:
            self.check_export_name(node)
        binding = ir.Binding(node.name, "macro", macro=info)
        self.scope.names[node.name] = binding
        if info.top_level:
            self.macro_positions[id(info)] = (self.index.position[id(node)], node.lineno)
        outer = self.scope
        self.scope = Scope(outer, Region(), macro=info)
        params = []
        for a in node.args:
            b = self.form_binding(a.name, "param")
            params.append(b)
        info.markup_params = frozenset(b.name for b in params if b.safety != "no")
        info.tested_params = frozenset(info.params) - names_read_outside_tests(node.body)
        info.iterated_params = frozenset(info.params) - names_used_beyond_iteration(node.body)
        defaults: list[ir.Expr | None] = [None] * (len(params) - len(node.defaults))
        for i, b in enumerate(params):
            if i >= len(params) - len(node.defaults):
                defaults.append(self.expr(node.defaults[i - (len(params) - len(node.defaults))]))
            self.scope.names[b.name] = b
        extras = {}
        for special_name in ("varargs", "kwargs", "caller"):
            if special_name in special:
                kind = "caller" if special_name == "caller" else "param"
                extras[special_name] = self.scope.names[special_name] = ir.Binding(
                    special_name, kind, content="maybe"  # type: ignore[arg-type]
                )
        macro_scope = self.scope
        as_text = False
        try:
            body = self.macro_body(node, macro_scope, as_text)
        except ConversionError as exc:
            if not info.top_level or exc.code in ("T001", "T002", "T003", "E001", "J001"):
                raise
            # A macro whose elements do not balance (Flask-AppBuilder's panel_begin opens the
            # <div>s that panel_end closes) has no JSX form; its HTML form writes its markup
            # as the text Jinja writes, and a call prints it as raw HTML (checked at run time
            # to end in content, as any HTML printed there)
            as_text = exc.code in SPLIT_MARKUP_CODES and (
                self.macros_as_text or exc.code not in STRUCTURE_CODES
            )
            try:
                if not as_text:
                    raise exc
                body = self.macro_body(node, macro_scope, as_text)
            except ConversionError:
                # one macro of a library that cannot be converted: the rest of the library can
                self.scope = outer
                info.broken_error = exc
                self.macros.append(info)
                self.left_out.append((info, node.lineno))
                return None
        self.scope = outer
        from .emit import body_jsx_ok

        info.jsx_ok = not as_text and body_jsx_ok(tuple(body))
        info.p_closer = p_closer_of(body)
        if outer.parent is None and outer.macro is None:
            self.macros.append(info)
        return ir.MacroDef(
            node.lineno,
            info,
            binding,
            tuple(params),
            tuple(defaults),
            extras.get("varargs"),
            extras.get("kwargs"),
            extras.get("caller"),
            tuple(body),
        )

    def bind_macro_args(
        self, info: ir.MacroInfo, call: nodes.Call, label: str
    ) -> tuple[tuple[ir.Expr | None, ...], tuple[ir.Expr, ...], tuple[tuple[str, ir.Expr], ...]]:
        if call.dyn_args is not None or call.dyn_kwargs is not None:
            # bound at run time (rt.callMacro): the arguments as written
            for kw in call.kwargs:
                if kw.key == "caller" and info.uses_caller:
                    self.node_fail("U002", "passing caller= explicitly", call)
            return (
                tuple(self.expr(a) for a in call.args),
                (),
                tuple((kw.key, self.expr(kw.value)) for kw in call.kwargs),
            )
        args: list[ir.Expr | None] = [None] * len(info.params)
        varargs: list[ir.Expr] = []
        for i, a in enumerate(call.args):
            if i < len(info.params):
                args[i] = self.expr(a)
            elif info.catch_varargs:
                varargs.append(self.expr(a))
            else:
                self.node_fail("U004", f"{label} takes at most {len(info.params)} arguments", call)
        kwargs: list[tuple[str, ir.Expr]] = []
        for kw in call.kwargs:
            if kw.key in info.params:
                i = info.params.index(kw.key)
                if args[i] is not None:
                    self.node_fail("U004", f"{label} got {kw.key!r} twice", call)
                args[i] = self.expr(kw.value)
            elif kw.key == "caller" and info.uses_caller:
                self.node_fail("U002", "passing caller= explicitly", call)
            elif info.catch_kwargs:
                kwargs.append((kw.key, self.expr(kw.value)))
            else:
                self.node_fail("U004", f"{label} has no parameter {kw.key!r}", call)
        while args and args[-1] is None and not varargs and not kwargs:
            args.pop()
        return tuple(args), tuple(varargs), tuple(kwargs)

    def macro_call(
        self, call: nodes.Call, caller: ir.CallerDef | None = None
    ) -> ir.MacroCall | None:
        func = call.node
        target = alias = None
        if isinstance(func, nodes.Name):
            if not self._bound(func.name):
                return None
            b = self._current(func.name)
            if b is None or b.kind != "macro" or b.macro is None:
                return None
            info = b.macro
            import_name = b.name
            target = b if b.macro.module == self.name else None
            alias_binding = b
            label = f"{func.name}()"
        elif isinstance(func, nodes.Getattr) and isinstance(func.node, nodes.Name):
            if not self._bound(func.node.name):
                return None
            b = self._current(func.node.name)
            if b is None or b.kind != "module" or b.module is None:
                return None
            module = self.project_load(b.module, call)
            infos = {m.name: m for m in module.macros}
            if func.attr not in infos:
                self.node_fail("U002", f"{b.module} defines no macro {func.attr!r}", call)
            info = infos[func.attr]
            alias, import_name, alias_binding, label = (
                b,
                func.attr,
                None,
                f"{func.node.name}.{func.attr}()",
            )
        else:
            return None
        self.check_callable_macro(info, call)
        if caller is not None and not info.uses_caller:
            # Jinja passes the caller as a keyword argument the macro does not take: a TypeError,
            # or (when it reads kwargs) the caller macro itself in kwargs
            self.node_fail(
                "U004",
                f"{{% call %}} of {label}, which never calls caller() (Jinja raises TypeError"
                + (", or puts the caller in its kwargs" if info.catch_kwargs else "")
                + ")",
                call,
                "Call the macro with {{ }} instead, or use caller() in it.",
            )
        context = self.macro_context(info, alias_binding or alias, call)
        args, varargs, kwargs = self.bind_macro_args(info, call, label)
        for param, a in [*zip(info.params, args), *(("*", v) for v in varargs), *kwargs]:
            lazy = lazy_source(a) if a is not None else None
            if lazy is not None and param not in info.iterated_params:
                self.node_fail(
                    "U102",
                    f"passing the generator returned by |{lazy} to {label}, which may print it "
                    "(or pass it on)",
                    call,
                    "Add |list after the filter.",
                )
        # A Markup argument (or one that may be): the macro's JSX form prints its parameters
        # as text, its HTML form escapes them at run time exactly as Jinja does -- use that one
        html_only = any(
            a is not None
            and param not in info.tested_params
            and param not in info.markup_params  # (its JSX form prints it as maybe-Markup)
            and (expr_safety(a) != "no" or content_safety(a) != "no")
            for param, a in zip(info.params, args)
        )
        if caller is not None:
            from .emit import needs_raw

            if any(needs_raw(n) for n in caller.body):
                # raw HTML at the root of the {% call %} body (a Markup value): no JSX
                # function can return it; the macro's HTML form takes the caller's HTML form
                html_only = True
        dynamic = call.dyn_args is not None or call.dyn_kwargs is not None
        if dynamic:
            # which parameter receives what is known only when it renders, and a spread value
            # may hold Markup: the HTML form escapes exactly as Jinja does
            html_only = True
        return ir.MacroCall(
            call.lineno,
            info,
            target if alias is None else None,
            alias,
            import_name,
            args,
            varargs,
            kwargs,
            caller if info.uses_caller else None,
            context,
            html_only,
            None if call.dyn_args is None else self.expr(call.dyn_args),
            None if call.dyn_kwargs is None else self.expr(call.dyn_kwargs),
            dynamic,
        )

    def macro_context(
        self, info: ir.MacroInfo, imported_as: ir.Binding | None, call: nodes.Node
    ) -> tuple[tuple[str, ir.Expr], ...]:
        """The context values a call passes to a macro that reads template variables.

        Same template: its own props. Imported ``with context``: the importer's context values
        (Jinja gives the module the importer's context at import time, so a name this template
        sets itself cannot be passed exactly: T004). Imported without context: only Flask's
        environment globals reach the module; other names are undefined there, as in Jinja."""
        if info.context_free:
            return ()
        line = call.lineno
        if info.module == self.name:
            if not info.module_level:
                # a closure over the template's variables: so is every macro that calls it
                for outer in self._crossed_macros():
                    outer.context_free = False
                    outer.reads_locals = True
                return ()
            self.macro_calls_checked.append((info, len(info.context_names), call))
            # the macro reads the template's context (not the caller's locals); a macro whose
            # body makes this call needs those values too
            for outer in self._crossed_macros():
                outer.context_free = False
                for n in info.context_names:
                    if n not in outer.context_names:
                        outer.context_names.append(n)
            return tuple((n, ir.Var(line, self.prop(n))) for n in info.context_names)
        if not info.module_level:
            self.node_fail(
                "T004",
                f"the imported macro {info.name!r} reads variables its template sets",
                call,
            )
        with_context = imported_as is not None and imported_as.with_context
        root = self.scope
        while root.parent is not None:
            root = root.parent
        passed = []
        for n in info.context_names:
            if not with_context and n not in FLASK_ENV_GLOBALS:
                if self.is_flask_prop(n):  # e.g. current_user: a context processor's value
                    self.node_fail(
                        "T004",
                        f"the macro {info.name!r} reads {n!r}, which Jinja leaves undefined in "
                        "a module imported without context (import it `with context`)",
                        call,
                    )
                continue  # undefined in the module, as in Jinja
            # the module sees the context as it was at the import: the template's context
            # value, whatever local variable has the name where the call stands
            b = root.names.get(n) or self.prop(n)
            if b.kind != "prop":
                self.node_fail(
                    "T004",
                    f"the imported macro {info.name!r} reads {n!r}, which this template sets "
                    "(Jinja's module sees its value at import time)",
                    call,
                )
            passed.append((n, ir.Var(line, b)))
        # a macro of this template making the call reads those context values too
        for outer in self._crossed_macros():
            outer.context_free = False
            for n, _ in passed:
                if n not in outer.context_names:
                    outer.context_names.append(n)
        return tuple(passed)

    def call_block(self, node: nodes.CallBlock) -> ir.MacroCall:
        if isinstance(node.call.node, nodes.ExtensionAttribute):  # an extension's block tag
            self.expr(node.call.node)
        outer = self.scope
        self.scope = Scope(outer, Region(), macro=None)
        params = []
        for a in node.args:
            b = self.form_binding(a.name, "param")
            self.scope.names[a.name] = b
            params.append(b)
        n_def = len(node.defaults)
        defaults: list[ir.Expr | None] = [None] * (len(params) - n_def) + [
            self.expr(d) for d in node.defaults
        ]
        with self.control_barrier("a {% call %} block", function=True), self.nested_body():
            body = self.sub_lower(node.body)
        self.scope = outer
        caller = ir.CallerDef(tuple(params), tuple(defaults), tuple(body))
        result = self.macro_call(node.call, caller)
        if result is None:
            self.node_fail("U002", "{% call %} of something that is not a macro", node)
        return result

    def project_load(self, name: str, node: nodes.Node) -> ir.Template:
        if self.project is None:
            self.node_fail(
                "U001", f"templates other than this one ({name!r}) need a templates folder", node
            )
        return self.project.load(name, self.name, node.lineno or 1)

    def template_name(self, expr: nodes.Expr, node: nodes.Node) -> str:
        if isinstance(expr, nodes.Const) and isinstance(expr.value, str):
            return expr.value
        path = dotted_path(expr)
        known: dict[str, str] = getattr(self.env, "jinja2tsx_template_names", {})
        if (
            isinstance(expr, nodes.Call)
            and isinstance(expr.node, nodes.Name)
            and f"{expr.node.name}()" in known
            and len(expr.args) == 1
            and isinstance(expr.args[0], nodes.Const)
            and isinstance(expr.args[0].value, str)
            and not (expr.kwargs or expr.dyn_args or expr.dyn_kwargs)
            and not self._bound(expr.node.name)
        ):
            # theme("x.html"): a name function of the app (Flask-Themes), checked at run time
            call = f"{expr.node.name}({expr.args[0].value!r})"
            name = known[f"{expr.node.name}()"].replace("{}", expr.args[0].value)
            self.assumptions.append((self.expr(expr), call, name))
            return name
        if path is not None and path in known and not self._bound(path.split(".")[0]):
            # the configured name the app always passes; the component checks it at run time
            self.assumptions.append((self.expr(expr), path, known[path]))
            return known[path]
        hint = (
            f"if the app always passes the same template, name it in [tool.jinja2tsx.template_names]"
            f' ({path} = "…")'
            if path is not None
            else ""
        )
        raise ConversionError(
            "T003", "the template name is computed at run time", node.lineno, 1, hint
        )

    def import_stmt(self, node: nodes.Import | nodes.FromImport) -> ir.Import:
        name = self.template_name(node.template, node)
        # `with context` only matters for macros that read template variables: their call
        # sites pass this template's context values to them (see macro_context)
        module = self.project_load(name, node)
        infos = {m.name: m for m in module.macros}
        if isinstance(node, nodes.Import):
            b = ir.Binding(node.target, "module", module=name, with_context=node.with_context)
            self.scope.names[node.target] = b
            return ir.Import(node.lineno, name, b, (), node.with_context)
        names = []
        for item in node.names:
            src, local = (item, item) if isinstance(item, str) else item
            if src not in infos:
                self.node_fail("U002", f"{name} defines no macro {src!r}", node)
            self.scope.names[local] = ir.Binding(
                local, "macro", macro=infos[src], with_context=node.with_context
            )
            names.append((src, local))
        return ir.Import(node.lineno, name, None, tuple(names), node.with_context)

    def include(self, node: nodes.Include) -> list[ir.Node]:
        tpl = node.template
        candidates: list[str] = []
        if isinstance(tpl, nodes.Const) and isinstance(tpl.value, str):
            candidates = [tpl.value]
        elif isinstance(tpl, (nodes.List, nodes.Tuple)) and all(
            isinstance(i, nodes.Const) and isinstance(i.value, str) for i in tpl.items
        ):
            candidates = [i.value for i in tpl.items]  # type: ignore[attr-defined]
        else:  # a configured name (template_names), else T003
            candidates = [self.template_name(tpl, node)]
        assert self.project is not None or self.project_load(candidates[0], node)
        chosen = next((c for c in candidates if self.project.exists(c)), None)  # type: ignore[union-attr]
        if chosen is None:
            if node.ignore_missing:
                return []
            self.node_fail("T001", f"included template {candidates[0]!r} not found", node)
        if chosen == self.name and self.project is not None and not self._crossed_macros():
            return [self.self_include(node)]
        module = self.project_load(chosen, node)
        for name in module.open_at_end:
            if not self._closes_from(self.pos, name):
                self.node_fail(
                    "H103",
                    f"{chosen} ends with <{name}> open (its end tag left out): included here, "
                    f"what follows the include goes on inside it in the browser",
                    node,
                    f"Add </{name}> at the end of {chosen}.",
                )
        if module.stray_end_tags:
            tags = ", ".join(f"</{t}>" for t in module.stray_end_tags)
            self.node_fail(
                "H102",
                f"{chosen} has end tags without start tags ({tags}): included here, they may "
                "close elements around the include",
                node,
            )
        props: list[tuple[str, ir.Expr]] = []
        if node.with_context:
            for p in module.props:
                b = self._current(p.name)
                if b is None:
                    continue
                if b.kind in ("macro", "module", "caller"):
                    # Jinja2 hands the includer's locals to the included template: it would
                    # call this template's macro; the component would get no value at all
                    what = {"module": "an imported module", "caller": "caller"}
                    self.node_fail(
                        "U002",
                        f"{chosen} reads {p.name!r}, which this template binds to "
                        f"{what.get(b.kind, 'a macro')}: an included component cannot receive it",
                        node,
                        hint=f"import {p.name!r} in {chosen} itself",
                    )
                if b.safety != "no":
                    self.node_fail(
                        "U002", f"Markup value {p.name!r} passed to an included template", node
                    )
                self.forward_flask(p, b)
                props.append((p.name, ir.Var(node.lineno, b)))
        return [
            ir.Include(
                node.lineno,
                chosen,
                module.component,
                tuple(props),
                p_closer=module.p_closer,
                html=module.html_root is not None,
            )
        ]

    def self_include(self, node: nodes.Include) -> ir.Include:
        """``{% include %}`` of this very template (a navigation tree rendering its children):
        the component renders itself, handed the variables in scope where the include stands
        (checked in ``check_self_includes`` once the props are known)."""
        scope: dict[str, ir.Binding] = {}
        if node.with_context:
            level: Scope | None = self.scope
            while level is not None:
                for name, b in level.names.items():
                    if b.kind not in ("macro", "module", "caller", "prop"):
                        scope.setdefault(name, b)
                level = level.parent
        include = ir.Include(
            node.lineno,
            self.name,
            component_name(self.name),
            (),
            recursive=True,
            scope=tuple(sorted(scope.items())),
            with_context=node.with_context,
        )
        self.self_includes.append((node, include))
        return include

    def check_self_includes(self) -> None:
        if not self.self_includes:
            return
        if self.blocks or self.extends_seen:  # a layout's blocks: not a plain partial
            node = self.self_includes[0][0]
            self.node_fail("T002", f"template cycle: {self.name} → {self.name}", node)
        for node, include in self.self_includes:
            for name, b in include.scope:
                if name in self.props and b.safety != "no":
                    self.node_fail(
                        "U002", f"Markup value {name!r} passed to an included template", node
                    )

    def extends(self, node: nodes.Extends) -> "_ExtendsMark":
        if self.scope.parent is not None or self.scope.region.branch_depth:
            self.node_fail("U001", "{% extends %} inside a block or condition", node)
        name = self.template_name(node.template, node)
        if self.extends_seen:
            self.node_fail("U001", "a second {% extends %}", node)
        self.extends_seen = True
        # the parent decides which blocks are scoped (and with which names): our overrides of
        # them read those names from the scope the parent passes
        parent = self.project_load(name, node)
        self.parent_macros = parent.macros
        self.parent_renders_html = parent.html_root is not None
        # the layout's top level defines its macros in the shared context before the child's
        # blocks and macros run: they call them by name, as if imported with context
        layout_names = {
            m.name: ir.Binding(m.name, "macro", macro=m, with_context=True)
            for m in parent.macros
            if m.module_level
        }
        if parent.layout is not None:
            self.parent_scoped = dict(parent.layout.scoped)
            self.parent_sets = frozenset(parent.layout.sets)
        # what the layouts import at their top level is in the template context when the
        # blocks render: they call the imported macros by those names
        layout_names.update(self.layout_imports(parent, node))
        for local, b in layout_names.items():
            self.scope.names.setdefault(local, b)  # (this template's own: see block_overlay)
            self.layout_bindings[local] = b
        return _ExtendsMark(node.lineno, name, node)

    def block_overlay(self, root: Scope) -> dict[str, ir.Binding]:
        """The layout's bindings of the names this template binds to something else: its
        top level runs before the layout's, so a block resolves them to the layout's."""
        return {
            local: b
            for local, b in self.layout_bindings.items()
            if local not in root.names or not _same_import(root.names[local], b)
        }

    def layout_imports(self, parent: ir.Template, node: nodes.Node) -> dict[str, ir.Binding]:
        """The names the layout chain's top-level ``{% import %}``s bind before a block
        renders. Jinja runs the child's top level, then each layout's up the chain (a later
        one's import of a name wins), the outermost rendering its blocks as it goes: there only
        imports above the first block count."""
        bound: dict[str, ir.Binding] = {}
        seen: set[str] = set()
        layout: ir.Template | None = parent
        while layout is not None and layout.name not in seen:
            seen.add(layout.name)
            imports = [n for n in layout.body if isinstance(n, ir.Import)]
            outermost = layout.layout is None or layout.layout.parent is None
            if outermost:
                from .emit import walk_nodes

                refs = [n.line for n in walk_nodes(layout.body) if isinstance(n, ir.BlockRef)]
                imports = [n for n in imports if not refs or n.line < min(refs)]
            for imp in imports:
                if imp.alias is not None:
                    bound[imp.alias.name] = ir.Binding(
                        imp.alias.name, "module", module=imp.module, with_context=imp.with_context
                    )
                    continue
                infos = {m.name: m for m in self.project_load(imp.module, node).macros}
                for src, local in imp.names:
                    bound[local] = ir.Binding(
                        local, "macro", macro=infos[src], with_context=imp.with_context
                    )
            if outermost:
                break
            assert layout.layout is not None and layout.layout.parent is not None
            layout = self.project_load(layout.layout.parent, node)
        return bound

    @staticmethod
    def _shadowed_in_scoped_block(local: str) -> tuple[str, str]:
        return (
            "U001",
            f"{local!r} is bound here and by the layout (a macro or import): a scoped block "
            "sees the layout's, which is not supported in one",
        )

    def block_def(self, node: nodes.Block) -> ir.BlockRef:
        if node.name in self.block_names:
            self.node_fail("J001", f"block {node.name!r} defined twice", node)
        self.block_names.add(node.name)
        # A block sees the template's top level and context, not the variables of the loops or
        # with-blocks around it (Jinja renders blocks as separate functions) -- unless it is
        # `scoped`: then it renders with the local variables where it stands, and so do the
        # overrides of it in child templates (they receive them as `scope`).
        outer = self.scope
        root = outer
        locals_: list[ir.Binding] = []
        seen: set[str] = set()
        while root.parent is not None:
            for b in root.names.values():
                if b.name not in seen and b.kind not in ("macro", "module", "prop"):
                    seen.add(b.name)
                    locals_.append(b)
            root = root.parent
        scope_passed = tuple(sorted(locals_, key=lambda b: b.name)) if node.scoped else ()
        if not node.scoped and self.block_scopes:
            # Jinja renders a block nested in another with the outer block's context: inside
            # a scoped block, that holds the local variables the outer block received
            scope_passed = self.block_scopes[-1]
        # A block renders with the template context, where Jinja's top-level {% set %}s of the
        # layout that renders it are visible as they stand at the call: a layout that extends
        # nothing (its top level runs in source order, as it renders) passes the ones set so
        # far to the overrides; a child's own top level runs before its parent renders
        # (whose sets come between), so it passes none (T006 where an override reads them).
        top_sets = () if self.extends_any else self.top_sets(root, seen if node.scoped else set())
        if not self.extends_seen:
            self.blocks_before_extends.append(node)
        inherited = self.parent_scoped.get(node.name)
        shared = names_read_before_set(node.body, self.parent_sets - set(inherited or ()))
        if shared:
            name = sorted(shared)[0]
            self.node_fail(
                "T006",
                f"block {node.name!r} reads {name!r}, which a layout sets at its top level "
                "where the block does not receive it (after the block, or in a template that "
                "extends another)",
                node,
            )
        overlay = self.block_overlay(root) if self.extends_seen else {}
        if overlay and node.scoped:
            self.node_fail(*self._shadowed_in_scoped_block(sorted(overlay)[0]), node)
        base = Scope(root, Region(), dict(overlay)) if overlay else root
        self.scope = Scope(outer if node.scoped else base, Region())
        received: list[ir.Binding] = []
        if inherited:
            referenced = names_read_before_set(node.body, inherited)
            for name in inherited:
                if name in referenced:
                    b = ir.Binding(name, "local")
                    self.scope.names[name] = b
                    received.append(b)
        super_binding = ir.Binding("parent", "caller")
        self.current_super.append(super_binding)
        outer_used, self.super_used = self.super_used, False  # (a block nested in a block)
        flavor = self.flavors[-1] if self.flavors else None
        elements = flavor is None  # element content, not a string slot (attribute, script…)
        as_text = elements and node.name in self.text_blocks
        if elements and (node.name in self.html_blocks or as_text):
            flavor = "html"  # lowered as elements (or text), written as an HTML string
        saved_flavors, self.flavors = self.flavors, []
        self.block_scopes.append(scope_passed or tuple(received))
        try:
            with self.control_barrier("a {% block %}", function=True), self.nested_body():
                if elements:
                    body = self.sub_lower(node.body, as_text)
                else:
                    body = self.parts_body(node.body, cast(str, flavor))  # not elements: a flavor
        except ConversionError as exc:
            # An override in a template whose layout renders to an HTML string is part of that
            # string: elements it opens or closes for the layout's other blocks (a table begun
            # in one, ended in another) are text Jinja writes as it is. Lowered again as text.
            if (
                elements
                and not as_text
                and self.parent_renders_html
                and exc.code in SPLIT_MARKUP_CODES
                and not isinstance(exc, NeedsText)
            ):
                raise NeedsText(node.name, exc) from None
            if (
                elements
                and self.extends_seen
                and not self.parent_renders_html
                and exc.code in ("H101", "H102", "H103")
                and "html_blocks" not in exc.hint
            ):
                exc.hint = (exc.hint + " " if exc.hint else "") + (
                    f"If the layout's blocks open and close elements for each other, list "
                    f"{node.name!r} and those blocks in [tool.jinja2tsx.html_blocks] for the "
                    "layout that defines them: it then renders to an HTML string (W004), and "
                    "so do the templates extending it, their overrides written as text."
                )
            raise
        finally:
            self.flavors = saved_flavors  # also when the block fails (a macro around it may not)
            self.block_scopes.pop()
        used, self.super_used = self.super_used, outer_used
        self.current_super.pop()
        self.scope = outer
        self.blocks.append(
            ir.BlockDef(
                node.name,
                tuple(body),
                super_binding if used else None,
                flavor,
                node.required,
                scoped=bool(scope_passed or top_sets) or inherited is not None,
                received=tuple(received),
                passes=tuple(sorted(b.name for b in scope_passed + top_sets)),
                locals_read=scope_passed,
                quote=self.attr_quote if flavor == "attr" else '"',
                as_text=as_text,
            )
        )
        from .emit import definitely_raw

        return ir.BlockRef(
            node.lineno,
            node.name,
            tuple(sorted(scope_passed + top_sets, key=lambda b: b.name)),
            # configured (html_blocks): overrides may write raw HTML at the block's top level,
            # so the element around it is written as an HTML string, like one of raw content
            raw_root=elements and (node.name in self.forced_html or any(map(definitely_raw, body))),
        )

    @staticmethod
    def top_sets(root: Scope, seen: set[str]) -> tuple[ir.Binding, ...]:
        """The top-level {% set %} variables of the template so far, but those a scoped block's
        own locals shadow (``seen``)."""
        return tuple(
            sorted(
                (b for n, b in root.names.items() if b.kind == "local" and n not in seen),
                key=lambda b: b.name,
            )
        )

    def macro_ref(
        self,
        info: ir.MacroInfo,
        alias: ir.Binding | None,
        import_name: str,
        binding: ir.Binding | None,
        node: nodes.Node,
    ) -> ir.MacroRef:
        """A macro named as a value (not called where it is named)."""
        self.check_callable_macro(info, node)
        context = self.macro_context(info, binding or alias, node)
        return ir.MacroRef(node.lineno, info, alias, import_name, context)

    def check_callable_macro(self, info: ir.MacroInfo, node: nodes.Node) -> None:
        if info.broken_error is not None and info.module == self.name:
            # this template's own: its rewrites, or writing its markup as text, may convert it
            raise OwnMacroBroken(info.broken_error)
        if info.broken:
            self.node_fail(
                "T005",
                f"{info.module}'s macro {info.name!r} does not convert ({info.broken})",
                node,
            )


# React strips `key` from props (`ref` is a prop in 19), and its copy of the props assigns
# `__proto__`, which sets the copy's prototype instead
REACT_RESERVED_PROPS = frozenset({"key", "__proto__"})


# markup that has no element structure as written (what the rewrites in tagsplit/pathsplit fix)
STRUCTURE_CODES = ("H001", "H101", "H104")
# what reading a body's HTML as elements may fail with, where its text could be written as it is
SPLIT_MARKUP_CODES = ("H001", "H101", "H102", "H103", "H104", "H106", "H107", "H110")


class SecondChance(ConversionError):
    """An error ``lower_template`` may get past by lowering the template another way; reported
    as the error it carries should nothing catch it."""

    def __init__(self, exc: ConversionError) -> None:
        super().__init__(exc.code, exc.message, exc.line, exc.column, exc.hint)


class OwnMacroBroken(SecondChance):
    """A call of a macro of the template's own that was left out for what its body holds:
    its markup may still be written as text (``macros_as_text``)."""


class NeedsText(SecondChance):
    """A block override whose markup does not form elements, in a template that renders to an
    HTML string: lower the template again with the block in ``text_blocks``."""

    def __init__(self, block: str, exc: ConversionError) -> None:
        super().__init__(exc)
        self.block = block


FLAVOR_LABEL = {
    None: "rendered as elements",
    "html": "written as an HTML string",
    "text": "text (inside <title> or <textarea>)",
    "attr": "text (inside an attribute value)",
}


def placed_blocks(
    t: ir.Template, nested: dict[str, int]
) -> dict[str, tuple[str | None, str | None, int]]:
    """The blocks a layout defines that ``t``'s overrides place again (nested in them, in
    element content, an attribute value, a <title>...), with their flavor here and in the
    layout, and the line. Every override of the block renders at every place of it: a
    string-valued block (flavor) in element content, or the other way round, would print HTML
    as text."""
    layout = t.layout
    if layout is None or layout.parent is None:
        return {}
    homes = dict(layout.homes)
    theirs = dict(layout.inherited)
    mine = {b.name: b.flavor for b in layout.blocks}
    return {
        name: (mine.get(name), theirs.get(name), line)
        for name, line in nested.items()
        if homes.get(name, t.name) != t.name
    }


def check_placed_blocks(
    t: ir.Template, placed: dict[str, tuple[str | None, str | None, int]]
) -> None:
    """Refuse a block placed again by an override (see ``placed_blocks``) where its overrides
    cannot render alike at every place of it."""
    layout = t.layout
    homes = dict(layout.homes) if layout is not None else {}
    supers = {b.name for b in layout.blocks if b.super_binding} if layout is not None else set()
    for b, (mine, theirs, line) in placed.items():
        if b in supers:
            # where the override places it, its super() would need the layout's own
            # content of the block, which only the layout's component renders
            raise ConversionError(
                "U001",
                f"block {b!r} of {homes[b]} placed again here calls super()",
                line,
                1,
                "Write the layout's content of the block here instead of super(), or do not "
                "place the block again.",
            )
        if mine == theirs == "attr" and layout is not None:
            own_quote = next(d.quote for d in layout.blocks if d.name == b)
            if own_quote != dict(layout.quotes)[b]:
                # what ends one of the two attribute values does not end the other
                raise ConversionError(
                    "U001",
                    f"block {b!r} stands in attribute values quoted differently here and in "
                    f"{homes[b]}",
                    line,
                    1,
                    "Quote both attribute values alike.",
                )
        # (text in the layout's <title> or <textarea>, placed in element content here: the
        # text prints alike there unless it holds "<", which rt.textInElements refuses at
        # run time; an attribute value's text is not decoded alike -- `&copy2` -- so no)
        if mine != theirs and not (mine is None and theirs == "text"):
            raise ConversionError(
                "U001",
                f"block {b!r} is {FLAVOR_LABEL[mine]} here and {FLAVOR_LABEL[theirs]} in "
                f"{homes[b]}: its overrides cannot fit both places",
                line,
                1,
                "Place the block where the layout's element holds the same kind of content, "
                "or give it another name here.",
            )


def lower_template(
    source: str, name: str, env: jinja2.Environment, project: "Project | None" = None
) -> ir.Template:
    """Parse and lower one template. Raises ConversionError for anything not convertible."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    if HOLE in source:
        offset = source.index(HOLE)
        line = source.count("\n", 0, offset) + 1
        col = offset - (source.rfind("\n", 0, offset) + 1) + 1
        raise ConversionError(
            "H001", "the private-use character U+E000 is reserved by jinja2tsx", line, col
        )
    try:
        tree = env.parse(source, name, name)
    except jinja2.TemplateSyntaxError as exc:
        raise syntax_error(exc, source, env) from None
    early = nested_read_before_root_set(tree)
    if early is not None:
        name, frame = early
        raise ConversionError(
            "U008",
            f"{statement_label(frame)} reads {name!r} before the template's top-level "
            f"{{% set {name} %}}: Jinja2 gives it Undefined there, not the context's value",
            frame.lineno or 1,
            1,
            f"Read {name!r} at the top level first ({{% set {name} = {name} %}}), or rename the "
            "variable the template sets.",
        )
    stray = loop_control_outside_loop(tree)
    if stray is not None:
        # found before any markup problem: no part of such a template loads in Jinja2
        node, where = stray
        label = "{% break %}" if isinstance(node, nodes.Break) else "{% continue %}"
        raise ConversionError(
            "J001",
            f"{label} outside a {{% for %}} loop{where}",
            node.lineno or 1,
            1,
            "Jinja compiles it to a Python break/continue outside a loop, which fails "
            "(SyntaxError) when the template is loaded.",
        )
    autoescape = env.autoescape(name) if callable(env.autoescape) else bool(env.autoescape)

    def lower(source: str, tree: nodes.Template, macros_as_text: bool = False) -> ir.Template:
        # A block inside an element whose content is written as an HTML string (raw HTML
        # beside it) is lowered again as a string-valued block, which its parent can hold; a
        # block a layout makes string-valued, placed here by an override in element content,
        # is lowered again as raw HTML (its element then written as a string). Each pass may
        # turn more elements into strings: again until nothing changes.
        # Raw HTML at the top level (outside any element) makes the whole template an HTML
        # string (html_root): its blocks are then string-valued too, so it is lowered again.
        from .emit import blocks_in_html_strings, definitely_raw

        html_blocks: frozenset[str] = frozenset()
        raw_blocks: frozenset[str] = frozenset()
        text_blocks: frozenset[str] = frozenset()
        nested: dict[str, int] | None = None
        placed: dict[str, tuple[str | None, str | None, int]] = {}
        html_root: int | None = None
        while True:
            try:
                lowered = Lowerer(
                    source,
                    name,
                    tree,
                    autoescape,
                    project,
                    env,
                    html_blocks,
                    raw_blocks,
                    text_blocks,
                    macros_as_text,
                ).lower()
            except NeedsText as need:
                if need.block in text_blocks:  # pragma: no cover (block_def lowers it as text)
                    raise
                text_blocks |= {need.block}
                continue
            layout = lowered.layout
            if layout is None or layout.parent is None:
                if html_root is None:
                    raw = next((n for n in lowered.body if definitely_raw(n)), None)
                    html_root = raw.line if raw is not None else None
                lowered = dataclasses.replace(lowered, html_root=html_root)
            if nested is None:  # (only a child template's overrides place blocks again)
                extends = layout is not None and layout.parent is not None
                nested = nested_blocks(tree) if extends else {}
            flavored = {b.name for b in layout.blocks if b.flavor} if layout else set()
            more_html = blocks_in_html_strings(lowered) - flavored
            placed = placed_blocks(lowered, nested)
            more_raw = {
                b for b, (mine, theirs, _) in placed.items() if (mine, theirs) == (None, "html")
            }
            if more_html <= html_blocks and more_raw <= raw_blocks:
                break
            html_blocks |= more_html
            raw_blocks |= more_raw
        check_placed_blocks(lowered, placed)  # (the last pass's: nothing changed since)
        return lowered

    try:
        lowered = lower(source, tree)
    except ConversionError as exc:
        if exc.code not in STRUCTURE_CODES:
            raise
        later: ConversionError | None = None
        for rewritten in _rewrites(source):
            try:
                return lower(rewritten, env.parse(rewritten, name, name))
            except ConversionError as problem:
                # past the markup, a rewrite met another problem: that one is what to fix
                if later is None and problem.code not in STRUCTURE_CODES:
                    later = _past_markup(exc, problem, rewritten, source)
            except jinja2.TemplateSyntaxError:
                pass
        if later is None and isinstance(exc, OwnMacroBroken) and exc.code in SPLIT_MARKUP_CODES:
            try:  # no rewrite helps: a macro's markup (that a call met) may be written as text
                return lower(source, tree, macros_as_text=True)
            except ConversionError:
                pass
        raise (later or exc) from None
    own_broken = {
        m.name: m
        for m in lowered.macros
        if m.broken_error is not None
        and m.module == name
        and m.broken_error.code in STRUCTURE_CODES
    }
    if own_broken:
        # a macro left out for its markup: a rewrite may convert it too
        beyond: dict[str, ConversionError] = {}
        for rewritten in _rewrites(source):
            try:
                better = lower(rewritten, env.parse(rewritten, name, name))
            except (ConversionError, jinja2.TemplateSyntaxError):
                continue
            if len(better.left_out) < len(lowered.left_out):
                return better
            for m in better.macros:
                broken = m.broken_error
                if m.name in own_broken and broken and broken.code not in STRUCTURE_CODES:
                    beyond.setdefault(
                        m.name,
                        _past_markup(own_broken[m.name].broken_error, broken, rewritten, source),
                    )
        try:  # no rewrite helps: the macros' HTML forms written as text, where that converts
            as_text = lower(source, tree, macros_as_text=True)
        except ConversionError:  # pragma: no cover (the same lowering converted with them out)
            as_text = lowered
        if len(as_text.left_out) < len(lowered.left_out):
            return as_text
        for macro, error in beyond.items():  # say what stops each macro past its markup
            own_broken[macro].broken_error = error  # (its W003 and T005s say it from here)
    return lowered


def p_closer_of(body: list[ir.Node]) -> str | None:
    """The tag of a start tag a macro's or template's ``body`` may write that ends a ``<p>``
    left open around its call or include (see ``closer_inside``)."""
    closer = closer_inside(body)
    return closer.tag.lower() if closer is not None else None


def closer_inside(children: list[ir.Node]) -> ir.Element | None:
    """A start tag inside ``children`` (of a ``<p>`` whose end tag the template omits) that the
    HTML parser takes as the paragraph's end, reached through Jinja bodies and elements that do
    not bound its search (button scope). The browser ends the ``<p>`` there, or where the data
    makes the Jinja block write it; the component can only close it at the end."""
    todo: list[ir.Node] = list(children)
    while todo:
        n = todo.pop(0)
        if isinstance(n, ir.Element):
            if n.tag.lower() in P_CLOSERS:
                return n
            if not n.in_svg and n.tag.lower() not in BUTTON_SCOPE_BOUNDARIES:
                todo.extend(n.children)
            continue
        if isinstance(n, ir.MacroDef):
            continue  # rendered where the macro is called
        # a macro's or partial's output, which may write such a tag itself
        called = n.expr.info if isinstance(n, ir.Output) and isinstance(n.expr, ir.MacroCall) else n
        tag = getattr(called, "p_closer", None)
        if tag is not None:
            return ir.Element(n.line, tag, (), ())
        values = [getattr(n, f.name) for f in dataclasses.fields(n)]  # type: ignore[arg-type]
        while values:  # the bodies of Jinja constructs, in tuples (and (test, body) pairs)
            v = values.pop()
            if isinstance(v, tuple):
                values.extend(v)
            elif isinstance(v, ir.Node):
                todo.append(v)
    return None


def _same_import(a: ir.Binding, b: ir.Binding) -> bool:
    """Do two bindings name the same imported module, or the same imported macro, with the
    same context?"""
    if (a.kind, a.module, a.with_context) != (b.kind, b.module, b.with_context):
        return False
    if a.kind == "macro":
        return (
            a.macro is not None
            and b.macro is not None
            and (a.macro.module, a.macro.name) == (b.macro.module, b.macro.name)
        )
    return a.kind == "module"


def _past_markup(
    markup: ConversionError, problem: ConversionError, rewritten: str, source: str
) -> ConversionError:
    """What stops a template (or macro) once ``rewritten`` has fixed its ``markup`` problem.
    Where the rewrite kept every line in place, ``problem`` itself; else its place is not
    known in the source as written: the markup problem's place, saying what comes next."""
    if rewritten.count("\n") == source.count("\n"):
        return problem
    return ConversionError(
        markup.code,
        f"{markup.message}; written as plain HTML per branch, it then meets "
        f"{problem.code}: {problem.message}",
        markup.line,
        markup.column,
        problem.hint or markup.hint,
    )


def _rewrites(source: str) -> Iterator[str]:
    """Output-preserving rewrites into plain HTML per branch, to try in order: `<li class="a{%
    if x %} b" c="d{% endif %}">` (an {% if %} crossing attribute quotes: tagsplit), and
    branches that leave elements open for what follows (pathsplit)."""
    split = tagsplit.split_crossing_ifs(source)
    candidates = [split, pathsplit.split_open_branches(split or source)]
    if split is not None:
        candidates.append(pathsplit.split_open_branches(source))
    for c in candidates:
        if c is not None:
            yield c
