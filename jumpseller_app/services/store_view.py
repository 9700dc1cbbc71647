"""A read-only view of a store for rendering pages: one Core query, no ORM objects, JSON parsed on demand."""

import json
from functools import cached_property

from flask import g, has_request_context
from sqlalchemy import Text, bindparam, cast, select

from ..extensions import db
from ..models import Credential, Settings, Store, StoreSnapshot

# Every column a page shows. The raw row doubles as the page cache's key, so a change to any of them (from any
# process) yields a new key; JSON columns come back as text so the key costs no parsing.
_COLUMNS = (
    Store.id, Store.code, Store.name, Store.currency, Store.plan, Store.auth_mode, Store.scopes, Store.status,
    Settings.id, Settings.locale, cast(Settings.values, Text),
    StoreSnapshot.id, StoreSnapshot.products_count, StoreSnapshot.orders_count, StoreSnapshot.customers_count,
    cast(StoreSnapshot.daily, Text), cast(StoreSnapshot.latest_orders, Text), StoreSnapshot.fetched_at,
    StoreSnapshot.last_error,
    Credential.id, Credential.expires_at, Credential.last_refreshed_at,
    Store.session_epoch,
)
_QUERY = (select(*_COLUMNS)
          .outerjoin(Settings, Settings.store_id == Store.id)
          .outerjoin(StoreSnapshot, StoreSnapshot.store_id == Store.id)
          .outerjoin(Credential, Credential.store_id == Store.id)
          .where(Store.code == bindparam("code")))


def _json(text, default):
    return json.loads(text) if text else default


class SettingsView:
    """The store's settings row, as the page reads it."""

    def __init__(self, locale, values_text):
        self.locale = locale
        self._values_text = values_text

    @cached_property
    def values(self):
        """The stored settings (parsed when first read)."""
        return _json(self._values_text, {})


class SnapshotView:
    """The store's cached dashboard figures, as the page reads them."""

    def __init__(self, row):
        (self.id, self.products_count, self.orders_count, self.customers_count, self._daily_text,
         self._latest_text, self.fetched_at, self.last_error) = row

    @cached_property
    def daily(self):
        """The daily series (parsed when first read: a cached page never needs it)."""
        return _json(self._daily_text, [])

    @cached_property
    def latest_orders(self):
        """The latest orders (parsed when first read)."""
        return _json(self._latest_text, [])


class CredentialView:
    """What the page shows of the store's credentials: never the secrets."""

    def __init__(self, expires_at, last_refreshed_at):
        self.expires_at = expires_at
        self.last_refreshed_at = last_refreshed_at


class StoreView:
    """A store with its settings, snapshot and credential (each None when absent); `stamp` is the raw row."""

    def __init__(self, row):
        self.stamp = tuple(row)
        (self.id, self.code, self.name, self.currency, self.plan, self.auth_mode, self.scopes,
         self.status) = row[:8]
        self.settings = SettingsView(row[9], row[10]) if row[8] is not None else None
        self.snapshot = SnapshotView(row[11:19]) if row[11] is not None else None
        self.credential = CredentialView(row[20], row[21]) if row[19] is not None else None
        self.session_epoch = row[22]


def load(code):
    """The view of the store with this code, or None if unknown."""
    # Its own short connection: a page view needs no ORM session, nor its identity map and unit of work.
    with db.engine.connect() as conn:
        row = conn.execute(_QUERY, {"code": code}).first()
    return StoreView(row) if row is not None else None


def load_for_request(code):
    """load(), read once per request: the session's epoch check and the page's store share one query."""
    if not has_request_context():
        return load(code)
    cached = g.get("_store_view")
    if cached is None or cached[0] != code:
        cached = g._store_view = (code, load(code))
    return cached[1]
