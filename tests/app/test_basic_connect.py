"""Connecting a store with Basic auth (login + authtoken): form and CLI, verified against the live sandbox."""


import requests
from sqlalchemy import func, select

from jumpseller_app.extensions import db
from jumpseller_app.models import Credential, Store
from jumpseller_app.services.clients import client_for

from ..support.flows import post_form, sandbox_credentials


def count_rows(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Store.id))), db.session.scalar(select(func.count(Credential.id)))


def test_good_credentials_connect_the_store(app, live_app, sandbox, browser):
    login, authtoken = sandbox_credentials(sandbox)
    response = post_form(browser, live_app, login=login, authtoken=authtoken)
    assert response.status_code == 200 and "Sandbox Store" in response.text
    with app.app_context():
        store = db.session.scalar(select(Store))
        assert (store.code, store.auth_mode) == ("sandbox", "basic")
        cred = store.credential
        assert cred.access_token_enc is None and cred.refresh_token_enc is None
        assert authtoken not in cred.authtoken_enc and login not in cred.login_enc
        assert client_for(store).products.count() == 25


def test_wrong_credentials_give_a_clear_error_and_store_nothing(app, live_app, sandbox, browser):
    login, _ = sandbox_credentials(sandbox)
    response = post_form(browser, live_app, login=login, authtoken="0" * 32)
    assert response.status_code == 400
    assert "refused this login and authtoken" in response.text
    assert "0" * 32 not in response.text                      # the secret is not echoed back
    assert count_rows(app) == (0, 0)


def test_basic_and_oauth_together_are_mutually_exclusive(app, live_app, sandbox, browser):
    login, authtoken = sandbox_credentials(sandbox)
    response = post_form(browser, live_app, login=login, authtoken=authtoken, refresh_token="some-refresh-token")
    assert response.status_code == 400 and "mutually exclusive" in response.text
    assert count_rows(app) == (0, 0)
    assert requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()["api_requests"].get("sandbox", 0) == 0


def test_post_without_csrf_token_is_refused(app, live_app, sandbox, browser):
    login, authtoken = sandbox_credentials(sandbox)
    response = browser.post(live_app.url + "/connect/basic", data={"login": login, "authtoken": authtoken},
                            timeout=5)
    assert response.status_code == 400
    assert count_rows(app) == (0, 0)


def test_oversized_body_is_refused(app, live_app, browser):
    response = browser.post(live_app.url + "/connect/basic", data={"login": "x" * (2 * 1024 * 1024)}, timeout=10)
    assert response.status_code == 413
    assert count_rows(app) == (0, 0)


def test_cli_connects_and_reports_wrong_credentials(app, runner, sandbox):
    login, authtoken = sandbox_credentials(sandbox)
    wrong = runner.invoke(args=["connect-basic", "--login", login, "--authtoken", "f" * 32])
    assert wrong.exit_code != 0 and "refused" in wrong.output
    assert count_rows(app) == (0, 0)
    good = runner.invoke(args=["connect-basic", "--login", login, "--authtoken", authtoken])
    assert good.exit_code == 0, good.output
    assert "Connected store sandbox" in good.output and authtoken not in good.output
    assert count_rows(app) == (1, 1)


def test_switching_from_oauth_to_basic_replaces_the_tokens(app, live_app, sandbox, browser):
    from ..support.flows import install
    install(browser, live_app)
    login, authtoken = sandbox_credentials(sandbox)
    post_form(browser, live_app, login=login, authtoken=authtoken)
    with app.app_context():
        store = db.session.scalar(select(Store))
        assert store.auth_mode == "basic"
        assert store.credential.access_token_enc is None and store.credential.refresh_token_enc is None
