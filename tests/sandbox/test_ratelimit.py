"""Rate limits over real HTTP: legacy 403, current 429, windows per (client IP, store), bans per IP, headers."""
import time

import pytest
import requests
from requests.adapters import HTTPAdapter

from sandbox.server import SandboxServer

T = 10
BAN_HEADER = "Jumpseller-BannedByRateLimit-Reset"


class _FromAddress(HTTPAdapter):
    """Connects from a given local address: 127.0.0.2 is another client IP on the loopback."""

    def __init__(self, address):
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address="127.0.0.1"):
    session = requests.Session()
    session.mount("http://", _FromAddress(address))
    return session


def _owner(server, code=None):
    store = server.state.stores[code] if code else server.state.default_store
    return store.login, store.authtoken


def test_legacy_profile_refuses_the_ninth_request_in_a_second_with_403():
    with SandboxServer(rate_limit="legacy", seed_products=1) as server:
        session = requests.Session()
        responses = [session.get(f"{server.url}/v1/products/count.json", auth=_owner(server), timeout=T)
                     for _ in range(9)]
        assert [r.status_code for r in responses[:8]] == [200] * 8
        remaining = [int(r.headers["Jumpseller-PerSecondRateLimit-Remaining"]) for r in responses[:8]]
        assert remaining == [7, 6, 5, 4, 3, 2, 1, 0]
        assert [int(r.headers["Jumpseller-PerMinuteRateLimit-Remaining"]) for r in responses[:3]] == [239, 238, 237]
        refused = responses[8]
        assert refused.status_code == 403 and "Rate Limit Exceeded" in refused.text
        assert refused.headers["Jumpseller-PerSecondRateLimit-Remaining"] == "0"
        # The window slides: a second later the store may call again.
        server.state.advance_clock(1.01)
        assert session.get(f"{server.url}/v1/products/count.json", auth=_owner(server), timeout=T).status_code == 200
        stats = session.get(f"{server.url}/_sandbox/stats", timeout=T).json()
        assert stats["rate_limit_hits"]["sandbox"] == 1 and stats["api_requests"]["sandbox"] == 10


def test_limits_are_per_store():
    with SandboxServer(rate_limit="legacy", seed_products=1) as server:
        second = requests.post(f"{server.url}/_sandbox/stores", json={"code": "otra", "seed_products": 1},
                               timeout=T).json()
        for _ in range(8):
            requests.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T)
        assert requests.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T).status_code == 403
        other = requests.get(f"{server.url}/v1/store/info.json", auth=(second["login"], second["authtoken"]),
                             timeout=T)
        assert other.status_code == 200 and other.headers["Jumpseller-PerSecondRateLimit-Remaining"] == "7"


def test_legacy_per_minute_limit():
    with SandboxServer(rate_limit="legacy", seed_products=1) as server:
        session = requests.Session()
        for i in range(240):
            if i % 8 == 0:
                server.state.advance_clock(1.0)  # stay under 8/s while filling the minute
            assert session.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T).status_code == 200
        server.state.advance_clock(1.0)
        refused = session.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T)
        assert refused.status_code == 403
        assert refused.headers["Jumpseller-PerMinuteRateLimit-Remaining"] == "0"


def test_current_profile_429_and_ban():
    with SandboxServer(rate_limit="current", seed_products=1) as server:
        session = requests.Session()
        session.post(f"{server.url}/_sandbox/config", json={"ban_threshold": 3, "ban_seconds": 120}, timeout=T)
        codes = [session.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T).status_code
                 for _ in range(21)]
        assert codes == [200] * 20 + [429]
        first = session.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T)
        assert first.headers["Jumpseller-PerSecondRateLimit-Limit"] == "20"
        assert first.headers["Jumpseller-PerMinuteRateLimit-Limit"] == "800"
        banned = session.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T)  # third hit
        assert banned.status_code == 429
        reset = banned.headers["Jumpseller-BannedByRateLimit-Reset"]
        assert reset.endswith("+00:00") and "T" in reset
        server.state.advance_clock(5)  # windows are free again, but the ban holds
        still = session.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T)
        assert still.status_code == 429 and still.headers["Jumpseller-BannedByRateLimit-Reset"] == reset
        server.state.advance_clock(120)
        assert session.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T).status_code == 200


def test_off_profile_never_refuses_but_sends_headers():
    with SandboxServer(rate_limit="off", seed_products=1) as server:
        session = requests.Session()
        responses = [session.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T)
                     for _ in range(12)]
        assert all(r.status_code == 200 for r in responses)
        assert responses[-1].headers["Jumpseller-PerSecondRateLimit-Limit"] == "8"
        assert responses[-1].headers["Jumpseller-PerSecondRateLimit-Remaining"] == "0"


