"""Hook deliveries over real HTTP: a receiver in the test records what the sandbox POSTs after API writes."""
import base64
import hashlib
import hmac
import json
import re
import threading
import time

import pytest
import requests
from werkzeug.wrappers import Request, Response

from ..support.http import browser_session
from ..support.servers import LiveServer

T = 10
WAIT = 30   # only bounds a hang: every wait below ends as soon as the condition holds


class Receiver:
    """A tiny app that records every request and answers `status`."""

    def __init__(self, status=200):
        self.status = status
        self.received = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.received.append({"headers": dict(request.headers), "body": request.get_data()})
        return Response("ok", status=self.status)(environ, start_response)

    def wait_for(self, count):
        """The first `count` requests, once they have arrived."""
        deadline = time.monotonic() + WAIT
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.received) >= count, f"{len(self.received)} of {count} deliveries arrived"
        return self.received[:count]


@pytest.fixture
def sandbox_options():
    return {"rate_limit": "off", "seed_products": 3, "seed_orders": 5, "seed_customers": 3, "prerender": False}


@pytest.fixture
def receiver(start_server):
    app = Receiver()
    app.server = start_server(LiveServer(app, host="127.0.0.1"))
    return app


def owner(sandbox):
    store = sandbox.state.default_store
    return store.login, store.authtoken


