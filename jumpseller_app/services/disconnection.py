"""The one write that ends a store's connection: tokens deleted, store disconnected, sessions ended, audited.

Core statements on a connection the caller hands in, with no Flask and no ORM session, so the very same write
runs inside the token store's own short transaction (a refresh token refused, in whatever thread met it) and
inside a service's session transaction (the merchant's Disconnect, an uninstall seen by a job). Tokens and the
status change are one transaction: there is no moment where a disconnected store still holds usable tokens, nor
one where an active store has lost them.
"""

from sqlalchemy import delete, insert, update

from ..models import AuditEntry, Credential, Store, StoreStatus, utcnow

# Why a connection ended; recorded in the audit trail, never anything more specific about the merchant.
MERCHANT_DISCONNECT = "merchant_disconnect"
GRANT_REFUSED = "grant_refused"            # invalid_grant on refresh: uninstalled, or the grant was revoked
UNINSTALLED = "uninstalled"                # Jumpseller's install_status said the app is not installed
UNAUTHORIZED = "unauthorized"              # a 401 that survived a refresh: the grant is gone

_credentials = Credential.__table__
_stores = Store.__table__
_audit = AuditEntry.__table__


def audit(conn, store_code, action, **detail):
    """Append one audit row (counts, reasons, flags only: never a secret, never a person's data)."""
    conn.execute(insert(_audit).values(store_code=store_code, action=action, detail=detail, created_at=utcnow()))


def end_connection(conn, store_id, store_code, reason):
    """Delete the store's credentials and mark it disconnected in `conn`'s transaction; the caller commits.

    Returns the deleted tokens as they were sealed, [(hint, sealed)] refresh token first, so a revocation job
    can give them back to Jumpseller without them ever being stored in clear; [] when there were none. The
    DELETE … RETURNING hands back exactly the pair it removed, even if a refresh rotated it a moment before.
    A store already disconnected keeps its first disconnected_at (the retention counts from then).
    """
    now = utcnow()
    deleted = conn.execute(
        delete(_credentials).where(_credentials.c.store_id == store_id)
        .returning(_credentials.c.refresh_token_enc, _credentials.c.access_token_enc)
    ).first()
    changed = conn.execute(
        update(_stores).where(_stores.c.id == store_id).where(_stores.c.status != StoreStatus.DISCONNECTED)
        .values(status=StoreStatus.DISCONNECTED, disconnected_at=now, personal_data_purged_at=None,
                session_epoch=_stores.c.session_epoch + 1, updated_at=now)
    ).rowcount
    if changed or deleted is not None:
        audit(conn, store_code, "disconnected", reason=reason, tokens_deleted=deleted is not None,
              sessions_ended=bool(changed))
    if deleted is None:
        return []
    pairs = (("refresh_token", deleted.refresh_token_enc), ("access_token", deleted.access_token_enc))
    return [(hint, sealed) for hint, sealed in pairs if sealed]
