"""The /_sandbox control endpoints, the CLI, and the SandboxServer lifecycle."""
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sandbox import create_sandbox
from sandbox.config import default_authtoken, default_login
from sandbox.server import SandboxServer
from sandbox.testing import obtain_tokens, refresh

T = 10
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def srv():
    server = SandboxServer(port=0, rate_limit="off", seed_products=3, auto_approve=True).start()
    yield server
    server.stop()


def test_stats_count_and_reset(srv):
    requests.post(f"{srv.url}/_sandbox/reset", timeout=T)
    tokens = obtain_tokens(srv.url, ("read_store",))
    refresh(srv.url, tokens["refresh_token"])
    refresh(srv.url, tokens["refresh_token"])  # immediate rotation: now revoked
    store = srv.state.default_store
    for _ in range(3):
        requests.get(f"{srv.url}/v1/store/info.json", auth=(store.login, store.authtoken), timeout=T)
    stats = requests.get(f"{srv.url}/_sandbox/stats", timeout=T).json()
    assert stats["token_requests"] == {"authorization_code": 1, "refresh_token": 2}
    assert stats["refreshes_ok"] == 1 and stats["refreshes_failed"] == 1
    assert stats["api_requests"]["sandbox"] == 3
    assert stats["rate_limit_hits"] == {"sandbox": 0}
    assert stats["authorizations"]["skipped"] == 1
    zeroed = requests.post(f"{srv.url}/_sandbox/reset", timeout=T).json()
    assert zeroed["token_requests"] == {} and zeroed["api_requests"] == {"sandbox": 0}
    assert srv.state.stats() == zeroed


def test_config_roundtrip_and_validation(srv):
    current = requests.get(f"{srv.url}/_sandbox/config", timeout=T).json()
    assert current["rotation"] == "immediate" and current["token_expires_in"] == 3600
    changed = requests.post(f"{srv.url}/_sandbox/config", json={"rotation": "on_first_use"}, timeout=T).json()
    assert changed["rotation"] == "on_first_use"
    requests.post(f"{srv.url}/_sandbox/config", json={"rotation": "immediate"}, timeout=T)
    for bad in ({"rotation": "never"}, {"token_expires_in": "soon"}, {"redirect_uris": "x"}, {"colour": "red"}):
        assert requests.post(f"{srv.url}/_sandbox/config", json=bad, timeout=T).status_code == 400
    assert requests.post(f"{srv.url}/_sandbox/config", data="nope", timeout=T).status_code == 400


def test_stores_create_and_list(srv):
    created = requests.post(f"{srv.url}/_sandbox/stores", json={"code": "ctrl-store", "name": "Ctrl",
                                                                "currency": "USD", "seed_products": 4}, timeout=T)
    assert created.status_code == 201
    body = created.json()
    assert body["store"]["code"] == "ctrl-store" and body["store"]["currency"] == "USD"
    assert body["login"] == default_login("ctrl-store") and body["authtoken"] == default_authtoken("ctrl-store")
    duplicate = requests.post(f"{srv.url}/_sandbox/stores", json={"code": "ctrl-store"}, timeout=T)
    assert duplicate.status_code == 409
    assert requests.post(f"{srv.url}/_sandbox/stores", json={"code": "Bad Code"}, timeout=T).status_code == 400
    listed = requests.get(f"{srv.url}/_sandbox/stores", timeout=T).json()["stores"]
    by_code = {s["store"]["code"]: s for s in listed}
    assert by_code["ctrl-store"]["product_count"] == 4 and "authtoken" in by_code["sandbox"]


def test_expire_and_revoke_unknown_store(srv):
    assert requests.post(f"{srv.url}/_sandbox/tokens/expire", json={"store": "nope"}, timeout=T).status_code == 404
    assert requests.post(f"{srv.url}/_sandbox/tokens/revoke", json={"store": "nope"}, timeout=T).status_code == 404


def test_login_cookie_and_safe_next(srv):
    session = requests.Session()
    response = session.get(f"{srv.url}/_sandbox/login", params={"store": "sandbox", "next": "/_sandbox/stats"},
                           allow_redirects=False, timeout=T)
    assert response.status_code == 302 and response.headers["Location"].endswith("/_sandbox/stats")
    assert session.cookies.get("jumpseller_sandbox_store") == "sandbox"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        answer = requests.get(f"{srv.url}/_sandbox/login", params={"store": "sandbox", "next": evil},
                              allow_redirects=False, timeout=T)
        assert answer.status_code == 200 and answer.json()["store"] == "sandbox"
    assert requests.get(f"{srv.url}/_sandbox/login", params={"store": "nope"}, timeout=T).status_code == 404


