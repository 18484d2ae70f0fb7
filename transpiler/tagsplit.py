"""Start tags whose ``{% if %}`` crosses attribute quotes, rewritten into one start tag per branch.

Some templates build a start tag with a condition that opens or closes attribute values::

    <li class="item{% if active %} active" aria-current="page{% endif %}">

No HTML parser can read that before Jinja runs, but the output-preserving rewrite

    {% if active %}<li class="item active" aria-current="page">{% else %}<li class="item">{% endif %}

is plain HTML per branch, which the lowering turns into one element with conditional attributes.
The rewrite moves the text around the ``{% if %}`` into every branch; Jinja's output is the same
for every context as long as evaluating the test and the moved expressions in the other order
changes nothing: the tests and the moved expressions must not call mutating methods, and the
moved text holds no statement other than balanced ``{% if %}`` blocks. ``split_crossing_ifs``
returns the rewritten source, or None when nothing qualifies; the caller keeps the original
diagnostic when the rewritten template does not convert either.
"""

from __future__ import annotations

import dataclasses
import re

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TAG_OPEN = re.compile(r"<[A-Za-z][A-Za-z0-9:-]*")
MUTATING = re.compile(
    r"\.\s*(append|extend|insert|pop|popitem|remove|clear|update|setdefault|add|discard|sort|"
    r"reverse)\s*\("
)
MAX_REWRITES = 16


@dataclasses.dataclass
class Text:
    text: str


@dataclasses.dataclass
class Expr:
    """``{{ … }}`` or ``{# … #}``: no effect on the markup's quotes."""

    text: str


@dataclasses.dataclass
class If:
    tests: list[str]  # the if and elif tests, as written
    branches: list[list["Item"]]  # one per test, then the else branch (when present)
    has_else: bool
    quote: str | None = None  # the attribute quote open where the block starts


Item = Text | Expr | If


class _Giveup(Exception):
    pass


def split_crossing_ifs(source: str) -> str | None:
    """The source with every qualifying crossing ``{% if %}`` in a start tag split (None when
    none qualifies)."""
    if re.search(r"\{%[-+]?\s*raw\s*[-+]?%\}", source):
        return None  # literal "{% if %}" text inside {% raw %} must stay as it is
    changed = False
    for _ in range(MAX_REWRITES):
        rewritten = _rewrite_first(source)
        if rewritten is None:
            break
        source, changed = rewritten, True
    return source if changed else None


def _rewrite_first(source: str) -> str | None:
    pos = 0
    while True:
        m = _next_tag(source, pos)
        if m is None:
            return None
        start = m
        try:
            items, end = _parse_tag(source, start)
            new = _expand(items)
        except _Giveup:
            new = None
            end = start + 1
        if new is not None:
            return source[:start] + new + source[end:]
        pos = start + 1


def _next_tag(source: str, pos: int) -> int | None:
    """The offset of the next ``<name`` outside Jinja constructs."""
    while True:
        m = TAG_OPEN.search(source, pos)
        if m is None:
            return None
        j = JINJA.search(source, pos)
        if j is not None and j.start() < m.start():
            pos = j.end()  # skip a construct before the candidate (it may contain "<a")
            continue
        return m.start()


# one pattern per kind of construct, each ending at its own delimiter ({# a %} b #} is one
# comment), all with the same groups: kind, left marker, inside, right marker, closing char
JINJA_PARTS = {
    kind: re.compile(rf"\{{({re.escape(kind)})([-+]?)(.*?)([-+]?)({re.escape(close)})\}}", re.S)
    for kind, close in (("{", "}"), ("%", "%"), ("#", "#"))
}


