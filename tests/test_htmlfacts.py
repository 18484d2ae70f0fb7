"""The parser facts in ``htmlfacts`` checked against a spec-conforming HTML parser (html5lib):
where ``end_tag_stays_inside`` says a stray end tag cannot reach past the elements open around
it, the markup parses the same whatever elements are open outside it."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import html5lib
import pytest

from transpiler.htmlfacts import (
    FORMATTING_ELEMENTS,
    SCOPED_END_TAGS,
    SPECIAL_ELEMENTS,
    UNBOUNDED_END_TAGS,
    VOID_ELEMENTS,
    end_tag_stays_inside,
)

# elements open inside the body (outermost first), and contexts around it
INNER = [
    ["table", "tbody", "tr", "td"],
    ["table", "tbody", "tr", "th"],
    ["button"],
    ["div"],
    ["ul", "li"],
    ["ol", "li", "div"],
    ["object"],
    ["section", "span"],
    ["span"],
    ["dl", "dd"],
]
OUTER = [
    [],
    ["p"],
    ["b"],
    ["a"],
    ["div"],
    ["span"],
    ["ul", "li"],
    ["dl", "dt"],
    ["h2"],
    ["button"],
    ["section"],
    ["table", "tbody", "tr", "td"],
    ["em", "div"],
]
TAGS = sorted(
    (SPECIAL_ELEMENTS | FORMATTING_ELEMENTS | SCOPED_END_TAGS | {"span", "label", "p", "li"})
    - VOID_ELEMENTS
    - UNBOUNDED_END_TAGS
    - {
        "script",
        "style",
        "textarea",
        "title",
        "plaintext",
        "xmp",
        "noembed",
        "noframes",
        "noscript",
        "iframe",
        "select",
        "frameset",
        "frame",
        "head",
        "listing",
        "pre",
    }
)


def _probe(outer: list[str], inner: list[str], tag: str) -> str:
    """The parsed subtree of the body's outermost element, the body written inside ``outer``."""
    body = "".join(f"<{t}{' id=probe' if i == 0 else ''}>" for i, t in enumerate(inner))
    body += f"x</{tag}>y" + "".join(f"</{t}>" for t in reversed(inner))
    doc = (
        "".join(f"<{t}>" for t in outer) + body + "z" + "".join(f"</{t}>" for t in reversed(outer))
    )
    tree = html5lib.parse(doc, namespaceHTMLElements=False)
    probe = next(e for e in tree.iter() if e.get("id") == "probe")
    return ET.tostring(probe, encoding="unicode")


CASES = [
    (tag, inner)
    for tag, inner in itertools.product(TAGS, INNER)
    if tag not in inner and end_tag_stays_inside(tag, inner)
]


def test_cases_cover_every_kind_of_end_tag() -> None:
    kinds = {"p", "li", "b", "div", "span", "h1"}
    assert kinds <= {tag for tag, _ in CASES}


@pytest.mark.parametrize("tag,inner", CASES, ids=lambda v: v if isinstance(v, str) else ">".join(v))
def test_contained_end_tag_parses_alike_in_every_context(tag: str, inner: list[str]) -> None:
    # what lowering builds: </p> an empty <p></p> where it stands, any other end tag nothing
    alone = _probe([], inner, "p" if tag == "p" else "nosuchtag")
    for outer in OUTER:
        assert _probe(outer, inner, tag) == alone, (outer, inner, tag)


def test_uncontained_end_tags_do_reach_outside() -> None:
    """The cases the function refuses are real: the end tag closes an element around it."""
    assert not end_tag_stays_inside("div", ["span"])
    assert _probe(["div"], ["span"], "div") != _probe([], ["span"], "nosuchtag")
    assert not end_tag_stays_inside("p", ["span"])
    assert _probe(["p"], ["span"], "p") != _probe([], ["span"], "p")
    assert not end_tag_stays_inside("b", ["div"])
    assert _probe(["b"], ["div"], "b") != _probe([], ["div"], "nosuchtag")
