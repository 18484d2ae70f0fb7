"""i18n beyond the differential fixtures (fixtures/cases/i18n/): an app-installed catalog is what
the generated components translate with, the runtime ships i18n.ts, and the ``i18n`` setting
(config key, ``--i18n``) decides whether ``{% trans %}`` and ``_()`` are i18n."""

from __future__ import annotations

from pathlib import Path

import pytest

from differential import render_react
from transpiler.cli import main as cli_main
from transpiler.config import ConfigError, parse_section
from transpiler.convert import RUNTIME_FILES, convert_source, runtime_sources
from transpiler.environment import make_environment

TEMPLATE = """<p>{% trans count=n %}{{ count }} apple{% pluralize %}{{ count }} apples{% endtrans %}</p>
<button title="{{ _('Close') }}">{{ _('Hello %(name)s', name=user) }}</button>
<p>{{ pgettext('month', 'May') }} {{ npgettext('mail', 'letter', 'letters', n) }}</p>"""

# Upper-cases the text of a message, not its %(placeholders)s; a function source picks it per
# render, the way an app would pick the request's locale.
WRAPPER = """import * as rt from "./_jinja2tsx/v1";
import Page, { type PageProps } from "./page";

const shout = (m: string): string =>
  m.split(/(%\\([^)]*\\)\\w)/).map((part, i) => (i % 2 ? part : part.toUpperCase())).join("");

const upper: rt.Catalog = {
  gettext: (m) => shout(m),
  ngettext: (s, p, n) => shout(n === 1 ? s : p),
  pgettext: (c, m) => shout(`${c}/${m}`),
  npgettext: (c, s, p, n) => shout(`${c}/${n === 1 ? s : p}`),
};

export default function Translated(props: PageProps) {
  const previous = rt.setCatalog(() => upper);
  try {
    return Page(props);
  } finally {
    rt.setCatalog(previous);
  }
}
"""


def test_installed_catalog_translates_and_null_catalog_is_the_default() -> None:
    result = convert_source(TEMPLATE, "page.html", make_environment())
    assert result.tsx is not None, result.diagnostics
    files = {"page.tsx": result.tsx, "wrap.tsx": WRAPPER}
    ctx = ['{"n": 2, "user": "<Ann>"}', '{"n": 1, "user": "Bob"}']
    translated, plain = render_react([(files, "wrap.tsx", ctx), (files, "page.tsx", ctx)])
    assert [r.error for r in translated + plain] == [None] * 4
    assert translated[0].html == (
        '<p>2 APPLES</p> <button title="CLOSE">HELLO &lt;Ann&gt;</button> '
        "<p>MONTH/MAY MAIL/LETTERS</p>"
    )
    assert translated[1].html is not None and "<p>1 APPLE</p>" in translated[1].html
    # rendered after the wrapper restored the previous (null) catalog
    assert plain[0].html == (
        '<p>2 apples</p> <button title="Close">Hello &lt;Ann&gt;</button> <p>May letters</p>'
    )


def test_runtime_ships_i18n() -> None:
    assert "i18n.ts" in RUNTIME_FILES and "i18n.ts" in runtime_sources()
    assert 'export * from "./i18n";' in runtime_sources()["index.ts"]


def test_styles_decide_what_gettext_calls_become() -> None:
    new = convert_source("<p>{{ _('Hi %(x)s', x=y) }}</p>", "t.html", make_environment())
    assert new.tsx is not None and 'rt.gettextNewstyle("Hi %(x)s", { "x": y }, true)' in new.tsx
    old = convert_source("<p>{{ _('Hi') }}</p>", "t.html", make_environment(i18n="oldstyle"))
    assert old.tsx is not None and 'rt.gettext("Hi")' in old.tsx
    off = convert_source(
        "<p>{% trans %}Hi{% endtrans %}</p>", "t.html", make_environment(i18n="off")
    )
    assert [d.code for d in off.diagnostics] == ["J001"]
    # without i18n, `_` is an ordinary context variable
    prop = convert_source("<p>{{ _('Hi') }}</p>", "t.html", make_environment(i18n="off"))
    assert prop.tsx is not None and "rt.call(_" in prop.tsx


def test_i18n_configuration_is_validated(tmp_path: Path) -> None:
    assert parse_section({"i18n": "oldstyle"}, tmp_path / "pyproject.toml").i18n == "oldstyle"
    with pytest.raises(ConfigError):
        parse_section({"i18n": "babel"}, tmp_path / "pyproject.toml")
    with pytest.raises(ConfigError):
        parse_section({"i18n-trimmed": "yes"}, tmp_path / "pyproject.toml")
    with pytest.raises(ValueError):
        make_environment(extensions=["jinja2.ext.i18n"], i18n="off")


def test_cli_i18n_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "t.html").write_text("<p>{% trans %}Hi {{ user }}{% endtrans %}</p>\n")
    (tmp_path / "pyproject.toml").write_text("[tool.jinja2tsx]\n")
    cfg = ["--config", str(tmp_path / "pyproject.toml")]
    assert cli_main(["check", *cfg, str(templates)]) == 0
    assert cli_main(["check", *cfg, "--i18n", "off", str(templates)]) == 1
    assert "J001" in capsys.readouterr().out  # check reports on stdout
    both = ["--i18n", "off", "--extension", "jinja2.ext.i18n"]
    assert cli_main(["check", *cfg, *both, str(templates)]) == 2
