"""Tests for the HTML equivalence used by the differential harness (tests/htmlcompare.py)."""

from __future__ import annotations

import pytest

from htmlcompare import assert_same_html, normalise, same_html

# --------------------------------------------------------------------------- equal pairs

EQUAL: list[tuple[str, str, str]] = [
    (
        "react style spelling",
        '<p style="color: red; margin: 0;">x</p>',
        '<p style="color:red;margin:0">x</p>',
    ),
    (
        "style semicolon inside url()",
        "<div style=\"background: url('a;b.png') ; COLOR : red\"></div>",
        "<div style=\"background:url('a;b.png');color:red\"></div>",
    ),
    ("boolean bare vs empty", "<input checked disabled>", '<input checked="" disabled=""/>'),
    (
        "boolean named value",
        '<option selected="selected">a</option>',
        "<option selected>a</option>",
    ),
    ("entity spellings", "<p>it&#39;s &quot;x&quot;</p>", "<p>it&#x27;s &quot;x&quot;</p>"),
    ("entity vs literal", "<p>it&#39;s</p>", "<p>it's</p>"),
    ("attribute entity", '<a title="a&amp;b">x</a>', '<a title="a&#38;b">x</a>'),
    (
        "newlines between blocks",
        "<div>\n  <p>a</p>\n  <p>b</p>\n</div>\n",
        "<div><p>a</p><p>b</p></div>",
    ),
    (
        "list indentation",
        "<ul>\n  <li> one </li>\n  <li>two</li>\n</ul>",
        "<ul><li>one</li><li>two</li></ul>",
    ),
    ("whitespace run collapses", "<p>a \n\t  b</p>", "<p>a b</p>"),
    (
        "attribute order",
        '<a href="/x" class="c" id="i">x</a>',
        '<a id="i" class="c" href="/x">x</a>',
    ),
    ("class whitespace", '<p class="  a   b ">x</p>', '<p class="a b">x</p>'),
    ("comments dropped", "<p>a<!-- note -->b</p><!-- end -->", "<p>ab</p>"),
    (
        "doctype dropped",
        "<!DOCTYPE html>\n<html><head><title>T</title></head><body><p>x</p></body></html>",
        "<html><head><title>T</title></head><body><p>x</p></body></html>",
    ),
    (
        "head children reordered",
        '<html><head><title>T</title><meta charset="utf-8"><link rel="icon" href="i.png">'
        "</head><body>x</body></html>",
        '<!DOCTYPE html><html><head><meta charSet="utf-8"/><link rel="icon" href="i.png"/>'
        "<title>T</title></head><body>x</body></html>",
    ),
    (
        "title hoisted from body into head",
        "<html><head></head><body><title>T</title><p>x</p></body></html>",
        "<html><head><title>T</title></head><body><p>x</p></body></html>",
    ),
    (
        "preload link dropped",
        '<html><head></head><body><img src="a.png"></body></html>',
        '<html><head><link rel="preload" as="image" href="a.png"/></head>'
        '<body><img src="a.png"/></body></html>',
    ),
    (
        "fragment preload and hoisted meta",
        '<div><p>x</p><meta name="d" content="c"><img src="a.png"></div>',
        '<link rel="preload" as="image" href="a.png"/><meta name="d" content="c"/>'
        '<div><p>x</p><img src="a.png"/></div>',
    ),
    ("pre leading newline", "<pre>\nline</pre>", "<pre>line</pre>"),
    (
        "table row fragment",
        "\n<tr>\n  <td>1</td>\n  <td>2</td>\n</tr>\n",
        "<tr><td>1</td><td>2</td></tr>",
    ),
    ("cell fragment", "<td>1</td>\n<td>2</td>", "<td>1</td><td>2</td>"),
    (
        "option fragment",
        "<option value=1>a</option>\n<option>b</option>",
        '<option value="1">a</option><option>b</option>',
    ),
    ("text around block", "hello\n<div>x</div>\n world", "hello<div>x</div>world"),
    (
        "svg indentation",
        '<svg viewBox="0 0 1 1">\n  <path d="M0 0"/>\n  <circle r="1"></circle>\n</svg>',
        '<svg viewBox="0 0 1 1"><path d="M0 0"></path><circle r="1"></circle></svg>',
    ),
]


@pytest.mark.parametrize(
    ("expected", "actual"), [pytest.param(e, a, id=name) for name, e, a in EQUAL]
)
def test_equal(expected: str, actual: str) -> None:
    assert_same_html(expected, actual)
    assert same_html(expected, actual)


# --------------------------------------------------------------------------- unequal pairs

