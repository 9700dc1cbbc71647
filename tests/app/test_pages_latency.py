"""Pages never wait for Jumpseller: with every API call taking 3 s and a real worker syncing, the dashboard (which
holds the settings form) answers over real HTTP in milliseconds, because no page view calls the API.

Wall-clock on a shared 2-core machine: many samples, the p99 asserted under 50 ms. A page that waited for even one
API call would take over 3,000 ms, so the bound is far from both the page's real cost and the failure it guards
against; the slowest sample is also held under one API call's latency, so not a single view waited on one.
"""

import time

import pytest

from ..support.flows import connect_basic, control, csrf_token
from ..support.iframe import api_requests
from ..support.worker import wait_for, with_worker_queue

API_LATENCY_MS = 3000
SAMPLES = 400
P99_LIMIT_MS = 50.0


@pytest.fixture
def app_config(app_config, queue_backend):
    """A real queue that only the worker process drains."""
    return with_worker_queue(app_config, queue_backend)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed_get(browser, url):
    started = time.perf_counter()
    response = browser.get(url, timeout=30)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200 and 'data-testid="settings-form"' in response.text
    return elapsed


@pytest.mark.parametrize("queue_backend", ["sqlite", "redis"], indirect=True)
def test_pages_answer_fast_while_the_worker_waits_on_a_slow_api(app, live_app, sandbox, browser, start_worker):
    page = connect_basic(browser, live_app, sandbox)                  # queues the first full sync
    control(sandbox, "faults", latency_ms=API_LATENCY_MS)
    before = api_requests(sandbox)
    start_worker()
    # The worker is mid-sync: at least one 3 s call has gone out (the sandbox counts a request on arrival).
    wait_for(lambda: api_requests(sandbox) > before, "the worker's first API call")

    url = live_app.url + "/"
    for _ in range(20):                                          # warm the page cache and the connections
        timed_get(browser, url)
    # The Refresh button over HTTP, mid-run: it only queues (or joins) a job.
    click = browser.post(live_app.url + "/refresh", data={"csrf_token": csrf_token(page.text)},
                         allow_redirects=False, timeout=10)
    assert click.status_code == 302

    samples = [timed_get(browser, url) for _ in range(SAMPLES)]
    p99 = percentile(samples, 0.99)
    print(f"pages under a {API_LATENCY_MS} ms API: p50 {percentile(samples, 0.5):.1f} ms, p99 {p99:.1f} ms, "
          f"max {max(samples):.1f} ms over {SAMPLES} requests")
    assert 'data-testid="syncing"' in browser.get(url, timeout=30).text      # the sync was running throughout
    assert p99 < P99_LIMIT_MS, f"p99 {p99:.1f} ms"
    assert max(samples) < API_LATENCY_MS                         # not one page view waited on Jumpseller
