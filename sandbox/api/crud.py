"""The one create/update/delete flow every /v1 resource uses: parse, check, change under the lock, answer."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, g

from ..records.errors import RecordError
from ..web import current_state, json_response
from .base import invalid, not_found, resource_body, route


@dataclass(frozen=True)
class Resource:
    """How the shared handlers reach one kind of record of the calling store."""

    name: str                                            # body key and id sequence: "product"
    label: str                                           # in messages: "Product not found"
    records: Callable[[Any], Any]                        # store → its collection (create/update/delete/get)
    parse: Callable[..., tuple[dict, dict]]             # (body object, partial=) → (fields, errors)
    present: Callable[[dict], Response]                  # stored record → response (called under the lock)
    stamped: bool = False                                # whether changes take the time they happen at


def _when(resource: Resource, state) -> tuple:
    return (state.now_datetime(),) if resource.stamped else ()


def create(resource: Resource) -> Response:
    """POST: validate the whole object, store it under a new id, answer the stored record (200, per the spec)."""
    body, error = resource_body(resource.name)
    if error:
        return error
    fields, errors = resource.parse(body, partial=False)
    if errors:
        return invalid(errors)
    state = current_state()
    with state.lock:
        try:
            record = resource.records(g.principal.store).create(
                state.registry.allocate_id(resource.name), fields, *_when(resource, state))
        except RecordError as exc:
            return invalid(exc.errors)
        return resource.present(record)


def update(resource: Resource, record_id: int) -> Response:
    """PUT: a partial change; an unknown id is 404 before any field is judged."""
    body, error = resource_body(resource.name)
    if error:
        return error
    fields, errors = resource.parse(body, partial=True)
    state = current_state()
    with state.lock:
        records = resource.records(g.principal.store)
        if records.get(record_id) is None:
            return not_found(resource.label)
        if errors:
            return invalid(errors)
        try:
            record = records.update(record_id, fields, *_when(resource, state))
        except RecordError as exc:
            return invalid(exc.errors)
        return resource.present(record)


def delete(resource: Resource, record_id: int) -> Response:
    """DELETE: the spec's 200 body is a JSON string."""
    with current_state().lock:
        deleted = resource.records(g.principal.store).delete(record_id)
    return json_response(f"{resource.label} deleted.") if deleted else not_found(resource.label)


def count(resource: Resource) -> Response:
    """GET …/count.json: how many records the store has."""
    with current_state().lock:
        return json_response({"count": resource.records(g.principal.store).count()})


def get(resource: Resource, record_id: int) -> Response:
    """GET one record by id."""
    with current_state().lock:
        record = resource.records(g.principal.store).get(record_id)
        return resource.present(record) if record is not None else not_found(resource.label)


def register(resource: Resource, collection: str, item: str, read_scope: str, write_scope: str,
             actions: tuple[str, ...] = ("count", "get", "create", "update", "delete")) -> None:
    """Route …/count.json, GET/PUT/DELETE `item` and POST `collection` (those in `actions`) to the shared handlers."""
    views = {
        "count": ("GET", collection.replace(".json", "/count.json"), read_scope, lambda: count(resource)),
        "get": ("GET", item, read_scope, lambda record_id: get(resource, record_id)),
        "create": ("POST", collection, write_scope, lambda: create(resource)),
        "update": ("PUT", item, write_scope, lambda record_id: update(resource, record_id)),
        "delete": ("DELETE", item, write_scope, lambda record_id: delete(resource, record_id)),
    }
    for action in actions:
        method, path, scope, view = views[action]
        route(method, path, scope, endpoint=f"{action}_{resource.name}")(view)
