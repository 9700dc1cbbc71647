"""Rate limits over real HTTP: legacy 403, current 429 and ban, per-store counting, headers."""
import requests

from sandbox.server import SandboxServer

T = 10


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


def _hammer(server, seconds, threads=2):
    """Two client threads at full speed for `seconds`; returns every response's (status, remaining header)."""
    import threading
    import time as clock

    results, stop_at = [], clock.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        session = requests.Session()
        while clock.monotonic() < stop_at:
            r = session.get(f"{server.url}/v1/products/count.json", auth=_owner(server), timeout=T)
            with lock:
                results.append((r.status_code, r.headers.get("Jumpseller-PerSecondRateLimit-Remaining")))

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def test_concurrent_clients_get_exactly_the_limit_per_window_on_a_frozen_clock():
    with SandboxServer(rate_limit="legacy", seed_products=1, prerender=False) as server:
        server.state.freeze_clock(True)
        for _ in range(2):
            results = _hammer(server, 0.4)
            accepted = [remaining for status, remaining in results if status == 200]
            assert len(accepted) == 8 and len(results) > 8
            # Headers are exact under concurrency: each accepted request saw a distinct remaining count.
            assert sorted(int(r) for r in accepted) == list(range(8))
            assert {status for status, _ in results} == {200, 403}
            server.state.advance_clock(1.0)  # the window slides by exactly one second: 8 more


def test_concurrent_clients_at_full_speed_in_real_time():
    with SandboxServer(rate_limit="current", seed_products=1, prerender=False) as server:
        results = _hammer(server, 2.5)
        log = requests.get(f"{server.url}/_sandbox/requests", timeout=T).json()["requests"]
    accepted = sorted(entry["at"] for entry in log if entry["status"] == 200)
    assert len(accepted) == sum(1 for status, _ in results if status == 200)
    assert len(results) > len(accepted) > 40
    for i in range(len(accepted) - 20):
        span = accepted[i + 20] - accepted[i]
        assert span >= 1.0   # never more than 20 in any one-second window...
    starts = [accepted[i] for i in range(0, len(accepted), 20)]
    # ...and full-speed clients get the next 20 as soon as the window frees up (exactly 20 per window).
    assert all(later - earlier < 1.25 for earlier, later in zip(starts, starts[1:]))
    # Each burst of 20 fits in one window that admits no 21st: exactly the limit per window.
    assert all(accepted[g + 19] - accepted[g] < 1.0 for g in range(0, len(accepted) - 19, 20))
