"""Serialise a WTForms / Flask-WTF form into JSON the generated components render exactly.

A Flask view that renders ``render_template("edit.html", form=form)`` sends the same form to the
converted component as ``form_to_json(form)``::

    from transpiler.wtforms_json import form_to_json

    @app.get("/api/edit")
    def edit_props():
        form = EditForm()            # built and validated as the view already does
        return {"form": form_to_json(form), "user": user.to_dict()}

The runtime's ``parseJSON`` turns every top-level context value carrying the ``"__wtform__"``
marker back into a form object (``transpiler/runtime/wtforms.ts``) that behaves like the Python
one in templates: ``{{ form.name }}``, ``form.name(class_="x")``, ``.label``/``.label(text)``,
``.errors``, ``.data``, ``.flags.required``, ``for field in form``, radio subfields,
``form.hidden_tag()``, ``form.errors``/``form.data``, and renders the markup of WTForms' default
widgets byte for byte (WTForms 3.3, Flask-WTF 1.x).

JSON shape (version 1)::

    {"__wtform__": 1,
     "hidden_tag": true,              # the form has Flask-WTF's hidden_tag() (a FlaskForm)
     "form_errors": ["..."],          # form-level errors
     "fields": [FIELD, ...],          # in form order (what `for field in form` iterates)
     "meta": {"csrf": false, "csrf_field_name": "csrf_token"},   # form.meta, these two only
     "unsent": ["validate", ...]}     # its other attributes: reading one fails the render

    FIELD = {
     "name": "user-email", "short_name": "email", "id": "user-email", "type": "EmailField",
     "label": {"field_id": "user-email", "text": "Email"},   # field_id false: no for= (RadioField)
     "description": "", "data": ..., "raw_data": [...] | null, "errors": [...],
     "flags": {"required": true, "maxlength": 20},         # every flag the validators/widget set
     "render_kw": {...} | null,
     "value": "...",                  # what field._value() returns (false for file inputs)
     "widget": WIDGET,
     "choices": [...],                # select/radio only: `field.choices` as declared
     "checked": bool,                 # radio/select subfields only (field.checked)
     "errors_tuple": true,            # errors is the tuple () (a field never validated)
     "subfields": [FIELD, ...],       # what iterating the field yields: options, entries, fields
     "form": FORM,                    # FormField only: the enclosed form (same shape as the root)
     "unsent": ["validators", ...]    # its other attributes (not for options, radio buttons)
    }

    WIDGET (the default widget's behaviour, enough to rerun it with template keyword arguments):
     {"kind": "input", "input_type": "text", "validation_attrs": [...],
      "force": {"value": ""},          # kwargs the widget overrides (PasswordInput, FileInput)
      "defaults": {"checked": true},   # kwargs it only sets when absent (checkbox/radio state,
                                       #   SubmitInput's value, NumberInput's step/min/max)
      "hidden": bool}                  # a HiddenInput (what hidden_tag() renders)
     {"kind": "textarea", "validation_attrs": [...]}
     {"kind": "select", "multiple": bool, "validation_attrs": [...],
      "groups": [[optgroup | null, [CHOICE, ...]], ...]}    # CHOICE = {"value", "label",
                                                           #   "selected", "render_kw"}
     {"kind": "option", "choice": CHOICE}                   # a select field's subfield
     {"kind": "list", "html_tag": "ul", "prefix_label": bool}   # RadioField, FieldList
     {"kind": "table", "with_table_tag": bool}                  # FormField
     {"kind": "button", "input_type": "submit", "validation_attrs": [...]}
     {"kind": "unsupported", "class": "app.widgets.StarRating"} # rendering it raises

Values JSON cannot carry (``Decimal``, ``date``, arbitrary objects) are sent as their ``str()``:
printing them matches, arithmetic on them does not. ``Markup`` in labels, descriptions, choices or
``render_kw`` is refused (``ValueError``): JSON must never carry HTML, so a context value can
never become markup or code. Field ``render_kw`` keys that are event handlers (``on...``), and
script URLs (``javascript:``...) in URL attributes, are refused for the same reason; the runtime
checks both again, since it cannot know where the JSON came from.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup

MARKER = "__wtform__"
VERSION = 1

JSONValue = Any  # None | bool | int | float | str | list[JSONValue] | dict[str, JSONValue]

# attribute names a form may carry in render_kw / flags: what html_params writes unquoted
_ATTR_NAME = re.compile(r"[A-Za-z_:][-A-Za-z0-9_:.]*\Z")
# attributes whose value a browser may run as script (with a javascript:/vbscript:/data: URL)
URL_ATTRS = frozenset({"formaction", "action", "href", "src", "xlink:href", "srcdoc"})
_SCRIPT_URL = re.compile(r"\s*(javascript|vbscript|data):", re.I)


class FormSerialisationError(ValueError):
    """The form holds something the JSON shape cannot carry faithfully and safely."""


def form_to_json(form: Any) -> dict[str, JSONValue]:
    """The JSON-able description of ``form`` (a ``wtforms.Form`` or ``FlaskForm``): pass it as a
    top-level value of the component's props."""
    out: dict[str, JSONValue] = {MARKER: VERSION}
    out.update(_form_body(form, f"form {type(form).__name__}"))
    return out


