"""The sync over real HTTP against the sandbox, on SQLite and PostgreSQL: full passes equal the sandbox, faults
and a kill -9 do not change that (a killed run resumes from its checkpoint), the reconciliation catches up what
no hook said, incremental runs fetch only new ids, and a resource without its scope is never called."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from sqlalchemy import func, select

from jumpseller_app.extensions import db, queue
from jumpseller_app.jobs import sync_tasks
from jumpseller_app.jumpseller import payloads
from jumpseller_app.models import (MirrorCategory, MirrorCustomer, MirrorOrder, MirrorProduct, Store,
                                   SyncCheckpoint)
from jumpseller_app.services import connect as connect_service
from jumpseller_app.services import sync

from ..support.flows import admin_action, basic_client, control, install, sandbox_credentials
from ..support.worker import HANG_TIMEOUT, ROOT, wait_for, worker_env

MODELS = {"categories": MirrorCategory, "products": MirrorProduct, "orders": MirrorOrder,
          "customers": MirrorCustomer}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
def sandbox_options():
    # Several pages of each resource (100 a page), shown as Jumpseller does (nulls, strings, localized statuses).
    return {"rate_limit": "off", "profile": "realistic", "seed_products": 230, "seed_orders": 160,
            "seed_customers": 130}


def hold_sync_slot(code):
    """Take the store's sync slot as a queued sync would (request_sync then queues nothing)."""
    assert queue.put_if_empty(sync_tasks._sync_key(code), time.time())


@pytest.fixture
def store_code(app, sandbox):
    """The sandbox's default store, connected with Basic credentials (every scope), its mirror still empty: the
    full sync a connect queues is held back by its slot being taken, so each test runs the syncs it means to."""
    login, authtoken = sandbox_credentials(sandbox)
    with app.app_context():
        hold_sync_slot("sandbox")
        try:
            return connect_service.connect_basic(login=login, authtoken=authtoken, operator=True).code
        finally:
            queue.delete(sync_tasks._sync_key("sandbox"))


@pytest.fixture
def remote(sandbox, tmp_path):
    """A plain client on the sandbox store: the truth the mirror is compared with."""
    return basic_client(sandbox, tmp_path, budget=False)


def sandbox_view(api):
    """What the sandbox holds, in the fields the mirror keeps: {resource: {id: fields}}."""
    return {
        "categories": {c.id: c.name for c in map(payloads.parse_category, api.categories.iter_all())},
        "products": {p.id: (p.name, p.price, p.status)
                     for p in map(payloads.parse_product, api.products.iter_all())},
        "orders": {o.id: (o.total, o.state, o.status_text) for o in map(payloads.parse_order, api.orders.iter_all())},
        "customers": {c.id: c.email for c in map(payloads.parse_customer, api.customers.iter_all())},
    }


def mirror_view(app, store_code):
    """The live (not deleted) mirror rows of the store, in the same shape as sandbox_view()."""
    with app.app_context():
        store_id = db.session.scalar(select(Store.id).where(Store.code == store_code))

        def rows(model, *columns):
            query = select(model.remote_id, *columns).where(model.store_id == store_id)
            if hasattr(model, "deleted_at"):
                query = query.where(model.deleted_at.is_(None))
            return db.session.execute(query).all()

        view = {
            "categories": {r[0]: r[1] for r in rows(MirrorCategory, MirrorCategory.name)},
            "products": {r[0]: tuple(r[1:]) for r in rows(MirrorProduct, MirrorProduct.name, MirrorProduct.price,
                                                         MirrorProduct.status)},
            "orders": {r[0]: tuple(r[1:]) for r in rows(MirrorOrder, MirrorOrder.total, MirrorOrder.state,
                                                       MirrorOrder.status_text)},
            "customers": {r[0]: r[1] for r in rows(MirrorCustomer, MirrorCustomer.email)},
        }
        # No duplicates: one row per remote id, deleted or not.
        for model in MODELS.values():
            total = db.session.scalar(select(func.count()).select_from(model).where(model.store_id == store_id))
            distinct = db.session.scalar(select(func.count(func.distinct(model.remote_id)))
                                         .where(model.store_id == store_id))
            assert total == distinct, model.__tablename__
        return view


