"""/v1/customer_categories: list, by id, create, update, delete (customers show the changes)."""
from __future__ import annotations

from ..records import setting_forms as forms
from ..records.customer_parts import CustomerCategories
from ..web import json_response
from . import crud


def _wrapped(record: dict) -> dict:
    return {"customer_category": dict(record)}


CUSTOMER_CATEGORIES = crud.Resource(
    "customer_category", "CustomerCategory", lambda store: CustomerCategories(store.customers),
    forms.parser("customer_category", forms.CUSTOMER_CATEGORY, ("name",)),
    lambda record: json_response(_wrapped(record)), wrap=_wrapped, paged=True)
crud.register(CUSTOMER_CATEGORIES, "/customer_categories.json", "/customer_categories/{id}.json",
              "read_customers", "write_customers", ("list", "get", "create", "update", "delete"))
