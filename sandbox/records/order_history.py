"""One order's history as a collection the shared create flow can add to (entries are written by the OrderBook)."""
from __future__ import annotations

from datetime import datetime

from .errors import RecordError


class OrderHistory:
    """The history entries of one order; only adding is possible, as in the spec."""

    def __init__(self, orders, order: dict):
        self.orders = orders
        self.order = order

    def get(self, entry_id: int) -> dict | None:
        """One entry by id, or None."""
        return next((entry for entry in self.order["history"] if entry["id"] == entry_id), None)

    def create(self, _id, fields: dict, now: datetime) -> dict:
        """Add a message to the order's history (the order's own numbering)."""
        message = fields.get("message", "").strip()
        if not message:
            raise RecordError({"message": ["can't be blank"]})
        self.order = self.orders.update(self.order["id"], {"notes": [message]}, now)
        return self.order["history"][-1]


def order_history(store, order_id: int) -> OrderHistory | None:
    """The history of a store's order, or None without the order."""
    order = store.orders.get(order_id)
    return OrderHistory(store.orders, order) if order is not None else None
