"""Writes as jobs (services/api_writes.py, jobs/write_tasks.py, views/writes.py) over real HTTP against the sandbox:
a double-click is one write, a pending write's page works without JavaScript, a finished write is never sent again,
a failure leaves the mirror as it was, a write belongs to its store, and a revoked grant ends the connection."""

import re
from datetime import timedelta

import pytest
import requests
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jumpseller_app import config
from jumpseller_app.extensions import db, queue
from jumpseller_app.jobs import write_tasks
from jumpseller_app.models import ApiWrite, AuditEntry, MirrorCategory, Store, StoreStatus, WriteStatus
from jumpseller_app.services import api_writes

from ..support.database import url_of_kind
from ..support.flows import control, csrf_token, install
from ..support.http import browser_session
from ..support.iframe import sandbox_login


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


@pytest.fixture
def token(live_app, browser):
    """Install the default store (its first sync inline); returns a CSRF token of its session."""
    install(browser, live_app)
    return csrf_token(browser.get(live_app.url + "/categories/new", timeout=10).text)


@pytest.fixture
def queued_jobs():
    """From here on jobs wait in the queue (no worker runs them) instead of running inline."""
    queue.immediate = False
    yield
    queue.immediate = True


def write_row(app, write_id):
    with app.app_context():
        return db.session.get(ApiWrite, write_id)


def test_a_double_click_is_one_write_whose_page_works_without_javascript(app, live_app, browser, token, api,
                                                                        queued_jobs):
    count = api.categories.count()
    first, second = (browser.post(live_app.url + "/categories", data={"csrf_token": token, "name": "Shoes"},
                                  allow_redirects=False, timeout=10) for _ in range(2))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    write_id = int(re.search(r"/writes/(\d+)$", first.headers["Location"]).group(1))

    waiting = browser.get(live_app.url + f"/writes/{write_id}", timeout=10)
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in waiting.text           # no JavaScript needed
    assert "writes.js" in waiting.text and f'data-poll-url="/writes/{write_id}.json"' in waiting.text
    assert browser.get(live_app.url + f"/writes/{write_id}.json", timeout=10).json() == {
        "id": write_id, "status": "pending", "next": None}
    assert api.categories.count() == count                                      # nothing sent yet

    with app.app_context():
        assert write_tasks.perform_write_job.call_local("sandbox", write_id) == WriteStatus.DONE
    done = write_row(app, write_id)
    assert done.active_key is None and done.finished_at is not None and done.errors is None
    polled = browser.get(live_app.url + f"/writes/{write_id}.json", timeout=10).json()
    assert polled["status"] == "done" and polled["next"] == f"/categories/{done.result_id}"
    ended = browser.get(live_app.url + f"/writes/{write_id}", allow_redirects=False, timeout=10)
    assert ended.status_code == 302 and ended.headers["Location"] == f"/categories/{done.result_id}"
    assert api.categories.count() == count + 1 and api.categories.get(done.result_id)["name"] == "Shoes"

    with app.app_context():
        assert api_writes.perform(write_id) == (None, None)                     # never sent twice
    assert api.categories.count() == count + 1
    again = browser.post(live_app.url + "/categories", data={"csrf_token": token, "name": "Shoes"},
                         allow_redirects=False, timeout=10)
    assert again.headers["Location"] != first.headers["Location"]               # the slot was freed


def test_a_write_whose_job_was_lost_frees_its_record_after_the_timeout(app, live_app, browser, token,
                                                                      queued_jobs):
    first = browser.post(live_app.url + "/categories", data={"csrf_token": token, "name": "Lost"},
                         allow_redirects=False, timeout=10).headers["Location"]
    write_id = int(first.rsplit("/", 1)[1])
    with app.app_context():
        write = db.session.get(ApiWrite, write_id)
        write.created_at -= timedelta(seconds=app.config["JOBS_REFRESH_TIMEOUT"] + 1)
        db.session.commit()
    again = browser.post(live_app.url + "/categories", data={"csrf_token": token, "name": "Lost"},
                         allow_redirects=False, timeout=10).headers["Location"]
    assert again != first
    lost = write_row(app, write_id)
    assert lost.status == WriteStatus.FAILED and lost.active_key is None and "not confirmed" in lost.errors["base"][0]


