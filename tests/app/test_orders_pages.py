"""The Orders pages over real HTTP against the sandbox: every method through the page a merchant uses.

List, count, info and export read the mirror; abandoned checkouts and an order's shipments read what a refresh job
stored; the status lists are Jumpseller's fixed enums; add and status/tracking changes are write jobs (run inline in
tests) whose status page leads to the order, or back to the form with Jumpseller's errors. The sandbox's own API
(Basic auth) is the witness of what changed.
"""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.models import ApiWrite, MirrorDocument, MirrorOrder, MirrorOrderLine

from ..support.flows import csrf_token, install
from ..support.iframe import api_requests
from ..support.pages import post_page as post


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


@pytest.fixture
def token(live_app, browser, signed_in):
    return csrf_token(browser.get(live_app.url + "/orders/new", timeout=10).text)


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def mirrored(app, remote_id):
    with app.app_context():
        return db.session.scalar(select(MirrorOrder).where(MirrorOrder.remote_id == remote_id))


def ids_on(page):
    return [int(i) for i in re.findall(r'data-testid="order-(\d+)"', page)]


def test_count_list_search_filters_and_sort_read_the_mirror_and_call_nothing(app, live_app, sandbox, browser,
                                                                           signed_in, api):
    assert 'data-testid="nav-orders"' in signed_in
    total = api.orders.count()
    remote = list(api.orders.iter_all())
    before = api_requests(sandbox)
    page = browser.get(live_app.url + "/orders", params={"sort": "id", "per_page": 5}, timeout=10).text
    assert f"Your store has {total} orders." in page
    assert ids_on(page) == sorted(o["id"] for o in remote)[:5]
    newest = browser.get(live_app.url + "/orders", params={"per_page": 100}, timeout=10).text
    dates = sorted(((o["created_at"], o["id"]) for o in remote), reverse=True)
    assert ids_on(newest)[0] == dates[0][1]                           # newest first by default

    target = remote[3]
    by_number = browser.get(live_app.url + "/orders", params={"q": f"#{target['id']}"}, timeout=10).text
    assert ids_on(by_number) == [target["id"]]
    by_email = browser.get(live_app.url + "/orders", params={"q": target["customer"]["email"].upper(),
                                                             "per_page": 100}, timeout=10).text
    assert target["id"] in ids_on(by_email)
    assert all(o["customer"]["email"] == target["customer"]["email"] for o in remote if o["id"] in ids_on(by_email))

    paid = {o["id"] for o in remote if o["status_enum"] == "paid"}
    shown = set(ids_on(browser.get(live_app.url + "/orders", params={"status": "paid", "per_page": 100},
                                   timeout=10).text))
    assert shown == set(sorted(paid, reverse=True)) or (len(paid) > 100 and shown <= paid)
    day = target["created_at"][:10]
    on_day = {o["id"] for o in remote if o["created_at"][:10] == day}
    ranged = set(ids_on(browser.get(live_app.url + "/orders", params={"from": day, "to": day, "per_page": 100},
                                    timeout=10).text))
    assert ranged == on_day
    shipment = target["shipment_status_enum"]
    by_shipment = set(ids_on(browser.get(live_app.url + "/orders", params={"shipment": shipment, "per_page": 100},
                                         timeout=10).text))
    expected = {o["id"] for o in remote if o.get("shipment_status_enum") == shipment}
    assert target["id"] in by_shipment and by_shipment == set(sorted(expected, reverse=True)[:100])
    assert api_requests(sandbox) == before                       # every list read the database only
    hostile = browser.get(live_app.url + "/orders", params={"q": "1 or 1=1<script>", "from": "x'; drop",
                                                            "sort": "total;--", "status": "<i>"}, timeout=10)
    assert hostile.status_code == 200 and "<script>" not in hostile.text


