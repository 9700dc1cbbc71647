"""/v1/customer_categories: list, by id, create, update, delete (customers show the changes), and a category's
customers."""
from __future__ import annotations

from flask import g

from ..records import setting_forms as forms
from ..records.customer_parts import CustomerCategories
from ..web import current_state, json_response
from . import crud
from .base import not_found, route


def _wrapped(record: dict) -> dict:
    return {"customer_category": dict(record)}


CUSTOMER_CATEGORIES = crud.Resource(
    "customer_category", "CustomerCategory", lambda store: CustomerCategories(store.customers),
    forms.parser("customer_category", forms.CUSTOMER_CATEGORY, ("name",)),
    lambda record: json_response(_wrapped(record)), wrap=_wrapped, paged=True)
crud.register(CUSTOMER_CATEGORIES, "/customer_categories.json", "/customer_categories/{id}.json",
              "read_customers", "write_customers", ("list", "get", "create", "update", "delete"))


@route("GET", "/customer_categories/{id}/customers.json", "read_customers")
def category_customers(record_id: int):
    """GET /customer_categories/{id}/customers.json: the category's customers, wrapped, in id order (not paged)."""
    customers = g.principal.store.customers
    with current_state().lock:
        if customers.categories.get(record_id) is None:
            return not_found("CustomerCategory")
        members = [record for record in customers.page(1, customers.count())
                   if record is not None and record_id in record.get("category_ids", [])]
        return json_response([{"customer": customers.present(record)} for record in members])
