"""The realistic profile over real HTTP: every kind of departure really happens (in es, pt and en stores), records
differ, the same seed gives the same bodies, and the profile is an option at start and at runtime."""
import re

import pytest
import requests

from sandbox.__main__ import parse_args
from sandbox.server import SandboxServer

T = 10
OPTIONS = {"port": 0, "rate_limit": "off", "seed_products": 30, "seed_orders": 80, "seed_customers": 40}
STORES = [{"code": "loja-pt", "language": "pt", "currency": "BRL", "country": "BR", "timezone": "America/Sao_Paulo"},
          {"code": "shop-en", "language": "en", "currency": "USD", "country": "US", "timezone": "America/New_York"}]
SPANISH_SHIPMENT = {"Entregado", "Solicitado", "En Tránsito", "Fallido", "Disponible para Retiro", "No Procesado",
                    "No Aplicable"}


def start(**options):
    server = SandboxServer(**{**OPTIONS, **options}).start()
    for store in STORES:
        requests.post(f"{server.url}/_sandbox/stores", json=store, timeout=T).raise_for_status()
    return server


@pytest.fixture(scope="module")
def srv():
    server = start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def clean():
    server = start(profile="clean")
    yield server
    server.stop()


def get(server, path, store="sandbox", **params):
    record = server.state.stores[store]
    response = requests.get(f"{server.url}/v1{path}", params=params, auth=(record.login, record.authtoken),
                            timeout=T)
    assert response.status_code == 200, response.text
    return response


def items(server, path, key, store="sandbox"):
    return [item[key] for item in get(server, path, store, limit=100).json()]


def test_the_default_profile_is_realistic_and_its_tokens_leave_scope_out(srv, clean):
    assert requests.get(f"{srv.url}/_sandbox/config", timeout=T).json()["profile"] == "realistic"
    assert (srv.state.config.token_scope, clean.state.config.token_scope) == ("omit", "include")


def test_empty_values_are_null(srv):
    orders = items(srv, "/orders.json", "order")
    assert any(o["tracking_number"] is None for o in orders) and any(o["tracking_number"] for o in orders)
    assert any(o["coupons"] is None for o in orders) and any(o["coupons"] == "BIENVENIDA10" for o in orders)
    assert all(o["source"]["medium"] is None for o in orders)  # "" in the clean profile
    assert '""' not in get(srv, "/orders.json", limit=100).text  # no empty string anywhere
    products = items(srv, "/products.json", "product")
    assert any(p["sku"] is None for p in products) and any(isinstance(p["sku"], str) for p in products)
    assert any(p["compare_at_price"] is None for p in products)
    customers = items(srv, "/customers.json", "customer")
    assert any(c["phone"] is None for c in customers) and any(c["phone"] for c in customers)
    assert get(srv, "/store/info.json").json()["fb_pixel_id"] is None


def test_some_numbers_come_as_strings(srv):
    orders = items(srv, "/orders.json", "order")
    discounts = [o["discount"] for o in orders]
    assert any(isinstance(d, str) and re.fullmatch(r"\d+\.\d+", d) for d in discounts)
    assert any(isinstance(d, int) for d in discounts)  # not every record the same
    assert any(isinstance(o["customer"]["id"], str) for o in orders)
    rates = [t["rate"] for o in orders for line in o["products"] for t in line["taxes"]]
    assert "19.0" in rates and 19.0 in rates
    assert all(isinstance(p["discount"], str) for p in items(srv, "/products.json", "product"))


@pytest.mark.parametrize("store, not_applicable, paid", [
    ("sandbox", "No Aplicable", "Pagada"), ("loja-pt", "Não Aplicável", "Pago"), ("shop-en", "not_applicable", "Paid")])
def test_statuses_in_the_store_language(srv, store, not_applicable, paid):
    orders = items(srv, "/orders.json", "order", store)
    assert not_applicable in {o["shipment_status"] for o in orders}
    assert paid in {o["status_name"] for o in orders}
    assert {o["status"] for o in orders} <= {"Abandoned", "Canceled", "Pending Payment", "Paid"}  # stays English
    if store == "sandbox":
        assert {o["shipment_status"] for o in orders} <= SPANISH_SHIPMENT


