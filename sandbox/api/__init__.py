"""The api.jumpseller.com side: /v1, one module per resource on the blueprint of base.py.

Importing the resource modules registers their routes (and fills ROUTE_SCOPES).
"""
from __future__ import annotations

from . import categories, customers, orders, products, store  # noqa: F401 - registers the routes
from .base import ROUTE_SCOPES, bp

__all__ = ["ROUTE_SCOPES", "bp"]
