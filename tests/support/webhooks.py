"""Hook deliveries as Jumpseller sends them: the store's hooks_token, the HMAC signature, the signed POST.

Registered as a pytest plugin by tests/conftest.py for its `installed` fixture (modules may override it).
"""

import base64
import hashlib
import hmac

import pytest
import requests

from .flows import install

# An order hook body as Jumpseller might send it: its own spacing and key order, which a JSON round trip does not
# keep (so a receiver that re-encodes before checking the signature fails).
BODY = b'{"order":{"id":1001,"status":"Paid","total":"182000.0","customer":{"email":"ana@example.com"}}}'


def hooks_token(sandbox, code="sandbox"):
    """The store's real hooks_token, as the sandbox hands it out in /store/info.json."""
    for entry in requests.get(sandbox.url + "/_sandbox/stores", timeout=5).json()["stores"]:
        if entry["store"]["code"] == code:
            return entry["store"]["hooks_token"]
    raise AssertionError(f"no sandbox store {code}")


def sign(body, token):
    """Jumpseller-Hmac-Sha256 of `body` under `token`: base64 of the HMAC-SHA256."""
    return base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest()).decode()


def deliver(live_app, body, *, code="sandbox", signature=None, event="order_paid",
            content_type="application/json", **headers):
    """POST a delivery the way Jumpseller does; `signature=None` leaves the header out."""
    sent = {"Jumpseller-Store-Code": code, "Jumpseller-Event": event,
            "Jumpseller-Triggered-At": "2025-01-01 10:18:51.829 UTC", "Content-Type": content_type, **headers}
    if signature is not None:
        sent["Jumpseller-Hmac-Sha256"] = signature
    return requests.post(live_app.url + "/webhooks/jumpseller", data=body, headers=sent, timeout=30)


@pytest.fixture
def installed(app, live_app, sandbox, browser):
    """The sandbox store installed through OAuth (its hooks pointing at the live app); returns its hooks_token."""
    install(browser, live_app)
    return hooks_token(sandbox)