def test_orders_without_shipping(srv, clean):
    orders = items(srv, "/orders.json", "order")
    digital = [o for o in orders if o["shipping_option"] == "no_shipping"]
    assert digital and len(digital) < len(orders) / 2
    for order in digital:
        assert order["shipping_address"] is None and order["shipment_status_enum"] == "not_applicable"
        assert order["shipping"] == 0 and order["shipping_required"] is False
    assert all(o["shipping_address"] for o in orders if o["shipping_option"] == "delivery")
    # The clean profile has no value for them in the spec, so it leaves those keys out.
    twin = get(clean, f"/orders/{digital[0]['id']}.json").json()["order"]
    assert "shipping_address" not in twin and "shipment_status" not in twin and twin["shipping"] == 0.0


def test_keys_the_spec_lacks_and_keys_it_has_but_bodies_leave_out(srv):
    products = items(srv, "/products.json", "product")
    assert all(p["currency"] == "CLP" and "meta_description" in p and p["fields"] == [] for p in products)
    assert all(c["description"] is None for p in products for c in p["categories"])
    assert any("quotable" in p for p in products) and any("quotable" not in p for p in products)
    lines = [line for o in items(srv, "/orders.json", "order") for line in o["products"]]
    assert all(line["tax"] == 0 and line["files"] == [] for line in lines)


def test_whole_money_for_zero_decimal_currencies(srv):
    chilean = get(srv, "/orders.json", limit=100).text
    assert re.search(r'"total":\d+[,}]', chilean) and not re.search(r'"total":\d+\.\d', chilean)
    american = get(srv, "/orders.json", "shop-en", limit=100).text
    assert re.search(r'"total":\d+\.\d+', american)
    assert re.search(r'"tax":0[,}]', american)  # zero amounts are whole in any currency


def test_the_same_seed_gives_the_same_bodies(srv):
    other = start()

    def text(server, path):
        # Seeded orders lead up to each sandbox's start, so only their times may differ.
        body = get(server, path, limit=100).text.replace(server.url, "")
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", "<time>", body)

    try:
        for path in ("/orders.json", "/products.json", "/customers.json"):
            assert text(srv, path) == text(other, path), path
    finally:
        other.stop()


def test_the_profile_switches_at_runtime_and_token_scope_follows_unless_set():
    server = SandboxServer(**OPTIONS).start()
    try:
        def switch(**changes):
            answer = requests.post(f"{server.url}/_sandbox/config", json=changes, timeout=T)
            assert answer.status_code == 200, answer.text
            return answer.json()

        assert isinstance(get(server, "/products/1001.json").json()["product"]["discount"], str)
        assert switch(profile="clean")["token_scope"] == "include"
        assert get(server, "/products/1001.json").json()["product"]["discount"] == 0.0  # cached JSON re-rendered
        assert get(server, "/customers/100001.json").json()["customer"]["phone"]
        switch(token_scope="omit")
        assert switch(profile="realistic")["token_scope"] == "omit"
        assert switch(profile="clean")["token_scope"] == "omit"  # set explicitly: the profile leaves it alone
        bad = requests.post(f"{server.url}/_sandbox/config", json={"profile": "messy"}, timeout=T)
        assert bad.status_code == 400 and "profile" in bad.json()["error"]
    finally:
        server.stop()


def test_the_options_at_start():
    args = parse_args(["--port", "1", "--profile", "clean", "--language", "pt"])
    assert (args.profile, args.language, args.token_scope) == ("clean", "pt", None)
    with SandboxServer(rate_limit="off", language="pt", seed_products=0, seed_customers=0, prerender=False) as server:
        names = {o["order"]["shipment_status"] for o in requests.get(
            f"{server.url}/v1/orders.json", auth=(server.state.default_store.login,
                                                  server.state.default_store.authtoken), timeout=T).json()}
        assert names & {"Não Processado", "Entregue", "Não Aplicável", "Em Trânsito"}
        refused = requests.post(f"{server.url}/_sandbox/stores", json={"code": "x", "language": "xx"}, timeout=T)
        assert refused.status_code == 400 and "language" in refused.json()["error"]
    with pytest.raises(ValueError):
        SandboxServer(profile="messy")
