"""Each install belongs to the browser that started it: a link made by someone else installs, binds and signs in nothing.

The attack these tests replay: with Doorkeeper-style auto-approval, a merchant who opens an authorize URL made by
an attacker completes the install silently. If the attacker's handoff hash or the attacker's callback could then
be bound, the attacker claims the merchant's session (takeover), or the merchant lands in the attacker's store
(login CSRF).
"""

import requests
from sqlalchemy import select

from jumpseller_app.extensions import db
from jumpseller_app.models import Credential, OAuthState, Store

from ..support import iframe as support
from ..support.flows import authorize, install, only_store, query
from ..support.http import browser_session


def code_grants(sandbox):
    return requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()["token_requests"].get(
        "authorization_code", 0)


def store_snapshot(app):
    """Everything of the stores an attacker must not change: tokens, their version, auth mode, session epoch."""
    with app.app_context():
        return [(s.code, s.auth_mode, s.status, s.session_epoch, s.credential.access_token_enc,
                 s.credential.refresh_token_enc, s.credential.version)
                for s in db.session.scalars(select(Store).order_by(Store.code))]


def test_a_mailed_authorize_link_gives_the_attacker_no_session(app, live_app, sandbox, browser):
    install(browser, live_app)                                  # the merchant's store, installed before
    before = store_snapshot(app)
    grants = code_grants(sandbox)

    attacker = browser_session()
    attacker_page = attacker.get(live_app.url + "/", timeout=5)
    secret, handoff_hash = support.new_secret()
    # Any HTTP client can claim to be the app's own page: the header proves nothing and must not matter.
    start = attacker.get(live_app.url + "/oauth/install", params={"handoff": handoff_hash},
                         headers={"Sec-Fetch-Site": "same-origin", "Referer": live_app.url + "/"},
                         allow_redirects=False, timeout=5)
    assert start.status_code == 302
    mailed_link = start.headers["Location"]

    # The merchant clicks it: Jumpseller approves silently (the app is installed) and sends the browser back.
    landing = browser.get(mailed_link, allow_redirects=True, timeout=10)
    assert landing.status_code == 400 and "another browser" in landing.text
    assert "you can close this window" not in landing.text

    claim = support.claim(attacker, live_app, secret, attacker_page.text)
    assert claim.status_code in (202, 410) and "token" not in claim.json()
    assert "Connect your Jumpseller store" in attacker.get(live_app.url + "/", timeout=5).text
    # Nothing was exchanged, stored, bound or rotated.
    assert code_grants(sandbox) == grants
    assert store_snapshot(app) == before
    with app.app_context():
        row = db.session.scalar(select(OAuthState).where(OAuthState.handoff_hash == handoff_hash))
        assert row.handoff_store_code is None and row.used_at is None
    # The merchant's own session is still theirs.
    assert "Sandbox Store" in browser.get(live_app.url + "/", timeout=5).text


def test_a_callback_for_another_store_does_not_switch_the_session(app, live_app, sandbox, browser):
    """Login CSRF: the attacker's callback (for store B) opened in the merchant's browser (signed in as store A)."""
    install(browser, live_app)
    requests.post(sandbox.url + "/_sandbox/stores", json={"code": "tienda-b", "name": "Tienda B"},
                  timeout=5).raise_for_status()
    attacker = browser_session()
    support.sandbox_login(attacker, sandbox, "tienda-b")
    callback = authorize(attacker, live_app)                    # approved for store B, but not followed
    assert query(callback).get("code")
    before = store_snapshot(app)
    grants = code_grants(sandbox)

    answer = browser.get(callback, timeout=10)
    assert answer.status_code == 400
    page = browser.get(live_app.url + "/", timeout=5).text
    assert "Sandbox Store" in page and "Tienda B" not in page
    assert code_grants(sandbox) == grants
    assert store_snapshot(app) == before                        # no store B row, store A untouched
    # The state was not burned by the wrong browser: the attacker's own browser could still finish it.
    assert attacker.get(callback, timeout=10).status_code == 200


def test_callback_without_the_install_cookie_is_refused(app, live_app, sandbox, browser):
    callback = authorize(browser, live_app)
    for cookie in list(browser.cookies):
        if cookie.name == "js_app_install":
            browser.cookies.clear(cookie.domain, cookie.path, cookie.name)
    assert browser.get(callback, timeout=10).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Store)) is None and db.session.scalar(select(Credential)) is None


def test_the_install_cookie_is_first_party_lax_and_scoped(app, live_app, browser):
    start = browser.get(live_app.url + "/oauth/install", allow_redirects=False, timeout=5)
    cookie = start.headers["Set-Cookie"]
    assert cookie.startswith("js_app_install=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/oauth"):
        assert flag in cookie, cookie
    assert "Partitioned" not in cookie
    with app.app_context():
        row = db.session.scalar(select(OAuthState))
        nonce = cookie.split(";")[0].split("=", 1)[1]
        assert row.browser_hash and nonce not in row.browser_hash    # only its hash is kept


def test_two_installs_started_in_one_browser_both_complete(app, live_app, sandbox, browser):
    first = authorize(browser, live_app)
    second = authorize(browser, live_app)
    assert browser.get(first, timeout=10).status_code == 200
    assert browser.get(second, timeout=10).status_code == 200
    assert only_store(app).code == "sandbox"
