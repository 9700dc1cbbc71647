"""Stores: identify them from /store/info.json and keep one row per store code."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..jumpseller import payloads
from ..models import Settings, Store, StoreStatus, utcnow
from . import credentials

# Store fields we keep from /store/info.json, and the column each lands in.
INFO_FIELDS = {"name": "name", "url": "url", "email": "email", "currency": "currency", "country": "country",
               "timezone": "timezone", "subscription_plan": "plan"}


class StoreIdentityError(ValueError):
    """/store/info.json did not say which store this is."""


def store_code_from_info(info):
    """The store's code from a /store/info.json body (wrapped or bare) or a parsed StoreInfo."""
    code = payloads.parse_store_info(info).code
    if not code:
        raise StoreIdentityError("Jumpseller did not return the store's code")
    return code


def get_store(code):
    """The store with this code, or None."""
    return db.session.scalar(select(Store).where(Store.code == code))


def load_store(code):
    """The store with this code and everything its pages show, in one query; None if unknown."""
    return db.session.scalar(select(Store).where(Store.code == code).options(
        joinedload(Store.settings), joinedload(Store.credential), joinedload(Store.snapshot)))


def upsert_store(info, *, auth_mode, scopes=""):
    """Create or update the store described by `info`; installing again updates the same row. Caller commits."""
    info = payloads.parse_store_info(info)
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
    """Copy the cached store information from a /store/info.json body or StoreInfo; blanks keep the old value.

    The hooks_token (the key of the store's hook signatures) is kept too, sealed with the credentials.
    """
    parsed = payloads.parse_store_info(info)
    for source, column in INFO_FIELDS.items():
        value = getattr(parsed, source)
        if value:
            # Columns have lengths (PostgreSQL enforces them): an overlong value is cut, not an error.
            setattr(store, column, value[:Store.__table__.c[column].type.length or 255])
    credentials.set_hooks_token(store, parsed.hooks_token)
    store.info_fetched_at = utcnow()
