"""What the benchmarks share: the app beside a bare Flask endpoint under gunicorn, the load client (load.py), an
installed store, and the worker process.

A package (not bench/*.py) so that `make bench`, which runs every bench/*.py, does not run it as a benchmark.
"""

import contextlib
import itertools
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.servers import free_port, wait_for_port  # noqa: E402  (one copy of these, the tests')

from . import cpu  # noqa: E402
from .load import Request, load  # noqa: E402

BARE_PREFIX = "/_bare"
__all__ = ["BARE_PREFIX", "ROOT", "Request", "app_context", "app_env", "cpu", "free_port", "gunicorn", "install",
           "load", "percentile", "wait_for_port", "worker", "wsgi_app"]


def wsgi_app():
    """gunicorn's target (`bench.shared:wsgi_app()`): the app, with a bare Flask app mounted beside it, so both
    are measured under the same server, workers and client in the same run."""
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from jumpseller_app import create_app

    bare = Flask("bare")

    @bare.route("/", methods=["GET", "POST"])
    def hello():
        return "ok"

    app = create_app()
    return DispatcherMiddleware(app.wsgi_app, {BARE_PREFIX: bare.wsgi_app})


def app_env(sandbox_url, tmp, port, database_url=None, **extra):
    """The environment of every process of a benchmark's app (web, worker, set-up): one config for all."""
    from jumpseller_app.crypto import generate_key

    return {
        "APP_ENV": "production", "SECRET_KEY": os.urandom(24).hex(), "TOKEN_ENCRYPTION_KEYS": generate_key(),
        "JUMPSELLER_CLIENT_ID": "bench", "JUMPSELLER_CLIENT_SECRET": "bench-secret",
        "JUMPSELLER_ACCOUNTS_URL": sandbox_url, "JUMPSELLER_API_URL": sandbox_url + "/v1",
        "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.sqlite3", "RATE_LIMIT_DB": f"{tmp}/ratelimit.sqlite3",
        "HUEY_DB": f"{tmp}/huey.sqlite3", "LOG_LEVEL": "WARNING", "APP_URL": f"http://127.0.0.1:{port}", **extra,
    }


@contextlib.contextmanager
def app_context(env):
    """An app context of the benchmark's app (configured from `env`) in this process; its database connections
    are closed on exit, before a server or worker process opens its own."""
    from jumpseller_app import create_app
    from jumpseller_app.config import load_config
    from jumpseller_app.extensions import db

    app = create_app(load_config(env))
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@dataclass
class Installed:
    """A store installed for a benchmark: its code, a signed-in session cookie, its hooks_token (for signing)."""

    code: str
    cookie: str
    hooks_token: str | None


def install(env, sandbox):
    """Migrate the database and install the sandbox's default store through the app's own services."""
    from flask_migrate import upgrade

    from jumpseller_app import create_app
    from jumpseller_app.config import load_config
    from jumpseller_app.extensions import db
    from jumpseller_app.services import connect, credentials, stores

    # The first fetch of a new connection is a job; with no worker here it runs in-process, at once.
    app = create_app(load_config({**env, "JOBS_IMMEDIATE": "1"}))
    with app.app_context():
        upgrade()
        store = sandbox.state.default_store
        installed = connect.connect_basic(login=store.login, authtoken=store.authtoken)
        assert installed.snapshot is not None and installed.snapshot.fetched_at is not None
        # What sessions.sign_in() stores: the store, its session epoch and when the merchant signed in.
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"store_code": installed.code, "epoch": installed.session_epoch, "signed_in_at": int(time.time())})
        hooks_token = credentials.hooks_token_of(stores.get_store(installed.code))
        code = installed.code
        db.session.remove()
        db.engine.dispose()
    return Installed(code, f"{app.config['SESSION_COOKIE_NAME']}={cookie}", hooks_token)


@contextlib.contextmanager
def gunicorn(env, port, *, workers=2):
    """gunicorn as Procfile runs it (gunicorn.conf.py), serving wsgi_app() on 127.0.0.1:port; stopped on exit."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--access-logfile", "/dev/null", "--error-logfile", "-",
         "bench.shared:wsgi_app()"],
        cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextlib.contextmanager
def worker(env):
    """The job worker as Procfile runs it (`flask --app app worker`); stopped (SIGTERM) on exit."""
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT,
                            env={**os.environ, **env, "JOBS_IMMEDIATE": "0"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def repeat(request, times):
    """The same request `times` times (a page, the bare endpoint)."""
    return itertools.repeat(request, times)


def percentile(values, fraction):
    """The nearest-rank percentile of `values` (fraction in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
