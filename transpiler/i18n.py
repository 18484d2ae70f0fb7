"""i18n: ``jinja2.ext.i18n`` as Flask-Babel enables it.

Jinja compiles ``{% trans %}`` into ordinary expressions over four globals — ``gettext``,
``ngettext``, ``pgettext``, ``npgettext`` (``_`` is an alias of ``gettext``) — so converting i18n
means recognising calls of those globals (and ``MarkSafeIfAutoescape``, which old-style
``{% trans %}`` wraps around them) and mapping them onto the runtime's catalog functions
(``runtime/i18n.ts``).

The *style* is a parse-time setting of the environment (``environment.newstyle_gettext``):

* ``newstyle`` (Flask-Babel, the default here): ``gettext(s, **vars)`` is ``Markup(catalog(s))``
  under autoescape, always ``%``-formatted with ``vars`` (so ``%%`` in the message prints ``%``);
  ``ngettext`` adds ``num``, ``pgettext`` adds ``context``.
* ``oldstyle`` (Jinja's ``install_null_translations()``): the globals are plain catalog lookups;
  ``{% trans %}`` marks the result safe under autoescape and ``%``-formats it itself.
* ``off``: no i18n extension; ``{% trans %}`` is a syntax error and ``_``/``gettext`` are context
  variables, as in a Flask app without Flask-Babel.

Unless it is ``off``, the converter parses with the extension loaded: a template that uses
``{% trans %}`` or calls ``_()``/``gettext()`` is converted as i18n (auto-detection).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, NoReturn

import jinja2
from jinja2 import nodes

from .diagnostics import ConversionError

if TYPE_CHECKING:
    from . import ir
    from .lower_expr import ExprLowering

I18nStyle = Literal["newstyle", "oldstyle", "off"]
I18N_STYLES: tuple[I18nStyle, ...] = ("newstyle", "oldstyle", "off")
DEFAULT_STYLE: I18nStyle = "newstyle"
# jinja2.ext.InternationalizationExtension's identifier, and the names it is loaded by
I18N_EXTENSION = "jinja2.ext.InternationalizationExtension"
I18N_NAMES = frozenset({"jinja2.ext.i18n", I18N_EXTENSION})
GETTEXT_GLOBALS = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext"})

# positional parameters of each global (Jinja's newstyle wrappers name them like this)
_PARAMS: dict[ir.TranslateFunc, tuple[str, ...]] = {
    "gettext": ("__string",),
    "ngettext": ("__singular", "__plural", "__num"),
    "pgettext": ("__string_ctx", "__string"),
    "npgettext": ("__string_ctx", "__singular", "__plural", "__num"),
}
_RESERVED_KWARGS = frozenset({"__context"} | {p for ps in _PARAMS.values() for p in ps})


@dataclasses.dataclass(frozen=True)
class I18n:
    """The i18n settings a template was parsed with."""

    newstyle: bool


def extension_listed(extensions: Sequence[str]) -> bool:
    return any(e in I18N_NAMES for e in extensions)


def configure(env: jinja2.Environment, style: I18nStyle, trimmed: bool) -> None:
    """Make ``env`` parse i18n the way the app's environment does (``style`` not ``off``)."""
    if I18N_EXTENSION not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    env.newstyle_gettext = style == "newstyle"  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = trimmed


def settings(env: jinja2.Environment) -> I18n | None:
    """The i18n settings of ``env``, or None when it has no i18n extension."""
    if I18N_EXTENSION not in env.extensions:
        return None
    return I18n(newstyle=bool(getattr(env, "newstyle_gettext", False)))


def is_gettext_call(lw: "ExprLowering", node: nodes.Call) -> bool:
    """A call of an i18n global that no template variable shadows."""
    func = node.node
    return (
        lw.i18n is not None
        and isinstance(func, nodes.Name)
        and func.name in GETTEXT_GLOBALS
        and lw._current(func.name) is None
    )


def lower_gettext_call(lw: "ExprLowering", node: nodes.Call, line: int) -> ir.Translate:
    from . import ir

    assert lw.i18n is not None and isinstance(node.node, nodes.Name)
    name = node.node.name
    func: ir.TranslateFunc = "gettext" if name == "_" else name  # type: ignore[assignment]
    params = _PARAMS[func]
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        lw.node_fail("U006", f"*args or **kwargs in a call of {name}()", node)
    if len(node.args) != len(params):
        lw.node_fail(
            "U006",
            f"{name}() takes {len(params)} positional argument{'s' if len(params) > 1 else ''}, "
            f"got {len(node.args)}",
            node,
        )
    newstyle = lw.i18n.newstyle
    if not newstyle and node.kwargs:
        raise_oldstyle_kwargs(lw, name, node)
    for kw in node.kwargs:
        if kw.key in _RESERVED_KWARGS:
            lw.node_fail("U006", f"{name}() got multiple values for {kw.key!r}", node)
    autoescape = lw.autoescape_at(node)
    return ir.Translate(
        line,
        func,
        tuple(lw.expr(a) for a in node.args),
        tuple((kw.key, lw.expr(kw.value)) for kw in node.kwargs),
        newstyle,
        autoescape,
    )


def raise_oldstyle_kwargs(lw: "ExprLowering", name: str, node: nodes.Call) -> NoReturn:
    raise ConversionError(
        "U006",
        f"{name}() with keyword arguments needs newstyle gettext (oldstyle is configured)",
        node.lineno or 1,
        1,
        'Flask-Babel installs newstyle gettext: set i18n = "newstyle" in [tool.jinja2tsx], or '
        "format the result yourself: _('Hello %(name)s') % {'name': name}.",
    )


def mark_safe_if_autoescape(
    lw: "ExprLowering", node: nodes.MarkSafeIfAutoescape, line: int
) -> ir.Expr:
    """Old-style ``{% trans %}``: ``(Markup if autoescape else identity)(gettext(...))``."""
    from . import ir

    inner = lw.expr(node.expr)
    if lw.autoescape_at(node):
        return ir.Filter(line, "safe", inner, ())
    return inner


def translate_safety(
    e: ir.Translate, safety: Callable[[ir.Expr], ir.Safety], content: bool = False
) -> ir.Safety:
    """May the result be Markup (``content``: hold Markup inside)? Newstyle under autoescape:
    always Markup. Otherwise the catalog returns a str, or (null translations) the message itself,
    which may be Markup (``_(x|safe)``) or, old style, any value; a newstyle ``str % vars`` is a
    str whatever the vars, ``Markup % vars`` is Markup."""
    if content:
        if e.newstyle:
            return "no"
    elif e.newstyle and e.autoescape:
        return "yes"
    messages = e.args[1:] if e.func in ("pgettext", "npgettext") else e.args
    messages = messages[:2] if e.func in ("ngettext", "npgettext") else messages[:1]
    kinds = {safety(m) for m in messages}
    return "no" if kinds == {"no"} else "maybe"
