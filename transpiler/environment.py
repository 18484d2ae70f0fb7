"""The Jinja2 environment the converter parses with: Flask's settings, so what we parse is what
Flask renders (autoescape by file extension, default delimiters, no extensions unless configured),
plus the i18n extension the way Flask-Babel installs it (newstyle gettext) unless i18n is ``off``
or configured ``oldstyle`` (see ``i18n.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jinja2

from .appnames import ENV_ATTRIBUTE, AppNames
from .i18n import DEFAULT_STYLE, I18nStyle, configure, extension_listed

AUTOESCAPE_SUFFIXES = (".html", ".htm", ".xml", ".xhtml", ".svg")

# Values Flask puts in ``app.jinja_env.globals`` (and Flask-WTF's ``csrf_token``; ``_flashes`` is
# what ``get_flashed_messages`` reads): visible to macros imported without context.
FLASK_ENV_GLOBALS = frozenset({"request", "session", "g", "config", "csrf_token", "_flashes"})

# Names that Jinja2 itself defines in every environment (jinja2.defaults.DEFAULT_NAMESPACE).
JINJA_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace"})


def autoescape_for(name: str | None) -> bool:
    """Flask's ``select_jinja_autoescape``: by the name's suffix, case-sensitively (Flask does
    not escape ``page.HTML``); a template without a name (``from_string``) is escaped."""
    return name is None or name.endswith(AUTOESCAPE_SUFFIXES)


def make_environment(
    loader: jinja2.BaseLoader | None = None,
    extensions: Sequence[str] = (),
    autoescape: bool = True,
    app_names: AppNames | None = None,
    i18n: I18nStyle = DEFAULT_STYLE,
    i18n_trimmed: bool = False,
    template_names: Mapping[str, str] | None = None,
    flask: object | None = None,
    html_blocks: Mapping[str, Sequence[str]] | None = None,
) -> jinja2.Environment:
    """An environment configured like Flask's ``app.jinja_env`` (without Flask's globals).
    ``autoescape=False`` turns Flask's by-extension rule off for every template. ``app_names``
    says which unknown filters, tests and global functions are the app's (default: any).
    ``i18n``: the gettext style of the app (``off``: no i18n extension; listing it in
    ``extensions`` then is a ValueError); ``i18n_trimmed``: the ``ext.i18n.trimmed`` policy.
    ``template_names``: context variables (dotted paths) that name a template, with the name the
    app always passes (``{% extends admin_base_template %}``). ``flask``: the app's route table
    (``flaskapp.FlaskSettings``), carried as ``env.jinja2tsx_flask``. ``html_blocks``: per
    layout, the blocks written with the element around them as an HTML string (overrides may
    then write raw HTML at their top level)."""
    if i18n == "off" and extension_listed(extensions):
        raise ValueError('i18n = "off" contradicts the jinja2.ext.i18n extension')
    env = jinja2.Environment(
        loader=loader,
        autoescape=autoescape_for if autoescape else False,
        extensions=list(extensions),
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=False,
    )
    env.extend(**{ENV_ATTRIBUTE: app_names or AppNames()})
    env.extend(jinja2tsx_template_names=dict(template_names or {}))
    env.extend(jinja2tsx_html_blocks={k: frozenset(v) for k, v in (html_blocks or {}).items()})
    if i18n != "off":
        configure(env, i18n, i18n_trimmed)
    env.extend(jinja2tsx_flask=flask)
    return env
