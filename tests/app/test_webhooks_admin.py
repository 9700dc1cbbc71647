"""The Webhooks page over real HTTP, on SQLite and PostgreSQL: the signed-in store's last 24 h of deliveries, its
failures and dead letters without their bodies, and a Replay that only ever reaches the store's own rows."""

from datetime import timedelta
from urllib.parse import urljoin

import pytest
from sqlalchemy import select

from jumpseller_app.extensions import db
from jumpseller_app.models import AuditEntry, Store

from ..support.flows import csrf_token, install
from ..support.iframe import api_requests
from ..support.inbox import add_rows, rows, store_id

SECRET = b'{"order": {"id": 1, "customer": {"email": "hidden-buyer@example.cl"}}}'


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
def signed_in(app, live_app, browser):
    """The sandbox store installed and signed in in `browser`; returns its row id."""
    install(browser, live_app)
    return store_id(app)


@pytest.fixture
def other_store(app):
    """A second store, with a dead letter of its own."""
    with app.app_context():
        store = Store(code="other-shop", auth_mode="oauth")
        db.session.add(store)
        db.session.commit()
        other = store.id
        db.session.remove()
    [dead] = add_rows(app, other, [SECRET], event="order_paid", status="dead", attempts=8, last_error="transient: X")
    return dead


def test_the_page_counts_by_status_and_lists_failures_without_bodies(app, live_app, sandbox, browser, signed_in,
                                                                     other_store):
    add_rows(app, signed_in, [b"{}"] * 3, status="processed", attempts=1)
    add_rows(app, signed_in, [b"{}"], status="pending")
    [dead] = add_rows(app, signed_in, [SECRET], event="order_paid", status="dead", attempts=1,
                      last_error="the body is not JSON")
    [failed] = add_rows(app, signed_in, [SECRET + b" "], event="customer_updated", status="failed", attempts=2,
                        last_error="transient: OperationalError")
    add_rows(app, signed_in, [b"{}"], status="dead", received_ago=timedelta(hours=25))     # out of the window

    dashboard = browser.get(live_app.url + "/", timeout=10)
    assert 'data-testid="webhooks-link"' in dashboard.text
    before = api_requests(sandbox)
    page = browser.get(live_app.url + "/webhooks-log/", timeout=10)
    assert page.status_code == 200
    assert api_requests(sandbox) == before                         # the page never calls Jumpseller
    for status, count in (("processed", 3), ("pending", 1), ("failed", 1), ("dead", 1)):
        assert f'data-testid="count-{status}">{count}<' in page.text
    assert f'data-testid="problem-{dead}"' in page.text and f'data-testid="problem-{failed}"' in page.text
    assert "the body is not JSON" in page.text and "transient: OperationalError" in page.text
    assert f'data-testid="replay-{dead}"' in page.text
    assert f'data-testid="replay-{failed}"' not in page.text      # still being retried: nothing to replay
    # Must NOT be shown: a delivery's body (personal data), nor another store's rows.
    assert "hidden-buyer" not in page.text
    assert f'data-testid="problem-{other_store}"' not in page.text


def test_replay_puts_the_store_s_own_dead_letter_back_and_never_another_store_s(app, live_app, browser, signed_in,
                                                                                 other_store):
    [dead] = add_rows(app, signed_in, [SECRET], event="order_paid", status="dead", attempts=8,
                      last_error="transient: OperationalError")
    page = browser.get(live_app.url + "/webhooks-log/", timeout=10)
    token = csrf_token(page.text)

    without_csrf = browser.post(f"{live_app.url}/webhooks-log/{dead}/replay", timeout=10, allow_redirects=False)
    assert without_csrf.status_code == 400
    assert rows(app, id=dead)[0].status == "dead"

    foreign = browser.post(f"{live_app.url}/webhooks-log/{other_store}/replay", data={"csrf_token": token},
                           timeout=10, allow_redirects=False)
    assert foreign.status_code == 404 and 'data-testid="replay-refused"' in foreign.text
    assert [(r.status, r.attempts) for r in rows(app, id=other_store)] == [("dead", 8)]   # untouched

    own = browser.post(f"{live_app.url}/webhooks-log/{dead}/replay", data={"csrf_token": token}, timeout=10,
                       allow_redirects=False)
    assert own.status_code == 302
    [row] = rows(app, id=dead)
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, None)
    assert 'data-testid="replay-queued"' in browser.get(urljoin(live_app.url, own.headers["Location"]), timeout=10).text

    again = browser.post(f"{live_app.url}/webhooks-log/{dead}/replay", data={"csrf_token": token}, timeout=10,
                         allow_redirects=False)
    assert again.status_code == 404                                # pending now: nothing to replay
    with app.app_context():
        audit = db.session.execute(select(AuditEntry.store_code, AuditEntry.action, AuditEntry.detail)).all()
        db.session.remove()
    assert [tuple(entry) for entry in audit if entry.action == "webhook_replayed"] == \
        [("sandbox", "webhook_replayed", {"event_id": dead})]


def test_without_a_signed_in_store_the_page_sends_to_connect(app, live_app, browser, other_store):
    page = browser.get(live_app.url + "/webhooks-log/", timeout=10, allow_redirects=False)
    assert page.status_code == 302 and "reconnect=1" in page.headers["Location"]
    replay = browser.post(f"{live_app.url}/webhooks-log/{other_store}/replay", timeout=10, allow_redirects=False)
    assert replay.status_code in (302, 400)
    assert [(r.status, r.attempts) for r in rows(app, id=other_store)] == [("dead", 8)]
