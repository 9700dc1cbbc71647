"""The inbox worker: claim due hook deliveries, apply each to the mirror, retry the transient failures, keep the
rest as dead letters, and forget old bodies.

Exactly once, with any number of workers: a row is first claimed (claimed_by = a token unique to this claim,
claimed_until = when the claim lapses), in its own short transaction. On PostgreSQL the claim's SELECT takes the
rows FOR UPDATE SKIP LOCKED, so concurrent claimers split the due rows instead of waiting on each other; SQLite
serializes writers, so one UPDATE … WHERE id IN (SELECT … LIMIT n) is already atomic there. Each row is then
applied in a transaction of its own whose last statement marks it processed only if the claim is still ours: a
worker that stalled past its claim (the row was taken over) rolls its mirror write back instead of applying twice.

Rows of a disconnected store are not claimed: they stay pending, untouched. Applying them would rebuild the mirror
of a store the app has let go of (its personal data is due to be purged); if the store reconnects within the
de-duplication window they are applied then, and newest-wins keeps them from undoing a fresher sync. Either way the
retention deletes them with every other row after WEBHOOK_DEDUP_DAYS.

Functions here commit: each is a unit of work a job or a view runs on its own.
"""

import json
import logging
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import AuditEntry, Store, StoreStatus, WebhookEvent, WebhookStatus, utcnow
from . import mirror

log = logging.getLogger(__name__)

# A cleared body: the column is NOT NULL, and an empty body is never a real delivery (it is not JSON).
CLEARED = b""
FINISHED = (WebhookStatus.PROCESSED, WebhookStatus.DEAD)
REPLAYABLE = (WebhookStatus.FAILED, WebhookStatus.DEAD)


class ReplayRefused(LookupError):
    """The row cannot be replayed: not this store's, not failed or dead, being processed, or its body is gone."""


def _config(name):
    return current_app.config[name]


def _claim_free(now):
    return or_(WebhookEvent.claimed_until.is_(None), WebhookEvent.claimed_until < now)


def _due(now):
    """Rows a worker may take now: pending, or failed and past their backoff; either way not under a live claim."""
    return and_(
        _claim_free(now),
        or_(WebhookEvent.status == WebhookStatus.PENDING,
            and_(WebhookEvent.status == WebhookStatus.FAILED, WebhookEvent.next_attempt_at <= now)),
        WebhookEvent.store_id.in_(select(Store.id).where(Store.status != StoreStatus.DISCONNECTED)),
    )


def has_due():
    """Whether any row is due: one indexed read, so the scheduler may ask on every tick."""
    found = db.session.scalar(select(WebhookEvent.id).where(_due(utcnow())).limit(1))
    db.session.rollback()                # end the read transaction: a worker thread must not sit in one
    return found is not None


def claim(limit):
    """Claim up to `limit` due rows for this call; returns (token, rows), oldest first, committed."""
    now = utcnow()
    token = uuid.uuid4().hex
    # Not correlated with the UPDATE below: it is its own scan of the table.
    candidates = select(WebhookEvent.id).where(_due(now)).order_by(WebhookEvent.id).limit(limit).correlate(None)
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows another claimer holds are skipped, not waited on; the outer WHERE re-checks the claim either way.
        candidates = candidates.with_for_update(skip_locked=True, of=WebhookEvent)
    db.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id.in_(candidates.scalar_subquery()), _claim_free(now))
        .values(claimed_by=token, claimed_until=now + timedelta(seconds=_config("INBOX_CLAIM_SECONDS")))
        .execution_options(synchronize_session=False))
    db.session.commit()
    rows = db.session.execute(
        select(WebhookEvent.id, WebhookEvent.store_id, WebhookEvent.event, WebhookEvent.body,
               WebhookEvent.triggered_at, WebhookEvent.received_at, WebhookEvent.attempts)
        .where(WebhookEvent.claimed_by == token).order_by(WebhookEvent.id)).all()
    db.session.rollback()
    return token, rows


def _settle(row, token, **values):
    """Write the row's outcome if the claim is still ours; False (and nothing written) when it was taken over."""
    changed = db.session.execute(
        update(WebhookEvent).where(WebhookEvent.id == row.id, WebhookEvent.claimed_by == token)
        .values(claimed_by=None, claimed_until=None, attempts=row.attempts + 1, **values)
        .execution_options(synchronize_session=False)).rowcount
    return changed == 1


def _reason(exc, event):
    """What last_error says: the kind of failure, never the message (a parser's message may quote the body)."""
    if isinstance(exc, mirror.UnknownEvent):
        return f"event {event[:64]!r} is not mirrored by this app"
    if isinstance(exc, json.JSONDecodeError):
        return "the body is not JSON"
    if isinstance(exc, UnicodeDecodeError):
        return "the body is not UTF-8 text"
    if isinstance(exc, ValueError):
        return f"the body was refused ({type(exc).__name__})"
    return f"transient: {type(exc).__name__}"


