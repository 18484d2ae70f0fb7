"""The Flask side of the Flask props: JSON for ``request``, ``session``, ``g``, ``config``,
``current_user``, ``_flashes`` and ``csrf_token`` exactly as a converted component expects them.

Call it in a view, inside the request, and send the result with the template's context::

    from transpiler.flask_context import flask_props

    @app.get("/posts/<int:post_id>")
    def post(post_id):
        context = {"post": load_post(post_id)}
        return jsonify({**context, **flask_props(user_fields=("name",))})

Every value is what the template would see in Flask (``app.update_template_context``): the request
fields of ``runtime/flask.ts`` ``FlaskRequestData``, the session's items, ``g``'s attributes, the
config (``config_keys``, default: every JSON value), Flask-Login's ``current_user`` (with the
``user_fields`` the templates read), the flashed messages (consumed, as
``get_flashed_messages()`` consumes them) and Flask-WTF's ``csrf_token()``.

Values go as ``flask_json`` writes them, which the runtime reads back as the same Python values: a
tuple stays a tuple, Markup stays Markup. A session or config item it cannot write (a
``timedelta``, a ``set``, an object) keeps its place as a marker naming its type, so the keys,
their number and ``in`` are Flask's and reading its value fails the render; so does a config key
naming a secret (``SECRET_KEY``, ``MAIL_PASSWORD``, ``SQLALCHEMY_DATABASE_URI``), a private
``g._name`` attribute, and, when the view names the items to send, every other one. An item the
view names is sent, and must be writable (else TypeError).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any, cast

from markupsafe import Markup

ALL = ("request", "session", "g", "config", "current_user", "_flashes", "csrf_token")


MARK = "__jinja2tsx__"  # (a JSON object standing for a Python value JSON has no form for)
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")


class Unwritable(TypeError):
    """A value ``flask_json`` cannot write so that the component reads back the same value."""

    def __init__(self, value: object) -> None:
        super().__init__(type(value).__name__)
        self.type_name = type(value).__name__


def flask_json(value: Any) -> Any:
    """``value`` as JSON the runtime (``runtime/flask.ts`` ``fromFlaskJson``) reads back as the same
    Python value: None, bool, int, finite float, str and list as they are, a tuple or Markup as a
    marker object. Anything else raises ``Unwritable``: a set (its order is the process's hash
    seed), a dict subclass (it prints otherwise), a dict whose keys are not str or that JavaScript
    would reorder (``"1"``, ``"2"`` go first in an object), a date, an object."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        if not math.isfinite(value):
            raise Unwritable(value)
        return value
    if kind is Markup:
        return {MARK: "markup", "html": str(value)}
    if kind is list:
        return [flask_json(v) for v in value]
    if kind is tuple:
        return {MARK: "tuple", "items": [flask_json(v) for v in value]}
    if kind is dict:
        if not all(type(k) is str and k != MARK and not _ARRAY_INDEX.fullmatch(k) for k in value):
            raise Unwritable(value)
        return {k: flask_json(v) for k, v in value.items()}
    raise Unwritable(value)


def _named(value: Any, what: str) -> Any:
    """``flask_json`` of a value the view named explicitly: an unwritable one fails in the view."""
    try:
        return flask_json(value)
    except Unwritable as exc:
        raise TypeError(
            f"{what} is a {exc.type_name}, which the component cannot read back: send what the "
            "template needs from it converted, in a prop of its own"
        ) from None


def _unsent(value: Any) -> Any:
    """``flask_json`` of ``value``, or the marker of an item the prop holds without its value."""
    try:
        return flask_json(value)
    except Unwritable as exc:
        return {MARK: "unsent", "why": f"a {exc.type_name}"}


def _view_arg(value: object) -> object:
    return str(value) if isinstance(value, uuid.UUID) else value


def request_data(request: Any) -> dict[str, Any]:
    """``flask.request`` as the ``request`` prop (``FlaskRequestData``)."""
    return {
        "method": request.method,
        "scheme": request.scheme,
        "host": request.host,
        "path": request.path,
        "full_path": request.full_path,
        "script_root": request.script_root,
        "url": request.url,
        "base_url": request.base_url,
        "url_root": request.url_root,
        "host_url": request.host_url,
        "root_url": request.root_url,
        "endpoint": request.endpoint,
        "blueprint": request.blueprint,
        "blueprints": list(request.blueprints),
        "view_args": (
            None
            if request.view_args is None
            else {k: _view_arg(v) for k, v in request.view_args.items()}
        ),
        "args": [list(p) for p in request.args.items(multi=True)],
        "form": [list(p) for p in request.form.items(multi=True)],
        "cookies": [list(p) for p in request.cookies.items(multi=True)],
        "headers": [list(p) for p in request.headers],
        "remote_addr": request.remote_addr,
        "remote_user": request.remote_user,
        "referrer": request.referrer,
        "origin": request.origin,
        "is_secure": request.is_secure,
        "is_json": request.is_json,
        "mimetype": request.mimetype,
        "content_type": request.content_type,
        "content_length": request.content_length,
        "user_agent": request.user_agent.string,
    }


