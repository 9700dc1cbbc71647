"""Sandbox orders over real HTTP: seeded data, filters, pagination, after/{id}, edits and history."""
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from sandbox.server import SandboxServer

from ..support.cost import CpuTimer

T = 10
SANTIAGO = ZoneInfo("America/Santiago")


@pytest.fixture(scope="module")
def srv():
    server = SandboxServer(port=0, rate_limit="off", seed_products=50, seed_orders=120, seed_customers=20,
                           profile="clean").start()  # exact shapes; the realistic ones: test_realism.py
    yield server
    server.stop()


def get(srv, owner, path, **params):
    response = requests.get(f"{srv.url}/v1{path}", auth=owner, params=params, timeout=T)
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response.json()


def all_orders(srv, owner):
    pages = [get(srv, owner, "/orders.json", limit=100, page=n) for n in (1, 2)]
    return [item["order"] for page in pages for item in page]


def created(order) -> datetime:
    return datetime.strptime(order["created_at"], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=timezone.utc)


def test_seeded_orders_are_consistent(srv, owner):
    orders = all_orders(srv, owner)
    assert len(orders) == 120 == get(srv, owner, "/orders/count.json")["count"]
    now = datetime.fromtimestamp(srv.state.now(), timezone.utc)
    statuses = Counter(o["status_enum"] for o in orders)
    assert statuses["paid"] > 60 and set(statuses) <= {"paid", "pending_payment", "canceled", "abandoned"}
    for order in orders:
        assert now - timedelta(days=60, seconds=1) <= created(order) <= now
        assert order["currency"] == "CLP"
        lines = order["products"]
        assert order["subtotal"] == sum(line["price"] * line["qty"] for line in lines)
        assert order["total"] == order["subtotal"] - order["discount"] + order["shipping"] + order["tax"]
        assert order["status"] == {"paid": "Paid", "pending_payment": "Pending Payment", "canceled": "Canceled",
                                   "abandoned": "Abandoned"}[order["status_enum"]]
    # Lines and buyers point at real seeded products, variants and customers.
    for order in orders[:10]:
        for line in order["products"]:
            product = get(srv, owner, f"/products/{line['id']}.json")["product"]
            variant = next(v for v in product["variants"] if v["id"] == line["variant_id"])
            assert (line["name"], line["sku"], line["price"]) == (product["name"], variant["sku"], variant["price"])
            assert line["image"].startswith(srv.url)
        customer = get(srv, owner, f"/customers/{order['customer']['id']}.json")["customer"]
        assert customer["email"] == order["customer"]["email"]


def test_seed_is_deterministic():
    with SandboxServer(rate_limit="off", seed_orders=5) as a, SandboxServer(rate_limit="off", seed_orders=5) as b:
        owner = (a.state.default_store.login, a.state.default_store.authtoken)
        first = requests.get(f"{a.url}/v1/orders/5003.json", auth=owner, timeout=T).json()["order"]
        second = requests.get(f"{b.url}/v1/orders/5003.json", auth=owner, timeout=T).json()["order"]
    for order in (first, second):  # only the host part of served images and the clock-relative times differ
        for line in order["products"]:
            line["image"] = line["image"].split("/_sandbox/")[1]
        for key in ("created_at", "completed_at"):
            order.pop(key, None)
        order["source"].pop("first_page_visited_at")
    assert first == second


def test_lists_are_newest_first_and_paged(srv, owner):
    orders = all_orders(srv, owner)
    ids = [o["id"] for o in orders]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 120
    assert [o["order"]["id"] for o in get(srv, owner, "/orders.json")] == ids[:50]  # default limit 50
    assert [o["order"]["id"] for o in get(srv, owner, "/orders.json", page=3, limit=10)] == ids[20:30]
    assert len(get(srv, owner, "/orders.json", limit=500)) == 100
    assert get(srv, owner, "/orders.json", page=3, limit=100) == []


def test_after_id_is_oldest_first_and_paged(srv, owner):
    after = get(srv, owner, "/orders/after/5100.json")
    assert [o["order"]["id"] for o in after] == list(range(5101, 5121))
    page = get(srv, owner, "/orders/after/5000.json", limit=7, page=3)
    assert [o["order"]["id"] for o in page] == list(range(5015, 5022))
    assert get(srv, owner, "/orders/after/5120.json") == []


