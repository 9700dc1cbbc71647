"""The sandbox's /v1 API over real HTTP: auth, scopes, pagination, product CRUD, body rules."""
import pytest
import requests

from sandbox.server import SandboxServer
from sandbox.testing import obtain_tokens

from ..support.cost import CpuTimer

T = 10


@pytest.fixture
def srv(start_server):
    """A sandbox of each test's own: some tests delete or create products, none sees another's."""
    return start_server(SandboxServer(port=0, rate_limit="off", seed_products=125, auto_approve=True))


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_basic_auth_good_and_wrong(srv, owner):
    good = requests.get(f"{srv.url}/v1/store/info.json", auth=owner, timeout=T)
    assert good.status_code == 200
    assert good.json()["code"] == "sandbox" and good.json()["currency"] == "CLP"
    wrong = requests.get(f"{srv.url}/v1/store/info.json", auth=(owner[0], "0" * 32), timeout=T)
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    missing = requests.get(f"{srv.url}/v1/products.json", timeout=T)
    assert missing.status_code == 401 and missing.headers["Content-Type"] == "application/json"


def test_deprecated_query_string_credentials(srv, owner):
    response = requests.get(f"{srv.url}/v1/products/count.json",
                            params={"login": owner[0], "authtoken": owner[1]}, timeout=T)
    assert response.status_code == 200 and response.json() == {"count": 125}


def test_scope_enforcement(srv):
    tokens = obtain_tokens(srv.url, ("read_store",))
    forbidden = requests.get(f"{srv.url}/v1/products.json", headers=_bearer(tokens["access_token"]), timeout=T)
    assert forbidden.status_code == 403
    body = forbidden.json()
    assert body["error"] == "insufficient_scope" and body["required_scopes"] == ["read_products"]
    assert "Rate Limit Exceeded" not in forbidden.text
    readonly = obtain_tokens(srv.url, ("read_products",))
    write = requests.post(f"{srv.url}/v1/products.json", headers=_bearer(readonly["access_token"]),
                          json={"product": {"name": "x", "price": 1}}, timeout=T)
    assert write.status_code == 403 and write.json()["required_scopes"] == ["write_products"]
    assert requests.get(f"{srv.url}/v1/store/info.json", headers=_bearer(readonly["access_token"]),
                        timeout=T).status_code == 403


def test_pagination_defaults_max_and_short_last_page(srv, owner):
    def ids(**params):
        response = requests.get(f"{srv.url}/v1/products.json", auth=owner, params=params, timeout=T)
        assert response.status_code == 200
        return [item["product"]["id"] for item in response.json()]

    first = ids()
    assert len(first) == 50
    assert len(ids(limit=100)) == 100
    assert len(ids(limit=500)) == 100  # clamped to the documented maximum
    assert len(ids(page=2, limit=100)) == 25
    assert ids(page=3, limit=100) == []
    everything = ids(page=1, limit=100) + ids(page=2, limit=100)
    assert everything == sorted(everything) and len(set(everything)) == 125
    assert ids(page=2, limit=10) == everything[10:20]


def test_products_after_id(srv, owner):
    everything = [p["product"]["id"] for p in requests.get(
        f"{srv.url}/v1/products.json", auth=owner, params={"limit": 100}, timeout=T).json()]
    pivot = everything[40]
    after = requests.get(f"{srv.url}/v1/products/after/{pivot}.json", auth=owner, timeout=T).json()
    assert [p["product"]["id"] for p in after] == everything[41:91]
    second = requests.get(f"{srv.url}/v1/products/after/{pivot}.json", auth=owner,
                          params={"page": 2, "limit": 50}, timeout=T).json()
    assert second[0]["product"]["id"] > after[-1]["product"]["id"]


def test_seeded_products_are_deterministic_and_have_variants(srv, owner):
    other = SandboxServer(rate_limit="off", seed_products=125).start()
    try:
        a = requests.get(f"{srv.url}/v1/products/1005.json", auth=owner, timeout=T).json()
        b = requests.get(f"{other.url}/v1/products/1005.json", auth=owner, timeout=T).json()
    finally:
        other.stop()
    for body in (a, b):
        for image in body["product"]["images"]:
            image["url"] = image["url"].split("/_sandbox/")[1]
        for variant in body["product"]["variants"]:
            variant["image"]["url"] = variant["image"]["url"].split("/_sandbox/")[1]
    assert a == b
    product = a["product"]
    assert product["variants"] and all(v["options"] for v in product["variants"])
    assert product["images"] and product["categories"]


