"""/v1/categories: list, count, by id, create, update, delete (guarded by the store scopes, per the spec)."""
from __future__ import annotations


from ..records.forms import parse_category
from ..web import json_response
from . import crud


def _wrapped(record: dict) -> dict:
    return {"category": dict(record)}


CATEGORIES = crud.Resource("category", "Category", lambda store: store.categories,
                           parse_category,
                           lambda record: json_response(_wrapped(record)),
                           wrap=_wrapped, paged=True)
# The list is the shared one: a page of wrapped records in id order.
crud.register(CATEGORIES, "/categories.json", "/categories/{id}.json", "read_store", "write_store",
              actions=("list", "count", "get", "create", "update", "delete"))
