"""Jinja2 syntax errors as diagnostics (J001) that say what to fix and where.

Jinja's parser reports an unclosed block at the end of the template and a mismatched end tag
as an "unknown tag". This module turns those into the place to fix: a block never closed is
reported where it opens, a stray or mismatched ``{% endif %}``/``{% else %}`` where it stands,
naming the block still open (found by replaying the template's block tags with Jinja's own
lexer, so comments, raw blocks and whitespace control read as Jinja reads them). A tag Jinja
does not know at all is named with the extension it most likely comes from and how to enable
it. Other syntax errors keep Jinja's message.
"""

from __future__ import annotations

import dataclasses
import re

import jinja2

from .diagnostics import ConversionError


@dataclasses.dataclass(frozen=True)
class TagSource:
    """Where a Jinja tag that the default environment does not know comes from."""

    extension: str  # the import name an app passes to ``jinja_env.add_extension``
    provider: str  # who ships it
    builtin: bool  # shipped with Jinja (jinja2.ext): enabling it is all it takes
    advice: str = ""  # for other extensions: what to do instead


_DO = TagSource("jinja2.ext.do", "Jinja's expression-statement extension", True)
_LOOP = TagSource("jinja2.ext.loopcontrols", "Jinja's loop-controls extension", True)
_I18N = TagSource("jinja2.ext.i18n", "Jinja's i18n extension (installed by Flask-Babel)", True)
_DEBUG = TagSource("jinja2.ext.debug", "Jinja's debug extension", True)
_ASSETS = TagSource(
    "webassets.ext.jinja2.AssetsExtension",
    "webassets (Flask-Assets)",
    False,
    "build the bundle with webassets and pass its URLs in the context (or write the <script> "
    "and <link> tags of the built files)",
)
_CACHE = TagSource(
    "flask_caching.jinja2ext.CacheExtension",
    "Flask-Caching",
    False,
    "remove {% cache %} and {% endcache %} and keep what they enclose (cache at the route or "
    "data level in the React app instead)",
)

# Tags of well-known extensions, by tag name (closing tags included: Jinja may report those).
EXTENSION_TAGS: dict[str, TagSource] = {
    "do": _DO,
    "break": _LOOP,
    "continue": _LOOP,
    "trans": _I18N,
    "pluralize": _I18N,
    "endtrans": _I18N,
    "debug": _DEBUG,
    "assets": _ASSETS,
    "endassets": _ASSETS,
    "cache": _CACHE,
    "endcache": _CACHE,
}

_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '([^']+)'")


def unknown_tag_help(message: str) -> tuple[str, str] | None:
    """For Jinja's "Encountered unknown tag 'x'" syntax error: a message naming the extension the
    tag most likely comes from, and a hint (how to enable a built-in extension). ``None`` when
    the error is of another kind."""
    m = _UNKNOWN_TAG.search(message)
    if m is None:
        return None
    tag = m.group(1)
    source = EXTENSION_TAGS.get(tag)
    if source is None:
        return (
            f"unknown tag {{% {tag} %}}: no enabled Jinja extension defines it",
            "If the app adds a Jinja extension that defines this tag, list it in extensions = "
            "[...] under [tool.jinja2tsx] in pyproject.toml (or pass --extension NAME); "
            "jinja2tsx converts the tags of jinja2.ext.do and jinja2.ext.loopcontrols.",
        )
    if source.builtin:
        msg = (
            f"unknown tag {{% {tag} %}}: it comes from {source.provider}, {source.extension}, "
            "which is not enabled"
        )
        hint = (
            f'If the app enables it, add extensions = ["{source.extension}"] under '
            f"[tool.jinja2tsx] in pyproject.toml, or pass --extension {source.extension}."
        )
        if source is _I18N:
            hint = (
                'jinja2tsx parses with the i18n extension unless i18n = "off": set i18n = '
                '"newstyle" (Flask-Babel) or "oldstyle" under [tool.jinja2tsx], or pass --i18n '
                "newstyle."
            )
        if source is _DEBUG:
            hint += " {% debug %} prints the whole template context, so it cannot be converted "
            hint += "even then: remove it."
        return msg, hint
    msg = f"unknown tag {{% {tag} %}}: it comes from {source.provider}, {source.extension}"
    hint = (
        f"jinja2tsx does not convert the tags of {source.extension}: {source.advice}, or "
        "convert this template by hand."
    )
    return msg, hint


# Jinja's block statements and their end tags, and the tags that may stand inside them
END_TAGS = {
    "if": "endif",
    "for": "endfor",
    "block": "endblock",
    "macro": "endmacro",
    "call": "endcall",
    "filter": "endfilter",
    "set": "endset",
    "with": "endwith",
    "autoescape": "endautoescape",
    "trans": "endtrans",
}
OPENER = {end: start for start, end in END_TAGS.items()}
MIDDLE_TAGS = {"else": ("if", "for"), "elif": ("if",), "pluralize": ("trans",)}

_STRAY_TAG = re.compile(
    r"Encountered unknown tag '(\w+)'\.(?:.*The innermost block that needs to be closed is "
    r"'(\w+)'\.)?",
    re.S,
)
_UNCLOSED = re.compile(
    r"Unexpected end of template\..*The innermost block that needs to be closed is '(\w+)'\.",
    re.S,
)
_SET_TAG = re.compile(r"\{%[-+]?\s*set\b(.*?)[-+]?%\}")
_TAG_START = re.compile(r"\{%[-+]?\s*([A-Za-z_]\w*)")