def checkpoints(app, store_code):
    with app.app_context():
        store_id = db.session.scalar(select(Store.id).where(Store.code == store_code))
        rows = db.session.scalars(select(SyncCheckpoint).where(SyncCheckpoint.store_id == store_id)).all()
        return {row.resource: {c.name: getattr(row, c.name) for c in SyncCheckpoint.__table__.columns}
                for row in rows}


def request_log(sandbox):
    return requests.get(sandbox.url + "/_sandbox/requests", params={"store": "sandbox"}, timeout=5).json()["requests"]


def settled_log_length(sandbox, quiet=0.5):
    """The request log's length once it stops growing: the sandbox logs a request when it answers, so a page a
    killed process had in flight lands in the log after the kill (its latency later)."""
    length = len(request_log(sandbox))
    while True:
        time.sleep(quiet)
        now = len(request_log(sandbox))
        if now == length:
            return now
        length = now


def run(app, store_code, mode="full"):
    with app.app_context():
        return sync.run_sync(store_code, mode)


def test_a_full_sync_makes_the_mirror_equal_to_the_sandbox(app, store_code, remote):
    result = run(app, store_code)
    assert result.ok, result
    expected = sandbox_view(remote)
    assert {name: len(items) for name, items in expected.items()} == \
        {"categories": len(expected["categories"]), "products": 230, "orders": 160, "customers": 130}
    assert mirror_view(app, store_code) == expected
    assert result.resources["products"].pages == 3 and result.resources["orders"].pages == 2
    marks = checkpoints(app, store_code)
    for resource in sync.RESOURCES:
        mark = marks[resource]
        assert mark["status"] == "done" and mark["last_error"] is None
        assert mark["items_done"] == mark["items_total"] == len(expected[resource])
        assert mark["completed_pass_started_at"] == mark["started_at"]
    # The cursor resources remember the highest id, the page-numbered ones do not use it.
    assert marks["products"]["last_remote_id"] == max(expected["products"])
    assert marks["customers"]["last_remote_id"] == 0

    # A second pass changes nothing and tombstones nothing: every row was seen again.
    again = run(app, store_code)
    assert again.ok and sum(r.deleted for r in again.resources.values()) == 0
    assert mirror_view(app, store_code) == expected


def test_thirty_percent_server_errors_change_nothing_in_the_result(app, store_code, remote, sandbox):
    expected = sandbox_view(remote)
    control(sandbox, "faults", seed=5, error_rate=0.3)
    result = run(app, store_code)
    faults = requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()["faults"]
    control(sandbox, "faults")
    assert result.ok, result
    assert sum(faults.values()) >= 3                     # the faults really happened, and were survived
    assert mirror_view(app, store_code) == expected
    assert {mark["status"] for mark in checkpoints(app, store_code).values()} == {"done"}


class TestKilledMidSync:
    """kill -9 of a real `flask sync` process half-way through the products; the next run resumes there."""

    @pytest.fixture
    def sandbox_options(self):
        return {"rate_limit": "off", "profile": "realistic", "seed_products": 900, "seed_orders": 60,
                "seed_customers": 40}

    def test_the_next_run_resumes_from_the_checkpoint(self, app, store_code, remote, sandbox):
        expected = sandbox_view(remote)
        control(sandbox, "faults", latency_ms=150)      # ~9 product pages of at least 150 ms each
        before = len(request_log(sandbox))
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "sync", store_code], cwd=ROOT,
                                env=worker_env(app.config), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            def products_half_done():
                assert proc.poll() is None, proc.communicate()
                mark = checkpoints(app, store_code).get("products")
                return mark is not None and mark["page"] >= 2 and mark["status"] == "running"
            wait_for(products_half_done, "two committed product pages")
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=HANG_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
        control(sandbox, "faults")
        killed_at = checkpoints(app, store_code)["products"]
        assert killed_at["finished_at"] is None and 0 < killed_at["last_remote_id"] < max(expected["products"])
        first_run = settled_log_length(sandbox)

        result = run(app, store_code)
        assert result.ok, result
        resumed = [entry["path"] for entry in request_log(sandbox)[first_run:]]
        # Categories were finished in the killed run: not fetched again in this pass.
        assert not any(path.startswith("/v1/categories") for path in resumed)
        cursors = [int(path.rsplit("/", 1)[1].split(".")[0]) for path in resumed
                   if path.startswith("/v1/products/after/")]
        # It picked up at the checkpoint's cursor, and no page below it was asked again.
        assert cursors[0] == killed_at["last_remote_id"] and min(cursors) == killed_at["last_remote_id"]
        assert result.resources["products"].pages == len(cursors)
        done_before = killed_at["page"]
        # 9 full pages and the empty one that ends the walk: the killed run's committed pages are not asked again.
        assert done_before + len(cursors) == 10
        assert len([e for e in request_log(sandbox)[before:first_run] if "/products/after/" in e["path"]]) >= done_before
        assert mirror_view(app, store_code) == expected
        assert sum(r.deleted for r in result.resources.values()) == 0


