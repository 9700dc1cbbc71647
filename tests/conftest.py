"""Fixtures: a live sandbox (real HTTP), the app on a temporary SQLite file, and a live app server."""

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from flask_migrate import upgrade

from jumpseller_app import create_app
from jumpseller_app.crypto import generate_key
from jumpseller_app.models import Store
from sandbox.server import SandboxServer

from .helpers import LiveServer, browser_session
from .services import PostgresServer, RedisServer

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret-0123456789"


@pytest.fixture
def sandbox_options():
    """Options for the sandbox; tests override this fixture to change them."""
    return {"rate_limit": "off"}


@pytest.fixture
def sandbox(sandbox_options):
    """The Jumpseller sandbox, serving on a real port."""
    server = SandboxServer(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **sandbox_options).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the session; each test gets its own database."""
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    """One Redis server for the session."""
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def database_url(tmp_path):
    """The app's database: a SQLite file (modules override this to run on PostgreSQL too)."""
    return f"sqlite:///{tmp_path / 'app.sqlite3'}"


@pytest.fixture
def encryption_keys():
    """A fresh TOKEN_ENCRYPTION_KEYS value."""
    return generate_key()


@pytest.fixture
def app_config(tmp_path, sandbox, encryption_keys, database_url):
    """The app's configuration, wired to the sandbox, on its own SQLite file."""
    return {
        "APP_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "TOKEN_ENCRYPTION_KEYS": encryption_keys,
        "JUMPSELLER_CLIENT_ID": CLIENT_ID,
        "JUMPSELLER_CLIENT_SECRET": CLIENT_SECRET,
        "JUMPSELLER_ACCOUNTS_URL": sandbox.url,
        "JUMPSELLER_API_URL": sandbox.url + "/v1",
        "JUMPSELLER_SCOPES": "read_store read_products write_products",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATE_LIMIT_DB": str(tmp_path / "ratelimit.sqlite3"),
        "APP_URL": "",
    }


@pytest.fixture
def app(app_config):
    """The app with its schema migrated (the same migrations production runs)."""
    application = create_app(app_config)
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        from jumpseller_app.extensions import db
        db.engine.dispose()


@pytest.fixture
def client(app):
    """Flask's test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Flask's CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def live_app(app, sandbox):
    """The app on a real port; the sandbox accepts its callback URL as the registered Redirect URL."""
    server = LiveServer(app).start()
    app.config["APP_URL"] = server.url
    requests.post(sandbox.url + "/_sandbox/config",
                  json={"redirect_uris": [server.url + "/oauth/callback"]}, timeout=5).raise_for_status()
    yield server
    server.stop()


@pytest.fixture
def browser():
    """A cookie-keeping HTTP session that behaves like a browser on localhost."""
    with browser_session() as session:
        yield session


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


@pytest.fixture
def owner(srv):
    """The Basic credentials (login, authtoken) of the default store of the module's own sandbox `srv`."""
    store = srv.state.default_store
    return store.login, store.authtoken
