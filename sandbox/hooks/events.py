"""Which hook events a change of a record fires (names from the spec's HookEditFields enum)."""
from __future__ import annotations

# Shipment states in which the order has left (or can be collected): reaching one fires order_shipped.
_SHIPPED = ("in_transit", "delivered", "pickup_available")


def _order(before: dict | None, after: dict) -> list[str]:
    # The spec's enum has no order_created: a new order fires the event of the status it starts in.
    if before is None:
        return [f"order_{after['status_enum']}"]
    fired = ["order_updated"]
    if after["status_enum"] != before["status_enum"]:
        fired.append(f"order_{after['status_enum']}")
    if after.get("shipment_status_enum") in _SHIPPED and before.get("shipment_status_enum") not in _SHIPPED:
        fired.append("order_shipped")
    return fired


def _stock(product: dict) -> list:
    return [product.get("stock"), product.get("stock_unlimited")] + \
        [(v.get("id"), v.get("stock"), v.get("stock_unlimited")) for v in product.get("variants") or []]


def _product(before: dict | None, after: dict | None) -> list[str]:
    if before is None:
        return ["product_created"]
    if after is None:
        return ["product_deleted"]
    return ["product_updated"] + (["product_stock_updated"] if _stock(before) != _stock(after) else [])


def _customer(before: dict | None, after: dict | None) -> list[str]:
    return ["customer_created" if before is None else "customer_deleted" if after is None else "customer_updated"]


_KINDS = {"order": _order, "product": _product, "customer": _customer}


def fired(kind: str, before: dict | None, after: dict | None) -> list[str]:
    """The events a change of a `kind` record fires: before None = created, after None = deleted."""
    rule = _KINDS.get(kind)
    return rule(before, after) if rule is not None else []
