"""Emitter: IR → TSX source of one React Server Component module.

Two content modes share one expression emitter:

* **JSX mode** (the default, readable output): elements become JSX, loops ``.map``/``rt.loop``
  callbacks with keys, conditionals ternaries, text string children.
* **String mode** (exactness fallback): content that React cannot express as elements — raw
  Markup values, ``{% filter %}`` bodies, script/style content, inline event handlers, written
  attribute values React leaves out (``rowspan="x"``), the leading newline of ``<pre>`` — is built as the exact HTML string Jinja2 writes and attached with
  ``dangerouslySetInnerHTML`` to the nearest enclosing element.

Statements follow the lowering's decision: a ``Set`` that is not ``inline`` is a ``const``
declared at the top of its function body; an inline one assigns a ``let`` where it stands, so
side effects keep Jinja's order.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
from collections.abc import Callable, Iterable
from typing import cast

from . import __version__, ir
from .appnames import app_import_for, export_name
from .diagnostics import ConversionError
from .htmlfacts import (
    BLOCK_ELEMENTS,
    BOOLEAN_PROPS,
    PREFORMATTED,
    blank,
    decode_attr,
    decode_text,
    parse_style,
    react_attr_name,
    react_drops_attr,
)
from .emit_flask import FlaskEmitting
from .proptypes import ELEMENT_PROPS, HTML_PROPS, NON_STRING_PROPS
from .lower_expr import AUTOESCAPE_FILTERS, FILTER_SIGNATURES, LOOP_ATTRS
from .safety import expr_safety, walk_expr

JS_RESERVED = frozenset(
    """break case catch class const continue debugger default delete do else enum export extends
    false finally for function if import in instanceof new null return super switch this throw true
    try typeof var void while with yield let static implements interface package private protected
    public await arguments eval undefined NaN Infinity rt React Fragment ReactNode props key""".split()
)
JSX_NAME = re.compile(r"[A-Za-z_$][\w$-]*\Z")
IDENT = re.compile(r"[A-Za-z_$][\w$]*\Z")
# what every JS object inherits from Object.prototype: a prop of such a name that the caller
# leaves out must read as undefined, not as the inherited function
INHERITED_NAMES = frozenset(
    """constructor toString toLocaleString valueOf hasOwnProperty isPrototypeOf
    propertyIsEnumerable __proto__ __defineGetter__ __defineSetter__ __lookupGetter__
    __lookupSetter__""".split()
)
# Markup results whose HTML never contains a tag: printable as text after decoding.
TEXT_SAFE_FILTERS = frozenset({"e", "escape"})


def arrow_result(js: str) -> str:
    """An arrow function's expression body: an object literal must be parenthesised, or the
    braces are read as a block (``() => {}`` returns undefined)."""
    return f"({js})" if js.startswith("{") else js


def js_str(s: str) -> str:
    """A TypeScript string literal."""
    out = json.dumps(s, ensure_ascii=False)
    return (
        out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u00a0", "\\u00a0")
    )


def js_key(k: str) -> str:
    """An object-literal key for the string ``k``: ``"__proto__"`` written literally would set
    the object's prototype instead of creating the key, so it is computed."""
    return f"[{js_str(k)}]" if k == "__proto__" else js_str(k)


def js_object(fields: Iterable[tuple[str, str]]) -> str:
    """An object literal (or pattern) of (key, JS expression) pairs: ``{ a, "b-c": x }``, a key
    its own value's name written once."""
    parts = []
    for key, value in fields:
        k = key if IDENT.match(key) and key != "__proto__" else js_key(key)
        parts.append(k if k == value else f"{k}: {value}")
    return "{ " + ", ".join(parts) + " }" if parts else "{}"


def output_is_text(o: ir.Output) -> bool:
    """Can this output be a JSX text child (not raw HTML)?"""
    if o.safety == "no":
        return True
    e = o.expr
    return isinstance(e, ir.Filter) and (
        e.name in TEXT_SAFE_FILTERS and e.value is not None and _no(e.value) or e.name == "tojson"
    )


def output_is_jsx(o: ir.Output) -> bool:
    """Outputs rendered as JSX elements: macro calls with a JSX form, caller()."""
    e = o.expr
    if isinstance(e, ir.MacroCall):
        return e.info.jsx_ok and not e.html_only
    return _is_caller_call(e) or isinstance(e, (ir.SuperCall, ir.SelfBlock))


def _is_caller_call(e: ir.Expr) -> bool:
    return isinstance(e, ir.Call) and isinstance(e.func, ir.Var) and e.func.binding.kind == "caller"


def inexpressible(el: ir.Element) -> bool:
    """Attributes React cannot render as written (event handler strings, javascript: URLs...)."""
    for name, value in _flat_attrs(el.attrs):
        lower = name.lower()
        if lower.startswith("on") or lower in ("key", "ref", "children", "dangerouslysetinnerhtml"):
            return True
        if not JSX_NAME.match(name) and ":" not in name:
            return True
        if lower in ("href", "action", "formaction", "src") and value is not None:
            text = "".join(p.raw for p in value.parts if isinstance(p, ir.Text))
            if re.match(r"\s*javascript:", decode_attr(text), re.I):
                return True
        if value is None or all(isinstance(p, ir.Text) for p in value.parts):
            # a written value React would leave out (`rowspan="x"`, `<font size="-1">`)
            written = (
                ""
                if value is None
                else "".join(p.raw for p in cast("tuple[ir.Text, ...]", value.parts))  # all Text
            )
            if react_drops_attr(lower, decode_attr(written)):
                return True
        if (
            lower in ("src", "href")
            and el.tag.lower() in ("img", "link", "script", "iframe", "video", "audio", "source")
            and (value is None or not value.parts)
        ):
            return True
    return False


QUOTE_LABEL = {
    '"': 'a " quote ends it',
    "'": "a ' quote ends it",
    "s": "it is unquoted: white space or > ends it",
    "u": "it is unquoted: white space or > ends it",
    "w": "it is unquoted: white space or > ends it",
}


def part_quote(value: ir.AttrValue) -> str:
    """How what the code writes into ``value`` is checked: its quote; for an unquoted value that
    starts with text of the template "u" (only white space or > ends it), one with text
    elsewhere "s" (it cannot be empty)."""
    if value.quote in ('"', "'"):
        return value.quote
    texts = [p for p in value.parts if isinstance(p, ir.Text) and p.raw]
    if value.parts and isinstance(value.parts[0], ir.Text) and value.parts[0].raw:
        return "u"
    return "s" if texts else value.quote


def ends_attribute(text: str, quote: str) -> bool:
    """Does ``text``, written as it is into an attribute value quoted with ``quote`` (``'"'``,
    ``"'"``; unquoted: "s", "w" when more of the tag follows), end that value? (Conservative for
    unquoted values: a leading quote, or an empty value before another attribute, counts
    wherever the text stands in the value.)"""
    if quote in ('"', "'"):
        return quote in text
    return (
        re.search(r"[\t\n\f\r >]", text) is not None
        or (quote != "u" and text[:1] in ('"', "'"))
        or (quote == "w" and text == "")
    )


def needs_raw(n: ir.Node) -> bool:
    """Must ``n`` be rendered as an HTML string by its parent element?"""
    return _raw(n, definite=False)


def definitely_raw(n: ir.Node) -> bool:
    """Is ``n`` raw HTML whatever the data (a Markup value such as ``x|safe``, a macro's HTML
    form, a filter block, an element React cannot express)? A value that only *may* be Markup
    (an app function's result) is not: at the top level of a block it is printed as text, and
    the runtime fails the render if it turns out to be Markup."""
    return _raw(n, definite=True)


def _raw(n: ir.Node, definite: bool) -> bool:
    if isinstance(n, ir.Output):
        if output_is_jsx(n):
            return False
        raw = not output_is_text(n) or (not n.autoescape and not _prints_no_markup(n.expr))
        if raw and definite:
            return n.safety == "yes" or not n.autoescape or isinstance(n.expr, ir.MacroCall)
        return raw
    if isinstance(n, ir.FilterBlock):
        return True
    if isinstance(n, ir.Comment):
        # its side effects; or a value that may hold "-->" (Markup, unescaped text): Jinja's
        # comment then ends early and the rest is content, as the browser reads the same HTML
        # string (no guard prints it otherwise: definite or not)
        return any(
            isinstance(c, (ir.Set, ir.SetAttr, ir.Do))
            or isinstance(c, ir.Output)
            and (c.safety != "no" or not c.autoescape)
            for c in walk_nodes(n.body)
        )
    if isinstance(n, ir.Element):
        return inexpressible(n)
    if isinstance(n, ir.If):
        return any(_raw(c, definite) for _, body in n.branches for c in body) or any(
            _raw(c, definite) for c in n.otherwise
        )
    if isinstance(n, ir.For):
        return any(_raw(c, definite) for c in n.body + n.otherwise) or (
            n.recursive and _uses_loopcall(n)
        )
    if isinstance(n, ir.CondWrap):
        return inexpressible(n.element) or any(_raw(c, definite) for c in n.children)
    if isinstance(n, ir.BlockRef):
        return n.raw_root
    if isinstance(n, ir.Include):
        return n.html
    return False


def children_as_html(el: ir.Element) -> bool:
    """Is the content of ``el`` (not a raw-text element) written as one HTML string
    (``dangerouslySetInnerHTML``)? When a child is raw HTML, or a preformatted element's
    leading newlines cannot be kept as JSX text."""
    children = el.children
    if any(needs_raw(c) for c in children):
        return True
    if el.tag.lower() in PREFORMATTED and children:
        first = children[0]
        if isinstance(first, ir.Text):
            stripped = first.raw.removeprefix("\n")
            return stripped.startswith("\n") and len(children) > 1
        return not isinstance(first, ir.Element)
    return False


def blocks_in_html_strings(t: ir.Template) -> set[str]:
    """The blocks of ``t`` that stand inside element content written as an HTML string: they
    must be lowered as string-valued blocks (flavor "html") for their parent to hold them."""
    blocks = t.layout.blocks if t.layout else ()
    names: set[str] = set()
    if t.html_root is not None:  # (the whole template is one HTML string)
        names.update(m.name for m in walk_nodes(t.body) if isinstance(m, ir.BlockRef))
    for body in [t.body, *(b.body for b in blocks)]:
        for n in walk_nodes(body):
            if isinstance(n, ir.Element) and not n.raw_text and children_as_html(n):
                names.update(m.name for m in walk_nodes(n.children) if isinstance(m, ir.BlockRef))
    # and the blocks placed inside one written as an HTML string (an override of a layout's
    # string-valued block, or one of the above), at any depth
    strings = {n for n, f in (t.layout.flavors if t.layout else ()) if f == "html"} | names
    grew = True
    while grew:
        grew = False
        for b in blocks:
            if b.name in strings:
                for m in walk_nodes(b.body):
                    if isinstance(m, ir.BlockRef) and m.name not in names:
                        strings.add(m.name)
                        names.add(m.name)
                        grew = True
    return names


def _prints_no_markup(e: ir.Expr) -> bool:
    """With autoescape off Jinja writes ``str(value)`` unescaped: only values that can hold no
    ``<`` or ``&`` may still be JSX text."""
    if isinstance(e, ir.Const):
        return not (isinstance(e.value, str) and re.search(r"[<&]", e.value))
    if isinstance(e, (ir.Test, ir.Compare)):
        return True
    return isinstance(e, ir.Filter) and e.name in ("length", "count", "int", "wordcount")


def body_jsx_ok(body: tuple[ir.Node, ...]) -> bool:
    """Can a macro body be a JSX-returning function? (No raw HTML at its root; caller() only
    printed, never used as a value.)"""
    if any(needs_raw(n) for n in body):
        return False
    for n in walk_nodes(body):
        exprs: list[ir.Expr] = []
        if isinstance(n, ir.Output):
            if _is_caller_call(n.expr):
                continue
            exprs.append(n.expr)
        elif isinstance(n, (ir.Set, ir.SetAttr)):
            exprs.append(n.value)
        elif isinstance(n, ir.Do):
            exprs.append(n.expr)
        for e in exprs:
            if any(_is_caller_call(x) for x in walk_expr(e)):
                return False
    return True