def test_the_reconciliation_catches_up_what_no_hook_delivered(app, store_code, remote, sandbox):
    assert run(app, store_code).ok
    # The app registered no hooks here (no APP_URL): nothing will be delivered, as with every hook paused.
    deliveries = requests.get(sandbox.url + "/_sandbox/hooks/deliveries", params={"store": "sandbox"},
                              timeout=5).json()["deliveries"]
    admin_action(sandbox, "new-order")
    recent = payloads.parse_order(remote.orders.list(page=1, limit=50, dateFilter="last7days")[-1])
    new_status = "Canceled" if recent.state != "canceled" else "Paid"
    remote.orders.update(recent.id, {"status": new_status})
    gone = max(sandbox_view(remote)["products"])
    remote.products.delete(gone)
    assert requests.get(sandbox.url + "/_sandbox/hooks/deliveries", params={"store": "sandbox"},
                        timeout=5).json()["deliveries"] == deliveries
    expected = sandbox_view(remote)

    # Within RECONCILE_FULL_HOURS of the last pass: new records and recent orders, no full walk.
    result = run(app, store_code, "reconcile")
    assert result.ok, result
    view = mirror_view(app, store_code)
    assert view["orders"] == expected["orders"]           # the new order and the status change
    assert gone in view["products"]                        # deletions wait for the full pass
    assert "categories" not in result.resources or result.resources["categories"].pages == 0

    # Once the last pass is older than RECONCILE_FULL_HOURS, the reconciliation walks everything again.
    app.config["RECONCILE_FULL_HOURS"] = 0
    result = run(app, store_code, "reconcile")
    assert result.ok and result.resources["products"].deleted == 1
    assert mirror_view(app, store_code) == expected
    with app.app_context():
        tombstone = db.session.scalar(select(MirrorProduct).where(MirrorProduct.remote_id == gone))
        assert tombstone.deleted_at is not None


def test_incremental_fetches_only_new_ids(app, store_code, remote, sandbox):
    assert run(app, store_code).ok
    highest = max(sandbox_view(remote)["products"])
    created = remote.products.create({"name": "Manta de alpaca", "price": 45990})
    admin_action(sandbox, "new-order")
    start = len(request_log(sandbox))
    result = run(app, store_code, "incremental")
    assert result.ok
    paths = [entry["path"] for entry in request_log(sandbox)[start:]]
    assert f"/v1/products/after/{highest}.json" in paths
    assert all(p.startswith(("/v1/products/after/", "/v1/orders/after/", "/v1/products/count",
                             "/v1/orders/count")) for p in paths), paths
    assert result.resources["products"].items == 1 and result.resources["orders"].items == 1
    assert created["id"] in mirror_view(app, store_code)["products"]
    assert mirror_view(app, store_code) == sandbox_view(remote)


def test_a_deleted_customer_is_confirmed_gone_before_its_tombstone(app, store_code, remote, sandbox):
    assert run(app, store_code).ok
    customers = sandbox_view(remote)["customers"]
    gone, kept = sorted(customers)[5], sorted(customers)[6]
    remote.customers.delete(gone)
    start = len(request_log(sandbox))
    result = run(app, store_code)
    assert result.ok and result.resources["customers"].deleted == 1
    # Page-numbered walks shift under deletions: the missing one was asked for by id (404) before its tombstone,
    # and only that one.
    asked = [e for e in request_log(sandbox)[start:] if e["path"].startswith("/v1/customers/")
             and e["path"] != "/v1/customers/count.json"]
    assert [(e["path"], e["status"]) for e in asked] == [(f"/v1/customers/{gone}.json", 404)]
    view = mirror_view(app, store_code)
    assert gone not in view["customers"] and kept in view["customers"]
    assert view == sandbox_view(remote)


