"""How a settings-like resource (one Collection of the store's settings) plugs into the shared CRUD flow."""
from __future__ import annotations

from collections.abc import Callable

from ..web import json_response
from . import crud


def settings_resource(name: str, label: str, parse: Callable, *, shown: Callable[[dict], dict] = dict,
                      paged: bool = False, stamped: bool = False, collection: str = "", **options) -> crud.Resource:
    """A crud.Resource over `store.settings.<collection>` (default: name + "s"), answered as {name: shown(record)}."""
    attribute = collection or name + "s"

    def wrap(record: dict) -> dict:
        return {name: shown(record)}

    return crud.Resource(name, label, lambda store: getattr(store.settings, attribute), parse,
                         lambda record: json_response(wrap(record)), wrap=wrap, paged=paged, stamped=stamped,
                         **options)
