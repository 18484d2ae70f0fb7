"""HTML and React facts the emitter needs at compile time: attribute-name mapping (React's DOM
property names), boolean attributes, block-level elements (for whitespace a browser collapses),
entity decoding with the HTML5 rules for text and for attribute values, and inline CSS parsing.
The TypeScript runtime (``runtime/html.ts``) holds the same facts for values known only at run
time.
"""

from __future__ import annotations

import html
import re
from html.entities import html5 as _HTML5_ENTITIES

# Elements that never have content or an end tag, and elements whose content is raw text.
VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
RAW_TEXT = frozenset({"script", "style", "textarea", "title"})

# HTML's white space is ASCII only: a no-break space (U+00A0), which Python's str.strip() and
# isspace() take for white space, is text to the parser (and Jinja's "-" still strips it)
HTML_SPACE = " \t\n\r\f"


def blank(text: str) -> bool:
    """Is ``text`` empty or HTML white space only (inter-element white space)?"""
    return not text.strip(HTML_SPACE)


# What the HTML parser does with an end tag whose element is not open where it stands
# (https://html.spec.whatwg.org/#parsing-main-inbody): it looks for the element in a scope,
# and these elements bound the search; an element outside them is never closed.
SCOPE_BOUNDARIES = frozenset("applet caption html table td th marquee object template".split())
BUTTON_SCOPE_BOUNDARIES = SCOPE_BOUNDARIES | {"button"}
LIST_ITEM_SCOPE_BOUNDARIES = SCOPE_BOUNDARIES | {"ol", "ul"}
# end tags ignored unless their element is in (default) scope
SCOPED_END_TAGS = frozenset(
    """address article aside blockquote button center details dialog dir div dl fieldset
    figcaption figure footer header hgroup listing main menu nav ol pre search section summary
    ul h1 h2 h3 h4 h5 h6 dd dt applet marquee object""".split()
)
# formatting elements: a stray end tag runs the adoption agency, bounded by the scope too
FORMATTING_ELEMENTS = frozenset("a b big code em font i nobr s small strike strong tt u".split())
# "any other end tag" stops at the first of these between it and its element
SPECIAL_ELEMENTS = frozenset(
    """address applet area article aside base basefont bgsound blockquote body br button
    caption center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer
    form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li
    link listing main marquee menu meta nav noembed noframes noscript object ol p param
    plaintext pre script search section select source style summary table tbody td template
    textarea tfoot th thead title tr track ul wbr xmp""".split()
)
# end tags with rules of their own (the form pointer, table modes, the document's own)
# Tags the parser ignores outside a table ("in body"): both start and end tags are dropped
TABLE_PARTS = frozenset("caption col colgroup tbody td tfoot th thead tr".split())
# elements inside which a table part may be in its place (or the context is a table's)
TABLE_CONTEXTS = TABLE_PARTS - {"col"} | {"table", "template"}
# end tags with rules of their own (the form pointer, table modes, the document's own)
UNBOUNDED_END_TAGS = TABLE_PARTS | {"body", "html", "form", "template", "table"}


def table_part_ignored(tag: str, open_elements: list[str]) -> bool:
    """Is the start tag ``<tag>`` a table part the HTML parser drops, given the elements open
    around it in this template (outermost first)? Known only when some element is open and
    none of them is part of a table: at a template's top level the includer's context decides."""
    return (
        tag in TABLE_PARTS
        and bool(open_elements)
        and not any(e in TABLE_CONTEXTS for e in open_elements)
    )


# end tags that end the elements with optional end tags open inside their element (the parser
# "generates implied end tags" for them, or the document ends)
ENDS_OPEN_CHILDREN = (
    SCOPED_END_TAGS
    | (UNBOUNDED_END_TAGS - {"col"})  # </col> is dropped everywhere
    | {"li", "p", "select", "optgroup"}
)


def end_tag_ends(open_tag: str, end_tag: str) -> bool:
    """Does the end tag ``</end_tag>`` of an element around an open ``<open_tag>`` (whose own end
    tag is omitted) end it too? Not for a special element (``<p>``, ``<li>``, ``<td>``…) before
    an end tag of another kind: ``</span>`` is then ignored, ``</a>`` restructures the tree."""
    return open_tag not in SPECIAL_ELEMENTS or end_tag in ENDS_OPEN_CHILDREN


