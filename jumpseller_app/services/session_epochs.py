"""Session epochs: a store's sessions and session tokens live only as long as the epoch they were issued in."""

from sqlalchemy import select

from ..extensions import db
from ..models import Store, StoreStatus


def current(code):
    """The store's session epoch, or None when no session may open it (unknown or disconnected store)."""
    # Its own short connection, like the page's store view: checked on every signed-in request.
    with db.engine.connect() as conn:
        row = conn.execute(select(Store.session_epoch, Store.status).where(Store.code == code)).first()
    if row is None or row.status == StoreStatus.DISCONNECTED:
        return None
    return row.session_epoch