def test_info_shows_lines_and_shipments_fetched_on_refresh(app, live_app, browser, signed_in, api, token):
    fulfillment = next(iter(api.fulfillments.iter_all()))
    order_id = int(fulfillment["order_id"])
    page = browser.get(live_app.url + f"/orders/{order_id}", timeout=10).text
    remote = api.orders.get(order_id)
    assert f'data-testid="order-title">Order #{order_id}<' in page
    assert {int(i) for i in re.findall(r'data-testid="line-(\d+)"', page)} == \
        {p["id"] for p in remote["products"] if p.get("id")}
    assert 'data-testid="shipments-empty"' in page
    page = post(browser, live_app, f"/orders/{order_id}/shipments/refresh", token).text
    expected = {f["id"] for f in api.orders.fulfillments(order_id)}
    assert {int(i) for i in re.findall(r'data-testid="shipment-(\d+)"', page)} == expected
    one = browser.get(live_app.url + f"/orders/{order_id}/shipments/{fulfillment['id']}", timeout=10)
    assert one.status_code == 200 and f"Shipment #{fulfillment['id']}" in one.text
    other = next(o["id"] for o in api.orders.list(limit=50) if o["id"] != order_id)
    assert browser.get(live_app.url + f"/orders/{other}/shipments/{fulfillment['id']}",
                       timeout=10).status_code == 404
    assert browser.get(live_app.url + "/orders/999999999", timeout=10).status_code == 404


def test_abandoned_checkouts_and_the_status_lists(app, live_app, browser, signed_in, api, token):
    page = browser.get(live_app.url + "/orders/abandoned", timeout=10).text
    assert 'data-testid="abandoned-empty"' in page
    page = post(browser, live_app, "/orders/abandoned/refresh", token).text
    expected = {o["id"] for o in api.orders.iter_by_status("abandoned")}
    assert expected and {int(i) for i in re.findall(r'data-testid="abandoned-(\d+)"', page)} == expected
    assert count(app, MirrorDocument, MirrorDocument.kind == "abandoned_orders") == len(expected)
    statuses = browser.get(live_app.url + "/orders/statuses", timeout=10).text
    for key in ("pending_payment", "paid", "canceled", "abandoned"):
        assert f'data-testid="status-{key}"' in statuses
    for key in ("requested", "in_transit", "delivered", "failed", "pickup_available"):
        assert f'data-testid="shipment-status-{key}"' in statuses


def test_update_status_and_tracking(app, live_app, browser, signed_in, api, token):
    order = next(o for o in api.orders.iter_by_status("pending_payment"))
    updated = post(browser, live_app, f"/orders/{order['id']}", token, status="paid", shipment_status="in_transit",
                   tracking_number="CX-123", tracking_company="Chilexpress",
                   tracking_url="https://track.example/CX-123")
    assert updated.status_code == 200 and updated.url.endswith(f"/orders/{order['id']}")
    remote = api.orders.get(order["id"])
    assert remote["status_enum"] == "paid" and remote["shipment_status_enum"] == "in_transit"
    assert (remote["tracking_number"], remote["tracking_company"]) == ("CX-123", "Chilexpress")
    row = mirrored(app, order["id"])
    assert (row.state, row.shipment) == ("paid", "in_transit")
    assert f'data-testid="order-status">{row.status_text}<' in updated.text and row.status_text
    # A later change with the tracking fields left empty keeps Jumpseller's tracking.
    post(browser, live_app, f"/orders/{order['id']}", token, status="paid", shipment_status="delivered")
    remote = api.orders.get(order["id"])
    assert remote["shipment_status_enum"] == "delivered" and remote["tracking_number"] == "CX-123"
    assert mirrored(app, order["id"]).shipment == "delivered"

    writes = count(app, ApiWrite)
    bad = post(browser, live_app, f"/orders/{order['id']}", token, status="refunded", shipment_status="lost")
    assert bad.status_code == 422 and 'data-testid="error-status"' in bad.text
    assert 'data-testid="error-shipment_status"' in bad.text and count(app, ApiWrite) == writes


