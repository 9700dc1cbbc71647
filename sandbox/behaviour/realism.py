"""The realistic profile: bodies shaped the way real Jumpseller stores send them, not the way the spec draws them.

The spec's own introduction says "All empty value are replaced with null", and real bodies (shared/JUMPSELLER.md,
the support pages' webhook example, a real product body quoted in a public integration) also carry numbers as
strings, statuses in the store's language, enum values the spec lacks, keys the spec lacks and fewer of the keys
it has. Code written against the clean schemas breaks on the first real store; the sandbox defaults to this
profile so it breaks on the sandbox first. The clean profile sends the spec's shapes exactly.

One transformation per wrapper key ("order", "product", ...), applied to a copy of the clean body: first the
generic rule (empty strings and empty objects become null, for every resource, new ones included), then the
resource's own rules. Choices are drawn per store and record, so a body is reproducible and records differ.
DEPARTURES lists every departure with where it comes from; tests/sandbox/test_conformance.py holds the realistic
bodies to exactly that list (each validation error covered, each listed departure seen).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..seed.orders import ZERO_DECIMAL_CURRENCIES
from ..seed.store import Draws
from . import locales

KINDS = ("null", "number-as-string", "localized-enum", "enum-extra", "missing-key", "extra-key", "integer-money")

_SPEC = "spec introduction: all empty values are replaced with null"
_NOTES = "shared/JUMPSELLER.md: real deliveries"
_DOCS = "support page webhook example order (jumpseller.com/support/webhooks)"
_REAL_PRODUCT = "a real product body (a Chilean store, 2023, quoted by a public integration)"
_INFERENCE = "inference"


@dataclass(frozen=True)
class Departure:
    """One allowed way a realistic body departs from the spec: where (a path pattern), how, and on what ground.

    Paths start at the wrapper key; `[]` stands for any list index; `*` matches within one key, `**` anything,
    `(a|b)` either key.
    """

    path: str
    kind: str
    source: str

    def matches(self, path: str, kind: str) -> bool:
        """Whether a departure of `kind` seen at the concrete `path` is this one."""
        return kind == self.kind and _compiled(self.path).fullmatch(path) is not None


_PATTERNS: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    if pattern not in _PATTERNS:
        text = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", "[^.]*")
        text = text.replace(r"\(", "(?:").replace(r"\)", ")").replace(r"\|", "|")
        _PATTERNS[pattern] = re.compile(text)
    return _PATTERNS[pattern]


_ORDER_MONEY = ("subtotal", "tax", "shipping_tax", "shipping", "total", "discount", "shipping_discount",
                "gift_cards_discount")
_ORDER_SOMETIMES_MISSING = ("same_day_delivery", "billing_information", "review_url", "gift_cards_discount",
                            "shipping_taxes")
_ORDER_NULL_WHEN_ABSENT = ("completed_at", "shipping_branch", "pickup_address", "recovered_from")
# Keys the real product body lacks although the spec lists them.
_PRODUCT_SOMETIMES_MISSING = ("type", "days_to_expire", "stock_threshold", "stock_notification",
                              "back_in_stock_enabled", "google_product_category_text", "quotable", "reviews_enabled",
                              "digital_products")
_PRODUCT_EXTRA = ("meta_description", "shipping_required", "google_product_category", "fields", "currency")
_PRODUCT_NULLABLE = (("compare_at_price", 0.6), ("cost_per_item", 0.5), ("sku", 0.25), ("barcode", 0.5))
_VARIANT_NULLABLE = (("compare_at_price", 0.6), ("cost_per_item", 0.5), ("sku", 0.15), ("barcode", 0.4))


def _alternatives(keys) -> str:
    return "(" + "|".join(keys) + ")"


# Most specific first: an observed departure counts against the first entry that matches it.
DEPARTURES: tuple[Departure, ...] = (
    # Orders.
    Departure("order.discount", "number-as-string", _NOTES + ' ("discount": "182000.0"); about half the orders'),
    Departure("order.shipping_discount", "number-as-string", _INFERENCE + " (a decimal column, like discount)"),
    Departure("order.products[].taxes[].rate", "number-as-string", _INFERENCE + ' ("rate": "19.0")'),
    Departure("order.customer.id", "number-as-string", _DOCS + ' ("customer": {"id": "123"})'),
    Departure("order.shipment_status", "localized-enum", _NOTES + ' ("No Aplicable"); es and pt stores'),
    Departure("order.status_name", "localized-enum",
              _INFERENCE + ": a display name follows the store language; `status` itself stays English"),
    Departure("order.shipment_status", "enum-extra",
              _INFERENCE + ': an English store has no name for not_applicable and shows the key'),
    Departure("order.shipment_status_enum", "enum-extra", _NOTES + ' ("not_applicable"), orders without shipping'),
    Departure("order.shipping_address", "null", _NOTES + ": orders without shipping (digital goods)"),
    Departure("order.fulfillment_status", "null", _DOCS + ' ("fulfillment_status": null on an unshipped order)'),
    Departure("order." + _alternatives(_ORDER_NULL_WHEN_ABSENT), "null",
              _DOCS + " (absent values sent as null: recovery_url, shipping_service_id)"),
    Departure("order.coupons", "null", _DOCS + ' ("coupons": null)'),
    Departure("order.tracking_(number|company|url)", "null", _SPEC),
    Departure("order." + _alternatives(_ORDER_MONEY), "integer-money",
              _DOCS + ' ("tax": 0, "shipping_discount": 0); whole amounts of zero-decimal currencies (CLP) are an '
              + _INFERENCE),
    Departure("order.products[].(price|discount)", "integer-money", _INFERENCE + " (as the order's amounts)"),
    Departure("order.products[].(tax|files)", "extra-key", _DOCS + ' (each line has "tax" and "files")'),
    Departure("order." + _alternatives(_ORDER_SOMETIMES_MISSING), "missing-key", _INFERENCE),
    # Products.
    Departure("product.discount", "number-as-string", _REAL_PRODUCT + ' ("discount": "182000.0")'),
    Departure("product.(compare_at_price|cost_per_item|sku|barcode)", "null", _REAL_PRODUCT),
    Departure("product.variants[].(compare_at_price|cost_per_item|sku|barcode)", "null",
              _INFERENCE + " (as the product's own)"),
    Departure("product." + _alternatives(_PRODUCT_EXTRA), "extra-key", _REAL_PRODUCT),
    Departure("product.categories[].description", "extra-key", _REAL_PRODUCT + ' ("description": null)'),
    Departure("product." + _alternatives(_PRODUCT_SOMETIMES_MISSING), "missing-key", _REAL_PRODUCT),
    # Customers and categories.
    Departure("customer.phone", "null", _INFERENCE + " (customers without a phone)"),
    Departure("customer.shipping_address", "null", _INFERENCE + " (customers who never gave an address)"),
    Departure("customer.customer_additional_fields", "missing-key", _INFERENCE),
    Departure("category.description", "extra-key", _REAL_PRODUCT + " (its categories carry description)"),
    # Every resource, present and future.
    Departure("**", "null", _SPEC),
)

# Not departures, for the record: shipping_option "no_shipping" is in the spec's enum; `status` stays English
# (no report of it translated); product prices stay floats even in CLP (the real product body: 1820000.0).


@dataclass(frozen=True)
class Style:
    """What shapes one store's realistic bodies."""

    store_code: str
    language: str
    currency: str


