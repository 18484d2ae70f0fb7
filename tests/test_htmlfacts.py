"""The parser facts in ``htmlfacts`` checked against a spec-conforming HTML parser (html5lib):
where ``end_tag_stays_inside`` says a stray end tag cannot reach past the elements open around
it, the markup parses the same whatever elements are open outside it; ``end_tag_ends`` says
which end tags end an element whose own end tag is omitted; ``table_part_ignored`` which table
tags the parser drops."""

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
    TABLE_PARTS,
    VOID_ELEMENTS,
    end_tag_ends,
    end_tag_stays_inside,
    react_drops_attr,
    table_part_ignored,
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


# elements whose end tag may be omitted, as they stand in element content
OMITTED_END = ["p", "li", "dt", "dd", "option", "optgroup", "rt", "rp"]
AROUND = sorted(
    (SCOPED_END_TAGS | FORMATTING_ELEMENTS | {"span", "label", "p", "li", "select", "form"})
    - VOID_ELEMENTS
    - {"listing", "pre", "plaintext", "xmp"}
    - {"search"}  # html5lib predates <search> (2023): it parses it as an unknown element
)


def _nested(outer: str, inner: str) -> bool:
    """Does ``<outer><inner>`` put the inner element inside the outer one?"""
    doc = f"<!DOCTYPE html><{outer} id=o><{inner} id=i>a"  # no-quirks, as React pages are
    tree = html5lib.parse(doc, namespaceHTMLElements=False)
    o = next((e for e in tree.iter() if e.get("id") == "o"), None)
    return o is not None and any(e.get("id") == "i" for e in o.iter())


END_CASES = [(o, a) for o, a in itertools.product(OMITTED_END, AROUND) if _nested(a, o)]


def test_end_cases_cover_both_answers() -> None:
    answers = {end_tag_ends(o, a) for o, a in END_CASES}
    assert answers == {True, False} and len(END_CASES) > 150


@pytest.mark.parametrize("open_tag,around", END_CASES, ids=lambda v: v)
def test_end_tag_ends_an_omitted_end(open_tag: str, around: str) -> None:
    # `<around><open>a</around>b`: "b" stays inside <open> exactly when </around> did not end it
    doc = f"<div><{around}><{open_tag} id=probe>a</{around}>b</div>"
    tree = html5lib.parse(doc, namespaceHTMLElements=False)
    probe = next(e for e in tree.iter() if e.get("id") == "probe")
    inside = "b" in "".join(probe.itertext())
    assert end_tag_ends(open_tag, around) == (not inside), ET.tostring(tree, encoding="unicode")


@pytest.mark.parametrize("tag", sorted(TABLE_PARTS))
@pytest.mark.parametrize("around", [["div"], ["span"], ["ul", "li"], ["p"], ["section", "em"]])
def test_table_parts_ignored_outside_a_table(tag: str, around: list[str]) -> None:
    assert table_part_ignored(tag, around)
    doc = "".join(f"<{t}>" for t in around) + f"<{tag} id=probe>x</{tag}>"
    tree = html5lib.parse(doc, namespaceHTMLElements=False)
    assert not any(e.get("id") == "probe" for e in tree.iter())  # the tag is gone, "x" stays
    assert "x" in "".join(tree.itertext())


def test_table_parts_kept_in_a_table_or_where_the_includer_decides() -> None:
    assert not table_part_ignored("tr", [])  # a partial's top level: its includer's context
    assert not table_part_ignored("td", ["table", "tbody", "tr"])
    assert not table_part_ignored("tr", ["div", "table"])
    assert not table_part_ignored("div", ["span"])


def test_p_closers_are_the_start_tags_that_end_a_paragraph() -> None:
    """lower.P_CLOSERS: the start tags that end an open <p> (where the component closes it)."""
    from transpiler.lower import P_CLOSERS

    candidates = (SPECIAL_ELEMENTS | FORMATTING_ELEMENTS | P_CLOSERS | {"span", "label"}) - {
        "search",  # unknown to html5lib (see AROUND)
        "dialog",  # html5lib predates <dialog> ending a paragraph (the spec has it)
        "html",
        "head",
        "body",
        "frameset",
        "frame",
        "template",
    }
    for tag in sorted(candidates - TABLE_PARTS):
        ends = not _nested("p", tag)
        assert ends == (tag in P_CLOSERS), tag


NUMERIC_VALUES = [
    "2",
    "0",
    "-1",
    "1",
    "0.5",
    "1.5",
    " 3 ",
    "3abc",
    "x",
    "",
    "1e2",
    "1e-3",
    "0x10",
    "0o7",
    "0b11",
    "-0x10",
    "Infinity",
    "-Infinity",
    "infinity",
    ".5",
    "5.",
    "+4",
    "1_000",
    "\u00a02\u00a0",
    "\t7\n",
    "NaN",
    "--1",
    "1 2",
]


def test_react_drops_attr_is_what_react_dom_server_does() -> None:
    """Each numeric attribute React checks, with values of every shape, rendered by react-dom's
    server renderer: the attribute is left out exactly where ``react_drops_attr`` says."""
    import json
    import subprocess
    from pathlib import Path

    from transpiler.htmlfacts import REACT_NUMERIC_ATTRS, react_attr_name

    cases = [(n, v) for n in REACT_NUMERIC_ATTRS for v in NUMERIC_VALUES]
    script = (
        "import {createElement as e} from 'react';"
        "import {renderToStaticMarkup as r} from 'react-dom/server';"
        "const cases = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(cases.map(([n, v]) => r(e('td', {[n]: v})) !== '<td></td>')));"
    )
    props = [(react_attr_name(n, False), v) for n, v in cases]
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(props)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    written = json.loads(out.stdout)
    wrong = [(n, v) for (n, v), kept in zip(cases, written) if react_drops_attr(n, v) == kept]
    assert not wrong
    assert 20 < sum(written) < len(cases) - 20  # both answers are covered