# Nodes that print nothing (for deciding which whitespace sits between block elements).
INVISIBLE = (ir.Set, ir.SetAttr, ir.Do, ir.Comment, ir.Doctype, ir.MacroDef, ir.Import)
# (BlockRef prints the block's content, so it is not invisible.)


class Siblings:
    """A list of sibling nodes and what deciding about their whitespace needs.

    ``runs``: whitespace-only texts with only silent nodes between them (``{% if c %}{% break
    %}{% endif %}`` in a loop body) are one run of whitespace for the browser: the first stands
    for the run, the others are dropped. ``inline_edges``: what lies beyond the first and last
    node is unknown (an ``{% if %}`` branch): whitespace at the edges is kept."""

    def __init__(
        self,
        nodes: list[ir.Node],
        parent: ir.Element | None,
        runs: bool = False,
        inline_edges: bool = False,
        edges: tuple[bool, bool] | None = None,
    ):
        self.nodes = nodes
        self.parent_block = not inline_edges and (
            parent is None or parent.tag.lower() in BLOCK_ELEMENTS
        )
        # what lies outside the first and last node is a block edge (whitespace there is
        # layout-insignificant): the parent element's kind, or what encloses a nested body
        self.edges = edges if edges is not None else (self.parent_block, self.parent_block)
        self.visible = [
            i for i, n in enumerate(nodes) if not isinstance(n, INVISIBLE) and not _silent(n)
        ]
        self.runs = runs

    def _blank(self, i: int) -> bool:
        n = self.nodes[i]
        return self.runs and isinstance(n, ir.Text) and blank(decode_text(n.raw))

    def between_blocks(self, idx: int) -> bool:
        visible = self.visible
        pos = visible.index(idx) if idx in visible else -1
        if pos < 0:
            before = after = None
        else:
            b, a = pos - 1, pos + 1
            while b >= 0 and self._blank(visible[b]):
                b -= 1
            while a < len(visible) and self._blank(visible[a]):
                a += 1
            before = self.nodes[visible[b]] if b >= 0 else None
            after = self.nodes[visible[a]] if a < len(visible) else None
        if pos < 0:
            return self.edges[0] and self.edges[1]
        return _blockish(before, self.edges[0]) and _blockish(after, self.edges[1])

    def outside(self, idx: int) -> tuple[bool, bool]:
        """Whether a block edge lies just before and just after node ``idx`` (whitespace-only
        siblings skipped): what the edges of a nested body ({% if %}, {% for %}) touch."""
        visible = self.visible
        if idx not in visible:
            return (False, False)
        pos = visible.index(idx)
        b, a = pos - 1, pos + 1
        while b >= 0 and self._blank_any(visible[b]):
            b -= 1
        while a < len(visible) and self._blank_any(visible[a]):
            a += 1
        before = self.nodes[visible[b]] if b >= 0 else None
        after = self.nodes[visible[a]] if a < len(visible) else None
        return _blockish(before, self.edges[0]), _blockish(after, self.edges[1])

    def _blank_any(self, i: int) -> bool:
        n = self.nodes[i]
        return isinstance(n, ir.Text) and blank(decode_text(n.raw))

    def continues_run(self, idx: int) -> bool:
        """Is this whitespace-only text the continuation of a run that an earlier one started?"""
        pos = self.visible.index(idx) if idx in self.visible else -1
        return pos > 0 and self._blank(self.visible[pos - 1]) and self._blank(idx)


