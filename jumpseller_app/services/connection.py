"""The store's connection to Jumpseller: what was granted, what is missing, token state, disconnecting."""

from datetime import timedelta

from .. import features
from ..jobs import lifecycle_tasks
from ..models import AuthMode, StoreStatus, utcnow
from . import lifecycle


def status(store):
    """A plain summary of the connection for the settings page; "needed" comes from the app's features."""
    needed = features.needed()
    granted = features.granted(store)
    oauth = store.auth_mode == AuthMode.OAUTH
    missing = [s for s in needed if s not in granted] if oauth else []
    cred = store.credential
    expires_in = None
    if cred is not None and cred.expires_at is not None:
        expires_in = max(0, int((cred.expires_at - utcnow()) / timedelta(seconds=1)))
    return {
        "auth_mode": store.auth_mode,
        "oauth": oauth,
        "status": store.status,
        "granted": sorted(granted or ()),
        "needed": needed,
        "missing": missing,
        "needs_reauth": oauth and (bool(missing) or store.status == StoreStatus.REAUTH_REQUIRED),
        "expires_in": expires_in,
        "expires_at": cred.expires_at if cred else None,
        "last_refreshed_at": cred.last_refreshed_at if cred else None,
    }


def disconnect(store):
    """The merchant's Disconnect: hooks removed, tokens deleted and sessions ended now (lifecycle.disconnect), the
    tokens revoked at Jumpseller by a job; settings and the mirror stay for a later reinstall, until the purge."""
    code = store.code
    lifecycle_tasks.after_disconnect(code, lifecycle.disconnect(store))
