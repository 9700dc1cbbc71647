"""Secrets at rest: sealing and unsealing credentials, attaching them to a store, rotating the encryption key."""

import logging
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import and_, select, update

from ..crypto import DecryptionError, TokenCipher
from ..extensions import db
from ..models import AuthMode, Credential, OAuthState, Store

SECRET_FIELDS = ("access_token", "refresh_token", "login", "authtoken", "hooks_token")
# How often a row that keeps changing under a rotation is re-read before it is left for the next run.
ROTATE_ATTEMPTS = 5

log = logging.getLogger(__name__)


def cipher():
    """The app's TokenCipher, built once from TOKEN_ENCRYPTION_KEYS."""
    ext = current_app.extensions
    keys = current_app.config["TOKEN_ENCRYPTION_KEYS"]
    cached = ext.get("token_cipher")
    if cached is None or cached[0] != keys:
        cached = (keys, TokenCipher(keys))
        ext["token_cipher"] = cached
    return cached[1]


def seal(value, store_code, field, *, using=None):
    """Encrypt a secret bound to its store and field; None stays None."""
    if value is None:
        return None
    return (using or cipher()).encrypt(value, context=f"{store_code}|{field}")


def unseal(value, store_code, field, *, using=None):
    """Decrypt a secret sealed by seal() for the same store and field."""
    if value is None:
        return None
    return (using or cipher()).decrypt(value, context=f"{store_code}|{field}")


def epoch(naive_utc):
    """Unix seconds of a naive-UTC column value (None stays None)."""
    return int(naive_utc.replace(tzinfo=timezone.utc).timestamp()) if naive_utc else None


def from_epoch(seconds):
    """A naive-UTC column value from Unix seconds (None or 0 give None)."""
    return datetime.fromtimestamp(int(seconds), timezone.utc).replace(tzinfo=None) if seconds else None


def token_endpoint():
    """The OAuth2 token URL of the configured accounts server."""
    return current_app.config["JUMPSELLER_ACCOUNTS_URL"] + "/oauth/token"


def _credential(store):
    """The store's credential row, created from the store's side so the session cascade picks it up."""
    if store.credential is None:
        store.credential = Credential(version=0)
    return store.credential


def set_oauth_credentials(store, token):
    """Attach an OAuth2 token pair to a store (replacing any Basic credentials); caller commits."""
    if not token.get("access_token") or not token.get("refresh_token"):
        raise ValueError("an OAuth2 install needs both an access token and a refresh token")
    cred = _credential(store)
    cred.access_token_enc = seal(token["access_token"], store.code, "access_token")
    cred.refresh_token_enc = seal(token["refresh_token"], store.code, "refresh_token")
    cred.login_enc = cred.authtoken_enc = None
    expires_at = token.get("expires_at") or (
        int(datetime.now(timezone.utc).timestamp()) + int(token.get("expires_in") or 3600))
    cred.expires_at = from_epoch(expires_at)
    cred.version = (cred.version or 0) + 1
    cred.lease_owner = cred.lease_expires_at = None
    store.auth_mode = AuthMode.OAUTH
    return cred


def set_basic_credentials(store, login, authtoken):
    """Attach Basic login + authtoken to a store (replacing any OAuth2 tokens); caller commits."""
    cred = _credential(store)
    cred.login_enc = seal(login, store.code, "login")
    cred.authtoken_enc = seal(authtoken, store.code, "authtoken")
    cred.access_token_enc = cred.refresh_token_enc = None
    cred.expires_at = None
    cred.version = (cred.version or 0) + 1
    store.auth_mode = AuthMode.BASIC
    return cred


def set_hooks_token(store, hooks_token):
    """Keep the key the store's hook deliveries are signed with, sealed; blank keeps the old one. Caller commits."""
    if not hooks_token or hooks_token == hooks_token_of(store):
        return                                         # unchanged: no write that a key rotation could race
    _credential(store).hooks_token_enc = seal(hooks_token, store.code, "hooks_token")


def hooks_token_of(store):
    """The store's hooks_token in clear, or None when it has none (or it no longer opens)."""
    cred = store.credential
    if cred is None or not cred.hooks_token_enc:
        return None
    try:
        return unseal(cred.hooks_token_enc, store.code, "hooks_token")
    except DecryptionError:
        log.warning("the hooks_token of %s does not open (retired key?); it is refetched with the store info",
                    store.code)
        return None


_credentials = Credential.__table__
_SEALED_COLUMNS = tuple(_credentials.c[f"{field}_enc"] for field in SECRET_FIELDS)


def _reseal_row(engine, token_cipher, credential_id, code):
    """Re-encrypt one credential row's stale values; returns how many, or None if the row kept changing.

    The write is `UPDATE … WHERE version = <the version read>` and leaves the version as it is: the plain
    values do not change, so a refresh that read the row before us still wins its own compare-and-swap, and a
    refresh that saved between our read and write makes our update match nothing: we read again.
    """
    for _ in range(ROTATE_ATTEMPTS):
        with engine.connect() as conn:
            row = conn.execute(select(_credentials.c.version, *_SEALED_COLUMNS)
                               .where(_credentials.c.id == credential_id)).first()
        if row is None:
            return 0                                   # disconnected meanwhile: nothing left to protect
        values = {}
        for field, sealed in zip(SECRET_FIELDS, row[1:]):
            if sealed is not None and token_cipher.key_id_of(sealed) != token_cipher.current_key_id:
                values[f"{field}_enc"] = seal(unseal(sealed, code, field, using=token_cipher), code, field,
                                              using=token_cipher)
        if not values:
            return 0
        with engine.begin() as conn:
            written = conn.execute(update(_credentials)
                                   .where(and_(_credentials.c.id == credential_id,
                                               _credentials.c.version == row.version))
                                   .values(**values)).rowcount
        if written == 1:
            return len(values)
    return None


def rotate_keys():
    """Re-encrypt every stored secret under the newest key; returns how many values were rewritten.

    Safe while the app runs: each row is rewritten with a version compare-and-swap, so a token refreshed
    meanwhile is never replaced by the re-encrypted old one.
    """
    token_cipher = cipher()
    engine = db.engine
    rewritten = 0
    rows = db.session.execute(select(Credential.id, Store.code).join(Store, Store.id == Credential.store_id)).all()
    db.session.rollback()                              # hold no transaction open while rows are rewritten
    for credential_id, code in rows:
        count = _reseal_row(engine, token_cipher, credential_id, code)
        if count is None:
            log.warning("key rotation skipped the credentials of %s: they kept changing; run rotate-keys again",
                        code)
            continue
        rewritten += count
    # Pending installs carry a sealed PKCE verifier too; they are written once and never concurrently.
    for pending in db.session.scalars(select(OAuthState).where(OAuthState.used_at.is_(None))).all():
        if token_cipher.key_id_of(pending.code_verifier_enc) != token_cipher.current_key_id:
            context = f"state:{pending.state_hash}"
            plain = token_cipher.decrypt(pending.code_verifier_enc, context=context)
            pending.code_verifier_enc = token_cipher.encrypt(plain, context=context)
            rewritten += 1
    db.session.commit()
    return rewritten