class Emitter(FlaskEmitting):
    def __init__(self, template: ir.Template, runtime_import: str, source_label: str):
        self.t = template
        self.runtime_import = runtime_import
        self.source_label = source_label
        self.pre_depth = 0  # >0 while emitting the inside of <pre>/<textarea>/<listing>
        # where the HTML being written is read: element "content", a "comment", or "other"
        # (script/style text, attribute values) -- which check Markup printed there needs
        self.html_where = "content"
        self.used: set[str] = set(JS_RESERVED) | {template.component}
        self.last_definitions: dict[str, ir.MacroInfo] | None = None  # see redefined()
        self.names: dict[int, str] = {}
        self.declared: set[int] = set()
        self.block_flavors: list[str | None] = []  # the blocks being emitted (innermost last)
        self.self_blocks: list[str] = []  # the self.x() calls being emitted (innermost last)
        # how the attribute value being emitted is quoted in the template ('"', "'"; unquoted
        # "s", "u", "w": see part_quote): what Jinja writes there must not end it
        self.attr_quote = '"'
        self.stmts: list[list[str]] = []
        self.needs_fragment = False
        self.loop_modes: dict[int, str] = {}
        self.module_decls: list[str] = []
        self.imports: dict[str, set[str]] = {}  # relative module path → imported names
        self.star_imports: dict[str, str] = {}  # relative module path → namespace alias
        self.default_imports: dict[str, str] = {}  # relative module path → component alias
        self.needs_react_types = False
        self.macro_names: dict[int, str] = {}  # id(MacroInfo) → JS function name (JSX form)
        # id(statement list) → (that list, its Macro objects: rt.macroValue(...) → const name)
        self.macro_values: dict[int, tuple[list[str], dict[str, str]]] = {}

    # -- identifiers ------------------------------------------------------------------------

    def ident(self, hint: str) -> str:
        base = hint if IDENT.match(hint) else "v"
        name = base if base not in self.used else None
        i = 2
        while name is None:
            cand = f"{base}_{i}"
            if cand not in self.used:
                name = cand
            i += 1
        self.used.add(name)
        return name

    def var(self, b: ir.Binding) -> str:
        key = id(b)
        if key not in self.names:
            self.names[key] = self.ident(b.name)
        return self.names[key]

    # -- module -------------------------------------------------------------------------------

    def module(self) -> str:
        t = self.t
        prop_names = [(b.name, self.var(b)) for b in t.props]
        self.stmts.append([])
        for value, path, template in t.assumptions:
            self.stmts[-1].append(
                f"rt.assumeTemplateName({js_str(path)}, {self.expr(value)}, {js_str(template)});"
            )
        self.blocks_name = self.ident("blocks") if t.layout is not None else ""
        self.block_defs = {b.name: b for b in t.layout.blocks} if t.layout else {}
        if t.layout is not None and t.layout.parent is not None:
            body = self.child_root(t)
        elif t.html_root is not None:  # (raw HTML at the top level: see Template.html_root)
            body = f"rt.markup({self.string(t.body, 'html')})"
        else:
            body = self.root(t.body)
        stmts = self.stmts.pop()
        lines = [
            f"// Generated by jinja2tsx {__version__} from {self.source_label}.",
            "// Edit the template and convert again; jinja2tsx keeps this file if you edit it by hand.",
        ]
        imports = []
        react = (["Fragment"] if self.needs_fragment else []) + (
            ["type ReactNode"] if self.needs_react_types else []
        )
        if react:
            imports.append(f'import {{ {", ".join(react)} }} from "react";')
        imports.append(f'import * as rt from "{self.runtime_import}";')
        for path, alias in sorted(self.default_imports.items()):
            imports.append(f'import {alias} from "{path}";')
        for path, alias in sorted(self.star_imports.items()):
            imports.append(f'import * as {alias} from "{path}";')
        for path, names in sorted(self.imports.items()):
            imports.append(f'import {{ {", ".join(sorted(names))} }} from "{path}";')
        # the layout's macros: Jinja's module of a child template exports them too
        reexports: dict[str, list[str]] = {}
        for info in t.macros:
            if info.module != t.name and info.module_level and not info.broken:
                forms = [info.name, info.name + "_html"] if info.jsx_ok else [info.name + "_html"]
                reexports.setdefault(self.module_path(info.module), []).extend(forms)
        for path, exported in sorted(reexports.items()):
            imports.append(f'export {{ {", ".join(exported)} }} from "{path}";')
        lines += imports + [""]
        for decl in self.module_decls:
            lines += [decl, ""]
        iface = f"{t.component}Props"
        fields = [self.prop_field(b) for b in t.props]
        pattern = [n if n == js else f"{n}: {js}" for n, js in prop_names]
        if t.layout is not None:
            fields.append("  blocks?: rt.Blocks;")
            pattern.append(
                f"blocks: {self.blocks_name} = {{}}"
                if self.blocks_name != "blocks"
                else "blocks = {}"
            )
        inherited = [(n, js) for n, js in prop_names if n in INHERITED_NAMES]
        if fields:
            lines.append(f"export interface {iface} {{")
            lines += fields
            lines.append("}")
            params = f"{{ {', '.join(pattern)} }}: {iface}"
            if inherited:  # read those through an own-property check, the others as before
                props = self.ident("props")
                params = f"{props}: {iface}"
                own = [p for p, (n, _) in zip(pattern, prop_names) if n not in INHERITED_NAMES]
                own += pattern[len(prop_names) :]  # blocks
                reads = [f"const {js} = rt.ownProp({props}, {js_str(n)});" for n, js in inherited]
                if own:
                    reads.insert(0, f"const {{ {', '.join(own)} }} = {props};")
                stmts = reads + stmts
        else:
            lines.append(f"export type {iface} = Record<string, never>;")
            params = f"_props: {iface}"
        lines.append("")
        if t.layout is not None and t.layout.parent is None and not self.needs_react_types:
            pass
        if t.html_root is None:
            lines.append(f"export default function {t.component}({params}) {{")
        else:
            lines.append(
                "/** Renders to a string of HTML (raw HTML at its top level), not elements. */"
            )
            lines.append(f"export default function {t.component}({params}): rt.SafeHtml {{")
        lines += ["  " + s for s in stmts]
        lines.append(f"  return {body};")
        lines.append("}")
        if t.html_root is not None:
            lines += ["", "export const rendersHtml = true;"]
        return "\n".join(lines) + "\n"

    def child_root(self, t: ir.Template) -> str:
        """A template that extends another renders its parent with its blocks."""
        assert t.layout is not None and t.layout.parent is not None
        for n in t.body:
            if isinstance(n, ir.Set):
                inline = self.emit_set(n)
                if inline is not None:
                    self.stmts[-1].append(inline[1 : -len(", null)")] + ";")
            elif isinstance(n, ir.SetAttr):
                self.stmts[-1].append(self.setattr(n) + ";")
            elif isinstance(n, ir.Do):
                self.stmts[-1].append(self.expr(n.expr) + ";")
            elif isinstance(n, ir.MacroDef):
                self.macro_def(n)
        path = self.module_path(t.layout.parent)
        alias = self.default_imports.get(path)
        if alias is None:
            comp = t.layout.parent_component or "Layout"
            alias = comp if comp not in self.used else self.ident(comp)
            self.used.add(alias)
            self.default_imports[path] = alias
        entries = [f"...{self.blocks_name}"]
        for b in t.layout.blocks:
            # (a literal's __proto__ key sets its prototype: a computed key is an own property)
            key = b.name if IDENT.match(b.name) and b.name != "__proto__" else f"[{js_str(b.name)}]"
            entries.append(f"{key}: {self.block_override(b)}")
        blocks = "{ " + ", ".join(entries) + " }"
        if t.layout.parent_html:  # the parent renders to an HTML string: so does this template
            fields = [(n, self.forward(v)) for n, v in t.layout.parent_props]
            if t.layout.parent_has_blocks:
                fields.append(("blocks", blocks))
            call = f"{alias}({js_object(fields)})"
            if not t.layout.prefix:
                return call
            return f"rt.markup({self.string(t.layout.prefix, 'html')} + {call}.html)"
        props = [f"{n}={{{self.forward(v)}}}" for n, v in t.layout.parent_props]
        if t.layout.parent_has_blocks:  # (a layout without blocks renders none of ours)
            props.append("blocks={" + blocks + "}")
        parent = f"<{alias}{''.join(' ' + p for p in props)} />"
        if not t.layout.prefix:
            return parent
        # what precedes {% extends %}, then the parent: in one expression, so the prefix's
        # sets run before the parent's props are read
        return (
            "<>" + "".join(self.jsx_children(t.layout.prefix, None, (True, False))) + parent + "</>"
        )

    def block_access(self, name: str) -> str:
        if name in INHERITED_NAMES:  # blocks.toString is every object's, override or not
            return f"rt.ownBlock({self.blocks_name}, {js_str(name)})"
        if IDENT.match(name):
            return f"{self.blocks_name}.{name}"
        return f"{self.blocks_name}[{js_str(name)}]"

    def block_override(self, b: ir.BlockDef) -> str:
        assert self.t.layout is not None
        flavor = dict(self.t.layout.flavors).get(b.name)
        home = dict(self.t.layout.homes).get(b.name, self.t.layout.parent)
        # (a block placed by this template itself, inside one of its overrides: raw HTML at its
        # top level is at the top level of that override, which says so)
        if flavor is None and home != self.t.name and any(map(definitely_raw, b.body)):
            raw = next(n for n in b.body if definitely_raw(n))
            raise ConversionError(
                "H108",
                f"raw HTML (a Markup value, an HTML-only macro call, an inline event handler…) "
                f"at the top level of block {b.name!r}, which {home} renders as elements",
                raw.line,
                hint="Wrap the block's content in an element (the layout then holds one element); "
                f'or add "{home}" = ["{b.name}"] to [tool.jinja2tsx.html_blocks]: the layout '
                "then writes the element around the block as an HTML string, and every override "
                "may write raw HTML (though not {% include %}, U001).",
            )
        scope = self.ident("scope") if b.scoped else ""
        own = self.block_own(b, flavor, scope, hoisted=True)
        helper = "rt.block" if flavor is None else "rt.textBlock"
        if b.super_binding is None and not b.scoped:
            return f"() => {helper}({self.block_access(b.name)}, {own})"
        kind = "ReactNode" if flavor is None else "string"
        self.needs_react_types |= flavor is None
        parent = self.var(b.super_binding) if b.super_binding is not None else "_parent"
        if not b.scoped:
            return f"({parent}: () => {kind}) => {helper}({self.block_access(b.name)}, {own})"
        # a scoped block: the scope it renders with goes on to the overrides below this one
        return (
            f"({parent}: () => {kind}, {scope}: rt.Scope) => "
            f"{helper}({self.block_access(b.name)}, {own}, {scope})"
        )

    def block_own(
        self, b: ir.BlockDef, flavor: str | None, scope: str = "", hoisted: bool = False
    ) -> str:
        """The block's own content as a render function. ``hoisted``: for the override map
        of a child template, outside the loops around the block, so a scoped block reads their
        variables from ``scope``."""
        if b.required:
            return f"() => rt.requiredBlock({js_str(b.name)})"
        received = ""
        from_scope = list(b.received) + (list(b.locals_read) if hoisted else [])
        loops = [r for r in from_scope if r.kind == "loop"]  # typed: its attributes are read
        from_scope = [r for r in from_scope if r.kind != "loop"]
        decls = [
            f"const {self.var(r)} = {scope}[{js_str(r.name)}] as rt.LoopContext;" for r in loops
        ]
        if from_scope:
            pattern = js_object((r.name, self.var(r)) for r in from_scope)
            decls.insert(0, f"const {pattern} = {scope};")
        received = " ".join(decls)
        self.block_flavors.append(flavor)
        saved_quote = self.attr_quote
        if flavor == "attr":  # the chain's (an override is written where the layout puts it)
            quotes = dict(self.t.layout.quotes) if self.t.layout else {}
            self.attr_quote = quotes.get(b.name, b.quote)
        try:
            stmts, result = self.block_body(b, flavor)
        finally:
            self.block_flavors.pop()
            self.attr_quote = saved_quote
        if received:
            stmts = [received, *stmts]
        if stmts:
            return f"() => {{ {' '.join(stmts)} return {result}; }}"
        return f"() => {arrow_result(result)}"

    def block_body(self, b: ir.BlockDef, flavor: str | None) -> tuple[list[str], str]:
        if flavor is None:
            stmts, result = self.function_body(b.body, "jsx")
        else:
            saved_declared = self.declared
            self.declared = set()
            self.stmts.append([])
            result = self.string(b.body, flavor)
            if b.as_text:  # (what follows it in the page is read as content: it must end there)
                result = f"rt.textOverride({result})"
            stmts = self.stmts.pop()
            self.declared = saved_declared
        return stmts, result

    def block_ref(self, n: ir.BlockRef, flavor: str | None = None) -> str:
        b = self.block_defs[n.name]
        helper = "rt.block" if flavor is None else "rt.textBlock"
        args = [self.block_access(n.name), self.block_own(b, flavor)]
        if n.scope:
            args.append(js_object((x.name, self.var(x)) for x in n.scope))
        return f"{helper}({', '.join(args)})"

    def root(self, nodes: tuple[ir.Node, ...]) -> str:
        """The component's elements (no raw HTML at the top level: ``Template.html_root``)."""
        children = self.jsx_children(nodes, None, (True, True))
        if not children:
            return "null"
        if len(children) == 1 and children[0].startswith("<"):
            return children[0]
        return "<>" + "".join(children) + "</>"

    # -- statements ------------------------------------------------------------------------

    def emit_set(self, node: ir.Set) -> str | None:
        """Hoist a const Set; return the inline expression for an inline one."""
        value = self.expr(node.value)
        target = node.target
        if not node.inline:
            if target.is_tuple:
                names = ", ".join(self.var(b) for b in target.bindings)
                self.stmts[-1].append(
                    f"const [{names}] = rt.unpack({value}, {len(target.bindings)});"
                )
            else:
                self.stmts[-1].append(f"const {self.var(target.bindings[0])} = {value};")
            return None
        for b in target.bindings:
            if id(b) not in self.declared:
                self.declared.add(id(b))
                init = "undefined" if b.initial is None else self.var(b.initial)
                self.stmts[-1].append(f"let {self.var(b)}: unknown = {init};")
        if target.is_tuple:
            tmp = ", ".join(self.var(b) for b in target.bindings)
            return f"(([{tmp}] = rt.unpack({value}, {len(target.bindings)})), null)"
        return f"(({self.var(target.bindings[0])} = {value}), null)"

    # -- expressions ------------------------------------------------------------------------

    def expr(self, e: ir.Expr) -> str:
        return getattr(self, "x_" + type(e).__name__)(e)  # type: ignore[no-any-return]

    def cond(self, e: ir.Expr) -> str:
        """A JS boolean with Python truthiness."""
        if isinstance(e, (ir.Test, ir.Compare)) or (isinstance(e, ir.UnaryOp) and e.op == "not"):
            return self.expr(e)
        if isinstance(e, ir.Const):
            return "true" if e.value else "false"
        return f"rt.truthy({self.expr(e)})"

    def x_Const(self, e: ir.Const) -> str:
        return self.const(e.value)

    def const(self, v: object) -> str:
        if v is None:
            return "null"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if isinstance(v, int):
            if abs(v) > 2**53:
                return f"{v}n"  # the runtime computes with bigint beyond 2**53, like Python
            return str(v)
        if isinstance(v, float):
            if v != v or v in (float("inf"), float("-inf")):
                raise ConversionError("U002", "non-finite float literal")
            if v == int(v):
                return f"rt.pyfloat({int(v) if v or str(v)[0] != '-' else '-0'})"
            return repr(v)
        if isinstance(v, str):
            return js_str(v)
        if isinstance(v, tuple):
            return f"rt.tuple([{', '.join(self.const(x) for x in v)}])"
        raise ConversionError("U002", f"constant of type {type(v).__name__}")

    def x_Var(self, e: ir.Var) -> str:
        if e.binding.kind in ("macro", "module"):
            raise ConversionError(
                "U002", f"the {e.binding.kind} {e.binding.name!r} used as a value", e.line
            )
        if e.binding.flask:
            return self.flask_var(e.binding)
        return self.var(e.binding)

    def x_Global(self, e: ir.Global) -> str:
        raise ConversionError("U002", f"the global {e.name!r} used as a value", e.line)

    def x_ListLit(self, e: ir.ListLit) -> str:
        if not e.items:
            return "([] as unknown[])"  # filled later by .append(): let TS know it holds anything
        return "[" + ", ".join(self.expr(i) for i in e.items) + "]"

    def x_TupleLit(self, e: ir.TupleLit) -> str:
        return "rt.tuple([" + ", ".join(self.expr(i) for i in e.items) + "])"

    def x_DictLit(self, e: ir.DictLit) -> str:
        # a literal "__proto__" key would set the prototype: computed, it is an own property
        items = ", ".join(f"{self.dict_key(k)}: {self.expr(v)}" for k, v in e.items)
        return "{ " + items + " }" if items else "{}"

    def dict_key(self, k: ir.Expr) -> str:
        if not isinstance(k, ir.Const):  # computed at render time: a str JS keeps in place
            return f"[rt.literalKey({self.expr(k)})]"
        # a literal "__proto__" key would set the prototype: computed, it is an own property
        return f"[{self.expr(k)}]" if k.value == "__proto__" else self.expr(k)

    def x_GetAttr(self, e: ir.GetAttr) -> str:
        if isinstance(e.obj, ir.Var) and e.obj.binding.kind == "loop" and e.name in LOOP_ATTRS:
            return f"{self.var(e.obj.binding)}.{e.name}"
        return f"rt.getattr({self.expr(e.obj)}, {js_str(e.name)})"

    def x_GetItem(self, e: ir.GetItem) -> str:
        return f"rt.getitem({self.expr(e.obj)}, {self.expr(e.key)})"

    def x_SliceExpr(self, e: ir.SliceExpr) -> str:
        bounds = [e.start, e.stop, e.step]
        while bounds and bounds[-1] is None:
            bounds.pop()
        parts = [self.expr(e.obj)] + ["null" if p is None else self.expr(p) for p in bounds]
        return f"rt.slice({', '.join(parts)})"

    def positional(self, c: ir.CallArgs) -> str:
        """The positional arguments, ``*star`` spread as Python would (any iterable)."""
        items = [self.expr(a) for a in c.args]
        if c.star is not None:
            items.append(f"...rt.iter({self.expr(c.star)})")
        return ", ".join(items)

    def keywords(self, c: ir.CallArgs) -> str | None:
        """The keyword arguments as an object, ``**starstar`` merged as a dict."""
        if not c.kwargs and c.starstar is None:
            return None
        items = [f"{js_key(k)}: {self.expr(v)}" for k, v in c.kwargs]
        if c.starstar is not None:
            items.append(f"...rt.dict([{self.expr(c.starstar)}])")
        return "{ " + ", ".join(items) + " }"

    def given(self, a: ir.Expr) -> str:
        """An argument for a parameter with a default: an Undefined value must stay one."""
        code = self.expr(a)
        return code if isinstance(a, ir.Const) else f"rt.given({code})"

    def args(self, c: ir.CallArgs) -> str:
        pos = "[" + self.positional(c) + "]"
        kw = self.keywords(c)
        if kw is not None:
            return f"{pos}, {kw}"
        return pos if (c.args or c.star is not None) else ""

    def x_Call(self, e: ir.Call) -> str:
        c = e.call
        if _is_caller_call(e):
            return f"{self.expr(e.func)}!({', '.join(self.given(a) for a in c.args)})"
        if isinstance(e.func, ir.Global):
            name = e.func.name
            pos = self.positional(c)
            kw = self.keywords(c)
            if name in ("range", "cycler") or (name == "joiner" and kw is None):
                if kw is not None:
                    raise ConversionError("U004", f"{name}() takes no keyword arguments", e.line)
                return f"rt.{name}({pos})"
            if name in ("dict", "namespace"):
                return f"rt.{name}([{pos}], {kw or '{}'})"
            raise ConversionError("U002", f"call of the global {name}()", e.line)
        args = self.args(c)
        return f"rt.call({self.expr(e.func)}{', ' + args if args else ''})"

    def x_MethodCall(self, e: ir.MethodCall) -> str:
        if (
            isinstance(e.obj, ir.Var)
            and e.obj.binding.kind == "loop"
            and e.name in ("cycle", "changed")
        ):
            if e.call.kwargs or e.call.starstar:
                raise ConversionError("U004", f"loop.{e.name}() takes positional arguments", e.line)
            return f"{self.var(e.obj.binding)}.{e.name}({self.positional(e.call)})"
        args = self.args(e.call)
        return f"rt.callMethod({self.expr(e.obj)}, {js_str(e.name)}{', ' + args if args else ''})"

    def x_LoopCall(self, e: ir.LoopCall) -> str:
        if self.loop_modes.get(id(e.loop)) != "string":
            raise ConversionError(
                "U002", "loop(...) used as a value inside a loop rendered as JSX", e.line
            )
        return f'rt.markup({self.var(e.loop)}.call({self.expr(e.arg)}).join(""))'

    def filter_call(self, f: ir.Filter, value: str) -> str:
        name = f.name
        if (
            f.star
            or f.kw
            or name in ("map", "select", "reject", "selectattr", "rejectattr", "format")
        ):
            star = "[" + ", ".join(self.expr(a) for a in f.star) + "]"
            parts = [value, star]
            kw = "{ " + ", ".join(f"{js_key(k)}: {self.expr(v)}" for k, v in f.kw) + " }"
            if name in ("map", "format"):
                parts.append(kw if f.kw else "{}")
                if name == "map" and not f.autoescape:
                    parts.append("false")  # map('join'), map('e')... see the template's setting
            elif f.kw:
                if name not in ("select", "reject", "selectattr", "rejectattr"):
                    raise ConversionError("U004", f"|{name} takes no keyword arguments", f.line)
                parts.append(kw)  # passed on to the test
            return f"rt.filters.{name}({', '.join(parts)})"
        # a parameter left out before a given one takes its default; `undefined` would be Jinja's
        # Undefined passed explicitly, which Python keeps (`x|int(undefined_name)` is Undefined)
        args = ["rt.DEFAULT" if a is None else self.expr(a) for a in f.args]
        if name in AUTOESCAPE_FILTERS and not f.autoescape:
            args += ["rt.DEFAULT"] * (len(FILTER_SIGNATURES[name].params) - len(args)) + ["false"]
        return f"rt.filters.{name}({', '.join([value] + args)})"

    def x_Filter(self, f: ir.Filter) -> str:
        assert f.value is not None
        return self.filter_call(f, self.expr(f.value))

    def x_AppCall(self, e: ir.AppCall) -> str:
        return self.app_call(e, None if e.value is None else self.expr(e.value))

    def x_AppGlobal(self, e: ir.AppGlobal) -> str:
        return f"{self.app_module()}.{export_name('global', e.name)}"

    def app_module(self) -> str:
        """The name the user-owned app module is imported as (imported on first use)."""
        path = app_import_for(posixpath.splitext(self.t.name)[0] + ".tsx")
        alias = self.star_imports.get(path)
        if alias is None:
            alias = self.ident("app")
            self.star_imports[path] = alias
        return alias

    def app_call(self, e: ir.AppCall, value: str | None) -> str:
        """``app.filter_x(value, ...args, rt.kw({...}))``: a function of the user-owned app module."""
        alias = self.app_module()
        args = [] if value is None else [value]
        args += [self.expr(a) for a in e.args]
        if e.star is not None:
            args.append(f"...rt.iter({self.expr(e.star)})")
        if e.kwargs or e.starstar is not None:
            fields = ", ".join(f"{js_key(k)}: {self.expr(v)}" for k, v in e.kwargs)
            if e.starstar is None:
                args.append(f"rt.kw({{ {fields} }})")
            else:  # Python refuses a keyword given twice; so does rt.kwMerge
                args.append(f"rt.kwMerge({{ {fields} }}, {self.expr(e.starstar)})")
        return f"{alias}.{export_name(e.kind, e.name)}({', '.join(args)})"

    def x_Test(self, e: ir.Test) -> str:
        access = f".{e.name}" if IDENT.match(e.name) else f"[{js_str(e.name)}]"
        args = ", ".join([self.expr(e.value)] + [self.expr(a) for a in e.args])
        return f"rt.tests{access}({args})"

    def x_BinOp(self, e: ir.BinOp) -> str:
        return f"rt.{e.op}({self.expr(e.left)}, {self.expr(e.right)})"

    def x_UnaryOp(self, e: ir.UnaryOp) -> str:
        return f"rt.{e.op}({self.expr(e.operand)})"

    def x_BoolOp(self, e: ir.BoolOp) -> str:
        return f"rt.{e.op}({self.expr(e.left)}, () => {arrow_result(self.expr(e.right))})"

    def x_Concat(self, e: ir.Concat) -> str:
        return f"rt.concat({', '.join(self.expr(p) for p in e.parts)})"

    def x_Compare(self, e: ir.Compare) -> str:
        if len(e.ops) == 1:
            op, right = e.ops[0]
            a, b = self.expr(e.first), self.expr(right)
            if op == "in":
                return f"rt.contains({b}, {a})"
            if op == "notin":
                return f"!rt.contains({b}, {a})"
            return f"rt.{op}({a}, {b})"
        rest = ", ".join(f'["{op}", () => {arrow_result(self.expr(x))}]' for op, x in e.ops)
        return f"rt.compare({self.expr(e.first)}, {rest})"

    def x_CondExpr(self, e: ir.CondExpr) -> str:
        other = "undefined" if e.otherwise is None else self.expr(e.otherwise)
        return f"({self.cond(e.test)} ? {self.expr(e.then)} : {other})"

    def x_Translate(self, e: ir.Translate) -> str:
        """i18n globals: old style a catalog lookup (``rt.gettext(msg)``); new style also
        Markup under autoescape and ``%``-formatted with the variables
        (``rt.gettextNewstyle(msg, { name: … }, true)``)."""
        args = [self.expr(a) for a in e.args]
        if not e.newstyle:
            return f"rt.{e.func}({', '.join(args)})"
        items = [f"{js_key(k)}: {self.expr(v)}" for k, v in e.variables]
        variables = "{ " + ", ".join(items) + " }" if items else "{}"
        flag = "true" if e.autoescape else "false"
        return f"rt.{e.func}Newstyle({', '.join(args + [variables, flag])})"

    def x_MarkupOf(self, e: ir.MarkupOf) -> str:
        return f"rt.markup({self.string(e.body, 'html')})"

    # -- raw detection ------------------------------------------------------------------------

    def inexpressible(self, el: ir.Element) -> bool:
        return inexpressible(el)

    # -- composition ------------------------------------------------------------------------

    def module_path(self, template: str) -> str:
        here = posixpath.dirname(self.t.name)
        target = posixpath.splitext(template)[0]
        rel = posixpath.relpath(target, here or ".")
        return rel if rel.startswith(".") else "./" + rel

    def macro_fn(self, info: ir.MacroInfo, form: str) -> str:
        base = self.macro_names.get(id(info))
        if base is None:
            if self.redefined(info):
                self.used.add(info.name)  # the module's export of that name is the last one
            free = info.name not in self.used and info.name + "_html" not in self.used
            if info.module_level and IDENT.match(info.name) and free:
                base = info.name
            else:  # (exported under its own name all the same: see macro_function)
                base = self.ident(info.name)
                while base + "_html" in self.used:
                    base = self.ident(info.name)
            self.used.update((base, base + "_html"))
            self.macro_names[id(info)] = base
        return base if form == "jsx" else base + "_html"

    def redefined(self, info: ir.MacroInfo) -> bool:
        """A top-level macro the template defines again later: Jinja runs each definition as
        an assignment, so calls between the two get this one, and importers the last."""
        if not info.module_level or info.module != self.t.name:
            return False
        if self.last_definitions is None:
            self.last_definitions = {
                n.info.name: n.info
                for n in walk_nodes(self.t.body)
                if isinstance(n, ir.MacroDef) and n.info.module_level
            }
        last = self.last_definitions.get(info.name)
        return last is not None and last is not info

    def macro_def(self, n: ir.MacroDef) -> None:
        info = n.info
        top_level = bool(
            info.module_level
            and info.module == self.t.name
            and len(self.stmts) == 1
            and not self.redefined(info)
        )
        forms = ["jsx", "html"] if info.jsx_ok else ["html"]
        for form in forms:
            decl = self.macro_function(n, form, export=top_level)
            if top_level:
                self.module_decls.append(decl)
            else:
                self.stmts[-1].append(decl)

    def macro_params(self, n: ir.MacroDef | ir.CallerDef, form: str) -> str:
        params = []
        if isinstance(n, ir.MacroDef) and n.info.takes_context:
            # the template variables it reads, passed by each call (see MacroCall.context)
            props = {b.name: b for b in self.t.props}
            pattern = js_object((name, self.var(props[name])) for name in n.info.context_names)
            params.append(f"{pattern}: rt.MacroContext")
        bindings = n.params
        for b, d in zip(bindings, n.defaults):
            if d is None:
                params.append(f"{self.var(b)}?: unknown")
            else:
                params.append(f"{self.var(b)}: unknown = {self.expr(d)}")
        if isinstance(n, ir.MacroDef):
            if n.varargs is not None:
                params.append(f"{self.var(n.varargs)}: unknown = rt.tuple([])")
            if n.kwargs is not None:
                params.append(f"{self.var(n.kwargs)}: unknown = {{}}")
            if n.caller is not None:
                self.needs_react_types = True
                ret = "ReactNode" if form == "jsx" else "rt.SafeHtml"
                params.append(f"{self.var(n.caller)}?: (...args: unknown[]) => {ret}")
        return ", ".join(params)

    def function_body(self, body: tuple[ir.Node, ...], form: str) -> tuple[list[str], str]:
        saved_declared = self.declared
        self.declared = set()
        self.stmts.append([])
        try:
            if form == "jsx":
                result = self.fragment(self.jsx_children(body, None))
            else:
                result = f"rt.markup({self.string(body, 'html')})"
            return self.stmts[-1], result
        finally:
            self.stmts.pop()
            self.declared = saved_declared

    def explicit_params(self, n: ir.MacroDef | ir.CallerDef) -> list[str]:
        """Statements unwrapping parameters a caller may give as Undefined (``rt.given``):
        those with defaults; every parameter of a caller body (its callers cannot know)."""
        return [
            f"{self.var(b)} = rt.explicit({self.var(b)});"
            for b, d in zip(n.params, n.defaults)
            if d is not None or isinstance(n, ir.CallerDef)
        ]

    def macro_function(self, n: ir.MacroDef, form: str, export: bool) -> str:
        name = self.macro_fn(n.info, form)
        params = self.macro_params(n, form)
        self.macro_forms = getattr(self, "macro_forms", {})
        stmts, result = self.function_body(n.body, form)
        stmts = self.explicit_params(n) + stmts
        ret = ": ReactNode" if form == "jsx" else ": rt.SafeHtml"
        if form == "jsx":
            self.needs_react_types = True
        body = "".join(f"  {st}\n" for st in stmts)
        decl = f"function {name}({params}){ret} {{\n{body}  return {result};\n}}"
        exported = n.info.name if form == "jsx" else n.info.name + "_html"
        if not export:
            return decl
        if name == exported:
            return "export " + decl
        # the module needs that name for something else (its component, React's Fragment…):
        # the function has another name here, the module exports it under the macro's
        return f"{decl}\nexport {{ {name} as {exported} }};"

    def caller_fn(self, c: ir.CallerDef, form: str) -> str:
        params = self.macro_params(c, form)
        stmts, result = self.function_body(c.body, form)
        stmts = self.explicit_params(c) + stmts
        if stmts:
            return f"({params}) => {{ {' '.join(stmts)} return {result}; }}"
        return f"({params}) => {arrow_result(result)}"

    def macro_named(self, e: ir.MacroCall | ir.MacroRef, form: str) -> str:
        """The JS function of the macro's ``form`` ("jsx" or "html") where ``e`` names it."""
        info = e.info
        if e.module_alias is not None:
            path = self.module_path(e.module_alias.module or "")
            alias = self.star_imports.setdefault(path, self.var(e.module_alias))
            return f"{alias}.{info.name if form == 'jsx' else info.name + '_html'}"
        if info.module != self.t.name:
            # from-import: import the form needed under the local name
            path = self.module_path(info.module)
            local = self.macro_import_local(e, form)
            exported = info.name if form == "jsx" else info.name + "_html"
            self.imports.setdefault(path, set()).add(
                exported if exported == local else f"{exported} as {local}"
            )
            return local
        return self.macro_fn(info, form)

    def x_MacroRef(self, e: ir.MacroRef) -> str:
        """Jinja's Macro object: ``rt.macroValue`` calls the HTML form as a dynamic call does.
        Without context values it is a constant of the statements it is named in (once)."""
        args = [self.macro_named(e, "html"), self.macro_spec(e.info)]
        if e.info.takes_context:  # (the values where it is named: inline)
            args.append(f"[{self.macro_context_arg(e)}]")
            return f"rt.macroValue({', '.join(args)})"
        value = f"rt.macroValue({', '.join(args)})"
        scope = self.stmts[-1]
        named = self.macro_values.setdefault(id(scope), (scope, {}))[1]
        if value not in named:
            named[value] = self.ident(f"{e.info.name}Macro")
            scope.append(f"const {named[value]} = {value};")
        return named[value]

    def macro_spec(self, info: ir.MacroInfo) -> str:
        """What ``rt.callMacro`` binds arguments with (``MacroSpec``)."""
        return (
            f"{{ name: {js_str(info.name)}, params: [{', '.join(js_str(p) for p in info.params)}], "
            f"varargs: {str(info.catch_varargs).lower()}, kwargs: {str(info.catch_kwargs).lower()}, "
            f"caller: {str(info.uses_caller).lower()}, defaults: {info.n_defaults} }}"
        )

    def macro_call(self, e: ir.MacroCall, form: str) -> str:
        info = e.info
        if form == "jsx" and (not info.jsx_ok or e.html_only):
            form = "html"
        fn = self.macro_named(e, form)
        if e.dynamic:
            return self.dynamic_macro_call(e, fn, form)
        first_default = len(info.params) - info.n_defaults
        args = [
            ("undefined" if a is None else self.given(a) if i >= first_default else self.expr(a))
            for i, a in enumerate(e.args)
        ]
        extra = []
        if info.catch_varargs and (e.varargs or e.kwargs or e.caller):
            extra.append("rt.tuple([" + ", ".join(self.expr(v) for v in e.varargs) + "])")
        if info.catch_kwargs and (e.kwargs or e.caller):
            extra.append(
                "{ " + ", ".join(f"{js_key(k)}: {self.expr(v)}" for k, v in e.kwargs) + " }"
                if e.kwargs
                else "{}"
            )
        if e.caller is not None:
            extra.append(self.caller_fn(e.caller, form))
        if extra:  # the parameters not given come before them
            args += ["undefined"] * (len(info.params) - len(args))
        if info.takes_context:
            args.insert(0, self.macro_context_arg(e))
        return f"{fn}({', '.join(args + extra)})"

    def macro_context_arg(self, e: ir.MacroCall | ir.MacroRef) -> str:
        return js_object((name, self.expr(value)) for name, value in e.context)

    def dynamic_macro_call(self, e: ir.MacroCall, fn: str, form: str) -> str:
        """``m(x, *items, **attrs)``: ``rt.callMacro`` binds the arguments as Jinja does."""
        info = e.info
        positional = [self.expr(a) for a in e.args if a is not None]
        if e.star is not None:
            positional.append(f"...rt.iter({self.expr(e.star)})")
        pairs = [f"[{js_str(k)}, {self.expr(v)}]" for k, v in e.kwargs]
        if e.starstar is not None:
            pairs.append(f"...rt.mappingItems({self.expr(e.starstar)})")
        args = [fn, self.macro_spec(info), f"[{', '.join(positional)}]", f"[{', '.join(pairs)}]"]
        before = [self.macro_context_arg(e)] if info.takes_context else []
        after = [self.caller_fn(e.caller, form)] if e.caller is not None else []
        if before or after:
            args.append(f"[{', '.join(before)}]")
        if after:
            args.append(f"[{', '.join(after)}]")
        return f"rt.callMacro({', '.join(args)})"

    def macro_import_local(self, e: ir.MacroCall | ir.MacroRef, form: str) -> str:
        key = (e.import_name, form)
        self.from_locals = getattr(self, "from_locals", {})
        if key not in self.from_locals:
            base = e.import_name if form == "jsx" else e.import_name + "_html"
            self.from_locals[key] = base if base not in self.used else self.ident(base)
            self.used.add(self.from_locals[key])
        return self.from_locals[key]

    def x_BlockText(self, e: ir.BlockText) -> str:
        ref = ir.BlockRef(e.line, e.name)
        return f"rt.markup({self.block_ref(ref, 'html')})"

    def self_block(self, e: ir.SelfBlock, flavor: str | None) -> str:
        """``{{ self.name() }}`` printed where the block's own content can be rendered again:
        the final override (from ``blocks``) or this template's definition of it."""
        b = self.block_defs.get(e.name)
        if b is None:
            raise ConversionError(
                "U001",
                f"self.{e.name}() of a block this template does not define",
                e.line,
                hint="define the block in this template, or print the value it shows directly",
            )
        if b.flavor != flavor:
            where = "element content" if b.flavor is None else f"a {b.flavor} context"
            raise ConversionError(
                "U001",
                f"self.{e.name}() printed in a different place from the block itself ({where})",
                e.line,
            )
        if b.super_binding is not None or b.received:
            raise ConversionError(
                "U001",
                f"self.{e.name}() of a block that calls super() or reads a scoped variable",
                e.line,
            )
        if e.name in self.self_blocks:
            # the block's own content would be written inside itself, without end: Jinja2 only
            # renders it if an override replaces that content (else RecursionError)
            raise ConversionError(
                "U001",
                f"self.{e.name}() inside the content of block {self.self_blocks[-1]!r} it renders",
                e.line,
                hint=f"Call self.{e.name}() outside the block's own content.",
            )
        self.self_blocks.append(e.name)
        try:
            return self.block_ref(ir.BlockRef(e.line, e.name), flavor)
        finally:
            self.self_blocks.pop()

    def x_SelfBlock(self, e: ir.SelfBlock) -> str:
        raise ConversionError(
            "U002", f"self.{e.name}() used as a value (only printing it is supported)", e.line
        )

    def x_SuperCall(self, e: ir.SuperCall) -> str:
        raise ConversionError(
            "U002", "super() used as a value (only printing it is supported)", e.line
        )

    def x_MacroCall(self, e: ir.MacroCall) -> str:
        return self.macro_call(e, "html")

    def include(self, n: ir.Include) -> str:
        """The partial's component as a JSX element."""
        alias, n = self.included(n)
        props = " ".join(
            (
                f"{name}={{{self.forward(value)}}}"
                if IDENT.match(name)
                else f"{{...{{ {js_str(name)}: {self.forward(value)} }}}}"
            )
            for name, value in n.props
        )
        return f"<{alias}{' ' + props if props else ''} />"

    def include_call(self, n: ir.Include) -> str:
        """A call of a partial that renders to an HTML string (``html_root``): its SafeHtml."""
        alias, n = self.included(n)
        return f"{alias}({js_object((name, self.forward(v)) for name, v in n.props)})"

    def included(self, n: ir.Include) -> tuple[str, ir.Include]:
        """The name the partial's default export has here (imported once), and the include with
        its props (a template including itself passes what is in scope at the include)."""
        if n.recursive:  # the component renders itself (see Lowerer.self_include)
            known = dict(n.scope)
            if n.with_context:
                pairs = tuple((p.name, ir.Var(n.line, known.get(p.name, p))) for p in self.t.props)
                n = dataclasses.replace(n, props=pairs)
            return self.t.component, n
        path = self.module_path(n.module)
        alias = self.default_imports.get(path)
        if alias is None:
            alias = n.component if n.component not in self.used else self.ident(n.component)
            self.used.add(alias)
            self.default_imports[path] = alias
        return alias, n

    # -- JSX content --------------------------------------------------------------------------

    def jsx_children(
        self,
        nodes: Iterable[ir.Node],
        parent: ir.Element | None,
        edges: tuple[bool, bool] | None = None,
    ) -> list[str]:
        """JSX children of ``parent`` (an element), or of a nested body (``parent`` None) whose
        surroundings ``edges`` says are block edges (default: unknown, so whitespace at the edges
        is kept -- it may sit between inline text, as in ``a{% if c %} {% endif %}b``)."""
        nodes = list(nodes)
        if parent is None and edges is None:
            edges = (False, False)
        siblings = Siblings(nodes, parent, edges=edges)
        out: list[str] = []
        for idx in range(len(nodes)):
            piece = self.jsx_piece(siblings, idx)
            if piece:
                out.append(piece)
        return out

    def jsx_piece(self, siblings: "Siblings", idx: int) -> str:
        """One child among its siblings as a JSX child ("" for nothing): whitespace-only text
        between two block elements is dropped, as the browser lays it out."""
        n = siblings.nodes[idx]
        if isinstance(n, ir.Text) and self.pre_depth:
            return "{" + js_str(decode_text(n.raw)) + "}"
        if isinstance(n, ir.Text):
            text = decode_text(n.raw)
            text = re.sub(r"[ \t\n\r\f]+", " ", text)
            if text == " " and (siblings.between_blocks(idx) or siblings.continues_run(idx)):
                return ""
            return self.jsx_text(text) if text else ""
        if isinstance(n, ir.If):
            return "{" + self.jsx_if(n, siblings.outside(idx)) + "}"
        if isinstance(n, ir.For):
            return "{" + self.jsx_for(n, siblings.outside(idx)) + "}"
        return self.jsx_node(n)

    def jsx_text(self, text: str) -> str:
        if re.fullmatch(r"[^{}<>&\s\u00a0\"']+(?: [^{}<>&\s\u00a0\"']+)*", text):
            return text
        return "{" + js_str(text) + "}"

    def jsx_node(self, n: ir.Node) -> str:
        if isinstance(n, ir.Element):
            return self.jsx_element(n)
        if isinstance(n, ir.Output):
            return "{" + self.text_expr(n) + "}"
        if isinstance(n, ir.If):
            return "{" + self.jsx_if(n) + "}"
        if isinstance(n, ir.For):
            return "{" + self.jsx_for(n) + "}"
        if isinstance(n, ir.Set):
            inline = self.emit_set(n)
            return "" if inline is None else "{" + inline + "}"
        if isinstance(n, ir.SetAttr):
            return "{" + self.setattr(n) + "}"
        if isinstance(n, ir.Do):
            return "{void " + self.expr(n.expr) + "}"
        if isinstance(n, ir.CondWrap):
            return "{" + self.jsx_condwrap(n) + "}"
        if isinstance(n, (ir.Comment, ir.Doctype, ir.Import)):
            return ""
        if isinstance(n, ir.MacroDef):
            self.macro_def(n)
            return ""
        if isinstance(n, ir.Include):
            return self.include(n)
        if isinstance(n, ir.BlockRef):
            ref = self.block_ref(n)
            if self.block_defs[n.name].flavor is None and self.layout_flavor(n.name) is not None:
                # text in the layout's <title> (placed_blocks allows no other mismatch)
                ref = f"rt.textInElements({ref})"
            return "{" + ref + "}"
        raise ConversionError("E001", f"cannot emit {type(n).__name__} as JSX", n.line)

    def layout_flavor(self, block: str) -> str | None:
        """How the layout chain above this template writes ``block`` (None: as elements)."""
        return dict(self.t.layout.inherited).get(block) if self.t.layout else None

    def setattr(self, n: ir.SetAttr) -> str:
        return f"rt.setattr({self.expr(n.obj)}, {js_str(n.name)}, {self.expr(n.value)})"

    def text_expr(self, o: ir.Output) -> str:
        e = o.expr
        if isinstance(e, ir.MacroCall) and e.info.jsx_ok and not e.html_only:
            return self.macro_call(e, "jsx")
        if _is_caller_call(e):
            return self.x_Call(e)  # type: ignore[arg-type]
        if isinstance(e, ir.SuperCall):
            return f"{self.var(e.binding)}()"
        if isinstance(e, ir.SelfBlock):
            return self.self_block(e, None)
        if isinstance(e, ir.Const) and isinstance(e.value, str):
            return js_str(e.value)
        if isinstance(e, ir.Filter) and e.name in TEXT_SAFE_FILTERS and e.value is not None:
            e = e.value
        return f"rt.text({self.expr(e)})"

    def fragment(self, children: list[str]) -> str:
        if not children:
            return "null"
        if len(children) == 1:
            c = children[0]
            if c.startswith("<"):
                return c
            if c.startswith("{") and c.endswith("}"):
                return c[1:-1]
            return js_str(c)
        return "<>" + "".join(children) + "</>"

    def jsx_if(self, n: ir.If, edges: tuple[bool, bool] = (False, False)) -> str:
        # emitted in source order: a branch's {% set %} may declare what a later one starts from
        branches = [
            (self.cond(test), self.fragment(self.jsx_children(body, None, edges)))
            for test, body in n.branches
        ]
        result = (
            self.fragment(self.jsx_children(n.otherwise, None, edges)) if n.otherwise else "null"
        )
        for test, branch in reversed(branches):
            result = f"{test} ? {branch} : {result}"
        return result

    def jsx_condwrap(self, n: ir.CondWrap) -> str:
        inner = self.ident("children")
        content = self.fragment(self.jsx_children(n.children, None))
        el = self.jsx_element(n.element, children_override=f"{{{inner}}}")
        return f"(({inner}) => ({self.cond(n.test)} ? {el} : {inner}))({content})"

    def loop_callback(
        self, n: ir.For, mode: str, key: bool, edges: tuple[bool, bool] = (False, False)
    ) -> tuple[str, str | None]:
        """Emit ``(item, loop) => …`` for a loop body; returns (callback, filter callback)."""
        self.stmts.append([])
        loop_name = self.var(n.loop) if n.loop is not None else self.ident("loop")
        if n.loop is not None:
            self.loop_modes[id(n.loop)] = mode
        if n.target.is_tuple:
            item = self.ident("item")
            names = ", ".join(self.var(b) for b in n.target.bindings)
            unpack = f"const [{names}] = rt.unpack({item}, {len(n.target.bindings)});"
            self.stmts[-1].append(unpack)
        else:
            item = self.var(n.target.bindings[0])
            unpack = ""
        body: str | None
        if n.controls:
            keyed = f"{loop_name}.index0" if key and mode == "jsx" else None
            body = self.control_body(n.body, mode, "html", keyed)
        elif mode == "jsx":
            children = self.jsx_children(n.body, None, _loop_edges(n.body, edges))
            body = self.keyed(children, f"{loop_name}.index0") if key else self.fragment(children)
        else:
            body = self.string(n.body, "html")
        stmts = self.stmts.pop()
        callback = self.callback(f"({item}, {loop_name})", stmts, body)
        filt = None
        if n.condition is not None:
            cond = self.cond(n.condition)
            filt = (
                f"({item}) => {{ {unpack} return {cond}; }}"
                if unpack
                else f"({item}) => {arrow_result(cond)}"
            )
        return callback, filt

    @staticmethod
    def callback(params: str, stmts: list[str], result: str | None) -> str:
        """An arrow function: ``params => result``, with statements before the ``return``
        (``result`` None: the statements return on every path)."""
        if result is None:
            return f"{params} => {{ {' '.join(stmts)} }}"
        if stmts:
            return f"{params} => {{ {' '.join(stmts)} return {result}; }}"
        return f"{params} => {arrow_result(result)}"

    def keyed(self, children: list[str], key: str) -> str:
        attr = f"key={key}" if _is_literal(key) else f"key={{{key}}}"
        if len(children) == 1 and children[0].startswith("<") and not children[0].startswith("<>"):
            c = children[0]
            m = re.match(r"<([\w.:-]+)", c)
            assert m
            return f"{c[: m.end()]} {attr}{c[m.end():]}"
        self.needs_fragment = True
        return f"<Fragment {attr}>{''.join(children)}</Fragment>"

    def jsx_for(self, n: ir.For, edges: tuple[bool, bool] = (False, False)) -> str:
        iterable = self.expr(n.iterable)
        simple = (
            n.loop is None
            and n.condition is None
            and not n.otherwise
            and not n.target.is_tuple
            and not n.controls
        )
        if simple:
            self.stmts.append([])
            item = self.var(n.target.bindings[0])
            idx = self.ident("i")
            body = self.keyed(self.jsx_children(n.body, None, _loop_edges(n.body, edges)), idx)
            stmts = self.stmts.pop()
            cb = (
                f"({item}, {idx}) => {{ {' '.join(stmts)} return {body}; }}"
                if stmts
                else f"({item}, {idx}) => {arrow_result(body)}"
            )
            return f"rt.iter({iterable}).map({cb})"
        callback, filt = self.loop_callback(n, "jsx", key=True, edges=edges)
        opts = self.loop_opts(n, filt)
        if n.otherwise:
            children = self.jsx_children(n.otherwise, None, edges)
            # after bodies ended by break/continue the else joins their outputs in one array
            other = self.keyed(children, '"else"') if n.controls else self.fragment(children)
            return f"rt.forElse({iterable}, {callback}, () => {other}{opts})"
        return f"rt.loop({iterable}, {callback}{opts})"

    # -- loop bodies with {% break %} / {% continue %} ------------------------------------------

    def control_body(
        self, body: tuple[ir.Node, ...], mode: str, flavor: str, key: str | None
    ) -> str | None:
        """A loop body holding ``{% break %}``/``{% continue %}`` as statements of its callback
        (appended to ``self.stmts[-1]``); returns the value of the final ``return``, or None
        when the statements return on every path.

        The output is cut into named pieces at each ``{% if %}`` that holds a control, so what
        was written before a control can be returned with it, and nothing after it is evaluated
        (Jinja's order): ``const part = <li>…</li>; if (c) return rt.loopBreak(part);``. A
        branch that falls through with output assigns it to a ``let`` declared before the
        ``if``. ``key``: the JSX key of each iteration's output (None: string mode, or a body
        rendered unkeyed)."""
        parts: list[str] = []
        ended, tail = self.control_seq(body, parts, self.stmts[-1], mode, flavor, key)
        if not ended:
            return self.control_join(parts, tail, mode, key)
        last = self.stmts[-1][-1]
        if last.startswith("return ") and last.endswith(";"):  # `=> rt.loopBreak()` when alone
            self.stmts[-1].pop()
            return last[len("return ") : -1]
        return None  # an if/else whose branches all return

    def control_seq(
        self,
        nodes: tuple[ir.Node, ...],
        parts: list[str],
        out: list[str],
        mode: str,
        flavor: str,
        key: str | None,
        branch: bool = False,
    ) -> tuple[bool, list[str]]:
        """Emit ``nodes`` as statements into ``out``. ``parts`` holds the output written so far
        on this path (extended in place): JSX children (``{part}``, ``{" "}``) or string terms.
        Returns whether every path ended in a control, and the output of the last run of
        nodes, not yet named (JSX children or string terms)."""
        siblings = Siblings(list(nodes), None, runs=True, inline_edges=branch)
        run: list[int] = []

        def pieces() -> list[str]:
            if mode == "jsx":
                found = [self.jsx_piece(siblings, i) for i in run]
                return [p for p in found if p]
            term = self.string([nodes[i] for i in run], flavor)
            return [] if term == '""' else [term]

        def flush() -> None:
            done = pieces()
            run.clear()
            if all(_blank_piece(p) for p in done):
                parts.extend(done)  # whitespace: written where it is used, not named
            else:
                name = self.ident("part")
                out.append(f"const {name} = {self.control_join([], done, mode, None)};")
                parts.append("{" + name + "}" if mode == "jsx" else name)

        for idx, node in enumerate(nodes):
            if not _has_control(node):
                run.append(idx)
                continue
            flush()
            if isinstance(node, ir.LoopControl):
                value = self.control_join(parts, [], mode, key, empty="")
                fn = "rt.loopBreak" if node.kind == "break" else "rt.loopContinue"
                out.append(f"return {fn}({value});")
                return True, []  # Jinja never runs what follows
            assert isinstance(node, ir.If)
            if self.control_if(node, parts, out, mode, flavor, key):
                return True, []
        return False, pieces()

    def control_if(
        self,
        node: ir.If,
        parts: list[str],
        out: list[str],
        mode: str,
        flavor: str,
        key: str | None,
    ) -> bool:
        """An ``{% if %}`` holding a control, as an ``if`` statement; returns whether every
        branch ends in a control."""
        branches: list[tuple[ir.Expr | None, tuple[ir.Node, ...]]] = list(node.branches)
        if node.otherwise:
            branches.append((None, node.otherwise))
        joined: str | None = None  # the let holding the output of branches that fall through
        all_end = bool(node.otherwise)
        code: list[str] = []
        for i, (test, body) in enumerate(branches):
            cond = None if test is None else self.cond(test)
            branch: list[str] = []
            own = list(parts)
            ended, tail = self.control_seq(body, own, branch, mode, flavor, key, branch=True)
            added = own[len(parts) :]
            if not ended and (added or tail):
                if joined is None:
                    joined = self.ident("part")
                value = self.control_join(added, tail, mode, None)
                branch.append(f"{joined} = {value};")
            all_end = all_end and ended
            block = "{ " + " ".join(branch) + " }"
            if cond is None:
                code.append(f"else {block}")
            else:
                code.append(f"{'else ' if i else ''}if ({cond}) {block}")
        if joined is not None:
            if mode == "jsx":
                self.needs_react_types = True
                out.append(f"let {joined}: ReactNode = null;")
                parts.append("{" + joined + "}")
            else:
                out.append(f'let {joined} = "";')
                parts.append(joined)
        out.append(" ".join(code))
        return all_end

    def control_join(
        self, parts: list[str], tail: list[str], mode: str, key: str | None, empty: str = "null"
    ) -> str:
        """The output ``parts`` then ``tail`` (JSX children, or string terms), keyed when ``key``
        is given; ``empty`` when there is none."""
        if mode != "jsx":
            terms = parts + tail
            if not terms:
                return '""' if empty == "null" else empty
            return terms[0] if len(terms) == 1 else "(" + " + ".join(terms) + ")"
        children = parts + tail
        if not children:
            return empty
        return self.keyed(children, key) if key is not None else self.fragment(children)

    def loop_opts(self, n: ir.For, filt: str | None) -> str:
        opts = []
        if filt:
            opts.append(f"filter: {filt}")
        if n.recursive:
            opts.append("recursive: true")
        return ", { " + ", ".join(opts) + " }" if opts else ""

    # -- elements -------------------------------------------------------------------------

    def tag_name(self, el: ir.Element) -> str:
        return el.tag if el.in_svg else el.tag.lower()

    def jsx_element(self, el: ir.Element, children_override: str | None = None) -> str:
        tag = self.tag_name(el)
        lower = tag.lower()
        props = self.jsx_attrs(el)
        if el.raw_text:
            if lower in ("script", "style"):
                html = self.string_in("other", el.children)
                props.append(f"dangerouslySetInnerHTML={{{{ __html: {html} }}}}")
                return f"<{tag} {' '.join(props)} />"
            value = self.string(el.children, "text")
            if lower == "textarea":
                if value.startswith('"'):
                    literal = json.loads(value)
                    value = js_str(literal[1:] if literal.startswith("\n") else literal)
                else:
                    value = f"rt.stripLeadingNewline({value})"
                props.append(f"defaultValue={{{value}}}")
                return f"<{tag} {' '.join(props)} />"
            return f"<{tag}{' ' if props else ''}{' '.join(props)}>{{{value}}}</{tag}>"
        open_ = f"<{tag}{' ' if props else ''}{' '.join(props)}"
        if el.void:
            return open_ + " />"
        if children_override is not None:
            return f"{open_}>{children_override}</{tag}>"
        children = list(el.children)
        raw = children_as_html(el)
        if not raw and lower in PREFORMATTED and children and isinstance(children[0], ir.Text):
            first = children[0]  # the parser drops one newline after <pre>
            children[0] = ir.Text(first.line, first.raw.removeprefix("\n"))
        if raw:
            html = self.string(el.children, "html")
            if lower in PREFORMATTED:
                html = f"rt.stripLeadingNewline({html})"
            return f"{open_} dangerouslySetInnerHTML={{{{ __html: {html} }}}} />"
        if lower in PREFORMATTED:
            self.pre_depth += 1  # descendants keep their whitespace too
            try:
                body = "".join(self.jsx_children(children, el))
            finally:
                self.pre_depth -= 1
        else:
            body = "".join(self.jsx_children(children, el))
        if not body:
            return open_ + " />" if lower not in ("script",) else f"{open_}></{tag}>"
        return f"{open_}>{body}</{tag}>"

    # -- attributes -----------------------------------------------------------------------

    def jsx_attrs(self, el: ir.Element) -> list[str]:
        if self.inexpressible(el):
            raise ConversionError(
                "E001", "inexpressible element reached JSX emission", el.line
            )  # guarded by needs_raw
        has_dyn = any(isinstance(a, ir.DynAttrs) for a in _walk_attr_items(el.attrs))
        if has_dyn:
            return self.spread_attrs(el)
        # name → candidates in source order: (condition or None, value)
        cands: dict[str, list[tuple[str | None, str]]] = {}
        self.collect_attrs(el, el.attrs, None, cands)
        props = []
        for name, options in cands.items():
            value = "undefined"
            for cond, val in reversed(options):
                value = val if cond is None else f"{cond} ? {val} : {value}"
            if not _declared_prop(el, name):
                # React renders it, but @types/react does not declare it for this element
                # (`<link disabled>`): a spread is not checked for unknown props
                props.append(f"{{...{{ {name}: {value} }}}}")
            elif value == "true":
                props.append(name)
            elif value.startswith('"') and _jsx_attr_string_ok(value):
                props.append(f"{name}={value}")
            else:
                props.append(f"{name}={{{value}}}")
        if props and all(p.startswith("{...{") for p in props):
            # nothing the element's props type declares (children may be none, or comments
            # only): TypeScript's weak type check would reject the spread object
            props[0] = f"{{...({props[0][4:-1]} as object)}}"
        return props

    def collect_attrs(
        self,
        el: ir.Element,
        items: tuple[ir.AttrItem, ...],
        cond: str | None,
        cands: dict[str, list[tuple[str | None, str]]],
    ) -> None:
        for a in items:
            if isinstance(a, ir.Attribute):
                name, value = self.attr_prop(el, a)
                cands.setdefault(name, []).append((cond, value))
            elif isinstance(a, ir.CondAttrs):
                previous: list[str] = []
                for test, body in a.branches:
                    c = self.cond(test)
                    here = " && ".join(
                        ([cond] if cond else []) + [f"!{_paren(p)}" for p in previous] + [_paren(c)]
                    )
                    self.collect_attrs(el, body, here, cands)
                    previous.append(c)
                if a.otherwise:
                    here = " && ".join(
                        ([cond] if cond else []) + [f"!{_paren(p)}" for p in previous]
                    )
                    self.collect_attrs(el, a.otherwise, here, cands)

    def attr_prop(self, el: ir.Element, a: ir.Attribute) -> tuple[str, str]:
        """One attribute → (React prop name, TS value expression)."""
        lower = a.name.lower()
        tag = el.tag.lower()
        name = react_attr_name(a.name, el.in_svg)
        if tag == "input" and lower == "value":
            name = "defaultValue"
        elif tag == "input" and lower == "checked":
            name = "defaultChecked"
        elif tag == "option" and lower == "selected":
            name = "selected"
        if not JSX_NAME.match(name):
            name = js_str(name)
        if name in BOOLEAN_PROPS or name == "defaultChecked":
            return name, "true"
        if a.value is None:
            return name, '""'
        value = self.in_attribute(
            part_quote(a.value), lambda: self.string(a.value.parts, "attr")  # type: ignore[union-attr]
        )
        if name == "style":
            if value.startswith('"'):
                decls = parse_style(json.loads(value))
                if decls is not None:
                    obj = ", ".join(f"{js_key(k)}: {js_str(v)}" for k, v in decls)
                    if any(k.startswith("--") for k, _ in decls):
                        # custom properties are not in React.CSSProperties
                        return name, "{ " + obj + " } as Record<string, string>"
                    return name, "{ " + obj + " }" if obj else "{}"
            return name, f"rt.parseStyle({value})"
        return name, self.typed_attr_value(name, tag, value)

    def typed_attr_value(self, name: str, tag: str, value: str) -> str:
        """@types/react declares some props as numbers or literal unions (tabIndex, colSpan,
        aria-expanded, button type): keep literals the type allows, mark computed strings."""
        allowed = NON_STRING_PROPS.get(name)
        if allowed is None or (name == "type" and tag not in ("button", "ol")):
            return value
        if _is_literal(value):
            text = json.loads(value)
            if "<number>" in allowed and re.fullmatch(r"-?(?:0|[1-9][0-9]{0,8})", text):
                return text  # React prints the number exactly as written
            if text in allowed:
                return value
        return f"rt.attrString({value})"

    def spread_attrs(self, el: ir.Element) -> list[str]:
        """Attributes with run-time attribute text: spreads in reverse source order, so the
        first occurrence of a name wins as in HTML."""
        pieces: list[str] = []
        for a in el.attrs:
            pieces.append(self.spread_piece(el, a))
        return ["{..." + p + "}" for p in reversed(pieces)]

    def spread_piece(self, el: ir.Element, a: ir.AttrItem) -> str:
        if isinstance(a, ir.DynAttrs):
            v = self.expr(a.expr)
            fn = "rt.parseAttrsAfterName" if a.after_name else "rt.parseAttrs"
            return f"{fn}({v})" if a.autoescape else f"{fn}(rt.markup(rt.str({v})))"
        if isinstance(a, ir.Attribute):
            name, value = self.attr_prop(el, a)
            key = name if IDENT.match(name) else (name if name.startswith('"') else js_str(name))
            return f"{{ {key}: {value} }}"
        result = "{}"
        if a.otherwise:
            result = self.merge_pieces(el, a.otherwise)
        for test, body in reversed(a.branches):
            result = f"({self.cond(test)} ? {self.merge_pieces(el, body)} : {result})"
        return result

    def merge_pieces(self, el: ir.Element, items: tuple[ir.AttrItem, ...]) -> str:
        parts = [self.spread_piece(el, a) for a in items]
        return "{ " + ", ".join("..." + p for p in reversed(parts)) + " }" if parts else "{}"

    # -- string mode ----------------------------------------------------------------------

    def string(self, nodes: Iterable[ir.Node], flavor: str) -> str:
        """A TS string expression: the HTML Jinja writes ('html'), or the decoded text of an
        attribute value / RCDATA element ('attr', 'text')."""
        return concat(p for p in (self.string_node(n, flavor) for n in nodes) if p is not None)

    def string_node(self, n: ir.Node, flavor: str) -> str | None:
        if isinstance(n, ir.Text):
            if flavor == "html":
                return js_str(n.raw)
            if flavor == "attr" and ends_attribute(n.raw, self.attr_quote):
                # (an override's text, written in the layout's attribute value)
                raise ConversionError(
                    "H109",
                    f"text {n.raw.strip()[:30]!r} ends the attribute value the layout writes this "
                    "block in (" + QUOTE_LABEL[self.attr_quote] + ")",
                    n.line,
                    hint="Write &quot; (or &#39;) for a quote in it.",
                )
            return js_str(decode_attr(n.raw) if flavor == "attr" else decode_text(n.raw))
        if isinstance(n, ir.Output):
            if isinstance(n.expr, ir.SuperCall):
                if self.block_flavors and self.block_flavors[-1] is None:
                    raise ConversionError(
                        "U001",
                        "super() inside content written as an HTML string (beside raw HTML or a "
                        "call's HTML output), in a block whose parent renders elements",
                        n.line,
                        hint="print super() outside the element that holds the raw HTML",
                    )
                return f"{self.var(n.expr.binding)}()"
            if isinstance(n.expr, ir.SelfBlock):
                return self.self_block(n.expr, flavor)
            e = self.expr(n.expr)
            if flavor == "html":
                # HTML printed in element content must end back in content (rt.content)
                fn = (
                    "rt.out"
                    if self.html_where == "other" or (n.autoescape and n.safety == "no")
                    else "rt.commentOut" if self.html_where == "comment" else "rt.content"
                )
                return f"{fn}({e})" if n.autoescape else f"{fn}({e}, false)"
            if flavor == "text" and not (n.autoescape and n.safety == "no"):
                # <title>/<textarea> text: Markup (or unescaped text) may end the element where
                # Jinja writes it, and its references decode as in content: when it renders
                return f"rt.rcdata({e}, {'true' if n.autoescape else 'false'})"
            if flavor == "attr" and (
                self.attr_quote in ("s", "u", "w") or not (n.autoescape and n.safety == "no")
            ):
                # Markup, unescaped text, or white space in an unquoted value may end the
                # attribute value where Jinja writes it: checked when it renders
                autoescape = "true" if n.autoescape else "false"
                return f"rt.attr({e}, {autoescape}, {js_str(self.attr_quote)})"
            if not n.autoescape and n.safety == "no":
                return f"rt.attr(rt.markup(rt.str({e})))"
            return f"rt.attr({e})"
        if isinstance(n, ir.If):
            branches = [(self.cond(test), self.string(body, flavor)) for test, body in n.branches]
            result = self.string(n.otherwise, flavor) if n.otherwise else '""'
            for test, branch in reversed(branches):
                result = f"({test} ? {branch} : {result})"
            return result
        if isinstance(n, ir.For):
            iterable = self.expr(n.iterable)
            self.stmts.append([])
            callback, filt = self.loop_callback_string(n, flavor)
            opts = self.loop_opts(n, filt)
            if n.otherwise:
                other = self.string(n.otherwise, flavor)
                return f'rt.forElse({iterable}, {callback}, () => [{other}]{opts}).join("")'
            return f'rt.loop({iterable}, {callback}{opts}).join("")'
        if isinstance(n, ir.Set):
            inline = self.emit_set(n)
            return None if inline is None else f'{inline[:-len(", null)")]}, "")'
        if isinstance(n, ir.SetAttr):
            return self.setattr(n)
        if isinstance(n, ir.Do):
            return f'(void {self.expr(n.expr)}, "")'
        if isinstance(n, ir.Element):
            if flavor != "html":
                raise ConversionError("H101", "element inside an attribute value", n.line)
            return self.string_element(n)
        if isinstance(n, ir.CondWrap):
            c = self.cond(n.test)
            open_ = self.string_open_tag(n.element)
            return f'({c} ? {open_} : "") + {self.string(n.children, flavor)} + ({c} ? "</{n.element.tag}>" : "")'
        if isinstance(n, ir.Comment):
            # (in an attribute value or <title>, an override's comment is text like the rest)
            return f'"<!--" + {self.string_in("comment", n.body, flavor)} + "-->"'
        if isinstance(n, ir.Doctype):
            if flavor == "html":
                return js_str(n.raw)
            return js_str(decode_attr(n.raw) if flavor == "attr" else decode_text(n.raw))
        if isinstance(n, ir.Import):
            return None
        if isinstance(n, ir.MacroDef):
            self.macro_def(n)
            return None
        if isinstance(n, ir.BlockRef) and self.block_defs[n.name].flavor == flavor:
            return self.block_ref(n, flavor)
        if isinstance(n, ir.Include) and n.html and flavor == "html":
            return f"{self.include_call(n)}.html"
        if isinstance(n, (ir.Include, ir.BlockRef)):
            what = "{% include %}" if isinstance(n, ir.Include) else f"block {n.name!r}"
            raise ConversionError(
                "U001",
                f"{what} inside content written as an HTML string (an element holding raw HTML, "
                "a block written as a string, a macro's HTML form)",
                n.line,
                hint="A component renders as elements, not as a string: put the "
                + ("include" if isinstance(n, ir.Include) else "block")
                + " outside the element that holds the raw HTML (or wrap the raw HTML in an "
                "element of its own).",
            )
        if isinstance(n, ir.FilterBlock):
            value = f"rt.markup({self.string(n.body, 'html')})"
            for f in n.filters:
                value = (
                    self.app_call(f, value)
                    if isinstance(f, ir.AppCall)
                    else self.filter_call(f, value)
                )
            # Jinja writes the result unescaped: HTML source, whatever its type says
            written = f"rt.filterBlockOut({value})"
            return written if flavor == "html" else f"rt.attr(rt.markup({written}))"
        raise ConversionError("E001", f"cannot emit {type(n).__name__} in string mode", n.line)

    def loop_callback_string(self, n: ir.For, flavor: str) -> tuple[str, str | None]:
        self.stmts.pop()
        if flavor == "html":
            return self.loop_callback(n, "string", key=False)
        # attribute/text flavors: same as html but bodies decoded
        self.stmts.append([])
        loop_name = self.var(n.loop) if n.loop is not None else self.ident("loop")
        if n.loop is not None:
            self.loop_modes[id(n.loop)] = "string"
        unpack = ""
        if n.target.is_tuple:
            item = self.ident("item")
            names = ", ".join(self.var(b) for b in n.target.bindings)
            unpack = f"const [{names}] = rt.unpack({item}, {len(n.target.bindings)});"
            self.stmts[-1].append(unpack)
        else:
            item = self.var(n.target.bindings[0])
        body: str | None
        if n.controls:
            body = self.control_body(n.body, "string", flavor, None)
        else:
            body = self.string(n.body, flavor)
        stmts = self.stmts.pop()
        callback = self.callback(f"({item}, {loop_name})", stmts, body)
        filt = None
        if n.condition is not None:
            cond = self.cond(n.condition)
            filt = (
                f"({item}) => {{ {unpack} return {cond}; }}"
                if unpack
                else f"({item}) => {arrow_result(cond)}"
            )
        return callback, filt

    def string_open_tag(self, el: ir.Element) -> str:
        return concat([js_str("<" + el.tag), *(self.string_attr(a) for a in el.attrs), '">"'])

    def string_attr(self, a: ir.AttrItem) -> str:
        if isinstance(a, ir.Attribute):
            if a.value is None:
                return js_str(" " + a.name)
            return concat([js_str(f' {a.name}="'), self.string_attr_value(a.value), js_str('"')])
        if isinstance(a, ir.DynAttrs):
            e = self.expr(a.expr)
            return concat(['" "', f'rt.out({e}{"" if a.autoescape else ", false"})'])
        result = concat(self.string_attr(x) for x in a.otherwise)
        for test, body in reversed(a.branches):
            inner = concat(self.string_attr(x) for x in body)
            result = f"({self.cond(test)} ? {inner} : {result})"
        return result

    def string_attr_value(self, value: ir.AttrValue) -> str:
        """The value inside ``"…"``: static text re-escaped, what the code writes checked not to
        end the value as the template quotes it (``rt.attrHtml``), its ``"`` escaped."""
        parts = []
        for p in value.parts:
            if isinstance(p, ir.Text):
                parts.append(js_str(_attr_escape(decode_attr(p.raw))))
            else:
                s = self.string_in("other", [p])
                if s != '""':
                    parts.append(f"rt.attrHtml({s}, {js_str(part_quote(value))})")
        return concat(parts)

    def in_attribute(self, quote: str, emit: Callable[[], str]) -> str:
        saved, self.attr_quote = self.attr_quote, quote
        try:
            return emit()
        finally:
            self.attr_quote = saved

    def string_element(self, el: ir.Element) -> str:
        open_ = self.string_open_tag(el)
        if el.void:
            return open_
        if el.raw_text and el.tag.lower() in ("script", "style"):
            inside = self.string_in("other", el.children)
        else:
            inside = self.string(el.children, "html")
        return concat([open_, inside, js_str(f"</{el.tag}>")])

    def string_in(self, where: str, nodes: Iterable[ir.Node], flavor: str = "html") -> str:
        """``string`` for HTML the parser reads as ``where`` (see ``html_where``)."""
        saved, self.html_where = self.html_where, where
        try:
            return self.string(nodes, flavor)
        finally:
            self.html_where = saved


