"""The OAuth2 install: authorization with single-use state + PKCE, code exchange, store identification."""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app, url_for
from sqlalchemy import and_, delete, select, update

from ..extensions import db
from ..jumpseller import JumpsellerError
from ..models import AuthMode, OAuthState, utcnow
from . import clients, credentials, handoff, lifecycle, stores
from ..jobs import sync_tasks, tasks

STATE_TTL = timedelta(minutes=10)
# Expired pending installs are kept a while so a late callback or claim is told "expired", not "unknown".
PURGE_AFTER = timedelta(hours=1)
NONCE_MIN_LENGTH = 32


class InstallError(Exception):
    """The install could not complete; `public_message` is safe to show."""

    def __init__(self, public_message, *, status=400):
        super().__init__(public_message)
        self.public_message = public_message
        self.status = status


def safe_next(path):
    """Only same-site relative paths may be a post-install destination (no open redirects)."""
    if not path or not isinstance(path, str):
        return "/"
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def _hash(state):
    return hashlib.sha256(state.encode()).hexdigest()


def new_browser_nonce():
    """A fresh secret for the install cookie of a browser that has none."""
    return secrets.token_urlsafe(32)


def valid_nonce(value):
    """The browser nonce if it looks like one new_browser_nonce() made, else None."""
    if isinstance(value, str) and NONCE_MIN_LENGTH <= len(value) <= 128 and value.isascii() \
            and value.replace("-", "").replace("_", "").isalnum():
        return value
    return None


def redirect_uri():
    """The Redirect URL registered with Jumpseller: APP_URL's, or this request's host when APP_URL is unset."""
    if current_app.config["APP_URL"]:
        return current_app.config["APP_URL"] + "/oauth/callback"
    return url_for("oauth.callback", _external=True)


def _oauth_client(**kwargs):
    config = current_app.config
    return OAuth2Session(
        client_id=config["JUMPSELLER_CLIENT_ID"],
        client_secret=config["JUMPSELLER_CLIENT_SECRET"],
        token_endpoint_auth_method="client_secret_post",
        redirect_uri=redirect_uri(),
        code_challenge_method="S256",
        default_timeout=config["HTTP_TIMEOUT"],
        **kwargs,
    )


def start_install(*, browser_nonce, next_path="/", handoff_hash=None):
    """Record a pending authorization and return the Jumpseller URL that asks the merchant to approve it.

    `browser_nonce` is the secret of the starting browser's install cookie: only a callback that brings the same
    cookie finishes this install, so an authorize link made by someone else and opened by the merchant binds
    nothing. `handoff_hash` is the sha256 of a secret held by the admin iframe that opened this install in a popup.
    """
    config = current_app.config
    if not valid_nonce(browser_nonce):
        raise ValueError("an install needs the starting browser's nonce")
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    scopes = config["JUMPSELLER_SCOPES"]
    now = utcnow()
    # Purged on write: the table holds only the last hour or so of installs, however many are started.
    db.session.execute(delete(OAuthState).where(OAuthState.expires_at < now - PURGE_AFTER))
    handoff_hash = handoff.valid_hash(handoff_hash)
    if handoff_hash and db.session.scalar(select(OAuthState.id).where(OAuthState.handoff_hash == handoff_hash)):
        handoff_hash = None  # a hash serves one install only; the iframe makes a fresh secret per attempt
    db.session.add(OAuthState(
        state_hash=_hash(state),
        code_verifier_enc=credentials.cipher().encrypt(verifier, context=f"state:{_hash(state)}"),
        next_path=safe_next(next_path),
        scopes=scopes,
        handoff_hash=handoff_hash,
        browser_hash=_hash(browser_nonce),
        created_at=now,
        expires_at=now + STATE_TTL,
    ))
    db.session.commit()
    url, _ = _oauth_client(scope=scopes).create_authorization_url(
        config["JUMPSELLER_ACCOUNTS_URL"] + "/oauth/authorize", state=state, code_verifier=verifier)
    return url


