"""Which OAuth application is calling (hooks and JSApps record it): None under Basic auth."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import g

from ..seed.settings import OTHER_APP
from ..seed.store import slugify
from ..web import current_state


@dataclass(frozen=True)
class Application:
    """An OAuth application as the API shows it: a numeric id and a code."""

    id: int
    code: str


def application_id(client_id: str) -> int:
    """A registered client's numeric application id: stable across restarts, never the seeded other app's."""
    number = int.from_bytes(hashlib.blake2b(client_id.encode(), digest_size=3).digest(), "big")
    return 100_000 + number   # above the ids seeded apps use


def calling_application() -> Application | None:
    """The OAuth application of the calling token; None for the store owner's Basic credentials."""
    token = g.principal.token
    if token is None:
        return None
    client = current_state().accounts.clients.get(token.client_id)
    name = client.name if client is not None else token.client_id
    return Application(application_id(token.client_id), slugify(name))


def application_by_code(code: str) -> Application | None:
    """A known application by its code: a registered client, or the app seeded on every store."""
    if code == OTHER_APP["code"]:
        return Application(OTHER_APP["application_id"], OTHER_APP["code"])
    for client in current_state().accounts.clients.values():
        if slugify(client.name) == code:
            return Application(application_id(client.client_id), code)
    return None
