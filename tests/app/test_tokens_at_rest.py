"""Tokens at rest: encrypted with AES-GCM, bound to their store, rotatable, never logged."""

import logging
import sqlite3

import pytest
import requests
from sqlalchemy import select

from jumpseller_app.crypto import DecryptionError, TokenCipher, generate_key
from jumpseller_app.extensions import db
from jumpseller_app.models import Credential, Store
from jumpseller_app.services.clients import client_for
from jumpseller_app.services.credentials import cipher, unseal
from jumpseller_app.services.token_store import DbTokenStore

from ..support.database import database_bytes
from ..support.flows import install
from ..support.flows import post_form, sandbox_credentials


def stored_tokens(app, code="sandbox"):
    with app.app_context():
        store = db.session.scalar(select(Store).where(Store.code == code))
        return DbTokenStore(db.engine, cipher(), store.id, store.code).load().token


def test_raw_database_holds_no_secret_in_plain_text(app, live_app, sandbox, browser):
    requests.post(sandbox.url + "/_sandbox/stores", json={"code": "tienda-dos", "name": "Dos"}, timeout=5)
    install(browser, live_app)
    token = stored_tokens(app)
    login, authtoken = sandbox_credentials(sandbox, "tienda-dos")
    post_form(browser, live_app, login=login, authtoken=authtoken)
    raw = database_bytes(app)
    assert len(token["access_token"]) >= 20 and len(token["refresh_token"]) >= 20
    for secret in (token["access_token"], token["refresh_token"], authtoken, login):
        assert secret.encode() not in raw


def test_ciphertext_moved_to_another_store_fails_to_decrypt(app, live_app, sandbox, browser):
    install(browser, live_app)
    with app.app_context():
        sealed = db.session.scalar(select(Credential.refresh_token_enc))
        assert unseal(sealed, "sandbox", "refresh_token")
        with pytest.raises(DecryptionError):
            unseal(sealed, "tienda-dos", "refresh_token")
        with pytest.raises(DecryptionError):
            unseal(sealed, "sandbox", "access_token")     # nor into another column
        tampered = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
        with pytest.raises(DecryptionError):
            unseal(tampered, "sandbox", "refresh_token")


def test_key_rotation_reencrypts_everything(app, live_app, sandbox, browser, encryption_keys):
    install(browser, live_app)
    before = stored_tokens(app)
    old_key_id = TokenCipher(encryption_keys).current_key_id
    new_key = generate_key()
    app.config["TOKEN_ENCRYPTION_KEYS"] = f"{new_key},{encryption_keys}"
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    # The access token, the refresh token and the hooks_token.
    assert result.exit_code == 0 and "Re-encrypted 3 value(s)" in result.output, result.output
    app.config["TOKEN_ENCRYPTION_KEYS"] = new_key           # the old key is gone now
    assert stored_tokens(app) == before
    with app.app_context():
        cred = db.session.scalar(select(Credential))
        assert old_key_id not in cred.access_token_enc and old_key_id not in cred.refresh_token_enc
        assert client_for(db.session.scalar(select(Store))).store.info()["code"] == "sandbox"
    # A second run finds nothing left to do.
    assert "Re-encrypted 0 value(s)" in app.test_cli_runner().invoke(args=["rotate-keys"]).output


def test_tokens_never_appear_in_logs_or_reprs(app, live_app, sandbox, browser, caplog):
    caplog.set_level(logging.DEBUG)
    install(browser, live_app)
    token = stored_tokens(app)
    requests.post(sandbox.url + "/_sandbox/tokens/expire", json={"store": "sandbox"}, timeout=5)
    with app.app_context():
        store = db.session.scalar(select(Store))
        api = client_for(store)
        api.products.count()                                # a 401, a refresh, a retry: all logged at DEBUG
        texts = [caplog.text, repr(store.credential), repr(api), repr(api.session), repr(cipher())]
    fresh = stored_tokens(app)
    assert fresh["access_token"] != token["access_token"]
    for secret in (token["access_token"], token["refresh_token"], fresh["access_token"], fresh["refresh_token"]):
        for text in texts:
            assert secret not in text


def test_sqlite_file_is_a_real_database(app, live_app, browser):
    install(browser, live_app)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        (count,) = conn.execute("select count(*) from credentials").fetchone()
    assert count == 1
