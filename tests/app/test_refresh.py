"""Automatic token refresh: proactive, on 401, single-flight across threads and processes, revocation."""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from jumpseller_app.extensions import db
from jumpseller_app.jumpseller import JumpsellerOAuth2Session, ReauthRequired
from jumpseller_app.models import AuditEntry, Credential, Store, utcnow
from jumpseller_app.services.clients import client_for, oauth_session_for
from jumpseller_app.services.credentials import cipher
from jumpseller_app.services.token_store import DbTokenStore

from ..support.flows import install
from ..support.processes import finish, start_together

ROOT = Path(__file__).resolve().parents[2]
ROTATIONS = ["immediate", "on_first_use"]
# Slow enough that every call of the storm arrives while the first refresh is still in flight.
TOKEN_LATENCY_MS = 1000


def stats(sandbox):
    return requests.get(sandbox.url + "/_sandbox/stats", timeout=5).json()


def refreshes(sandbox):
    return stats(sandbox)["token_requests"].get("refresh_token", 0)


def control(sandbox, path, **body):
    response = requests.post(sandbox.url + "/_sandbox/" + path, json=body, timeout=5)
    response.raise_for_status()
    return response.json()


def expire_locally(app, seconds_left):
    """Make our stored copy say the token expires in `seconds_left` (the sandbox still accepts it)."""
    with app.app_context():
        db.session.execute(update(Credential).values(expires_at=utcnow() + timedelta(seconds=seconds_left)))
        db.session.commit()


def load(app):
    with app.app_context():
        store = db.session.scalar(select(Store))
        return store.status, DbTokenStore(db.engine, cipher(), store.id, store.code).load()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Every refresh test runs on SQLite and on a real PostgreSQL: the lease and CAS must hold on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture(params=ROTATIONS)
def rotation(request, sandbox):
    control(sandbox, "config", rotation=request.param)
    return request.param


@pytest.fixture
def installed(app, live_app, browser, sandbox, rotation):
    install(browser, live_app)
    return app


def test_proactive_refresh_before_expiry(installed, sandbox):
    _, before = load(installed)
    expire_locally(installed, 30)                            # inside the refresh leeway
    with installed.app_context():
        assert client_for(db.session.scalar(select(Store))).products.count() == 25
    status, after = load(installed)
    assert refreshes(sandbox) == 1
    assert after.version == before.version + 1 and status == "active"
    assert after.token["refresh_token"] not in ("", None, before.token["refresh_token"])
    # The old refresh token is dead (immediately, or once the new access token was used).
    dead = requests.post(sandbox.url + "/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": before.token["refresh_token"],
        "client_id": installed.config["JUMPSELLER_CLIENT_ID"],
        "client_secret": installed.config["JUMPSELLER_CLIENT_SECRET"]}, timeout=5)
    assert dead.status_code == 400 and dead.json()["error"] == "invalid_grant"


def test_refresh_once_on_401(installed, sandbox):
    control(sandbox, "tokens/expire", store="sandbox")       # the server expired it; our copy looks valid
    with installed.app_context():
        api = client_for(db.session.scalar(select(Store)))
        assert api.store.info()["code"] == "sandbox"
        assert api.products.count() == 25                    # the fresh token is reused, no second refresh
    assert refreshes(sandbox) == 1


def storm(config, *, processes, threads):
    """Run `threads` API calls in each of `processes` worker processes, all fired at once; their JSON results."""
    env = {**os.environ, "STORM_CONFIG": json.dumps(config), "STORM_STORE": "sandbox", "STORM_THREADS": str(threads)}
    procs, _ = start_together([[sys.executable, "-m", "tests.support.storm_worker"]] * processes, cwd=ROOT, env=env)
    return [json.loads(out.strip().splitlines()[-1]) for out in finish(procs)]


def test_storm_of_50_calls_from_2_processes_refreshes_exactly_once(installed, app_config, sandbox):
    """50 calls (2 processes x 25 threads, no rate budget) with an expired token: exactly one refresh.

    The sandbox answers (token endpoint included) after TOKEN_LATENCY_MS, so the other process's calls arrive
    while the first refresh is in flight: only the lease keeps that process from refreshing too. Measured with
    the lease disabled (acquire_lease always granted), 8 runs over the 4 parameter sets: 2 refreshes every time;
    with rotation "immediate" 1 ok + 1 invalid_grant, and in 3 of 4 runs the loser marked the store
    reauth_required and 46-49 of the 50 calls failed; with "on_first_use" 2 ok (the compare-and-swap discarded
    the second pair). With the lease: 1 refresh, 50 calls ok.
    """
    expire_locally(installed, -10)
    control(sandbox, "tokens/expire", store="sandbox")
    control(sandbox, "faults", latency_ms=TOKEN_LATENCY_MS, include_token_endpoint=True)
    # Each of the 25 threads holds a pooled connection for its request and one for the token store.
    config = {**app_config, "DB_POOL_SIZE": 30, "DB_MAX_OVERFLOW": 30}
    results = storm(config, processes=2, threads=25)
    assert [r["errors"] for r in results] == [[], []]
    assert sum(r["ok"] for r in results) == 50
    assert refreshes(sandbox) == 1
    assert stats(sandbox)["refreshes_failed"] == 0
    status, stored = load(installed)
    assert status == "active" and stored.version == 2


def test_real_revocation_disconnects_the_store_and_drops_its_tokens(installed, sandbox):
    control(sandbox, "tokens/revoke", store="sandbox")       # the merchant uninstalled the app
    with installed.app_context():
        api = client_for(db.session.scalar(select(Store)))
        with pytest.raises(ReauthRequired):
            api.products.count()
        # A refused refresh token is an uninstall: the store is disconnected and its tokens are gone at once.
        store = db.session.scalar(select(Store))
        assert store.status == "disconnected" and store.disconnected_at is not None
        assert db.session.scalar(select(Credential)) is None
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "disconnected")).all()
        assert len(audit) == 1 and audit[0].detail.get("reason") == "grant_refused"
    assert stats(sandbox)["refreshes_failed"] == 1


def test_losing_a_refresh_race_is_not_a_revocation(installed, sandbox):
    """B refreshes while A, whose lease lapsed, is already sending the same refresh token: A must adopt B's."""
    expire_locally(installed, -10)
    config = installed.config
    with installed.app_context():
        store = db.session.scalar(select(Store))
        slow = oauth_session_for(store)                       # process A
        other_process = DbTokenStore(db.engine, cipher(), store.id, store.code)
        other_process.key += "#process-b"                     # its own process-local lock, as in another process
        fast = JumpsellerOAuth2Session(other_process, client_id=config["JUMPSELLER_CLIENT_ID"],
                                       client_secret=config["JUMPSELLER_CLIENT_SECRET"],
                                       token_endpoint=config["JUMPSELLER_ACCOUNTS_URL"] + "/oauth/token")

        def b_wins_first(url, headers, body):
            # A's lease lapses (a long GC pause, say); B takes it, refreshes, saves, and uses the new token.
            with db.engine.begin() as conn:
                conn.execute(update(Credential).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
            fast.get(config["JUMPSELLER_API_URL"] + "/store/info.json").raise_for_status()
            return url, headers, body

        slow.register_compliance_hook("refresh_token_request", b_wins_first)
        response = slow.get(config["JUMPSELLER_API_URL"] + "/store/info.json")
        assert response.status_code == 200
        assert slow.version == 2
    status, stored = load(installed)
    assert status == "active" and stored.version == 2
    assert stats(sandbox)["refreshes_ok"] == 1 and stats(sandbox)["refreshes_failed"] == 1
