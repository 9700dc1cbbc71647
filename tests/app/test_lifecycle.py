"""Disconnect, uninstall detection, personal-data purge and a clean reinstall: app (live) ↔ sandbox (live), on
SQLite and PostgreSQL. Every test runs a second store beside the first: whatever happens to store A must leave
store B exactly as it was."""

import json
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, update

from jumpseller_app import config
from jumpseller_app.extensions import db, queue
from jumpseller_app.jobs import lifecycle_tasks, sync_tasks, tasks
from jumpseller_app.jumpseller import AuthError, NotFound, ReauthRequired, ScopeError, scopes
from jumpseller_app.models import (ApiWrite, AuditEntry, Credential, MirrorAddress, MirrorCustomer, MirrorOrder,
                                   MirrorProduct, Store, StoreSnapshot, StoreStatus, SyncCheckpoint, WebhookEvent,
                                   utcnow)
from jumpseller_app.services import app_settings, clients, documents, lifecycle, mirror, revocation, snapshots

from ..support.database import dump_database
from ..support.flows import control, install
from ..support.http import browser_session
from ..support.iframe import api_requests

A, B = "sandbox", "tienda-dos"
CONNECT = "Connect your Jumpseller store"
APP_CODE = "sandbox-app"                       # the sandbox's client name ("Sandbox App"), slugified


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()


INSTALL_CHECK = {"APP_CHECK_INSTALL_STATUS": True,
                 "JUMPSELLER_SCOPES": " ".join(scopes.required(scopes.enabled(check_install_status=True)))}
QUEUED = {"JOBS_IMMEDIATE": False}          # jobs wait in the SQLite queue file instead of running in-process


def settings(**values):
    """Give one test's app these settings on top of the module's (read by the app_config fixture)."""
    def mark(test):
        test.app_settings = values
        return test
    return mark


@pytest.fixture
def app_config(app_config, request):
    """Default scopes (hooks among them), the sandbox app's code, and the test's own settings."""
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES, "JUMPSELLER_APP_CODE": APP_CODE,
            **getattr(request.function, "app_settings", {})}


@pytest.fixture
def two_stores(app, live_app, sandbox):
    """Stores A and B installed over OAuth, each from its own browser; returns the two browsers."""
    created = requests.post(sandbox.url + "/_sandbox/stores", timeout=5,
                            json={"code": B, "name": "Tienda Dos", "seed_products": 3, "seed_orders": 4,
                                  "seed_customers": 3})
    assert created.status_code == 201, created.text
    browser_a, browser_b = browser_session(), browser_session()
    browser_b.get(sandbox.url + "/_sandbox/login", params={"store": B}, timeout=5).raise_for_status()
    assert "Sandbox Store" in install(browser_a, live_app).text
    assert "Tienda Dos" in install(browser_b, live_app).text
    return browser_a, browser_b


def store(code):
    return db.session.scalar(select(Store).where(Store.code == code))


def plain_tokens(app, code):
    """The store's tokens in clear, and as sealed in the database (to look for both afterwards)."""
    with app.app_context():
        row = store(code)
        cred = row.credential
        return revocation.tokens_of(row), [cred.access_token_enc, cred.refresh_token_enc]


def api_log(sandbox, code):
    return requests.get(sandbox.url + "/_sandbox/requests", params={"store": code}, timeout=5).json()["requests"]


def our_hooks(sandbox, live_app, code):
    listed = requests.get(sandbox.url + "/_sandbox/hooks", params={"store": code}, timeout=5).json()["hooks"]
    return [hook for hook in listed if hook["url"] == live_app.url + "/webhooks/jumpseller"]


def token_state(sandbox, access_token):
    """What Jumpseller's token introspection says of an access token: 200, or 401 with its reason."""
    answer = requests.get(sandbox.url + "/oauth/token/info", timeout=5,
                          headers={"Authorization": f"Bearer {access_token}"})
    return answer.status_code, answer.json().get("error_description")