# ----------------------------------------------------------------------------- helpers


def _no(e: ir.Expr) -> bool:
    return expr_safety(e) == "no"


class _Concat(str):
    """A string concatenation ``(a + b + …)`` that keeps its terms: an enclosing ``concat``
    takes them over (merging adjacent literals) instead of nesting parentheses. Each term is
    (literal text or None, its TypeScript), so literals are decoded and written once."""

    terms: tuple[tuple[str | None, str], ...] = ()


def concat(terms: Iterable[str]) -> str:
    """The TS expression joining string-valued ``terms`` with ``+``: adjacent literals written
    as one (``"<p" + ">"`` → ``"<p>"``), nested concatenations flattened."""
    flat: list[tuple[str | None, str]] = []
    for term in terms:
        if isinstance(term, _Concat):
            parts: Iterable[tuple[str | None, str]] = term.terms
        elif term[:1] == '"' and _LITERAL.fullmatch(term):
            parts = ((json.loads(term) if "\\" in term else term[1:-1], term),)
        else:
            parts = ((None, term),)
        for text, ts in parts:
            if text is not None:
                if not text:
                    continue
                if flat and flat[-1][0] is not None:
                    flat[-1] = (flat[-1][0] + text, "")  # written once, below
                    continue
            flat.append((text, ts))
    if not flat:
        return '""'
    flat = [(text, ts or _literal(text or "")) for text, ts in flat]
    if len(flat) == 1:
        return flat[0][1]
    out = _Concat("(" + " + ".join(ts for _, ts in flat) + ")")
    out.terms = tuple(flat)
    return out


