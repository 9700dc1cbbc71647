"""The api.jumpseller.com side: /v1, one module per resource on the blueprint of base.py.

Importing the resource modules registers their routes (and fills ROUTE_SCOPES).
"""
from __future__ import annotations

from . import categories, customers, orders, products, store  # noqa: F401 - registers the routes
from . import (checkout_custom_fields, countries, custom_fields, customer_categories,  # noqa: F401
               customer_fields, fulfillments, hooks, jsapps, locations, order_history, payment_methods,
               paid_apps, product_parts, reviews, shipping_methods, taxes)
from .base import ROUTE_SCOPES, bp
from .countries import UNSCOPED

__all__ = ["ROUTE_SCOPES", "UNSCOPED", "bp"]