def test_status_path_and_status_filters(srv, owner):
    orders = all_orders(srv, owner)
    by_status = Counter(o["status_enum"] for o in orders)
    paid = get(srv, owner, "/orders/status/paid.json", limit=100) + get(srv, owner, "/orders/status/paid.json",
                                                                        limit=100, page=2)
    assert len(paid) == by_status["paid"] and all(o["order"]["status_enum"] == "paid" for o in paid)
    both = requests.get(f"{srv.url}/v1/orders.json", auth=owner, timeout=T,
                        params=[("status_filters[]", "canceled"), ("status_filters[]", "abandoned"),
                                ("limit", 100)]).json()
    assert len(both) == by_status["canceled"] + by_status["abandoned"]
    assert {o["order"]["status_enum"] for o in both} == {"canceled", "abandoned"}
    invalid = requests.get(f"{srv.url}/v1/orders/status/shipped.json", auth=owner, timeout=T)
    assert invalid.status_code == 404 and invalid.json() == {"message": "Status Invalid."}


def _local_day(order) -> date:
    return created(order).astimezone(SANTIAGO).date()


def test_date_filters_follow_the_store_timezone(srv, owner):
    orders = all_orders(srv, owner)
    today = datetime.fromtimestamp(srv.state.now(), SANTIAGO).date()

    def ids(**params):
        found = get(srv, owner, "/orders.json", limit=100, **params)
        return {o["order"]["id"] for o in found}

    def expected(first, last):
        return {o["id"] for o in orders if first <= _local_day(o) <= last}

    assert ids(dateFilter="today") == expected(today, today)
    assert ids(dateFilter="yesterday") == expected(today - timedelta(days=1), today - timedelta(days=1))
    week = ids(dateFilter="last7days")
    assert week == expected(today - timedelta(days=6), today) and week
    assert ids(dateFilter="last30days") == expected(today - timedelta(days=29), today)
    first, last = today - timedelta(days=40), today - timedelta(days=35)
    custom = ids(dateFilter="customDate", initialDate=first.isoformat(), finalDate=last.isoformat())
    assert custom == expected(first, last) and custom
    paid_week = ids(dateFilter="last7days", **{"status_filters[]": "paid"})
    assert paid_week == {o["id"] for o in orders if o["id"] in week and o["status_enum"] == "paid"}
    bad = requests.get(f"{srv.url}/v1/orders.json", auth=owner, params={"dateFilter": "customDate",
                                                                      "initialDate": "2024-13-01"}, timeout=T)
    assert bad.status_code == 400 and "initialDate" in bad.json()["message"]


def test_date_filters_use_the_sandbox_clock():
    with SandboxServer(rate_limit="off", seed_orders=60) as server:
        owner = (server.state.default_store.login, server.state.default_store.authtoken)

        def month():
            return len(requests.get(f"{server.url}/v1/orders.json", auth=owner, timeout=T,
                                    params={"dateFilter": "last90days", "limit": 100}).json())

        assert month() == 60
        server.state.advance_clock(75 * 86400)  # the oldest orders fall out of the 90-day window
        assert 0 < month() < 60


def test_put_changes_only_editable_fields_and_records_history(srv, owner):
    before = get(srv, owner, "/orders/5004.json")["order"]
    target = "canceled" if before["status_enum"] != "canceled" else "paid"
    response = requests.put(f"{srv.url}/v1/orders/5004.json", auth=owner, timeout=T, json={"order": {
        "status": {"canceled": "Canceled", "paid": "Paid"}[target], "tracking_number": "TRK-1",
        "additional_information": "Llamar antes", "total": 1, "currency": "USD", "id": 1,
        "customer": {"email": "x@example.org"}}})
    assert response.status_code == 200, response.text
    after = response.json()["order"]
    assert after["status_enum"] == target and after["tracking_number"] == "TRK-1"
    assert after["additional_information"] == "Llamar antes"
    # Fields outside OrderEdit are silently ignored, as Rails' strong parameters do.
    for key in ("id", "total", "currency", "customer", "products", "created_at"):
        assert after[key] == before[key], key
    assert get(srv, owner, "/orders/5004.json")["order"] == after
    history = get(srv, owner, "/orders/5004/history.json")
    assert history[-1]["order_history"]["message"].startswith("Status changed from")
    assert len({h["order_history"]["id"] for h in history}) == len(history)
    assert 5004 in {o["order"]["id"] for o in get(srv, owner, f"/orders/status/{target}.json", limit=100)}


@pytest.mark.parametrize("order, field", [
    ({"status": "Shipped"}, "status"),
    ({"shipment_status": "lost"}, "shipment_status"),
    ({"additional_fields": "x"}, "additional_fields"),
    ({"tracking_number": {"a": 1}}, "tracking_number"),
])
def test_put_rejects_bad_values_of_editable_fields(srv, owner, order, field):
    response = requests.put(f"{srv.url}/v1/orders/5005.json", auth=owner, json={"order": order}, timeout=T)
    assert response.status_code == 422 and field in response.json()["errors"]


