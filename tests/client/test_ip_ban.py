"""A rate-limit ban is on the IP: a ban met by one store's call holds every store of the deployment.

Jumpseller bans "your IP" after too many limit hits, so one store that keeps hitting its limit can stop
every store behind the app's address. The budget must then hold every store's calls until the ban's reset
instead of sending more into it, and lose none: the call that met the ban is sent again after the reset.
"""

import threading
import time

import pytest
import requests

from jumpseller_app.jumpseller import JumpsellerClient
from jumpseller_app.jumpseller.auth import BasicAuth
from jumpseller_app.jumpseller.ratelimit import RedisBackend, SQLiteBackend, StoreBudget

from ..support.flows import FAST_RETRY, control, sandbox_credentials, stats

T = 5
OTHER = "store-b"


@pytest.fixture(params=["sqlite", "redis"])
def backend(request, tmp_path):
    """The deployment's shared budget backend; a Redis prefix of its own per test."""
    if request.param == "sqlite":
        yield SQLiteBackend(tmp_path / "budget.sqlite3")
        return
    shared = RedisBackend(request.getfixturevalue("redis_server").url, prefix=f"test-ban:{time.time_ns()}:")
    yield shared
    shared.redis.close()


@pytest.fixture
def sandbox_options():
    """The current profile: 429 and the ban header; bans cover the client IP (the default ban_scope)."""
    return {"rate_limit": "current", "seed_products": 5, "prerender": False}


@pytest.fixture
def client_for(sandbox, backend):
    """Builds Basic-auth clients of the sandbox's stores, all on the deployment's shared budget."""
    sessions = []

    def build(code):
        session = requests.Session()
        sessions.append(session)
        session.auth = BasicAuth(*sandbox_credentials(sandbox, code))
        return JumpsellerClient(session=session, base_url=sandbox.url + "/v1", budget=StoreBudget(backend, code),
                                retry=FAST_RETRY, timeout=T)

    yield build
    for session in sessions:
        session.close()


def request_log(sandbox, code):
    return requests.get(f"{sandbox.url}/_sandbox/requests", params={"store": code}, timeout=T).json()["requests"]


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_ban_met_by_one_store_holds_every_store_until_its_reset(sandbox, client_for, backend):
    assert requests.post(f"{sandbox.url}/_sandbox/stores", json={"code": OTHER, "seed_products": 3},
                         timeout=T).status_code == 201
    store_a, store_b = client_for("sandbox"), client_for(OTHER)
    assert store_a.products.count() == 5 and store_b.products.count() == 3   # both fine before the ban
    forced = control(sandbox, "ban", store="sandbox", seconds=2)
    assert forced["banned"] == "ip:127.0.0.1"                 # the address every store's calls come from
    results = {}

    def call(name, client, times):
        results[name] = [client.products.count() for _ in range(times)]

    store_a_thread = threading.Thread(target=call, args=("a", store_a, 2))
    store_a_thread.start()
    # Store A's call meets the ban...
    wait_for(lambda: any(entry["status"] == 429 for entry in request_log(sandbox, "sandbox")))
    # ...and its client has read the answer: the sandbox logs the refusal a moment before the client records
    # the ban, and a call of B's sent in that moment could not have known (the next one must).
    wait_for(lambda: (backend.deployment_paused_until() or 0) > time.time())
    assert time.time() < forced["until"]
    # ...then store B, never over its own limit, needs three calls from three threads.
    store_b_threads = [threading.Thread(target=call, args=(f"b{i}", store_b, 1)) for i in range(3)]
    for thread in store_b_threads:
        thread.start()
    for thread in [store_a_thread, *store_b_threads]:
        thread.join(timeout=30)
    # No call is lost: the one that met the ban was sent again after the reset.
    assert results == {"a": [5, 5], "b0": [3], "b1": [3], "b2": [3]}
    a_log, b_log = request_log(sandbox, "sandbox")[1:], request_log(sandbox, OTHER)[1:]   # after the warm-up
    assert [entry["status"] for entry in a_log] == [429, 200, 200]
    assert a_log[0]["at"] < forced["until"] <= a_log[1]["at"]
    # Store B sent nothing into the ban: every one of its calls went out after the reset, and none was refused.
    assert [entry["status"] for entry in b_log] == [200, 200, 200]
    assert all(entry["at"] >= forced["until"] for entry in b_log)
    assert stats(sandbox)["rate_limit_hits"] == {"sandbox": 1, OTHER: 0}


def test_a_ban_seen_by_one_store_pauses_every_store_of_the_deployment(backend):
    """Without the sandbox: another store's next call waits for the reset, on both backends."""
    now = [1000.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    store_a = StoreBudget(backend, f"a-{time.time_ns()}", clock=lambda: now[0], sleep=sleep)
    store_b = StoreBudget(backend, f"b-{time.time_ns()}", clock=lambda: now[0], sleep=sleep)
    store_a.observe(429, {"Jumpseller-BannedByRateLimit-Reset": "x"}, retry_after=30.0, banned=True)
    assert backend.deployment_paused_until() == pytest.approx(1030.0)
    store_b.acquire()
    assert slept == [pytest.approx(30.0)]
    # A plain limit (no ban) pauses only the store that met it.
    now[0] = 2000.0
    store_a.observe(429, {}, retry_after=5.0)
    store_b.acquire()
    assert slept[1:] == []


def test_a_call_already_waiting_for_its_slot_also_waits_for_a_ban_seen_meanwhile(backend):
    now = [1000.0]
    code = f"b-{time.time_ns()}"
    store_a = StoreBudget(backend, f"a-{time.time_ns()}", clock=lambda: now[0], sleep=lambda s: None)
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds
        if len(slept) == 1:            # while store B sleeps for its slot, store A meets a ban
            store_a.observe(429, {}, retry_after=10.0, banned=True)

    store_b = StoreBudget(backend, code, clock=lambda: now[0], sleep=sleep)
    store_b.acquire()
    store_b.acquire()                  # its slot is 1/8 s away: it sleeps, and the ban comes in meanwhile
    assert slept[0] == pytest.approx(0.1275)
    assert len(slept) == 2 and now[0] == pytest.approx(1000.1275 + 10.0)
