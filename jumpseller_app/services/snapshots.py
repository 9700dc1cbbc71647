"""Dashboard figures computed from the mirror and cached on StoreSnapshot, so a page view reads one row.

Why cached rather than computed per view: the dashboard renders from one query (services/store_view.py) and its
page cache keys on that row, so figures read live from the mirror would either cost every view a few aggregate
queries or leave a cached page showing stale numbers. Instead the figures are recomputed, from the database only
and in a few indexed aggregate queries, whenever something changed the mirror: a sync job finishing (jobs/tasks.py
listens for it) or a recompute being asked for. No Jumpseller call happens here; keeping the mirror current is the
sync's job (services/sync.py).
"""

import logging
from datetime import timedelta

from sqlalchemy import func, or_, select

from .. import features
from ..extensions import db
from ..jumpseller import scopes
from ..models import (MirrorOrder, Store, StoreSnapshot, StoreStatus, SyncCheckpoint, SyncStatus, WebhookEvent,
                      WebhookStatus, utcnow)
from . import mirror, stores

log = logging.getLogger(__name__)

DAYS = 30
LATEST = 8
REAUTH_PROBLEM = "reauthorization required"
# How far back a hook delivery may have been received to make a store's figures stale: bounds the inbox scan to
# the (status, received_at) index's recent end; a drain runs within seconds of a delivery.
STALE_WINDOW = timedelta(days=1)
# Which figure needs which permission: without it the sync never fetched the resource, and the page shows "–"
# (and asks for the permission) rather than a misleading 0.
_COUNTED = (("products", scopes.PRODUCTS_COUNT), ("orders", scopes.ORDERS_COUNT),
            ("customers", scopes.CUSTOMERS_COUNT))


def snapshot_of(store):
    """The store's cached figures (an empty, unsaved snapshot if none were computed yet)."""
    return store.snapshot or StoreSnapshot(daily=[], latest_orders=[])


def daily_series(buckets, *, today):
    """Orders and sales per day (UTC) over the last DAYS days, oldest first, zero-filled.

    `buckets` are (day, state, orders, total) aggregates, `day` a date or "YYYY-MM-DD". Abandoned checkouts are
    not orders here, and only paid orders count as sales; an order whose status is unknown (a new or
    untranslated name) counts as an order but not as a sale.
    """
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    series = {d.isoformat(): {"date": d.isoformat(), "orders": 0, "sales": 0.0} for d in days}
    for day, state, orders, total in buckets:
        entry = series.get(str(day)[:10]) if day is not None else None
        if entry is None or state == "abandoned":
            continue
        entry["orders"] += int(orders)
        if state == "paid":
            entry["sales"] = round(entry["sales"] + float(total or 0.0), 2)
    return [series[d.isoformat()] for d in days]


def _order_buckets(store_id, since):
    """(day, state, orders, total) of the store's mirrored orders created since `since`: one grouped query.

    date() exists on SQLite (text) and PostgreSQL (a date); both read back as YYYY-MM-DD through str().
    The (store_id, created_at_remote) index bounds the scan to the window.
    """
    day = func.date(MirrorOrder.created_at_remote)
    query = (select(day, MirrorOrder.state, func.count(), func.sum(MirrorOrder.total))
             .where(MirrorOrder.store_id == store_id, MirrorOrder.created_at_remote >= since)
             .group_by(day, MirrorOrder.state))
    return db.session.execute(query).all()


def summarize_order(order):
    """The few fields of a mirrored order the dashboard shows."""
    return {
        "id": order.remote_id,
        "created_at": order.created_at_remote.strftime("%Y-%m-%d %H:%M:%S") if order.created_at_remote else "",
        "status": (order.status_text or "")[:40],
        "state": order.state,
        "total": order.total,
        "currency": (order.currency or "")[:8],
        "customer": (order.customer_name or "")[:120],
    }


def _latest_orders(store_id, since):
    query = (select(MirrorOrder)
             .where(MirrorOrder.store_id == store_id, MirrorOrder.created_at_remote >= since)
             .order_by(MirrorOrder.created_at_remote.desc(), MirrorOrder.remote_id.desc())
             .limit(LATEST))
    return [summarize_order(order) for order in db.session.scalars(query)]


def _sync_problems(store_id):
    """What the last sync of each resource left as an error (already free of personal data: the sync's rule)."""
    query = (select(SyncCheckpoint.resource, SyncCheckpoint.last_error)
             .where(SyncCheckpoint.store_id == store_id, SyncCheckpoint.status == SyncStatus.FAILED)
             .order_by(SyncCheckpoint.resource))
    return [f"{resource}: {error or 'failed'}" for resource, error in db.session.execute(query)]


def _compute(store, snapshot):
    """Fill `snapshot` from the mirror; returns the problems to show next to the figures."""
    now = utcnow()
    counts = mirror.counts(store.id)
    for resource, operation in _COUNTED:
        setattr(snapshot, f"{resource}_count", counts[resource] if features.allows(store, operation) else None)
    if features.allows(store, scopes.ORDERS_LIST):
        since = (now - timedelta(days=DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
        snapshot.daily = daily_series(_order_buckets(store.id, since), today=now.date())
        snapshot.latest_orders = _latest_orders(store.id, since)
    else:
        snapshot.daily, snapshot.latest_orders = daily_series([], today=now.date()), []
    snapshot.fetched_at = now
    problems = _sync_problems(store.id)
    if store.status == StoreStatus.REAUTH_REQUIRED:
        problems.insert(0, REAUTH_PROBLEM)          # the mirror stands still until the merchant authorizes again
    return problems


def refresh_snapshot(store_code):
    """Recompute the store's dashboard figures from its mirror and cache them; returns the problems noted.

    Needs an app context only, calls nothing outside the database, and never raises: an unexpected failure is
    logged and reported as a problem, so a job or a command never fails because of a chart.
    """
    store = stores.get_store(store_code)
    if store is None or store.status == StoreStatus.DISCONNECTED:
        return ["not connected"]
    try:
        snapshot = store.snapshot = snapshot_of(store)
        problems = _compute(store, snapshot)
        if problems:
            snapshot.last_error = "; ".join(problems)[:500]
            snapshot.last_error_at = snapshot.fetched_at
        else:
            snapshot.last_error = snapshot.last_error_at = None
        db.session.commit()
    except Exception:  # noqa: BLE001 - the page keeps the last figures instead
        db.session.rollback()
        log.warning("snapshot recompute for %s failed", store_code, exc_info=True)
        return ["recompute failed"]
    return problems


def stale_after_hooks():
    """Codes of the stores a hook delivery changed after their figures were last computed (one indexed query)."""
    query = (select(Store.code).join(WebhookEvent, WebhookEvent.store_id == Store.id)
             .outerjoin(StoreSnapshot, StoreSnapshot.store_id == Store.id)
             .where(WebhookEvent.status == WebhookStatus.PROCESSED,
                    WebhookEvent.received_at >= utcnow() - STALE_WINDOW,
                    or_(StoreSnapshot.fetched_at.is_(None), WebhookEvent.processed_at > StoreSnapshot.fetched_at))
             .distinct())
    return list(db.session.scalars(query))
