"""/v1/orders: list with status and date filters, count, by id, by status, after id, edit, history."""
from __future__ import annotations

from flask import Response, g, request

from ..records import date_filters
from ..records.forms import parse_order_edit
from ..web import current_state, json_response
from . import crud
from .base import fragments_response, not_found, paging, route

STATUSES = ("abandoned", "canceled", "pending_payment", "paid")


def _respond(records) -> Response:
    """Cached order JSON (one record, or a list), with sandbox-served image paths made absolute.

    Call it under the sandbox lock.
    """
    orders = g.principal.store.orders
    return fragments_response(orders.json_of(records) if isinstance(records, dict)
                              else [orders.json_of(r) for r in records])


# Orders are created at checkout, never through the API; only the OrderEdit fields change.
ORDERS = crud.Resource("order", "Order", lambda store: store.orders,
                       lambda body, partial: parse_order_edit(body), _respond, stamped=True)
crud.register(ORDERS, "/orders.json", "/orders/{id}.json", "read_orders", "write_orders", ("count", "get", "update"))


def _status_filters() -> set[str] | None:
    # `status_filters[]` may repeat; comma-separated values are accepted too. Unknown values match nothing.
    values = [v for raw in request.args.getlist("status_filters[]") + request.args.getlist("status_filters")
              for v in raw.split(",") if v.strip()]
    return {v.strip() for v in values} if values else None


@route("GET", "/orders.json", "read_orders")
def list_orders():
    """GET /orders.json: newest first; status_filters[], dateFilter (+ initialDate/finalDate), page/limit."""
    page, limit = paging()
    state = current_state()
    store = g.principal.store
    since = until = None
    name = request.args.get("dateFilter")
    if name:
        try:
            since, until = date_filters.window(name, state.now(), store.details["timezone"],
                                               request.args.get("initialDate"), request.args.get("finalDate"))
        except date_filters.DateFilterError as exc:
            return json_response({"message": str(exc)}, 400)
    with state.lock:
        records = store.orders.select(page, limit, statuses=_status_filters(), since=since, until=until)
        return _respond(records)



@route("GET", "/orders/status/{status}.json", "read_orders")
def orders_by_status(status: str):
    """GET /orders/status/{status}.json: newest first, paged; 404 "Status Invalid." for other statuses."""
    if status not in STATUSES:
        return json_response({"message": "Status Invalid."}, 404)
    page, limit = paging()
    with current_state().lock:
        records = g.principal.store.orders.select(page, limit, statuses={status})
        return _respond(records)


@route("GET", "/orders/after/{id}.json", "read_orders")
def orders_after(record_id: int):
    """GET /orders/after/{id}.json: orders with a greater id, oldest first, paged (an array, not one order)."""
    page, limit = paging()
    with current_state().lock:
        records = g.principal.store.orders.select(page, limit, after_id=record_id)
        return _respond(records)




@route("GET", "/orders/{id}/history.json", "read_orders")
def order_history(record_id: int):
    """GET /orders/{id}/history.json: oldest first, each wrapped as {"order_history": ...}."""
    with current_state().lock:
        record = g.principal.store.orders.get(record_id)
        if record is None:
            return not_found("Order")
        return json_response([{"order_history": dict(entry)} for entry in record["history"]])
