"""Stores: identify them from /store/info.json and keep one row per store code."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Settings, Store, StoreStatus, utcnow

# Store fields we keep from /store/info.json, and the column each lands in.
INFO_FIELDS = {"name": "name", "url": "url", "email": "email", "currency": "currency", "country": "country",
               "timezone": "timezone", "subscription_plan": "plan"}


class StoreIdentityError(ValueError):
    """/store/info.json did not say which store this is."""


def store_code_from_info(info):
    """The store's code from an (unwrapped) store info object."""
    code = info.get("code") if isinstance(info, dict) else None
    if not isinstance(code, str) or not code.strip():
        raise StoreIdentityError("Jumpseller did not return the store's code")
    return code.strip()


def get_store(code):
    """The store with this code, or None."""
    return db.session.scalar(select(Store).where(Store.code == code))


def load_store(code):
    """The store with this code and everything its pages show, in one query; None if unknown."""
    return db.session.scalar(select(Store).where(Store.code == code).options(
        joinedload(Store.settings), joinedload(Store.credential), joinedload(Store.snapshot)))


def upsert_store(info, *, auth_mode, scopes=""):
    """Create or update the store described by `info`; installing again updates the same row. Caller commits."""
    code = store_code_from_info(info)
    store = get_store(code)
    if store is None:
        store = Store(code=code, auth_mode=auth_mode)
        store.settings = Settings(values={})
        db.session.add(store)
    apply_info(store, info)
    store.auth_mode = auth_mode
    store.scopes = scopes
    store.status = StoreStatus.ACTIVE
    return store


def apply_info(store, info):
    """Copy the cached store information from a /store/info.json object."""
    for source, column in INFO_FIELDS.items():
        value = info.get(source)
        if value is not None:
            setattr(store, column, str(value)[:255])
    store.info_fetched_at = utcnow()
