"""Project configuration: ``[tool.jinja2tsx]`` in the nearest pyproject.toml, overridden by CLI flags.

```toml
[tool.jinja2tsx]
src = "app/templates"            # templates folder(s): a string or a list
out = "web/app/_templates"       # where convert writes TSX
include = ["**/*.html"]          # glob patterns, relative to src (default: every template suffix)
exclude = ["admin/legacy/**"]    # glob patterns, relative to src
extensions = ["jinja2.ext.do"]   # Jinja extensions the app enables
i18n = "newstyle"                # gettext style: "newstyle" (Flask-Babel, default), "oldstyle"
                                 # (Jinja's install_null_translations()), "off" (no i18n)
i18n_trimmed = false             # the app's ext.i18n.trimmed policy ({% trans %} whitespace)
autoescape = true                # true: Flask's rule (by extension); false: never
globals = ["render_icon"]        # the app's own global functions, filters and tests: once any
filters = ["format_datetime"]    #   is listed, other unknown names are U003 diagnostics; none
tests = []                       #   listed: every unknown name is the app's (stubs in app.ts)
jobs = 0                         # worker processes for convert (0 = one per CPU, 1 = serial)
format = true                    # prettier
respect_gitignore = true

# Flask: the route table url_for() builds from, and where external URLs point
flask-app = "blog:create_app()"  # import the app (as `flask --app` does) and read app.url_map
script-root = ""                 # where the app is mounted (WSGI SCRIPT_NAME), "" = at /
server-name = "www.example.com"  # host of url_for(..., _external=True) (default: the app's SERVER_NAME)
url-scheme = "https"             # scheme of external URLs (default: PREFERRED_URL_SCHEME or http)

[tool.jinja2tsx.template_names]  # context variables that name a template ({% extends layout %}):
admin_base_template = "admin/base.html"   # the value the app always passes; the component
"appbuilder.base_template" = "appbuilder/baselayout.html"  # throws if it ever gets another
"theme()" = "{}"                 # a name function: theme("x.html") names "x.html" (checked too)

[tool.jinja2tsx.html_blocks]     # layout blocks whose overrides may write raw HTML at their top
"admin/base.html" = ["body"]     #   level (H108): the layout writes the element around the block
                                 #   as one HTML string (dangerouslySetInnerHTML); blocks at its
                                 #   top level make it an HTML string (W004), whose overrides may
                                 #   open elements that other blocks close (H103)

[tool.jinja2tsx.routes]          # instead of flask-app: the rules, as @app.route would add them
index = "/"
"blog.post" = ["/post/<int:id>", "/post/<int:id>/<slug>"]      # several rules, in order
"blog.archive" = { rule = "/archive/<int:year>", defaults = { year = 2024 }, methods = ["GET"] }
# `static` (/static/<path:filename>) is added unless listed
```
Unknown keys and wrong types are usage errors (exit 2), never silently ignored.

i18n (``jinja2.ext.i18n``) needs no ``extensions`` entry: unless ``i18n = "off"``, templates are
parsed with it, so ``{% trans %}`` and calls of ``_``/``gettext``/``ngettext``/``pgettext``/
``npgettext`` convert to the runtime's catalog functions (auto-detection). The style is a parse-time
choice, as in Jinja: newstyle is what Flask-Babel installs.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from .i18n import DEFAULT_STYLE, I18N_STYLES, I18nStyle


class ConfigError(Exception):
    """A configuration mistake the user must fix (exit code 2)."""


@dataclasses.dataclass
class Config:
    src: list[str] = dataclasses.field(default_factory=list)
    out: str | None = None
    include: list[str] = dataclasses.field(default_factory=list)
    exclude: list[str] = dataclasses.field(default_factory=list)
    extensions: list[str] = dataclasses.field(default_factory=list)
    autoescape: bool = True
    i18n: I18nStyle = DEFAULT_STYLE
    i18n_trimmed: bool = False
    template_names: dict[str, str] = dataclasses.field(default_factory=dict)
    html_blocks: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    globals: list[str] = dataclasses.field(default_factory=list)
    filters: list[str] = dataclasses.field(default_factory=list)
    tests: list[str] = dataclasses.field(default_factory=list)
    jobs: int = 0
    format: bool = True
    respect_gitignore: bool = True
    flask_app: str | None = None
    routes: dict[str, Any] | None = None
    script_root: str = ""
    server_name: str | None = None
    url_scheme: str | None = None
    # where the settings came from: paths in the file are relative to its folder
    path: Path | None = None

    @property
    def base(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def resolve(self, value: str) -> Path:
        p = Path(value)
        return p if p.is_absolute() else self.base / p


_LISTS = ("src", "include", "exclude", "extensions", "globals", "filters", "tests")
_STRINGS = ("out", "flask_app", "script_root", "server_name", "url_scheme")


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """The settings of the nearest pyproject.toml above ``start`` (or ``explicit``)."""
    path = explicit or find_pyproject(start or Path.cwd())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    section = data.get("tool", {}).get("jinja2tsx")
    if section is None:
        return Config(path=path if explicit else None)
    return parse_section(section, path)


def parse_section(section: Any, path: Path) -> Config:
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.jinja2tsx] must be a table")
    cfg = Config(path=path)
    known = {f.name for f in dataclasses.fields(Config)} - {"path"}
    for key, value in section.items():
        name = key.replace("-", "_")
        if name not in known:
            raise ConfigError(
                f"{path}: unknown key {key!r} in [tool.jinja2tsx] "
                f"(known: {', '.join(sorted(known))})"
            )
        if name in _LISTS:
            if isinstance(value, str) and name == "src":
                value = [value]
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ConfigError(f"{path}: [tool.jinja2tsx] {key} must be a list of strings")
        elif name in _STRINGS:
            if not isinstance(value, str):
                raise ConfigError(f"{path}: [tool.jinja2tsx] {key} must be a string")
        elif name == "template_names":
            if not (
                isinstance(value, dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
            ):
                raise ConfigError(
                    f"{path}: [tool.jinja2tsx.template_names] maps variable names to template "
                    "names (strings)"
                )
            value = dict(value)
        elif name == "html_blocks":
            if not (
                isinstance(value, dict)
                and all(
                    isinstance(k, str)
                    and isinstance(v, list)
                    and all(isinstance(b, str) and b.isidentifier() for b in v)
                    for k, v in value.items()
                )
            ):
                raise ConfigError(
                    f"{path}: [tool.jinja2tsx.html_blocks] maps template names to lists of "
                    "block names"
                )
            value = {k: list(v) for k, v in value.items()}
        elif name == "i18n":
            if value not in I18N_STYLES:
                raise ConfigError(
                    f"{path}: [tool.jinja2tsx] i18n must be one of {', '.join(I18N_STYLES)}"
                )
        elif name == "routes":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: [tool.jinja2tsx.routes] must be a table")
        elif name == "jobs":
            if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
                raise ConfigError(f"{path}: [tool.jinja2tsx] jobs must be a whole number >= 0")
        elif not isinstance(value, bool):
            raise ConfigError(f"{path}: [tool.jinja2tsx] {key} must be true or false")
        setattr(cfg, name, value)
    return cfg
