"""Jinja extensions: the messages of the diagnostics around them (the differential cases in
``fixtures/cases/extensions/`` check the codes and the rendering), and enabling them from the
command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2 import nodes
from jinja2.ext import Extension

from differential import REPO
from transpiler.convert import convert_source
from transpiler.diagnostics import Diagnostic
from transpiler.environment import make_environment


def diagnose(source: str, extensions: tuple[Any, ...] = (), i18n: Any = "newstyle") -> Diagnostic:
    env = make_environment(extensions=extensions, i18n=i18n)
    result = convert_source(source, "t.html", env)
    assert not result.ok and len(result.diagnostics) == 1
    return result.diagnostics[0]


@pytest.mark.parametrize(
    "source, extension",
    [
        ("{% do x.append(1) %}", "jinja2.ext.do"),
        ("{% for x in y %}{% break %}{% endfor %}", "jinja2.ext.loopcontrols"),
        (
            "{% for x in y %}{% if x %}{% continue %}{% endif %}{% endfor %}",
            "jinja2.ext.loopcontrols",
        ),
        ("<pre>{% debug %}</pre>", "jinja2.ext.debug"),
    ],
)
def test_builtin_extension_tag_names_the_extension_and_how_to_enable_it(
    source: str, extension: str
) -> None:
    d = diagnose(source)
    assert d.code == "J001" and d.line == 1
    assert extension in d.message and "not enabled" in d.message
    assert f'extensions = ["{extension}"]' in d.hint and "[tool.jinja2tsx]" in d.hint
    assert f"--extension {extension}" in d.hint


def test_trans_with_i18n_turned_off_says_how_to_turn_it_on() -> None:
    """i18n is on unless configured off (see test_i18n); then {% trans %} is an unknown tag."""
    d = diagnose("<p>{% trans %}Hi{% endtrans %}</p>", i18n="off")
    assert d.code == "J001" and d.line == 1
    assert "jinja2.ext.i18n" in d.message and "not enabled" in d.message
    assert 'i18n = "newstyle"' in d.hint and "--i18n newstyle" in d.hint


@pytest.mark.parametrize(
    "source, extension, provider",
    [
        (
            '{% assets "js" %}<script src="{{ ASSET_URL }}"></script>{% endassets %}',
            "webassets.ext.jinja2.AssetsExtension",
            "Flask-Assets",
        ),
        (
            "{% cache 60 %}<p>x</p>{% endcache %}",
            "flask_caching.jinja2ext.CacheExtension",
            "Flask-Caching",
        ),
    ],
)
def test_third_party_tag_names_its_extension(source: str, extension: str, provider: str) -> None:
    d = diagnose(source)
    assert d.code == "J001"
    assert extension in d.message and provider in d.message
    assert "--extension" not in d.hint  # enabling it would not make it convertible
    assert "by hand" in d.hint


def test_unknown_tag_of_no_known_extension() -> None:
    d = diagnose("<p>\n{% frobnicate 1 %}</p>")
    assert d.code == "J001" and d.line == 2
    assert "{% frobnicate %}" in d.message
    assert "extensions" in d.hint


def test_other_syntax_errors_keep_jinja_message() -> None:
    d = diagnose("{% if x %}")
    assert d.code == "J001" and "Unexpected end of template" in d.message


class _FragmentCache(Extension):
    """Jinja's documented example extension: ``{% cache key %}…{% endcache %}``."""

    tags = {"cache"}

    def parse(self, parser: Any) -> nodes.Node:
        lineno = next(parser.stream).lineno
        args = [parser.parse_expression()]
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        call = self.call_method("_cache", args)
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _cache(self, key: str, caller: Any) -> str:  # pragma: no cover - never rendered
        return str(caller())


def test_enabled_third_party_extension_is_refused_not_crashed() -> None:
    d = diagnose("<div>{% cache 'k' %}<p>x</p>{% endcache %}</div>", (_FragmentCache,))
    assert d.code == "U001" and "_FragmentCache" in d.message


@pytest.mark.parametrize(
    "source, code, words",
    [
        ("<p>{% break %}</p>", "J001", "outside a {% for %} loop"),
        (
            "{% for x in y %}<li>{% if x %}{% continue %}{% endif %}</li>{% endfor %}",
            "U001",
            "unclosed",
        ),
        ("{% for x in y %}{% set s %}{% break %}{% endset %}{% endfor %}", "U001", "{% set %}"),
        (
            "{% for x in y %}{% call m() %}{% break %}{% endcall %}{% endfor %}"
            "{% macro m() %}{{ caller() }}{% endmacro %}",
            "J001",
            "{% call %}",
        ),
    ],
)
def test_misplaced_loop_control(source: str, code: str, words: str) -> None:
    d = diagnose(source, ("jinja2.ext.loopcontrols",))
    assert d.code == code and words in d.message and d.hint


def test_jinja_itself_rejects_break_outside_a_loop() -> None:
    """The J001 above is Jinja's own behaviour: the compiled Python does not compile."""
    env = jinja2.Environment(extensions=["jinja2.ext.loopcontrols"])
    with pytest.raises(SyntaxError):
        env.from_string("<p>{% break %}</p>")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))  # this checkout's transpiler
    return subprocess.run(
        [sys.executable, "-m", "transpiler", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_check_with_extension_flag_and_config(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "list.html").write_text(
        "{% set seen = [] %}<ul>{% for x in items %}{% if x in seen %}{% continue %}{% endif %}"
        "{% do seen.append(x) %}<li>{{ x }}</li>{% endfor %}</ul>\n"
    )
    plain = _cli("check", "templates", "--format", "json", cwd=tmp_path)
    assert plain.returncode == 1
    reported = json.loads(plain.stdout)
    assert reported[0]["code"] == "J001" and "jinja2.ext.loopcontrols" in reported[0]["message"]
    assert "--extension jinja2.ext.loopcontrols" in reported[0]["hint"]

    flags = ["--extension", "jinja2.ext.do", "--extension", "jinja2.ext.loopcontrols"]
    assert _cli("check", "templates", *flags, cwd=tmp_path).returncode == 0

    (tmp_path / "pyproject.toml").write_text(
        '[tool.jinja2tsx]\nextensions = ["jinja2.ext.do", "jinja2.ext.loopcontrols"]\n'
    )
    assert _cli("check", "templates", cwd=tmp_path).returncode == 0