def test_profile_switch_at_runtime():
    with SandboxServer(rate_limit="off", seed_products=1) as server:
        config = requests.post(f"{server.url}/_sandbox/config", json={"rate_limit": "current"}, timeout=T)
        assert config.json()["rate_limit"] == "current"
        response = requests.get(f"{server.url}/v1/store/info.json", auth=_owner(server), timeout=T)
        assert response.headers["Jumpseller-PerSecondRateLimit-Limit"] == "20"
        bad = requests.post(f"{server.url}/_sandbox/config", json={"rate_limit": "turbo"}, timeout=T)
        assert bad.status_code == 400


def _hammer(server, done, threads=2, give_up_after=60.0):
    """Client threads at full speed until `done(results)` holds; returns every response's (status, remaining).

    Stopping on work done, not after a fixed time, keeps the test the same on a busy machine;
    `give_up_after` seconds only bound a hang.
    """
    import threading
    import time as clock

    results, give_up_at = [], clock.monotonic() + give_up_after
    lock = threading.Lock()
    finished = threading.Event()

    def worker():
        session = requests.Session()
        while not finished.is_set() and clock.monotonic() < give_up_at:
            r = session.get(f"{server.url}/v1/products/count.json", auth=_owner(server), timeout=T)
            with lock:
                results.append((r.status_code, r.headers.get("Jumpseller-PerSecondRateLimit-Remaining")))
                if done(results):
                    finished.set()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    with lock:
        return list(results)


def _count(results, status):
    return sum(1 for code, _ in results if code == status)


def test_concurrent_clients_get_exactly_the_limit_per_window_on_a_frozen_clock():
    with SandboxServer(rate_limit="legacy", seed_products=1, prerender=False) as server:
        server.state.freeze_clock(True)
        for _ in range(2):
            # The clock stands still, so however long this takes, no ninth request may pass.
            results = _hammer(server, lambda so_far: _count(so_far, 403) >= 8)
            accepted = [remaining for status, remaining in results if status == 200]
            assert len(accepted) == 8 and len(results) > 8
            # Headers are exact under concurrency: each accepted request saw a distinct remaining count.
            assert sorted(int(r) for r in accepted) == list(range(8))
            assert {status for status, _ in results} == {200, 403}
            server.state.advance_clock(1.0)  # the window slides by exactly one second: 8 more


def test_concurrent_clients_at_full_speed_in_real_time():
    """Every decision, checked against the sandbox's own log and clock: exactly the limit in any one second.

    No wall-clock threshold: a slow client (a busy machine) changes when requests arrive, never whether each
    answer was right for its instant.
    """
    from bisect import bisect_left, bisect_right

    with SandboxServer(rate_limit="current", seed_products=1, prerender=False) as server:
        results = _hammer(server, lambda so_far: _count(so_far, 200) > 40)
        log = requests.get(f"{server.url}/_sandbox/requests", timeout=T).json()["requests"]
    accepted = sorted(entry["at"] for entry in log if entry["status"] == 200)
    refused = sorted(entry["at"] for entry in log if entry["status"] == 429)
    assert len(accepted) == _count(results, 200) and len(refused) == _count(results, 429)
    assert len(results) == len(accepted) + len(refused)
    assert len(accepted) > 40 and len(refused) > 0        # three windows filled, the limit hit
    for i in range(len(accepted) - 20):
        span = accepted[i + 20] - accepted[i]
        assert span >= 1.0   # never more than 20 in any one-second window...
    # ...and a refusal only when the second before it really held 20 accepted requests: the next request
    # after the window frees up is let through, so full-speed clients get exactly the limit per window.
    for at in refused:
        in_window = bisect_right(accepted, at) - bisect_right(accepted, at - 1.0)
        assert in_window == 20, (at, in_window)
    for at in accepted:
        assert bisect_left(accepted, at) - bisect_right(accepted, at - 1.0) < 20


def _second_store(server, code="otra"):
    created = requests.post(f"{server.url}/_sandbox/stores", json={"code": code, "seed_products": 1}, timeout=T)
    assert created.status_code == 201
    return code


def _info(server, session, code=None):
    return session.get(f"{server.url}/v1/store/info.json", auth=_owner(server, code), timeout=T)


def test_windows_count_per_client_ip_and_store():
    with SandboxServer(rate_limit="legacy", seed_products=1, prerender=False) as server:
        server.state.freeze_clock(True)
        here, there = session_from("127.0.0.1"), session_from("127.0.0.2")
        assert [_info(server, here).status_code for _ in range(9)] == [200] * 8 + [403]
        # The same store from another address has a window of its own...
        from_there = [_info(server, there) for _ in range(9)]
        assert [r.status_code for r in from_there] == [200] * 8 + [403]
        assert from_there[0].headers["Jumpseller-PerSecondRateLimit-Remaining"] == "7"
        # ...and so has another store from the first address.
        other = _second_store(server)
        assert _info(server, here, other).headers["Jumpseller-PerSecondRateLimit-Remaining"] == "7"
        stats = requests.get(f"{server.url}/_sandbox/stats", timeout=T).json()
        assert stats["rate_limit_hits"] == {"sandbox": 2, "otra": 0} and stats["bans"] == {}


