"""Fault switches, each observed by a real `requests` client over HTTP."""
import time

import pytest
import requests

from sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from sandbox.server import SandboxServer
from sandbox.testing import obtain_tokens, refresh

T = 10


@pytest.fixture
def srv():
    server = SandboxServer(port=0, rate_limit="off", seed_products=5, seed_orders=3, seed_customers=3,
                           auto_approve=True).start()
    yield server
    server.stop()


def faults(srv, **settings):
    response = requests.post(f"{srv.url}/_sandbox/faults", json=settings, timeout=T)
    assert response.status_code == 200, response.text
    return response.json()


def product_count(srv, owner):
    return requests.get(f"{srv.url}/v1/products/count.json", auth=owner, timeout=T).json()["count"]


def create_product(srv, owner, timeout=T):
    return requests.post(f"{srv.url}/v1/products.json", auth=owner, json={"product": {"name": "F", "price": 1}},
                         timeout=timeout)


def stats(srv):
    return requests.get(f"{srv.url}/_sandbox/stats", timeout=T).json()


def test_error_rate_answers_5xx_without_doing_the_operation(srv, owner):
    faults(srv, error_rate=1.0, seed=3)
    answers = [create_product(srv, owner) for _ in range(12)]
    assert {r.status_code for r in answers} <= {500, 502, 503, 504} and len({r.status_code for r in answers}) > 1
    for response in answers:
        if response.status_code == 500:
            assert response.json()["message"] and "Jumpseller-PerSecondRateLimit-Limit" in response.headers
        else:  # a proxy's page: HTML, no Jumpseller headers
            assert response.headers["Content-Type"].startswith("text/html")
            assert "Jumpseller-PerSecondRateLimit-Limit" not in response.headers
    faults(srv)
    assert product_count(srv, owner) == 5
    counters = stats(srv)
    assert counters["faults"]["error"] == 12
    assert counters["api_requests_by_path"]["sandbox"]["POST /v1/products.json"] == 12


def test_latency_delays_every_request(srv, owner):
    faults(srv, latency_ms=250)
    started = time.perf_counter()
    assert requests.get(f"{srv.url}/v1/store/info.json", auth=owner, timeout=T).status_code == 200
    assert time.perf_counter() - started >= 0.25
    assert stats(srv)["faults"]["latency"] == 1


def test_latency_jitter_spreads_the_delays_around_the_latency(srv, owner):
    faults(srv, latency_ms=150, latency_jitter_ms=100, seed=7)
    delays = []
    for _ in range(12):
        started = time.perf_counter()
        assert requests.get(f"{srv.url}/v1/store/info.json", auth=owner, timeout=T).status_code == 200
        delays.append(time.perf_counter() - started)
    assert min(delays) >= 0.05 and max(delays) - min(delays) > 0.05      # not one fixed delay
    assert sum(d < 0.15 for d in delays) and sum(d > 0.15 for d in delays)


def test_timeout_makes_a_short_timeout_client_give_up_and_nothing_happens(srv, owner):
    faults(srv, timeout_rate=1.0, timeout_seconds=1.0)
    with pytest.raises(requests.Timeout):
        create_product(srv, owner, timeout=0.3)
    patient = create_product(srv, owner, timeout=5)  # waits it out: the gateway gives up with 504
    assert patient.status_code == 504
    faults(srv)
    assert product_count(srv, owner) == 5
    assert stats(srv)["faults"]["timeout"] == 2


