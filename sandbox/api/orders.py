"""/v1/orders: list with status and date filters, count, by id, by status, after id, create, edit, history."""
from __future__ import annotations

from flask import Response, g, request

from ..records import date_filters
from ..records.errors import RecordError
from ..records.forms import parse_order_create, parse_order_edit
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


# Only the OrderEdit fields change on an existing order.
ORDERS = crud.Resource("order", "Order", lambda store: store.orders,
                       lambda body, partial: parse_order_edit(body), _respond, stamped=True)
crud.register(ORDERS, "/orders.json", "/orders/{id}.json", "read_orders", "write_orders", ("count", "get", "update"))


class _Placement:
    """POST /orders.json's records: lines resolved against the catalog, then OrderBook.place."""

    def __init__(self, store):
        self.store = store
        self.orders = store.orders

    def get(self, order_id):
        return self.orders.get(order_id)

    def _line(self, item, allow_missing):
        product = self.store.catalog.get(item["id"]) if "id" in item else None
        if product is None:
            if not allow_missing:
                raise RecordError({"products": [f"Product {item.get('id', '')} not found".replace("  ", " ")]})
            return {"sku": "", "name": "Producto", "image": "", "qty": item["qty"], "price": item["price"] or 0.0,
                    "discount": item["discount"], "weight": 0.0, "taxes": [], "stock_locations": []}
        variants = product.get("variants") or []
        variant = next((v for v in variants if v["id"] == item.get("variant_id")), None)
        if item.get("variant_id") is not None and variant is None:
            raise RecordError({"products": [f"Variant {item['variant_id']} not found"]})
        price = item["price"] if item["price"] is not None else (variant or product)["price"]
        line = {"id": product["id"], "sku": (variant or product).get("sku", ""), "name": product["name"],
                "image": "", "qty": item["qty"], "price": float(price), "discount": item["discount"],
                "weight": float(product.get("weight") or 0.0), "taxes": [], "stock_locations": []}
        if variant:
            line["variant_id"] = variant["id"]
        return line

    def create(self, order_id, fields, now):
        lines = [self._line(item, fields.get("allow_missing_products", False)) for item in fields["products"]]
        return self.orders.place(order_id, fields, lines, now)


NEW_ORDERS = crud.Resource("order", "Order", _Placement, parse_order_create, _respond, stamped=True)
crud.register(NEW_ORDERS, "/orders.json", "/orders/{id}.json", "read_orders", "write_orders", ("create",))


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
