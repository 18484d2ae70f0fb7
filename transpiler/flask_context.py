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
``get_flashed_messages()`` consumes them) and Flask-WTF's ``csrf_token()``. Values that are not
JSON are left out unless named explicitly (then ``json.dumps`` fails loudly).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

ALL = ("request", "session", "g", "config", "current_user", "_flashes", "csrf_token")


def _jsonable(value: object) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


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
            data[name] = value
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


def _items(
    mapping: Any, keys: Iterable[str] | None, skip: Iterable[str] = (), private: bool = True
) -> dict[str, Any]:
    """``keys`` of ``mapping`` (a KeyError if one is missing), or by default every item that is a
    JSON value (and, without ``private``, whose name does not start with ``_``)."""
    if keys is not None:
        return {k: mapping[k] for k in keys}
    return {
        k: v
        for k, v in mapping.items()
        if k not in skip and (private or not k.startswith("_")) and _jsonable(v)
    }


def flask_props(
    names: Iterable[str] = ALL,
    *,
    config_keys: Iterable[str] | None = None,
    session_keys: Iterable[str] | None = None,
    g_keys: Iterable[str] | None = None,
    user_fields: Iterable[str] = (),
) -> dict[str, Any]:
    """The Flask props for ``names`` from the current request (call inside a view).
    ``config_keys``/``session_keys``/``g_keys``: the items to send (default: every JSON value; for
    ``g`` not the private ``_name`` attributes extensions keep there). The names of ``g``'s
    attributes not sent go along (``__unsent__``): a template reading one fails the render."""
    import flask

    names = set(names)
    app = flask.current_app
    out: dict[str, Any] = {}
    if "_flashes" in names:
        out["_flashes"] = flashes_data(flask.get_flashed_messages(with_categories=True))
    if "request" in names:
        out["request"] = request_data(flask.request)
    if "session" in names:
        out["session"] = _items(flask.session, session_keys, skip=("_flashes",))
    if "g" in names:
        attributes = vars(flask.g)
        out["g"] = _items(attributes, g_keys, private=False)
        unsent = sorted(k for k in attributes if k not in out["g"])
        if unsent:  # (g.user as a database row, g.db): reading one fails the render
            out["g"][UNSENT] = unsent
    if "config" in names:
        out["config"] = _items(app.config, config_keys)
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
