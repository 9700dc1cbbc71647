"""How many signed hook deliveries does the receiver take per second under gunicorn, next to a bare endpoint?

For SQLite, then PostgreSQL (with Redis as the job queue, as in production; both servers started here from the
Debian packages, as the tests start them): installs the sandbox's store through the app's services (which keeps
its hooks_token), serves the app and a one-line Flask app from ONE gunicorn (gunicorn.conf.py, 2 workers), runs
the job worker (`flask --app app worker`), and posts signed deliveries, a fifth of them resent duplicates, from a
keep-alive client (bench/shared/load.py). The bare endpoint gets the same bodies from the same client in the same run.

lost = unique deliveries sent - unique deliveries stored, counted once the worker has drained the inbox (no row
pending or failed) or, if nothing drains it, once the count stops moving (`drained` says which).
Besides the rates: web_cpu_ms, the CPU of gunicorn's processes per delivery (bare_web_cpu_ms per bare request),
worker_cpu_ms and db_cpu_ms (PostgreSQL's processes) over the same timed run, and machine_busy, the share of the
machine's cores busy meanwhile. On a machine others load, the rates move with their load; the CPU figures much less.
Prints ONE JSON line with keys prefixed sqlite_ and pg_.

    python bench/webhooks.py [--deliveries 20000] [--concurrency 8] [--seconds 30] [--only sqlite|pg]
                             [--worker-after]
"""

import argparse
import contextlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.shared import (BARE_PREFIX, Request, app_env, cpu, free_port, gunicorn, install, load,  # noqa: E402
                          percentile, worker)

DUPLICATE_SHARE = 0.2
DRAIN_TIMEOUT = 120.0
# Seconds without any change in the inbox: nothing drains it. The worker queues a drain at most once a scheduler beat
# (JOBS_HEARTBEAT_SECONDS, 10 s), so a shorter quiet spell says nothing.
STILL_FOR = 30.0


def deliveries(code, hooks_token, total, rng):
    """`total` signed deliveries for the store, DUPLICATE_SHARE of them resends of earlier ones; returns
    (requests in sending order, unique count)."""
    from jumpseller_app.jumpseller import webhooks as signing

    unique = int(total * (1 - DUPLICATE_SHARE))
    sent = []
    for number in range(unique):
        body = json.dumps({"order": {"id": 100000 + number, "status": "Paid", "total": f"{number % 997}.50",
                                     "customer": {"id": number % 50}}}).encode()
        sent.append(Request("POST", "/webhooks/jumpseller", {
            signing.STORE_HEADER: code, signing.EVENT_HEADER: "order_updated",
            signing.SIGNATURE_HEADER: signing.signature(body, hooks_token),
            signing.TRIGGERED_AT_HEADER: "2026-11-23T19:00:00Z", "Content-Type": "application/json"}, body))
    # Jumpseller resends what it thinks was lost: a duplicate arrives some time after its original.
    for _ in range(total - unique):
        at = rng.randrange(1, len(sent) + 1)
        sent.insert(at, sent[rng.randrange(0, at)])
    return sent, unique


def inbox_state(env, code):
    """(rows stored for the store, rows still pending or failed), read through the app's models."""
    from sqlalchemy import func, select

    from jumpseller_app import create_app
    from jumpseller_app.config import load_config
    from jumpseller_app.extensions import db
    from jumpseller_app.models import Store, WebhookEvent, WebhookStatus

    app = create_app(load_config(env))
    with app.app_context():
        store_id = db.session.scalar(select(Store.id).where(Store.code == code))
        stored = db.session.scalar(select(func.count()).where(WebhookEvent.store_id == store_id))
        waiting = db.session.scalar(select(func.count()).where(
            WebhookEvent.store_id == store_id,
            WebhookEvent.status.in_([WebhookStatus.PENDING, WebhookStatus.FAILED])))
        db.session.remove()
        db.engine.dispose()
    return stored, waiting


