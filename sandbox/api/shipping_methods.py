"""/v1/shipping_methods: list (optionally only enabled ones), by id, create, update, delete."""
from __future__ import annotations

from flask import g, request

from ..records import setting_forms as forms
from ..records.settings import SHIPPING_METHOD_FIELDS, shown
from ..web import current_state, json_response
from . import crud
from .base import route
from .simple import settings_resource

SHIPPING_METHODS = settings_resource("shipping_method", "ShippingMethod",
                                     forms.parser("shipping_method", forms.SHIPPING_METHOD, ("name", "type")),
                                     shown=lambda record: shown(record, SHIPPING_METHOD_FIELDS))
crud.register(SHIPPING_METHODS, "/shipping_methods.json", "/shipping_methods/{id}.json", "read_shipping_methods",
              "write_shipping_methods", ("get", "create", "update", "delete"))


@route("GET", "/shipping_methods.json", "read_shipping_methods")
def list_shipping_methods():
    """GET /shipping_methods.json: every method; `enabled=true|false` keeps only those (the spec's filter)."""
    wanted = request.args.get("enabled", "").lower()
    with current_state().lock:
        methods = g.principal.store.settings.shipping_methods.select(
            lambda record: wanted not in ("true", "false") or record["enabled"] == (wanted == "true"))
        return json_response([SHIPPING_METHODS.wrap(record) for record in methods])
