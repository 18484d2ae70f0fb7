"""HTML equivalence for the differential tests: decides whether the Jinja2 output and the React
output of a template are the same HTML up to whitespace a browser collapses.

This module owns the comparison rules: parsing both strings with html5lib (as a document or as a
fragment, chosen from the expected side), dropping comments and doctypes, canonicalising
attributes (sorted, boolean values, ``class`` and ``style`` spelling), collapsing insignificant
whitespace, neutralising React 19's hoisting of ``<title>``/``<meta>``/``<link>``/async
``<script>`` and its added ``<link rel="preload">`` hints, and rendering the result as a
pretty-printed canonical text (one node per line, two-space indentation) that is diffed on
failure.
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import json
import re
import xml.etree.ElementTree as ET
from typing import Literal, Union

import html5lib

__all__ = ["assert_same_html", "normalise", "same_html"]

HTML_NS = "http://www.w3.org/1999/xhtml"
SVG_NS = "http://www.w3.org/2000/svg"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"

# Attribute namespaces html5lib produces (``xlink:href``, ``xml:lang``, ``xmlns:xlink``).
_ATTR_PREFIXES = {
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/XML/1998/namespace": "xml",
    "http://www.w3.org/2000/xmlns/": "xmlns",
}

BOOLEAN_ATTRIBUTES = frozenset(
    "allowfullscreen async autofocus autoplay checked controls default defer disabled"
    " formnovalidate hidden inert ismap itemscope loop multiple muted nomodule novalidate open"
    " playsinline readonly required reversed selected".split()
)

# Elements whose edges are a line/box boundary, so whitespace next to them is insignificant.
# Display-none elements (head content, <source>, <track>, ...) count too.  <br> and inline
# elements (a span b i em strong label button input img ...) deliberately do not.
BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote body details dialog dd div dl dt fieldset figcaption figure"
    " footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html li main nav ol p pre section"
    " summary table tbody thead tfoot tr td th caption colgroup col ul option optgroup select"
    " script style link meta title base noscript template menu legend search source track param"
    " area datalist".split()
)

# Elements whose text is compared exactly (the parser already drops the newline right after
# <pre>, <listing> and <textarea> start tags).
_PRESERVE_ELEMENTS = frozenset("pre listing xmp plaintext textarea script style".split())

# SVG elements that hold rendered text; every other SVG/MathML element ignores the whitespace
# around its children entirely.
_SVG_TEXT_ELEMENTS = frozenset({"text", "tspan", "textPath", "a"})
_FOREIGN_BOUNDARIES = frozenset({"text", "foreignObject"})
_FOREIGN_INLINE = frozenset({"svg", "math", "a", "text", "tspan", "textPath"})

_PRELOAD_RELS = frozenset({"preload", "modulepreload"})

_ROOT = "#root"  # the document or the fragment container
_HOISTED = "#hoisted"  # fragment mode: the elements React moves to the front of its output

_ASCII_WS = re.compile(r"[ \t\n\r\f]+")
_LEADING_JUNK = re.compile(r"(?:[ \t\n\r\f]+|<!--.*?-->)*", re.DOTALL)
_DOCTYPE = re.compile(r"<!doctype", re.IGNORECASE)
_DOCUMENT_TAG = re.compile(r"<(?:html|head|body)(?=[\s/>])", re.IGNORECASE)
_FIRST_TAG = re.compile(r"<([A-Za-z][^\s/>]*)")

_FRAGMENT_CONTAINERS = {
    "tr": "tbody",
    "td": "tr",
    "th": "tr",
    "option": "select",
    "optgroup": "select",
    "tbody": "table",
    "thead": "table",
    "tfoot": "table",
    "caption": "table",
    "colgroup": "table",
    "col": "colgroup",
}

_RAW_LIMIT = 2000


@dataclasses.dataclass(slots=True)
class _Element:
    tag: str
    ns: str
    attrs: dict[str, str]
    children: list[_Node]


_Node = Union[_Element, str]


@dataclasses.dataclass(frozen=True, slots=True)
class _Mode:
    kind: Literal["document", "fragment"]
    container: str = "div"


# --------------------------------------------------------------------------- mode and parsing


def _choose_mode(html: str) -> _Mode:
    """Document or fragment parsing (and the fragment's container), decided from one string."""
    junk = _LEADING_JUNK.match(html)
    head = html[junk.end() :] if junk else html
    if _DOCTYPE.match(head) or _DOCUMENT_TAG.search(html):
        return _Mode("document")
    first = _FIRST_TAG.match(head)
    container = _FRAGMENT_CONTAINERS.get(first.group(1).lower(), "div") if first else "div"
    return _Mode("fragment", container)


def _parse(html: str, mode: _Mode) -> _Element:
    if mode.kind == "document":
        tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
        return _Element(_ROOT, HTML_NS, {}, [_convert(tree)])
    tree = html5lib.parseFragment(
        html, container=mode.container, treebuilder="etree", namespaceHTMLElements=False
    )
    root = _convert(tree)
    return dataclasses.replace(root, tag=_ROOT, ns=HTML_NS)


def _split_name(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return HTML_NS, name


def _convert(el: ET.Element) -> _Element:
    """etree (text/tail model) -> _Element, dropping comments, processing instructions and
    doctypes and merging the text around them."""
    ns, tag = _split_name(el.tag)
    node = _Element(tag, ns, _normalise_attrs(el.attrib, ns), [])
    _append_text(node.children, el.text)
    for child in el:
        if isinstance(child.tag, str) and child.tag != "<!DOCTYPE>":
            node.children.append(_convert(child))
        _append_text(node.children, child.tail)
    return node


def _append_text(children: list[_Node], text: str | None) -> None:
    if not text:
        return
    if children and isinstance(children[-1], str):
        children[-1] += text
    else:
        children.append(text)


# --------------------------------------------------------------------------- attributes


def _normalise_attrs(attrib: dict[str, str], ns: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for raw_name, value in attrib.items():
        attr_ns, local = _split_name(raw_name)
        name = local if attr_ns == HTML_NS else f"{_ATTR_PREFIXES.get(attr_ns, attr_ns)}:{local}"
        if ns == HTML_NS and name in BOOLEAN_ATTRIBUTES:
            if not (name == "hidden" and value.strip().lower() == "until-found"):
                value = ""
        elif name == "class":
            value = _collapse(value).strip(" ")
        elif name == "style":
            value = _normalise_style(value)
            if not value:
                continue  # `style=""` styles nothing; React omits an empty style object
        elif name == "src" and value == "" and ns == HTML_NS:
            continue  # React 19 omits src="" (a browser fetches nothing for either)
        attrs[name] = value
    return attrs


def _split_declarations(style: str) -> list[str]:
    """Split on ``;`` outside parentheses and quotes."""
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    quote = ""
    escaped = False
    for ch in style:
        if quote:
            buf.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return parts


def _normalise_style(style: str) -> str:
    """``"color:red;margin:0"`` and ``" color: red; margin: 0; "`` both -> ``"color: red; margin:
    0"``: property names lower-cased (custom properties keep their case), values
    whitespace-collapsed, empty declarations dropped, order kept."""
    out: list[str] = []
    for decl in _split_declarations(style):
        if ":" in decl:
            prop, _, value = decl.partition(":")
            prop = _collapse(prop).strip(" ")
            if not prop.startswith("--"):
                prop = prop.lower()
            value = _collapse(value).strip(" ")
            if value:  # `color: ` is invalid CSS a browser ignores (and React cannot write)
                out.append(f"{prop}: {value}")
        else:
            decl = _collapse(decl).strip(" ")
            if decl:
                out.append(decl)
    return "; ".join(out)


# --------------------------------------------------------------------------- React hoisting


def _is_hoistable(el: _Element) -> bool:
    """Elements React 19 moves into <head> (documents) or to the front of its output
    (fragments): <title>, <meta>, <link> (stylesheets only with a precedence) and async
    ``<script src>``, unless they carry ``itemprop``."""
    if el.ns != HTML_NS or "itemprop" in el.attrs:
        return False
    if el.tag in ("title", "meta"):
        return True
    if el.tag == "link":
        rels = el.attrs.get("rel", "").lower().split()
        if not rels or not el.attrs.get("href"):
            return False
        return "stylesheet" not in rels or "data-precedence" in el.attrs
    if el.tag == "script":
        return "async" in el.attrs and bool(el.attrs.get("src"))
    return False


def _pull_hoistables(el: _Element, into: list[_Element]) -> None:
    kept: list[_Node] = []
    for child in el.children:
        if isinstance(child, _Element):
            if _is_hoistable(child):
                into.append(child)
                continue
            barrier = child.ns != HTML_NS or child.tag in ("noscript", "template", "head")
            if not barrier:
                _pull_hoistables(child, into)
        kept.append(child)
    el.children = kept


def _find_head(root: _Element) -> _Element | None:
    for html in root.children:
        if isinstance(html, _Element) and html.tag == "html":
            for head in html.children:
                if isinstance(head, _Element) and head.tag == "head":
                    return head
    return None


def _hoist(root: _Element, mode: _Mode) -> None:
    hoisted: list[_Element] = []
    _pull_hoistables(root, hoisted)
    head = _find_head(root) if mode.kind == "document" else None
    if head is not None:
        head.children.extend(hoisted)
    else:
        root.children.insert(0, _Element(_HOISTED, HTML_NS, {}, list(hoisted)))


def _hoist_group(root: _Element) -> _Element | None:
    """The element whose children are compared as a multiset: <head>, or the fragment's
    pseudo-element of hoisted elements."""
    head = _find_head(root)
    if head is not None:
        return head
    first = root.children[0] if root.children else None
    return first if isinstance(first, _Element) and first.tag == _HOISTED else None


def _sort_hoist_group(root: _Element) -> None:
    group = _hoist_group(root)
    if group is not None:
        group.children.sort(key=lambda n: "\n".join(_render(n, 0)))


def _is_preload(el: _Element) -> bool:
    return el.tag == "link" and bool(_PRELOAD_RELS & set(el.attrs.get("rel", "").lower().split()))


def _preloads(el: _Element) -> list[_Element]:
    found: list[_Element] = []
    for child in el.children:
        if isinstance(child, _Element):
            if _is_preload(child):
                found.append(child)
            found.extend(_preloads(child))
    return found


def _drop_extra_preloads(actual: _Element, expected: _Element) -> None:
    """Drop the ``<link rel="preload">`` hints React adds that the expected side lacks."""
    budget = collections.Counter("\n".join(_render(p, 0)) for p in _preloads(expected))

    def walk(el: _Element) -> None:
        kept: list[_Node] = []
        for child in el.children:
            if isinstance(child, _Element):
                if _is_preload(child):
                    key = "\n".join(_render(child, 0))
                    if budget[key] <= 0:
                        continue
                    budget[key] -= 1
                else:
                    walk(child)
            kept.append(child)
        el.children = kept

    walk(actual)


# --------------------------------------------------------------------------- whitespace


def _collapse(text: str) -> str:
    return _ASCII_WS.sub(" ", text)


def _is_block(el: _Element) -> bool:
    """Whether whitespace next to this element (as a sibling) is insignificant."""
    if el.ns == HTML_NS:
        return el.tag in BLOCK_ELEMENTS or el.tag == _HOISTED
    return el.tag not in _FOREIGN_INLINE


def _strips_edges(el: _Element) -> bool:
    """Whether whitespace at the start and end of this element's content is insignificant."""
    if el.tag == _ROOT or _is_block(el):
        return True
    return el.ns != HTML_NS and el.tag in _FOREIGN_BOUNDARIES


def _merge_texts(children: list[_Node]) -> list[_Node]:
    merged: list[_Node] = []
    for child in children:
        if isinstance(child, str):
            _append_text(merged, child)
        else:
            merged.append(child)
    return merged


def _normalise_whitespace(el: _Element, exact: bool) -> None:
    children = _merge_texts(el.children)
    exact = exact or el.tag in _PRESERVE_ELEMENTS
    if exact:
        pass
    elif el.ns != HTML_NS and el.tag not in _SVG_TEXT_ELEMENTS and el.tag != "foreignObject":
        # SVG containers and MathML: whitespace between and around children is not rendered.
        children = [_collapse(c).strip(" ") if isinstance(c, str) else c for c in children]
    else:
        edges = _strips_edges(el)
        last = len(children) - 1
        out: list[_Node] = []
        for i, child in enumerate(children):
            if isinstance(child, str):
                text = _collapse(child)
                before = children[i - 1] if i > 0 else None
                after = children[i + 1] if i < last else None
                if (before is None and edges) or (
                    isinstance(before, _Element) and _is_block(before)
                ):
                    text = text.lstrip(" ")
                if (after is None and edges) or (isinstance(after, _Element) and _is_block(after)):
                    text = text.rstrip(" ")
                child = text
            out.append(child)
        children = out
    el.children = [c for c in children if c != ""]
    for child in el.children:
        if isinstance(child, _Element):
            _normalise_whitespace(child, exact)


# --------------------------------------------------------------------------- rendering


def _quote(text: str) -> str:
    """JSON string literal with every invisible or ambiguous character escaped (NBSP etc.)."""
    out = []
    for ch in json.dumps(text, ensure_ascii=False):
        if ch.isprintable():
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            out.append(f"\\U{ord(ch):08x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def _render(node: _Node, depth: int) -> list[str]:
    pad = "  " * depth
    if isinstance(node, str):
        return [pad + _quote(node)]
    if node.tag == _ROOT or node.tag == _HOISTED:  # transparent
        return [line for child in node.children for line in _render(child, depth)]
    attrs = "".join(f" {name}={_quote(node.attrs[name])}" for name in sorted(node.attrs))
    lines = [f"{pad}<{node.tag}{attrs}>"]
    for child in node.children:
        lines.extend(_render(child, depth + 1))
    return lines


# --------------------------------------------------------------------------- public API


def _build(html: str, mode: _Mode) -> _Element:
    root = _parse(html, mode)
    _hoist(root, mode)
    _normalise_whitespace(root, exact=False)
    return root


def _text(root: _Element) -> str:
    return "\n".join(_render(root, 0))


def _canonical_pair(expected: str, actual: str) -> tuple[str, str]:
    mode = _choose_mode(expected)
    exp_tree = _build(expected, mode)
    act_tree = _build(actual, mode)
    _drop_extra_preloads(act_tree, exp_tree)
    _sort_hoist_group(exp_tree)
    _sort_hoist_group(act_tree)
    return _text(exp_tree), _text(act_tree)


def normalise(html: str) -> str:
    """The canonical, pretty-printed text of ``html``'s tree (one node per line, indented)."""
    root = _build(html, _choose_mode(html))
    _sort_hoist_group(root)
    return _text(root)


def same_html(expected: str, actual: str) -> bool:
    """Whether ``actual`` (React output) is the same HTML as ``expected`` (Jinja2 output)."""
    exp, act = _canonical_pair(expected, actual)
    return exp == act


def _truncate(text: str, limit: int = _RAW_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more characters]"


def assert_same_html(expected: str, actual: str, what: str = "") -> None:
    """Raise AssertionError with a unified diff of the canonical forms when ``actual`` (React
    output) is not the same HTML as ``expected`` (Jinja2 output)."""
    exp, act = _canonical_pair(expected, actual)
    if exp == act:
        return
    diff = difflib.unified_diff(
        exp.splitlines(),
        act.splitlines(),
        fromfile="expected (Jinja2)",
        tofile="actual (React)",
        lineterm="",
    )
    prefix = f"{what}: " if what else ""
    raise AssertionError(
        f"{prefix}rendered HTML differs (- Jinja2, + React)\n"
        + "\n".join(diff)
        + f"\n\nJinja2 output ({len(expected)} characters):\n{_truncate(expected)}"
        + f"\n\nReact output ({len(actual)} characters):\n{_truncate(actual)}"
    )
