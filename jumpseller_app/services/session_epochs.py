"""Session epochs: a store's sessions and session tokens live only as long as the epoch they were issued in."""

from ..models import StoreStatus
from . import store_view


def current(code):
    """The store's session epoch, or None when no session may open it (unknown or disconnected store)."""
    # Checked on every signed-in request: the page's own store view answers it, so the check costs no query.
    store = store_view.load_for_request(code)
    if store is None or store.status == StoreStatus.DISCONNECTED:
        return None
    return store.session_epoch