def wait_drained(env, code):
    """Wait for the worker to empty the inbox; returns (stored, waiting, drained)."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    last, since = None, time.monotonic()
    while True:
        stored, waiting = inbox_state(env, code)
        if waiting == 0:
            return stored, waiting, True
        if (stored, waiting) != last:
            last, since = (stored, waiting), time.monotonic()
        if time.monotonic() - since > STILL_FOR or time.monotonic() > deadline:
            return stored, waiting, False
        time.sleep(1.0)


def measured(port, requests, watched, common):
    """load(), plus the CPU milliseconds per answered request that each watched process group spent meanwhile and
    the machine's busy share (how much the run competed with other work for the cores)."""
    before, busy_before = {name: cpu.seconds(pids()) for name, pids in watched.items()}, cpu.machine_busy()
    rps, latencies, statuses = load(port, requests, **common)
    busy, total = (after - earlier for after, earlier in zip(cpu.machine_busy(), busy_before))
    answered = max(1, len(latencies))
    spent = {name: round((cpu.seconds(pids()) - before[name]) * 1000 / answered, 3) for name, pids in watched.items()}
    return rps, latencies, statuses, spent, round(busy / max(1, total), 2)


def run(sandbox, database_url, extra_env, args, database_pid=None):
    """One database's figures (unprefixed keys)."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = app_env(sandbox.url, tmp, port, database_url, **extra_env)
        installed = install(env, sandbox)
        assert installed.hooks_token, "the installed store has no hooks_token to sign with"
        sent, unique = deliveries(installed.code, installed.hooks_token, args.deliveries, random.Random(7))
        bare = [Request("POST", BARE_PREFIX + "/", item.headers, item.body) for item in sent]
        common = {"concurrency": args.concurrency, "seconds": args.seconds}
        with gunicorn(env, port) as server, contextlib.ExitStack() as draining:
            jobs = None if args.worker_after else draining.enter_context(worker(env))
            watched = {"web": lambda: cpu.tree(server.pid), "worker": lambda: cpu.tree(jobs.pid) if jobs else [],
                       "db": lambda: cpu.tree(database_pid) if database_pid else []}
            load(port, bare[:500], **common)                                   # warm up (workers booted)
            bare_rps, _, _, bare_cpu, _ = measured(port, bare, watched, common)
            rps, latencies, statuses, spent, busy = measured(port, sent, watched, common)
            answered = sum(statuses.values())
            if args.worker_after:
                draining.enter_context(worker(env))
            stored, waiting, drained = wait_drained(env, installed.code)
    if answered < len(sent):
        # The run was cut by --seconds: only what was sent counts as sent.
        unique = len({item.body for item in sent[:answered]})
    return {"deliveries_per_s": round(rps, 1), "p50_ack_ms": round(percentile(latencies, 0.5) * 1000, 2),
            "p99_ack_ms": round(percentile(latencies, 0.99) * 1000, 2), "sent": answered, "unique_sent": unique,
            "stored": stored, "lost": unique - stored, "drained": drained, "waiting": waiting,
            "bare_rps": round(bare_rps, 1), "ratio": round(rps / bare_rps, 3),
            "web_cpu_ms": spent["web"], "bare_web_cpu_ms": bare_cpu["web"], "worker_cpu_ms": spent["worker"],
            **({"db_cpu_ms": spent["db"]} if database_pid else {}), "machine_busy": busy}


def postmaster_pid(postgres):
    """The PostgreSQL server's main process (its backends are its children)."""
    with open(f"{postgres.dir}/data/postmaster.pid") as pidfile:
        return int(pidfile.readline())


def main(argv=None):
    """Both databases, one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--only", choices=["sqlite", "pg"])
    parser.add_argument("--worker-after", action="store_true",
                        help="start the worker once the deliveries are sent (the receiver measured alone)")
    args = parser.parse_args(argv)

    from sandbox.server import SandboxServer
    from tests.support.servers import PostgresServer, RedisServer

    figures = {"concurrency": args.concurrency, "duplicates": DUPLICATE_SHARE}
    with SandboxServer(rate_limit="off") as sandbox:
        if args.only != "pg":
            figures.update({f"sqlite_{k}": v for k, v in run(sandbox, None, {}, args).items()})
        if args.only != "sqlite":
            postgres, redis = PostgresServer(), RedisServer()
            try:
                postgres.start()
                redis.start()
                database_url = postgres.create_database()
                result = run(sandbox, database_url, {"REDIS_URL": redis.url}, args,
                             postmaster_pid(postgres))
            finally:
                redis.stop()
                postgres.stop()
            figures.update({f"pg_{k}": v for k, v in result.items()})
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
