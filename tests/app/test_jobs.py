"""Background jobs: POST /refresh only queues a sync, a real worker process runs it and recomputes the dashboard
from the mirror it filled, one sync per store at a time."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from jumpseller_app.extensions import queue

from ..support.flows import control, post_form, sandbox_credentials
from ..support.iframe import api_requests

ROOT = Path(__file__).resolve().parents[2]
# Only bound hangs: a loaded machine may take long to start a process or to run a job against a slow sandbox.
HANG_TIMEOUT = 240


@pytest.fixture(params=["sqlite", "redis"])
def queue_backend(request):
    """The job queue's storage: the SQLite file, or Redis (a database of its own, emptied first)."""
    if request.param == "sqlite":
        return ""
    url = request.getfixturevalue("redis_server").url.rsplit("/", 1)[0] + "/3"
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def app_config(app_config, queue_backend):
    """A real queue (no immediate mode) that only a worker process drains; a fast heartbeat."""
    return {**app_config, "JOBS_IMMEDIATE": False, "REDIS_URL": queue_backend, "JOBS_HEARTBEAT_SECONDS": 1}


def worker_env(config):
    """The environment that gives `flask --app app` the test app's configuration."""
    env = dict(os.environ)
    for name in ("APP_ENV", "SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "JUMPSELLER_CLIENT_ID", "JUMPSELLER_CLIENT_SECRET",
                 "JUMPSELLER_ACCOUNTS_URL", "JUMPSELLER_API_URL", "JUMPSELLER_SCOPES", "RATE_LIMIT_DB", "HUEY_DB",
                 "REDIS_URL", "APP_URL", "JOBS_HEARTBEAT_SECONDS"):
        env[name] = str(config[name])
    env.update(DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"], JOBS_IMMEDIATE="0", JOBS_WORKERS="2")
    return env


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


def wait_for(predicate, what):
    """Poll until predicate() is true; fails after HANG_TIMEOUT."""
    deadline = time.monotonic() + HANG_TIMEOUT
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def jobs_pending(app):
    with app.app_context():
        return queue.pending_count()


def connect(browser, live_app, sandbox):
    login, authtoken = sandbox_credentials(sandbox)
    response = post_form(browser, live_app, login=login, authtoken=authtoken)
    assert response.status_code == 200, response.text
    return response


def syncing(browser, live_app):
    return 'data-testid="syncing"' in browser.get(live_app.url + "/", timeout=10).text


def test_refresh_queues_a_sync_the_worker_runs(app, live_app, sandbox, browser, start_worker):
    page = connect(browser, live_app, sandbox)
    # The first fetch of a new connection is a full sync, queued, not run, while no worker runs.
    assert 'data-testid="syncing"' in page.text and 'data-testid="count-products">–<' in page.text
    assert "not running" in page.text
    assert jobs_pending(app) == 1

    control(sandbox, "faults", latency_ms=300)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    before = api_requests(sandbox)
    for _ in range(2):
        click = browser.post(live_app.url + "/refresh", data={"csrf_token": csrf}, allow_redirects=False,
                             timeout=10)
        assert click.status_code == 302
    assert api_requests(sandbox) == before                 # the clicks never called Jumpseller
    assert jobs_pending(app) == 1                         # and joined the sync already queued

    start_worker()
    # The sync, then the recompute it triggers: the figures come from the mirror the worker filled.
    wait_for(lambda: 'data-testid="count-products">25<' in browser.get(live_app.url + "/", timeout=10).text,
             "the worker's sync and recompute")
    wait_for(lambda: not syncing(browser, live_app), "the sync to end")
    assert api_requests(sandbox) > before
    # The queue drains; the worker's own heartbeat job may sit in it for a moment, so this waits, bounded.
    wait_for(lambda: jobs_pending(app) == 0, "the queue to drain")
    wait_for(lambda: "last seen" in browser.get(live_app.url + "/", timeout=10).text, "the worker on the page")

    # With nothing queued a click queues an incremental sync (after the highest ids: a few calls, no full pass).
    control(sandbox, "faults", latency_ms=0)
    before = api_requests(sandbox)
    page_views = browser.get(live_app.url + "/", timeout=10)
    assert api_requests(sandbox) == before and page_views.status_code == 200
    click = browser.post(live_app.url + "/refresh", data={"csrf_token": csrf}, allow_redirects=False, timeout=10)
    assert click.status_code == 302
    wait_for(lambda: api_requests(sandbox) > before and not syncing(browser, live_app), "the incremental sync")
    assert api_requests(sandbox) - before < 10


@pytest.mark.parametrize("queue_backend", ["sqlite"], indirect=True)
def test_jobs_status_shows_the_heartbeat(app, start_worker):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "status"])
    assert result.exit_code == 0 and "never seen" in result.output and "Pending jobs: 0" in result.output

    worker = start_worker()
    wait_for(lambda: "alive" in runner.invoke(args=["jobs", "status"]).output, "a heartbeat")
    first = runner.invoke(args=["jobs", "status"]).output
    assert "last heartbeat" in first and f"pid {worker.pid}" in first
    worker.send_signal(signal.SIGINT)                     # graceful stop: the heartbeat goes stale
    assert worker.wait(timeout=HANG_TIMEOUT) == 0
