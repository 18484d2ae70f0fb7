"""WTForms support: the runtime's widgets against WTForms itself, character for character.

Python renders real fields (``str(field(**kwargs))``, labels, ``hidden_tag()``); the TypeScript
runtime renders ``form_to_json`` of the same form through a probe component in the one Node
worker; the strings must be identical (not just the same HTML tree). Hypothesis varies data,
labels, choices, ``render_kw`` and template keyword arguments over characters that stress
escaping. Also: what ``form_to_json`` refuses, where ``parseJSON`` revives forms, that a form the
converter did not recognise fails loudly instead of printing escaped HTML, and the detection
itself (``transpiler/formdetect.py``).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import flask
import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    Form,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from differential import CASES, build_form, render_react
from transpiler import formdetect
from transpiler.convert import convert_source
from transpiler.wtforms_json import FormSerialisationError, form_to_json

FORMS_PY = CASES / "wtforms" / "forms.py"

PROBE = """
import * as rt from "./_jinja2tsx/v1";

type Call = [(string | number)[], unknown[] | null, Record<string, unknown>];

export default function Probe({ form, calls, nested }: { form?: unknown; calls?: unknown; nested?: unknown }) {
  const out = (calls as Call[]).map(([path, args, kwargs]) => {
    try {
      let obj: unknown = form;
      for (const p of path) {
        if (typeof p === "number") obj = rt.getitem(obj, p);
        else if (p.startsWith("#")) {
          const it = rt.pyIterator(obj);
          for (let i = Number(p.slice(1)); i > 0; i--) it.next();
          obj = it.next().value;
        } else obj = rt.getattr(obj, p);
      }
      return rt.out(args === null ? obj : rt.call(obj, args, kwargs));
    } catch (e) {
      return "ERROR";
    }
  });
  out.push(String(rt.isDict(rt.getattr(nested, "inner"))));
  return <pre dangerouslySetInnerHTML={{ __html: JSON.stringify(out) }} />;
}
"""

Call = tuple[list[str | int], list[Any] | None, dict[str, Any]]


def _python(form: Any, calls: list[Call]) -> list[str]:
    out = []
    for path, args, kwargs in calls:
        try:
            obj = form
            for p in path:
                if isinstance(p, int):
                    obj = obj[p]
                elif p.startswith("#"):  # the n-th item of iterating it
                    obj = list(obj)[int(p[1:])]
                else:
                    obj = getattr(obj, p)
            out.append(str(escape(obj if args is None else obj(*args, **kwargs))))
        except Exception:
            out.append("ERROR")
    return out


def _probe(requests: list[tuple[Any, list[Call]]]) -> list[list[str]]:
    """Render each (form, calls) with the runtime; one Node request for all of them."""
    batch = []
    for form, calls in requests:
        props = {
            "form": form_to_json(form),
            "calls": calls,
            "nested": {"inner": form_to_json(form)},
        }
        batch.append(({"probe.tsx": PROBE}, "probe.tsx", [json.dumps(props)]))
    results = []
    for (row,) in render_react(batch):
        assert row.error is None, row.error
        assert row.html is not None
        m = re.fullmatch(r"<pre>(.*)</pre>", row.html, re.S)
        assert m, row.html
        values = json.loads(m.group(1))
        assert values[-1] == "true", "a form nested below the top level must stay a dict"
        results.append(values[:-1])
    return results


def _forms() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "wtforms_test_forms"}
    exec(compile(FORMS_PY.read_text(encoding="utf-8"), str(FORMS_PY), "exec"), namespace)
    return namespace


KWARGS: list[dict[str, Any]] = [
    {},
    {"class_": "form-control", "placeholder": 'Say "hi" <now> & then'},
    {"required": True, "disabled": False, "data_user_id": 7, "aria_label": "é 😀"},
    {"id": "other", "value": "v<&>", "type": "search", "class": "a", "size": 3},
    {"checked": False, "multiple": True, "title": None, "tabindex": -1, "step": 1.5},
]


def _calls_for(form: Any) -> list[Call]:
    calls: list[Call] = []

    def field_calls(path: list[str | int], field: Any) -> None:
        calls.append((path, None, {}))
        for kw in KWARGS:
            calls.append((path, [], kw))
        calls.append((path + ["label"], None, {}))
        calls.append((path + ["label"], ["Text <b>"], {"class_": "lbl"}))
        calls.append((path + ["label"], [], {"for_": "x", "text": ""}))
        try:
            subfields = list(field)
        except TypeError:
            subfields = []
        for i, _ in enumerate(subfields):
            calls.append((path + [f"#{i}"], None, {}))
            calls.append((path + [f"#{i}"], [], {"class_": "sub"}))
            calls.append((path + [f"#{i}", "label"], None, {}))
        if field.type == "FieldList":
            calls.append((path + [-1], None, {}))

    for field in form:
        field_calls([field.short_name], field)
    if hasattr(form, "hidden_tag"):
        calls.append((["hidden_tag"], [], {}))
    return calls


STATES: list[dict[str, Any]] = [
    {},
    {"formdata": {}, "validate": True},
    {
        "formdata": {
            "username": "ann <&> \"q\" 'x'",
            "password": "pw",
            "remember": "y",
            "color": "b",
            "tags": ["py", "rs"],
            "size": "m",
            "count": "2",
            "plan": "team",
            "bio": "</textarea>\r\nhi",
            "age": "12",
            "price": "1.5",
            "address-city": "Zürich",
            "emails-0": "a@b",
            "day": "2024-02-29",
            "moment": "2024-03-01T10:30",
            "volume": "3",
            "go": "x",
        },
        "validate": True,
    },
    {"csrf": True},
]


def test_widgets_match_wtforms_exactly() -> None:
    forms = _forms()
    classes = ["LoginForm", "ProfileForm", "ChoiceForm", "CsrfForm", "NestedForm", "SignupForm"]
    classes += ["PricedForm", "WidgetsForm"]
    requests = []
    for cls in classes:
        for state in STATES:
            form = build_form({"$form": cls, **state}, forms)
            requests.append((form, _calls_for(form)))
    results = _probe(requests)
    checked = 0
    for (form, calls), got in zip(requests, results):
        want = _python(form, calls)
        for call, w, g in zip(calls, want, got):
            assert g == w, f"{type(form).__name__} {call}:\n python: {w}\n runtime: {g}"
            checked += 1
    assert checked > 1000


# ----------------------------------------------------------------------------- property

TRICKY = list("<>&\"'`${}\\/;=\n\t ") + ["&amp;", "&#39;", "</script>", "é", "😀", "\u2028", "\x00"]
text = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=3)), max_size=8).map("".join)
attr_name = st.from_regex(r"[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,4})?_?", fullmatch=True).filter(
    lambda n: not n.startswith("on") and n.rstrip("_") not in ("name", "text")
)
attr_value = st.one_of(text, st.booleans(), st.integers(-5, 5), st.none())

_app = flask.Flask("wtforms_property")


def _dynamic_form(
    label: str, description: str, choices: list[str], render_kw: dict[str, Any]
) -> Any:
    class F(Form):
        s = StringField(label, description=description, render_kw=render_kw or None)
        t = TextAreaField(label)
        b = BooleanField(label, render_kw=render_kw or None)
        sel = SelectField(label, choices=[(f"v{i}", c) for i, c in enumerate(choices)])
        multi = SelectMultipleField(
            label,
            choices=[
                SelectChoice(c, c, optgroup="G" if i % 2 else None) for i, c in enumerate(choices)
            ],
        )
        radio = RadioField(label, choices=[(c, c) for c in choices])

    return F


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    label=text,
    description=text,
    choices=st.lists(text.filter(bool), min_size=1, max_size=3, unique=True),
    data=text,
    render_kw=st.dictionaries(attr_name, attr_value, max_size=3),
    kwargs=st.dictionaries(attr_name, attr_value, max_size=3),
)
def test_any_text_renders_exactly(
    label: str,
    description: str,
    choices: list[str],
    data: str,
    render_kw: dict[str, Any],
    kwargs: dict[str, Any],
) -> None:
    cls = _dynamic_form(label, description, choices, render_kw)
    formdata = MultiDict([("s", data), ("t", data), ("sel", "v0"), ("multi", choices[-1])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with _app.test_request_context():
            form = cls(formdata=formdata)
    calls: list[Call] = []
    for name in ("s", "t", "b", "sel", "multi", "radio"):
        calls += [([name], None, {}), ([name], [], kwargs), ([name, "label"], [], kwargs)]
        calls.append(([name, "description"], None, {}))
    calls += [(["radio", "#0"], [], kwargs), (["sel", f"#{len(choices) - 1}"], None, {})]
    (got,) = _probe([(form, calls)])
    assert got == _python(form, calls)


# ----------------------------------------------------------------------------- form_to_json


def test_form_to_json_refuses_html_and_event_handlers() -> None:
    class WithMarkup(Form):
        agree = BooleanField(Markup('I agree to the <a href="/tos">terms</a>'))

    class WithHandler(Form):
        q = StringField("Q", render_kw={"onchange": "this.form.submit()"})

    class WithScriptUrl(Form):
        go = StringField("Go", render_kw={"formaction": " JavaScript:alert(1)"})

    with _app.test_request_context():
        with pytest.raises(FormSerialisationError, match="Markup"):
            form_to_json(WithMarkup())
        with pytest.raises(FormSerialisationError, match="event handler"):
            form_to_json(WithHandler())
        with pytest.raises(FormSerialisationError, match="script URL"):
            form_to_json(WithScriptUrl())
        shape = form_to_json(build_form({"$form": "LoginForm"}, _forms()))
    assert shape["__wtform__"] == 1
    assert [f["name"] for f in shape["fields"]] == [
        "username",
        "password",
        "remember",
        "next",
        "submit",
    ]
    json.dumps(shape)  # JSON as it is


@pytest.mark.parametrize(
    "render_kw",
    [{"onfocus": "alert(1)"}, {"formaction": "javascript:alert(1)"}, {'x"><script>': "alert(1)"}],
)
def test_runtime_refuses_code_from_json(render_kw: dict[str, str]) -> None:
    """Hand-made JSON (not from form_to_json) cannot smuggle code in either."""
    with _app.test_request_context():
        shape = form_to_json(build_form({"$form": "LoginForm"}, _forms()))
    shape["fields"][0]["render_kw"] = render_kw
    props = {"form": shape, "calls": [[["username"], None, {}]], "nested": {"inner": {}}}
    (row,) = render_react([({"probe.tsx": PROBE}, "probe.tsx", [json.dumps(props)])])[0]
    assert row.html is not None and '"ERROR"' in row.html and "alert" not in row.html


# ----------------------------------------------------------------------------- the converter


def _convert(template: str) -> str:
    result = convert_source(template, "t.html")
    assert result.ok, [d.concise() for d in result.diagnostics]
    return result.tsx or ""


def test_unrecognised_form_fails_loudly() -> None:
    """Nothing marks ``thing`` as a form: printing its field must fail, never print the field's
    HTML escaped as text."""
    template = "<p>{{ thing.username }}</p>"
    tsx = _convert(template)
    with _app.test_request_context():
        ctx = {"thing": form_to_json(build_form({"$form": "LoginForm"}, _forms()))}
    (row,) = render_react([({"t.tsx": tsx}, "t.tsx", [json.dumps(ctx)])])[0]
    assert row.html is None and row.error is not None and "jinja2tsx" in row.error


def test_ordinary_props_are_unchanged() -> None:
    """Props that are not forms keep being rendered as JSX text."""
    tsx = _convert("<ul>{% for item in items %}<li>{{ item.label }}</li>{% endfor %}</ul>")
    assert "dangerouslySetInnerHTML" not in tsx and "rt.text(" in tsx


def _names(source: str) -> frozenset[str]:
    return formdetect.form_names(jinja2.Environment().parse(source))


@pytest.mark.parametrize(
    "source, names",
    [
        ("{{ form.hidden_tag() }}{{ form.name }}", {"form"}),
        ("{{ delete_form.csrf_token }}", {"delete_form"}),
        ('{{ form.email(class_="x") }}', {"form"}),
        ("{{ f.email.label }} {{ f.email }}", {"f"}),
        ("{{ f.email.label }} {% for e in f.email.errors %}{{ e }}{% endfor %}", {"f"}),
        (
            "{% macro r(field) %}{{ field(**kwargs) }}{% endmacro %}{{ r(form.a) }}",
            {"field", "form"},
        ),
        (
            "{% macro r(fields) %}{% for x in fields %}{{ x() }}{% endfor %}{% endmacro %}"
            "{{ r([form.a, form.b]) }}",
            {"fields", "form", "x"},
        ),
        ("{% set fld = form['a'] %}{{ fld.label(class_='l') }}", {"fld", "form"}),
        ("{% for sub in form.radio %}{{ sub.widget }}{% endfor %}", {"form", "sub"}),
        ("{{ item.label }} {{ user.name.upper() }} {{ items|join(', ') }}", set()),
        ("{% import 'm.html' as lib %}{{ lib.render(x) }} {{ loop.cycle('a') }}", set()),
        ("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(post.title) }}", set()),
    ],
)
def test_detection(source: str, names: set[str]) -> None:
    assert _names(source) == names


def test_readme_documents_the_json_shape() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "form_to_json" in readme and "__wtform__" in readme