_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')  # a string literal as js_str writes it
_ESCAPED = re.compile('[\x00-\x1f"\\\\\u2028\u2029\u00a0\x7f]')  # what js_str escapes


def _literal(text: str) -> str:
    return js_str(text) if _ESCAPED.search(text) else f'"{text}"'


def _is_literal(s: str) -> bool:
    try:
        return isinstance(json.loads(s), str)
    except ValueError:
        return False


def _paren(s: str) -> str:
    return s if re.fullmatch(r"[\w.$]+\(.*\)|[\w.$]+", s) and s.count("(") <= 1 else f"({s})"


def _attr_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&#34;")


def _jsx_attr_string_ok(value: str) -> bool:
    try:
        text = json.loads(value)
    except ValueError:
        return False
    # JSX attribute strings take no JS escapes: only text written verbatim may stay a literal
    return (
        isinstance(text, str)
        and value == f'"{text}"'
        and not re.search(r"[&\"\\\n\r\t\u00a0{}]", text)
    )


def _loop_edges(body: tuple[ir.Node, ...], outside: tuple[bool, bool]) -> tuple[bool, bool]:
    """Edges of a loop body: the start of one iteration follows the end of the previous one,
    so each edge is a block edge only if both what is outside and the body's other end are."""
    seen = [
        n
        for n in body
        if not isinstance(n, INVISIBLE)
        and not _silent(n)
        and not (isinstance(n, ir.Text) and blank(decode_text(n.raw)))
    ]
    first = _blockish(seen[0], False) if seen else True
    last = _blockish(seen[-1], False) if seen else True
    return outside[0] and last, outside[1] and first


