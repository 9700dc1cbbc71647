"""/v1/store: the store's own details."""
from __future__ import annotations

from flask import g

from ..web import current_state, json_response
from .base import route


@route("GET", "/store/info.json", "read_store")
def store_info():
    """GET /store/info.json: unwrapped as the spec shows, or {"store": ...} when so configured."""
    details = dict(g.principal.store.details)
    g.bare_resource = "store"  # so the profile can shape the unwrapped form too
    return json_response({"store": details} if current_state().config.store_info_wrapped else details)


@route("GET", "/store/languages.json", "read_store")
def store_languages():
    """GET /store/languages.json: the store's languages (code, name), unwrapped."""
    return json_response([dict(language) for language in g.principal.store.settings.languages])
