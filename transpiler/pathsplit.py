"""Branches that leave elements open, balanced by moving what follows into every branch.

Some templates open an element in one ``{% if %}`` and close it after another::

    {% if logo %}<a href="/">{% else %}<a href="/" class="home"> {{ name }}{% endif %}
    {% if logo %}<img src="{{ logo }}">{% endif %}
    </a>

or wrap content in elements under nested conditions (Bootstrap-Flask's ``_hz_form_wrap``). No
element structure holds for the template as written, but the rewrite that moves the rest of the
enclosing body into each branch,

    {% if logo %}<a href="/">{% if logo %}<img …>{% endif %}</a>
    {% else %}<a href="/" class="home"> {{ name }}{% if logo %}<img …>{% endif %}</a>{% endif %}

renders the same for every context (the rest runs once, after the test, in either version),
and the repeated test inside a branch can then be decided (``logo`` is known there) when it is
pure and nothing in between assigns what it reads. Each branch is then plain HTML.

``split_open_branches`` returns the rewritten source, or None when nothing qualifies; like
``tagsplit`` it is only tried when the template as written does not convert, and the caller
keeps the original diagnostic when the rewrite does not convert either. Whitespace control
(``{%-``, ``-%}``) is applied to the text first, so text can move between tags freely.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from .htmlfacts import VOID_ELEMENTS
from .tagsplit import MUTATING

# {{ … }}, {% … %}, {# … #}: each closed by its own delimiter ({# a %} b #} is one comment)
CONSTRUCT = re.compile(r"\{\{(?P<e>.*?)\}\}|\{%(?P<s>.*?)%\}|\{#(?P<c>.*?)#\}", re.S)
BLOCKS = {
    "if": ("elif", "else"),
    "for": ("else",),
    "macro": (),
    "call": (),
    "filter": (),
    "with": (),
    "autoescape": (),
    "block": (),
    "trans": ("pluralize",),
}
# what may not be repeated or moved: definitions and template-level statements
UNMOVABLE = {"block", "macro", "extends", "import", "from", "raw"}
# assignments whose scope changes when they move into an if branch
SCOPING = {"set"}
ASSIGNING = {"set", "for", "with", "do", "macro", "call", "import", "from"}
PURE_FILTERS = {"length", "count", "lower", "upper", "trim", "string", "int", "float", "first"}
TAG = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)>", re.S)
RAW = re.compile(r"<(script|style|textarea|title)\b.*?</\1\s*>", re.S | re.I)
MAX_SPLITS = 24
MAX_GROWTH = 4  # the rewrite may be at most this many times the template's size


@dataclasses.dataclass
class Text:
    text: str


@dataclasses.dataclass
class Tag:
    """A construct that is not a block: ``{{ }}``, ``{# #}``, ``{% set x = … %}``…"""

    text: str
    word: str  # the statement's first word ("" for expressions and comments)


@dataclasses.dataclass
class Block:
    word: str
    heads: list[str]  # the opening tag, then each separator tag ({% elif … %}, {% else %})
    bodies: list[list["Item"]]  # one per head
    end: str

    @property
    def tests(self) -> list[str]:
        """An if block's tests, as written; an else branch has none."""
        out = []
        for head in self.heads:
            m = re.fullmatch(r"\{%\s*(?:if|elif)\s+(.*?)\s*%\}", head, re.S)
            if m:
                out.append(m.group(1))
        return out


Item = Text | Tag | Block


class _Giveup(Exception):
    pass


def split_open_branches(source: str) -> str | None:
    """The source with every ``{% if %}`` whose branches leave elements open made balanced
    (None when there is none, or the rewrite is not known to render the same)."""
    try:
        items = _parse(_normalize(source))
        state = _State(len(source))
        changed = _process(items, state)
    except _Giveup:
        return None
    return _render(items) if changed else None


def _normalize(source: str) -> str:
    """Apply Jinja's whitespace control (and its removal of one trailing newline), so no
    construct strips text any more; ``{% raw %}`` blocks are left to the original diagnostic."""
    if re.search(r"\{%[-+]?\s*raw\b", source):
        raise _Giveup
    if source.endswith("\n"):
        source = source[:-1]
    out: list[str] = []
    pos = 0
    strip_next = False
    for m, kind, inner in _constructs(source):
        left = inner[:1] if inner[:1] in ("-", "+") else ""
        right = inner[-1:] if len(inner) > len(left) and inner[-1:] in ("-", "+") else ""
        body = inner[len(left) : len(inner) - len(right)]
        text = source[pos : m.start()]
        if strip_next:
            text = text.lstrip()
        if left == "-":
            text = text.rstrip()
        out.append(text)
        close = {"{": "}", "%": "%", "#": "#"}[kind]
        out.append("{" + kind + " " + body.strip() + " " + close + "}")
        strip_next = right == "-"
        pos = m.end()
    tail = source[pos:]
    out.append(tail.lstrip() if strip_next else tail)
    return "".join(out)


def _constructs(source: str) -> Iterator[tuple[re.Match[str], str, str]]:
    """Each Jinja construct: (match, "{" / "%" / "#", what is between the delimiters)."""
    for m in CONSTRUCT.finditer(source):
        for kind, group in (("{", "e"), ("%", "s"), ("#", "c")):
            if m.group(group) is not None:
                yield m, kind, m.group(group)
                break


def _parse(source: str) -> list[Item]:
    stack: list[tuple[Block, list[Item]]] = []
    top: list[Item] = []
    current = top
    pos = 0
    for m, kind, inner in _constructs(source):
        if m.start() > pos:
            current.append(Text(source[pos : m.start()]))
        pos = m.end()
        text = m.group(0)
        if kind != "%":
            current.append(Tag(text, ""))
            continue
        word = (inner.split() or [""])[0]
        if word in BLOCKS or (word == "set" and "=" not in inner):
            block = Block(word, [text], [[]], "")
            current.append(block)
            stack.append((block, current))
            current = block.bodies[0]
        elif stack and word in BLOCKS.get(stack[-1][0].word, ()):
            block = stack[-1][0]
            block.heads.append(text)
            block.bodies.append([])
            current = block.bodies[-1]
        elif word.startswith("end"):
            if not stack or word != "end" + stack[-1][0].word:
                raise _Giveup
            block, current = stack.pop()
            block.end = text
        else:
            current.append(Tag(text, word))
    if stack:
        raise _Giveup
    if pos < len(source):
        current.append(Text(source[pos:]))
    return top


def _render(items: list[Item]) -> str:
    out: list[str] = []
    for it in items:
        if isinstance(it, Block):
            for head, body in zip(it.heads, it.bodies):
                out.append(head)
                out.append(_render(body))
            out.append(it.end)
        else:
            out.append(it.text)
    return "".join(out)


@dataclasses.dataclass
class _State:
    size: int
    splits: int = 0


def _process(body: list[Item], state: _State) -> bool:
    """Balance the if blocks of ``body`` (and of everything inside it); True when it changed."""
    changed = False
    i = 0
    while i < len(body):
        it = body[i]
        if isinstance(it, Block):
            for b in it.bodies:
                changed |= _process(b, state)
            if it.word == "if" and not all(_balanced(b) for b in it.bodies):
                rest = body[i + 1 :]
                if rest and _split(body, i, state):
                    changed = True
                    for b in it.bodies:  # the moved rest may need balancing in turn
                        _process(b, state)
                    break
        i += 1
    return changed


def _split(body: list[Item], i: int, state: _State) -> bool:
    """Move ``body[i+1:]`` into every branch of the if block ``body[i]``."""
    block = body[i]
    assert isinstance(block, Block)
    rest = body[i + 1 :]
    if any(isinstance(x, Block | Tag) and x.word in UNMOVABLE for x in _walk(rest)):
        return False
    if any(isinstance(x, Block | Tag) and x.word in SCOPING for x in _same_frame(rest)):
        # a {% set %} moved into a branch is in another scope for Jinja: a read of the name
        # before it (in a loop, say) can resolve differently there
        return False
    state.splits += 1
    if state.splits > MAX_SPLITS:
        raise _Giveup
    if len(block.heads) == len(block.tests):  # no else: the rest alone when no test holds
        block.heads.append("{% else %}")
        block.bodies.append([])
    tests = block.tests
    start = _hoisted_start(body, i, block)
    prefix = body[start:i]
    for k, branch in enumerate(block.bodies):
        branch[:0] = _copy(prefix)
        branch.extend(_decided(rest, tests, k, branch))
    del body[i + 1 :]
    del body[start:i]
    if len(_render(body)) > MAX_GROWTH * state.size + 1000:
        raise _Giveup
    return True


def _hoisted_start(body: list[Item], i: int, block: Block) -> int:
    """Where the branches must start: at the if block itself, or — when elements opened before
    it in ``body`` are still open there (``<div>{% if a %}…{% endif %}…</div>``) — where the
    outermost of them opens, so each branch holds them whole. Moving that text after the test
    is the same template only when the test is pure and the text assigns nothing it reads."""
    tests = block.tests
    if not tests or not all(_pure(t) for t in tests):
        return i
    names = set().union(*(_names(t) for t in tests))
    # the text before the block (constructs left out: a tag may have one inside), each
    # offset mapped back to the item it comes from
    text, owner = "", []
    for j, it in enumerate(body[:i]):
        if isinstance(it, Text):
            text += it.text
            owner += [j] * len(it.text)
    stack: list[tuple[str, int]] = []
    for name, end, offset in _tags(text):
        if end:
            if stack and stack[-1][0] == name:
                stack.pop()
        elif not RAW.match(text, offset):
            stack.append((name, owner[offset]))
    if not stack:
        return i
    start = stack[0][1]
    for prev in body[start:i]:
        if (
            _assigns(prev, names)
            or any(isinstance(x, Block | Tag) and x.word in UNMOVABLE for x in _walk([prev]))
            or any(isinstance(x, Block | Tag) and x.word in SCOPING for x in _same_frame([prev]))
        ):
            return i
    return start


def _decided(rest: list[Item], tests: list[str], k: int, branch: list[Item]) -> list[Item]:
    """A copy of ``rest`` for branch ``k``, with the ifs of the same tests decided unless the
    branch itself assigns what the tests read."""
    moved = _copy(rest)
    names = set().union(*(_names(t) for t in tests)) if tests else set()
    if not any(_assigns(x, names) for x in branch):
        _decide(moved, tests, k)
    return moved


def _decide(items: list[Item], tests: list[str], k: int) -> None:
    """In branch ``k`` of an if chain with ``tests``, an if block with the same chain of pure
    tests, reached with nothing in between assigning what they read, takes branch ``k``."""
    if not all(_pure(t) for t in tests):
        return
    names = set().union(*(_names(t) for t in tests))
    i = 0
    while i < len(items):
        it = items[i]
        if isinstance(it, Block) and it.word == "if" and it.tests == tests:
            items[i : i + 1] = it.bodies[k] if k < len(it.bodies) else []
            continue
        if _assigns(it, names):
            return
        if isinstance(it, Block):  # nested bodies: the same rule, up to an assignment
            for b in it.bodies:
                _decide(b, tests, k)
        i += 1


def _assigns(it: Item, names: set[str]) -> bool:
    for x in _walk([it]):
        if isinstance(x, Tag | Block) and x.word in ASSIGNING:
            head = x.text if isinstance(x, Tag) else x.heads[0]
            if x.word == "do" or names & _names(head):
                return True
            if x.word == "for" and "loop" in names:  # a loop binds `loop` too
                return True
        if isinstance(x, Tag) and MUTATING.search(x.text):
            return True  # d.update(…), l.append(…): may change what a test reads
    return False


def _walk(items: list[Item]):  # type: ignore[no-untyped-def]
    for it in items:
        yield it
        if isinstance(it, Block):
            for b in it.bodies:
                yield from _walk(b)


def _same_frame(items: list[Item]) -> Iterator[Item]:
    """``items`` and what is inside their ifs: the statements of the same Jinja scope (a loop,
    macro, call, with or block body has its own)."""
    for it in items:
        yield it
        if isinstance(it, Block) and it.word == "if":
            for b in it.bodies:
                yield from _same_frame(b)


def _copy(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    for it in items:
        if isinstance(it, Block):
            out.append(Block(it.word, list(it.heads), [_copy(b) for b in it.bodies], it.end))
        else:
            out.append(dataclasses.replace(it))
    return out


KEYWORDS = {"and", "or", "not", "is", "in", "if", "else", "none", "true", "false", "None"}
KEYWORDS |= {"True", "False", "elif", "set", "for", "with", "macro", "call", "defined"}


def _names(text: str) -> set[str]:
    """Identifiers an expression (or statement head) may read or bind, attributes excluded."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "", text)
    return {
        m.group(1)
        for m in re.finditer(r"(?<![.\w])([A-Za-z_]\w*)", text)
        if m.group(1) not in KEYWORDS
    }


def _pure(test: str) -> bool:
    """A test that reads and compares only: no calls, no filters but pure built-in ones."""
    stripped = re.sub(r"'[^']*'|\"[^\"]*\"", "''", test)
    if "(" in stripped:
        return False
    return all(f in PURE_FILTERS for f in re.findall(r"\|\s*(\w+)", stripped))


def _balanced(items: list[Item]) -> bool:
    """Does this branch close every element it opens, and only those? (A block inside it
    counts as balanced when each of its bodies is.)"""
    if not all(_balanced(b) for x in items if isinstance(x, Block) for b in x.bodies):
        return False
    text = RAW.sub("", "".join(x.text for x in items if isinstance(x, Text)))
    depth: list[str] = []
    for name, end, _ in _tags(text):
        if end:
            if not depth or depth[-1] != name:
                return False
            depth.pop()
        else:
            depth.append(name)
    return not depth


def _tags(text: str) -> Iterator[tuple[str, bool, int]]:
    """The start tags of elements with content and the end tags in ``text``: (name, is an end
    tag, offset); comments, void elements and self-closed tags left out."""
    for m in TAG.finditer(text):
        if m.group(2) is None:
            continue  # a comment
        name = m.group(2).lower()
        if m.group(1) or (name not in VOID_ELEMENTS and not m.group(3)):
            yield name, bool(m.group(1)), m.start()