@pytest.mark.parametrize("profile, status", [("legacy", 403), ("current", 429)])
def test_a_ban_covers_every_store_behind_the_ip_in_both_profiles(profile, status):
    with SandboxServer(rate_limit=profile, seed_products=1, prerender=False) as server:
        server.state.freeze_clock(True)
        requests.post(f"{server.url}/_sandbox/config", json={"ban_threshold": 3, "ban_seconds": 60}, timeout=T)
        other = _second_store(server)
        here, there = session_from("127.0.0.1"), session_from("127.0.0.2")
        limit = 8 if profile == "legacy" else 20
        responses = [_info(server, here) for _ in range(limit + 3)]
        assert [r.status_code for r in responses] == [200] * limit + [status] * 3
        assert BAN_HEADER not in responses[-2].headers          # two hits: not banned yet
        reset = responses[-1].headers[BAN_HEADER]               # the third hit bans the IP
        assert reset.endswith("+00:00") and "T" in reset
        if profile == "legacy":
            assert "Rate Limit Exceeded" in responses[-1].text
        # The other store, never over its limit, is refused too: the ban is on the address.
        banned = _info(server, here, other)
        assert banned.status_code == status and banned.headers[BAN_HEADER] == reset
        assert banned.headers["Jumpseller-PerSecondRateLimit-Remaining"] == "0"
        # Another address is not banned, for either store.
        assert _info(server, there).status_code == 200 and _info(server, there, other).status_code == 200
        stats = requests.get(f"{server.url}/_sandbox/stats", timeout=T).json()
        assert stats["bans"] == {"ip:127.0.0.1": reset}
        assert stats["rate_limit_hits"] == {"sandbox": 3, other: 1}
        server.state.advance_clock(59)
        assert _info(server, here, other).status_code == status   # windows are free, the ban holds
        server.state.advance_clock(1)
        assert _info(server, here, other).status_code == 200 and _info(server, here).status_code == 200


def test_ban_scope_store_bans_only_the_store_that_hit_its_limit():
    with SandboxServer(rate_limit="current", ban_scope="store", seed_products=1, prerender=False) as server:
        server.state.freeze_clock(True)
        requests.post(f"{server.url}/_sandbox/config", json={"ban_threshold": 1, "ban_seconds": 60}, timeout=T)
        other = _second_store(server)
        here, there = session_from("127.0.0.1"), session_from("127.0.0.2")
        codes = [_info(server, here).status_code for _ in range(21)]
        assert codes == [200] * 20 + [429]
        assert BAN_HEADER in _info(server, there).headers               # that store, from any address
        assert _info(server, here, other).status_code == 200            # not the other store
        assert requests.get(f"{server.url}/_sandbox/stats", timeout=T).json()["bans"].keys() == {"store:sandbox"}


def test_a_forced_ban_through_the_control_endpoint():
    with SandboxServer(rate_limit="current", seed_products=1, prerender=False) as server:
        other = _second_store(server)
        here, there = session_from("127.0.0.1"), session_from("127.0.0.2")
        for bad, expected in (({"seconds": 0}, 400), ({"seconds": "2"}, 400), ({"seconds": True}, 400),
                              ({"store": "nope", "seconds": 2}, 404)):
            assert here.post(f"{server.url}/_sandbox/ban", json=bad, timeout=T).status_code == expected
        assert requests.get(f"{server.url}/_sandbox/stats", timeout=T).json()["bans"] == {}  # refusals banned nothing
        forced = there.post(f"{server.url}/_sandbox/ban", json={"store": other, "seconds": 1.5}, timeout=T)
        assert forced.status_code == 200 and forced.json()["banned"] == "ip:127.0.0.2"   # the caller's address
        assert _info(server, there).status_code == 429 and _info(server, there).headers[BAN_HEADER] == \
            forced.json()["reset"]
        assert _info(server, here).status_code == 200
        time.sleep(max(0.0, forced.json()["until"] - server.state.now()) + 0.05)
        assert _info(server, there).status_code == 200
        # A reset lifts bans too.
        there.post(f"{server.url}/_sandbox/ban", json={"seconds": 60}, timeout=T)
        requests.post(f"{server.url}/_sandbox/reset", timeout=T)
        assert _info(server, there).status_code == 200


def test_the_off_profile_never_refuses_even_when_banned():
    with SandboxServer(rate_limit="off", seed_products=1, prerender=False) as server:
        requests.post(f"{server.url}/_sandbox/ban", json={"seconds": 60}, timeout=T)
        response = _info(server, requests.Session())
        assert response.status_code == 200 and BAN_HEADER not in response.headers