def end_tag_stays_inside(tag: str, open_elements: list[str]) -> bool:
    """Does an element of ``open_elements`` keep the end tag ``</tag>`` (no such element being
    open among them) from reaching any element opened around them? Then what the parser does
    with it is known from these elements alone: ``</p>`` becomes an empty ``<p></p>``, any
    other end tag is ignored."""
    if tag in UNBOUNDED_END_TAGS:
        return False
    if tag == "p":
        bounds = BUTTON_SCOPE_BOUNDARIES
    elif tag == "li":
        bounds = LIST_ITEM_SCOPE_BOUNDARIES
    elif tag in SCOPED_END_TAGS or tag in FORMATTING_ELEMENTS:
        bounds = SCOPE_BOUNDARIES
    else:
        bounds = SPECIAL_ELEMENTS
    return any(name in bounds for name in open_elements)


# HTML attribute name (lower case) → React prop name, for HTML elements.
REACT_ATTR_NAMES: dict[str, str] = {
    "class": "className",
    "for": "htmlFor",
    "http-equiv": "httpEquiv",
    "accept-charset": "acceptCharset",
    **{
        name.lower(): name
        for name in """accessKey allowFullScreen autoCapitalize autoComplete autoCorrect autoFocus
        autoPlay autoSave cellPadding cellSpacing charSet classID colSpan contentEditable
        contextMenu controlsList crossOrigin dateTime disablePictureInPicture
        disableRemotePlayback encType enterKeyHint fetchPriority formAction formEncType
        formMethod formNoValidate formTarget frameBorder hrefLang imageSizes imageSrcSet
        inputMode itemID itemProp itemRef itemScope itemType keyParams keyType marginHeight
        marginWidth maxLength mediaGroup minLength noModule noValidate playsInline popoverTarget
        popoverTargetAction radioGroup readOnly referrerPolicy rowSpan spellCheck srcDoc srcLang
        srcSet tabIndex useMap""".split()
    },
}

# SVG attributes React spells in camelCase (hyphenated/colon names in markup).
SVG_ATTR_NAMES: dict[str, str] = {
    name.lower().replace("_", "-"): name
    for name in """accentHeight alignmentBaseline arabicForm baselineShift capHeight clipPath
    clipRule colorInterpolation colorInterpolationFilters colorProfile colorRendering
    dominantBaseline enableBackground fillOpacity fillRule floodColor floodOpacity fontFamily
    fontSize fontSizeAdjust fontStretch fontStyle fontVariant fontWeight glyphName
    glyphOrientationHorizontal glyphOrientationVertical horizAdvX horizOriginX imageRendering
    letterSpacing lightingColor markerEnd markerMid markerStart overlinePosition
    overlineThickness paintOrder panose1 pointerEvents renderingIntent shapeRendering stopColor
    stopOpacity strikethroughPosition strikethroughThickness strokeDasharray strokeDashoffset
    strokeLinecap strokeLinejoin strokeMiterlimit strokeOpacity strokeWidth textAnchor
    textDecoration textRendering transformOrigin underlinePosition underlineThickness
    unicodeBidi unicodeRange unitsPerEm vAlphabetic vHanging vIdeographic vMathematical
    vectorEffect vertAdvY vertOriginX vertOriginY wordSpacing writingMode xHeight""".split()
}
for _name in list(SVG_ATTR_NAMES.values()):
    hyphen = re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), _name)
    SVG_ATTR_NAMES[hyphen] = _name
SVG_ATTR_NAMES.update(
    {
        "xlink:href": "xlinkHref",
        "xlink:title": "xlinkTitle",
        "xlink:show": "xlinkShow",
        "xlink:role": "xlinkRole",
        "xlink:actuate": "xlinkActuate",
        "xlink:arcrole": "xlinkArcrole",
        "xlink:type": "xlinkType",
        "xml:base": "xmlBase",
        "xml:lang": "xmlLang",
        "xml:space": "xmlSpace",
        "xmlns:xlink": "xmlnsXlink",
    }
)

# React's boolean DOM properties: `true` renders the bare attribute, false/""/null drop it.
BOOLEAN_PROPS = frozenset(
    """allowFullScreen async autoFocus autoPlay controls default defer disabled
    disablePictureInPicture disableRemotePlayback formNoValidate hidden inert loop noModule
    noValidate open playsInline readOnly required reversed scoped seamless itemScope checked
    multiple muted selected""".split()
)

