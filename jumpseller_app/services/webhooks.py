"""Hook deliveries: verify the raw body against the store's hooks_token, put it in the inbox, commit."""

import enum
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..jumpseller import webhooks
from ..models import Store, WebhookEvent, WebhookStatus
from . import credentials

log = logging.getLogger(__name__)


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


def receive(delivery):
    """Verify a delivery and store it as a pending inbox row; returns an Outcome, raises InboxUnavailable."""
    key = None
    try:
        store = _store(delivery.store_code)
        if store is None or not delivery.event or not webhooks.verify(
                delivery.body, credentials.hooks_token_of(store), delivery.signature):
            db.session.rollback()
            log.warning("hook delivery refused: bad or missing signature (store header %r)",
                        delivery.store_code[:120])
            return Outcome.REJECTED
        key = webhooks.delivery_key(store.code, delivery.event, delivery.body)
        db.session.add(WebhookEvent(store_id=store.id, event=delivery.event[:64],
                                    triggered_at=delivery.triggered_at[:64] or None,
                                    delivery_key=key, content_type=delivery.content_type[:255],
                                    body=delivery.body, status=WebhookStatus.PENDING, attempts=0))
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        return _already_stored(key, exc)
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("hook delivery not stored: %s", type(exc).__name__)
        raise InboxUnavailable("the inbox could not be written") from exc
    return Outcome.STORED


def _store(code):
    """The store a delivery names, with its credential; None for a blank or unknown code."""
    if not code:
        return None
    return db.session.scalar(select(Store).where(Store.code == code).options(joinedload(Store.credential)))


def _already_stored(key, error):
    """After a failed insert: a replay (or a concurrent twin) is acknowledged; anything else is unavailable."""
    if key is None:
        raise InboxUnavailable("the inbox refused the delivery") from error
    try:
        known = db.session.scalar(select(WebhookEvent.id).where(WebhookEvent.delivery_key == key))
        db.session.rollback()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise InboxUnavailable("the inbox could not be read") from exc
    if known is None:
        log.error("hook delivery not stored: %s", type(error).__name__)
        raise InboxUnavailable("the inbox refused the delivery") from error
    log.info("hook delivery already in the inbox (replay)")
    return Outcome.DUPLICATE
