"""Input rules for order edits, customers and categories (products live in validation.py)."""
from __future__ import annotations

import re

from .validation import Invalid, _boolean, _convert_all, _enum, _integer, _number, _string

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ADDRESS_KEYS = ("name", "surname", "taxid", "address", "city", "postal", "municipality", "region", "country")
_STATUS_BY_NAME = {"abandoned": "abandoned", "canceled": "canceled", "pending payment": "pending_payment",
                   "pending_payment": "pending_payment", "paid": "paid"}

# Only these order fields may change (the spec's OrderEdit); Rails' strong parameters silently
# drop anything else, and so does the sandbox.
ORDER_EDITABLE = ("status", "shipment_status", "tracking_number", "tracking_company", "tracking_url",
                  "additional_information", "additional_fields")


def _order_status(value):
    # The spec's OrderEdit lists translated names ("Pending Payment"); the enum form is accepted too.
    status = _STATUS_BY_NAME.get(value.strip().lower()) if isinstance(value, str) else None
    if status is None:
        raise Invalid("is not included in the list")
    return status


def _additional_fields(value):
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise Invalid("must be a list of objects")
    clean = []
    for item in value:
        field = {"label": _string(item.get("label", "")), "value": _string(item.get("value", ""))}
        if "id" in item:
            field["id"] = _integer(item["id"])
        field["area"] = _string(item.get("area", "order"))
        clean.append(field)
    return clean


def _address(value):
    if not isinstance(value, dict):
        raise Invalid("must be an object")
    return {key: _string(value[key]) for key in _ADDRESS_KEYS if key in value and value[key] is not None}


def _email(value):
    email = _string(value).strip()
    if email and not _EMAIL.match(email):
        raise Invalid("is invalid")
    return email


def _id_list(value):
    if not isinstance(value, list):
        raise Invalid("must be a list of ids")
    return [_integer(item) for item in value]


def _optional_id(value):
    return None if value is None else _integer(value)


ORDER_FIELDS = {
    "status": _order_status,
    "shipment_status": _enum("requested", "in_transit", "delivered", "failed", "pickup_available"),
    "tracking_number": _string, "tracking_company": _string, "tracking_url": _string,
    "additional_information": _string, "additional_fields": _additional_fields,
}
CUSTOMER_FIELDS = {
    "email": _email, "phone": _string, "password": _string, "status": _enum("approved", "pending", "disabled"),
    "accepts_marketing": _boolean, "shipping_address": _address, "billing_address": _address,
    "customer_category": _id_list,
}
CATEGORY_FIELDS = {"name": _string, "parent_id": _optional_id}


def _parse(data, rules: dict, resource: str) -> tuple[dict, dict]:
    if not isinstance(data, dict):
        return {}, {resource: ["must be an object"]}
    errors: dict[str, list[str]] = {}
    return _convert_all(data, rules, errors), errors


def parse_order_edit(data) -> tuple[dict, dict]:
    """Coerce an `order` object of PUT /orders/{id}; fields outside ORDER_EDITABLE are ignored."""
    return _parse(data, ORDER_FIELDS, "order")


def parse_customer(data, *, partial: bool) -> tuple[dict, dict]:
    """Coerce a `customer` object; the password is accepted and never shown or stored."""
    clean, errors = _parse(data, CUSTOMER_FIELDS, "customer")
    clean.pop("password", None)
    if not partial and "email" not in clean and "email" not in errors:
        errors["email"] = ["can't be blank"]
    return clean, errors


def parse_category(data, *, partial: bool) -> tuple[dict, dict]:
    """Coerce a `category` object (name, parent_id)."""
    clean, errors = _parse(data, CATEGORY_FIELDS, "category")
    if not partial and "name" not in clean and "name" not in errors:
        errors["name"] = ["can't be blank"]
    return clean, errors


def _order_lines(value):
    """OrderProductOrderCreate items: id (or none, with allow_missing_products), variant_id, qty > 0, price."""
    if not isinstance(value, list) or not value:
        raise Invalid("can't be blank")
    lines = []
    for item in value:
        if not isinstance(item, dict):
            raise Invalid("must be a list of objects")
        qty = _integer(item.get("qty", 1))
        if qty <= 0:
            raise Invalid("quantity must be greater than 0")
        line = {"qty": qty, "price": _number(item["price"]) if item.get("price") is not None else None,
                "discount": _number(item.get("discount") or 0)}
        for key in ("id", "variant_id"):
            if item.get(key) is not None:
                line[key] = _integer(item[key])
        if line["price"] is not None and line["price"] < 0:
            raise Invalid("price must be greater than or equal to 0")
        lines.append(line)
    return lines


def _order_customer(value):
    if not isinstance(value, dict):
        raise Invalid("must be an object")
    email = _email(value.get("email") or "")
    if not email:
        raise Invalid("email can't be blank")
    customer = {key: _string(value[key]) for key in ("name", "surname", "phone") if value.get(key) is not None}
    customer["email"] = email.lower()
    for kind in ("shipping_address", "billing_address"):
        if value.get(kind) is not None:
            customer[kind] = _address(value[kind])
    return customer


ORDER_CREATE_FIELDS = {
    "status": _order_status, "shipping_method_name": _string, "shipping_price": _number,
    "shipping_required": _boolean, "allow_missing_products": _boolean, "customer": _order_customer,
    "products": _order_lines,
}


def parse_order_create(data, *, partial: bool = False) -> tuple[dict, dict]:
    """Coerce an `order` object of POST /orders.json (OrderCreateFields); customer and products are required."""
    clean, errors = _parse(data, ORDER_CREATE_FIELDS, "order")
    for key in ("customer", "products"):
        if key not in clean and key not in errors:
            errors[key] = ["can't be blank"]
    return clean, errors
