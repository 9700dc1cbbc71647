"""/v1/customers: list, count, by id, by email, create, update, delete."""
from __future__ import annotations

from flask import g

from ..records.forms import parse_customer
from ..web import current_state, json_response
from . import crud
from .base import not_found, route


def _wrapped(record: dict) -> dict:
    return {"customer": g.principal.store.customers.present(record)}


CUSTOMERS = crud.Resource("customer", "Customer", lambda store: store.customers,
                          parse_customer,
                          lambda record: json_response(_wrapped(record)),
                          wrap=_wrapped, paged=True)
# The list is the shared one: a page of wrapped records in id order.
crud.register(CUSTOMERS, "/customers.json", "/customers/{id}.json", "read_customers", "write_customers",
              actions=("list", "count", "get", "create", "update", "delete"))


@route("GET", "/customers/email/{email}.json", "read_customers")
def customer_by_email(email: str):
    """GET /customers/email/{email}.json (case-insensitive)."""
    with current_state().lock:
        record = g.principal.store.customers.by_email(email)
        return json_response(_wrapped(record)) if record else not_found("Customer")
