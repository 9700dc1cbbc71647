"""The real-worker harness: `flask --app app worker` (or any `flask` command) as a process on the test app's
configuration, its queue on SQLite or Redis, and a bounded wait for what it does.

Registered as a pytest plugin by tests/conftest.py: the fixtures queue_backend and start_worker are shared by
every module that runs a worker; such a module points the app at the real queue with with_worker_queue().
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from jumpseller_app.extensions import queue

ROOT = Path(__file__).resolve().parents[2]
# Only bounds hangs: a loaded machine may take long to start a process or to run a job against a slow sandbox.
HANG_TIMEOUT = 240
_PASSED = ("APP_ENV", "SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "JUMPSELLER_CLIENT_ID", "JUMPSELLER_CLIENT_SECRET",
           "JUMPSELLER_ACCOUNTS_URL", "JUMPSELLER_API_URL", "JUMPSELLER_SCOPES", "RATE_LIMIT_DB", "HUEY_DB",
           "REDIS_URL", "APP_URL", "JOBS_HEARTBEAT_SECONDS")


def with_worker_queue(config, backend):
    """`config` with a real queue (no immediate mode) that only a worker process drains, and a fast heartbeat."""
    return {**config, "JOBS_IMMEDIATE": False, "REDIS_URL": backend, "JOBS_HEARTBEAT_SECONDS": 1}


def worker_env(config):
    """The environment that gives `flask --app app` the test app's configuration."""
    env = dict(os.environ)
    for name in _PASSED:
        env[name] = str(config.get(name, ""))
    env.update(DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"], JOBS_IMMEDIATE="0", JOBS_WORKERS="2")
    return env


def wait_for(predicate, what, timeout=HANG_TIMEOUT):
    """Poll until predicate() is true; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def jobs_pending(app):
    """How many jobs wait in the app's queue."""
    with app.app_context():
        return queue.pending_count()


@pytest.fixture(params=["sqlite", "redis"])
def queue_backend(request):
    """The job queue's storage: the SQLite file (""), or a Redis URL (a database of its own, emptied first)."""
    if request.param == "sqlite":
        return ""
    url = request.getfixturevalue("redis_server").url.rsplit("/", 1)[0] + "/3"
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def start_worker(app):
    """Start `flask --app app worker` as a real process; stopped (and its output shown on failure) at the end."""
    procs = []

    def start():
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT,
                                env=worker_env(app.config), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        print(out)
