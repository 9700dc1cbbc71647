"""The dashboard over real HTTP against the sandbox's realistic profile: its figures come from the mirror the
install's full sync filled, equal what the sandbox holds, and a page view never calls Jumpseller."""

import re
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.jumpseller import scopes
from jumpseller_app.models import MirrorOrder, Store, utcnow
from jumpseller_app.services import snapshots

from ..support.flows import install, sandbox_credentials, stats
from ..support.iframe import api_requests


@pytest.fixture
def sandbox_options(sandbox_options):
    """Realistic answers (nulls, numbers as strings such as "19.0", statuses in Spanish)."""
    return {**sandbox_options, "profile": "realistic", "language": "es"}


@pytest.fixture
def app_config(app_config):
    """The app asking for its features' scopes, as deployed."""
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def raw(sandbox, path, **params):
    """An API answer as the store owner's Basic credentials get it, untouched."""
    response = requests.get(f"{sandbox.url}/v1/{path}", params=params, auth=sandbox_credentials(sandbox), timeout=10)
    response.raise_for_status()
    return response.json()


def number(value):
    """A count or amount as the sandbox sends it (a number, or in a realistic profile perhaps a string)."""
    return int(float(value))


def every_order_of_30_days(sandbox):
    """The orders of the dashboard's window: the last 30 UTC days, today included. The API's date filters work in
    the store's time zone (America/Santiago here), so ask for a day more on each side and cut in UTC."""
    today = datetime.now(timezone.utc).date()
    first = today - timedelta(days=snapshots.DAYS - 1)
    page = 1
    while True:
        items = raw(sandbox, "orders.json", limit=100, page=page, dateFilter="customDate",
                    initialDate=(first - timedelta(days=1)).isoformat(),
                    finalDate=(today + timedelta(days=1)).isoformat())
        yield from (item for item in items
                    if first.isoformat() <= utc_day(item.get("order", item)["created_at"]) <= today.isoformat())
        if len(items) < 100:
            return
        page += 1


def utc_day(text):
    """The UTC date of "2024-05-01 10:00:00 UTC" or an ISO 8601 time with an offset, as YYYY-MM-DD."""
    moment = datetime.fromisoformat(str(text).replace(" UTC", "+00:00").replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).date().isoformat()


def figure(page, name):
    return re.search(rf'data-testid="count-{name}">([^<]*)<', page).group(1)


def paths_called(sandbox):
    return stats(sandbox)["api_requests_by_path"]["sandbox"]


def test_the_dashboard_shows_the_stores_figures(app, live_app, sandbox, browser):
    page = install(browser, live_app).text
    # From here on the page reads the database only: views cost the sandbox no call.
    before = api_requests(sandbox)
    for _ in range(3):
        assert browser.get(live_app.url + "/", timeout=10).status_code == 200
    assert api_requests(sandbox) == before
    assert 'data-testid="store-title">Sandbox Store<' in page
    for name in ("products", "orders", "customers"):
        assert figure(page, name) == str(number(raw(sandbox, f"{name}/count.json")["count"])), name
    assert 'data-testid="stale-note"' not in page and 'data-testid="permission-dashboard"' not in page
    # Chilean pesos have no cents: amounts read "182,000 CLP", never "182,000.00 CLP".
    assert re.search(r"\d CLP", page) and not re.search(r"\d\.\d\d CLP", page)

    newest = raw(sandbox, "orders.json", limit=50, dateFilter="last30days")
    with app.app_context():
        snapshot = db.session.scalar(select(Store)).snapshot
        assert snapshot.last_error is None and len(snapshot.daily) == 30
        latest, daily = snapshot.latest_orders, snapshot.daily
    # Every order of the last 30 days counts once, on its day (abandoned checkouts are not orders).
    assert sum(day["orders"] for day in daily) <= number(raw(sandbox, "orders/count.json")["count"])
    assert all(day["sales"] >= 0 for day in daily)
    if newest:
        ids = {number(item.get("order", item)["id"]) for item in newest}
        assert latest and latest[0]["id"] in ids
        assert f"<td>{latest[0]['id']}</td>" in page
        assert all(entry["state"] in {"paid", "pending_payment", "canceled", "abandoned", "unknown"}
                   for entry in latest)
        today = datetime.now(timezone.utc).date()
        assert all(today - timedelta(days=31) <= datetime.fromisoformat(e["created_at"]).date() <= today
                   for e in latest)
    else:
        assert "No orders in the last 30 days." in page


def test_orders_figure_sums_paid_sales_per_day(app, live_app, sandbox, browser):
    install(browser, live_app)
    with app.app_context():
        daily = db.session.scalar(select(Store)).snapshot.daily
    paid = {}
    for item in every_order_of_30_days(sandbox):
        order = item.get("order", item)
        if order.get("status_enum") == "paid" or order.get("status") in ("Paid", "Pagada", "Pago"):
            day = utc_day(order["created_at"])
            paid[day] = round(paid.get(day, 0.0) + float(order["total"]), 2)
    assert paid, "the sandbox's default data has paid orders in the last 30 days"
    assert {d["date"]: d["sales"] for d in daily if d["sales"]} == paid