# Elements around which whitespace-only text is not rendered (block boundaries), used to leave
# such text out of the JSX for readability. Anything not listed keeps its whitespace.
BLOCK_ELEMENTS = frozenset(
    """address article aside blockquote body caption col colgroup dd details dialog div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html legend li
    link main menu meta nav noscript ol optgroup option p pre script search section select style
    summary table tbody td template tfoot th thead title tr ul base""".split()
)

PREFORMATTED = frozenset({"pre", "listing", "textarea"})

_ENTITY_RE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")


def decode_text(raw: str) -> str:
    """Character references in text content, as an HTML5 parser decodes them."""
    return html.unescape(raw) if "&" in raw else raw


def decode_attr(raw: str) -> str:
    """Character references in an attribute value: a legacy reference without ';' followed by
    '=' or an alphanumeric stays literal (HTML5 §13.2.5.73)."""
    if "&" not in raw:
        return raw

    def repl(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#"):
            return html.unescape(m.group(0))
        if ref.endswith(";") and ref in _HTML5_ENTITIES:
            return _HTML5_ENTITIES[ref]
        # longest legacy prefix without ';'
        for end in range(len(ref), 0, -1):
            name = ref[:end]
            if name in _HTML5_ENTITIES and not name.endswith(";"):
                rest = ref[end:] + raw[m.end() : m.end() + 1]
                if rest[:1] == "=" or rest[:1].isalnum():
                    return m.group(0)
                return _HTML5_ENTITIES[name] + ref[end:]
        return m.group(0)

    return _ENTITY_RE.sub(repl, raw)


# React writes these attributes only with a numeric value (``isNaN`` false), and the first four
# only when it is at least 1 (react-dom's pushAttribute); any other value it leaves out
REACT_NUMERIC_ATTRS = {
    "cols": 1.0,
    "rows": 1.0,
    "size": 1.0,
    "span": 1.0,
    "rowspan": None,
    "start": None,
}
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_JS_RADIX = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")


def js_number(text: str) -> float | None:
    """JavaScript's ``Number(text)``, or None for NaN."""
    t = text.strip(_JS_SPACE)
    if not t:
        return 0.0
    if _JS_DECIMAL.fullmatch(t):
        return float(t.replace("Infinity", "inf"))
    if _JS_RADIX.fullmatch(t):
        return float(int(t, 0))
    return None


def react_drops_attr(name: str, value: str) -> bool:
    """Would React leave out the attribute ``name`` (lower case) written with ``value``?"""
    if name not in REACT_NUMERIC_ATTRS:
        return False
    number, least = js_number(value), REACT_NUMERIC_ATTRS[name]
    return number is None or least is not None and not number >= least


def react_attr_name(name: str, in_svg: bool) -> str:
    lower = name.lower()
    if lower.startswith(("data-", "aria-")):
        return lower
    if in_svg:
        if lower in SVG_ATTR_NAMES:
            return SVG_ATTR_NAMES[lower]
        if lower in REACT_ATTR_NAMES:
            return REACT_ATTR_NAMES[lower]
        return name  # SVG is case-sensitive: viewBox, preserveAspectRatio stay as written
    return REACT_ATTR_NAMES.get(lower, lower)


def style_key(prop: str) -> str:
    prop = prop.strip()
    if prop.startswith("--"):
        return prop
    prop = prop.lower()
    if prop.startswith("-ms-"):
        prop = prop[1:]
    return re.sub(r"-([a-z])", lambda m: m.group(1).upper(), prop)


def parse_style(css: str) -> list[tuple[str, str]] | None:
    """Inline style declarations → [(React key, value)], last duplicate wins; None if the text is
    not a plain declaration list (comments, quotes with ';', ...)."""
    if "/*" in css or "\\" in css:
        return None
    out: dict[str, str] = {}
    for decl in _split_decls(css):
        if not decl.strip():
            continue
        if ":" not in decl:
            return None
        prop, value = decl.split(":", 1)
        if not prop.strip() or not re.fullmatch(r"\s*-{0,2}[A-Za-z][A-Za-z0-9-]*\s*", prop):
            return None
        key = style_key(prop)
        out.pop(key, None)
        out[key] = value.strip()
    return list(out.items())


def _split_decls(css: str) -> list[str]:
    parts: list[str]
    cur: list[str]
    parts, depth, quote, cur = [], 0, "", []
    for ch in css:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ";" and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return parts
