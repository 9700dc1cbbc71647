"""The inbox worker on SQLite and PostgreSQL: a sandbox change reaches the mirror through signed delivery, inbox and
drain; newest wins and duplicates count once; retries back off and end as dead letters; replay; retention clears
bodies but keeps de-duplicating; two worker processes on one PostgreSQL inbox apply every row exactly once."""

import re
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
import redis
import requests
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.jobs import inbox_tasks
from jumpseller_app.models import MirrorOrder, MirrorProduct, Store, StoreStatus, WebhookEvent, utcnow
from jumpseller_app.services import inbox, mirror, sync

from ..support.flows import admin_action, control, sandbox_credentials
from ..support.inbox import add_rows, order_body, rows, store_id, trigger_time, wait_for_rows
from ..support.webhooks import deliver, sign
from ..support.worker import ROOT, wait_for, worker_env


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
def app_config(app_config):
    """The default scopes (so the install registers the hooks); a fast, short retry schedule."""
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES, "INBOX_MAX_ATTEMPTS": 3,
            "INBOX_BACKOFF_SECONDS": 60, "INBOX_BACKOFF_MAX_SECONDS": 100}


def drain(app):
    with app.app_context():
        done = inbox.drain()
        db.session.remove()
        return done


def send(live_app, token, body, event="order_updated", ago=timedelta(minutes=1)):
    response = deliver(live_app, body, signature=sign(body, token), event=event,
                       **{"Jumpseller-Triggered-At": trigger_time(ago)})
    assert response.status_code == 200, response.text
    return response.json()["status"]


def mirrored_order(app, order_id):
    with app.app_context():
        row = db.session.scalar(select(MirrorOrder).where(MirrorOrder.remote_id == order_id))
        state = None if row is None else (row.state, row.customer_email)
        db.session.remove()
        return state


def test_a_sandbox_change_reaches_the_mirror_through_the_inbox(app, live_app, sandbox, installed):
    login, authtoken = sandbox_credentials(sandbox)
    product = requests.get(sandbox.url + "/v1/products.json", auth=(login, authtoken), params={"limit": 1},
                           timeout=5).json()[0]["product"]
    changed = requests.put(f"{sandbox.url}/v1/products/{product['id']}.json", auth=(login, authtoken), timeout=5,
                           json={"product": {"name": "Renamed through the inbox"}})
    assert changed.status_code == 200, changed.text
    [row] = wait_for_rows(app, 1, event="product_updated")
    assert row.status == "pending"                         # the receiver only stores; nothing applied yet

    assert drain(app) == {"processed": 1}
    with app.app_context():
        assert db.session.scalar(select(MirrorProduct.name).where(MirrorProduct.remote_id == product["id"])) \
            == "Renamed through the inbox"
    [row] = rows(app, event="product_updated")
    assert (row.status, row.attempts, row.claimed_by, row.last_error) == ("processed", 1, None, None)
    assert drain(app) == {}                                # nothing is due any more


def mirrored_products(app):
    with app.app_context():
        names = dict(db.session.execute(select(MirrorProduct.remote_id, MirrorProduct.name)
                                        .where(MirrorProduct.deleted_at.is_(None))).all())
        db.session.remove()
        return names


def test_with_every_hook_paused_the_reconciliation_catches_up(app, live_app, sandbox, installed):
    with app.app_context():
        assert sync.run_sync("sandbox", "full").ok
        orders_before = db.session.scalar(select(func.count()).select_from(MirrorOrder))
    hooks = requests.get(sandbox.url + "/_sandbox/hooks", params={"store": "sandbox"}, timeout=5).json()["hooks"]
    assert {"order_pending_payment", "product_updated", "product_created"} <= {h["event"] for h in hooks}
    for hook in hooks:                                     # Jumpseller paused them after repeated failures
        control(sandbox, "hooks/pause", store="sandbox", hook_id=hook["id"], paused=True)
    auth = sandbox_credentials(sandbox)
    renamed = min(mirrored_products(app))
    created = requests.post(sandbox.url + "/v1/products.json", auth=auth, timeout=5,
                            json={"product": {"name": "Caught by the reconciliation", "price": 990}})
    assert created.status_code == 200, created.text
    created = created.json()["product"]["id"]
    assert requests.put(f"{sandbox.url}/v1/products/{renamed}.json", auth=auth, timeout=5,
                        json={"product": {"name": "Renamed while hooks were paused"}}).status_code == 200
    admin_action(sandbox, "new-order")
    held = [d for d in requests.get(sandbox.url + "/_sandbox/hooks/deliveries", params={"store": "sandbox"},
                                    timeout=5).json()["deliveries"] if d["event"] == "product_created"
            or d["event"].startswith("order_")]
    assert held and all(d["state"] == "pending" and not d["attempts"] for d in held)   # nothing reached the app

    with app.app_context():
        result = sync.run_sync("sandbox", "reconcile")
        assert result.ok, result
        assert db.session.scalar(select(func.count()).select_from(MirrorOrder)) == orders_before + 1
    products = mirrored_products(app)
    assert products[created] == "Caught by the reconciliation"        # new ids: caught at once
    # An edit of an older record waits for the daily full pass or the hook (README, "Sync and reconciliation").
    assert products[renamed] != "Renamed while hooks were paused"

    for hook in hooks:                                     # resumed: Jumpseller sends what it held back
        control(sandbox, "hooks/pause", store="sandbox", hook_id=hook["id"], paused=False)
    wait_for_rows(app, 1, event="product_updated")
    drain(app)
    assert mirrored_products(app)[renamed] == "Renamed while hooks were paused"


