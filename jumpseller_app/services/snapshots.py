"""Dashboard figures cached in the database: refreshed on install and on demand, read on every page view."""

from datetime import date, timedelta

from flask import current_app

from ..extensions import db
from ..jumpseller import JumpsellerError, NotFound, ScopeError
from ..models import StoreSnapshot, utcnow
from . import credentials, stores

DAYS = 30
LATEST = 8
# A hard cap on the orders one refresh walks through, so a huge store cannot stall the request.
MAX_ORDERS = 5000


def snapshot_of(store):
    """The store's cached figures (an empty, unsaved snapshot if none were fetched yet)."""
    return store.snapshot or StoreSnapshot(daily=[], latest_orders=[])


def _day(value):
    """The YYYY-MM-DD prefix of an order date ("2024-05-01 10:00:00 UTC" or ISO 8601), or None."""
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _number(value):
    # Real deliveries send some numbers as strings ("182000.0").
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _customer_name(order):
    customer = order.get("customer") or {}
    if not isinstance(customer, dict):
        return ""
    name = customer.get("fullname") or " ".join(filter(None, (customer.get("name"), customer.get("surname"))))
    return str(name or customer.get("email") or "")[:120]


def summarize_order(order):
    """The few fields of an order the dashboard shows."""
    return {
        "id": order.get("id"),
        "created_at": str(order.get("created_at") or "")[:19],
        "status": str(order.get("status") or "")[:40],
        "total": _number(order.get("total")),
        "currency": str(order.get("currency") or "")[:8],
        "customer": _customer_name(order),
    }


def daily_series(orders, *, today):
    """Orders and sales per day over the last DAYS days, oldest first, zero-filled."""
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    buckets = {d: {"date": d.isoformat(), "orders": 0, "sales": 0.0} for d in days}
    for order in orders:
        bucket = buckets.get(_day(order.get("created_at")))
        if bucket is not None:
            bucket["orders"] += 1
            bucket["sales"] = round(bucket["sales"] + _number(order.get("total")), 2)
    return [buckets[d] for d in days]


def _try(problems, label, call):
    """Run one API call; a failure is noted and leaves that figure as it was."""
    try:
        return call(), True
    except ScopeError:
        problems.append(f"{label}: missing permission")
    except NotFound:
        problems.append(f"{label}: not available")
    except JumpsellerError as exc:
        problems.append(f"{label}: {type(exc).__name__}")
    return None, False


def _recent_orders(api):
    orders = []
    for order in api.orders.iter_all(dateFilter="last30days"):
        orders.append(order)
        if len(orders) >= MAX_ORDERS:
            break
    return orders


def refresh(store, *, api=None):
    """Fetch store info and the dashboard figures from Jumpseller and cache them; returns the problems met."""
    api = api or credentials.client_for(store)
    snapshot = store.snapshot or StoreSnapshot(daily=[], latest_orders=[])
    store.snapshot = snapshot
    problems = []
    info, ok = _try(problems, "store", api.store.info)
    if ok:
        stores.apply_info(store, info)
    for label, resource in (("products", api.products), ("orders", api.orders), ("customers", api.customers)):
        count, ok = _try(problems, label, resource.count)
        if ok:
            setattr(snapshot, f"{label}_count", int(count))
    recent, ok = _try(problems, "recent orders", lambda: _recent_orders(api))
    if ok:
        snapshot.daily = daily_series(recent, today=utcnow().date())
        newest = sorted(recent, key=lambda o: (str(o.get("created_at") or ""), o.get("id") or 0), reverse=True)
        snapshot.latest_orders = [summarize_order(o) for o in newest[:LATEST]]
    now = utcnow()
    if problems:
        snapshot.last_error = "; ".join(problems)[:500]
        snapshot.last_error_at = now
    else:
        snapshot.last_error = snapshot.last_error_at = None
    snapshot.fetched_at = now
    db.session.commit()
    if problems:
        current_app.logger.info("snapshot refresh for %s incomplete: %s", store.code, snapshot.last_error)
    return problems


def refresh_quietly(store):
    """refresh(), but an unexpected failure never breaks the caller (an install must not fail for a chart)."""
    try:
        return refresh(store)
    except Exception:  # noqa: BLE001 - the page shows cached data with a note instead
        db.session.rollback()
        current_app.logger.warning("snapshot refresh for %s failed", store.code, exc_info=True)
        return ["refresh failed"]
