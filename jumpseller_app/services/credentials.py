"""Encrypted credentials at rest, the shared token store behind refreshes, and API clients per store."""

from datetime import datetime, timedelta, timezone

import requests
from flask import current_app
from sqlalchemy import and_, or_, select, update

from ..crypto import TokenCipher
from ..extensions import db
from ..jumpseller import BasicAuth, JumpsellerClient, JumpsellerOAuth2Session, StoredToken
from ..models import AuthMode, Credential, OAuthState, Store, StoreStatus, utcnow
from . import budgets

credentials_table = Credential.__table__
stores_table = Store.__table__


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


SECRET_FIELDS = ("access_token", "refresh_token", "login", "authtoken")


def _epoch(naive_utc):
    return int(naive_utc.replace(tzinfo=timezone.utc).timestamp()) if naive_utc else None


def _from_epoch(seconds):
    return datetime.fromtimestamp(int(seconds), timezone.utc).replace(tzinfo=None) if seconds else None


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
    cred.expires_at = _from_epoch(expires_at)
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


class DbTokenStore:
    """TokenStore on the app database: short Core transactions, safe from any thread or process."""

    def __init__(self, engine, token_cipher, store_id, store_code):
        self.engine = engine
        self.cipher = token_cipher
        self.store_id = store_id
        self.store_code = store_code
        self.key = f"store:{store_code}"

    def __repr__(self):
        return f"<DbTokenStore {self.store_code}>"

    def load(self):
        """The stored token, decrypted, and its version."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(credentials_table.c.access_token_enc, credentials_table.c.refresh_token_enc,
                       credentials_table.c.expires_at, credentials_table.c.version)
                .where(credentials_table.c.store_id == self.store_id)
            ).one()
        token = {
            "access_token": unseal(row.access_token_enc, self.store_code, "access_token", using=self.cipher),
            "refresh_token": unseal(row.refresh_token_enc, self.store_code, "refresh_token", using=self.cipher),
            "token_type": "Bearer",
            "expires_at": _epoch(row.expires_at),
        }
        return StoredToken(token, row.version)

    def acquire_lease(self, owner, ttl):
        """UPDATE … WHERE the lease is free or expired: atomic on SQLite and PostgreSQL alike."""
        now = utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                update(credentials_table)
                .where(credentials_table.c.store_id == self.store_id)
                .where(or_(credentials_table.c.lease_expires_at.is_(None), credentials_table.c.lease_expires_at < now))
                .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=ttl))
            )
        return result.rowcount == 1

    def release_lease(self, owner):
        """Free the lease if `owner` still holds it."""
        with self.engine.begin() as conn:
            conn.execute(
                update(credentials_table)
                .where(and_(credentials_table.c.store_id == self.store_id, credentials_table.c.lease_owner == owner))
                .values(lease_owner=None, lease_expires_at=None)
            )

    def save(self, token, *, expected_version):
        """Compare-and-swap the new pair in; also frees the lease and stamps the refresh time."""
        if not token.get("access_token") or not token.get("refresh_token"):
            raise ValueError("refusing to store a token without an access token and a refresh token")
        now = utcnow()
        values = {
            "access_token_enc": seal(token["access_token"], self.store_code, "access_token", using=self.cipher),
            "refresh_token_enc": seal(token["refresh_token"], self.store_code, "refresh_token", using=self.cipher),
            "expires_at": _from_epoch(token.get("expires_at")),
            "version": expected_version + 1,
            "lease_owner": None,
            "lease_expires_at": None,
            "last_refreshed_at": now,
            "updated_at": now,
        }
        with self.engine.begin() as conn:
            result = conn.execute(
                update(credentials_table)
                .where(and_(credentials_table.c.store_id == self.store_id,
                            credentials_table.c.version == expected_version))
                .values(**values)
            )
            if result.rowcount == 1:
                store_values = {"status": StoreStatus.ACTIVE, "updated_at": now}
                if token.get("scope"):
                    store_values["scopes"] = " ".join(str(token["scope"]).replace(",", " ").split())
                conn.execute(update(stores_table).where(stores_table.c.id == self.store_id).values(**store_values))
        return result.rowcount == 1

    def mark_reauth_required(self, *, expected_version):
        """Flag the store unless its token changed since `expected_version` (then someone refreshed it)."""
        with self.engine.begin() as conn:
            unchanged = conn.execute(
                select(credentials_table.c.version).where(credentials_table.c.store_id == self.store_id)
            ).scalar_one() == expected_version
            if unchanged:
                conn.execute(update(stores_table).where(stores_table.c.id == self.store_id)
                             .values(status=StoreStatus.REAUTH_REQUIRED, updated_at=utcnow()))
        return unchanged


def token_endpoint():
    """The OAuth2 token URL of the configured accounts server."""
    return current_app.config["JUMPSELLER_ACCOUNTS_URL"] + "/oauth/token"


def oauth_session_for(store):
    """An authlib session for a store's OAuth2 tokens, refreshing through the shared DbTokenStore."""
    config = current_app.config
    token_store = DbTokenStore(db.engine, cipher(), store.id, store.code)
    return JumpsellerOAuth2Session(
        token_store,
        client_id=config["JUMPSELLER_CLIENT_ID"],
        client_secret=config["JUMPSELLER_CLIENT_SECRET"],
        token_endpoint=token_endpoint(),
        timeout=config["HTTP_TIMEOUT"],
    )


def basic_session(login, authtoken):
    """A requests session signing every call with Basic login:authtoken."""
    session = requests.Session()
    session.auth = BasicAuth(login, authtoken)
    return session


def client_for(store):
    """A JumpsellerClient authenticated as `store`, whichever auth mode it uses."""
    config = current_app.config
    if store.auth_mode == AuthMode.BASIC:
        cred = store.credential
        session = basic_session(unseal(cred.login_enc, store.code, "login"),
                                unseal(cred.authtoken_enc, store.code, "authtoken"))
    else:
        session = oauth_session_for(store)
    return JumpsellerClient(session=session, base_url=config["JUMPSELLER_API_URL"], timeout=config["HTTP_TIMEOUT"],
                            budget=budgets.budget_for(store.code))


def rotate_keys():
    """Re-encrypt every stored secret under the newest key; returns how many values were rewritten."""
    token_cipher = cipher()
    rewritten = 0
    for cred in db.session.scalars(select(Credential)).all():
        code = cred.store.code
        for field in SECRET_FIELDS:
            column = f"{field}_enc"
            sealed = getattr(cred, column)
            if sealed is None or token_cipher.key_id_of(sealed) == token_cipher.current_key_id:
                continue
            setattr(cred, column, seal(unseal(sealed, code, field), code, field))
            rewritten += 1
    # Pending installs carry a sealed PKCE verifier too.
    for pending in db.session.scalars(select(OAuthState).where(OAuthState.used_at.is_(None))).all():
        if token_cipher.key_id_of(pending.code_verifier_enc) != token_cipher.current_key_id:
            context = f"state:{pending.state_hash}"
            plain = token_cipher.decrypt(pending.code_verifier_enc, context=context)
            pending.code_verifier_enc = token_cipher.encrypt(plain, context=context)
            rewritten += 1
    db.session.commit()
    return rewritten