def test_out_of_order_updates_keep_the_newest_and_a_duplicate_counts_once(app, live_app, installed):
    newer, older = order_body(91005001, "Paid"), order_body(91005001, "Pending Payment")
    assert send(live_app, installed, newer, ago=timedelta(minutes=1)) == "stored"
    assert send(live_app, installed, older, ago=timedelta(minutes=5)) == "stored"
    assert send(live_app, installed, newer, ago=timedelta(minutes=1)) == "duplicate"   # Jumpseller retried
    assert drain(app) == {"processed": 2}
    assert mirrored_order(app, 91005001) == ("paid", "ana@example.cl")
    assert [(r.status, r.attempts) for r in rows(app)] == [("processed", 1), ("processed", 1)]


def test_a_body_that_cannot_succeed_is_dead_at_once(app, live_app, installed):
    send(live_app, installed, b"not json {", event="order_paid")
    send(live_app, installed, order_body(1, "Paid"), event="app_uninstalled")
    assert drain(app) == {"dead": 2}
    assert [(r.status, r.attempts, r.last_error) for r in rows(app)] == [
        ("dead", 1, "the body is not JSON"),
        ("dead", 1, "event 'app_uninstalled' is not mirrored by this app")]


def test_transient_failures_back_off_then_die_and_a_replay_applies(app, live_app, installed, monkeypatch):
    body = order_body(91007001, "Paid", email="secret-buyer@example.cl")
    send(live_app, installed, body)
    real = mirror.apply_event

    def failing(*args):
        raise OperationalError("UPDATE mirror_orders … secret-buyer@example.cl", {}, Exception("database is locked"))
    monkeypatch.setattr(mirror, "apply_event", failing)

    assert drain(app) == {"failed": 1}
    [row] = rows(app)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "transient: OperationalError")
    assert 55 <= (row.next_attempt_at - utcnow()).total_seconds() <= 60       # the base backoff
    assert drain(app) == {}                                                    # not due before then

    def time_passes():
        with app.app_context():
            db.session.execute(update(WebhookEvent).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            db.session.commit()
            db.session.remove()
    time_passes()
    assert drain(app) == {"failed": 1}
    [row] = rows(app)
    assert row.attempts == 2 and 95 <= (row.next_attempt_at - utcnow()).total_seconds() <= 100   # doubled, capped
    time_passes()
    assert drain(app) == {"dead": 1}                                           # INBOX_MAX_ATTEMPTS = 3
    [row] = rows(app)
    assert (row.status, row.attempts, row.next_attempt_at) == ("dead", 3, None)
    # Must NOT be stored: the failure's message (it may quote personal data) in the row's error.
    assert "secret-buyer" not in row.last_error
    assert mirrored_order(app, 91007001) is None

    monkeypatch.setattr(mirror, "apply_event", real)
    with app.app_context():
        inbox.replay(db.session.get(Store, row.store_id), row.id)
    [row] = rows(app)
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, None)
    assert drain(app) == {"processed": 1}
    assert mirrored_order(app, 91007001) == ("paid", "secret-buyer@example.cl")


def test_retention_clears_old_bodies_and_a_late_replay_is_still_a_duplicate(app, live_app, installed):
    body = order_body(91008001, "Pending Payment", email="old-buyer@example.cl")
    send(live_app, installed, body, ago=timedelta(minutes=10))
    drain(app)
    send(live_app, installed, order_body(91008001, "Paid", email="old-buyer@example.cl"), ago=timedelta(minutes=1))
    drain(app)
    add_rows(app, store_id(app), [b'{"product": {"id": 1}}'], received_ago=timedelta(hours=30))
    with app.app_context():
        assert inbox.apply_retention(now=utcnow()) == (0, 0)                 # within the log window: kept whole
        # A day later: the finished rows lose their bodies; the pending one (not applied yet) keeps its own.
        assert inbox.apply_retention(now=utcnow() + timedelta(hours=25)) == (2, 0)
        db.session.remove()
    kept = rows(app)
    assert [(r.status, bytes(r.body)) for r in kept] == [("processed", b""), ("processed", b""),
                                                          ("pending", b'{"product": {"id": 1}}')]
    # Must NOT be stored past the log window: a processed delivery's body (the buyer's address is in it).
    assert not any(b"old-buyer" in bytes(r.body) for r in kept)

    # Jumpseller replays the first delivery days later: acknowledged as a duplicate, applied no second time.
    assert send(live_app, installed, body, ago=timedelta(minutes=10)) == "duplicate"
    assert len(rows(app)) == 3 and drain(app) == {"processed": 1}            # only the old pending row
    assert mirrored_order(app, 91008001)[0] == "paid"

    with app.app_context():
        assert inbox.apply_retention(now=utcnow() + timedelta(days=31)) == (1, 3)
        db.session.remove()
    assert rows(app) == []


