"""The sync page over real HTTP: progress from the checkpoints mid-way, the Full sync button behind CSRF, and
pages that never call Jumpseller (the sandbox's request log says 0 calls while they are viewed)."""

import re

import pytest
from sqlalchemy import delete, select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.models import Store, SyncCheckpoint, SyncStatus, utcnow
from jumpseller_app.services import sync_progress

from ..support.flows import csrf_token, install
from ..support.iframe import api_requests


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def write_checkpoints(app, rows):
    """Replace the store's checkpoints with `rows` ({resource: {column: value}}); returns the store id."""
    with app.app_context():
        store_id = db.session.scalar(select(Store.id))
        db.session.execute(delete(SyncCheckpoint).where(SyncCheckpoint.store_id == store_id))
        for resource, values in rows.items():
            db.session.add(SyncCheckpoint(store_id=store_id, resource=resource, **values))
        db.session.commit()
    return store_id


MID_WAY = {
    "categories": {"status": SyncStatus.DONE, "page": 1, "pages_total": 1, "items_done": 4, "items_total": 4,
                   "finished_at": utcnow()},
    "products": {"status": SyncStatus.RUNNING, "page": 3, "pages_total": 10, "items_done": 300,
                 "items_total": 1000},
    "orders": {"status": SyncStatus.FAILED, "page": 2, "pages_total": 5, "items_done": 200, "items_total": 480,
               "last_error": "ServerError: 503"},
    "customers": {"status": SyncStatus.IDLE, "page": 0, "pages_total": None, "items_total": None},
}


def test_progress_of_reads_pages_and_tolerates_missing_and_zero_totals(app, live_app, browser):
    install(browser, live_app)
    store_id = write_checkpoints(app, MID_WAY)
    with app.app_context():
        progress = sync_progress.progress_of(store_id)
    products = progress["resources"]["products"]
    assert (products["pages_done"], products["pages_total"], products["percent"]) == (3, 10, 30)
    assert progress["resources"]["categories"]["percent"] == 100
    assert progress["resources"]["orders"]["last_error"] == "ServerError: 503"
    assert progress["resources"]["customers"]["percent"] == 0
    # One total unknown: no page-weighted figure, the resources' mean instead ((100 + 30 + 40 + 0) // 4).
    assert progress["running"] and progress["failed"] and progress["pages_total"] is None
    assert progress["percent"] == 42 and progress["pages_done"] == 6

    zero = {"categories": {"status": SyncStatus.RUNNING, "page": 0, "pages_total": 0, "items_total": 0},
            "products": {"status": SyncStatus.DONE, "page": 2, "pages_total": 2}}
    write_checkpoints(app, zero)
    with app.app_context():
        progress = sync_progress.progress_of(store_id)
    assert progress["resources"]["categories"]["percent"] == 99        # nothing to fetch, yet not said done
    # The unstarted ones weigh (at 0 %) while a sync runs: (99 + 100 + 0 + 0) // 4.
    assert progress["percent"] == 49 and progress["running"]

    write_checkpoints(app, {"products": {"status": SyncStatus.DONE, "page": 2, "pages_total": 2}})
    with app.app_context():
        progress = sync_progress.progress_of(store_id)
    assert progress["percent"] == 100 and not progress["running"]      # skipped resources never hold it at 99


def test_the_page_shows_pages_done_of_total_mid_way_and_calls_nothing(app, live_app, sandbox, browser):
    install(browser, live_app)
    write_checkpoints(app, MID_WAY)
    before = api_requests(sandbox)
    page = browser.get(live_app.url + "/sync", timeout=10)
    assert page.status_code == 200
    text = page.text
    assert re.search(r'data-testid="pages-products">3 / 10<', text)
    assert re.search(r'data-testid="pages-orders">2 / 5<', text)
    assert re.search(r'data-testid="pages-customers">0 / \?<', text)
    assert 'data-testid="status-orders">failed<' in text and "ServerError: 503" in text
    assert re.search(r'data-testid="overall-pages"[^>]*>6 / \?<', text)
    # Running: the page polls (a script file, the CSP allows no inline one) and the button waits.
    assert "data-sync-running" in text and "sync.js" in text and "<script>" not in text
    assert re.search(r'data-testid="full-sync" disabled', text)
    polled = browser.get(live_app.url + "/sync/progress.json", timeout=10).json()
    assert polled["running"] and polled["resources"]["products"]["pages_done"] == 3
    assert polled["resources"]["products"]["pages_total"] == 10
    dashboard = browser.get(live_app.url + "/", timeout=10).text
    assert 'href="/sync"' in dashboard
    assert api_requests(sandbox) == before


def test_full_sync_needs_csrf_and_then_fills_the_mirror(app, live_app, sandbox, browser):
    page = install(browser, live_app)
    write_checkpoints(app, {})
    sync_page = browser.get(live_app.url + "/sync", timeout=10).text
    assert 'data-testid="overall-status">never synced<' in sync_page
    before = api_requests(sandbox)
    refused = browser.post(live_app.url + "/sync/full", data={}, allow_redirects=False, timeout=10)
    assert refused.status_code == 400
    assert api_requests(sandbox) == before                              # no sync, no call
    with app.app_context():
        assert db.session.scalar(select(SyncCheckpoint.id)) is None

    done = browser.post(live_app.url + "/sync/full", data={"csrf_token": csrf_token(page.text)},
                        allow_redirects=False, timeout=60)
    assert done.status_code == 302 and done.headers["Location"].endswith("/sync")
    assert api_requests(sandbox) > before                               # the sync ran (in-process in tests)
    text = browser.get(live_app.url + "/sync", timeout=10).text
    assert 'data-testid="overall-status">done<' in text and 'data-testid="percent-products">100 %<' in text
    assert "data-sync-running" not in text


def test_the_sync_pages_need_a_signed_in_store(client):
    for path in ("/sync", "/sync/progress.json"):
        response = client.get(path)
        assert response.status_code == 302 and "reconnect=1" in response.headers["Location"]