def test_add_an_order_then_jumpseller_s_validation_error_stores_nothing(app, live_app, browser, signed_in, api,
                                                                         token):
    product = api.products.list(limit=1)[0]
    remote_count = api.orders.count()
    added = post(browser, live_app, "/orders", token, email="compra@cliente.cl", name="Ana", surname="Rojas",
                 status="paid", product_id_0=str(product["id"]), qty_0="2", price_0="1.500",
                 shipping_method_name="Courier", shipping_price="2.500")
    assert added.status_code == 200, added.text
    new_id = int(re.search(r"/orders/(\d+)$", added.url).group(1))
    remote = api.orders.get(new_id)        # the sandbox store sells in CLP: "1.500" is fifteen hundred pesos
    assert remote["customer"]["email"] == "compra@cliente.cl" and remote["status_enum"] == "paid"
    assert [(p["id"], p["qty"], p["price"]) for p in remote["products"]] == [(product["id"], 2, 1500.0)]
    assert remote["total"] == 5500.0 and api.orders.count() == remote_count + 1
    row = mirrored(app, new_id)
    assert (row.customer_email, row.state, row.total) == ("compra@cliente.cl", "paid", 5500.0)
    with app.app_context():
        assert db.session.scalar(select(MirrorOrderLine.qty).where(MirrorOrderLine.order_row_id == row.id)) == 2

    orders_before, rows_before = api.orders.count(), count(app, MirrorOrder)
    refused = post(browser, live_app, "/orders", token, email="otra@cliente.cl", name="Otra", status="pending_payment",
                   product_id_0="987654321", qty_0="1", price_0="990")
    assert refused.status_code == 422 and "/orders/new?write=" in refused.url
    assert re.search(r'data-testid="error-products">[^<]*not found', refused.text)
    assert 'value="otra@cliente.cl"' in refused.text and 'value="987654321"' in refused.text
    # Nothing half-saved: no order at Jumpseller, no row, no line in the mirror for the refused one.
    assert api.orders.count() == orders_before and count(app, MirrorOrder) == rows_before
    assert count(app, MirrorOrder, MirrorOrder.customer_email == "otra@cliente.cl") == 0

    writes = count(app, ApiWrite)
    bad = post(browser, live_app, "/orders", token, email="x@y.cl", status="paid", product_id_0="12ab", qty_0="x")
    assert bad.status_code == 422 and 'data-testid="error-product_id_0"' in bad.text
    assert count(app, ApiWrite) == writes


def test_the_csv_export_streams_the_filtered_list_with_formulas_neutralized(app, live_app, browser, signed_in,
                                                                           api, token):
    product = api.products.list(limit=1)[0]
    added = post(browser, live_app, "/orders", token, email="csv@cliente.cl", name="=cmd|'/c calc'!A1",
                 surname="+x", status="paid", product_id_0=str(product["id"]), qty_0="1")
    new_id = int(re.search(r"/orders/(\d+)$", added.url).group(1))
    export = browser.get(live_app.url + "/orders/export.csv", params={"q": "csv@cliente"}, timeout=10)
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["number", "created_at", "status"] and len(rows) == 2
    assert rows[1][0] == str(new_id) and rows[1][5].startswith("'=cmd")
    paid = browser.get(live_app.url + "/orders/export.csv", params={"status": "paid"}, timeout=10)
    lines = paid.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) - 1 == count(app, MirrorOrder, MirrorOrder.state == "paid")


def test_without_csrf_or_scopes_nothing_is_queued(app, live_app, browser, api):
    app.config["JUMPSELLER_SCOPES"] = "read_store read_orders"
    install(browser, live_app)
    page = browser.get(live_app.url + "/orders", timeout=10).text
    assert 'data-testid="permission-order_writes"' in page and 'data-testid="permission-shipments"' in page
    target = api.orders.list(limit=1)[0]
    for path in ("/orders", f"/orders/{target['id']}", "/orders/abandoned/refresh"):
        assert browser.post(live_app.url + path, data={"status": "paid"}, timeout=10).status_code == 400
    token = csrf_token(browser.get(live_app.url + "/orders/new", timeout=10).text)
    refused = post(browser, live_app, f"/orders/{target['id']}", token, status="canceled")
    assert refused.status_code == 403
    assert count(app, ApiWrite) == 0 and api.orders.get(target["id"])["status_enum"] == target["status_enum"]
