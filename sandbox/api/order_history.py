"""POST /v1/orders/{id}/history.json: add a message to an order's history (listing it is in orders.py)."""
from __future__ import annotations

from ..records import setting_forms as forms
from ..records.order_history import order_history
from ..web import json_response
from . import crud

ORDER_HISTORY = crud.Resource(
    "order_history", "OrderHistory", lambda store, record_id: order_history(store, record_id),
    forms.parser("order_history", forms.ORDER_HISTORY, ("message",)),
    lambda entry: json_response({"order_history": dict(entry)}),
    stamped=True, sequence=None, parent_label="Order")
crud.register(ORDER_HISTORY, "/orders/{id}/history.json", "", "read_orders", "write_orders", ("create",))
