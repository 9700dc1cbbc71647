"""The OAuth2 install, end to end over real HTTP: app (live) ↔ sandbox (live)."""

from datetime import timedelta

import requests
from sqlalchemy import select, update

from jumpseller_app.extensions import db
from jumpseller_app.models import Credential, OAuthState, Store, utcnow
from jumpseller_app.services.clients import client_for

from ..support.http import browser_session
from ..support.flows import authorize, follow_to_consent, install, only_store, query, submit_consent


def stats(sandbox):
    return requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()


def code_grants(sandbox):
    return stats(sandbox)["token_requests"].get("authorization_code", 0)


def credential_snapshot(app):
    with app.app_context():
        return [(c.access_token_enc, c.refresh_token_enc, c.version) for c in db.session.scalars(select(Credential))]


def test_full_install_stores_encrypted_tokens_and_calls_the_api(app, live_app, sandbox, browser):
    consent = follow_to_consent(browser, live_app)
    assert "read_products" in consent.text and "write_products" in consent.text  # scopes listed
    authorize_query = query(consent.url) if "code_challenge" in consent.url else query(consent.history[-1].url)
    assert authorize_query["code_challenge_method"] == "S256" and authorize_query["state"]

    page = browser.get(submit_consent(browser, consent), timeout=10)
    assert page.status_code == 200, page.text[-3000:]
    assert "Sandbox Store" in page.text                      # the browser ends on a page naming the store

    store = only_store(app)
    assert (store.code, store.auth_mode, store.status) == ("sandbox", "oauth", "active")
    assert set(store.scopes.split()) == {"read_store", "read_products", "write_products"}
    with app.app_context():
        cred = db.session.scalar(select(Credential))
        assert cred.access_token_enc.startswith("v1$") and cred.refresh_token_enc.startswith("v1$")
        api = client_for(db.session.get(Store, store.id))
        assert api.products.count() == 25
        assert api.store.info()["code"] == "sandbox"


def test_state_missing_tampered_reused_or_expired_is_refused_without_calling_the_token_endpoint(
        app, live_app, sandbox, browser):
    install(browser, live_app)                                 # an existing store whose tokens must not move
    before = credential_snapshot(app)
    grants_before = code_grants(sandbox)

    callback = authorize(browser, live_app)
    params = query(callback)
    base = live_app.url + "/oauth/callback"

    missing = browser.get(base, params={"code": params["code"]}, timeout=5)
    tampered = browser.get(base, params={"code": params["code"], "state": params["state"][:-2] + "xy"}, timeout=5)
    assert missing.status_code == 400 and tampered.status_code == 400
    assert code_grants(sandbox) == grants_before
    assert credential_snapshot(app) == before

    # Expired: the same, still unused state, ten minutes later.
    with app.app_context():
        db.session.execute(update(OAuthState).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    expired = browser.get(callback, timeout=5)
    assert expired.status_code == 400 and "expired" in expired.text
    assert code_grants(sandbox) == grants_before
    assert credential_snapshot(app) == before


def test_state_is_single_use(app, live_app, sandbox, browser):
    callback = authorize(browser, live_app)
    assert browser.get(callback, timeout=10).status_code == 200
    before = credential_snapshot(app)
    grants = code_grants(sandbox)
    replay = browser.get(callback, timeout=10)
    assert replay.status_code == 400
    assert code_grants(sandbox) == grants
    assert credential_snapshot(app) == before


def test_access_denied_shows_a_friendly_page_and_stores_nothing(app, live_app, sandbox, browser):
    consent = follow_to_consent(browser, live_app)
    callback = submit_consent(browser, consent, decision="deny")
    assert query(callback)["error"] == "access_denied"
    page = browser.get(callback, timeout=5)
    assert page.status_code == 200 and "Install cancelled" in page.text
    with app.app_context():
        assert db.session.scalar(select(Store)) is None
        # The state of a denied authorization cannot be replayed with a code later.
        assert db.session.scalar(select(OAuthState)).used_at is not None


def test_unregistered_redirect_uri_is_refused_by_the_authorization_server(live_app, sandbox, browser):
    first = browser.get(live_app.url + "/oauth/install", allow_redirects=False, timeout=5)
    authorize = first.headers["Location"]
    evil = authorize.replace("redirect_uri=", "redirect_uri=https%3A%2F%2Fevil.example%2Fcb&x=")
    response = browser.get(evil, allow_redirects=False, timeout=5)
    assert response.status_code == 400 and "Location" not in response.headers


def test_next_parameter_cannot_redirect_off_site(app, live_app, browser):
    for hostile in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        page = install(browser, live_app, next_path=hostile)
        assert page.url == live_app.url + "/", hostile
    assert install(browser, live_app, next_path="/?tab=orders").url == live_app.url + "/?tab=orders"


def test_installing_again_updates_the_same_store(app, live_app, browser):
    install(browser, live_app)
    first = only_store(app)
    with app.app_context():
        version = db.session.scalar(select(Credential.version))
    install(browser, live_app)
    again = only_store(app)
    assert again.id == first.id
    with app.app_context():
        assert db.session.scalar(select(Credential.version)) > version


def test_two_stores_never_see_each_others_data(app, live_app, sandbox, browser):
    created = requests.post(sandbox.url + "/_sandbox/stores",
                            json={"code": "tienda-dos", "name": "Tienda Dos", "currency": "EUR", "seed_products": 3},
                            timeout=5)
    assert created.status_code in (200, 201), created.text
    page_a = install(browser, live_app)
    assert "Sandbox Store" in page_a.text

    other = browser_session()
    other.get(sandbox.url + "/_sandbox/login", params={"store": "tienda-dos"}, timeout=5)
    page_b = install(other, live_app)
    assert "Tienda Dos" in page_b.text and "Sandbox Store" not in page_b.text

    # Each browser still sees only its own store.
    again_a = browser.get(live_app.url + "/", timeout=5)
    assert "Sandbox Store" in again_a.text and "Tienda Dos" not in again_a.text
    with app.app_context():
        a = db.session.scalar(select(Store).where(Store.code == "sandbox"))
        b = db.session.scalar(select(Store).where(Store.code == "tienda-dos"))
        assert client_for(a).products.count() == 25
        assert client_for(b).products.count() == 3
        assert client_for(b).store.info()["name"] == "Tienda Dos"
