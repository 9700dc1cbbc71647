"""A store's fulfillments: one per seeded order that has been shipped, plus those made through the API.

Seeded ones are derived from the orders on first access (a store with thousands of orders pays for
them only when fulfillments are asked for) and take their order's id.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..seed.store import timestamp
from .collection import Collection, merged
from .errors import RecordError

OUTPUT_FIELDS = ("id", "created_at", "updated_at", "tracking_number", "tracking_company", "type",
                 "shipment_status", "label_url", "expected_arrival_from", "expected_arrival_to",
                 "fulfillment_address", "order_id")
_ADDRESS_KEYS = ("name", "surname", "address", "city", "postal", "municipality", "region", "country")
_TYPES = {"Chilexpress": "chilexpress", "Starken": "starken", "Blue Express": "bluexpress"}
_SHIPPED = ("requested", "in_transit", "delivered", "failed")


def _address(source: dict) -> dict:
    return {"address": {key: str(source.get(key, "")) for key in _ADDRESS_KEYS}}


def _from_order(order: dict) -> dict:
    created = order.get("completed_at", order["created_at"])
    arrival = datetime.strptime(created, "%Y-%m-%d %H:%M:%S UTC")
    return {"id": order["id"], "created_at": created, "updated_at": created,
            "tracking_number": order["tracking_number"], "tracking_company": order["tracking_company"],
            "type": _TYPES.get(order["shipping_method_name"], "manual"),
            "shipment_status": order["shipment_status_enum"], "label_url": "",
            "expected_arrival_from": (arrival + timedelta(days=2)).strftime("%Y-%m-%d"),
            "expected_arrival_to": (arrival + timedelta(days=4)).strftime("%Y-%m-%d"),
            "fulfillment_address": _address(order["shipping_address"]), "order_id": order["id"]}


class FulfillmentBook(Collection):
    """Fulfillments of one store; a new one must name an existing order and location."""

    def __init__(self, orders, locations: Collection):
        self.orders = orders
        self.locations = locations
        super().__init__(self._seeded, self._fulfillment)

    def _seeded(self) -> list[dict]:
        everything = self.orders.select(1, max(self.orders.count(), 1), after_id=0)
        return [_from_order(order) for order in everything if order["shipment_status_enum"] in _SHIPPED]

    def of_order(self, order_id: int) -> list[dict]:
        """The fulfillments of one order, oldest first."""
        return self.select(lambda record: record["order_id"] == order_id)

    def _fulfillment(self, current: dict | None, fields: dict, now: datetime | None) -> dict:
        errors: dict[str, list[str]] = {}
        if current is None:
            order = self.orders.get(fields.get("order_id", 0))
            if order is None:
                errors["order_id"] = ["does not exist"]
            if self.locations.get(fields.get("location_id", 0)) is None:
                errors["location_id"] = ["does not exist"]
            if errors:
                raise RecordError(errors)
            defaults = {"tracking_number": "", "tracking_company": "", "shipment_status": "requested",
                        "label_url": "", "expected_arrival_from": "", "expected_arrival_to": "",
                        "fulfillment_address": _address(fields.get("shipping_address") or order["shipping_address"]),
                        "created_at": timestamp(now)}
        else:
            defaults = {}
            fields = {key: value for key, value in fields.items() if key != "order_id"}  # it cannot move
        changes = {key: fields[key] for key in OUTPUT_FIELDS if key in fields and key != "fulfillment_address"}
        record = merged(current, defaults, changes, ("type",))
        record["updated_at"] = timestamp(now)
        return record
