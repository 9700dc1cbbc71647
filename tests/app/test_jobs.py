"""Background jobs: POST /refresh only queues a sync, a real worker process runs it and recomputes the dashboard
from the mirror it filled, one sync per store at a time."""

import signal

import pytest

from jumpseller_app.extensions import queue
from jumpseller_app.jobs import tasks

from ..support.flows import connect_basic, control
from ..support.iframe import api_requests
from ..support.worker import HANG_TIMEOUT, jobs_pending, wait_for, with_worker_queue


@pytest.fixture
def app_config(app_config, queue_backend):
    """A real queue that only a worker process drains; a fast heartbeat."""
    return with_worker_queue(app_config, queue_backend)


def hooks_check_running(app):
    with app.app_context():
        return queue.get(tasks._hooks_key("sandbox"), peek=True) is not None


def syncing(browser, live_app):
    return 'data-testid="syncing"' in browser.get(live_app.url + "/", timeout=10).text


def test_refresh_queues_a_sync_the_worker_runs(app, live_app, sandbox, browser, start_worker):
    page = connect_basic(browser, live_app, sandbox)
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
    # The hooks the connect asked for are created by the worker's other thread meanwhile (a dozen slow calls that
    # may outlast the sync): let that job end before counting the calls the page and the next sync make.
    wait_for(lambda: not hooks_check_running(app), "the hooks check to end")
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
