"""The settings page's render cache: per store, fresh after every change, with per-request tokens."""

import re
import time

import pytest
from sqlalchemy import select

from jumpseller_app import page_cache
from jumpseller_app.extensions import db
from jumpseller_app.models import Credential, Settings, Store, StoreSnapshot, StoreStatus, utcnow

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_store(code, name, customer, orders_count):
    """A connected Basic store with cached figures naming `customer`."""
    store = Store(code=code, name=name, auth_mode="basic", currency="CLP", status=StoreStatus.ACTIVE)
    store.settings = Settings(values={})
    store.credential = Credential(login_enc="x", authtoken_enc="y")
    daily = [{"date": f"2026-01-{d:02d}", "orders": 1, "sales": 10.0} for d in range(1, 31)]
    store.snapshot = StoreSnapshot(products_count=3, orders_count=orders_count, customers_count=2, daily=daily,
                                   latest_orders=[{"id": 1, "created_at": "2026-01-30 10:00:00", "status": "Paid",
                                                   "total": 10.0, "currency": "CLP", "customer": customer}],
                                   fetched_at=utcnow())
    db.session.add(store)
    db.session.commit()
    return store.id


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The view's query casts JSON columns to text: check it on both databases."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
def stores(app):
    with app.app_context():
        return {"a": add_store("store-a", "Store A", "Alice Ant", 11),
                "b": add_store("store-b", "Store B", "Bob Bee", 22)}


@pytest.fixture
def web(app):
    return app.test_client(use_cookies=False)


def signed_in(code):
    """A session's data right after signing in to a new store (epoch 1)."""
    return {"store_code": code, "epoch": 1, "signed_in_at": int(time.time())}


def cookie_for(app, data):
    """A session cookie header carrying `data`, as the signed-in iframe would send it."""
    value = app.session_interface.get_signing_serializer(app).dumps(data)
    return {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={value}", "Accept-Language": "en"}


def page(app, web, code):
    response = web.get("/", headers=cookie_for(app, signed_in(code)))
    assert response.status_code == 200
    return response


def change(app, code, update):
    """Change a store's rows directly, as another worker process would (this process's cache is not told)."""
    with app.app_context():
        update(db.session.scalar(select(Store).where(Store.code == code)))
        db.session.commit()


def test_each_store_sees_only_its_own_page(app, web, stores):
    for _ in range(2):                                    # the second round is served from the cache
        a, b = page(app, web, "store-a").text, page(app, web, "store-b").text
        assert "Store A" in a and "Alice Ant" in a and "Bob Bee" not in a and "Store B" not in a
        assert "Store B" in b and "Bob Bee" in b and "Alice Ant" not in b and "Store A" not in b
    cache = page_cache.of(app)
    assert len(cache) == 2
    assert {key[0] for key in cache._entries} == {stores["a"], stores["b"]}


def test_identical_content_is_still_cached_per_store(app, web, stores):
    change(app, "store-b", lambda s: setattr(s, "name", "Store A"))
    page(app, web, "store-a")
    page(app, web, "store-b")
    assert {key[0] for key in page_cache.of(app)._entries} == {stores["a"], stores["b"]}


def test_tokens_are_fresh_per_request_and_markers_never_leak(app, web, stores):
    first, second = page(app, web, "store-a"), page(app, web, "store-a")
    tokens = [set(CSRF.findall(r.text)) for r in (first, second)]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]
    for response in (first, second):
        assert not any(marker in response.text for marker in page_cache.MARKERS.values())
        assert "slot-" not in response.text
        assert "Content-Security-Policy" in response.headers


def test_a_cached_page_posts_with_its_own_csrf_token(app, web, stores):
    page(app, web, "store-a")                              # fill the cache
    response = page(app, web, "store-a")
    token = CSRF.search(response.text).group(1)
    session_cookie = response.headers["Set-Cookie"].split(";")[0]
    form = {"csrf_token": token, "widget_title": "New title", "notification_email": "", "locale": ""}
    saved = web.post("/settings", data=form, headers={"Cookie": session_cookie})
    assert saved.status_code == 302
    assert 'value="New title"' in page(app, web, "store-a").text
    refused = web.post("/settings", data={**form, "csrf_token": "forged"}, headers={"Cookie": session_cookie})
    assert refused.status_code == 400


def test_settings_changed_elsewhere_show_at_once(app, web, stores):
    assert 'value="Store A"' in page(app, web, "store-a").text
    change(app, "store-a", lambda s: setattr(s.settings, "values", {"widget_title": "From another worker"}))
    assert 'value="From another worker"' in page(app, web, "store-a").text