_MISSING = object()


def user_data(user: Any, fields: Iterable[str] = ()) -> dict[str, Any]:
    """Flask-Login's ``current_user`` as the ``current_user`` prop (``FlaskUserData``): its flags,
    ``get_id()`` and the ``fields`` the templates read (a missing attribute is left out, so the
    template sees Undefined as it would in Flask). The names of the user's other attributes go
    along (``__unsent__``): a template reading one fails the render instead of printing nothing."""
    data: dict[str, Any] = {
        "is_authenticated": bool(user.is_authenticated),
        "is_active": bool(user.is_active),
        "is_anonymous": bool(user.is_anonymous),
        "get_id": user.get_id(),
    }
    for name in fields:
        value = getattr(user, name, _MISSING)
        if value is not _MISSING:
            data[name] = _named(value, f"current_user.{name}")
    unsent = sorted(n for n in dir(user) if not n.startswith("__") and n not in data)
    if unsent:
        data[UNSENT] = unsent
    return data


UNSENT = "__unsent__"  # (FlaskUserData: the user's attributes the prop does not carry)


def flashes_data(flashes: Iterable[tuple[Any, Any]]) -> list[list[Any]]:
    """``get_flashed_messages(with_categories=True)`` as the ``_flashes`` prop."""
    out = []
    for category, message in flashes:
        out.append(
            [category, str(message), True] if isinstance(message, Markup) else [category, message]
        )
    return out


# Config keys that name a secret (SECRET_KEY, MAIL_PASSWORD, SQLALCHEMY_DATABASE_URI, an API
# token or private key): by default sent without their value; name one to send it.
_SECRET_KEY = re.compile(
    r"SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|(?<!PUBLIC)_KEY$|DATABASE_UR[IL]|_DSN$", re.I
)


def _items(
    mapping: Any,
    keys: Iterable[str] | None,
    prop: str,
    withheld: Callable[[str], str | None] = lambda k: None,
) -> dict[str, Any]:
    """Every item of ``mapping`` (session, config, ``g``'s attributes), in order. With ``keys``,
    those are sent (a KeyError if one is missing, a TypeError if one is unwritable) and the others
    without their value; by default every item ``withheld`` names no reason for and
    ``flask_json`` can write is sent, the others as the marker of an item without its value (so
    the keys, their number and ``in`` stay Flask's, and reading the value fails the render)."""
    named = None if keys is None else list(keys)
    for k in named or ():
        mapping[k]  # (KeyError: the view names an item that is not there)
    out = {}
    for k, v in mapping.items():
        if k == "_flashes":  # (the session's: get_flashed_messages() is its own prop)
            continue
        if named is not None:
            why = None if k in named else f"not in {prop}_keys"
        else:
            why = withheld(k)
        if why is not None:
            out[k] = {MARK: "unsent", "why": why}
        elif named is not None:
            out[k] = _named(v, f"{prop}[{k!r}]")
        else:
            out[k] = _unsent(v)
    return out


def _secret(key: str) -> str | None:
    return "a secret, by its name" if _SECRET_KEY.search(key) else None


def _private(name: str) -> str | None:
    return "a private attribute" if name.startswith("_") else None


def flask_props(
    names: Iterable[str] = ALL,
    *,
    config_keys: Iterable[str] | None = None,
    session_keys: Iterable[str] | None = None,
    g_keys: Iterable[str] | None = None,
    user_fields: Iterable[str] = (),
) -> dict[str, Any]:
    """The Flask props for ``names`` from the current request (call inside a view).
    ``config_keys``/``session_keys``/``g_keys``: the items to send (default: every item but the
    config's secrets, ``g``'s private ``_name`` attributes extensions keep there, and what
    ``flask_json`` cannot write). The others go as markers without their value: reading one fails
    the render."""
    import flask

    names = set(names)
    app = flask.current_app
    out: dict[str, Any] = {}
    if "_flashes" in names:
        # with_categories=True: (category, message) pairs (Flask types the result either way)
        flashes = cast("list[tuple[str, Any]]", flask.get_flashed_messages(with_categories=True))
        out["_flashes"] = flashes_data(flashes)
    if "request" in names:
        out["request"] = request_data(flask.request)
    if "session" in names:
        out["session"] = _items(flask.session, session_keys, "session")
    if "g" in names:
        out["g"] = _items(vars(flask.g), g_keys, "g", _private)
    if "config" in names:
        out["config"] = _items(app.config, config_keys, "config", _secret)
    context: dict[str, Any] = {}
    if "current_user" in names or "csrf_token" in names:
        app.update_template_context(context)
    if "current_user" in names and "current_user" in context:
        out["current_user"] = user_data(context["current_user"], user_fields)
    if "csrf_token" in names:
        token = context.get("csrf_token", app.jinja_env.globals.get("csrf_token"))
        if callable(token):
            out["csrf_token"] = token()
    return out