UNEQUAL: list[tuple[str, str, str]] = [
    ("space between inline elements", "<p><b>a</b> <i>b</i></p>", "<p><b>a</b><i>b</i></p>"),
    ("space inside text", "<p>a b</p>", "<p>ab</p>"),
    ("pre keeps spaces", "<pre>a  b</pre>", "<pre>a b</pre>"),
    ("textarea keeps newlines", "<textarea>a\nb</textarea>", "<textarea>a b</textarea>"),
    ("different attribute value", '<a href="/a">x</a>', '<a href="/b">x</a>'),
    ("missing attribute", '<a href="/a" title="t">x</a>', '<a href="/a">x</a>'),
    ("None vs empty", "<p>None</p>", "<p></p>"),
    ("extra element", "<ul><li>a</li></ul>", "<ul><li>a</li><li>b</li></ul>"),
    ("swapped li", "<ul><li>a</li><li>b</li></ul>", "<ul><li>b</li><li>a</li></ul>"),
    ("escaped text vs element", "<p>&lt;b&gt;x&lt;/b&gt;</p>", "<p><b>x</b></p>"),
    ("class token order", '<p class="a b">x</p>', '<p class="b a">x</p>'),
    (
        "style declaration order",
        '<p style="color: red; margin: 0">x</p>',
        '<p style="margin:0;color:red">x</p>',
    ),
    ("nbsp is not whitespace", "<p>a&nbsp;b</p>", "<p>a b</p>"),
    ("space before inline element", "<p>a <b>b</b></p>", "<p>a<b>b</b></p>"),
    ("space around br", "<p>a <br>b</p>", "<p>a<br>b</p>"),
    ("boolean attribute missing", "<input disabled>", "<input>"),
    (
        "body order is kept",
        "<html><body><p>a</p><p>b</p></body></html>",
        "<html><body><p>b</p><p>a</p></body></html>",
    ),
    (
        "preload present on expected side only",
        '<html><head><link rel="preload" as="image" href="a.png"></head><body></body></html>',
        "<html><head></head><body></body></html>",
    ),
    ("script text exact", "<script>var a = 1;</script>", "<script>var a=1;</script>"),
    ("wrong nesting", "<div><span>a</span>b</div>", "<div><span>ab</span></div>"),
]


@pytest.mark.parametrize(
    ("expected", "actual"), [pytest.param(e, a, id=name) for name, e, a in UNEQUAL]
)
def test_unequal(expected: str, actual: str) -> None:
    assert not same_html(expected, actual)
    with pytest.raises(AssertionError):
        assert_same_html(expected, actual)


# --------------------------------------------------------------------------- canonical form


def test_normalise_format() -> None:
    html = '<div id="x" class=" a  b ">\n  text   with spaces\n  <br><span>y</span>\n</div>'
    assert normalise(html) == "\n".join(
        [
            '<div class="a b" id="x">',
            '  "text with spaces "',
            "  <br>",
            "  <span>",
            '    "y"',
        ]
    )


def test_normalise_escapes_invisible_characters() -> None:
    assert normalise("<p>a&nbsp;b\u200bc</p>") == '<p>\n  "a\\u00a0b\\u200bc"'


def test_normalise_style_and_boolean() -> None:
    out = normalise('<input style="COLOR : red ;; margin:0 ;" required="required">')
    assert out == '<input required="" style="color: red; margin: 0">'


def test_hidden_until_found_is_not_plain_hidden() -> None:
    assert not same_html('<div hidden="until-found">x</div>', "<div hidden>x</div>")


def test_mode_comes_from_expected() -> None:
    # As a fragment the stray <td> would be dropped; the expected side picks the "tr" container
    # for both strings, so the React side keeps its cell too.
    assert same_html("<td>1</td>", "<td>1</td>")
    assert normalise("<td>1</td>") == '<td>\n  "1"'
    assert not same_html("<td>1</td>", "<td>2</td>")


def test_header_tag_is_not_a_document() -> None:
    assert normalise("<header>x</header>") == '<header>\n  "x"'


def test_document_mode() -> None:
    out = normalise("<!doctype html><title>T</title><p>x</p>")
    assert out.splitlines() == [
        "<html>",
        "  <head>",
        "    <title>",
        '      "T"',
        "  <body>",
        "    <p>",
        '      "x"',
    ]


def test_failure_message_has_diff() -> None:
    with pytest.raises(AssertionError) as info:
        assert_same_html("<p>old</p>", "<p>new</p>", what="case/x")
    message = str(info.value)
    assert message.startswith("case/x: ")
    lines = message.splitlines()
    assert '-  "old"' in lines
    assert '+  "new"' in lines
    assert "<p>old</p>" in message and "<p>new</p>" in message


def test_failure_message_truncates_raw_strings() -> None:
    long = "<p>" + "x" * 5000 + "</p>"
    with pytest.raises(AssertionError) as info:
        assert_same_html(long, "<p>y</p>")
    assert len(str(info.value)) < 5000 + 2500
    assert "more characters]" in str(info.value)
