"""Dashboard figures cached in the database: fetched by refresh_snapshot(), read on every page view.

refresh_snapshot() needs only an application context (no request), so a view, a CLI command or a background job
calls it the same way. It calls only the operations whose scopes the store granted, parses every answer through
the tolerant payload models, and never raises for what Jumpseller answers: problems are noted on the snapshot.
"""

import logging
from datetime import datetime, timedelta, timezone

from .. import features
from ..extensions import db
from ..jumpseller import JumpsellerError, NotFound, ReauthRequired, ScopeError, payloads, scopes
from ..models import StoreSnapshot, StoreStatus, utcnow
from . import clients, stores

log = logging.getLogger(__name__)

DAYS = 30
LATEST = 8
# A hard cap on the orders one refresh walks through, so a huge store cannot stall its worker.
MAX_ORDERS = 5000
REAUTH_PROBLEM = "reauthorization required"
_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


def snapshot_of(store):
    """The store's cached figures (an empty, unsaved snapshot if none were fetched yet)."""
    return store.snapshot or StoreSnapshot(daily=[], latest_orders=[])


def summarize_order(order):
    """The few fields of an order (a payloads.Order) the dashboard shows."""
    return {
        "id": order.id,
        "created_at": order.created_at.strftime("%Y-%m-%d %H:%M:%S") if order.created_at else "",
        "status": order.status_text[:40],
        "state": order.state,
        "total": order.total,
        "currency": order.currency[:8],
        "customer": order.customer.display_name[:120],
    }


def daily_series(orders, *, today):
    """Orders and sales per day (UTC) over the last DAYS days, oldest first, zero-filled.

    Abandoned checkouts are not orders here, and only paid orders count as sales; an order whose status is
    unknown (a new or untranslated name) counts as an order but not as a sale.
    """
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    buckets = {d: {"date": d.isoformat(), "orders": 0, "sales": 0.0} for d in days}
    for order in orders:
        if order.created_at is None or order.state == "abandoned":
            continue
        bucket = buckets.get(order.created_at.date())
        if bucket is not None:
            bucket["orders"] += 1
            if order.state == "paid":
                bucket["sales"] = round(bucket["sales"] + order.total, 2)
    return [buckets[d] for d in days]


def _recent_orders(api):
    orders = []
    for item in api.orders.iter_all(dateFilter="last30days"):
        orders.append(payloads.parse_order(item))
        if len(orders) >= MAX_ORDERS:
            break
    return orders


def _apply_orders(snapshot, orders):
    snapshot.daily = daily_series(orders, today=utcnow().date())
    newest = sorted(orders, key=lambda o: (o.created_at or _OLDEST, o.id or 0), reverse=True)
    snapshot.latest_orders = [summarize_order(o) for o in newest[:LATEST]]


def _steps(store, snapshot, api):
    """(operation, label, action) for each figure; an action fetches and stores its figure."""
    def count(resource, column):
        def action():
            value = resource.count()
            if value is not None:
                setattr(snapshot, column, value)
        return action

    return (
        (scopes.STORE_INFO, "store", lambda: stores.apply_info(store, api.store.info())),
        (scopes.PRODUCTS_COUNT, "products", count(api.products, "products_count")),
        (scopes.ORDERS_COUNT, "orders", count(api.orders, "orders_count")),
        (scopes.CUSTOMERS_COUNT, "customers", count(api.customers, "customers_count")),
        (scopes.ORDERS_LIST, "recent orders", lambda: _apply_orders(snapshot, _recent_orders(api))),
    )


def _fetch(store, snapshot):
    """Run every permitted step; returns the problems met (a revoked authorization stops the rest at once)."""
    api = clients.client_for(store)
    problems = []
    for operation, label, action in _steps(store, snapshot, api):
        if not features.allows(store, operation):
            continue                                   # the page says which permission the feature needs
        try:
            action()
        except ReauthRequired:
            return problems + [REAUTH_PROBLEM]
        except ScopeError:
            problems.append(f"{label}: missing permission")
        except NotFound:
            problems.append(f"{label}: not available")
        except JumpsellerError as exc:
            problems.append(f"{label}: {type(exc).__name__}")
    return problems


def refresh_snapshot(store_code):
    """Fetch the dashboard figures of a store from Jumpseller and cache them; returns the problems met.

    Needs an app context only. Never raises: an unexpected failure is logged and reported as a problem, so an
    install, a page or a job never fails because of a chart.
    """
    store = stores.get_store(store_code)
    if store is None or store.credential is None or store.status == StoreStatus.DISCONNECTED:
        return ["not connected"]
    try:
        snapshot = store.snapshot or StoreSnapshot(daily=[], latest_orders=[])
        store.snapshot = snapshot
        now = utcnow()
        if store.status == StoreStatus.REAUTH_REQUIRED:
            problems = [REAUTH_PROBLEM]                 # its refresh token was refused: no call can succeed
        else:
            problems = _fetch(store, snapshot)
            snapshot.fetched_at = now
        if problems:
            snapshot.last_error = "; ".join(problems)[:500]
            snapshot.last_error_at = now
        else:
            snapshot.last_error = snapshot.last_error_at = None
        db.session.commit()
    except Exception:  # noqa: BLE001 - the page shows cached data with a note instead
        db.session.rollback()
        log.warning("snapshot refresh for %s failed", store_code, exc_info=True)
        return ["refresh failed"]
    if problems:
        log.info("snapshot refresh for %s incomplete: %s", store_code, "; ".join(problems))
    return problems
