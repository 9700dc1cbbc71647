"""The one list/create/update/delete flow every /v1 resource uses: parse, check, change under the lock, answer.

Nested resources (a product's variants, a customer's fields) use it too: the path parameters other than
the item's own id are handed to `records`, which answers None when that parent does not exist.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, g, request

from ..hooks.trigger import fire
from ..records.errors import Forbidden, RecordError
from ..web import current_state, json_response
from .base import invalid, not_found, paging, resource_body, route

_EVERYTHING = 1 << 30   # the "limit" of a list the spec does not page


@dataclass(frozen=True)
class Resource:
    """How the shared handlers reach one kind of record of the calling store."""

    name: str                                            # response key and id sequence: "product"
    label: str                                           # in messages: "Product not found"
    records: Callable[..., Any]                          # (store, **parent ids) → its collection, or None
    parse: Callable[..., tuple[dict, dict]]             # (body object, partial=) → (fields, errors)
    present: Callable[[dict], Response]                  # stored record → response (called under the lock)
    stamped: bool = False                                # whether changes take the time they happen at
    body: Any = ""                                       # request body key: "" = name, None = fields sent bare,
                                                         # or a function reading the request → (object, error)
    sequence: str | None = ""                            # global id sequence: "" = name, None = records number
    item: str = "record_id"                              # the view argument carrying the item's id
    parent_label: str = ""                               # "Product not found" when the parent is missing
    wrap: Callable[[dict], Any] | None = None            # stored record → list element (for "list")
    paged: bool = False                                  # whether the list takes page/limit (as the spec says)
    reject: Callable[[dict], Response] = invalid         # errors by field → error response
    deleted: Callable[[], Response] | None = None        # the DELETE answer (default: the spec's JSON string)
    created: Callable[[dict], Response] | None = None    # the POST answer when it is not `present`


def _when(resource: Resource, state) -> tuple:
    return (state.now_datetime(),) if resource.stamped else ()


def _collection(resource: Resource, parents: dict):
    """The records of the calling store (under these parents), or None when a parent is missing."""
    return resource.records(g.principal.store, **parents)


def _request_object(resource: Resource):
    if callable(resource.body):
        return resource.body()
    return resource_body(resource.name if resource.body == "" else resource.body)


def _parent_missing(resource: Resource) -> Response:
    return not_found(resource.parent_label or resource.label)


def _fire(resource: Resource, before: dict | None, after: dict | None) -> None:
    """Deliver the hooks this change fires (their bodies are rendered now, under the lock)."""
    fire(current_state(), g.principal.store, resource.name, before, after, request.host_url.rstrip("/"))


def _write(resource: Resource, parents: dict, record_id: int | None, change, answer) -> Response:
    """Read and parse the request object, then under the lock: find the records, judge, `change`, fire the
    hooks, answer.

    `record_id` is None for a create (the whole object must be valid); for an update an unknown id is
    404 before any field is judged.
    """
    body, error = _request_object(resource)
    if error:
        return error
    fields, errors = resource.parse(body, partial=record_id is not None)
    state = current_state()
    with state.lock:
        records = _collection(resource, parents)
        if records is None:
            return _parent_missing(resource)
        before = records.get(record_id) if record_id is not None else None
        if record_id is not None and before is None:
            return not_found(resource.label)
        if errors:
            return resource.reject(errors)
        try:
            record = change(records, fields, state)
        except RecordError as exc:
            return resource.reject(exc.errors)
        except Forbidden as exc:
            return json_response({"message": str(exc)}, 403)
        _fire(resource, before, record)
        return answer(record)


def create(resource: Resource, **parents) -> Response:
    """POST: validate the whole object, store it under a new id, answer the stored record (200, per the spec)."""
    def make(records, fields, state):
        sequence = resource.name if resource.sequence == "" else resource.sequence
        new_id = state.registry.allocate_id(sequence) if sequence else None
        return records.create(new_id, fields, *_when(resource, state))
    return _write(resource, parents, None, make, resource.created or resource.present)


def update(resource: Resource, **ids) -> Response:
    """PUT: a partial change; an unknown id is 404 before any field is judged."""
    record_id = ids.pop(resource.item)
    return _write(resource, ids, record_id,
                  lambda records, fields, state: records.update(record_id, fields, *_when(resource, state)),
                  resource.present)


def delete(resource: Resource, **ids) -> Response:
    """DELETE: the spec's 200 body is a JSON string unless the resource says otherwise."""
    record_id = ids.pop(resource.item)
    with current_state().lock:
        records = _collection(resource, ids)
        if records is None:
            return _parent_missing(resource)
        before = records.get(record_id)
        try:
            deleted = records.delete(record_id)
        except Forbidden as exc:
            return json_response({"message": str(exc)}, 403)
        if deleted:
            _fire(resource, before, None)
    if not deleted:
        return not_found(resource.label)
    return resource.deleted() if resource.deleted else json_response(f"{resource.label} deleted.")


def count(resource: Resource, **parents) -> Response:
    """GET …/count.json: how many records the store (or the parent) has."""
    with current_state().lock:
        records = _collection(resource, parents)
        if records is None:
            return _parent_missing(resource)
        return json_response({"count": records.count()})


def get(resource: Resource, **ids) -> Response:
    """GET one record by id."""
    record_id = ids.pop(resource.item)
    with current_state().lock:
        records = _collection(resource, ids)
        if records is None:
            return _parent_missing(resource)
        record = records.get(record_id)
        return resource.present(record) if record is not None else not_found(resource.label)


def listing(resource: Resource, **parents) -> Response:
    """GET the collection: every record in id order, or one page of them where the spec pages."""
    page, limit = paging() if resource.paged else (1, _EVERYTHING)
    with current_state().lock:
        records = _collection(resource, parents)
        if records is None:
            return _parent_missing(resource)
        return json_response([resource.wrap(r) for r in records.page(page, limit)])


def register(resource: Resource, collection: str, item: str, read_scope: str, write_scope: str,
             actions: tuple[str, ...] = ("count", "get", "create", "update", "delete")) -> None:
    """Route …/count.json, GET/PUT/DELETE `item` and GET/POST `collection` (those in `actions`) to the handlers.

    "list" is opt-in: the older resources answer their lists themselves (cached JSON, filters).
    """
    count_path = collection.replace(".json", "/count.json") if collection.endswith(".json") \
        else collection + "/count"
    views = {
        "list": ("GET", collection, read_scope, listing),
        "count": ("GET", count_path, read_scope, count),
        "get": ("GET", item, read_scope, get),
        "create": ("POST", collection, write_scope, create),
        "update": ("PUT", item, write_scope, update),
        "delete": ("DELETE", item, write_scope, delete),
    }
    for action in actions:
        method, path, scope, handler = views[action]
        route(method, path, scope, endpoint=f"{action}_{resource.name}")(_bound(handler, resource))


def _bound(handler, resource: Resource):
    def view(**ids):
        return handler(resource, **ids)
    return view