def dumps(form: Any) -> str:
    """``form_to_json`` as a JSON text (``NaN``/``Infinity`` allowed, as ``rt.parseJSON`` is)."""
    return json.dumps(form_to_json(form), ensure_ascii=False)


# ----------------------------------------------------------------------------- forms, fields


# What the runtime's form and field objects answer themselves (transpiler/runtime/wtforms.ts);
# every other attribute the Python object has is listed as "unsent": reading it fails the render
# (a view's `form.title = ...`, `field.validators`), where a name the object lacks is undefined.
FORM_SERVED = frozenset({"errors", "data", "form_errors", "hidden_tag", "meta"})
FIELD_SERVED = frozenset(
    {"name", "short_name", "id", "type", "description", "data", "raw_data", "render_kw"}
    | {"errors", "label", "flags", "widget", "checked", "choices", "entries", "form", "_value"}
    | {"has_groups", "iter_choices"}
)


def _unsent(obj: Any, served: frozenset[str], skip: Any = ()) -> list[str]:
    return sorted(n for n in dir(obj) if not n.startswith("__") and n not in served | set(skip))


def _form_body(form: Any, where: str) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {
        "hidden_tag": callable(getattr(form, "hidden_tag", None)),
        "form_errors": _plain(list(getattr(form, "form_errors", []) or []), where + " errors"),
        "fields": [_field(f) for f in form],
    }
    unsent = _unsent(form, FORM_SERVED, getattr(form, "_fields", {}))
    try:
        meta = form.meta
        out["meta"] = {
            "csrf": bool(meta.csrf),
            "csrf_field_name": _plain(meta.csrf_field_name, where + " meta.csrf_field_name"),
        }
    except (AttributeError, RuntimeError):  # (Flask-WTF reads these from the app's config)
        unsent.append("meta")  # outside an app context: reading form.meta fails the render
    out["unsent"] = unsent
    return out


def _field(field: Any, attributes: bool = True) -> dict[str, JSONValue]:
    from wtforms.fields import FieldList, FormField
    from wtforms.fields.choices import SelectFieldBase

    where = f"field {field.name!r}"
    label = field.label
    out: dict[str, JSONValue] = {
        "name": field.name,
        "short_name": field.short_name,
        "id": field.id,
        "type": field.type,
        "label": {
            "field_id": _plain(label.field_id, where + " label"),
            "text": _plain(label.text, where + " label"),
        },
        "description": _plain(field.description, where + " description"),
        "data": _plain(field.data, where + " data"),
        "raw_data": _plain(field.raw_data, where + " raw_data"),
        "errors": _plain(_errors(field.errors), where + " errors"),
        "flags": _flags(field, where),
        "render_kw": _render_kw(field.render_kw, where),
        "value": _value(field, where),
        "widget": _widget(field, where),
    }
    if attributes:  # (not for a select's options or a radio's buttons)
        out["unsent"] = _unsent(field, FIELD_SERVED)
    if isinstance(field.errors, tuple):
        out["errors_tuple"] = True  # never validated: WTForms' class default `()`
    if hasattr(field, "checked"):
        out["checked"] = bool(field.checked)
    if isinstance(field, SelectFieldBase):
        if hasattr(field, "choices"):
            out["choices"] = _plain(_choices_attr(field.choices), where + " choices")
        out["subfields"] = [_field(opt, attributes=False) for opt in field]
    elif isinstance(field, FieldList):
        out["subfields"] = [_field(entry) for entry in field.entries]
    elif isinstance(field, FormField):
        body = _form_body(field.form, where)
        out["form"] = {MARKER: VERSION, **body}
        out["subfields"] = body["fields"]
    return out