def v1(sandbox, method, path, **kwargs):
    response = requests.request(method, f"{sandbox.url}/v1{path}", auth=owner(sandbox), timeout=T, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def register(sandbox, receiver, event, path="/hooks"):
    return v1(sandbox, "POST", "/hooks.json", json={"hook": {"event": event, "url": receiver.server.url + path}})


def deliveries(sandbox):
    return requests.get(sandbox.url + "/_sandbox/hooks/deliveries", timeout=T).json()["deliveries"]


def settled(sandbox, count, done=("delivered", "failed", "dropped")):
    """The log once `count` deliveries are in a final state."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        log = deliveries(sandbox)
        if len([d for d in log if d["state"] in done]) >= count:
            return log
        time.sleep(0.02)
    raise AssertionError(f"deliveries did not settle: {deliveries(sandbox)}")


def hooks_token(sandbox):
    stores = requests.get(sandbox.url + "/_sandbox/stores", timeout=T).json()["stores"]
    return next(s["store"]["hooks_token"] for s in stores if s["store"]["code"] == "sandbox")


def test_an_api_write_delivers_one_signed_body_equal_to_the_get(sandbox, receiver):
    register(sandbox, receiver, "product_updated")
    register(sandbox, receiver, "customer_created")      # not fired by a product change
    v1(sandbox, "PUT", "/products/1001.json", json={"product": {"name": "Renamed"}})
    [delivery] = receiver.wait_for(1)
    body, headers = delivery["body"], delivery["headers"]
    expected = base64.b64encode(hmac.new(hooks_token(sandbox).encode(), body, hashlib.sha256).digest()).decode()
    assert headers["Jumpseller-Hmac-Sha256"] == expected
    assert headers["Content-Type"] == "application/json"
    assert headers["Jumpseller-Store-Code"] == "sandbox" and headers["Jumpseller-Event"] == "product_updated"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC", headers["Jumpseller-Triggered-At"])
    assert json.loads(body) == v1(sandbox, "GET", "/products/1001.json")
    assert json.loads(body)["product"]["name"] == "Renamed"
    [logged] = settled(sandbox, 1)
    assert logged["state"] == "delivered" and logged["attempts"][0]["status"] == 200


def test_order_payment_and_customer_changes_fire_their_events(sandbox, receiver):
    order_id = v1(sandbox, "GET", "/orders.json")[0]["order"]["id"]
    v1(sandbox, "PUT", f"/orders/{order_id}.json", json={"order": {"status": "canceled"}})   # before any hook
    for event in ("order_updated", "order_paid", "customer_updated", "customer_deleted", "product_stock_updated"):
        register(sandbox, receiver, event)
    v1(sandbox, "PUT", f"/orders/{order_id}.json", json={"order": {"status": "paid"}})
    v1(sandbox, "PUT", "/customers/100001.json", json={"customer": {"phone": "+56 9 1234 5678"}})
    v1(sandbox, "PUT", "/products/1002.json", json={"product": {"stock": 77}})
    customer = v1(sandbox, "GET", "/customers/100001.json")
    v1(sandbox, "DELETE", "/customers/100001.json")
    received = receiver.wait_for(5)
    events = [r["headers"]["Jumpseller-Event"] for r in received]
    assert sorted(events[:2]) == ["order_paid", "order_updated"]
    assert events[2:] == ["customer_updated", "product_stock_updated", "customer_deleted"]
    assert json.loads(received[0]["body"]) == v1(sandbox, "GET", f"/orders/{order_id}.json")
    assert json.loads(received[4]["body"]) == customer


def test_a_failing_receiver_gets_retries_on_the_sandbox_clock_and_the_hook_pauses(sandbox, receiver):
    receiver.status = 500
    requests.post(sandbox.url + "/_sandbox/config", json={"hook_max_failures": 3}, timeout=T).raise_for_status()
    requests.post(sandbox.url + "/_sandbox/clock", json={"freeze": True}, timeout=T).raise_for_status()
    hook = register(sandbox, receiver, "product_updated")["hook"]
    v1(sandbox, "PUT", "/products/1001.json", json={"product": {"name": "Again"}})
    receiver.wait_for(1)
    [first] = settled(sandbox, 1, done=("pending",))
    while len(first["attempts"]) < 1:
        [first] = deliveries(sandbox)
    assert first["attempts"][0]["status"] == 500
    assert first["next_attempt_at"] - first["attempts"][0]["at"] == 60      # 1⁴ minutes
    for failed, count in ((1, 2), (2, 3)):
        requests.post(sandbox.url + "/_sandbox/clock", json={"advance": failed ** 4 * 60}, timeout=T)
        receiver.wait_for(count)
    state = {}
    deadline = time.monotonic() + WAIT
    while not state.get("paused") and time.monotonic() < deadline:
        state = requests.get(sandbox.url + "/_sandbox/hooks", timeout=T).json()["hooks"][0]
    assert state["paused"] and state["consecutive_failures"] == 3
    assert "paused" not in v1(sandbox, "GET", f"/hooks/{hook['id']}.json")["hook"]     # as in Jumpseller
    requests.post(sandbox.url + "/_sandbox/clock", json={"advance": 3 ** 4 * 60}, timeout=T)
    v1(sandbox, "GET", "/products/1001.json")
    assert len(receiver.received) == 3                                            # paused: nothing more sent
    receiver.status = 200
    resumed = requests.post(sandbox.url + "/_sandbox/hooks/pause", json={"hook_id": hook["id"], "paused": False},
                            timeout=T).json()
    assert resumed["paused"] is False
    [done] = settled(sandbox, 1)
    assert done["state"] == "delivered" and [a["status"] for a in done["attempts"]] == [500, 500, 500, 200]


def test_chaos_duplicates_drops_and_reorders_deliveries(sandbox, receiver):
    register(sandbox, receiver, "product_updated")
    chaos = requests.post(sandbox.url + "/_sandbox/hooks/chaos", json={"duplicate": 1, "seed": 7}, timeout=T)
    assert chaos.json() == {"drop": 0.0, "duplicate": 1.0, "reorder": 0.0, "seed": 7}
    v1(sandbox, "PUT", "/products/1001.json", json={"product": {"name": "Twice"}})
    first, second = receiver.wait_for(2)
    assert first["body"] == second["body"] and first["headers"] == second["headers"]

    requests.post(sandbox.url + "/_sandbox/hooks/chaos", json={"reorder": 1}, timeout=T).raise_for_status()
    v1(sandbox, "PUT", "/products/1001.json", json={"product": {"name": "One"}})
    v1(sandbox, "PUT", "/products/1001.json", json={"product": {"name": "Two"}})
    names = [json.loads(r["body"])["product"]["name"] for r in receiver.wait_for(4)[2:]]
    assert names == ["Two", "One"]

    requests.post(sandbox.url + "/_sandbox/hooks/chaos", json={"drop": 1}, timeout=T).raise_for_status()
    v1(sandbox, "PUT", "/products/1001.json", json={"product": {"name": "Lost"}})
    log = settled(sandbox, 5)
    assert log[-1]["state"] == "dropped" and log[-1]["attempts"] == []
    assert len(receiver.received) == 4
    bad = requests.post(sandbox.url + "/_sandbox/hooks/chaos", json={"drop": 2}, timeout=T)
    assert bad.status_code == 400


def test_admin_buttons_trigger_deliveries(sandbox, receiver):
    for event in ("order_pending_payment", "order_paid", "product_stock_updated", "customer_updated"):
        register(sandbox, receiver, event)
    admin = browser_session()
    home = admin.get(sandbox.url + "/admin", timeout=T).text
    for action in ("new-order", "pay-order", "change-stock", "edit-customer"):
        assert f'data-testid="action-{action}"' in home
    created = admin.post(sandbox.url + "/admin/actions/new-order", timeout=T)
    assert created.status_code == 200 and "1 hook deliveries queued" in created.text
    [new_order] = receiver.wait_for(1)
    order = json.loads(new_order["body"])["order"]
    assert new_order["headers"]["Jumpseller-Event"] == "order_pending_payment"
    assert json.loads(new_order["body"]) == v1(sandbox, "GET", f"/orders/{order['id']}.json")
    admin.post(sandbox.url + "/admin/actions/pay-order", data={"order_id": order["id"]}, timeout=T)
    admin.post(sandbox.url + "/admin/actions/change-stock", timeout=T)
    admin.post(sandbox.url + "/admin/actions/edit-customer", timeout=T)
    received = receiver.wait_for(4)
    assert [r["headers"]["Jumpseller-Event"] for r in received[1:]] == \
        ["order_paid", "product_stock_updated", "customer_updated"]
    assert json.loads(received[1]["body"]) == v1(sandbox, "GET", f"/orders/{order['id']}.json")
    assert json.loads(received[3]["body"]) == v1(sandbox, "GET", "/customers/100001.json")
