"""The HTML scanner's one-token start tags (SIMPLE_START_TAG in grammars/html.lark) are a speed
path only: every text must scan to the same tokens as with the attribute-by-attribute grammar
(the same rule without that alternative), and be refused by one exactly when by the other."""

from __future__ import annotations

import functools

import lark
from hypothesis import given, settings
from hypothesis import strategies as st

from transpiler import htmlscan
from transpiler.htmlscan import HOLE, HtmlSyntaxError, scan


@functools.cache
def _reference() -> tuple[lark.Lark, htmlscan._Builder]:
    grammar = htmlscan._grammar().replace("| SIMPLE_START_TAG", "")
    assert grammar != htmlscan._grammar()
    builder = htmlscan._Builder("")
    parser = lark.Lark(
        grammar, parser="lalr", lexer="contextual", maybe_placeholders=False, transformer=builder
    )
    return parser, builder


def _reference_scan(text: str) -> list[htmlscan.HtmlToken]:
    parser, builder = _reference()
    builder.reset(text)
    try:
        return parser.parse(text)  # type: ignore[no-any-return]
    except lark.exceptions.UnexpectedInput as exc:
        raise HtmlSyntaxError("reference", getattr(exc, "pos_in_stream", 0) or 0) from None


def _same(text: str) -> None:
    try:
        expected: object = _reference_scan(text)
    except HtmlSyntaxError as exc:
        expected = ("error", exc.offset)
    try:
        got: object = scan(text)
    except HtmlSyntaxError as exc:
        got = ("error", exc.offset)
    assert got == expected, text


EXAMPLES = [
    '<li class="col mb-4">',
    "<br/><br /><img src=x.png alt='' / >",
    '<a href=/x/>t</a><a href="/x"/>',
    "<input disabled checked=checked value = 'a\"b' data-x=\"it's\">",
    '<div class="a"id="b">',  # no white space between attributes: the long way
    "<a b=c=d>",
    "<x y=a/</a>",  # an unquoted value keeps "<" (found by the random texts below)
    '<input value=x"y title=`t` data-a=<b>',
    "<a b= >",
    "<svg viewBox='0 0 1 1'><path d=\"M0 0\"/></svg>",
    "<Script src=x></Script><title>t</title><textarea rows=2>x</textarea>",
    f'<div class="x{HOLE}" {HOLE} id=y>',
    f"<p{HOLE}>",
    '<a href="x">\n<b\nclass="y"\n>',
    "<x-y:z a:b=1 @click=go>",
]


def test_examples_scan_alike() -> None:
    for text in EXAMPLES:
        _same(text)


_piece = st.sampled_from(
    [
        "<",
        ">",
        "/",
        " ",
        "\n",
        "=",
        '"',
        "'",
        "a",
        "div",
        "class",
        "x y",
        "-",
        ":",
        "`",
        HOLE,
        "</a>",
        "<p ",
        "<script>",
        "</script>",
        "<!--",
        "-->",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_piece, max_size=14).map("".join))
def test_random_texts_scan_alike(text: str) -> None:
    _same(text)
