"""/v1/categories: list, count, by id, create, update, delete (guarded by the store scopes, per the spec)."""
from __future__ import annotations

from flask import g

from .api import bp, invalid, not_found, paging, requires, resource_body
from .categories import CategoryError
from .forms import parse_category
from .web import current_state, json_response


def _present(record: dict) -> dict:
    return {"category": dict(record)}


@bp.get("/categories.json")
@requires("read_store")
def list_categories():
    """GET /categories.json: an array of wrapped categories by id (the spec's single-object schema is a slip)."""
    page, limit = paging()
    with current_state().lock:
        return json_response([_present(r) for r in g.principal.store.categories.page(page, limit)])


@bp.get("/categories/count.json")
@requires("read_store")
def count_categories():
    """GET /categories/count.json."""
    with current_state().lock:
        return json_response({"count": g.principal.store.categories.count()})


@bp.get("/categories/<int:category_id>.json")
@requires("read_store")
def get_category(category_id: int):
    """GET /categories/{id}.json."""
    with current_state().lock:
        record = g.principal.store.categories.get(category_id)
    return json_response(_present(record)) if record else not_found("Category")


@bp.post("/categories.json")
@requires("write_store")
def create_category():
    """POST /categories.json: the permalink is generated from the name."""
    body, error = resource_body("category")
    if error:
        return error
    fields, errors = parse_category(body, partial=False)
    if errors:
        return invalid(errors)
    state = current_state()
    with state.lock:
        try:
            record = g.principal.store.categories.create(state.allocate_id("category"), fields)
        except CategoryError as exc:
            return invalid(exc.errors)
    return json_response(_present(record))


@bp.put("/categories/<int:category_id>.json")
@requires("write_store")
def update_category(category_id: int):
    """PUT /categories/{id}.json: name and/or parent_id (null makes it a root); products show the change."""
    body, error = resource_body("category")
    if error:
        return error
    fields, errors = parse_category(body, partial=True)
    with current_state().lock:
        tree = g.principal.store.categories
        if tree.get(category_id) is None:
            return not_found("Category")
        if errors:
            return invalid(errors)
        try:
            record = tree.update(category_id, fields)
        except CategoryError as exc:
            return invalid(exc.errors)
    return json_response(_present(record))


@bp.delete("/categories/<int:category_id>.json")
@requires("write_store")
def delete_category(category_id: int):
    """DELETE /categories/{id}.json: products drop it; its children move up to its parent."""
    with current_state().lock:
        deleted = g.principal.store.categories.delete(category_id)
    return json_response("Category deleted.") if deleted else not_found("Category")