def test_drop_closes_the_connection_without_a_response_and_nothing_happens(srv, owner):
    faults(srv, drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        create_product(srv, owner)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{srv.url}/v1/products.json", auth=owner, timeout=T)
    faults(srv)
    assert product_count(srv, owner) == 5
    log = requests.get(f"{srv.url}/_sandbox/requests", params={"store": "sandbox"}, timeout=T).json()["requests"]
    assert [(e["method"], e["path"], e["status"], e["fault"]) for e in log[:2]] == [
        ("POST", "/v1/products.json", None, "drop"), ("GET", "/v1/products.json", None, "drop")]
    assert stats(srv)["faults"]["drop"] == 2


def test_drop_after_performs_the_operation_then_cuts_the_connection(srv, owner):
    faults(srv, drop_after_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        create_product(srv, owner)
    faults(srv)
    assert product_count(srv, owner) == 6  # the POST did reach the server
    log = requests.get(f"{srv.url}/_sandbox/requests", timeout=T).json()["requests"]
    assert (log[0]["method"], log[0]["path"], log[0]["status"], log[0]["fault"]) == (
        "POST", "/v1/products.json", 200, "drop_after")
    counters = stats(srv)
    assert counters["api_requests_by_path"]["sandbox"]["POST /v1/products.json"] == 1
    assert counters["faults"]["drop_after"] == 1


def test_token_endpoint_is_spared_unless_included(srv):
    tokens = obtain_tokens(srv.url, ("read_store",))
    faults(srv, error_rate=1.0)
    first = refresh(srv.url, tokens["refresh_token"])
    assert first.status_code == 200  # include_token_endpoint defaults to false
    faults(srv, drop_after_rate=1.0, include_token_endpoint=True)
    with pytest.raises(requests.ConnectionError):
        refresh(srv.url, first.json()["refresh_token"])
    faults(srv)
    # The refresh happened although the client never heard: its refresh token is now spent.
    again = refresh(srv.url, first.json()["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_the_revocation_endpoint_fails_only_with_include_token_endpoint(srv):
    def revoke(refresh_token):
        return requests.post(f"{srv.url}/oauth/revoke", timeout=T, data={
            "token": refresh_token, "token_type_hint": "refresh_token",
            "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}).status_code

    tokens = obtain_tokens(srv.url, ("read_store",))
    faults(srv, error_rate=1.0, include_token_endpoint=True)
    assert revoke(tokens["refresh_token"]) >= 500
    faults(srv)
    renewed = refresh(srv.url, tokens["refresh_token"])           # the failed revocation did nothing
    assert renewed.status_code == 200
    faults(srv, error_rate=1.0)                                   # the API fails, the revocation does not
    assert revoke(renewed.json()["refresh_token"]) == 200
    faults(srv)
    assert refresh(srv.url, renewed.json()["refresh_token"]).json()["error"] == "invalid_grant"


def test_seed_makes_faults_reproducible(srv, owner):
    def run():
        faults(srv, error_rate=0.5, seed=42)
        return [requests.get(f"{srv.url}/v1/store/info.json", auth=owner, timeout=T).status_code for _ in range(16)]

    first, second = run(), run()
    assert first == second and 200 in first and set(first) - {200}


def test_faulted_requests_count_against_the_rate_limit(srv, owner):
    requests.post(f"{srv.url}/_sandbox/config", json={"rate_limit": "legacy"}, timeout=T)
    srv.state.freeze_clock(True)
    faults(srv, error_rate=1.0)
    codes = [requests.get(f"{srv.url}/v1/store/info.json", auth=owner, timeout=T).status_code for _ in range(9)]
    assert all(code >= 500 for code in codes[:8]) and codes[8] == 403  # refused requests are not faulted
    assert stats(srv)["faults"]["error"] == 8


def test_settings_roundtrip_validation_and_server_option(srv):
    assert requests.get(f"{srv.url}/_sandbox/faults", timeout=T).json()["error_rate"] == 0.0
    applied = faults(srv, error_rate=0.1, latency_ms=5, seed=1)
    assert applied["error_rate"] == 0.1 and applied["drop_rate"] == 0.0 and applied["seed"] == 1
    for bad in ({"error_rate": 2}, {"error_rate": 0.6, "drop_rate": 0.6}, {"latency_ms": -1}, {"colour": 1},
                {"include_token_endpoint": "yes"}, {"seed": "x"}):
        assert requests.post(f"{srv.url}/_sandbox/faults", json=bad, timeout=T).status_code == 400, bad
    with SandboxServer(rate_limit="off", faults={"error_rate": 1.0}) as other:
        owner = (other.state.default_store.login, other.state.default_store.authtoken)
        assert requests.get(f"{other.url}/v1/store/info.json", auth=owner, timeout=T).status_code >= 500
    with pytest.raises(ValueError):
        SandboxServer(faults={"drop_rate": 7})


def test_reset_zeroes_fault_counters_and_the_log_but_keeps_settings(srv, owner):
    faults(srv, error_rate=1.0)
    requests.get(f"{srv.url}/v1/store/info.json", auth=owner, timeout=T)
    zeroed = requests.post(f"{srv.url}/_sandbox/reset", timeout=T).json()
    assert zeroed["faults"]["error"] == 0 and zeroed["api_requests_by_path"] == {"sandbox": {}}
    assert requests.get(f"{srv.url}/_sandbox/requests", timeout=T).json()["requests"] == []
    assert requests.get(f"{srv.url}/_sandbox/faults", timeout=T).json()["error_rate"] == 1.0
