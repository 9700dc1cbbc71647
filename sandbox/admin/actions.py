"""The admin's action buttons: changes a merchant makes by hand, through the API's record code, firing hooks."""
from __future__ import annotations

from flask import abort, redirect, request, url_for

from ..hooks.trigger import fire
from ..web import current_state, logged_in_store
from .pages import bp


def _int(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdigit() else None


def _new_order(state, store):
    return "order", None, store.orders.create(state.registry.allocate_id("order"), state.now_datetime())


def _pay_order(state, store):
    order_id = _int("order_id")
    if order_id is None:
        waiting = store.orders.select(1, 1, statuses={"pending_payment"})
        order_id = waiting[0]["id"] if waiting else None
    before = store.orders.get(order_id) if order_id is not None else None
    if before is None:
        abort(404)
    return "order", before, store.orders.update(order_id, {"status": "paid"}, state.now_datetime())


def _change_stock(state, store):
    product_id = _int("product_id") or store.catalog.first_id()
    before = store.catalog.get(product_id) if product_id is not None else None
    if before is None:
        abort(404)
    stock = _int("stock")
    stock = (before.get("stock") or 0) + 5 if stock is None else stock
    return "product", before, store.catalog.update(product_id, {"stock": stock}, state.now_datetime())


def _edit_customer(state, store):
    customer_id = _int("customer_id")
    if customer_id is None:
        first = store.customers.page(1, 1)
        customer_id = first[0]["id"] if first else None
    before = store.customers.get(customer_id) if customer_id is not None else None
    if before is None:
        abort(404)
    phone = request.form.get("phone") or f"+56 9 {int(state.now()) % 10**8:08d}"
    return "customer", before, store.customers.update(customer_id, {"phone": phone})


ACTIONS = {"new-order": _new_order, "pay-order": _pay_order, "change-stock": _change_stock,
           "edit-customer": _edit_customer}


@bp.post("/actions/<action>")
def act(action: str):
    """Run one admin action on the logged-in store, deliver the hooks it fires, and go back to the dashboard."""
    handler = ACTIONS.get(action)
    if handler is None:
        abort(404)
    state = current_state()
    store = logged_in_store(state, request)
    with state.lock:
        kind, before, after = handler(state, store)
        fired = fire(state, store, kind, before, after, request.host_url.rstrip("/"))
    return redirect(url_for("admin.home", done=action, record=after["id"], deliveries=fired))
