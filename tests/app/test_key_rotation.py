"""Key rotation while the app runs: a token refreshed between the rotation's read and write survives."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from jumpseller_app.crypto import TokenCipher, generate_key
from jumpseller_app.extensions import db
from jumpseller_app.models import Credential, Store, utcnow
from jumpseller_app.services.clients import client_for
from jumpseller_app.services.credentials import cipher
from jumpseller_app.services.token_store import DbTokenStore

from ..support.flows import control, install, stats


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """On SQLite and on a real PostgreSQL: the compare-and-swap must hold on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()


def stored(app):
    with app.app_context():
        store = db.session.scalar(select(Store))
        return DbTokenStore(db.engine, cipher(), store.id, store.code).load()


def test_a_refresh_between_the_rotations_read_and_write_survives(app, live_app, browser, sandbox, encryption_keys):
    control(sandbox, "config", rotation="immediate")
    install(browser, live_app)
    before = stored(app)
    old_key_id = TokenCipher(encryption_keys).current_key_id
    app.config["TOKEN_ENCRYPTION_KEYS"] = f"{generate_key()},{encryption_keys}"
    refreshed = {}

    with app.app_context():
        engine = db.engine

        def refresh_first(conn, cursor, statement, parameters, context, executemany):
            # The rotation read the row and is about to write it: another process refreshes the token now.
            if refreshed or not statement.lstrip().upper().startswith("UPDATE CREDENTIALS"):
                return
            refreshed["busy"] = True
            with app.app_context():
                db.session.execute(update(Credential).values(expires_at=utcnow() - timedelta(seconds=10)))
                db.session.commit()
                client_for(db.session.scalar(select(Store))).products.count()
                refreshed["token"] = stored(app)

        event.listen(engine, "before_cursor_execute", refresh_first)
        try:
            result = app.test_cli_runner().invoke(args=["rotate-keys"])
        finally:
            event.remove(engine, "before_cursor_execute", refresh_first)
    assert result.exit_code == 0, result.output
    assert stats(sandbox)["refreshes_ok"] == 1
    fresh = refreshed["token"]
    assert fresh.token["refresh_token"] != before.token["refresh_token"]

    # The refreshed pair is what is stored (not the old pair re-encrypted), under the new key only.
    after = stored(app)
    assert after.token["refresh_token"] == fresh.token["refresh_token"]
    assert after.token["access_token"] == fresh.token["access_token"]
    assert after.version == fresh.version == before.version + 1
    with app.app_context():
        cred = db.session.scalar(select(Credential))
        assert old_key_id not in cred.access_token_enc and old_key_id not in cred.refresh_token_enc
        # And it works: the old refresh token is revoked at Jumpseller, this one is not.
        db.session.execute(update(Credential).values(expires_at=utcnow() - timedelta(seconds=10)))
        db.session.commit()
        assert client_for(db.session.scalar(select(Store))).products.count() is not None
        assert db.session.scalar(select(Store)).status == "active"
    assert stats(sandbox)["refreshes_failed"] == 0


def test_rotation_leaves_the_version_alone(app, live_app, browser, encryption_keys):
    """A refresh that read the row before the rotation must still win its own compare-and-swap."""
    install(browser, live_app)
    before = stored(app)
    app.config["TOKEN_ENCRYPTION_KEYS"] = f"{generate_key()},{encryption_keys}"
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    # The access token, the refresh token and the hooks_token.
    assert result.exit_code == 0 and "Re-encrypted 3 value(s)" in result.output, result.output
    after = stored(app)
    assert after.version == before.version and after.token == before.token
