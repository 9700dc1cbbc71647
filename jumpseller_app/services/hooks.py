"""The store's hooks: one per event the app uses, pointing at this app's receiver; missing ones are (re)created.

Jumpseller pauses or deletes a hook after repeated failed deliveries and its API shows no paused state, so the
only repair is to list the hooks again and create what is gone: after every install, and periodically.
"""

import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from .. import features
from ..extensions import db
from ..jumpseller import JumpsellerError, scopes
from ..models import Store, StoreStatus
from . import clients, stores

log = logging.getLogger(__name__)


@dataclass
class HooksOutcome:
    """What ensure_hooks did for one store: the events it created hooks for, or why it did nothing."""

    store_code: str
    created: list = field(default_factory=list)
    skipped: str = ""
    error: Exception | None = None         # the Jumpseller error that stopped it, for the uninstall detection


def receiver_url():
    """The absolute URL Jumpseller delivers to, from APP_URL; None when APP_URL is not set."""
    base = current_app.config["APP_URL"]
    if not base:
        return None
    # Built from the receiver's route, so the URL follows the view; APP_URL, not a request, gives the host.
    return base + current_app.url_map.bind("localhost").build("webhooks.jumpseller")


def _skip_reason(store):
    """Why hooks cannot be registered for `store` now, or "" when they can."""
    if store is None or store.credential is None:
        return "store not connected"
    if store.status != StoreStatus.ACTIVE:
        return f"store is {store.status}"
    if receiver_url() is None:
        # Without APP_URL Jumpseller would have nowhere reachable to deliver to.
        return "APP_URL is not set"
    missing = scopes.WEBHOOKS.missing(features.granted(store))
    if missing:
        return "missing scopes: " + " ".join(missing)
    return ""


def ensure_hooks(store_code):
    """Create this app's missing (event, receiver url) hooks for the store; other hooks are left alone."""
    store = stores.get_store(store_code)
    outcome = HooksOutcome(store_code)
    outcome.skipped = _skip_reason(store)
    if outcome.skipped:
        log.info("hooks of %s not checked: %s", store_code, outcome.skipped)
        return outcome
    url = receiver_url()
    api = clients.client_for(store)
    try:
        present = {hook.get("event") for hook in api.hooks.iter_all() if hook.get("url") == url}
        for event in scopes.WEBHOOK_EVENTS:
            if event not in present:
                api.hooks.create({"event": event, "url": url})
                outcome.created.append(event)
    except JumpsellerError as exc:
        # The next periodic check tries again; what was created so far is found by its listing.
        outcome.skipped = f"Jumpseller error: {type(exc).__name__}"
        outcome.error = exc
        log.warning("hooks of %s not ensured: %s", store_code, exc)
    if outcome.created:
        log.info("hooks of %s created for: %s", store_code, " ".join(outcome.created))
    return outcome


def active_store_codes():
    """The codes of every active store: those the periodic check looks at."""
    return list(db.session.scalars(select(Store.code).where(Store.status == StoreStatus.ACTIVE).order_by(Store.id)))
