"""The store this request is signed in as (`g.store`), and `store_required` for views that need one."""

from functools import wraps

from flask import g, redirect, session, url_for

from ..models import StoreStatus
from ..services import store_view


def load():
    """Put the session's store in `g.store` (a read-only view), or None; a disconnected store opens nothing."""
    code = session.get("store_code")
    store = store_view.load_for_request(code) if code else None
    g.store = store if store is not None and store.status != StoreStatus.DISCONNECTED else None


def store_required(view):
    """Send a request without a signed-in store back to the Connect page instead of running `view`."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if g.get("store") is None:
            return redirect(url_for("main.index", reconnect="1"))
        return view(*args, **kwargs)
    return guarded
