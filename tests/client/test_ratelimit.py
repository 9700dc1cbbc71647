"""The shared per-store rate budget: exact sliding windows, shared across processes, driven by headers."""

import json
import sys
import time
from pathlib import Path

import pytest

from jumpseller_app.jumpseller.ratelimit import (
    MINUTE_MARGIN,
    SECOND_MARGIN,
    Limits,
    SQLiteBackend,
    StoreBudget,
    earliest_slot,
    limits_from_headers,
)

from ..support.processes import finish, start_together

ROOT = Path(__file__).resolve().parents[2]


def max_in_window(times, width):
    """The most sends any sliding window of `width` seconds (open at the start, closed at the end) holds."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - width:
            start += 1
        best = max(best, end - start + 1)
    return best


def schedule(count, limits=Limits()):
    recent, slots = [], []
    for _ in range(count):
        slot = earliest_slot(0.0, recent, limits)
        recent.insert(0, slot)
        slots.append(slot)
    return slots


def test_schedule_never_exceeds_either_window_and_wastes_little():
    slots = schedule(1000)
    assert max_in_window(slots, 1.0) == 8
    assert max_in_window(slots, 60.0) == 240
    # 1000 requests need at least 4 full minutes (the 961st cannot start before 240 s); margins cost < 1 %.
    assert 240.0 <= slots[960] <= 240.0 + 4 * (MINUTE_MARGIN + SECOND_MARGIN) + 0.01
    # Evenly spaced: never two calls closer than an eighth of a second (plus the margin).
    assert min(b - a for a, b in zip(slots, slots[1:])) >= 1.0 / 8


def test_current_profile_limits_come_from_the_headers():
    headers = {"Jumpseller-PerSecondRateLimit-Limit": "20", "Jumpseller-PerMinuteRateLimit-Limit": "800"}
    assert limits_from_headers(headers) == Limits(20, 800)
    assert limits_from_headers({}) is None
    assert limits_from_headers({**headers, "Jumpseller-PerSecondRateLimit-Limit": "x"}) is None
    slots = schedule(2000, Limits(20, 800))
    assert max_in_window(slots, 1.0) == 20 and max_in_window(slots, 60.0) == 800


def test_a_pause_holds_every_caller(tmp_path):
    now = [1000.0]
    slept = []
    budget = StoreBudget(SQLiteBackend(tmp_path / "b.sqlite3"), "shop", clock=lambda: now[0], sleep=slept.append)
    budget.observe(429, {}, retry_after=30.0)
    budget.acquire()
    assert slept == [pytest.approx(30.0)]


def test_sends_we_did_not_make_are_counted_from_the_remaining_headers(tmp_path):
    now = [1000.0]
    slept = []
    budget = StoreBudget(SQLiteBackend(tmp_path / "b.sqlite3"), "shop", clock=lambda: now[0], sleep=slept.append)
    budget.acquire()
    # The server says 239 of 240 were used this minute: someone else made 238 calls on this store.
    budget.observe(200, {"Jumpseller-PerSecondRateLimit-Limit": "8", "Jumpseller-PerMinuteRateLimit-Limit": "240",
                         "Jumpseller-PerSecondRateLimit-Remaining": "7",
                         "Jumpseller-PerMinuteRateLimit-Remaining": "1"})
    budget.acquire()                        # the one left
    budget.acquire()                        # must wait for the minute window to slide
    assert slept[-1] >= 59.0


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
def test_budget_is_shared_by_two_processes_on_both_backends(backend_kind, tmp_path, request):
    target = (request.getfixturevalue("redis_server").url if backend_kind == "redis"
              else str(tmp_path / "budget.sqlite3"))
    store = f"shop-{backend_kind}-{time.time_ns()}"
    script = "\n".join([
        "import json, sys, time",
        "from jumpseller_app.jumpseller.ratelimit import Limits, RedisBackend, SQLiteBackend",
        "from tests.support.processes import ready_then_wait",
        "kind, target, store = sys.argv[1:4]",
        "backend = RedisBackend(target) if kind == 'redis' else SQLiteBackend(target)",
        "ready_then_wait()",
        "print(json.dumps([backend.reserve(store, Limits(), time.time()) for _ in range(150)]))",
    ])
    procs, start = start_together([[sys.executable, "-c", script, backend_kind, target, store]] * 2, cwd=ROOT)
    slots = [s for out in finish(procs) for s in json.loads(out)]
    assert len(slots) == 300
    assert max_in_window(slots, 1.0) == 8
    assert max_in_window(slots, 60.0) == 240
    assert min(slots) < start + 1.0


def test_redis_pause_and_phantoms(redis_server):
    from jumpseller_app.jumpseller.ratelimit import RedisBackend

    now = [time.time()]
    slept = []
    budget = StoreBudget(RedisBackend(redis_server.url), f"shop-{time.time_ns()}", clock=lambda: now[0],
                         sleep=slept.append)
    budget.observe(429, {}, retry_after=30.0)
    budget.acquire()
    assert slept == [pytest.approx(30.0, abs=0.01)]
    now[0] += 31
    budget.observe(200, {"Jumpseller-PerSecondRateLimit-Limit": "8", "Jumpseller-PerMinuteRateLimit-Limit": "240",
                         "Jumpseller-PerSecondRateLimit-Remaining": "0",
                         "Jumpseller-PerMinuteRateLimit-Remaining": "0"})
    budget.acquire()
    assert slept[-1] >= 59.0


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
def test_a_refusal_widens_the_stores_margin(backend_kind, tmp_path, request):
    from jumpseller_app.jumpseller.ratelimit import MAX_SECOND_MARGIN, RedisBackend

    backend = (RedisBackend(request.getfixturevalue("redis_server").url) if backend_kind == "redis"
               else SQLiteBackend(tmp_path / "b.sqlite3"))
    store = f"shop-{time.time_ns()}"
    now = [1000.0]

    def spacing():
        first = backend.reserve(store, Limits(), now[0])
        return backend.reserve(store, Limits(), now[0]) - first

    before = spacing()
    assert before == pytest.approx((1.0 + SECOND_MARGIN) / 8)
    budget = StoreBudget(backend, store, clock=lambda: now[0], sleep=lambda s: None)
    for _ in range(10):
        budget.observe(403, {}, retry_after=0.0)            # repeated refusals: the margin doubles, then caps
    now[0] += 100
    assert spacing() == pytest.approx((1.0 + MAX_SECOND_MARGIN) / 8)
    banned = StoreBudget(backend, store + "-b", clock=lambda: now[0], sleep=lambda s: None)
    banned.observe(429, {}, retry_after=0.0, banned=True)    # a ban is not a timing problem
    store += "-b"
    now[0] += 100
    assert spacing() == pytest.approx(before)


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
def test_a_call_counts_from_when_it_was_answered(backend_kind, tmp_path, request):
    """A slow answer means the server may have stamped the call late: the next window starts from the answer."""
    from jumpseller_app.jumpseller.ratelimit import RedisBackend

    backend = (RedisBackend(request.getfixturevalue("redis_server").url) if backend_kind == "redis"
               else SQLiteBackend(tmp_path / "b.sqlite3"))
    now = [1000.0]
    budget = StoreBudget(backend, f"shop-{time.time_ns()}", clock=lambda: now[0], sleep=lambda s: None)
    slots = [budget.acquire() for _ in range(8)]
    for slot in slots:                                        # every call took 400 ms to answer
        now[0] = slot + 0.4
        budget.observe(200, {}, slot=slot)
    ninth = budget.acquire()
    assert ninth >= slots[0] + 0.4 + 1.0                      # a full second after the latest possible stamp
