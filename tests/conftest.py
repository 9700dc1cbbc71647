"""Fixtures: a live sandbox (real HTTP), the app on a temporary SQLite file, and a live app server."""


import pytest
import requests
from flask_migrate import upgrade

from jumpseller_app import create_app
from jumpseller_app.crypto import generate_key
from sandbox.server import SandboxServer

from .support.http import LiveServer, browser_session
from .support.servers import PostgresServer, RedisServer

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


@pytest.fixture
def owner(srv):
    """The Basic credentials (login, authtoken) of the default store of the module's own sandbox `srv`."""
    store = srv.state.default_store
    return store.login, store.authtoken
