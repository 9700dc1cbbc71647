"""The /_sandbox blueprint and the request helpers its switches share (not part of Jumpseller)."""
from __future__ import annotations

from flask import Blueprint, request

from ..web import current_state, json_response

bp = Blueprint("control", __name__, url_prefix="/_sandbox")


def json_object() -> dict | None:
    """The request's JSON object ({} for an empty body), or None when the body is something else."""
    data = request.get_json(silent=True) if request.mimetype == "application/json" else None
    if data is None and not request.get_data():
        return {}
    return data if isinstance(data, dict) else None


def bad(message: str, status: int = 400):
    """A JSON error answer."""
    return json_response({"error": message}, status)


def store_from_body():
    """(the store named by the body's `store`, default the default store, None) or (None, an error answer)."""
    data = json_object()
    if data is None:
        return None, bad("expected a JSON object")
    state = current_state()
    code = data.get("store", state.default_store.code)
    store = state.stores.get(code) if isinstance(code, str) else None
    if store is None:
        return None, bad(f"unknown store {code!r}", 404)
    return store, None
