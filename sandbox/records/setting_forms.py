"""Input rules for the settings-like resources and the parts of products, customers and orders.

One table of field converters per request object (the spec's *Edit schemas); `parser` makes the
parse function the shared CRUD flow calls.
"""
from __future__ import annotations

from collections.abc import Callable

from .validation import Invalid, _boolean, _convert_all, _enum, _integer, _number, _string

HOOK_EVENTS = ("order_updated", "order_pending_payment", "order_paid", "order_shipped", "order_canceled",
               "order_abandoned", "product_created", "product_updated", "product_deleted",
               "product_stock_updated", "customer_created", "customer_updated", "customer_deleted")
JSAPP_TEMPLATES = ("layout", "home", "product", "page", "category", "cart", "checkout")
JSAPP_ELEMENTS = ("head", "body")
FULFILLMENT_TYPES = ("manual", "shipit", "chilexpress", "ctt", "dpd", "mrw", "correos_chile", "dhl",
                     "servientrega", "starken", "bluexpress", "correos_express")


def _url(value):
    url = _string(value).strip()
    if not url.startswith(("http://", "https://")):
        raise Invalid("is not a valid URL")
    return url


def _strings(value):
    if not isinstance(value, list):
        raise Invalid("must be a list")
    return [_string(item) for item in value]


def _ids(value):
    if not isinstance(value, list):
        raise Invalid("must be a list of ids")
    return [_integer(item) for item in value]


def _object(value):
    if not isinstance(value, dict):
        raise Invalid("must be an object")
    return {key: _string(item) for key, item in value.items() if item is not None}


def _packages(value):
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise Invalid("must be a list of objects")
    return [{key: _number(item[key]) for key in ("length", "width", "height", "weight") if key in item}
            for item in value]


def _any(value):
    return value


HOOK = {"event": _enum(*HOOK_EVENTS), "url": _url}
JSAPP = {"url": _url, "template": _enum(*JSAPP_TEMPLATES), "element": _enum(*JSAPP_ELEMENTS)}
TAX = {"country": _string, "name": _string, "region": _string, "category_id": _integer, "tax": _number,
       "fixed": _boolean, "shipping": _boolean}
LOCATION = {"name": _string, "main": _boolean, "email": _string, "pickup_point": _boolean, "postal": _string,
            "address": _string, "city": _string, "country": _string, "Region": _string, "region": _string}
SHIPPING_METHOD = {"type": _enum("external", "tables"), "name": _string, "callback_url": _url,
                   "fetch_services_url": _url, "token": _string, "state": _string, "city": _string,
                   "postal": _string, "enabled": _boolean}
PAYMENT_METHOD = {"name": _string, "description": _string, "payment_method_url": _url, "key": _string,
                  "secret": _string, "show_review": _boolean, "use_new_version": _boolean}
CUSTOM_FIELD = {"label": _string, "type": _enum("text", "selection", "input"), "values": _strings,
                "product_visibility": _boolean}
CHECKOUT_CUSTOM_FIELD = {"label": _string, "type": _enum("text", "select", "input", "checkbox", "date"),
                         "area": _enum("contact", "billing_shipping", "other"), "required": _boolean,
                         "position": _integer, "deletable": _boolean, "custom_field_select_options": _strings}
CUSTOMER_CATEGORY = {"name": _string}
FULFILLMENT = {"order_id": _integer, "type": _enum(*FULFILLMENT_TYPES), "shipping_address": _object,
               "receiver_email": _string, "packages_dimensions": _packages, "location_id": _integer,
               "phone": _string, "phone_prefix": _string, "tracking_number": _string, "tracking_company": _string,
               "tracking_url": _string, "external_id": _string, "service_type": _string, "message": _string,
               "observations": _string, "expected_arrival_from": _string, "expected_arrival_to": _string,
               "send_email": _boolean, "shipment_status": _enum("requested", "in_transit", "delivered", "failed")}
IMAGE = {"url": _url, "position": _integer}
OPTION = {"name": _string, "position": _integer,
          "option_type": _enum("option", "input", "text", "file", "color", "checklist"),
          "addon_price": lambda value: None if value is None else _number(value)}
PRODUCT_FIELD = {"id": _integer, "value": _string, "variants": _ids}
CUSTOMER_FIELD = {"value": _string, "checkout_custom_field_id": _integer}
ORDER_HISTORY = {"message": _string, "log": _any}


def parser(resource: str, rules: dict, required: tuple[str, ...] = ()) -> Callable[..., tuple[dict, dict]]:
    """A parse(body, partial=) for one request object: (clean fields, errors by field), Rails style."""
    def parse(data, *, partial: bool) -> tuple[dict, dict]:
        if not isinstance(data, dict):
            return {}, {resource: ["must be an object"]}
        errors: dict[str, list[str]] = {}
        clean = _convert_all(data, rules, errors)
        if not partial:
            for key in required:
                if key not in clean and key not in errors:
                    errors[key] = ["can't be blank"]
        return clean, errors
    return parse
