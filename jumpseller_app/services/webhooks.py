"""Hook deliveries: verify the raw body against the store's hooks_token, put it in the inbox, commit.

The receiver is the app's hottest write path (every order, product and customer change of every store arrives
here), so a delivery costs one connection, one indexed read and one insert:
- the store and its sealed hooks_token come from one Core query, and the token is unsealed once per process:
  the cache key is the sealed bytes themselves, so a new token, or the same one resealed under a rotated key,
  is a new key and never served stale (nothing to invalidate, no version to keep in step);
- the insert is `ON CONFLICT (delivery_key) DO NOTHING`: a replay inserts no row, with no failed statement,
  rollback and second read to tell it from a real failure.
"""

import enum
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import DateTime, LargeBinary, bindparam, select, text
from sqlalchemy.exc import SQLAlchemyError

from .. import write_turns
from ..crypto import DecryptionError
from ..extensions import db
from ..jumpseller import webhooks
from ..models import Credential, Store, WebhookEvent, WebhookStatus, utcnow
from . import credentials

log = logging.getLogger(__name__)

# Built once: the statements are compiled once per process (SQLAlchemy's cache) and only their values change.
_STORE_QUERY = (select(Store.id, Store.code, Credential.hooks_token_enc)
                .outerjoin(Credential, Credential.store_id == Store.id)
                .where(Store.code == bindparam("code")))
# Written out because SQLite and PostgreSQL spell it alike, and SQLAlchemy recompiles its dialect-specific
# on_conflict inserts on every call (a third of the receiver's CPU).
_COLUMNS = ("store_id", "event", "triggered_at", "delivery_key", "content_type", "body", "received_at", "status",
            "attempts")
_INSERT = text(f"INSERT INTO {WebhookEvent.__tablename__} ({', '.join(_COLUMNS)}) "
               f"VALUES ({', '.join(':' + name for name in _COLUMNS)}) ON CONFLICT (delivery_key) DO NOTHING"
               ).bindparams(bindparam("body", type_=LargeBinary), bindparam("received_at", type_=DateTime))
_TOKEN_CACHE_SIZE = 1024


class Outcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class InboxUnavailable(RuntimeError):
    """The delivery could not be stored: Jumpseller should deliver it again later."""


@dataclass(frozen=True)
class Delivery:
    """One hook delivery as it arrived: the headers that matter and the exact body bytes."""

    store_code: str
    event: str
    signature: str
    triggered_at: str
    content_type: str
    body: bytes


class _TokenCache:
    """Unsealed hooks_tokens by (store code, sealed bytes): a small thread-safe LRU, per process."""

    def __init__(self, size):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, code, sealed):
        """The clear token of this sealed value, unsealing it on a miss; None when it does not open."""
        if not sealed:
            return None
        key = (code, bytes(sealed) if isinstance(sealed, memoryview) else sealed)
        with self._lock:
            token = self._entries.get(key)
            if token is not None:
                self._entries.move_to_end(key)
                return token
        try:
            token = credentials.unseal(key[1], code, "hooks_token")
        except DecryptionError:
            # Not cached: once the store info is fetched again the token is resealed, under a new key.
            log.warning("the hooks_token of %s does not open (retired key?); it is refetched with the store info",
                        code)
            return None
        with self._lock:
            self._entries[key] = token
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return token

    def clear(self):
        with self._lock:
            self._entries.clear()


_tokens = _TokenCache(_TOKEN_CACHE_SIZE)


def receive(delivery):
    """Verify a delivery and store it as a pending inbox row; returns an Outcome, raises InboxUnavailable."""
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # No BEGIN and COMMIT round trips around one read and one insert (a third of the database's CPU
                # per delivery). Not on SQLite: switching pysqlite back on check-in runs a PRAGMA that costs more.
                conn.execution_options(isolation_level="AUTOCOMMIT")
            row = conn.execute(_STORE_QUERY, {"code": delivery.store_code}).first() if delivery.store_code else None
            if row is None or not delivery.event or not webhooks.verify(
                    delivery.body, _tokens.get(row.code, row.hooks_token_enc), delivery.signature):
                log.warning("hook delivery refused: bad or missing signature (store header %r)",
                            delivery.store_code[:120])
                return Outcome.REJECTED
            # Acknowledged (200) only once this returns: committed.
            inserted = write_turns.execute_and_commit(conn, _INSERT, _row(row, delivery))
    except SQLAlchemyError as exc:
        # Includes a failed insert other than the replay (which inserts nothing and raises nothing).
        log.error("hook delivery not stored: %s", type(exc).__name__)
        raise InboxUnavailable("the inbox could not be written") from exc
    if not inserted:
        log.info("hook delivery already in the inbox (replay)")
        return Outcome.DUPLICATE
    return Outcome.STORED


def _row(store_row, delivery):
    """The inbox row's values: pending, the body as received, its replay key."""
    return {
        "store_id": store_row.id, "event": delivery.event[:64], "triggered_at": delivery.triggered_at[:64] or None,
        "delivery_key": webhooks.delivery_key(store_row.code, delivery.event, delivery.body),
        "content_type": delivery.content_type[:255], "body": delivery.body, "received_at": utcnow(),
        "status": WebhookStatus.PENDING, "attempts": 0,
    }


def forget_cached_tokens():
    """Drop the unsealed tokens this process keeps (tests; a rotation needs none of it: keys change)."""
    _tokens.clear()