def test_product_crud(srv, owner):
    created = requests.post(f"{srv.url}/v1/products.json", auth=owner, json={"product": {
        "name": "Taza Sandbox", "price": 4990, "stock": 7, "categories": [{"id": 11}],
        "variants": [{"variant": {"price": 4990, "sku": "T-1", "options": [{"name": "Color", "value": "Rojo"}]}}],
    }}, timeout=T)
    assert created.status_code == 200, created.text
    product = created.json()["product"]
    assert product["name"] == "Taza Sandbox" and product["price"] == 4990.0 and product["stock"] == 7
    assert product["permalink"] == "taza-sandbox" and product["categories"][0]["id"] == 11
    assert product["variants"][0]["options"][0]["value"] == "Rojo"
    pid = product["id"]

    count = requests.get(f"{srv.url}/v1/products/count.json", auth=owner, timeout=T).json()["count"]
    assert count == 126
    updated = requests.put(f"{srv.url}/v1/products/{pid}.json", auth=owner,
                           json={"product": {"price": 5990, "status": "disabled"}}, timeout=T)
    assert updated.status_code == 200
    assert updated.json()["product"]["price"] == 5990.0 and updated.json()["product"]["name"] == "Taza Sandbox"
    fetched = requests.get(f"{srv.url}/v1/products/{pid}.json", auth=owner, timeout=T).json()
    assert fetched["product"]["status"] == "disabled"

    deleted = requests.delete(f"{srv.url}/v1/products/{pid}.json", auth=owner, timeout=T)
    assert deleted.status_code == 200
    gone = requests.get(f"{srv.url}/v1/products/{pid}.json", auth=owner, timeout=T)
    assert gone.status_code == 404 and "message" in gone.json()
    assert requests.delete(f"{srv.url}/v1/products/{pid}.json", auth=owner, timeout=T).status_code == 404
    assert requests.put(f"{srv.url}/v1/products/{pid}.json", auth=owner,
                        json={"product": {"price": 1}}, timeout=T).status_code == 404


def test_delete_seeded_product_removes_it_from_pages(srv, owner):
    victim = 1003
    assert requests.delete(f"{srv.url}/v1/products/{victim}.json", auth=owner, timeout=T).status_code == 200
    page = requests.get(f"{srv.url}/v1/products.json", auth=owner, params={"limit": 5}, timeout=T).json()
    assert victim not in [p["product"]["id"] for p in page]


@pytest.mark.parametrize("product, field", [
    ({"price": 10}, "name"),
    ({"name": "No price"}, "price"),
    ({"name": "Bad", "price": "cheap"}, "price"),
    ({"name": "Bad", "price": 10, "status": "sold"}, "status"),
    ({"name": "Bad", "price": 10, "stock": 1.5}, "stock"),
    ({"name": "Bad", "price": 10, "compare_at_price": 5}, "compare_at_price"),
    ({"name": "Bad", "price": 10, "categories": [{"id": 999999}]}, "categories"),
    ({"name": " ", "price": 10}, "name"),
])
def test_invalid_product_is_422(srv, owner, product, field):
    response = requests.post(f"{srv.url}/v1/products.json", auth=owner, json={"product": product}, timeout=T)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


def test_update_validation_and_unknown_ids(srv, owner):
    bad = requests.put(f"{srv.url}/v1/products/1001.json", auth=owner, json={"product": {"price": -1}}, timeout=T)
    assert bad.status_code == 422 and "price" in bad.json()["errors"]
    missing = requests.get(f"{srv.url}/v1/products/99999999.json", auth=owner, timeout=T)
    assert missing.status_code == 404 and missing.json()["message"]