def _backoff(attempts):
    """Seconds before try number attempts + 1: the base doubled per failed try, capped."""
    base, cap = _config("INBOX_BACKOFF_SECONDS"), _config("INBOX_BACKOFF_MAX_SECONDS")
    return min(cap, base * 2 ** min(attempts - 1, 30))


def process(row, token):
    """Apply one claimed row in its own transaction; returns its new status, or None if the claim was lost."""
    try:
        mirror.apply_event(row.store_id, row.event, bytes(row.body), row.triggered_at, row.received_at)
        if not _settle(row, token, status=WebhookStatus.PROCESSED, processed_at=utcnow(), last_error=None,
                       next_attempt_at=None):
            db.session.rollback()        # another worker owns the row now: our mirror write must not count
            return None
        db.session.commit()
        return WebhookStatus.PROCESSED
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row; none may stop the drain
        db.session.rollback()
        return _record_failure(row, token, exc)


def _record_failure(row, token, exc):
    """Failed (retried after a backoff) or dead: a body or event that can never succeed is dead at once."""
    attempts = row.attempts + 1
    permanent = isinstance(exc, ValueError)       # json, unicode, pydantic and UnknownEvent errors all are
    dead = permanent or attempts >= _config("INBOX_MAX_ATTEMPTS")
    status = WebhookStatus.DEAD if dead else WebhookStatus.FAILED
    reason = _reason(exc, row.event)
    log.warning("hook delivery %s (%s) %s after %s attempt(s): %s", row.id, row.event, status, attempts, reason)
    try:
        settled = _settle(row, token, status=status, last_error=reason[:500],
                          next_attempt_at=None if dead else utcnow() + timedelta(seconds=_backoff(attempts)))
        db.session.commit()
    except SQLAlchemyError:
        # The database itself is failing: the claim lapses and the row is tried again after INBOX_CLAIM_SECONDS.
        db.session.rollback()
        log.error("hook delivery %s: its failure could not be recorded", row.id)
        return None
    return status if settled else None


def drain():
    """Claim and process batches until nothing is due; returns {status: rows} for this call."""
    done = {}
    while True:
        token, rows = claim(_config("INBOX_BATCH"))
        if not rows:
            return done
        for row in rows:
            status = process(row, token)
            done[status] = done.get(status, 0) + 1


def apply_retention(now=None):
    """Clear the bodies of finished rows past the log window; delete rows past the de-duplication window.

    A cleared row keeps its delivery_key, so Jumpseller replaying that delivery days later is still answered
    "duplicate" and applied no second time. Returns (bodies cleared, rows deleted), committed.
    """
    now = now or utcnow()
    log_start = now - timedelta(hours=_config("WEBHOOK_LOG_HOURS"))
    cleared = db.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.status.in_(FINISHED), WebhookEvent.received_at < log_start,
               func.length(WebhookEvent.body) > 0)
        .values(body=CLEARED).execution_options(synchronize_session=False)).rowcount
    deleted = db.session.execute(
        delete(WebhookEvent).where(WebhookEvent.received_at < now - timedelta(days=_config("WEBHOOK_DEDUP_DAYS")))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return cleared, deleted


def replay(store, event_id):
    """Put the store's failed or dead row back to pending with its attempts reset; raises ReplayRefused.

    Scoped by store in the same statement that changes the row, so no store can replay another's delivery.
    """
    now = utcnow()
    changed = db.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id, WebhookEvent.store_id == store.id,
               WebhookEvent.status.in_(REPLAYABLE), _claim_free(now), func.length(WebhookEvent.body) > 0)
        .values(status=WebhookStatus.PENDING, attempts=0, last_error=None, next_attempt_at=None,
                claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        raise ReplayRefused(event_id)
    db.session.add(AuditEntry(store_code=store.code, action="webhook_replayed", detail={"event_id": event_id}))
    db.session.commit()


# --- reads for the Webhooks page ------------------------------------------------------------------------------

def log_summary(store_id, now=None):
    """The store's deliveries received within the log window: {status: count} and the failed and dead rows."""
    since = (now or utcnow()) - timedelta(hours=_config("WEBHOOK_LOG_HOURS"))
    recent = and_(WebhookEvent.store_id == store_id, WebhookEvent.received_at >= since)
    counts = {status: 0 for status in (WebhookStatus.PENDING, WebhookStatus.PROCESSED, WebhookStatus.FAILED,
                                       WebhookStatus.DEAD)}
    counts.update(db.session.execute(select(WebhookEvent.status, func.count()).where(recent)
                                     .group_by(WebhookEvent.status)).all())
    # Only the columns the page shows: the body (personal data) is never read here.
    problems = db.session.execute(
        select(WebhookEvent.id, WebhookEvent.event, WebhookEvent.status, WebhookEvent.received_at,
               WebhookEvent.attempts, WebhookEvent.last_error, WebhookEvent.next_attempt_at)
        .where(recent, WebhookEvent.status.in_(REPLAYABLE))
        .order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc()).limit(200)).all()
    return {"counts": counts, "problems": problems, "hours": _config("WEBHOOK_LOG_HOURS")}
