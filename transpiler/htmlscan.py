"""HTML scanning: template text with holes → a flat list of HTML tokens.

The lowering stage replaces every Jinja construct by the HOLE character (U+E000) and hands the
resulting text to the lark grammar in ``grammars/html.lark``. This module owns that grammar's
parser and turns its output into small token records (text, holes, tags with attribute pieces,
raw-text elements, comments) carrying offsets into the holed text, so the tree builder in
``lower`` can pair holes with Jinja nodes and report positions.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from importlib import resources
from pathlib import Path
from typing import cast

import lark
from lark import Token

HOLE = "\ue000"

# SIMPLE_START_TAG's parts (grammars/html.lark): the tag name, then each attribute
_TAG_NAME = re.compile(r"[a-zA-Z][^\s/>\ue000]*")
_SIMPLE_ATTR = re.compile(
    r"""[\s/]+(?P<name>[^\s"'>/=\ue000]+)"""
    r"""(?:(?P<eq>\s*=\s*)(?:"(?P<dq>[^"\ue000]*)"|'(?P<sq>[^'\ue000]*)'|(?P<unq>[^\s"'>\ue000][^\s>\ue000]*)))?"""
)


@dataclasses.dataclass(slots=True)
class HoleRef:
    """The k-th hole of the text (holes are numbered in text order)."""

    index: int
    offset: int


ValuePart = str | HoleRef


@dataclasses.dataclass(slots=True)
class Attr:
    name: str
    value: list[ValuePart] | None  # None: attribute without a value (`disabled`)
    offset: int
    name_end: int  # offset just past the name, to detect holes glued to the name
    quote: str = '"'  # how the value is written: '"', "'", or "" (unquoted)


@dataclasses.dataclass(slots=True)
class TextTok:
    text: str
    offset: int


@dataclasses.dataclass(slots=True)
class HoleTok:
    hole: HoleRef


@dataclasses.dataclass(slots=True)
class CommentTok:
    parts: list[ValuePart]
    offset: int


@dataclasses.dataclass(slots=True)
class DoctypeTok:
    text: str
    offset: int


@dataclasses.dataclass(slots=True)
class StartTagTok:
    name: str  # lower-cased
    source_name: str  # as written (SVG names are case-sensitive)
    attrs: list[Attr | HoleRef]
    offset: int
    name_end: int
    self_closing: bool = False  # ends with "/>" (meaningful in SVG/MathML only)


@dataclasses.dataclass(slots=True)
class EndTagTok:
    name: str
    offset: int


@dataclasses.dataclass(slots=True)
class RawTextTok:
    """<script>, <style>, <textarea>, <title>: start tag plus unparsed content (with holes)."""

    tag: StartTagTok
    content: list[ValuePart]
    offset: int


HtmlToken = TextTok | HoleTok | CommentTok | DoctypeTok | StartTagTok | EndTagTok | RawTextTok


class HtmlSyntaxError(Exception):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def _grammar_text() -> str:
    here = Path(__file__).resolve().parent
    for candidate in (here / "grammars" / "html.lark", here.parent / "grammars" / "html.lark"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return resources.files("transpiler").joinpath("grammars/html.lark").read_text("utf-8")


class _Builder(lark.Transformer):
    """Runs inline during the LALR parse: builds token records without a parse tree."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.reset(text)

    def reset(self, text: str) -> None:
        self.source_text = text
        # Holes are numbered in text order; the transformer runs bottom-up, so number by offset.
        self.hole_offsets = hole_offsets(text)

    def _hole(self, tok: Token) -> HoleRef:
        offset = tok.start_pos or 0
        return HoleRef(bisect.bisect_left(self.hole_offsets, offset), offset)

    def _parts(self, items: list[Token], skip: frozenset[str] = frozenset()) -> list[ValuePart]:
        parts: list[ValuePart] = []
        for tok in items:
            if not isinstance(tok, Token) or tok.type in skip:
                continue
            if tok.type == "HOLE":
                parts.append(self._hole(tok))
            elif parts and isinstance(parts[-1], str):
                parts[-1] += str(tok)
            else:
                parts.append(str(tok))
        return parts

    def start(self, items: list[HtmlToken]) -> list[HtmlToken]:
        return items

    def text(self, items: list[Token]) -> TextTok:
        return TextTok(str(items[0]), items[0].start_pos or 0)

    def hole(self, items: list[Token]) -> HoleTok:
        return HoleTok(self._hole(items[0]))

    def comment(self, items: list[Token]) -> CommentTok:
        return CommentTok(
            self._parts(items, frozenset({"COMMENT_OPEN", "COMMENT_CLOSE"})),
            items[0].start_pos or 0,
        )

    def doctype(self, items: list[Token]) -> DoctypeTok:
        return DoctypeTok(str(items[0]), items[0].start_pos or 0)

    def bogus_comment(self, items: list[Token]) -> CommentTok:
        return CommentTok([str(items[0])[2:-1]], items[0].start_pos or 0)

    def value(self, items: list[Token]) -> tuple[list[ValuePart], str]:
        first = items[0] if items else None
        quote = {"DQ": '"', "SQ": "'"}.get(first.type, "") if isinstance(first, Token) else ""
        return self._parts(items, frozenset({"DQ", "SQ"})), quote

    def attribute(self, items: list[object]) -> Attr:
        name_tok = items[0]
        assert isinstance(name_tok, Token)
        start = name_tok.start_pos or 0
        value, quote = cast(
            "tuple[list[ValuePart] | None, str]", items[2] if len(items) > 2 else (None, '"')
        )  # items[2] is what value() returned
        return Attr(str(name_tok), value, start, start + len(name_tok), quote)

    def _tag(self, items: list[object], open_type: str) -> tuple[StartTagTok, list[object]]:
        open_tok = items[0]
        assert isinstance(open_tok, Token)
        source_name = str(open_tok)[1:]
        attrs: list[Attr | HoleRef] = []
        rest: list[object] = []
        closed = self_closing = False
        for item in items[1:]:
            if closed:
                rest.append(item)
            elif isinstance(item, Attr):
                attrs.append(item)
            elif isinstance(item, Token) and item.type == "HOLE":
                attrs.append(self._hole(item))
            elif isinstance(item, Token) and item.type == "TAG_CLOSE":
                closed = True
                self_closing = self._self_closing(item.start_pos or 0)
        start = open_tok.start_pos or 0
        tag = StartTagTok(source_name.lower(), source_name, attrs, start, start + len(open_tok))
        tag.self_closing = closed and self_closing
        return tag, rest

    def _self_closing(self, close: int) -> bool:
        """Whether the ``>`` at ``close`` ends the tag with ``/>``: a slash that is not the
        end of an unquoted attribute value (``<a href=/x/>``)."""
        text = self.source_text
        if close == 0 or text[close - 1] != "/":
            return False
        k = close - 1
        while k > 0 and text[k - 1] not in " \t\n\r\f\"'=<>`\ue000":
            k -= 1
        j = k - 1
        while j >= 0 and text[j] in " \t\n\r\f":
            j -= 1
        return not (j >= 0 and text[j] == "=")

    def start_tag(self, items: list[object]) -> StartTagTok:
        first = items[0]
        if isinstance(first, Token) and first.type == "SIMPLE_START_TAG":
            return self._simple_tag(first)
        return self._tag(items, "TAG_OPEN")[0]

    def _simple_tag(self, tok: Token) -> StartTagTok:
        """A SIMPLE_START_TAG token split into what TAG_OPEN … TAG_CLOSE would have given."""
        raw = str(tok)
        start = tok.start_pos or 0
        name_len = _TAG_NAME.match(raw, 1).end()  # type: ignore[union-attr]
        attrs: list[Attr | HoleRef] = []
        pos = name_len
        while (m := _SIMPLE_ATTR.match(raw, pos)) is not None:
            value: list[ValuePart] | None = None
            quote = '"'
            if m["eq"] is not None:
                text = next(v for v in (m["dq"], m["sq"], m["unq"]) if v is not None)
                value = [text] if text else []
                quote = '"' if m["dq"] is not None else "'" if m["sq"] is not None else ""
            start_name, end_name = start + m.start("name"), start + m.end("name")
            attrs.append(Attr(m["name"], value, start_name, end_name, quote))
            pos = m.end()
        source_name = raw[1:name_len]
        tag = StartTagTok(source_name.lower(), source_name, attrs, start, start + name_len)
        tag.self_closing = self._self_closing(start + len(raw) - 1)
        return tag

    def end_tag(self, items: list[Token]) -> EndTagTok:
        raw = str(items[0])
        return EndTagTok(raw[2:-1].strip().lower(), items[0].start_pos or 0)

    def _raw(self, items: list[object]) -> RawTextTok:
        tag, rest = self._tag(items, "")
        content = self._parts([t for t in rest[:-1] if isinstance(t, Token)])
        return RawTextTok(tag, content, tag.offset)

    script_element = style_element = textarea_element = title_element = _raw


@functools.lru_cache(maxsize=1)
def _grammar() -> str:
    return _grammar_text()


def hole_offsets(text: str) -> list[int]:
    """Offsets of the holes in ``text``, in order."""
    out = []
    i = text.find(HOLE)
    while i >= 0:
        out.append(i)
        i = text.find(HOLE, i + 1)
    return out


def text_tokens(text: str) -> list[HtmlToken]:
    """Holed text as it is, without reading its HTML: text runs and holes only. For content
    written as an HTML string in a template that renders to one, where Jinja's output is the
    text and the holes' values in order, whatever elements they open or close."""
    out: list[HtmlToken] = []
    start = 0
    for k, offset in enumerate(hole_offsets(text)):
        if offset > start:
            out.append(TextTok(text[start:offset], start))
        out.append(HoleTok(HoleRef(k, offset)))
        start = offset + 1
    if start < len(text):
        out.append(TextTok(text[start:], start))
    return out


_PARSER: lark.Lark | None = None


_BUILDER: _Builder | None = None


def scan(text: str) -> list[HtmlToken]:
    """Parse holed template text into HTML tokens. Raises HtmlSyntaxError with an offset.

    The same text is scanned again and again in one run: a layout's body for each page that
    extends it, every lowering pass of a template, each retry of a rewrite. The tokens are
    never changed once built, so a text's list is kept and handed out again (the caller must
    not change it)."""
    return _scan_cached(text)


@functools.lru_cache(maxsize=1024)
def _scan_cached(text: str) -> list[HtmlToken]:
    global _PARSER, _BUILDER
    if _PARSER is None:
        # the builder runs inline, as the LALR parser reduces each rule: no parse tree is built
        # (a third of the scanning time on large templates); it is re-aimed at each text
        _BUILDER = _Builder("")
        _PARSER = lark.Lark(
            _grammar(),
            parser="lalr",
            lexer="contextual",
            maybe_placeholders=False,
            transformer=_BUILDER,
        )
    assert _BUILDER is not None
    _BUILDER.reset(text)
    try:
        # the inline transformer's result (start() returns the token list), not a Tree
        result = cast("list[HtmlToken]", _PARSER.parse(text))
    except lark.exceptions.UnexpectedInput as exc:
        offset = getattr(exc, "pos_in_stream", None) or 0
        raise HtmlSyntaxError(_describe(exc, text), offset) from None
    return result


def _describe(exc: lark.exceptions.UnexpectedInput, text: str) -> str:
    offset = getattr(exc, "pos_in_stream", None) or 0
    near = text[offset : offset + 20].replace(HOLE, "{{…}}").replace("\n", "\\n")
    if isinstance(exc, lark.exceptions.UnexpectedEOF):
        return "unexpected end of template inside a tag, comment or raw-text element"
    return f"cannot parse the HTML near {near!r}"
