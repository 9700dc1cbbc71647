"""The install against Doorkeeper's answers as Jumpseller sends them: lower-case "bearer", `scope` left out."""

import pytest
import requests
from sqlalchemy import select

from jumpseller_app.extensions import db
from jumpseller_app.models import Credential, Store
from jumpseller_app.services.clients import client_for

from ..support.flows import install, only_store


@pytest.fixture
def sandbox_options():
    """Token responses without `scope` (the token type is always lower case)."""
    return {"rate_limit": "off", "token_scope": "omit"}


def test_install_records_the_scopes_it_asked_for_when_the_token_omits_them(app, live_app, sandbox, browser):
    assert requests.get(sandbox.url + "/_sandbox/config", timeout=5).json()["token_scope"] == "omit"
    page = install(browser, live_app)
    assert page.status_code == 200, page.text[-3000:]
    store = only_store(app)
    assert (store.code, store.auth_mode, store.status) == ("sandbox", "oauth", "active")
    assert set(store.scopes.split()) == set(app.config["JUMPSELLER_SCOPES"].split())
    with app.app_context():
        assert db.session.scalar(select(Credential)) is not None
        api = client_for(db.session.get(Store, store.id))
        assert api.store.info()["code"] == "sandbox"
    stats = requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()
    assert stats["token_requests"] == {"authorization_code": 1}
