"""Helpers for the iframe tests: the handoff over plain HTTP, as the admin iframe's script performs it."""

import hashlib
import html
import re
import secrets

import requests

from .flows import submit_consent

IFRAME_SCOPES = "read_store read_products write_products read_orders read_customers"


def iframe_config(app_config, sandbox):
    """The app's config with the sandbox admin allowed to frame it and the dashboard's scopes."""
    return {**app_config, "SANDBOX_ADMIN_ORIGINS": sandbox.url, "JUMPSELLER_SCOPES": IFRAME_SCOPES}


def page_secrets(page_text):
    """The CSRF token and session token a Connect page hands its script."""
    csrf = re.search(r'data-csrf="([^"]+)"', page_text).group(1)
    token = re.search(r'data-token="([^"]+)"', page_text).group(1)
    return html.unescape(csrf), html.unescape(token)


def new_secret():
    """A secret and its sha256, as the iframe's script makes them."""
    secret = secrets.token_hex(32)
    return secret, hashlib.sha256(secret.encode()).hexdigest()


def run_popup(popup, live_app, handoff_hash, *, decision="approve"):
    """The popup's journey: install with the handoff hash, consent, callback; returns the final page."""
    start = popup.get(live_app.url + "/oauth/install", params={"handoff": handoff_hash}, allow_redirects=False,
                      timeout=10)
    assert start.status_code == 302, start.text
    answer = popup.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = submit_consent(popup, answer, decision) if answer.status_code == 200 else answer.headers["Location"]
    return popup.get(callback, timeout=10)


def claim(iframe, live_app, secret, page_text):
    """POST /session/claim as the Connect page's script does."""
    csrf, token = page_secrets(page_text)
    return iframe.post(live_app.url + "/session/claim", json={"secret": secret}, timeout=10,
                       headers={"X-CSRFToken": csrf, "X-Session-Token": token})


def connect_iframe(iframe, popup, live_app):
    """Connect from a Connect page and redeem the handoff; returns the claim response."""
    connect_page = iframe.get(live_app.url + "/", timeout=10)
    secret, handoff_hash = new_secret()
    done = run_popup(popup, live_app, handoff_hash)
    assert done.status_code == 200 and "you can close this window" in done.text, done.text[-2000:]
    return claim(iframe, live_app, secret, connect_page.text)


def sandbox_login(session, sandbox, store_code):
    """Log a browser into a sandbox store (the consent page then grants that store)."""
    session.get(sandbox.url + "/_sandbox/login", params={"store": store_code}, timeout=5).raise_for_status()


def api_requests(sandbox, store_code="sandbox"):
    """How many API calls the sandbox served for a store."""
    return requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()["api_requests"].get(store_code, 0)
