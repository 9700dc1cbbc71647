"""Hooks registered on install, re-checked periodically, re-created when gone: app (live) ↔ sandbox (live)."""

import time

import pytest
import requests
from sqlalchemy import select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.jobs import tasks
from jumpseller_app.jumpseller import scopes
from jumpseller_app.models import WebhookEvent, WebhookStatus
from jumpseller_app.services import hooks

from ..support.flows import install, sandbox_credentials


@pytest.fixture
def app_config(app_config):
    """The app asks for its default scopes, write_hooks among them."""
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def sandbox_hooks(sandbox):
    """The default store's hooks as the sandbox holds them."""
    return requests.get(sandbox.url + "/_sandbox/hooks", timeout=5).json()["hooks"]


def hook_requests(sandbox):
    """The store's /v1 requests that touched /hooks."""
    log = requests.get(sandbox.url + "/_sandbox/requests", timeout=5).json()["requests"]
    return [entry for entry in log if "/hooks" in entry["path"]]


def receiver(live_app):
    return live_app.url + "/webhooks/jumpseller"


def ours(sandbox, live_app):
    """The (event, url) pairs of the hooks pointing at the live app's receiver, one entry per hook."""
    return sorted(hook["event"] for hook in sandbox_hooks(sandbox) if hook["url"] == receiver(live_app))


def test_install_registers_one_hook_per_event_and_a_second_install_adds_none(app, live_app, sandbox, browser):
    login, authtoken = sandbox_credentials(sandbox)
    other = requests.post(sandbox.url + "/v1/hooks.json", auth=(login, authtoken), timeout=5,
                          json={"hook": {"event": "order_paid", "url": "https://elsewhere.example/hook"}})
    assert other.status_code in (200, 201), other.text

    install(browser, live_app)
    assert ours(sandbox, live_app) == sorted(scopes.WEBHOOK_EVENTS)
    listed = requests.get(sandbox.url + "/v1/hooks.json", auth=(login, authtoken), params={"limit": 100},
                          timeout=5).json()
    assert len(listed) == len(scopes.WEBHOOK_EVENTS) + 1            # the other url's hook is still there
    before = {hook["id"] for hook in sandbox_hooks(sandbox)}

    install(browser, live_app)                                       # reinstall: checked again, nothing new
    with app.app_context():
        assert hooks.ensure_hooks("sandbox").created == []
    assert {hook["id"] for hook in sandbox_hooks(sandbox)} == before
    assert ours(sandbox, live_app) == sorted(scopes.WEBHOOK_EVENTS)


def test_the_periodic_check_recreates_only_a_deleted_hook(app, live_app, sandbox, browser):
    install(browser, live_app)
    login, authtoken = sandbox_credentials(sandbox)
    gone = next(hook for hook in sandbox_hooks(sandbox) if hook["event"] == "product_updated")
    deleted = requests.delete(f"{sandbox.url}/v1/hooks/{gone['id']}.json", auth=(login, authtoken), timeout=5)
    assert deleted.status_code == 200, deleted.text
    kept = {hook["id"] for hook in sandbox_hooks(sandbox)}
    assert "product_updated" not in ours(sandbox, live_app)

    with app.app_context():
        tasks.check_hooks()

    after = sandbox_hooks(sandbox)
    new = [hook for hook in after if hook["id"] not in kept]
    assert [(hook["event"], hook["url"]) for hook in new] == [("product_updated", receiver(live_app))]
    assert {hook["id"] for hook in after} >= kept
    assert ours(sandbox, live_app) == sorted(scopes.WEBHOOK_EVENTS)


def test_without_app_url_or_a_connected_store_nothing_is_registered(app, live_app, sandbox, browser):
    with app.app_context():
        assert hooks.ensure_hooks("sandbox").skipped == "store not connected"
    app.config["APP_URL"] = ""                  # install still works (the host of the request is used)...
    install(browser, live_app)
    with app.app_context():
        assert hooks.receiver_url() is None
        assert hooks.ensure_hooks("sandbox").skipped == "APP_URL is not set"
    assert hook_requests(sandbox) == [] and sandbox_hooks(sandbox) == []   # ...but no hook points nowhere


def test_a_product_change_is_delivered_to_the_receiver_and_lands_in_the_inbox(app, live_app, sandbox, browser):
    install(browser, live_app)
    login, authtoken = sandbox_credentials(sandbox)
    product = requests.get(sandbox.url + "/v1/products.json", auth=(login, authtoken), params={"limit": 1},
                           timeout=5).json()[0]["product"]
    changed = requests.put(f"{sandbox.url}/v1/products/{product['id']}.json", auth=(login, authtoken), timeout=5,
                           json={"product": {"name": "Renamed by the hooks test"}})
    assert changed.status_code == 200, changed.text

    rows = []
    for _ in range(200):                       # the sandbox delivers from a background thread: bounded wait
        with app.app_context():
            rows = db.session.scalars(select(WebhookEvent).where(WebhookEvent.event == "product_updated")).all()
            db.session.remove()
        if rows:
            break
        time.sleep(0.05)
    assert len(rows) == 1, requests.get(sandbox.url + "/_sandbox/hooks/deliveries", timeout=5).text
    assert rows[0].status == WebhookStatus.PENDING and b"Renamed by the hooks test" in rows[0].body


class TestWithoutWriteHooks:
    @pytest.fixture
    def app_config(self, app_config):
        """The merchant grants the dashboard's scopes, not the hooks'."""
        return {**app_config, "JUMPSELLER_SCOPES": "read_store read_products read_orders read_customers"}

    def test_no_hooks_call_and_the_panel_asks_for_the_hooks_scopes(self, app, live_app, sandbox, browser):
        install(browser, live_app)
        assert hook_requests(sandbox) == []
        assert sandbox_hooks(sandbox) == []
        with app.app_context():
            outcome = hooks.ensure_hooks("sandbox")
            tasks.check_hooks()
        assert outcome.skipped == "missing scopes: read_hooks write_hooks" and outcome.created == []
        assert hook_requests(sandbox) == []

        page = browser.get(live_app.url + "/", timeout=10)
        assert page.status_code == 200
        assert "read_hooks" in page.text and "write_hooks" in page.text
