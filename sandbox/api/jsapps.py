"""/v1/jsapps: storefront scripts of OAuth apps. Every operation needs read_apps, as the spec says.

An app sees and deletes only its own JsApps; the store owner (Basic auth) sees all but cannot create
one, since a JsApp belongs to an OAuth application. There is no update: change = delete + create.
"""
from __future__ import annotations

from flask import g

from ..records import setting_forms as forms
from ..records.errors import Forbidden
from ..web import current_state, json_response
from . import crud
from .apps import application_by_code, calling_application
from .base import route

_parse_app = forms.parser("app", forms.JSAPP, ("url", "template", "element"))


def _parse(body, *, partial: bool) -> tuple[dict, dict]:
    fields, errors = _parse_app(body, partial=partial)
    app = calling_application()
    if app is None:
        errors["oauth_application"] = ["must exist"]
    else:
        fields["application_id"] = app.id
    return fields, errors


def _rejected(errors: dict):
    """400 with Rails' full messages ("Template is not included in the list"), as Jumpseller answers."""
    order = ("element", "template", "url", "oauth_application")
    keys = sorted(errors, key=lambda key: order.index(key) if key in order else len(order))
    return json_response({"errors": [f"{key.replace('_', ' ').capitalize()} {message}"
                                     for key in keys for message in errors[key]]}, 400)


class _Visible:
    """The store's JsApps as the caller may touch them: an app only its own."""

    def __init__(self, jsapps, app):
        self.jsapps = jsapps
        self.app = app

    def get(self, record_id: int):
        """A JsApp by id, or None."""
        return self.jsapps.get(record_id)

    def create(self, record_id: int, fields: dict) -> dict:
        """Add one for the calling app."""
        return self.jsapps.create(record_id, fields)

    def delete(self, record_id: int) -> bool:
        """Remove one; Forbidden when it is another app's."""
        record = self.jsapps.get(record_id)
        if record is not None and self.app is not None and record["application_id"] != self.app.id:
            raise Forbidden("Not authorized to delete this JsApp")
        return self.jsapps.delete(record_id)


def _wrapped(record: dict) -> dict:
    return {"js_app": {key: record[key] for key in ("id", "url", "template", "element", "application_id")}}


JSAPPS = crud.Resource("js_app", "JsApp", lambda store: _Visible(store.settings.jsapps, calling_application()),
                       _parse, lambda record: json_response(_wrapped(record)), body="app", wrap=_wrapped,
                       reject=_rejected, deleted=lambda: json_response({"message": "JsApp deleted"}))
crud.register(JSAPPS, "/jsapps.json", "/jsapps/{id}.json", "read_apps", "read_apps", ("create", "delete"))


def _answer(records: list[dict], empty: str):
    return json_response([_wrapped(r) for r in records]) if records else json_response({"message": empty}, 404)


@route("GET", "/jsapps.json", "read_apps")
def list_jsapps():
    """GET /jsapps.json: the calling app's JsApps (all the store's under Basic auth); 404 when there are none."""
    app = calling_application()
    with current_state().lock:
        records = g.principal.store.settings.jsapps.select(lambda r: app is None or r["application_id"] == app.id)
    return _answer(records, "This store doesn't have any JsApps" if app is None else "This app doesn't have any JsApps")


@route("GET", "/jsapps/{code}.json", "read_apps")
def app_jsapps(code: str):
    """GET /jsapps/{code}.json: the JsApps of one app; an OAuth app may only ask for its own code."""
    wanted, app = application_by_code(code), calling_application()
    if wanted is None:
        return json_response({"message": f"App with code '{code}' not found"}, 404)
    if app is not None and app.id != wanted.id:
        return json_response({"message": "Not authorized to access JsApps for this app"}, 403)
    with current_state().lock:
        records = g.principal.store.settings.jsapps.select(lambda r: r["application_id"] == wanted.id)
    return _answer(records, "This app doesn't have any JsApps")