def test_seeded_image_urls_resolve(srv):
    store = srv.state.default_store
    product = requests.get(f"{srv.url}/v1/products.json", auth=(store.login, store.authtoken),
                           params={"limit": 1}, timeout=T).json()[0]["product"]
    image = requests.get(product["images"][0]["url"], timeout=T)
    assert image.status_code == 200 and image.headers["Content-Type"].startswith("image/svg+xml")


def test_unknown_option_is_rejected():
    with pytest.raises(TypeError):
        create_sandbox(colour="red")
    with pytest.raises(ValueError):
        create_sandbox(rotation="sometimes")


def test_cli_prints_url_and_credentials():
    with SandboxServer() as probe:  # borrow a free port number, then release it for the CLI
        port = probe.port
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--seed-products", "2", "--rate-limit", "off",
         "--seed-orders", "7", "--seed-customers", "4", "--token-scope", "omit", "--ban-scope", "store",
         "--redirect-uri", "http://localhost:5000/oauth/callback", "--redirect-uri", "http://localhost:8000/cb"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(12)]
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}" in lines[0]
        assert default_login("sandbox") in text and default_authtoken("sandbox") in text
        assert "sandbox-client-id" in text and "sandbox-client-secret" in text
        assert "http://localhost:8000/cb" in text
        info = requests.get(f"http://127.0.0.1:{port}/v1/store/info.json",
                            auth=(default_login(), default_authtoken()), timeout=T)
        assert info.status_code == 200 and info.json()["name"] == "Sandbox Store"
        stores = requests.get(f"http://127.0.0.1:{port}/_sandbox/stores", timeout=T).json()["stores"]
        assert (stores[0]["order_count"], stores[0]["customer_count"]) == (7, 4)
        config = requests.get(f"http://127.0.0.1:{port}/_sandbox/config", timeout=T).json()
        assert (config["token_scope"], config["ban_scope"]) == ("omit", "store")
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_store_seed_sizes_and_clock_freeze(srv):
    created = requests.post(f"{srv.url}/_sandbox/stores", json={"code": "sizes", "seed_products": 0,
                                                                "seed_orders": 12, "seed_customers": 0}, timeout=T)
    assert created.status_code == 201
    body = created.json()
    assert (body["product_count"], body["order_count"], body["customer_count"]) == (0, 12, 0)
    order = requests.get(f"{srv.url}/v1/orders.json", auth=(body["login"], body["authtoken"]),
                         params={"limit": 1}, timeout=T).json()[0]["order"]
    assert "id" not in order["customer"] and order["products"][0]["name"]  # guest buyer, generic line
    bad = requests.post(f"{srv.url}/_sandbox/stores", json={"code": "neg", "seed_orders": -1}, timeout=T)
    assert bad.status_code == 400

    frozen = requests.post(f"{srv.url}/_sandbox/clock", json={"freeze": True}, timeout=T).json()
    assert frozen["frozen"] is True
    later = requests.post(f"{srv.url}/_sandbox/clock", json={"advance": 10}, timeout=T).json()
    assert later["now"] == frozen["now"] + 10
    thawed = requests.post(f"{srv.url}/_sandbox/clock", json={"freeze": False}, timeout=T).json()
    assert thawed["frozen"] is False and thawed["now"] >= later["now"]
    assert requests.post(f"{srv.url}/_sandbox/clock", json={}, timeout=T).status_code == 400
    assert requests.post(f"{srv.url}/_sandbox/clock", json={"freeze": "yes"}, timeout=T).status_code == 400


def test_prerender_renders_every_seeded_record_ahead_of_requests():
    from sandbox.server import SandboxServer

    with SandboxServer(seed_products=300, seed_orders=20, prerender=False) as server:
        first = requests.post(server.url + "/_sandbox/prerender", timeout=30).json()["rendered"]
        again = requests.post(server.url + "/_sandbox/prerender", timeout=30).json()["rendered"]
    assert first >= 300 and again == 0
