"""Fixtures: a live sandbox (real HTTP), the app on a temporary SQLite file, a live app server, PostgreSQL and
Redis; every server is started by one helper (support.servers.serve). Skips are summed up at the end of the run."""

import functools
import os
import re

import pytest
import requests
from flask_migrate import upgrade

from jumpseller_app import create_app
from jumpseller_app.crypto import generate_key
from sandbox.server import SandboxServer

from .support import system
from .support.http import browser_session
from .support.servers import LiveServer, PostgresServer, RedisServer, serve

# Fixtures shared by several modules that live beside their helpers: the real-worker harness, hook deliveries.
pytest_plugins = ("tests.support.worker", "tests.support.webhooks", "tests.support.browser", "tests.support.pages")

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret-0123456789"


@pytest.fixture
def sandbox_options():
    """Options for the sandbox; tests override this fixture to change them."""
    return {"rate_limit": "off"}


@pytest.fixture
def start_server(request):
    """Start a server (anything with start, stop and port) for this test; it is stopped at teardown."""
    return functools.partial(serve, request)


@pytest.fixture
def sandbox(start_server, sandbox_options):
    """The Jumpseller sandbox, serving on a real port."""
    return start_server(SandboxServer(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **sandbox_options))


@pytest.fixture(scope="session")
def postgres_server(request):
    """One PostgreSQL server for the session; each test gets its own database."""
    return serve(request, PostgresServer())


@pytest.fixture(scope="session")
def redis_server(request):
    """One Redis server for the session."""
    return serve(request, RedisServer())


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
        # Jobs run in-process as they are queued; tests/app/test_jobs.py runs a real worker instead.
        "JOBS_IMMEDIATE": True,
        "HUEY_DB": str(tmp_path / "jobs.sqlite3"),
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
def live_app(start_server, app, sandbox):
    """The app on a real port; the sandbox accepts its callback URL as the registered Redirect URL."""
    server = start_server(LiveServer(app))
    app.config["APP_URL"] = server.url
    requests.post(sandbox.url + "/_sandbox/config",
                  json={"redirect_uris": [server.url + "/oauth/callback"]}, timeout=5).raise_for_status()
    return server


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


@pytest.fixture
def artifacts(request, tmp_path):
    """A folder for this test's screenshots and the like: under $TEST_ARTIFACTS if set, else pytest's tmp_path."""
    root = os.environ.get("TEST_ARTIFACTS")
    if not root:
        return tmp_path
    folder = os.path.join(root, re.sub(r"[^\w.-]+", "_", request.node.nodeid))
    os.makedirs(folder, exist_ok=True)
    return folder


def pytest_runtest_setup(item):
    """Tests marked requires("chromium") etc. are skipped without that program (failed in strict mode)."""
    for marker in item.iter_markers("requires"):
        for name in marker.args:
            system.require(name)


def _skip_reasons(terminalreporter):
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons.append(reason.removeprefix("Skipped: "))
    return reasons


def pytest_sessionfinish(session):
    """In strict mode (TEST_STRICT=1) a skipped test fails the run: nothing is silently left out."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if system.is_strict() and reporter is not None and _skip_reasons(reporter) \
            and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    """End the run with what was skipped and why, and the one command that enables the skipped tests."""
    lines = system.skip_summary(_skip_reasons(terminalreporter), strict=system.is_strict())
    if lines:
        terminalreporter.section("skipped tests", sep="=", yellow=True, bold=True)
        for line in lines:
            terminalreporter.write_line(line)
