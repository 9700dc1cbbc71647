"""Who may use the Basic-auth form: BASIC_CONNECT, no anonymous downgrade of an OAuth install, revocation of the
tokens it replaces, and a per-IP throttle on the outbound verification."""

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import select

from jumpseller_app import create_app
from jumpseller_app.config import check_required, load_config
from jumpseller_app.crypto import generate_key
from jumpseller_app.extensions import db
from jumpseller_app.models import Store
from jumpseller_app.services.credentials import unseal

from ..support.flows import csrf_token, install, post_form, sandbox_credentials
from ..support.http import browser_session


def api_requests(sandbox, code="sandbox"):
    return requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()["api_requests"].get(code, 0)


def oauth_state(app):
    """The store's auth mode, session epoch and sealed tokens: what a refused switch must leave alone."""
    with app.app_context():
        store = db.session.scalar(select(Store))
        cred = store.credential
        return (store.auth_mode, store.session_epoch, cred.access_token_enc, cred.refresh_token_enc, cred.login_enc,
                cred.version)


def plain_tokens(app):
    with app.app_context():
        store = db.session.scalar(select(Store))
        cred = store.credential
        return (unseal(cred.access_token_enc, store.code, "access_token"),
                unseal(cred.refresh_token_enc, store.code, "refresh_token"))


def bearer_works(sandbox, access_token):
    return requests.get(sandbox.url + "/v1/store/info.json", headers={"Authorization": f"Bearer {access_token}"},
                        timeout=5).status_code == 200


def test_an_anonymous_form_cannot_replace_an_oauth_install(app, live_app, sandbox, browser):
    install(browser, live_app)
    before = oauth_state(app)
    access, _ = plain_tokens(app)
    login, authtoken = sandbox_credentials(sandbox)

    stranger = browser_session()
    refused = post_form(stranger, live_app, login=login, authtoken=authtoken)
    assert refused.status_code == 403 and "already connected" in refused.text
    assert authtoken not in refused.text
    assert oauth_state(app) == before                          # still OAuth, same tokens, same sessions
    assert bearer_works(sandbox, access)                       # and Jumpseller was not told to drop them
    assert "Sandbox Store" in browser.get(live_app.url + "/", timeout=5).text
    assert "Connect your Jumpseller store" in stranger.get(live_app.url + "/", timeout=5).text


def test_the_signed_in_owner_switches_and_the_old_tokens_are_revoked(app, live_app, sandbox, browser):
    install(browser, live_app)
    access, refresh = plain_tokens(app)
    assert bearer_works(sandbox, access)
    login, authtoken = sandbox_credentials(sandbox)
    switched = post_form(browser, live_app, login=login, authtoken=authtoken)
    assert switched.status_code == 200 and "Sandbox Store" in switched.text
    with app.app_context():
        store = db.session.scalar(select(Store))
        assert store.auth_mode == "basic" and store.credential.access_token_enc is None
    assert not bearer_works(sandbox, access)
    reuse = requests.post(sandbox.url + "/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh, "client_id": app.config["JUMPSELLER_CLIENT_ID"],
        "client_secret": app.config["JUMPSELLER_CLIENT_SECRET"]}, timeout=5)
    assert reuse.status_code in (400, 401) and reuse.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("mode", ["off", "owner"])
def test_the_form_is_closed_to_strangers_unless_open(app_config, mode, sandbox):
    application = create_app({**app_config, "BASIC_CONNECT": mode})
    with application.app_context():
        upgrade()
    client = application.test_client()
    assert client.get("/connect/basic").status_code == 404
    assert client.post("/connect/basic", data={"login": "x" * 10}).status_code in (400, 404)
    assert 'data-testid="connect-basic"' not in client.get("/").text
    assert api_requests(sandbox) == 0
    # The operator's command keeps working whatever the form's setting.
    login, authtoken = sandbox_credentials(sandbox)
    result = application.test_cli_runner().invoke(args=["connect-basic", "--login", login, "--authtoken", authtoken])
    assert result.exit_code == 0, result.output
    with application.app_context():
        db.engine.dispose()


def test_the_form_is_offered_in_development_and_testing_only_by_default():
    for env, expected in (("development", "open"), ("testing", "open")):
        config = load_config({"APP_ENV": env})
        check_required(config)
        assert config["BASIC_CONNECT"] == expected
    production = load_config({"APP_ENV": "production"})
    assert production["BASIC_CONNECT"] in ("", "off")
    production.update(SECRET_KEY="s", APP_URL="https://app.example", JUMPSELLER_CLIENT_ID="i",
                      JUMPSELLER_CLIENT_SECRET="c", TOKEN_ENCRYPTION_KEYS=generate_key())
    check_required(production)
    assert production["BASIC_CONNECT"] == "off"


def test_posts_are_throttled_per_client_ip(app, live_app, sandbox, browser):
    app.config["BASIC_CONNECT_RATE_LIMIT"] = "2 per minute"
    login, _ = sandbox_credentials(sandbox)
    page = browser.get(live_app.url + "/connect/basic", timeout=5)
    token = csrf_token(page.text)
    answers = [browser.post(live_app.url + "/connect/basic",
                            data={"csrf_token": token, "login": login, "authtoken": "0" * 32}, timeout=10).status_code
               for _ in range(2)]
    assert answers == [400, 400]
    spent = api_requests(sandbox)
    throttled = browser.post(live_app.url + "/connect/basic",
                             data={"csrf_token": token, "login": login, "authtoken": "1" * 32}, timeout=10)
    assert throttled.status_code == 429
    assert api_requests(sandbox) == spent                      # no outbound call for the throttled post
    # The form itself still shows (only posts count).
    assert browser.get(live_app.url + "/connect/basic", timeout=5).status_code == 200
