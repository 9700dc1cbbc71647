"""/v1/orders: list with status and date filters, count, by id, by status, after id, edit, history."""
from __future__ import annotations

from flask import Response, g, request

from . import date_filters
from .api import bp, invalid, not_found, paging, requires, resource_body
from .forms import parse_order_edit
from .fragments import absolutize
from .web import current_state, json_response

STATUSES = ("abandoned", "canceled", "pending_payment", "paid")


def _respond(records) -> Response:
    """Cached order JSON (one record, or a list), with sandbox-served image paths made absolute.

    Call it under the sandbox lock.
    """
    orders = g.principal.store.orders
    body = orders.json_of(records) if isinstance(records, dict) else \
        "[" + ",".join(orders.json_of(r) for r in records) + "]"
    return Response(absolutize(body, request.host_url.rstrip("/")), mimetype="application/json")


def _status_filters() -> set[str] | None:
    # `status_filters[]` may repeat; comma-separated values are accepted too. Unknown values match nothing.
    values = [v for raw in request.args.getlist("status_filters[]") + request.args.getlist("status_filters")
              for v in raw.split(",") if v.strip()]
    return {v.strip() for v in values} if values else None


@bp.get("/orders.json")
@requires("read_orders")
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


@bp.get("/orders/count.json")
@requires("read_orders")
def count_orders():
    """GET /orders/count.json."""
    with current_state().lock:
        return json_response({"count": g.principal.store.orders.count()})


@bp.get("/orders/status/<status>.json")
@requires("read_orders")
def orders_by_status(status: str):
    """GET /orders/status/{status}.json: newest first, paged; 404 "Status Invalid." for other statuses."""
    if status not in STATUSES:
        return json_response({"message": "Status Invalid."}, 404)
    page, limit = paging()
    with current_state().lock:
        records = g.principal.store.orders.select(page, limit, statuses={status})
        return _respond(records)


@bp.get("/orders/after/<int:order_id>.json")
@requires("read_orders")
def orders_after(order_id: int):
    """GET /orders/after/{id}.json: orders with a greater id, oldest first, paged (an array, not one order)."""
    page, limit = paging()
    with current_state().lock:
        records = g.principal.store.orders.select(page, limit, after_id=order_id)
        return _respond(records)


@bp.get("/orders/<int:order_id>.json")
@requires("read_orders")
def get_order(order_id: int):
    """GET /orders/{id}.json."""
    with current_state().lock:
        record = g.principal.store.orders.get(order_id)
        return _respond(record) if record else not_found("Order")


@bp.put("/orders/<int:order_id>.json")
@requires("write_orders")
def update_order(order_id: int):
    """PUT /orders/{id}.json: only the OrderEdit fields change; any other field is silently ignored."""
    body, error = resource_body("order")
    if error:
        return error
    fields, errors = parse_order_edit(body)
    state = current_state()
    with state.lock:
        orders = g.principal.store.orders
        if orders.get(order_id) is None:
            return not_found("Order")
        if errors:
            return invalid(errors)
        return _respond(orders.update(order_id, fields, state.now_datetime()))


@bp.get("/orders/<int:order_id>/history.json")
@requires("read_orders")
def order_history(order_id: int):
    """GET /orders/{id}/history.json: oldest first, each wrapped as {"order_history": ...}."""
    with current_state().lock:
        record = g.principal.store.orders.get(order_id)
        if record is None:
            return not_found("Order")
        return json_response([{"order_history": dict(entry)} for entry in record["history"]])
