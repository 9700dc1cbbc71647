"""Flows shared by test modules: an install as a merchant does it, Basic credentials, plain API clients."""

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from jumpseller_app.jumpseller import JumpsellerClient
from jumpseller_app.jumpseller.auth import BasicAuth
from jumpseller_app.jumpseller.client import RetryPolicy
from jumpseller_app.jumpseller.ratelimit import SQLiteBackend, StoreBudget
from jumpseller_app.models import Store

FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05)


def follow_to_consent(browser, live_app, *, next_path=None):
    """Start an install and return the sandbox consent page response."""
    params = {"next": next_path} if next_path else None
    response = browser.get(live_app.url + "/oauth/install", params=params, allow_redirects=True, timeout=10)
    assert response.status_code == 200, response.text
    return response


def submit_consent(browser, consent, decision="approve"):
    """Press Approve or Deny on the sandbox consent page; returns the redirect to the app (not followed)."""
    form = re.search(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', consent.text, re.S)
    assert form, "consent page has no form"
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2)))
    buttons = re.findall(r'<button[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2))
    for name, value in buttons:
        if value == decision:
            fields[name] = value
    action = urljoin(consent.url, form.group(1).replace("&amp;", "&"))
    response = browser.post(action, data=fields, allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text
    return response.headers["Location"]


def authorize(browser, live_app, *, decision="approve", next_path=None):
    """Start an install and get Jumpseller's answer: the callback URL the browser is sent back to.

    The consent page is answered with `decision`; like Doorkeeper, the sandbox skips it when the store
    already granted these scopes to the app.
    """
    params = {"next": next_path} if next_path else None
    start = browser.get(live_app.url + "/oauth/install", params=params, allow_redirects=False, timeout=10)
    assert start.status_code == 302, start.text
    answer = browser.get(start.headers["Location"], allow_redirects=False, timeout=10)
    if answer.status_code == 200:
        return submit_consent(browser, answer, decision)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def install(browser, live_app, *, next_path=None):
    """Run the whole install as a merchant would; returns the final page."""
    return browser.get(authorize(browser, live_app, next_path=next_path), allow_redirects=True, timeout=10)


def query(url):
    """The query parameters of a URL as a flat dict."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def only_store(app):
    """The single store row."""
    from jumpseller_app.extensions import db
    with app.app_context():
        rows = db.session.query(Store).all()
        assert len(rows) == 1
        return rows[0]


def sandbox_credentials(sandbox, code="sandbox"):
    stores = requests.get(sandbox.url + "/_sandbox/stores", timeout=5).json()
    entries = stores["stores"] if isinstance(stores, dict) else stores
    for entry in entries:
        store = entry.get("store", entry)
        if store["code"] == code:
            return entry["login"], entry["authtoken"]
    raise AssertionError(f"no sandbox store {code}")


def csrf_token(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post_form(browser, live_app, **fields):
    page = browser.get(live_app.url + "/connect/basic", timeout=5)
    return browser.post(live_app.url + "/connect/basic", data={"csrf_token": csrf_token(page.text), **fields},
                        timeout=10)


def control(sandbox, path, **body):
    response = requests.post(f"{sandbox.url}/_sandbox/{path}", json=body, timeout=5)
    response.raise_for_status()
    return response.json()


def stats(sandbox):
    return requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()


def basic_client(sandbox, tmp_path, *, budget=True, code="sandbox"):
    """A client as a plain script would build it: Basic auth, the shared SQLite budget."""
    login, authtoken = sandbox_credentials(sandbox, code)
    session = requests.Session()
    session.auth = BasicAuth(login, authtoken)
    shared = StoreBudget(SQLiteBackend(tmp_path / "budget.sqlite3"), code) if budget else None
    return JumpsellerClient(session=session, base_url=sandbox.url + "/v1", budget=shared, retry=FAST_RETRY,
                            timeout=5)


def flood(sandbox, code, count):
    """Spend the store's budget from outside our client (another script on the same store)."""
    login, authtoken = sandbox_credentials(sandbox, code)
    with requests.Session() as session:
        session.auth = (login, authtoken)
        return [session.get(sandbox.url + "/v1/products/count.json", timeout=5).status_code for _ in range(count)]


def connect_basic(browser, live_app, sandbox, code="sandbox"):
    """Connect a sandbox store through the app's Basic form, as a merchant does; returns the dashboard page."""
    login, authtoken = sandbox_credentials(sandbox, code)
    response = post_form(browser, live_app, login=login, authtoken=authtoken)
    assert response.status_code == 200, response.text
    return response


def admin_action(sandbox, action, code="sandbox"):
    """Press an action button of the sandbox admin (e.g. "new-order"), as the merchant would by hand."""
    with requests.Session() as browser:
        browser.get(sandbox.url + "/_sandbox/login", params={"store": code}, timeout=5).raise_for_status()
        browser.post(f"{sandbox.url}/admin/actions/{action}", allow_redirects=False, timeout=5).raise_for_status()