def test_one_write_per_store_kind_and_target_is_enforced_by_the_database(app, token):
    with app.app_context():
        store_id = db.session.scalar(select(Store.id))
        db.session.add(ApiWrite(store_id=store_id, kind="categories.update", target_id=1, payload={},
                                active_key=f"{store_id}:categories.update:1"))
        db.session.commit()
        db.session.add(ApiWrite(store_id=store_id, kind="categories.update", target_id=1, payload={},
                                active_key=f"{store_id}:categories.update:1"))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_a_failed_write_changes_nothing_in_the_mirror_and_says_why_on_the_form(app, live_app, browser, token,
                                                                              sandbox, api):
    with app.app_context():
        row = db.session.scalars(select(MirrorCategory).order_by(MirrorCategory.remote_id)).first()
        remote_id, name, source_at = row.remote_id, row.name, row.source_at
    api.categories.delete(remote_id)                                # gone at Jumpseller, no hook told the app
    refused = browser.post(live_app.url + f"/categories/{remote_id}", data={"csrf_token": token, "name": "Renamed"},
                           timeout=10)
    assert refused.status_code == 422 and f"/categories/{remote_id}/edit?write=" in refused.url
    assert "Jumpseller no longer has this record." in refused.text and 'value="Renamed"' in refused.text
    with app.app_context():
        row = db.session.scalar(select(MirrorCategory).where(MirrorCategory.remote_id == remote_id))
        assert (row.name, row.source_at, row.deleted_at) == (name, source_at, None)
        write = db.session.scalar(select(ApiWrite))
        assert write.status == WriteStatus.FAILED and write.active_key is None and write.result_id is None


def test_a_write_belongs_to_the_store_that_submitted_it(app, live_app, browser, token, sandbox):
    done = browser.post(live_app.url + "/categories", data={"csrf_token": token, "name": "Mine"},
                        allow_redirects=False, timeout=10)
    write_id = int(re.search(r"/writes/(\d+)$", done.headers["Location"]).group(1))
    requests.post(sandbox.url + "/_sandbox/stores", json={"code": "second"}, timeout=10).raise_for_status()
    with browser_session() as other:
        sandbox_login(other, sandbox, "second")
        install(other, live_app)
        assert other.get(live_app.url + f"/writes/{write_id}", timeout=10).status_code == 404
        assert other.get(live_app.url + f"/writes/{write_id}.json", timeout=10).status_code == 404
        # The failed-form view ignores another store's write id: no values or errors leak.
        form = other.get(live_app.url + f"/categories/new?write={write_id}", timeout=10)
        assert form.status_code == 200 and "Mine" not in form.text
    with app.app_context():
        second = db.session.scalar(select(Store).where(Store.code == "second"))
        assert api_writes.get(second.id, write_id) is None


def test_a_grant_revoked_at_jumpseller_fails_the_write_and_ends_the_connection(app, live_app, browser, token,
                                                                               sandbox, api):
    count = api.categories.count()
    control(sandbox, "tokens/revoke", store="sandbox")
    answer = browser.post(live_app.url + "/categories", data={"csrf_token": token, "name": "Late"}, timeout=10)
    assert "reconnect=1" in answer.url                       # the session's store is gone
    with app.app_context():
        write = db.session.scalar(select(ApiWrite))
        assert write.status == WriteStatus.FAILED and write.active_key is None
        assert db.session.scalar(select(Store)).status == StoreStatus.DISCONNECTED
    assert api.categories.count() == count


def test_a_401_that_survives_the_refresh_is_an_uninstall_for_the_write_job_too(app, live_app, browser, token,
                                                                              sandbox, api):
    count = api.categories.count()
    control(sandbox, "tokens/refuse", store="sandbox")
    answer = browser.post(live_app.url + "/categories", data={"csrf_token": token, "name": "Late"}, timeout=10)
    assert "reconnect=1" in answer.url
    with app.app_context():
        assert db.session.scalar(select(ApiWrite)).status == WriteStatus.FAILED
        store = db.session.scalar(select(Store))
        assert (store.status, store.credential) == (StoreStatus.DISCONNECTED, None)
        reasons = [entry.detail.get("reason") for entry in db.session.scalars(select(AuditEntry))
                   if entry.action == "disconnected"]
    assert reasons == ["unauthorized"]
    assert api.categories.count() == count


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_models_match_the_migrations(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


@pytest.fixture
def database_url(request, tmp_path):
    """SQLite, or the kind a test asks for (indirect parametrization)."""
    return url_of_kind(request, tmp_path, getattr(request, "param", "sqlite"))
