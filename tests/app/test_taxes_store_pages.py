"""The Taxes and Store pages over real HTTP against the sandbox: tax classes list and info, store info and
locations (cart.info). They read what a refresh job stored (MirrorDocument); the Refresh button queues it (run
inline in tests). The sandbox's own API (Basic auth) is the witness of what Jumpseller holds.
"""

import re

import pytest
from sqlalchemy import func, select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.models import MirrorDocument

from ..support.database import dump_database
from ..support.flows import csrf_token, install
from ..support.iframe import api_requests


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def documents_of(app, kind):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MirrorDocument).where(MirrorDocument.kind == kind))


def refresh(browser, live_app, page_path, action_path):
    token = csrf_token(browser.get(live_app.url + page_path, timeout=10).text)
    return browser.post(live_app.url + action_path, data={"csrf_token": token}, timeout=30)


def test_taxes_are_listed_after_a_refresh_and_the_pages_call_nothing(app, live_app, sandbox, browser, signed_in,
                                                                     api):
    remote = api.taxes.list(limit=200)
    assert remote, "the sandbox seeds taxes"
    before = api_requests(sandbox)
    empty = browser.get(live_app.url + "/taxes", timeout=10).text
    assert 'data-testid="taxes-empty"' in empty and "Not fetched from Jumpseller yet." in empty
    assert 'data-testid="nav-taxes"' in empty
    assert api_requests(sandbox) == before                       # reading the page asks Jumpseller nothing

    page = refresh(browser, live_app, "/taxes", "/taxes/refresh")
    assert page.status_code == 200 and page.url.endswith("/taxes")
    shown = [int(i) for i in re.findall(r'data-testid="tax-(\d+)"', page.text)]
    assert shown == sorted(t["id"] for t in remote)
    assert "Fetched from Jumpseller at" in page.text
    assert documents_of(app, "taxes") == len(remote)

    tax = remote[0]
    before = api_requests(sandbox)
    info = browser.get(live_app.url + f"/taxes/{tax['id']}", timeout=10)
    assert info.status_code == 200 and f'data-testid="tax-title">{tax["name"]}<' in info.text
    assert api_requests(sandbox) == before
    assert browser.get(live_app.url + "/taxes/999999999", timeout=10).status_code == 404


def test_a_tax_gone_at_jumpseller_leaves_the_list_at_the_next_refresh(app, live_app, browser, signed_in, api):
    refresh(browser, live_app, "/taxes", "/taxes/refresh")
    created = api.taxes.create({"name": "Eco levy", "country": "CL", "tax": 3})
    page = refresh(browser, live_app, "/taxes", "/taxes/refresh").text
    assert f'data-testid="tax-{created["id"]}"' in page and "Eco levy" in page
    with app.app_context():                 # as if Jumpseller had dropped it: the next answer lacks it
        row = db.session.scalar(select(MirrorDocument).where(MirrorDocument.kind == "taxes",
                                                             MirrorDocument.remote_id == str(created["id"])))
        row.remote_id = "999999998"
        db.session.commit()
    page = refresh(browser, live_app, "/taxes", "/taxes/refresh").text
    assert 'data-testid="tax-999999998"' not in page
    assert browser.get(live_app.url + "/taxes/999999998", timeout=10).status_code == 404


def test_store_information_and_locations(app, live_app, sandbox, browser, signed_in, api):
    page = browser.get(live_app.url + "/store", timeout=10).text
    assert 'data-testid="store-info-empty"' in page and 'data-testid="nav-store"' in page
    info = api.store.info()
    after = refresh(browser, live_app, "/store", "/store/refresh/store_info").text
    assert re.search(r'data-testid="fact-code">' + re.escape(info["code"]) + "<", after)
    assert re.search(r'data-testid="fact-currency">' + re.escape(info["currency"]) + "<", after)
    # The store's hooks_token (the webhooks' signing secret) is neither stored in clear nor shown.
    assert info.get("hooks_token") and info["hooks_token"] not in after and "hooks_token" not in after.lower()
    assert info["hooks_token"] not in dump_database(app)
    locations = api.locations.list(limit=200)
    assert locations, "the sandbox seeds locations"
    after = refresh(browser, live_app, "/store", "/store/refresh/locations").text
    assert {int(i) for i in re.findall(r'data-testid="location-(\d+)"', after)} == {loc["id"] for loc in locations}
    assert documents_of(app, "store_info") == 1 and documents_of(app, "locations") == len(locations)
    # Only the two kinds of the page may be refreshed from it.
    token = csrf_token(after)
    assert browser.post(live_app.url + "/store/refresh/customers", data={"csrf_token": token},
                        timeout=10).status_code == 404


def test_a_refresh_without_csrf_or_its_scopes_stores_nothing(app, live_app, browser, api):
    app.config["JUMPSELLER_SCOPES"] = "read_store read_products"
    install(browser, live_app)
    page = browser.get(live_app.url + "/taxes", timeout=10).text
    assert 'data-testid="permission-taxes"' in page and "read taxes" in page
    assert browser.post(live_app.url + "/taxes/refresh", timeout=10).status_code == 400
    refused = refresh(browser, live_app, "/taxes", "/taxes/refresh")
    assert refused.status_code == 200 and 'data-testid="taxes-empty"' in refused.text
    assert 'data-testid="refresh-failed"' in refused.text and "Not fetched from Jumpseller yet." in refused.text
    assert documents_of(app, "taxes") == 0 and documents_of(app, "fetched:taxes") == 0