class Presenter:
    """One store's bodies under the sandbox's current profile (read from the live config on every use)."""

    def __init__(self, config, store_code: str, language: str, currency: str):
        self._config = config
        self.style = Style(store_code, language, currency)

    @property
    def profile(self) -> str:
        """The profile in effect: "realistic" or "clean"."""
        return self._config.profile

    def body(self, body, bare: str | None = None):
        """A response body as this profile shows it: wrapped objects (alone or in a list) are realized; a bare
        object only when `bare` names its kind. Never changes its argument."""
        if self.profile != "realistic":
            return body
        if isinstance(body, list):
            return [self.body(item) for item in body]
        if isinstance(body, dict):
            if len(body) == 1:
                key, value = next(iter(body.items()))
                if isinstance(value, dict):
                    return {key: realize(key, value, self.style)}
            if bare is not None:
                return realize(bare, body, self.style)
        return body


def realize(key: str, obj: dict, style: Style) -> dict:
    """A realistic copy of one `key` object (the generic null rule, then the rules of its kind)."""
    result = _nulled(obj)
    if result is None:
        return None
    rule = _RULES.get(key)
    if rule is not None:
        rule(result, Draws(f"{style.store_code}:realism:{key}:{obj.get('id')}").random, style)
    return result


def _nulled(value):
    """Empty strings and empty objects become null, at any depth (lists stay, empty or not, as real bodies keep
    "variants": [] and "promotions": [])."""
    if isinstance(value, dict):
        return {k: _nulled(v) for k, v in value.items()} if value else None
    if isinstance(value, list):
        return [_nulled(v) for v in value]
    return None if value.__class__ is str and not value else value


