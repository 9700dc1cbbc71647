"""The iframe session over real HTTP: handoff, Partitioned cookie, token fallback, CSRF, settings, dashboard."""

import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select, update

from jumpseller_app.extensions import db
from jumpseller_app.models import Credential, OAuthState, Store, utcnow

from ..support import iframe as support
from ..support.http import browser_session


@pytest.fixture
def app_config(app_config, sandbox):
    """Framing allowed for the sandbox admin; scopes for the dashboard."""
    return support.iframe_config(app_config, sandbox)


@pytest.fixture
def popup():
    """The install popup: a top-level window whose cookies the iframe never sees."""
    with browser_session() as session:
        yield session


def connected(iframe, popup, live_app):
    response = support.connect_iframe(iframe, popup, live_app)
    assert response.status_code == 200, response.text
    return response


def form_fields(page_text, testid):
    form = re.search(rf'<form[^>]*data-testid="{testid}"[^>]*>(.*?)</form>', page_text, re.S)
    assert form, f"no form {testid}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


def test_handoff_gives_the_iframe_a_partitioned_session_cookie(app, live_app, sandbox, browser, popup):
    assert "Connect your Jumpseller store" in browser.get(live_app.url + "/", timeout=5).text
    response = connected(browser, popup, live_app)
    body = response.json()
    assert body["status"] == "ok" and body["token"]
    cookie = response.headers["Set-Cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
        assert flag in cookie, cookie
    page = browser.get(live_app.url + "/", timeout=5)
    assert "Sandbox Store" in page.text and 'data-testid="settings-form"' in page.text
    # The cookie carries the session, so links and forms carry no token.
    assert 'name="t"' not in page.text
    # Landing on the token URL with a working cookie drops the token from the address.
    landing = browser.get(live_app.url + body["next_url"], allow_redirects=False, timeout=5)
    assert landing.status_code == 302 and landing.headers["Location"] == "/"


def test_replayed_handoff_is_refused(app, live_app, sandbox, browser, popup):
    connect_page = browser.get(live_app.url + "/", timeout=5)
    secret, handoff_hash = support.new_secret()
    support.run_popup(popup, live_app, handoff_hash)
    assert support.claim(browser, live_app, secret, connect_page.text).status_code == 200

    thief = browser_session()
    thief_page = thief.get(live_app.url + "/", timeout=5)
    replay = support.claim(thief, live_app, secret, thief_page.text)
    assert replay.status_code == 410 and replay.json()["status"] == "used"
    assert "Set-Cookie" not in replay.headers or "store" not in replay.text
    assert "Connect your Jumpseller store" in thief.get(live_app.url + "/", timeout=5).text
    reconnect = thief.get(live_app.url + replay.json()["reconnect_url"], timeout=5)
    assert 'data-testid="reconnect"' in reconnect.text and "Sandbox Store" not in reconnect.text


def test_tampered_secret_gets_no_session(app, live_app, sandbox, browser, popup):
    connect_page = browser.get(live_app.url + "/", timeout=5)
    secret, handoff_hash = support.new_secret()
    support.run_popup(popup, live_app, handoff_hash)
    tampered = secret[:-4] + ("0000" if not secret.endswith("0000") else "1111")
    answer = support.claim(browser, live_app, tampered, connect_page.text)
    assert answer.status_code == 202 and answer.json()["status"] == "unknown" and "token" not in answer.json()
    malformed = support.claim(browser, live_app, "<script>", connect_page.text)
    assert malformed.status_code == 410 and "reconnect_url" in malformed.json()
    assert "Connect your Jumpseller store" in browser.get(live_app.url + "/", timeout=5).text
    # A hash that was never bound cannot be claimed either: the popup never finished.
    other_secret, other_hash = support.new_secret()
    popup.get(live_app.url + "/oauth/install", params={"handoff": other_hash}, allow_redirects=False,
              headers={"Sec-Fetch-Site": "same-origin"}, timeout=5)
    pending = support.claim(browser, live_app, other_secret, connect_page.text)
    assert pending.status_code == 202 and pending.json()["status"] == "pending"


def test_expired_handoff_shows_reconnect_and_no_session(app, live_app, sandbox, browser, popup):
    connect_page = browser.get(live_app.url + "/", timeout=5)
    secret, handoff_hash = support.new_secret()
    support.run_popup(popup, live_app, handoff_hash)
    with app.app_context():
        db.session.execute(update(OAuthState).values(handoff_expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    answer = support.claim(browser, live_app, secret, connect_page.text)
    assert answer.status_code == 410 and answer.json()["status"] == "expired"
    page = browser.get(live_app.url + answer.json()["reconnect_url"], timeout=5)
    assert 'data-testid="reconnect"' in page.text and "Sandbox Store" not in page.text


def test_denied_install_ends_the_wait_with_reconnect(app, live_app, sandbox, browser, popup):
    connect_page = browser.get(live_app.url + "/", timeout=5)
    secret, handoff_hash = support.new_secret()
    support.run_popup(popup, live_app, handoff_hash, decision="deny")
    answer = support.claim(browser, live_app, secret, connect_page.text)
    assert answer.status_code == 410 and answer.json()["status"] == "expired"


def test_claim_without_csrf_token_is_refused(app, live_app, sandbox, browser, popup):
    connect_page = browser.get(live_app.url + "/", timeout=5)
    secret, handoff_hash = support.new_secret()
    support.run_popup(popup, live_app, handoff_hash)
    _, token = support.page_secrets(connect_page.text)
    refused = browser.post(live_app.url + "/session/claim", json={"secret": secret},
                           headers={"X-Session-Token": token}, timeout=5)
    assert refused.status_code == 400
    # The refused attempt did not burn the handoff: the real script still gets in.
    assert support.claim(browser, live_app, secret, connect_page.text).status_code == 200


def test_token_fallback_when_no_cookie_sticks(app, live_app, sandbox, browser, popup, monkeypatch):
    token = connected(browser, popup, live_app).json()["token"]
    cookieless = requests.Session()          # http.cookiejar drops Secure cookies over http: no cookie sticks
    page = cookieless.get(live_app.url + "/", params={"t": token}, timeout=5)
    assert page.status_code == 200 and "Sandbox Store" in page.text
    fields = form_fields(page.text, "settings-form")
    assert fields.get("t") and fields.get("csrf_token")
    saved = cookieless.post(live_app.url + "/settings", data={**fields, "widget_title": "Hola desde el token",
                                                              "notification_email": ""}, timeout=5)
    assert saved.status_code == 200 and "Settings saved" in saved.text and "t=" in saved.url
    assert 'value="Hola desde el token"' in saved.text
    # Without the token the same client is a stranger again.
    assert "Connect your Jumpseller store" in cookieless.get(live_app.url + "/", timeout=5).text
    tampered = cookieless.get(live_app.url + "/", params={"t": token[:-3] + "abc"}, timeout=5)
    assert "Connect your Jumpseller store" in tampered.text
    monkeypatch.setattr("jumpseller_app.sessions.TOKEN_MAX_AGE", -1)
    expired = cookieless.get(live_app.url + "/", params={"t": token}, timeout=5)
    assert "Connect your Jumpseller store" in expired.text


def test_state_changing_posts_without_csrf_are_refused(app, live_app, sandbox, browser, popup):
    connected(browser, popup, live_app)
    for path, data in (("/settings", {"widget_title": "x"}), ("/refresh", {}), ("/disconnect", {})):
        response = browser.post(live_app.url + path, data=data, timeout=5)
        assert response.status_code == 400 and "Session expired" in response.text, path
    with app.app_context():
        store = db.session.scalar(select(Store))
        assert store.status == "active" and store.settings.values.get("widget_title") is None


def test_settings_are_validated_inline_and_persist(app, live_app, sandbox, browser, popup):
    connected(browser, popup, live_app)
    fields = form_fields(browser.get(live_app.url + "/", timeout=5).text, "settings-form")
    bad = browser.post(live_app.url + "/settings", data={**fields, "widget_title": " ", "widget_enabled": "on",
                                                         "notification_email": "not-an-email", "locale": "fr"},
                       timeout=5)
    assert bad.status_code == 422
    for name in ("widget_title", "notification_email", "locale"):
        assert f'data-testid="error-{name}"' in bad.text, name
    assert 'value="not-an-email"' in bad.text                 # what was typed is kept
    good = browser.post(live_app.url + "/settings", data={**fields, "widget_title": "Ofertas", "widget_enabled": "on",
                                                          "notification_email": "ops@example.com", "locale": "es"},
                        timeout=5)
    assert good.status_code == 200 and "Configuración guardada" in good.text   # the override applies at once
    again = browser.get(live_app.url + "/", headers={"Accept-Language": "pt-BR,pt;q=0.9"}, timeout=5)
    assert 'value="Ofertas"' in again.text and 'value="ops@example.com"' in again.text and 'lang="es"' in again.text
    with app.app_context():
        row = db.session.scalar(select(Store)).settings
        assert row.locale == "es" and row.values == {"widget_title": "Ofertas", "widget_enabled": True,
                                                     "notification_email": "ops@example.com"}


def test_language_follows_the_browser_without_an_override(app, live_app, sandbox, browser, popup):
    for header, word in (("pt-BR,pt;q=0.9", "Conecte sua loja"), ("es-CL,es;q=0.8", "Conecta tu tienda"),
                         ("de-DE", "Connect your Jumpseller store")):
        page = browser_session().get(live_app.url + "/", headers={"Accept-Language": header}, timeout=5)
        assert word in page.text, header


def test_dashboard_reads_the_cache_and_refresh_updates_it(app, live_app, sandbox, browser, popup):
    connected(browser, popup, live_app)
    before = support.api_requests(sandbox)
    page = browser.get(live_app.url + "/", timeout=5)
    assert support.api_requests(sandbox) == before            # no Jumpseller call on the hot path
    assert re.search(r'data-testid="count-products">25<', page.text)
    assert 'data-testid="chart"' in page.text and "CLP" in page.text
    with app.app_context():
        snapshot = db.session.scalar(select(Store)).snapshot
        assert snapshot.fetched_at is not None and len(snapshot.daily) == 30 and snapshot.last_error is None
        assert snapshot.orders_count is not None and snapshot.customers_count is not None
    if snapshot.latest_orders:
        assert 'data-testid="latest-orders"' in page.text

    fields = form_fields(page.text, "settings-form")
    refreshed = browser.post(live_app.url + "/refresh", data={"csrf_token": fields["csrf_token"]}, timeout=10)
    assert refreshed.status_code == 200 and support.api_requests(sandbox) > before

    # Jumpseller answers only errors (a revoked grant would mean an uninstall instead: see test_lifecycle.py):
    # the cached figures stay, with a note.
    requests.post(sandbox.url + "/_sandbox/faults", json={"error_rate": 1.0}, timeout=5).raise_for_status()
    failed = browser.post(live_app.url + "/refresh", data={"csrf_token": fields["csrf_token"]}, timeout=60)
    assert failed.status_code == 200 and 'data-testid="stale-note"' in failed.text
    assert re.search(r'data-testid="count-products">25<', failed.text)


def test_connection_panel_shows_missing_scopes_and_reauthorize(app, live_app, sandbox, browser, popup):
    connected(browser, popup, live_app)
    with app.app_context():
        db.session.execute(update(Store).values(scopes="read_store read_products"))
        db.session.commit()
    page = browser.get(live_app.url + "/", timeout=5).text
    assert 'data-testid="missing-scopes"' in page and "read_orders read_customers" in page
    assert 'data-testid="reauthorize"' in page and "expires in" in page


def test_disconnect_forgets_credentials_and_ends_every_session(app, live_app, sandbox, browser, popup):
    token = connected(browser, popup, live_app).json()["token"]
    fields = form_fields(browser.get(live_app.url + "/", timeout=5).text, "disconnect-form")
    done = browser.post(live_app.url + "/disconnect", data=fields, timeout=5)
    assert "Connect your Jumpseller store" in done.text
    assert "Connect your Jumpseller store" in requests.get(live_app.url + "/", params={"t": token}, timeout=5).text
    with app.app_context():
        assert db.session.scalar(select(Store)).status == "disconnected"
        assert db.session.scalar(select(Credential)) is None


def test_two_stores_in_two_iframes_never_mix(app, live_app, sandbox):
    requests.post(sandbox.url + "/_sandbox/stores", json={"code": "tienda-b", "name": "Tienda B"},
                  timeout=5).raise_for_status()
    frame_a, popup_a, frame_b, popup_b = (browser_session() for _ in range(4))
    support.sandbox_login(popup_b, sandbox, "tienda-b")
    token_a = connected(frame_a, popup_a, live_app).json()["token"]
    token_b = connected(frame_b, popup_b, live_app).json()["token"]
    page_a = frame_a.get(live_app.url + "/", timeout=5).text
    page_b = frame_b.get(live_app.url + "/", timeout=5).text
    assert "Sandbox Store" in page_a and "Tienda B" not in page_a
    assert "Tienda B" in page_b and "Sandbox Store" not in page_b
    by_token = requests.get(live_app.url + "/", params={"t": token_b}, timeout=5).text
    assert "Tienda B" in by_token and "Sandbox Store" not in by_token
    assert token_a != token_b


def test_store_name_with_markup_is_escaped(app, live_app, sandbox, browser, popup):
    hostile = '<script>alert("x")</script>'
    requests.post(sandbox.url + "/_sandbox/stores", json={"code": "hostile", "name": hostile},
                  timeout=5).raise_for_status()
    support.sandbox_login(popup, sandbox, "hostile")
    connected(browser, popup, live_app)
    page = browser.get(live_app.url + "/", timeout=5).text
    assert hostile not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_html_responses_carry_the_security_headers(app, live_app, sandbox, browser):
    response = browser.get(live_app.url + "/", timeout=5)
    policy = response.headers["Content-Security-Policy"]
    # Exactly the admin's origin (and the local sandbox admin): no wildcard that would let any store's own
    # pages frame a merchant's session.
    assert f"frame-ancestors 'self' https://jumpseller.com {sandbox.url};" in policy and "*" not in policy
    assert "default-src 'self'" in policy and "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    error = browser.get(live_app.url + "/nope", timeout=5)
    assert error.status_code == 404 and "frame-ancestors" in error.headers["Content-Security-Policy"]
