"""The Jinja2 environment the converter parses with: Flask's settings, so what we parse is what
Flask renders (autoescape by file extension, default delimiters, no extensions unless configured).
"""

from __future__ import annotations

from collections.abc import Sequence

import jinja2

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
    flask: object | None = None,
) -> jinja2.Environment:
    """An environment configured like Flask's ``app.jinja_env`` (without Flask's globals).
    ``autoescape=False`` turns Flask's by-extension rule off for every template. ``flask``: the
    app's route table (``flaskapp.FlaskSettings``), carried as ``env.jinja2tsx_flask``."""
    env = jinja2.Environment(
        loader=loader,
        autoescape=autoescape_for if autoescape else False,
        extensions=list(extensions),
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=False,
    )
    env.extend(jinja2tsx_flask=flask)
    return env
