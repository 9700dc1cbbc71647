"""The OAuth scopes Jumpseller defines (spec: components.securitySchemes.OAuth2) and their labels."""
from __future__ import annotations

_RESOURCES = (
    "products", "orders", "customers", "categories", "store", "settings", "shipping_methods",
    "payment_methods", "hooks", "promotions", "taxes", "pages", "countries", "custom_fields",
    "checkout_custom_fields", "customer_categories", "jsapps", "fulfillments", "locations",
)
_SINGLE = ("read_apps", "write_reviews", "read_transaction_ledgers", "write_store_setup")

ALL_SCOPES = frozenset([f"{kind}_{r}" for r in _RESOURCES for kind in ("read", "write")] + list(_SINGLE))


def describe(scope: str) -> str:
    """A human label for the consent page, e.g. read_products → "Read products"."""
    kind, _, resource = scope.partition("_")
    noun = resource.replace("_", " ")
    return f"Read {noun}" if kind == "read" else f"Create, update and delete {noun}"
