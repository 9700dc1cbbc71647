"""Small request/response helpers shared by the sandbox blueprints."""
from __future__ import annotations

from flask import current_app, jsonify

from .state import SandboxState

STORE_COOKIE = "jumpseller_sandbox_store"


def current_state() -> SandboxState:
    """The SandboxState of the app handling the current request."""
    return current_app.extensions["sandbox"]


def json_response(body, status: int = 200, headers: dict | None = None):
    """A JSON response with a status and extra headers."""
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def no_store(response):
    """Mark a response carrying secrets as uncacheable (RFC 6749 §5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def bearer_token(req) -> str | None:
    """The Bearer token of a request's Authorization header, if any."""
    auth = req.authorization
    if auth is not None and auth.type == "bearer" and auth.token:
        return auth.token
    return None


def logged_in_store(state: SandboxState, request):
    """The store whose admin is "logged in" on the sandbox origin (cookie), else the default store."""
    code = request.cookies.get(STORE_COOKIE)
    return state.stores.get(code or "") or state.default_store
