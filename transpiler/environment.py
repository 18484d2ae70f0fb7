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

# Names that Jinja2 itself defines in every environment (jinja2.defaults.DEFAULT_NAMESPACE).
JINJA_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace"})


def autoescape_for(name: str) -> bool:
    """Flask's ``select_jinja_autoescape``."""
    return name.lower().endswith(AUTOESCAPE_SUFFIXES)


def make_environment(
    loader: jinja2.BaseLoader | None = None,
    extensions: Sequence[str] = (),
    autoescape: bool = True,
    app_names: AppNames | None = None,
    i18n: I18nStyle = DEFAULT_STYLE,
    i18n_trimmed: bool = False,
    template_names: Mapping[str, str] | None = None,
) -> jinja2.Environment:
    """An environment configured like Flask's ``app.jinja_env`` (without Flask's globals).
    ``autoescape=False`` turns Flask's by-extension rule off for every template. ``app_names``
    says which unknown filters, tests and global functions are the app's (default: any).
    ``i18n``: the gettext style of the app (``off``: no i18n extension; listing it in
    ``extensions`` then is a ValueError); ``i18n_trimmed``: the ``ext.i18n.trimmed`` policy.
    ``template_names``: context variables (dotted paths) that name a template, with the name the
    app always passes (``{% extends admin_base_template %}``)."""
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
    if i18n != "off":
        configure(env, i18n, i18n_trimmed)
    return env