def abandon(state, *, browser_nonce):
    """Burn a pending state after Jumpseller reported an error for it (only from the browser that started it)."""
    try:
        pending = _consume_state(state, browser_nonce)
    except InstallError:
        return
    handoff.give_up(pending)
    db.session.commit()


def _consume_state(state, browser_nonce):
    """Mark the state used, atomically: a second callback with the same state finds nothing to claim.

    Only the browser that started the install (it holds the nonce whose hash the state keeps) can consume it.
    """
    if not state or len(state) > 200:
        raise InstallError("This sign-in link is missing its security check (state). Start the install again.")
    browser_nonce = valid_nonce(browser_nonce)
    if browser_nonce is None:
        raise InstallError("This sign-in was not started in this browser window, or its cookie was lost. "
                           "Start the install again from the app.")
    state_hash = _hash(state)
    now = utcnow()
    claimed = db.session.execute(
        update(OAuthState)
        .where(and_(OAuthState.state_hash == state_hash, OAuthState.used_at.is_(None), OAuthState.expires_at > now,
                    OAuthState.browser_hash == _hash(browser_nonce)))
        .values(used_at=now)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        raise InstallError("This sign-in link is invalid, expired, was already used or was started in another "
                           "browser. Start the install again from the app.")
    return db.session.query(OAuthState).filter_by(state_hash=state_hash).one()


def complete_install(*, state, code, browser_nonce):
    """Exchange the code, identify the store and save its encrypted tokens; returns (store, pending state).

    The pending state tells the caller where to go next (`next_path`) and whether an iframe waits for a
    handoff (`handoff_hash`). Nothing happens unless `browser_nonce` is the one the install started with.
    """
    pending = _consume_state(state, browser_nonce)
    try:
        store = _exchange_and_save(pending, code)
    except InstallError:
        handoff.give_up(pending)        # an iframe waiting on this install stops waiting now
        db.session.commit()
        raise
    sync_tasks.request_sync(store.code, "full")   # the first fetch: the whole mirror (the figures follow from it)
    tasks.request_hooks(store.code)    # (re)registers the hooks for the scopes just granted
    # Bound only now, after the first sync is queued: the iframe's claim may land the instant this commits, and
    # its dashboard then shows either the figures or "Syncing…", never an empty page with no job behind it.
    handoff.bind(pending, store)
    db.session.commit()
    return store, pending


def _exchange_and_save(pending, code):
    """Trade the code for tokens, identify the store and commit it with its tokens in a new session epoch."""
    if not code or len(code) > 512:
        raise InstallError("Jumpseller did not send an authorization code. Start the install again.")
    verifier = credentials.cipher().decrypt(pending.code_verifier_enc, context=f"state:{pending.state_hash}")
    oauth = _oauth_client()
    try:
        token = oauth.fetch_token(credentials.token_endpoint(), grant_type="authorization_code", code=code,
                                  code_verifier=verifier)
    except OAuthError as exc:
        raise InstallError(f"Jumpseller refused the authorization ({exc.error}). Start the install again.") from exc
    except Exception as exc:  # network failures: nothing stored, the merchant can retry
        current_app.logger.warning("token exchange failed: %s", type(exc).__name__)
        raise InstallError("Could not reach Jumpseller to finish the install. Try again.", status=502) from exc
    if str(token.get("token_type", "")).lower() != "bearer" or not token.get("refresh_token"):
        raise InstallError("Jumpseller answered with an unusable token. Start the install again.", status=502)
    api = clients.client_for_new_token(token, pending_key=pending.state_hash)
    try:
        info = api.store.info()
        lifecycle.start_clean(stores.store_code_from_info(info))   # a store back after a disconnect starts clean
        store = stores.upsert_store(info, auth_mode=AuthMode.OAUTH,
                                    scopes=" ".join(str(token.get("scope") or pending.scopes).split()))
    except (JumpsellerError, stores.StoreIdentityError) as exc:
        db.session.rollback()
        raise InstallError("Jumpseller did not tell us which store this is. Try again.", status=502) from exc
    credentials.set_oauth_credentials(store, token)
    # A (re)install starts a new session epoch: sessions and tokens from before it open nothing.
    store.end_sessions()
    db.session.commit()
    return store