def test_put_accepts_the_enum_form_of_status(srv, owner):
    response = requests.put(f"{srv.url}/v1/orders/5006.json", auth=owner, timeout=T,
                            json={"order": {"status": "pending_payment", "shipment_status": "requested"}})
    assert response.status_code == 200
    order = response.json()["order"]
    assert (order["status"], order["shipment_status"]) == ("Pending Payment", "Requested")


def test_large_seed_starts_fast_and_pages_fast():
    # CPU, not wall-clock, seconds (a busy machine does not make the work cost more); no background
    # rendering, so the pages below are served cold and the measure is their work alone.
    with CpuTimer() as start:
        server = SandboxServer(seed_products=20000, seed_orders=5000, seed_customers=5000, rate_limit="off",
                               prerender=False).start()
    try:
        owner = (server.state.default_store.login, server.state.default_store.authtoken)
        assert requests.get(f"{server.url}/v1/orders/count.json", auth=owner, timeout=T).json() == {"count": 5000}
        with CpuTimer() as filtered:
            paid = requests.get(f"{server.url}/v1/orders.json", auth=owner, timeout=T,
                                params={"status_filters[]": "paid", "dateFilter": "last7days", "limit": 100})
            last = requests.get(f"{server.url}/v1/orders/after/9950.json", auth=owner, timeout=T).json()
    finally:
        server.stop()
    assert start.seconds < 3.0
    assert paid.status_code == 200 and paid.json()
    assert [o["order"]["id"] for o in last] == list(range(9951, 10001))
    assert filtered.seconds < 3.0


def test_an_order_created_through_the_api_keeps_the_given_values(srv, owner):
    product = get(srv, owner, "/products.json", limit=1)[0]["product"]
    variant = product["variants"][0] if product.get("variants") else None
    line = {"id": product["id"], "qty": 2, "price": 1500}
    if variant:
        line["variant_id"] = variant["id"]
    count = get(srv, owner, "/orders/count.json")["count"]
    body = {"order": {"status": "Paid", "shipping_method_name": "Courier", "shipping_price": 3000,
                      "customer": {"email": "Compra@Cliente.cl", "name": "Ana", "surname": "Rojas",
                                   "shipping_address": {"address": "Calle 1", "city": "Santiago"}},
                      "products": [line]}}
    created = requests.post(f"{srv.url}/v1/orders.json", auth=owner, json=body, timeout=T)
    assert created.status_code == 200, created.text
    order = created.json()["order"]
    assert order["status"] == "Paid" and order["customer"]["email"] == "compra@cliente.cl"
    assert order["customer"]["fullname"] == "Ana Rojas" and order["shipping_address"]["address"] == "Calle 1"
    assert [(p["id"], p["qty"], p["price"]) for p in order["products"]] == [(product["id"], 2, 1500.0)]
    assert (order["subtotal"], order["shipping"], order["total"]) == (3000.0, 3000.0, 6000.0)
    assert order["source"]["created_from"] == "api"
    assert get(srv, owner, "/orders/count.json")["count"] == count + 1
    assert get(srv, owner, f"/orders/{order['id']}.json")["order"]["total"] == 6000.0


@pytest.mark.parametrize("order, field", [
    ({"products": [{"id": 1, "qty": 1}]}, "customer"),
    ({"customer": {"email": "a@b.cl"}}, "products"),
    ({"customer": {"email": "a@b.cl"}, "products": [{"id": 999999999, "qty": 1}]}, "products"),
    ({"customer": {"email": "not-an-email"}, "products": [{"id": 1, "qty": 1}]}, "customer"),
    ({"customer": {"email": "a@b.cl"}, "products": [{"id": 1, "qty": 0}]}, "products"),
    ({"status": "Shipped", "customer": {"email": "a@b.cl"}, "products": [{"id": 1, "qty": 1}]}, "status"),
])
def test_an_invalid_order_is_refused_with_errors_and_not_stored(srv, owner, order, field):
    count = get(srv, owner, "/orders/count.json")["count"]
    refused = requests.post(f"{srv.url}/v1/orders.json", auth=owner, json={"order": order}, timeout=T)
    assert refused.status_code == 422 and field in refused.json()["errors"], refused.text
    assert get(srv, owner, "/orders/count.json")["count"] == count
