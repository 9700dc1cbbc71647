"""/v1/fulfillments: list, count, by id, create, update; and /order/{id}/fulfillments.json (singular, per the spec)."""
from __future__ import annotations

from flask import g

from ..records import setting_forms as forms
from ..records.fulfillments import OUTPUT_FIELDS
from ..records.settings import shown
from ..web import current_state, json_response
from . import crud
from .base import not_found, route


def _wrapped(record: dict) -> dict:
    return {"fulfillment": shown(record, OUTPUT_FIELDS)}


FULFILLMENTS = crud.Resource("fulfillment", "Fulfillment", lambda store: store.fulfillments,
                             forms.parser("fulfillment", forms.FULFILLMENT, ("order_id", "type", "location_id")),
                             lambda record: json_response(_wrapped(record)), stamped=True, wrap=_wrapped, paged=True)
crud.register(FULFILLMENTS, "/fulfillments.json", "/fulfillments/{id}.json", "read_fulfillments",
              "write_fulfillments", ("list", "count", "get", "create", "update"))


@route("GET", "/order/{id}/fulfillments.json", "read_fulfillments")
def order_fulfillments(record_id: int):
    """GET /order/{id}/fulfillments.json: one order's fulfillments (an empty array when it has none)."""
    store = g.principal.store
    with current_state().lock:
        if store.orders.get(record_id) is None:
            return not_found("Order")
        return json_response([_wrapped(record) for record in store.fulfillments.of_order(record_id)])