def test_a_dashboard_without_its_scopes_asks_for_them_and_calls_nothing_it_may_not(app, live_app, sandbox, browser):
    app.config["JUMPSELLER_SCOPES"] = "read_store read_products write_products"
    page = install(browser, live_app).text
    assert "The dashboard needs permission to read orders and customers." in page
    # The connection panel's needs come from the features, not from what the app happened to be configured with.
    # (Since issue 9 the feature pages add theirs: write_store for Categories, write_orders, read_taxes…)
    granted = {"read_store", "read_products", "write_products"}
    missing = " ".join(scope for scope in scopes.required() if scope not in granted)
    assert missing.startswith("read_orders read_customers read_hooks write_hooks write_store ")
    assert f'data-testid="missing-scopes">{missing}<' in page
    reauthorize = re.search(r'<a[^>]*data-testid="permission-reauthorize"[^>]*>', page).group(0)
    assert 'href="/oauth/install"' in reauthorize and "data-connect" in reauthorize
    assert "missing permission" not in page and 'data-testid="stale-note"' not in page
    assert figure(page, "orders") == "–" and figure(page, "customers") == "–"
    assert figure(page, "products") == str(number(raw(sandbox, "products/count.json")["count"]))
    called = paths_called(sandbox)
    for path in ("/v1/orders/count.json", "/v1/customers/count.json", "/v1/orders.json"):
        assert called.get(f"GET {path}", 0) == 0, path
    with app.app_context():
        assert db.session.scalar(select(Store)).snapshot.last_error is None
    spanish = browser.get(live_app.url + "/", headers={"Accept-Language": "es"}, timeout=5).text
    assert "El panel necesita permiso para leer pedidos y clientes." in spanish

    # One click on Re-authorize with the app's full scopes: the dashboard is complete, the request gone.
    app.config["JUMPSELLER_SCOPES"] = config.DEFAULT_SCOPES
    again = install(browser, live_app).text
    assert "needs permission" not in again
    assert figure(again, "orders") == str(number(raw(sandbox, "orders/count.json")["count"]))


def test_the_series_counts_orders_and_paid_sales_by_canonical_state(app, live_app, sandbox, browser):
    """Abandoned checkouts are no orders, only paid orders are sales, an unknown status is an order but no sale."""
    install(browser, live_app)
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        store = db.session.scalar(select(Store))
        db.session.execute(MirrorOrder.__table__.delete().where(MirrorOrder.store_id == store.id))
        for remote_id, state, total in ((1, "paid", 10.5), (2, "paid", 4.25), (3, "abandoned", 99.0),
                                        (4, "unknown", 7.0), (5, "pending_payment", 3.0)):
            db.session.add(MirrorOrder(store_id=store.id, remote_id=remote_id, created_at_remote=now, state=state,
                                       total=total, status_text="Pagada" if state == "paid" else "?",
                                       source_at=now))
        # Older than the window: not in the series.
        db.session.add(MirrorOrder(store_id=store.id, remote_id=6, created_at_remote=now - timedelta(days=40),
                                   state="paid", total=1000.0, source_at=now))
        db.session.commit()
        assert snapshots.refresh_snapshot(store.code) == []
        snapshot = db.session.scalar(select(Store)).snapshot
        today = snapshot.daily[-1]
        assert today == {"date": now.date().isoformat(), "orders": 4, "sales": 14.75}
        assert sum(day["orders"] for day in snapshot.daily) == 4 and snapshot.orders_count == 6
        assert [o["id"] for o in snapshot.latest_orders] == [5, 4, 3, 2, 1]


def test_hook_deliveries_applied_after_the_figures_make_them_recomputed(app, live_app, sandbox, browser):
    """A drained inbox (the hook path into the mirror) queues a recompute of the stores it changed, and only those."""
    from jumpseller_app.jobs import tasks
    from jumpseller_app.models import MirrorProduct, WebhookEvent, WebhookStatus

    install(browser, live_app)
    with app.app_context():
        store = db.session.scalar(select(Store))
        counted = store.snapshot.products_count
        assert tasks.recompute_after_hooks() == 0                    # nothing applied since: nothing to do
        now = utcnow()
        db.session.add(MirrorProduct(store_id=store.id, remote_id=10**9, name="From a hook", source_at=now))
        db.session.add(WebhookEvent(store_id=store.id, event="product_created", delivery_key="k" * 64,
                                    body=b"{}", status=WebhookStatus.PROCESSED, received_at=now,
                                    processed_at=now))
        db.session.commit()
        before = api_requests(sandbox)
        assert tasks.recompute_after_hooks() == 1                    # JOBS_IMMEDIATE: recomputed already
        db.session.expire_all()
        assert db.session.scalar(select(Store)).snapshot.products_count == counted + 1
        assert tasks.recompute_after_hooks() == 0
        assert api_requests(sandbox) == before                       # from the database alone
