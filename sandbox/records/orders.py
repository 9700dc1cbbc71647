"""A store's orders: a cheap index (id, created_at, status) for filters, full records built on demand.

Not thread-safe by itself; SandboxState's lock guards it. Records are copy-on-write. Lists are
newest first, like the admin; /orders/after/{id} is oldest first, for incremental sync.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime

from ..seed import orders as seed_orders
from ..seed import store as seed
from .fragments import FragmentCache
from ..seed.orders import Sources

STATUS_NAMES = {"abandoned": "Abandoned", "canceled": "Canceled", "pending_payment": "Pending Payment",
                "paid": "Paid"}
SHIPMENT_NAMES = {"delivered": "Delivered", "requested": "Requested", "in_transit": "In Transit",
                  "failed": "Failed", "pickup_available": "Pickup Available", "unfulfilled": "Unfulfilled"}
# OrderFields in the spec's order; the *_name / translated fields are derived when shown.
OUTPUT_FIELDS = (
    "id", "source", "created_at", "completed_at", "currency", "subtotal", "tax", "shipping_tax", "shipping",
    "shipping_required", "total", "discount", "shipping_discount", "gift_cards_discount", "fulfillment_status",
    "shipping_method_id", "shipping_service_id", "shipping_method_name", "payment_method_name",
    "payment_method_type", "payment_information", "payment_notification_id", "additional_information",
    "duplicate_url", "recovery_url", "review_url", "checkout_url", "coupons", "promotions", "customer",
    "shipping_branch", "shipping_address", "billing_address", "pickup_address", "products", "additional_fields",
    "shipping_taxes", "status", "status_name", "status_enum", "tracking_url", "tracking_company",
    "tracking_number", "shipping_option", "same_day_delivery", "shipment_status", "shipment_status_enum",
    "recovered_from", "external_shipping_rate_id", "external_shipping_rate_description", "billing_information",
)


class OrderBook:
    """Orders of one store. Ids grow with created_at, so one sorted index serves ids and dates."""

    def __init__(self, src: Sources, first_id: int, seed_count: int, anchor: float, presenter=None):
        self.src = src
        self.anchor = anchor
        self._first_seed_id = first_id
        self._seed_count = seed_count
        skeletons = [seed_orders.skeleton(src.store_code, i, seed_count, anchor) for i in range(seed_count)]
        self._ids = list(range(first_id, first_id + seed_count))
        self._created = [created for created, _ in skeletons]
        self._statuses = [status for _, status in skeletons]
        self._records: dict[int, dict] = {}
        self._fragments = FragmentCache(presenter)
        self._prerendered = 0  # position in _ids the background renderer has reached

    def json_of(self, record: dict) -> str:
        """The wrapped order as JSON text (sandbox image paths still relative), cached per record."""
        return self._fragments.get(record["id"], record, 0, lambda: {"order": self.present(record)})

    def prerender(self, budget: int) -> int:
        """Build and render up to `budget` seeded orders ahead of requests; returns how many."""
        done = 0
        while self._prerendered < len(self._ids) and done < budget:
            order_id = self._ids[self._prerendered]
            self._prerendered += 1
            if order_id not in self._records:
                self.json_of(self.get(order_id))
                done += 1
        return done

    def count(self) -> int:
        """How many orders the store has."""
        return len(self._ids)

    def get(self, order_id: int) -> dict | None:
        """The stored record, or None."""
        if order_id in self._records:
            return self._records[order_id]
        position = self._position(order_id)
        if position is None:
            return None
        index = order_id - self._first_seed_id
        record = seed_orders.order(self.src, order_id, index, self._created[position], self._statuses[position],
                                   self.anchor)
        self._records[order_id] = record
        return record

    def select(self, page: int, limit: int, *, statuses=None, since: float | None = None,
               until: float | None = None, after_id: int | None = None) -> list[dict]:
        """One page of orders matching the filters: newest first, or oldest first when after_id is given."""
        lo, hi = 0, len(self._ids)
        if after_id is not None:
            lo = bisect_right(self._ids, after_id)
        if since is not None:
            lo = max(lo, bisect_left(self._created, since))
        if until is not None:
            hi = min(hi, bisect_right(self._created, until))
        positions = range(lo, max(lo, hi)) if after_id is not None else range(max(lo, hi) - 1, lo - 1, -1)
        if statuses is not None:
            positions = [p for p in positions if self._statuses[p] in statuses]
        offset = (page - 1) * limit
        return [self.get(self._ids[p]) for p in positions[offset: offset + limit]]

    def create(self, order_id: int, now: datetime) -> dict:
        """A new order placed at checkout now, awaiting payment (the API cannot make one; the admin can)."""
        created = float(int(now.timestamp()))
        record = seed_orders.order(self.src, order_id, order_id - self._first_seed_id, created, "pending_payment",
                                   created)
        position = bisect_right(self._created, created)   # ids and times both grow, so this is the end
        self._ids.insert(position, order_id)
        self._created.insert(position, created)
        self._statuses.insert(position, "pending_payment")
        self._records[order_id] = record
        return record

    def place(self, order_id: int, fields: dict, lines: list[dict], now: datetime) -> dict:
        """A new order created through the API (POST /orders.json): the buyer, lines and shipping as sent.

        `lines` are OrderProduct items already resolved against the catalog. Amounts are the given ones, as
        Jumpseller keeps an externally created order's values; taxes are not added.
        """
        record = self.create(order_id, now)
        status = fields.get("status", "pending_payment")
        customer = dict(fields["customer"])
        shipping_address = customer.pop("shipping_address", {})
        billing_address = customer.pop("billing_address", {})
        customer["fullname"] = " ".join(p for p in (customer.pop("name", ""), customer.pop("surname", "")) if p)
        subtotal = sum(line["price"] * line["qty"] - line["discount"] for line in lines)
        shipping = float(fields.get("shipping_price") or 0.0) if fields.get("shipping_required", True) else 0.0
        currency = record["currency"]
        record.update({
            "source": {**record["source"], "created_from": "api"}, "customer": customer, "products": lines,
            "shipping_address": shipping_address, "billing_address": billing_address, "pickup_address": None,
            "subtotal": seed_orders.money(subtotal, currency), "tax": 0.0, "shipping_tax": 0.0, "discount": 0.0,
            "shipping": shipping, "total": seed_orders.money(subtotal + shipping, currency), "coupons": "",
            "shipping_required": fields.get("shipping_required", True), "shipping_taxes": [],
            "shipping_method_name": fields.get("shipping_method_name", ""), "status_enum": status, "tracking_url": "", "tracking_company": "",
            "tracking_number": "", "shipment_status_enum": "requested", "payment_notification_id": "",
            "history": [{"id": order_id * seed.SUB_ID_SPAN + 1, "message": "Order created",
                         "created_at": seed.timestamp(now)}],
        })
        for key in ("shipping_branch", "shipping_method_id", "shipping_service_id"):   # none: no store method
            record.pop(key, None)
        record.pop("pickup_address", None)
        if status == "paid":
            record["completed_at"] = seed.timestamp(now)
        else:
            record.pop("completed_at", None)
        self._statuses[self._position(order_id)] = status
        self._records[order_id] = record
        return record

    def update(self, order_id: int, fields: dict, now: datetime) -> dict | None:
        """Apply validated editable fields, noting each change in the order's history; None if unknown."""
        current = self.get(order_id)
        if current is None:
            return None
        record = {**current, "history": list(current["history"])}
        notes = []
        if "status" in fields and fields["status"] != record["status_enum"]:
            notes.append(f"Status changed from {STATUS_NAMES[record['status_enum']]} "
                         f"to {STATUS_NAMES[fields['status']]}")
            record["status_enum"] = fields["status"]
            self._statuses[self._position(order_id)] = fields["status"]
            if fields["status"] == "paid" and "completed_at" not in record:
                record["completed_at"] = seed.timestamp(now)
        if "shipment_status" in fields and fields["shipment_status"] != record["shipment_status_enum"]:
            notes.append(f"Shipment status changed to {SHIPMENT_NAMES[fields['shipment_status']]}")
            record["shipment_status_enum"] = fields["shipment_status"]
        for key in ("tracking_number", "tracking_company", "tracking_url", "additional_information",
                    "additional_fields"):
            if key in fields:
                record[key] = fields[key]
        notes += fields.get("notes", [])   # entries written through POST /orders/{id}/history.json
        next_n = len(record["history"]) + 1
        record["history"] += [{"id": order_id * seed.SUB_ID_SPAN + next_n + n, "message": message,
                               "created_at": seed.timestamp(now)} for n, message in enumerate(notes)]
        self._records[order_id] = record
        return record

    @staticmethod
    def present(record: dict) -> dict:
        """The spec's OrderFields of a record (translated names derived from the enums)."""
        shipment = record["shipment_status_enum"]
        status = STATUS_NAMES[record["status_enum"]]
        view = {**record, "status": status, "status_name": status}
        if shipment in SHIPMENT_NAMES:
            view.update(shipment_status=SHIPMENT_NAMES[shipment],
                        fulfillment_status="Fulfilled" if shipment == "delivered" else "Unfulfilled")
        else:  # not_applicable (nothing to ship): the spec has no value for it, so the clean body leaves it out
            del view["shipment_status_enum"]
        return {key: view[key] for key in OUTPUT_FIELDS if key in view}

    def _position(self, order_id: int) -> int | None:
        position = bisect_left(self._ids, order_id)
        return position if position < len(self._ids) and self._ids[position] == order_id else None