def _blockish(n: ir.Node | None, parent_block: bool) -> bool:
    if n is None:
        return parent_block
    return isinstance(n, ir.Element) and n.tag.lower() in BLOCK_ELEMENTS


def _flat_attrs(items: tuple[ir.AttrItem, ...]) -> Iterable[tuple[str, ir.AttrValue | None]]:
    for a in _walk_attr_items(items):
        if isinstance(a, ir.Attribute):
            yield a.name, a.value


def _walk_attr_items(items: tuple[ir.AttrItem, ...]) -> Iterable[ir.AttrItem]:
    for a in items:
        yield a
        if isinstance(a, ir.CondAttrs):
            for _, body in a.branches:
                yield from _walk_attr_items(body)
            yield from _walk_attr_items(a.otherwise)


def _declared_prop(el: ir.Element, name: str) -> bool:
    """Does @types/react declare prop ``name`` for this HTML element? (Hyphenated names are
    never checked; SVG and elements it does not know are left as they are.)"""
    own = ELEMENT_PROPS.get(el.tag.lower())
    if el.in_svg or own is None or "-" in name or not IDENT.match(name):
        return True
    return name in HTML_PROPS or name in own


def walk_nodes(nodes: Iterable[ir.Node]) -> Iterable[ir.Node]:
    """``nodes`` and every node below them in element content and control flow."""
    for n in nodes:
        yield n
        if isinstance(n, ir.If):
            for _, body in n.branches:
                yield from walk_nodes(body)
            yield from walk_nodes(n.otherwise)
        elif isinstance(n, ir.For):
            yield from walk_nodes(n.body + n.otherwise)
        elif isinstance(n, (ir.Element, ir.Comment)):
            yield from walk_nodes(n.children if isinstance(n, ir.Element) else n.body)
        elif isinstance(n, ir.CondWrap):
            yield from walk_nodes(n.children)


