"""/v1/locations: the store's stock and pickup locations. Fields are sent bare (LocationCreateFields)."""
from __future__ import annotations

from flask import g

from ..records import setting_forms as forms
from ..web import current_state, json_response
from . import crud
from .base import not_found, route
from .simple import settings_resource

LOCATIONS = settings_resource("location", "Location",
                              forms.parser("location", forms.LOCATION, ("name", "email", "address", "city", "country")),
                              body=None)
crud.register(LOCATIONS, "/locations.json", "/locations/{id}.json", "read_store", "write_store",
              ("list", "create", "update", "delete"))


@route("GET", "/locations/{id}.json", "read_store")
def location(record_id: int):
    """GET /locations/{id}.json: the spec answers an array holding the one location."""
    with current_state().lock:
        record = g.principal.store.settings.locations.get(record_id)
        return json_response([LOCATIONS.wrap(record)]) if record is not None else not_found("Location")