def test_language_setting_is_part_of_the_key(app, web, stores):
    assert '<html lang="en">' in page(app, web, "store-a").text
    change(app, "store-a", lambda s: setattr(s.settings, "locale", "es"))
    assert '<html lang="es">' in page(app, web, "store-a").text


def test_snapshot_refresh_shows_at_once(app, web, stores):
    assert 'data-testid="count-orders">11<' in page(app, web, "store-a").text

    def refreshed(store):
        store.snapshot.orders_count = 99
        store.snapshot.latest_orders = [{**store.snapshot.latest_orders[0], "customer": "Carol Cat"}]
        store.snapshot.fetched_at = utcnow()
    change(app, "store-a", refreshed)
    text = page(app, web, "store-a").text
    assert 'data-testid="count-orders">99<' in text and "Carol Cat" in text and "Alice Ant" not in text


def test_disconnect_drops_the_page(app, web, stores):
    response = page(app, web, "store-a")
    assert len(page_cache.of(app)) == 1
    session_cookie = response.headers["Set-Cookie"].split(";")[0]
    done = web.post("/disconnect", data={"csrf_token": CSRF.search(response.text).group(1)},
                    headers={"Cookie": session_cookie})
    assert done.status_code == 302
    assert len(page_cache.of(app)) == 0
    again = web.get("/", headers=cookie_for(app, signed_in("store-a")))
    assert "Alice Ant" not in again.text and 'data-testid="settings-form"' not in again.text


def test_disconnect_elsewhere_closes_the_page(app, web, stores):
    page(app, web, "store-a")
    change(app, "store-a", lambda s: setattr(s, "status", StoreStatus.DISCONNECTED))
    assert "Alice Ant" not in web.get("/", headers=cookie_for(app, signed_in("store-a"))).text


def test_rejected_settings_are_rendered_fresh_and_escaped(app, web, stores):
    response = page(app, web, "store-a")
    session_cookie = response.headers["Set-Cookie"].split(";")[0]
    form = {"csrf_token": CSRF.search(response.text).group(1), "widget_title": "<b>x</b>",
            "notification_email": "not-an-email", "locale": ""}
    rejected = web.post("/settings", data=form, headers={"Cookie": session_cookie})
    assert rejected.status_code == 422
    assert "Enter a valid email address" in rejected.text and "&lt;b&gt;x&lt;/b&gt;" in rejected.text
    assert "Enter a valid email address" not in page(app, web, "store-a").text


def test_token_sessions_get_their_token_in_every_form(app, web, stores):
    from jumpseller_app.sessions import dump_token, load_token

    for _ in range(2):
        seed = {**signed_in("store-a"), "csrf_token": "seed"}
        with app.test_request_context():
            token = dump_token(app, seed)
        text = web.get(f"/?t={token}", headers={"Accept-Language": "en"}).text
        carried = re.findall(r'name="t" value="([^"]+)"', text)
        assert len(carried) == 3 and len(set(carried)) == 1
        assert load_token(app, carried[0])["store_code"] == "store-a"


def test_lru_keeps_a_bounded_number_of_pages():
    cache = page_cache.PageCache(size=2)
    for n in range(3):
        cache.put((n, "x"), ("page",))
    assert len(cache) == 2 and cache.get((0, "x")) is None and cache.get((2, "x")) == ("page",)
    cache.forget(2)
    assert cache.get((2, "x")) is None and len(cache) == 1


def test_the_worker_age_moves_in_steps_and_down_is_exact(app, monkeypatch):
    """The page cache's key holds the worker's age: steps keep a page cached between beats; the timeout is exact."""
    from jumpseller_app.jobs import heartbeat

    timeout = app.config["JOBS_WORKER_TIMEOUT"]
    with app.app_context():
        for age, shown in [(0.2, 0), (heartbeat.AGE_STEP - 0.1, 0), (heartbeat.AGE_STEP + 0.1, heartbeat.AGE_STEP),
                           (timeout - 0.1, (timeout - 1) // heartbeat.AGE_STEP * heartbeat.AGE_STEP),
                           (timeout + 0.1, None)]:
            monkeypatch.setattr(heartbeat, "last_beat", lambda age=age: {"at": time.time() - age})
            assert heartbeat.worker_age() == shown, age
        monkeypatch.setattr(heartbeat, "last_beat", lambda: None)
        assert heartbeat.worker_age() is None
