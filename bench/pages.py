"""How fast is the settings page of an installed store, next to a bare Flask endpoint, under gunicorn?

Prepares a SQLite database with one store installed against an in-process sandbox (Basic connect, which also
caches its dashboard figures), then serves the app and a one-line Flask app from ONE gunicorn (2 workers) and
drives both from a bounded, threaded keep-alive client on 127.0.0.1. Several rounds; medians are reported.
Prints ONE JSON line: rps, bare_rps, ratio (rps / bare_rps), p50_ms, p99_ms of the settings page.

    python bench/pages.py [--rounds 3] [--requests 2000] [--concurrency 4] [--seconds 10]
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE_PREFIX = "/_bare"


def wsgi_app():
    """gunicorn's target (`bench.pages:wsgi_app()`): the app, with a bare Flask app mounted beside it."""
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from jumpseller_app import create_app

    bare = Flask("bare")

    @bare.get("/")
    def hello():
        return "ok"

    app = create_app()
    return DispatcherMiddleware(app.wsgi_app, {BARE_PREFIX: bare.wsgi_app})


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env, sandbox):
    """Migrate the database and install the sandbox's store; returns a session cookie for it."""
    from flask_migrate import upgrade

    from jumpseller_app import create_app
    from jumpseller_app.config import load_config
    from jumpseller_app.services import connect

    # The first fetch of a new connection is a job; with no worker here it runs in-process, at once.
    app = create_app(load_config({**env, "JOBS_IMMEDIATE": "1"}))
    with app.app_context():
        upgrade()
        store = sandbox.state.default_store
        installed = connect.connect_basic(login=store.login, authtoken=store.authtoken)
        assert installed.snapshot is not None and installed.snapshot.fetched_at is not None
        # What sessions.sign_in() stores: the store, its session epoch and when the merchant signed in.
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"store_code": installed.code, "epoch": installed.session_epoch, "signed_in_at": int(time.time())})
        from jumpseller_app.extensions import db
        db.engine.dispose()
    return f"{app.config['SESSION_COOKIE_NAME']}={cookie}"


def wait_until_up(port, deadline=20.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def load(port, path, headers, *, total, concurrency, seconds, expect=None):
    """Send up to `total` GETs (or until `seconds` pass) from `concurrency` threads; returns (rps, latencies)."""
    latencies, lock, counter = [], threading.Lock(), iter(range(total))
    deadline = time.monotonic() + seconds
    failures = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        try:
            while time.monotonic() < deadline:
                with lock:
                    if next(counter, None) is None:
                        break
                started = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                mine.append(time.perf_counter() - started)
                if response.status != 200 or (expect and expect not in body):
                    failures.append(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} bad responses from {path} (e.g. {failures[0]})")
    return len(latencies) / elapsed, latencies


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main(argv=None):
    """Run the rounds and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)

    from jumpseller_app.crypto import generate_key
    from sandbox.server import SandboxServer

    with tempfile.TemporaryDirectory() as tmp, SandboxServer(rate_limit="off") as sandbox:
        port = free_port()
        env = {
            "APP_ENV": "production", "SECRET_KEY": os.urandom(24).hex(), "TOKEN_ENCRYPTION_KEYS": generate_key(),
            "JUMPSELLER_CLIENT_ID": "bench", "JUMPSELLER_CLIENT_SECRET": "bench-secret",
            "JUMPSELLER_ACCOUNTS_URL": sandbox.url, "JUMPSELLER_API_URL": sandbox.url + "/v1",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "RATE_LIMIT_DB": f"{tmp}/ratelimit.sqlite3", "LOG_LEVEL": "WARNING", "APP_URL": f"http://127.0.0.1:{port}",
        }
        cookie = prepare(env, sandbox)
        api_before = sandbox.state.stats()["api_requests"].get("sandbox", 0)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--access-logfile", "/dev/null", "--error-logfile", "-", "bench.pages:wsgi_app()"],
            cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until_up(port)
            page_headers = {"Cookie": cookie, "Accept-Language": "en"}
            common = {"concurrency": args.concurrency, "seconds": args.seconds}
            load(port, "/", page_headers, total=200, expect=b"settings-form", **common)      # warm up
            load(port, BARE_PREFIX + "/", {}, total=200, **common)
            results = []
            for _ in range(args.rounds):
                bare_rps, _ = load(port, BARE_PREFIX + "/", {}, total=args.requests, **common)
                rps, latencies = load(port, "/", page_headers, total=args.requests, expect=b"settings-form", **common)
                results.append((rps, bare_rps, percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000))
        finally:
            server.terminate()
            server.wait(timeout=10)
            server.stderr.close()
        api_calls = sandbox.state.stats()["api_requests"].get("sandbox", 0) - api_before

    rps = statistics.median(r[0] for r in results)
    bare_rps = statistics.median(r[1] for r in results)
    print(json.dumps({
        "rps": round(rps, 1), "bare_rps": round(bare_rps, 1), "ratio": round(rps / bare_rps, 3),
        "p50_ms": round(statistics.median(r[2] for r in results), 2),
        "p99_ms": round(statistics.median(r[3] for r in results), 2),
        "rounds": args.rounds, "concurrency": args.concurrency, "api_calls_during_run": api_calls,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