def _decimal_text(number) -> str:
    # Rails writes a BigDecimal as a string: 182000 → "182000.0", 19 → "19.0".
    return repr(float(number))


def _whole_money(obj: dict, keys, zero_decimal: bool) -> None:
    for key in keys:
        value = obj.get(key)
        if value.__class__ is float and value.is_integer() and (zero_decimal or value == 0):
            obj[key] = int(value)


def _order(order: dict, draw, style: Style) -> None:
    # Decisions with a fixed number of draws come first, so an edit never reshuffles them.
    discount_text, shipping_discount_text, customer_id_text = draw() < 0.5, draw() < 0.4, draw() < 0.3
    missing = [key for key in _ORDER_SOMETIMES_MISSING if draw() < 0.3]
    if order.get("shipping_option") == "no_shipping":
        order["shipping_address"] = None
        order["shipment_status_enum"] = "not_applicable"
    shipment = order.get("shipment_status_enum")
    if shipment is not None:
        order["shipment_status"] = locales.shipment_status(style.language, shipment)
        if shipment in ("unfulfilled", "not_applicable"):
            order["fulfillment_status"] = None
    if "status_enum" in order:
        order["status_name"] = locales.order_status(style.language, order["status_enum"])
    for key in _ORDER_NULL_WHEN_ABSENT:
        order.setdefault(key, None)
    zero_decimal = order.get("currency") in ZERO_DECIMAL_CURRENCIES
    _whole_money(order, _ORDER_MONEY, zero_decimal)
    if discount_text and isinstance(order.get("discount"), (int, float)):
        order["discount"] = _decimal_text(order["discount"])
    if shipping_discount_text and isinstance(order.get("shipping_discount"), (int, float)):
        order["shipping_discount"] = _decimal_text(order["shipping_discount"])
    customer = order.get("customer")
    if customer_id_text and isinstance(customer, dict) and isinstance(customer.get("id"), int):
        customer["id"] = str(customer["id"])
    for line in order.get("products") or []:
        _whole_money(line, ("price", "discount"), zero_decimal)
        line["tax"], line["files"] = 0, []
        for tax in line.get("taxes") or []:
            if draw() < 0.7 and isinstance(tax.get("rate"), (int, float)):
                tax["rate"] = _decimal_text(tax["rate"])
    for key in missing:
        order.pop(key, None)


def _product(product: dict, draw, style: Style) -> None:
    nulls = [key for key, rate in _PRODUCT_NULLABLE if draw() < rate]
    missing = [key for key in _PRODUCT_SOMETIMES_MISSING if draw() < 0.5]
    if isinstance(product.get("discount"), (int, float)):
        product["discount"] = _decimal_text(product["discount"])
    for key in nulls:
        if key in product:
            product[key] = None
    description = product.get("description")
    product.update({
        "meta_description": re.sub(r"<[^>]+>", "", description)[:160] if description else None,
        "shipping_required": product.get("type") != "digital",
        "google_product_category": None,
        "fields": [],
        "currency": style.currency,
    })
    for category in product.get("categories") or []:
        category["description"] = None
    for variant in product.get("variants") or []:
        for key, rate in _VARIANT_NULLABLE:
            if draw() < rate and key in variant:
                variant[key] = None
    for key in missing:
        product.pop(key, None)


def _customer(customer: dict, draw, style: Style) -> None:
    no_phone, no_address, no_fields = draw() < 0.2, draw() < 0.15, draw() < 0.3
    if no_phone and "phone" in customer:
        customer["phone"] = None
    if no_address and "shipping_address" in customer:
        customer["shipping_address"] = None
    if no_fields and not customer.get("customer_additional_fields"):
        customer.pop("customer_additional_fields", None)


def _category(category: dict, draw, style: Style) -> None:
    category["description"] = None


_RULES = {"order": _order, "product": _product, "customer": _customer, "category": _category}
