"""A store's settings-like collections: hooks, JSApps, taxes, locations, shipping and payment methods,
product and checkout custom fields. Each is a Collection with the rule that turns fields into a record.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..seed import settings as seed
from ..seed.store import timestamp
from .collection import Collection, merged
from .errors import RecordError

# What the API shows of each record (the spec's *Fields); anything else a record holds stays inside.
HOOK_FIELDS = ("id", "name", "event", "url", "created_at", "application_id")
SHIPPING_METHOD_FIELDS = ("id", "type", "name", "enabled", "free_shipping", "free_shipping_minimum_purchase",
                          "fee", "callback_url", "fetch_services_url", "state", "city", "postal", "services",
                          "tables")
PAYMENT_METHOD_FIELDS = ("id", "type", "name")


def shown(record: dict, keys: tuple[str, ...]) -> dict:
    """Only the output fields of a record, in the spec's order."""
    return {key: record[key] for key in keys if key in record}


def _hook(current: dict | None, fields: dict, now: datetime | None) -> dict:
    record = merged(current, {"application_id": None}, fields, ("event", "url"))
    record["name"] = record["event"].replace("_", " ").title()
    if current is None:
        record["created_at"] = timestamp(now)
    return record


def _jsapp(current: dict | None, fields: dict, now: datetime | None) -> dict:
    return merged(current, {}, fields, ("url", "template", "element"))


def _tax(current: dict | None, fields: dict, now: datetime | None) -> dict:
    changes = {key: value for key, value in fields.items() if key != "tax"}
    if "tax" in fields:
        changes["tax_amount"] = fields["tax"]
    defaults = {"region": "", "category_id": 0, "tax_amount": 0.0, "fixed": False, "shipping": False}
    record = merged(current, defaults, changes, ("name", "country"))
    if record["tax_amount"] < 0 or (not record["fixed"] and record["tax_amount"] > 100):
        raise RecordError({"tax": ["must be between 0 and 100"]})
    return record


_ADDRESS_KEYS = {"address": "address", "city": "city", "postal": "postal", "country": "country",
                 "Region": "region", "region": "region"}


def _location(current: dict | None, fields: dict, now: datetime | None) -> dict:
    # LocationCreateFields is flat; PickupLocation nests the address.
    defaults = {"name": "", "email": "", "active": True, "main": False, "pickup_point": False,
                "is_stock_origin": False, "location_address": {}}
    changes = {key: fields[key] for key in ("name", "email", "main", "pickup_point") if key in fields}
    record = merged(current, defaults, changes, ("name", "email"))
    address = dict(record["location_address"])
    address.update({_ADDRESS_KEYS[key]: value for key, value in fields.items() if key in _ADDRESS_KEYS})
    address["name"] = record["name"]
    blank = {key: ["can't be blank"] for key in ("address", "city", "country") if not address.get(key, "").strip()}
    if blank:
        raise RecordError(blank)
    record["location_address"] = address
    return record


def _shipping_method(current: dict | None, fields: dict, now: datetime | None) -> dict:
    defaults = {"type": "external", "enabled": True, "free_shipping": False, "free_shipping_minimum_purchase": False,
                "fee": [], "callback_url": "", "fetch_services_url": "", "state": "", "city": "", "postal": "",
                "services": [], "tables": []}
    record = merged(current, defaults, fields, ("name",))
    if record["type"] == "external" and not record["callback_url"]:
        raise RecordError({"callback_url": ["can't be blank"]})
    return record


def _payment_method(current: dict | None, fields: dict, now: datetime | None) -> dict:
    record = merged(current, {}, fields, ("name",))
    if current is None:  # only external gateways can be made through the API
        record["type"] = "external_payment_gateway" if record.get("payment_method_url") else "manual"
    return record


def _custom_field(current: dict | None, fields: dict, now: datetime | None) -> dict:
    record = merged(current, {"type": "input", "values": [], "product_visibility": True}, fields, ("label",))
    if record["type"] == "selection" and not record["values"]:
        raise RecordError({"values": ["can't be blank for a selection"]})
    return record


def _checkout_custom_field(current: dict | None, fields: dict, now: datetime | None) -> dict:
    defaults = {"type": "input", "area": "other", "required": False, "position": 1, "deletable": True,
                "custom_field_select_options": []}
    record = merged(current, defaults, fields, ("label",))
    if record["type"] == "select" and not record["custom_field_select_options"]:
        raise RecordError({"custom_field_select_options": ["can't be blank for a select"]})
    return record


@dataclass
class StoreSettings:
    """The settings-like collections of one store."""

    code: str
    country: str
    languages: list[dict] = field(default_factory=lambda: [dict(lang) for lang in seed.LANGUAGES])

    def __post_init__(self):
        self.hooks = Collection([], _hook)
        self.jsapps = Collection(seed.jsapps(self.code), _jsapp)
        self.taxes = Collection(seed.taxes(self.country), _tax)
        self.locations = Collection(seed.locations(self.code, self.country), _location)
        self.shipping_methods = Collection(seed.shipping_methods(), _shipping_method)
        self.payment_methods = Collection(seed.payment_methods(), _payment_method)
        self.custom_fields = Collection(seed.custom_fields(), _custom_field)
        self.checkout_custom_fields = Collection(seed.checkout_custom_fields(), _checkout_custom_field)
