"""One client factory: every client has the store's shared rate budget and works outside any request."""

import sqlite3

import pytest
from flask import has_request_context
from sqlalchemy import select

from jumpseller_app.extensions import db
from jumpseller_app.models import Store, StoreSnapshot
from jumpseller_app.services import clients

from ..support.flows import install, sandbox_credentials, stats


def budget_keys(app):
    """The rate-budget keys that recorded a call, read straight from the budget's SQLite file."""
    with sqlite3.connect(app.config["RATE_LIMIT_DB"]) as conn:
        return {row[0] for row in conn.execute("SELECT DISTINCT store FROM rl_sends")}


def test_a_client_from_a_plain_app_context_uses_the_stores_budget(app, live_app, browser, sandbox):
    install(browser, live_app)
    with app.app_context():
        assert not has_request_context()
        api = clients.client_for_code("sandbox")
        assert api.budget is not None and api.budget.store_key == "sandbox"
        assert api.timeout == app.config["HTTP_TIMEOUT"]
        assert api.products.count() == 25
        with pytest.raises(clients.UnknownStore):
            clients.client_for_code("no-such-store")
    assert "sandbox" in budget_keys(app)


def test_the_install_identifies_the_store_on_a_provisional_budget(app, live_app, browser):
    install(browser, live_app)
    keys = budget_keys(app)
    # /store/info.json before the code is known: a budget keyed by the pending install, then the store's own.
    assert any(key.startswith("install:") for key in keys) and "sandbox" in keys
    assert not any("sandbox" in key and key != "sandbox" for key in keys)


def test_basic_connect_verifies_on_a_budget_keyed_by_the_login(app, runner, sandbox):
    login, authtoken = sandbox_credentials(sandbox)
    result = runner.invoke(args=["connect-basic", "--login", login, "--authtoken", authtoken])
    assert result.exit_code == 0, result.output
    keys = budget_keys(app)
    assert any(key.startswith("basic:") for key in keys) and "sandbox" in keys
    assert not any(login in key or authtoken in key for key in keys)    # no secret in a budget key


def test_the_cli_recomputes_a_dashboard_from_the_mirror_without_a_call(app, live_app, browser, sandbox, runner):
    install(browser, live_app)
    with app.app_context():
        store = db.session.scalar(select(Store))
        db.session.delete(store.snapshot)
        db.session.commit()
    before = stats(sandbox)["api_requests"]["sandbox"]
    result = runner.invoke(args=["refresh-snapshot", "sandbox"])
    assert result.exit_code == 0 and "Refreshed the dashboard of sandbox" in result.output, result.output
    assert stats(sandbox)["api_requests"]["sandbox"] == before      # figures come from the mirror the sync filled
    with app.app_context():
        snapshot = db.session.scalar(select(StoreSnapshot))
        assert snapshot.products_count == 25 and snapshot.fetched_at is not None and snapshot.last_error is None
    unknown = runner.invoke(args=["refresh-snapshot", "no-such-store"])
    assert unknown.exit_code != 0 and "not connected" in unknown.output
