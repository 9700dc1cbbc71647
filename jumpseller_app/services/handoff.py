"""The iframe handoff: the install popup binds a secret's hash to the store; the iframe redeems the secret once."""

import hashlib
import re
from datetime import timedelta

from sqlalchemy import and_, select, update

from ..extensions import db
from ..models import OAuthState, StoreStatus, utcnow
from . import stores

HANDOFF_TTL = timedelta(minutes=2)
# How long a consumed but not yet bound install counts as still finishing (token exchange, first snapshot).
FINISHING_TTL = timedelta(seconds=60)
HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")
SECRET_PATTERN = re.compile(r"^[0-9a-f]{32,128}$")


class HandoffError(Exception):
    """The secret cannot be redeemed; `kind` is pending, unknown, expired or used."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind

    @property
    def final(self):
        """Whether waiting longer cannot help (the iframe should offer to reconnect)."""
        return self.kind in ("expired", "used", "invalid")


def valid_hash(value):
    """The handoff hash if it is well formed (64 lowercase hex digits), else None."""
    return value if isinstance(value, str) and HASH_PATTERN.match(value) else None


def hash_secret(secret):
    """sha256 of the iframe's secret, as the popup carries it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def bind(pending, store):
    """Let the install's handoff (if any) be redeemed for `store` for a short while; caller commits."""
    if pending.handoff_hash:
        pending.handoff_store_code = store.code
        pending.handoff_expires_at = utcnow() + HANDOFF_TTL


def give_up(pending):
    """Mark the install's handoff as never to be bound (denied or failed install); caller commits."""
    if pending.handoff_hash and pending.handoff_store_code is None:
        pending.handoff_expires_at = utcnow()


def claim(secret):
    """Redeem the secret once; returns the store it was bound to, or raises HandoffError."""
    if not isinstance(secret, str) or not SECRET_PATTERN.match(secret):
        raise HandoffError("invalid")
    handoff_hash = hash_secret(secret)
    now = utcnow()
    # One atomic UPDATE: of two concurrent claims with the same secret, only one can match.
    claimed = db.session.execute(
        update(OAuthState)
        .where(and_(OAuthState.handoff_hash == handoff_hash, OAuthState.handoff_store_code.is_not(None),
                    OAuthState.handoff_claimed_at.is_(None), OAuthState.handoff_expires_at > now))
        .values(handoff_claimed_at=now)
    ).rowcount
    db.session.commit()
    row = db.session.scalar(select(OAuthState).where(OAuthState.handoff_hash == handoff_hash))
    if claimed != 1:
        raise HandoffError(_why_not(row, now))
    store = stores.get_store(row.handoff_store_code)
    if store is None or store.status == StoreStatus.DISCONNECTED:
        raise HandoffError("expired")
    return store


def _why_not(row, now):
    if row is None:
        return "unknown"  # the popup may not have reached /oauth/install yet
    if row.handoff_claimed_at is not None:
        return "used"
    if row.handoff_store_code is None and row.handoff_expires_at is None and row.expires_at > now and (
            row.used_at is None or row.used_at > now - FINISHING_TTL):
        return "pending"  # the popup has not come back yet, or its callback is still finishing the install
    # Expired, or the callback consumed the state without an install (denied, failed): nothing will be bound.
    return "expired"
