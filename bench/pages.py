"""How fast is the settings page of an installed store, next to a bare Flask endpoint, under gunicorn?

Prepares a SQLite database with one store installed against an in-process sandbox (Basic connect, which also
caches its dashboard figures), then serves the app and a one-line Flask app from ONE gunicorn (2 workers) and
drives both from the keep-alive load client (bench/shared/load.py) on 127.0.0.1, with the job worker running (its
heartbeat is on the page). Several rounds; medians are reported.
Prints ONE JSON line: rps, bare_rps, ratio (rps / bare_rps), p50_ms, p99_ms of the settings page.

    python bench/pages.py [--rounds 3] [--requests 2000] [--concurrency 4] [--seconds 10] [--no-worker]
"""

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.shared import (BARE_PREFIX, Request, app_env, free_port, gunicorn, install, load,  # noqa: E402
                          percentile, repeat, worker)


def settle(sandbox, quiet_for=3.0, at_most=90.0):
    """Wait for the worker's start-up jobs (a reconciliation of every store) to finish: they are a one-off
    burst of API calls and CPU, not the steady state the pages are measured in."""
    def calls():
        return sandbox.state.stats()["api_requests"].get("sandbox", 0)

    deadline, last, since = time.monotonic() + at_most, calls(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet_for:
        time.sleep(0.5)
        if calls() != last:
            last, since = calls(), time.monotonic()


def main(argv=None):
    """Run the rounds and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--no-worker", action="store_true",
                        help="without the job worker (its heartbeat is part of the page, as in production)")
    args = parser.parse_args(argv)

    from sandbox.server import SandboxServer

    with tempfile.TemporaryDirectory() as tmp, SandboxServer(rate_limit="off") as sandbox:
        port = free_port()
        env = app_env(sandbox.url, tmp, port)
        cookie = install(env, sandbox).cookie
        api_before = sandbox.state.stats()["api_requests"].get("sandbox", 0)
        with gunicorn(env, port), contextlib.ExitStack() as jobs:
            if not args.no_worker:
                jobs.enter_context(worker(env))
                settle(sandbox)
            page = Request("GET", "/", {"Cookie": cookie, "Accept-Language": "en"})
            bare = Request("GET", BARE_PREFIX + "/", {})
            common = {"concurrency": args.concurrency, "seconds": args.seconds}
            load(port, repeat(page, 200), expect=b"settings-form", **common)      # warm up
            load(port, repeat(bare, 200), **common)
            results = []
            for _ in range(args.rounds):
                bare_rps, _, _ = load(port, repeat(bare, args.requests), **common)
                rps, latencies, _ = load(port, repeat(page, args.requests), expect=b"settings-form", **common)
                results.append((rps, bare_rps, percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000))
        api_calls = sandbox.state.stats()["api_requests"].get("sandbox", 0) - api_before

    rps = statistics.median(r[0] for r in results)
    bare_rps = statistics.median(r[1] for r in results)
    print(json.dumps({
        "rps": round(rps, 1), "bare_rps": round(bare_rps, 1), "ratio": round(rps / bare_rps, 3),
        "p50_ms": round(statistics.median(r[2] for r in results), 2),
        "p99_ms": round(statistics.median(r[3] for r in results), 2),
        "rounds": args.rounds, "concurrency": args.concurrency, "api_calls_during_run": api_calls,
        "worker": not args.no_worker,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
