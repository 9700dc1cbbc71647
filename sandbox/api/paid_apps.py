"""/v1/apps/{code}/…: what Jumpseller tells a paid app about itself. Only install_status is served.

The spec's PaidAppInstallStatus, bare: installed is true while the app holds a live grant on the store and was not
marked uninstalled (POST /_sandbox/apps/install_status); an OAuth app may ask only about its own code.
"""
from __future__ import annotations

from flask import g

from ..seed.store import slugify
from ..web import current_state, json_response
from .apps import application_by_code, calling_application
from .base import route


def _client_id_of(code: str) -> str | None:
    """The registered client whose app has this code (None for the seeded other app or an unknown code)."""
    for client in current_state().accounts.clients.values():
        if slugify(client.name) == code:
            return client.client_id
    return None


@route("GET", "/apps/{code}/install_status.json", "read_apps")
def install_status(code: str):
    """GET /apps/{code}/install_status.json: whether the app `code` is installed on the calling store."""
    wanted, app = application_by_code(code), calling_application()
    if wanted is None:
        return json_response({"message": f"App with code '{code}' not found"}, 404)
    if app is not None and app.id != wanted.id:
        return json_response({"message": "Not authorized to access this app's install status"}, 403)
    store = g.principal.store
    client_id = _client_id_of(code)
    # The seeded other app is installed on every store for good; a registered client per its grants.
    installed = client_id is None or current_state().accounts.is_installed(client_id, store.code)
    details = store.details
    return json_response({"app_code": code, "store_id": store.id, "installed": installed,
                          "subscription_plan": details.get("subscription_plan", ""),
                          "subscription_status": details.get("subscription_status", ""), "code": store.code})