def refresh_answer(sandbox, refresh_token):
    from ..conftest import CLIENT_ID, CLIENT_SECRET
    answer = requests.post(sandbox.url + "/oauth/token", timeout=5, data={
        "grant_type": "refresh_token", "refresh_token": refresh_token,
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    return answer.status_code, answer.json().get("error")


def fill_mirror(app, code):
    """Mirror the store's products, orders and customers from Jumpseller (real calls), plus one inbox row and
    a checkpoint, so there is personal data and old-installation state to remove."""
    with app.app_context():
        row = store(code)
        api = clients.client_for(row)
        for resource in ("products", "orders", "customers"):
            mirror.apply(row.id, resource, list(getattr(api, resource).iter_all()), utcnow())
        db.session.add(WebhookEvent(store_id=row.id, event="customer_updated", delivery_key=f"k-{code}",
                                    body=json.dumps({"customer": {"id": 1, "email": f"ana@{code}.example"}})
                                    .encode()))
        checkpoint = db.session.scalar(select(SyncCheckpoint).where(SyncCheckpoint.store_id == row.id,
                                                                     SyncCheckpoint.resource == "orders"))
        if checkpoint is None:
            checkpoint = SyncCheckpoint(store_id=row.id, resource="orders")
            db.session.add(checkpoint)
        checkpoint.last_remote_id = 424242
        db.session.commit()


def mirror_figures(app, code):
    with app.app_context():
        store_id = store(code).id

        def count(model):
            return db.session.scalar(select(func.count()).select_from(model).where(model.store_id == store_id))

        contacts = db.session.scalar(select(func.count()).select_from(MirrorOrder).where(
            MirrorOrder.store_id == store_id, MirrorOrder.customer_email.is_not(None)))
        totals = db.session.scalar(select(func.sum(MirrorOrder.total)).where(MirrorOrder.store_id == store_id))
        return {"products": count(MirrorProduct), "orders": count(MirrorOrder), "customers": count(MirrorCustomer),
                "addresses": count(MirrorAddress), "order_contacts": contacts, "order_totals": totals,
                "inbox": count(WebhookEvent), "checkpoints": count(SyncCheckpoint)}


def audit_of(app, code):
    with app.app_context():
        return [(e.action, e.detail) for e in
                db.session.scalars(select(AuditEntry).where(AuditEntry.store_code == code).order_by(AuditEntry.id))]


def disconnect_form(browser, live_app):
    page = browser.get(live_app.url + "/", timeout=5).text
    form = page.split('data-testid="disconnect-form"')[1].split("</form>")[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def press_disconnect(browser, live_app):
    answer = browser.post(live_app.url + "/disconnect", data=disconnect_form(browser, live_app), timeout=30)
    assert answer.status_code == 200, answer.text


def shows_store(browser, live_app, name):
    page = browser.get(live_app.url + "/", timeout=5).text
    assert (name in page) != (CONNECT in page)
    return name in page


def jobs_for(app, code):
    """Every per-store job and periodic check there is, queued and run directly: for a store that is not active,
    not one may call out."""
    with app.app_context():
        tasks.request_hooks(code)
        tasks.ensure_hooks_job.call_local(code)
        tasks.check_hooks.call_local()
        sync_tasks.request_sync(code, "incremental")
        sync_tasks.sync_job.call_local(code, "full")
        sync_tasks.reconcile_stores.call_local()
        lifecycle_tasks.check_install_statuses.call_local()
        lifecycle_tasks.check_install_status_job.call_local(code)


def test_disconnect_ends_the_connection_at_once_and_leaves_the_other_store_alone(app, live_app, sandbox,
                                                                                 two_stores):
    browser_a, browser_b = two_stores
    (clear_a, sealed_a), (clear_b, _) = plain_tokens(app, A), plain_tokens(app, B)
    assert len(our_hooks(sandbox, live_app, A)) == len(scopes.WEBHOOK_EVENTS)
    hooks_b = our_hooks(sandbox, live_app, B)

    press_disconnect(browser_a, live_app)

    # Gone from the database at once: no credentials row, no token in clear or sealed anywhere in any table.
    dump = dump_database(app)
    for _, token in clear_a:
        assert token not in dump
    for sealed in sealed_a:
        assert sealed not in dump
    with app.app_context():
        a, b = store(A), store(B)
        assert (a.status, a.credential, a.disconnected_at is not None) == (StoreStatus.DISCONNECTED, None, True)
        assert b.status == StoreStatus.ACTIVE and b.credential is not None
    # Hooks removed at Jumpseller while the token still worked; B's are all there.
    assert our_hooks(sandbox, live_app, A) == []
    assert our_hooks(sandbox, live_app, B) == hooks_b
    # Both tokens revoked at Jumpseller (by the job), B's still alive.
    assert token_state(sandbox, dict(clear_a)["access_token"]) == (401, "The access token was revoked")
    assert refresh_answer(sandbox, dict(clear_a)["refresh_token"]) == (400, "invalid_grant")
    assert token_state(sandbox, dict(clear_b)["access_token"])[0] == 200
    # The merchant's session is over; B's browser still opens B.
    assert not shows_store(browser_a, live_app, "Sandbox Store")
    assert shows_store(browser_b, live_app, "Tienda Dos")

    # Every job there is, for A: not one call reaches Jumpseller.
    before = len(api_log(sandbox, A))
    jobs_for(app, A)
    assert len(api_log(sandbox, A)) == before

    actions = audit_of(app, A)
    assert [action for action, _ in actions] == ["hooks_removed", "disconnected", "tokens_revoked"]
    assert actions[0][1] == {"removed": len(scopes.WEBHOOK_EVENTS)}
    assert actions[1][1]["reason"] == "merchant_disconnect" and actions[1][1]["tokens_deleted"] is True
    assert actions[2][1] == {"sent": 2, "accepted": 2}
    assert audit_of(app, B) == []
    written = json.dumps(actions)
    assert "@" not in written and not any(token in written for _, token in clear_a)


@settings(**QUEUED)
def test_tokens_wait_for_their_revocation_sealed_in_the_queue(app, live_app, sandbox, two_stores, app_config):
    browser_a, _ = two_stores
    clear_a, _ = plain_tokens(app, A)
    press_disconnect(browser_a, live_app)
    # The revocation waits in the queue's SQLite file: the tokens are there only sealed.
    files = [Path(app_config["HUEY_DB"] + suffix) for suffix in ("", "-wal", "-journal")]
    stored = b"".join(path.read_bytes() for path in files if path.exists())
    assert stored
    for _, token in clear_a:
        assert token.encode() not in stored
    assert token_state(sandbox, dict(clear_a)["access_token"])[0] == 200      # not yet revoked
    with app.app_context():
        pending = [queue.dequeue() for _ in range(queue.pending_count())]
        revocations = [task for task in pending if task.name == "revoke_tokens"]
        assert len(revocations) == 1 and revocations[0].args[0] == A
        queue.execute(revocations[0])
    assert token_state(sandbox, dict(clear_a)["access_token"]) == (401, "The access token was revoked")


def queued_revocation(app, code):
    """Take the store's revocation job off the queue (other jobs put back)."""
    with app.app_context():
        pending = [queue.dequeue() for _ in range(queue.pending_count())]
        mine = [task for task in pending if task.name == "revoke_tokens" and task.args[0] == code]
        for task in pending:
            if task not in mine:
                queue.enqueue(task)
        assert len(mine) == 1
        return mine[0]


def run_revocation(app, job):
    """Run a revocation job as the worker would, at its due time; returns the retry it scheduled, if any."""
    with app.app_context():
        queue.execute(job, timestamp=job.eta)
        retries = queue.read_schedule(utcnow() + timedelta(days=1))
        assert len(retries) <= 1
        return retries[0] if retries else None


@settings(**QUEUED)
def test_a_revocation_jumpseller_fails_is_retried_with_backoff_and_a_refusal_is_not(app, live_app, sandbox,
                                                                                   two_stores):
    browser_a, browser_b = two_stores
    (clear_a, _), (clear_b, _) = plain_tokens(app, A), plain_tokens(app, B)
    press_disconnect(browser_a, live_app)
    job = queued_revocation(app, A)
    control(sandbox, "faults", error_rate=1.0, include_token_endpoint=True)      # every revocation answers 5xx
    delays = []
    for _ in range(2):
        job = run_revocation(app, job)
        assert job is not None and job.eta > utcnow()
        delays.append(job.retry_delay)
    assert job.retries == lifecycle_tasks.REVOKE_RETRIES - 2
    assert delays == [lifecycle_tasks.REVOKE_RETRY_SECONDS * 2, lifecycle_tasks.REVOKE_RETRY_SECONDS * 4]
    assert "tokens_revoked" not in [action for action, _ in audit_of(app, A)]
    assert token_state(sandbox, dict(clear_a)["access_token"])[0] == 200          # not revoked yet

    control(sandbox, "faults")
    assert run_revocation(app, job) is None                                       # done: nothing scheduled
    assert token_state(sandbox, dict(clear_a)["access_token"]) == (401, "The access token was revoked")
    assert audit_of(app, A)[-1] == ("tokens_revoked", {"sent": 2, "accepted": 2})

    # A refusal is final: with credentials Jumpseller does not accept, no retry, and it is audited at once.
    press_disconnect(browser_b, live_app)
    job = queued_revocation(app, B)
    app.config["JUMPSELLER_CLIENT_SECRET"] = "not-the-secret"
    assert run_revocation(app, job) is None
    assert audit_of(app, B)[-1] == ("tokens_revoked", {"sent": 2, "accepted": 0})
    assert token_state(sandbox, dict(clear_b)["access_token"])[0] == 200


def test_a_grant_revoked_at_jumpseller_is_an_uninstall_seen_by_the_next_job(app, live_app, sandbox, two_stores):
    browser_a, browser_b = two_stores
    control(sandbox, "tokens/revoke", store=A)               # what an uninstall does to the app's tokens
    with app.app_context():
        tasks.ensure_hooks_job(A)                            # lists hooks: 401, refresh refused
    with app.app_context():                                  # read afresh, as the next request or job would
        a, b = store(A), store(B)
        assert (a.status, a.credential) == (StoreStatus.DISCONNECTED, None)
        assert db.session.scalar(select(func.count()).select_from(Credential)) == 1     # B's
        assert b.status == StoreStatus.ACTIVE
    assert not shows_store(browser_a, live_app, "Sandbox Store")
    assert shows_store(browser_b, live_app, "Tienda Dos")
    actions = audit_of(app, A)
    assert [(action, detail["reason"]) for action, detail in actions] == [("disconnected", "grant_refused")]
    before = len(api_log(sandbox, A))
    jobs_for(app, A)
    assert len(api_log(sandbox, A)) == before


def refused_calls(sandbox):
    """API calls whose token the sandbox refused (they name no store, so they are counted apart)."""
    return requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()["refused_api_requests"]


# How Jumpseller can cut the app off mid-sync: the grant revoked (an uninstall: the refresh is refused), or every
# token refused by the API while the refresh still succeeds (a 401 that survives the refresh). With what each
# leaves in the audit trail, and how many refused calls the sync makes before it stops.
CUT_OFF = {"grant revoked": ("tokens/revoke", ["disconnected"], "grant_refused", 1),
           "401 after refresh": ("tokens/refuse", ["disconnected", "tokens_revoked"], "unauthorized", 2)}


@pytest.mark.parametrize("cut_off", CUT_OFF)
def test_access_cut_off_while_a_sync_runs_ends_the_connection_and_the_sync(app, live_app, sandbox, two_stores,
                                                                          cut_off):
    control_path, actions, reason, refused = CUT_OFF[cut_off]
    _, browser_b = two_stores
    control(sandbox, "faults", latency_ms=200)               # a sync of a dozen calls takes a few seconds
    before = api_requests(sandbox, A)
    at_cut = []

    def cut_off_mid_sync():
        while api_requests(sandbox, A) <= before:             # the sync's first call has reached Jumpseller
            threading.Event().wait(0.02)
        control(sandbox, control_path, store=A)
        at_cut.extend([api_requests(sandbox, A), refused_calls(sandbox)])

    cutter = threading.Thread(target=cut_off_mid_sync, daemon=True)
    cutter.start()
    with app.app_context():
        outcome = sync_tasks.sync_job.call_local(A, "full")
    cutter.join(timeout=30)
    control(sandbox, "faults")
    assert outcome == {"ok": False, "reauth": True}
    # At most the call already through; then the refused call(s) that told the sync to stop, and nothing more.
    assert api_requests(sandbox, A) - at_cut[0] <= 1
    assert refused_calls(sandbox) - at_cut[1] == refused
    with app.app_context():
        a, b = store(A), store(B)
        assert (a.status, a.credential) == (StoreStatus.DISCONNECTED, None)
        assert b.status == StoreStatus.ACTIVE and b.credential is not None
        assert not sync_tasks.is_syncing(A)
    assert [action for action, _ in audit_of(app, A)] == actions
    assert audit_of(app, A)[0][1]["reason"] == reason
    assert shows_store(browser_b, live_app, "Tienda Dos")
    # Its jobs are over: not one more call for A, whatever is queued or due.
    stopped = api_requests(sandbox, A), refused_calls(sandbox)
    jobs_for(app, A)
    assert (api_requests(sandbox, A), refused_calls(sandbox)) == stopped


def test_a_401_that_survives_the_refresh_in_the_hooks_job_ends_the_connection(app, live_app, sandbox, two_stores):
    control(sandbox, "tokens/refuse", store=A)
    with app.app_context():
        tasks.ensure_hooks_job(A)                            # lists hooks: 401, refreshed, 401 again
    with app.app_context():
        assert (store(A).status, store(A).credential) == (StoreStatus.DISCONNECTED, None)
        assert store(B).status == StoreStatus.ACTIVE
    [disconnected, revoked] = audit_of(app, A)
    assert disconnected[1]["reason"] == "unauthorized"
    assert revoked == ("tokens_revoked", {"sent": 2, "accepted": 2})       # the pair the refresh gave, revoked


@settings(**INSTALL_CHECK)
def test_install_status_saying_uninstalled_ends_the_connection(app, live_app, sandbox, two_stores):
    clear_a, _ = plain_tokens(app, A)
    with app.app_context():
        assert lifecycle_tasks.check_install_statuses.call_local() == 2
        assert store(A).status == StoreStatus.ACTIVE
    asked = [entry for entry in api_log(sandbox, A) if "install_status" in entry["path"]]
    assert [(entry["path"], entry["status"]) for entry in asked] == \
        [(f"/v1/apps/{APP_CODE}/install_status.json", 200)]

    control(sandbox, "apps/install_status", store=A, installed=False)
    with app.app_context():
        lifecycle_tasks.check_install_statuses.call_local()
        a, b = store(A), store(B)
        assert (a.status, a.credential) == (StoreStatus.DISCONNECTED, None)
        assert b.status == StoreStatus.ACTIVE and b.credential is not None
    assert [a for a, _ in audit_of(app, A)] == ["disconnected", "tokens_revoked"]
    assert audit_of(app, A)[0][1]["reason"] == "uninstalled"
    assert token_state(sandbox, dict(clear_a)["access_token"])[0] == 401
    assert audit_of(app, B) == []


def test_without_the_install_check_nothing_asks_and_no_scope_is_added(app, live_app, sandbox, two_stores):
    assert "read_apps" not in config.DEFAULT_SCOPES.split()
    assert "read_apps" in config.load_config({"APP_ENV": "testing", "APP_CHECK_INSTALL_STATUS": "on"})[
        "JUMPSELLER_SCOPES"].split()
    with app.app_context():
        assert lifecycle_tasks.check_install_statuses.call_local() == 0
        lifecycle_tasks.check_install_status_job.call_local(A)
    assert not [entry for entry in api_log(sandbox, A) if "install_status" in entry["path"]]


def personal_data(app, code):
    """Every name, email, phone and street of the store's customers and orders the app holds, its merchant's
    emails, and the customer names its cached dashboard shows."""
    with app.app_context():
        row = store(code)
        found = {row.email, app_settings.current(row)["notification_email"]}
        for customer in db.session.scalars(select(MirrorCustomer).where(MirrorCustomer.store_id == row.id)):
            found |= {customer.email, customer.fullname, customer.phone}
        for address in db.session.scalars(select(MirrorAddress).where(MirrorAddress.store_id == row.id)):
            found |= {f"{address.name} {address.surname}", address.address}
        for order in db.session.scalars(select(MirrorOrder).where(MirrorOrder.store_id == row.id)):
            found |= {order.customer_name, order.customer_email}
        if row.snapshot is not None:
            found |= {entry["customer"] for entry in row.snapshot.latest_orders}
        for write in db.session.scalars(select(ApiWrite).where(ApiWrite.store_id == row.id)):
            found |= {value for value in write.payload.values() if isinstance(value, str)}
        return {value for value in found if value and len(value.strip()) >= 5}


def test_personal_data_is_purged_after_the_retention_only(app, live_app, sandbox, two_stores):
    browser_a, _ = two_stores
    for code in (A, B):
        fill_mirror(app, code)
        with app.app_context():                      # the dashboard cache (latest orders name customers)
            assert snapshots.refresh_snapshot(code) == []
            app_settings.save(store(code), {"notification_email": f"owner@{code}-shop.cl", "widget_title": "W"})
            db.session.add(ApiWrite(store_id=store(code).id, kind="customers.update", target_id=1, status="done",
                                    payload={"email": f"written@{code}-shop.cl"}))
            # Fetched for the pages: an abandoned order names its customer, a fulfillment holds an address.
            documents.store_fetched(store(code).id, documents.ABANDONED_ORDERS,
                                    [{"id": 77, "customer": {"email": f"abandoned@{code}-shop.cl"}}])
            documents.store_fetched(store(code).id, documents.FULFILLMENTS,
                                    [{"id": 78, "fulfillment_address": {"address": f"Calle {code} 1234"}}], parent=77)
            db.session.commit()
    before_a, before_b = mirror_figures(app, A), mirror_figures(app, B)
    assert before_a["customers"] and before_a["addresses"] and before_a["order_contacts"] and before_a["inbox"]
    # What only A holds (a seeded name may happen to be one of B's customers too).
    personal_a = personal_data(app, A) - personal_data(app, B)
    dump = dump_database(app)
    assert len(personal_a) > 10 and all(value in dump for value in personal_a)
    press_disconnect(browser_a, live_app)

    with app.app_context():
        assert lifecycle_tasks.purge_stores.call_local() == 0                  # 30 days not over: kept
    assert mirror_figures(app, A) == before_a

    with app.app_context():                                         # 31 days later
        db.session.execute(update(Store).where(Store.code == A)
                           .values(disconnected_at=utcnow() - timedelta(days=31)))
        db.session.commit()
        assert lifecycle_tasks.purge_stores.call_local() == 1
        assert lifecycle_tasks.purge_stores.call_local() == 0                  # once
    after = mirror_figures(app, A)
    assert (after["customers"], after["addresses"], after["order_contacts"], after["inbox"]) == (0, 0, 0, 0)
    assert (after["products"], after["orders"], after["order_totals"]) == \
        (before_a["products"], before_a["orders"], before_a["order_totals"])
    assert mirror_figures(app, B) == before_b
    with app.app_context():
        a = store(A)
        assert a.personal_data_purged_at is not None and a.email == ""
        assert db.session.scalar(select(StoreSnapshot).where(StoreSnapshot.store_id == a.id)) is None
        assert store(B).email
    purged = [detail for action, detail in audit_of(app, A) if action == "personal_data_purged"]
    assert purged == [{"customers": before_a["customers"], "addresses": before_a["addresses"],
                       "orders_anonymized": before_a["orders"], "hook_deliveries": before_a["inbox"],
                       "snapshots": 1, "settings_cleared": 1, "writes": 1, "documents": 4}]
    assert "@" not in json.dumps(audit_of(app, A))
    # Not one of A's names or addresses is left in any table; B's are all still there.
    dump = dump_database(app)
    assert [value for value in personal_a if value in dump] == []
    assert f"ana@{A}.example" not in dump and f"ana@{B}.example" in dump
    assert f"abandoned@{A}-shop.cl" not in dump and f"Calle {A} 1234" not in dump
    assert f"abandoned@{B}-shop.cl" in dump and f"Calle {B} 1234" in dump
    assert all(value in dump for value in personal_data(app, B))


def test_a_reinstall_starts_from_a_clean_mirror(app, live_app, sandbox, two_stores):
    browser_a, _ = two_stores
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 0                  # purge at once
    for code in (A, B):
        fill_mirror(app, code)
        with app.app_context():                                     # a record Jumpseller does not have
            mirror.apply(store(code).id, "products", [{"id": 987654, "name": "old"}], utcnow())
            documents.store_fetched(store(code).id, documents.TAXES, [{"id": 55, "name": "old tax"}])
            db.session.commit()
    before_b = mirror_figures(app, B)
    press_disconnect(browser_a, live_app)
    assert mirror_figures(app, A)["customers"] == 0                 # retention 0: purged with the disconnect

    assert "Sandbox Store" in install(browser_a, live_app).text     # installed again
    with app.app_context():
        a = store(A)
        assert (a.status, a.disconnected_at, a.personal_data_purged_at) == (StoreStatus.ACTIVE, None, None)
        assert a.credential is not None
        ids = set(db.session.scalars(select(MirrorProduct.remote_id).where(MirrorProduct.store_id == a.id)))
        assert 987654 not in ids
        assert db.session.scalar(select(func.count()).select_from(SyncCheckpoint).where(
            SyncCheckpoint.store_id == a.id, SyncCheckpoint.last_remote_id == 424242)) == 0
        assert db.session.scalar(select(func.count()).select_from(WebhookEvent)
                                 .where(WebhookEvent.store_id == a.id)) == 0
        assert 987654 in set(db.session.scalars(select(MirrorProduct.remote_id).where(
            MirrorProduct.store_id == store(B).id)))
        # The documents fetched for the old installation's pages went too; B's stay.
        assert documents.items(a.id, documents.TAXES) == []
        assert [t["id"] for t in documents.items(store(B).id, documents.TAXES)] == [55]
    assert mirror_figures(app, B) == before_b
    actions = [action for action, _ in audit_of(app, A)]
    assert actions[-1] == "reinstalled" and "personal_data_purged" in actions


def test_a_401_that_survives_a_refresh_ends_the_connection_and_other_errors_do_not(app, live_app, sandbox,
                                                                                    two_stores):
    clear_a, _ = plain_tokens(app, A)
    with app.app_context():
        for harmless in (AuthError("refresh failed", status=None), ReauthRequired("flagged", status=401),
                         ScopeError("no scope", status=403), NotFound("gone", status=404)):
            assert lifecycle.on_api_error(A, harmless) == []
        assert store(A).status == StoreStatus.ACTIVE
        sealed = lifecycle.on_api_error(A, AuthError("invalid_token", status=401))
        assert [hint for hint, _ in sealed] == ["refresh_token", "access_token"]
        lifecycle_tasks.after_disconnect(A, sealed)
        assert (store(A).status, store(A).credential) == (StoreStatus.DISCONNECTED, None)
        assert store(B).status == StoreStatus.ACTIVE
        assert lifecycle.on_api_error(A, AuthError("again", status=401)) == []      # once
    assert token_state(sandbox, dict(clear_a)["access_token"]) == (401, "The access token was revoked")
    assert [(action, detail.get("reason")) for action, detail in audit_of(app, A)] == \
        [("disconnected", "unauthorized"), ("tokens_revoked", None)]


def test_disconnect_after_an_unnoticed_uninstall_still_ends_cleanly(app, live_app, sandbox, two_stores):
    browser_a, browser_b = two_stores
    control(sandbox, "tokens/revoke", store=A)               # uninstalled; no job has noticed yet
    press_disconnect(browser_a, live_app)                    # the hooks removal meets the refused refresh
    with app.app_context():
        assert (store(A).status, store(A).credential) == (StoreStatus.DISCONNECTED, None)
        assert store(B).status == StoreStatus.ACTIVE
    assert [(action, detail.get("reason")) for action, detail in audit_of(app, A)] == \
        [("disconnected", "grant_refused"), ("hooks_not_removed", None)]
    assert not shows_store(browser_a, live_app, "Sandbox Store")
    assert shows_store(browser_b, live_app, "Tienda Dos")