def test_the_sync_job_is_single_flight_per_store(app, store_code, remote):
    with app.app_context():
        hold_sync_slot(store_code)                                  # one is queued or running already
        assert sync_tasks.is_syncing(store_code)
        assert sync_tasks.request_sync(store_code) is False
        queue.delete(sync_tasks._sync_key(store_code))
        assert mirror_view(app, store_code)["products"] == {}      # the refused request ran nothing

        assert sync_tasks.request_sync(store_code) is True        # immediate mode: run in-process, slot freed
        assert not sync_tasks.is_syncing(store_code)
        with pytest.raises(ValueError):
            sync_tasks.request_sync(store_code, "everything")
    assert mirror_view(app, store_code) == sandbox_view(remote)


def test_the_periodic_reconciliation_syncs_every_active_store(app, store_code, remote):
    with app.app_context():
        sync_tasks.reconcile_stores()
    # No complete pass yet, so the reconciliation made one.
    assert mirror_view(app, store_code) == sandbox_view(remote)
    assert checkpoints(app, store_code)["products"]["completed_pass_started_at"] is not None


def test_the_cli_syncs_with_a_progress_bar(app, runner, store_code, remote):
    outcome = runner.invoke(args=["sync", store_code])
    assert outcome.exit_code == 0, outcome.output
    assert "products: 3 page(s), 230 item(s)" in outcome.output
    assert "3/3" in outcome.output                                # tqdm's pages done / total
    assert mirror_view(app, store_code) == sandbox_view(remote)
    again = runner.invoke(args=["sync", store_code, "--incremental"])
    assert again.exit_code == 0 and "products: 1 page(s), 0 item(s)" in again.output
    unknown = runner.invoke(args=["sync", "no-such-store"])
    assert unknown.exit_code != 0 and "no connected store" in unknown.output


class TestWithoutCustomerScope:
    """An OAuth store that did not grant read_customers: its customers are never asked for."""

    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "JUMPSELLER_SCOPES": "read_store read_products read_orders"}

    def test_no_customers_call(self, app, live_app, browser, sandbox, remote):
        install(browser, live_app)
        with app.app_context():
            store = db.session.scalar(select(Store))
            assert "read_customers" not in store.scopes.split()
            code = store.code
        start = len(request_log(sandbox))
        result = run(app, code)
        assert result.ok and result.resources["customers"].skipped == "missing scope read_customers"
        paths = [entry["path"] for entry in request_log(sandbox)[start:]]
        assert paths and not any(p.startswith("/v1/customers") for p in paths)
        view = mirror_view(app, code)
        assert view["customers"] == {} and view["products"] == sandbox_view(remote)["products"]
        assert "customers" not in checkpoints(app, code)

    def test_a_refused_resource_fails_alone_and_is_resumed_alone(self, app, live_app, browser, sandbox):
        install(browser, live_app)
        with app.app_context():
            store = db.session.scalar(select(Store))
            store.scopes += " read_customers"            # what the app believes; Jumpseller answers 403
            db.session.commit()
            code = store.code
        result = run(app, code)
        assert not result.ok and result.resources["customers"].errors == ["ScopeError (HTTP 403)"]
        marks = checkpoints(app, code)
        assert {r: marks[r]["status"] for r in sync.RESOURCES} == \
            {"categories": "done", "products": "done", "orders": "done", "customers": "failed"}
        # The error's class and status only: nothing from the response body (which could name a customer).
        assert marks["customers"]["last_error"] == "ScopeError (HTTP 403)" and marks["customers"]["page"] == 0
        start = len(request_log(sandbox))
        again = run(app, code)                            # the unfinished pass: only the failed resource
        paths = [entry["path"] for entry in request_log(sandbox)[start:]]
        assert paths and all(p.startswith("/v1/customers") for p in paths), paths
        assert again.resources["customers"].errors and "products" not in again.resources