def _has_control(n: ir.Node) -> bool:
    """Does ``n`` hold a ``{% break %}``/``{% continue %}`` of the loop whose body it is in?
    (Lowering keeps them out of elements and nested bodies other than ``if`` branches.)"""
    if isinstance(n, ir.LoopControl):
        return True
    if isinstance(n, ir.If):
        return any(_has_control(c) for _, body in n.branches for c in body) or any(
            _has_control(c) for c in n.otherwise
        )
    return False


def _blank_piece(piece: str) -> bool:
    """A JSX child or string term that is literal whitespace (``{" "}``, ``" "``)."""
    if piece.startswith("{") and piece.endswith("}"):
        piece = piece[1:-1]
    return _is_literal(piece) and not json.loads(piece).strip()


def _silent(n: ir.Node) -> bool:
    """A loop control, or an ``{% if %}`` holding one and printing nothing whatever the branch
    (``{% if skip %}{% continue %}{% endif %}``)."""
    if isinstance(n, ir.LoopControl):
        return True
    if not (isinstance(n, ir.If) and _has_control(n)):
        return False
    bodies = [body for _, body in n.branches] + [n.otherwise]
    return all(isinstance(c, INVISIBLE) or _silent(c) for body in bodies for c in body)


def _uses_loopcall(n: ir.For) -> bool:
    for node in walk_nodes(n.body):
        if isinstance(node, ir.Output):
            if any(isinstance(e, ir.LoopCall) for e in walk_expr(node.expr)):
                return True
    return False


def emit_module(template: ir.Template, runtime_import: str, source_label: str) -> str:
    return Emitter(template, runtime_import, source_label).module()
