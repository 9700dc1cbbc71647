"""Sessions end: a store's session epoch (disconnect, reinstall, auth-mode change), an absolute lifetime, and
session tokens whose contents cannot be read."""

import base64
import re
import time

import pytest
import requests
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from jumpseller_app.extensions import db
from jumpseller_app.models import Store

from ..support import iframe as support
from ..support.flows import csrf_token, install, sandbox_credentials
from ..support.http import browser_session

CONNECT = "Connect your Jumpseller store"


@pytest.fixture
def app_config(app_config, sandbox):
    """Framing allowed for the sandbox admin; scopes for the dashboard."""
    return support.iframe_config(app_config, sandbox)


def iframe_token(live_app):
    """Connect an iframe (through its popup); returns the session token the claim handed it."""
    response = support.connect_iframe(browser_session(), browser_session(), live_app)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def opens_store(live_app, token=None, session=None):
    """Whether the page, with this token and/or this browser, shows the store rather than the Connect page."""
    page = (session or requests).get(live_app.url + "/", params={"t": token} if token else None, timeout=5).text
    assert ("Sandbox Store" in page) != (CONNECT in page)
    return "Sandbox Store" in page


def epoch(app):
    with app.app_context():
        return db.session.scalar(select(Store.session_epoch))


def test_disconnect_then_reinstall_does_not_revive_old_tokens(app, live_app, sandbox):
    frame, popup = browser_session(), browser_session()
    old_token = support.connect_iframe(frame, popup, live_app).json()["token"]
    assert opens_store(live_app, old_token)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                             frame.get(live_app.url + "/", timeout=5).text.split('data-testid="disconnect-form"')[1]
                             .split("</form>")[0]))
    frame.post(live_app.url + "/disconnect", data=fields, timeout=5)
    assert not opens_store(live_app, old_token)

    new_token = iframe_token(live_app)                         # the store is installed again
    assert opens_store(live_app, new_token)
    assert not opens_store(live_app, old_token)


def test_reinstall_ends_earlier_cookie_sessions_and_tokens(app, live_app, sandbox):
    token = iframe_token(live_app)
    assert opens_store(live_app, token)
    merchant = browser_session()
    install(merchant, live_app)                                 # installed again: a top-level session cookie
    assert not opens_store(live_app, token)
    assert opens_store(live_app, session=merchant)
    before = epoch(app)

    install(browser_session(), live_app)                        # and again, from another browser
    assert epoch(app) == before + 1
    stale = merchant.get(live_app.url + "/", timeout=5)
    assert CONNECT in stale.text
    # The dead session is replaced, not just ignored: the cookie the browser keeps names no store any more.
    assert "js_app_session=" in stale.headers.get("Set-Cookie", "")
    payload = merchant.cookies["js_app_session"].split(".")[0]
    assert b"store_code" not in base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))


def test_switching_to_basic_auth_ends_the_oauth_sessions(app, live_app, sandbox):
    # The install popup's window is signed in (top level) in the same epoch as the iframe's token.
    merchant = browser_session()
    token = support.connect_iframe(browser_session(), merchant, live_app).json()["token"]
    assert opens_store(live_app, token) and opens_store(live_app, session=merchant)
    login, authtoken = sandbox_credentials(sandbox)
    page = merchant.get(live_app.url + "/connect/basic", timeout=5)
    switched = merchant.post(live_app.url + "/connect/basic", data={"csrf_token": csrf_token(page.text),
                                                                     "login": login, "authtoken": authtoken},
                             timeout=10)
    assert switched.status_code == 200 and "Sandbox Store" in switched.text   # this browser signed in anew
    assert not opens_store(live_app, token)


def test_a_renewed_token_still_dies_at_the_absolute_lifetime(app, live_app, sandbox):
    # Sign-in times are whole seconds: lifetimes here leave a second or more of slack on a loaded machine.
    app.config["SESSION_MAX_AGE"] = 5
    token = iframe_token(live_app)
    signed_in = time.time()
    time.sleep(1.0)
    page = requests.get(live_app.url + "/", params={"t": token}, timeout=5).text
    renewed = re.search(r'name="t" value="([^"]+)"', page).group(1)
    assert renewed != token and opens_store(live_app, renewed)
    time.sleep(max(0.0, signed_in + 6.2 - time.time()))
    # Renewal did not extend it: past the lifetime after the sign-in, old and renewed tokens alike open nothing.
    assert not opens_store(live_app, renewed)
    assert not opens_store(live_app, token)


def test_cookie_sessions_have_the_same_absolute_lifetime(app, live_app, sandbox):
    app.config["SESSION_MAX_AGE"] = 4
    merchant = browser_session()
    install(merchant, live_app)
    signed_in = time.time()
    assert opens_store(live_app, session=merchant)
    time.sleep(max(0.0, signed_in + 5.2 - time.time()))
    assert not opens_store(live_app, session=merchant)


def test_the_token_reveals_neither_the_store_nor_the_csrf_seed(app, live_app, sandbox):
    token = iframe_token(live_app)
    # itsdangerous only signs: anyone can read a signed payload without the key. This token must not be one.
    try:
        readable = URLSafeSerializer("not-the-key").loads_unsafe(token)[1]
    except Exception:                                           # noqa: BLE001 - any failure means unreadable
        readable = None
    assert not isinstance(readable, dict)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for plain in (b"sandbox", b"store_code", b"csrf"):
        assert plain not in raw
    page = requests.get(live_app.url + "/", params={"t": token}, timeout=5).text
    seed_form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert seed_form_token.split(".")[0] not in token