def _errors(errors: Any) -> Any:
    """``field.errors``: a list of messages (a dict for FormField, a list of lists for
    FieldList); the None key of form-level errors becomes "None" (printing matches)."""
    if isinstance(errors, dict):
        return {"None" if k is None else k: _errors(v) for k, v in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [_errors(e) for e in errors]
    return errors


def _value(field: Any, where: str) -> JSONValue:
    if not callable(getattr(field, "_value", None)):
        return None  # select fields, FormField, FieldList: their widgets do not use one
    v = field._value()
    if v is False:
        return False
    return _plain(v, where + " value")


def _flags(field: Any, where: str) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {}
    fmt = getattr(field, "format", None)
    if isinstance(fmt, list):
        fmt = fmt[0] if fmt else None
    for k in sorted(vars(field.flags)):
        if k.startswith("_"):
            continue
        v = getattr(field.flags, k)
        if callable(v):
            v = v()
        if isinstance(fmt, str) and hasattr(v, "strftime"):
            v = v.strftime(fmt)  # what the date/time widgets write for min= / max=
        _check_attr_name(k, where + " flags")
        out[k] = _plain(v, f"{where} flag {k}")
    return out


def _render_kw(kw: Any, where: str) -> JSONValue:
    if kw is None:
        return None
    out: dict[str, JSONValue] = {}
    for k, v in kw.items():
        _check_attr_name(str(k), where + " render_kw")
        if str(k).lower() in URL_ATTRS and isinstance(v, str) and _SCRIPT_URL.match(v):
            raise FormSerialisationError(
                f"{where} render_kw: {k}={v!r} is a script URL: JSON must never become code"
            )
        out[str(k)] = _plain(v, f"{where} render_kw {k}")
    return out


def _check_attr_name(name: str, where: str) -> None:
    from wtforms.widgets.core import clean_key

    key = clean_key(name)
    if not _ATTR_NAME.match(key) or key.lower().startswith("on"):
        raise FormSerialisationError(
            f"{where}: the attribute {name!r} cannot be sent as JSON (only plain attribute "
            "names, no event handlers: JSON must never become code); set it in the template"
        )


def _choices_attr(choices: Any) -> Any:
    """``field.choices`` as declared: tuples stay lists of their items (the runtime makes them
    tuples again), SelectChoice objects become dicts of their attributes."""
    from wtforms.fields.choices import SelectChoice

    if choices is None:
        return None
    if isinstance(choices, dict):
        return {str(k): _choices_attr(v) for k, v in choices.items()}
    if isinstance(choices, (list, tuple)):
        return [_choices_attr(c) for c in choices]
    if isinstance(choices, SelectChoice):
        return {
            "value": choices.value,
            "label": choices.label,
            "render_kw": choices.render_kw,
            "optgroup": choices.optgroup,
        }
    return choices


def _choice(choice: Any, where: str) -> dict[str, JSONValue]:
    return {
        "value": _plain(choice.value, where + " choice value"),
        "label": _plain(choice.label, where + " choice label"),
        "selected": bool(choice.selected),
        "render_kw": _render_kw(choice.render_kw or {}, where + " choice"),
    }


# ----------------------------------------------------------------------------- widgets


def _widget(field: Any, where: str) -> dict[str, JSONValue]:
    from wtforms import widgets as w

    widget = field.widget
    attrs = list(getattr(widget, "validation_attrs", []) or [])
    if isinstance(widget, w.Input):
        force: dict[str, JSONValue] = {}
        defaults: dict[str, JSONValue] = {}
        if isinstance(widget, w.PasswordInput) and widget.hide_value:
            force["value"] = ""
        if isinstance(widget, w.FileInput):
            force["value"] = False
            if widget.multiple:
                force["multiple"] = True
        if isinstance(widget, w.CheckboxInput):
            if getattr(field, "checked", field.data):
                defaults["checked"] = True
        if isinstance(widget, w.RadioInput):
            if field.checked:
                defaults["checked"] = True
        if isinstance(widget, w.SubmitInput):
            defaults["value"] = _plain(field.label.text, where + " label")
        if isinstance(widget, w.NumberInput):
            for k in ("step", "min", "max"):
                v = getattr(widget, k)
                if v is not None:
                    defaults[k] = _plain(v, f"{where} widget {k}")
        if getattr(field, "_datalist", None) is not None:
            raise FormSerialisationError(f"{where}: datalists are not supported")
        return {
            "kind": "input",
            "input_type": widget.input_type,
            "validation_attrs": attrs,
            "force": force,
            "defaults": defaults,
            "hidden": isinstance(widget, w.HiddenInput),
        }
    if isinstance(widget, w.TextArea):
        return {"kind": "textarea", "validation_attrs": attrs}
    if isinstance(widget, w.Select):
        if field.has_groups():
            groups = list(field._iter_groups_normalized())
        else:
            groups = [(None, list(field._iter_choices_normalized()))]
        return {
            "kind": "select",
            "multiple": bool(widget.multiple),
            "validation_attrs": attrs,
            "groups": [
                [_plain(name, where + " optgroup"), [_choice(c, where) for c in choices]]
                for name, choices in groups
            ],
        }
    if isinstance(widget, w.Option):
        return {"kind": "option", "choice": _choice(field.choice, where)}
    if isinstance(widget, w.ListWidget):
        return {"kind": "list", "html_tag": widget.html_tag, "prefix_label": widget.prefix_label}
    if isinstance(widget, w.TableWidget):
        return {"kind": "table", "with_table_tag": widget.with_table_tag}
    if isinstance(widget, w.Button):
        return {"kind": "button", "input_type": widget.input_type, "validation_attrs": attrs}
    cls = type(widget)
    return {"kind": "unsupported", "class": f"{cls.__module__}.{cls.__qualname__}"}


# ----------------------------------------------------------------------------- values


def _plain(v: Any, where: str) -> JSONValue:
    """``v`` as JSON: JSON's own types unchanged (tuples as lists), Markup refused, anything
    else as its ``str()``."""
    if isinstance(v, Markup):
        raise FormSerialisationError(
            f"{where} is Markup: JSON must never carry HTML; write that HTML in the template"
        )
    if v is None or isinstance(v, (bool, int, float, str)):
        return v  # NaN and infinities too: rt.parseJSON reads them as Python writes them
    if isinstance(v, (list, tuple)):
        return [_plain(x, where) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x, where) for k, x in v.items()}
    return str(v)  # Decimal, date, datetime, time, anything else: printing matches