@dataclasses.dataclass
class BlockTag:
    name: str
    line: int
    column: int


def block_tags(source: str, env: jinja2.Environment, until_line: int) -> list[BlockTag]:
    """The block tags of ``source`` in order, up to line ``until_line``, as Jinja's lexer sees
    them (not inside comments or raw blocks), with the column each starts at."""
    names: list[tuple[int, str]] = []
    after_begin = False
    try:
        for line, kind, value in env.lex(source):
            if line > until_line:
                break
            if kind == "block_begin":
                after_begin = True
            elif after_begin and kind == "name":
                names.append((line, value))
                after_begin = False
            elif kind != "whitespace":
                after_begin = False
    except jinja2.TemplateSyntaxError:
        pass  # a lexing error past the last tag we could read
    lines = source.split("\n")
    seen: dict[tuple[int, str], int] = {}
    out = []
    for line, name in names:
        k = seen.get((line, name), 0)
        seen[(line, name)] = k + 1
        starts = [
            m.start() + 1
            for m in _TAG_START.finditer(lines[line - 1] if line <= len(lines) else "")
            if m.group(1) == name
        ]
        out.append(BlockTag(name, line, starts[k] if k < len(starts) else 1))
    return out


def _is_block(tag: BlockTag, source: str) -> bool:
    """A ``{% set %}`` opens a block only without ``=`` (``{% set x %}…{% endset %}``)."""
    if tag.name != "set":
        return tag.name in END_TAGS
    line = source.split("\n")[tag.line - 1]
    m = _SET_TAG.search(line, tag.column - 1)
    return m is not None and "=" not in m.group(1)


def _open_blocks(tags: list[BlockTag], source: str) -> list[BlockTag]:
    stack: list[BlockTag] = []
    for tag in tags:
        if _is_block(tag, source):
            stack.append(tag)
        elif tag.name in OPENER and stack and stack[-1].name == OPENER[tag.name]:
            stack.pop()
    return stack


def _where(tag: BlockTag) -> str:
    return f"line {tag.line}" + (f", column {tag.column}" if tag.column > 1 else "")


def syntax_error(
    exc: jinja2.TemplateSyntaxError, source: str, env: jinja2.Environment
) -> ConversionError:
    """The J001 diagnostic for Jinja's syntax error ``exc`` in ``source``."""
    message = exc.message or "syntax error"
    line = exc.lineno or 1
    unclosed = _UNCLOSED.match(message)
    if unclosed is not None:
        name = unclosed.group(1)
        opened = [t for t in _open_blocks(block_tags(source, env, line), source) if t.name == name]
        if opened:
            tag = opened[-1]
            return ConversionError(
                "J001",
                f"{{% {name} %}} is never closed: the template ends first (Jinja: Unexpected end "
                "of template)",
                tag.line,
                tag.column,
                f"Add {{% {END_TAGS[name]} %}} where its body ends.",
            )
    stray = _STRAY_TAG.match(message)
    if stray is not None and (stray.group(1) in OPENER or stray.group(1) in MIDDLE_TAGS):
        return _stray_tag(stray.group(1), stray.group(2), source, env, line, message)
    known = unknown_tag_help(message)
    if known is not None:
        return ConversionError("J001", known[0], line, 1, known[1])
    return ConversionError("J001", message, line, 1, "")


def _stray_tag(
    name: str,
    innermost: str | None,
    source: str,
    env: jinja2.Environment,
    line: int,
    message: str,
) -> ConversionError:
    """``{% endif %}`` closing a ``{% for %}``, a second ``{% else %}``, an end tag with nothing
    open: reported where the tag stands, with the block still open."""
    tags = block_tags(source, env, line)
    here = next((t for t in reversed(tags) if t.name == name and t.line == line), None)
    column = here.column if here is not None else 1
    if innermost is None:
        openers = MIDDLE_TAGS.get(name) or (OPENER[name],)
        expected = " or ".join(f"{{% {o} %}}" for o in openers)
        return ConversionError(
            "J001",
            f"{{% {name} %}} with no {expected} open",
            line,
            column,
            f"Remove the {{% {name} %}}, or add the {expected} it belongs to.",
        )
    before = tags[: tags.index(here)] if here is not None else tags
    opened = [t for t in _open_blocks(before, source) if t.name == innermost]
    where = f" opened at {_where(opened[-1])}" if opened else ""
    end = END_TAGS.get(innermost, "end" + innermost)
    if name in MIDDLE_TAGS and innermost in MIDDLE_TAGS[name]:
        # a middle tag is out of place in its own kind of block only after the last part
        last = "pluralize" if innermost == "trans" else "else"
        what = f"the {{% {innermost} %}}{where} already has its {{% {last} %}}"
        hint = (
            f"Only {{% {end} %}} may follow the {{% {last} %}} of a {{% {innermost} %}}: remove "
            f"this {{% {name} %}}, or close the block first."
        )
    else:
        what = f"the {{% {innermost} %}}{where} is still open"
        hint = (
            f"Close the {{% {innermost} %}} with {{% {end} %}} first (blocks close in the "
            f"reverse order they open), or remove the {{% {name} %}}."
        )
    return ConversionError("J001", f"{{% {name} %}} cannot stand here: {what}", line, column, hint)