class _Parser:
    """Reads one start tag: text, ``{{ }}``/``{# #}`` constructs and ``{% if %}`` blocks, with
    Jinja's whitespace control applied to the text (so the rewrite can move text freely)."""

    def __init__(self, source: str, start: int):
        self.source, self.pos = source, start
        self.skip_ws = False  # after a "-%}": whitespace that follows is not output

    def next(self) -> tuple[str, str, re.Match[str] | None]:
        source, pos = self.source, self.pos
        if pos >= len(source):
            raise _Giveup
        if source.startswith(("{{", "{%", "{#"), pos):
            m = JINJA_PARTS[source[pos + 1]].match(source, pos)
            if m is None:
                raise _Giveup
            self.pos = m.end()
            return "jinja", m.group(0), m
        self.pos = pos + 1
        return "text", source[pos], None

    def items(self, quote: str | None, top: bool):  # type: ignore[no-untyped-def]
        """Items until ``>`` (top level) or a branch delimiter; tracks the quote state."""
        items: list[Item] = []
        text = "<" if top else ""
        if top:
            self.pos += 1
        while True:
            kind, tok, m = self.next()
            if kind == "text":
                if self.skip_ws and tok.isspace():
                    continue
                self.skip_ws = False
                text += tok
                if quote is None and tok in "\"'":
                    quote = tok
                elif quote is not None and tok == quote:
                    quote = None
                elif quote is None and tok == ">":
                    if not top:
                        raise _Giveup  # the tag would end inside a branch
                    items.append(Text(text))
                    return items, self.pos, quote
                elif quote is None and tok == "<":
                    raise _Giveup  # not a well-formed start tag
                continue
            assert m is not None
            if m.group(2) == "-":  # "{%-": the whitespace before it (since the last
                text = text.rstrip()  # construct) is not output
            self.skip_ws = m.group(4) == "-"
            if text:
                items.append(Text(text))
                text = ""
            if m.group(1) != "%":
                items.append(Expr("{" + m.group(1) + m.group(3) + m.group(5) + "}"))
                continue
            stmt = re.fullmatch(r"\s*(\w+)(.*?)\s*", m.group(3), re.S)
            word = stmt.group(1) if stmt else ""
            rest = stmt.group(2).strip() if stmt else ""
            if word == "if":
                node, quote = self.if_block(rest, quote)
                items.append(node)
            elif word in ("elif", "else", "endif") and not top:
                return items, (word, rest), quote
            else:
                raise _Giveup  # another statement inside a start tag

    def if_block(self, test: str, quote: str | None) -> tuple[If, str | None]:
        """An ``{% if %}`` block; every branch must leave the quote state the same."""
        tests = [test]
        branches: list[list[Item]] = []
        ends: set[str | None] = set()
        has_else = False
        while True:
            body, stop, after = self.items(quote, top=False)
            word, rest = stop
            branches.append(body)
            ends.add(after)
            if word == "endif":
                break
            if has_else:
                raise _Giveup
            if word == "elif":
                tests.append(rest)
            else:
                has_else = True
        if not has_else:
            ends.add(quote)  # no branch taken: the state before the block
        if len(ends) != 1:
            raise _Giveup
        return If(tests, branches, has_else, quote), ends.pop()


def _parse_tag(source: str, start: int) -> tuple[list[Item], int]:
    """The items of the start tag at ``start`` up to its closing ``>`` (outside quotes, at the
    top level, the same in every branch); returns (items, end offset)."""
    items, end, _ = _Parser(source, start).items(None, top=True)
    return items, end


def _crossing(node: If) -> bool:
    """The block starts inside an attribute value and a branch closes that value."""
    q = node.quote
    return q is not None and any(_has_quote(b, q) for b in node.branches)


def _has_quote(items: list[Item], q: str) -> bool:
    for it in items:
        if isinstance(it, Text) and q in it.text:
            return True
        if isinstance(it, If) and any(_has_quote(b, q) for b in it.branches):
            return True
    return False


def _render(items: list[Item]) -> str:
    out = []
    for it in items:
        if isinstance(it, If):
            out.append(f"{{% if {it.tests[0]} %}}")
            for i, b in enumerate(it.branches):
                if i > 0:
                    if i < len(it.tests):
                        out.append(f"{{% elif {it.tests[i]} %}}")
                    else:
                        out.append("{% else %}")
                out.append(_render(b))
            out.append("{% endif %}")
        else:
            out.append(it.text)
    return "".join(out)


def _pure(text: str) -> bool:
    return MUTATING.search(text) is None


def _expand(items: list[Item]) -> str | None:
    """The tag with its first crossing ``{% if %}`` split, or None when it has none."""
    for i, it in enumerate(items):
        if isinstance(it, If) and _crossing(it):
            pre, post = _render(items[:i]), _render(items[i + 1 :])
            if not (_pure(pre) and _pure(post) and all(_pure(t) for t in it.tests)):
                return None
            out = []
            for k, branch in enumerate(it.branches):
                if k == 0:
                    out.append(f"{{% if {it.tests[0]} %}}")
                elif k < len(it.tests):
                    out.append(f"{{% elif {it.tests[k]} %}}")
                else:
                    out.append("{% else %}")
                out.append(pre + _render(branch) + post)
            if not it.has_else:
                out.append("{% else %}" + pre + post)
            out.append("{% endif %}")
            return "".join(out)
    return None