def test_a_disconnected_store_s_rows_wait_untouched(app, live_app, installed):
    send(live_app, installed, order_body(91009001, "Paid"))
    with app.app_context():
        db.session.execute(update(Store).values(status=StoreStatus.DISCONNECTED))
        db.session.commit()
        assert inbox.has_due() is False
        db.session.remove()
    assert drain(app) == {}
    [row] = rows(app)
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 0, None)
    assert mirrored_order(app, 91009001) is None


# --- two real worker processes on one PostgreSQL inbox, Redis as their queue -----------------------------------

@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
class TestTwoWorkers:
    ROWS = 600

    @pytest.fixture
    def app_config(self, app_config, redis_server):
        """A real queue in a Redis database of its own (emptied first) that only the worker processes drain."""
        url = redis_server.url.rsplit("/", 1)[0] + "/4"
        redis.Redis.from_url(url).flushdb()
        return {**app_config, "JOBS_IMMEDIATE": False, "REDIS_URL": url, "JOBS_HEARTBEAT_SECONDS": 1}

    def test_every_row_is_applied_exactly_once(self, app):
        with app.app_context():
            store = Store(code="busy-shop", auth_mode="oauth")
            db.session.add(store)
            db.session.commit()
            shop = store.id
            db.session.remove()
        bodies = [b'{"product": {"id": %d, "name": "P%d", "updated_at": "2026-01-01 10:00:00 UTC"}}' % (i, i)
                  for i in range(1, self.ROWS + 1)]
        add_rows(app, shop, bodies)

        env = {**worker_env(app.config), "INBOX_BATCH": "20"}
        procs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        outputs = []
        try:
            wait_for(lambda: not rows_left(app), "the workers to drain the inbox")
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
                outputs.append(proc.communicate(timeout=60)[0])
                print(outputs[-1])
        # Which process applied how many (informative: which process dequeues a drain is the queue's choice).
        per_worker = [sum(map(int, re.findall(r"inbox drained by pid \d+: .*?processed=(\d+)", out))) for out in outputs]
        print("processed per worker:", per_worker)
        assert sum(per_worker) == self.ROWS
        with app.app_context():
            by_status = dict(db.session.execute(select(WebhookEvent.status, func.count())
                                                .group_by(WebhookEvent.status)).all())
            attempts = dict(db.session.execute(select(WebhookEvent.attempts, func.count())
                                               .group_by(WebhookEvent.attempts)).all())
            assert by_status == {"processed": self.ROWS}
            assert attempts == {1: self.ROWS}                 # no row applied twice, none retried
            assert mirror.counts(shop)["products"] == self.ROWS
            assert db.session.scalar(select(func.count()).where(WebhookEvent.claimed_by.is_not(None))) == 0
            db.session.remove()


def rows_left(app):
    """Rows not yet settled by a worker (pending, or failed and waiting)."""
    with app.app_context():
        left = db.session.scalar(select(func.count()).where(WebhookEvent.status.in_(("pending", "failed"))))
        db.session.remove()
        return left


def test_the_scheduler_queues_a_drain_only_when_a_row_is_due_and_none_is_queued(app):
    with app.app_context():
        store = Store(code="quiet-shop", auth_mode="oauth")
        db.session.add(store)
        db.session.commit()
        shop = store.id
        db.session.remove()
    assert inbox_tasks._drain_due(None) is False                # an empty inbox: no job at all
    add_rows(app, shop, [b'{"product": {"id": 1}}'])
    assert inbox_tasks._drain_due(None) is True
    assert inbox_tasks._drain_due(None) is False                # one is already waiting in the queue
    assert inbox_tasks.drain_inbox.call_local() == {"processed": 1}   # starting frees the slot
    assert inbox_tasks._drain_due(None) is False                # and nothing is due any more


def test_a_worker_that_lost_its_claim_applies_nothing(app):
    with app.app_context():
        store = Store(code="slow-shop", auth_mode="oauth")
        db.session.add(store)
        db.session.commit()
        shop = store.id
        db.session.remove()
    add_rows(app, shop, [order_body(4001, "Paid")], event="order_paid")
    with app.app_context():
        stalled, [row] = inbox.claim(10)
        assert inbox.claim(10)[1] == []                              # a live claim is not taken twice
        # The stalled worker's lease runs out; another worker takes the row over.
        db.session.execute(update(WebhookEvent).values(claimed_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        taker, [again] = inbox.claim(10)
        assert taker != stalled and again.id == row.id
        assert inbox.process(row, stalled) is None                 # too late: its mirror write is rolled back
        assert db.session.scalar(select(func.count()).select_from(MirrorOrder)) == 0
        assert inbox.process(again, taker) == "processed"
        db.session.remove()
    [settled] = rows(app)
    assert (settled.status, settled.attempts, settled.claimed_by) == ("processed", 1, None)
    assert mirrored_order(app, 4001) == ("paid", "ana@example.cl")
