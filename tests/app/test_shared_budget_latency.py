"""Three app processes (as two web processes and the worker are) share ONE store's rate budget against a sandbox
that answers every call, the token endpoint included, after 400 ms and enforces Jumpseller's current limits
(20/s + 800/min, 429 then a ban). Over 1,000 calls through services.clients.client_for: no limit hit; and with
the token expiring mid-run, one refresh and still no limit hit (the resend after the refresh takes a budget slot).

The sandbox draws each call's delay from 400 ± 150 ms (latency_jitter_ms), so answers arrive out of send order.

The latency is what makes this hard: a call is stamped by the server hundreds of milliseconds after we send it,
and a budget that counted send times alone would let the next second's calls land in the same server window.
"""

import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from ..support.flows import control, install, stats
from ..support.processes import finish, start_together

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, THREADS, CALLS = 3, 4, 84          # 1,008 calls; 12 in flight keep 20/s busy at 400 ms each
LATENCY_MS = 400
JITTER_MS = 150                               # each call waits 250 to 550 ms
EXPIRE_AFTER = 15.0                           # seconds into the run: the server expires the access token


@pytest.fixture
def sandbox_options():
    return {"rate_limit": "current"}


def run(app_config, sandbox, *, expire_after=None):
    """Fire the processes together; returns (calls ok, limit hits, token refreshes, seconds) once all are done."""
    control(sandbox, "faults", latency_ms=LATENCY_MS, latency_jitter_ms=JITTER_MS, include_token_endpoint=True)
    before = stats(sandbox)
    env = {**os.environ, "BUDGET_CONFIG": json.dumps(app_config), "BUDGET_STORE": "sandbox",
           "BUDGET_THREADS": str(THREADS), "BUDGET_CALLS": str(CALLS)}
    procs, go = start_together([[sys.executable, "-m", "tests.support.budget_worker"]] * PROCESSES, cwd=ROOT,
                               env=env)
    expirer = None
    if expire_after is not None:
        expirer = threading.Timer(max(0.0, go + expire_after - time.time()),
                                  lambda: control(sandbox, "tokens/expire", store="sandbox"))
        expirer.start()
    try:
        results = [json.loads(out.strip().splitlines()[-1]) for out in finish(procs)]
    finally:
        if expirer is not None:
            expirer.cancel()
    seconds = time.time() - go
    after = stats(sandbox)
    assert [r["errors"] for r in results] == [[]] * PROCESSES
    if expirer is not None:
        assert expirer.finished.is_set() and seconds > expire_after     # the token did expire mid-run
    hits = after["rate_limit_hits"].get("sandbox", 0) - before["rate_limit_hits"].get("sandbox", 0)
    refreshes = (after["token_requests"].get("refresh_token", 0)
                 - before["token_requests"].get("refresh_token", 0))
    ok = sum(r["ok"] for r in results)
    print(f"{ok} calls in {seconds:.1f} s from {PROCESSES} processes: {hits} limit hits, {refreshes} refresh(es)")
    return ok, hits, refreshes, seconds


def test_three_processes_share_one_budget_under_latency(app, app_config, live_app, browser, sandbox):
    install(browser, live_app)
    ok, hits, refreshes, _ = run(app_config, sandbox)
    assert ok == PROCESSES * THREADS * CALLS >= 1000
    assert hits == 0 and refreshes == 0


def test_a_token_expiring_mid_run_costs_one_refresh_and_no_limit_hit(app, app_config, live_app, browser, sandbox):
    install(browser, live_app)                                   # OAuth: a token that can expire and refresh
    ok, hits, refreshes, _ = run(app_config, sandbox, expire_after=EXPIRE_AFTER)
    assert ok == PROCESSES * THREADS * CALLS >= 1000
    assert refreshes == 1
    assert hits == 0