def test_json_content_type_and_body_size(srv, owner):
    form = requests.post(f"{srv.url}/v1/products.json", auth=owner, data={"product": "x"}, timeout=T)
    assert form.status_code == 415 and "application/json" in form.json()["message"]
    broken = requests.post(f"{srv.url}/v1/products.json", auth=owner, data="{not json",
                           headers={"Content-Type": "application/json"}, timeout=T)
    assert broken.status_code == 400 and broken.json()["message"]
    huge = requests.post(f"{srv.url}/v1/products.json", auth=owner,
                         json={"product": {"name": "x" * (1024 * 1024 + 1), "price": 1}}, timeout=T)
    assert huge.status_code == 413 and huge.headers["Content-Type"] == "application/json"
    assert "Jumpseller-PerSecondRateLimit-Limit" in huge.headers


def test_store_info_wrapped_switch(srv, owner):
    requests.post(f"{srv.url}/_sandbox/config", json={"store_info_wrapped": True}, timeout=T)
    try:
        wrapped = requests.get(f"{srv.url}/v1/store/info.json", auth=owner, timeout=T).json()
        assert list(wrapped) == ["store"] and wrapped["store"]["code"] == "sandbox"
    finally:
        requests.post(f"{srv.url}/_sandbox/config", json={"store_info_wrapped": False}, timeout=T)
    assert requests.get(f"{srv.url}/v1/store/info.json", auth=owner, timeout=T).json()["code"] == "sandbox"


def test_every_v1_response_has_rate_limit_headers(srv, owner):
    responses = [
        requests.get(f"{srv.url}/v1/store/info.json", auth=owner, timeout=T),
        requests.get(f"{srv.url}/v1/store/info.json", timeout=T),                     # 401
        requests.get(f"{srv.url}/v1/products/424242.json", auth=owner, timeout=T),    # 404
        requests.get(f"{srv.url}/v1/nothing-here.json", auth=owner, timeout=T),       # unknown route
        requests.post(f"{srv.url}/v1/products.json", auth=owner, json={"product": {}}, timeout=T),  # 422
    ]
    for response in responses:
        for header in ("Jumpseller-PerMinuteRateLimit-Limit", "Jumpseller-PerMinuteRateLimit-Remaining",
                       "Jumpseller-PerSecondRateLimit-Limit", "Jumpseller-PerSecondRateLimit-Remaining"):
            assert header in response.headers, (response.status_code, header)
        assert response.headers["Jumpseller-PerSecondRateLimit-Limit"] == "8"  # "off" sends legacy numbers


def test_stores_are_isolated(srv):
    created = requests.post(f"{srv.url}/_sandbox/stores", json={
        "code": "tienda-dos", "name": "Tienda Dos", "currency": "EUR", "seed_products": 3}, timeout=T).json()
    auth = (created["login"], created["authtoken"])
    assert len(created["authtoken"]) == 32
    info = requests.get(f"{srv.url}/v1/store/info.json", auth=auth, timeout=T).json()
    assert info["code"] == "tienda-dos" and info["currency"] == "EUR"
    ids = [p["product"]["id"] for p in requests.get(f"{srv.url}/v1/products.json", auth=auth, timeout=T).json()]
    assert len(ids) == 3
    default_owner = (srv.state.default_store.login, srv.state.default_store.authtoken)
    assert requests.get(f"{srv.url}/v1/products/{ids[0]}.json", auth=default_owner, timeout=T).status_code == 404


def test_large_seed_starts_fast():
    with CpuTimer() as start:   # CPU, not wall-clock, seconds: a busy machine does not make seeding cost more
        server = SandboxServer(seed_products=20000, rate_limit="off", prerender=False).start()
    try:
        owner = (server.state.default_store.login, server.state.default_store.authtoken)
        count = requests.get(f"{server.url}/v1/products/count.json", auth=owner, timeout=T).json()
        last_page = requests.get(f"{server.url}/v1/products.json", auth=owner,
                                 params={"page": 200, "limit": 100}, timeout=T).json()
    finally:
        server.stop()
    assert start.seconds < 2.0
    assert count == {"count": 20000}
    assert len(last_page) == 100 and last_page[-1]["product"]["id"] == 1000 + 20000
