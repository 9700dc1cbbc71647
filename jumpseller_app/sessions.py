"""The iframe's session: a Partitioned cookie when the browser keeps it, else an encrypted token the page carries.

Inside the Jumpseller admin the app is a third-party frame. Browsers that block even Partitioned cookies leave
the app with no cookie at all, so the session can also travel as a short-lived token (`t`) that the app's own
links, forms and fetches carry. Both hold the same data: the store code, the store's session epoch, the time
of the sign-in and the CSRF seed. The token is encrypted (Fernet, keyed from SECRET_KEY): it shows up in
addresses and logs, so nothing in it may be readable.

A session opens a store only while (1) the store's session epoch is the one it was issued in (disconnect,
reinstall and a change of auth mode bump it) and (2) less than SESSION_MAX_AGE has passed since the sign-in,
however often the token was renewed in between.
"""

import base64
import json
import time

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException

from .services import session_epochs

TOKEN_INFO = b"jumpseller-app iframe session token v2"
TOKEN_MAX_AGE = 3600
TOKEN_PARAM = "t"
TOKEN_HEADER = "X-Session-Token"
# Only what the iframe needs travels in a token; anything else stays cookie-only.
TOKEN_KEYS = ("store_code", "epoch", "signed_in_at", "csrf_token")


def _fernet_key(secret):
    """A Fernet key derived from one app secret (the token key is never the cookie-signing key itself)."""
    secret = secret.encode() if isinstance(secret, str) else secret
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=TOKEN_INFO).derive(secret)
    return base64.urlsafe_b64encode(raw)


def token_cipher(app):
    """The token cipher: encrypts with SECRET_KEY, still opens tokens of SECRET_KEY_FALLBACKS (key rotation)."""
    secrets = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
    cached = app.extensions.get("session_token_cipher")
    if cached is None or cached[0] != secrets:
        cached = app.extensions["session_token_cipher"] = (
            secrets, MultiFernet([Fernet(_fernet_key(s)) for s in secrets if s]))
    return cached[1]


def dump_token(app, session):
    """An encrypted token carrying the session's store, epoch, sign-in time and CSRF seed."""
    data = {k: session[k] for k in TOKEN_KEYS if k in session}
    return token_cipher(app).encrypt(json.dumps(data, separators=(",", ":")).encode()).decode()


def load_token(app, token):
    """The data of a valid token issued less than TOKEN_MAX_AGE ago, or None."""
    if not token or len(token) > 2000:
        return None
    try:
        data = json.loads(token_cipher(app).decrypt(token.encode(), ttl=TOKEN_MAX_AGE))
    except (InvalidToken, ValueError, TypeError):
        return None
    return {k: v for k, v in data.items() if k in TOKEN_KEYS} if isinstance(data, dict) else None


def still_valid(app, data):
    """Whether a session's data may still open its store: its epoch is current and its sign-in recent enough."""
    signed_in_at = data.get("signed_in_at")
    if not isinstance(signed_in_at, int) or time.time() - signed_in_at > app.config["SESSION_MAX_AGE"]:
        return False
    epoch = data.get("epoch")
    return isinstance(epoch, int) and epoch == session_epochs.current(data["store_code"])


def _request_token(request):
    token = request.headers.get(TOKEN_HEADER) or request.args.get(TOKEN_PARAM)
    if not token and request.method == "POST" and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            token = request.form.get(TOKEN_PARAM)
        except HTTPException:
            # Too large or malformed: the view's own form parsing reports it properly.
            return None
    return token


def _is_sessionless(app, request):
    """Whether the request goes to a view marked sessionless (Flask opens the session before it routes)."""
    paths = app.extensions.get("sessionless_paths")
    if paths is None:
        paths = app.extensions["sessionless_paths"] = _sessionless_paths(app)
    if paths is not _MATCH_EACH:
        return request.path in paths
    try:
        rule, _ = app.create_url_adapter(request).match(return_rule=True)
    except HTTPException:
        return False
    return getattr(app.view_functions.get(rule.endpoint), "sessionless", False)


_MATCH_EACH = object()


def _sessionless_paths(app):
    """The paths of the sessionless views, so a request is told apart without routing it twice; _MATCH_EACH
    when one of those views takes URL arguments (then only the URL map can tell)."""
    rules = [rule for rule in app.url_map.iter_rules()
             if getattr(app.view_functions.get(rule.endpoint), "sessionless", False)]
    if any(rule.arguments for rule in rules):
        return _MATCH_EACH
    return frozenset(rule.rule for rule in rules)


class IframeSessionInterface(SecureCookieSessionInterface):
    """The cookie session, falling back to the request's session token when no cookie came with it."""

    def get_signing_serializer(self, app):
        """Flask's serializer, built once per secret: building one costs a trial dump, and it is needed twice."""
        if not app.secret_key:
            return None
        fingerprint = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = app.extensions.get("session_serializer")
        if cached is None or cached[0] != fingerprint:
            cached = app.extensions["session_serializer"] = (fingerprint, super().get_signing_serializer(app))
        return cached[1]

    def open_session(self, app, request):
        """The cookie's session if it opens a store; otherwise the token's, marked `via_token`."""
        if _is_sessionless(app, request):
            # Machine-to-machine: no cookie is read or set, and the body stays unread for the view.
            return self.make_null_session(app)
        session = super().open_session(app, request)
        if session is None:
            return session
        if session.get("store_code"):
            if still_valid(app, session):
                return session
            # A revoked or too old sign-in: drop it, and have the browser drop the cookie too.
            session = self.session_class()
            session.modified = True
        data = load_token(app, _request_token(request))
        if data is None or (data.get("store_code") and not still_valid(app, data)):
            return session
        # The cookie (if any) knew no store: the token's session replaces it wholesale.
        restored = self.session_class(data)
        restored.via_token = True
        return restored


def sessionless(view):
    """Mark a view that never opens or saves a session (hook deliveries: their raw body is the view's alone)."""
    view.sessionless = True
    return view


def via_token(session):
    """Whether this request's session came from a token rather than the cookie."""
    return getattr(session, "via_token", False)


def sign_in(store):
    """Start a fresh session for `store` in its current epoch (call after the store's changes are committed)."""
    session.clear()
    session["store_code"] = store.code
    session["epoch"] = store.session_epoch
    session["signed_in_at"] = int(time.time())


def session_token():
    """A token for the current session, with a CSRF seed in it so the page's forms verify."""
    generate_csrf()
    return dump_token(current_app, session)


def app_url(endpoint, **values):
    """url_for(), plus the session token when this session lives in a token rather than a cookie."""
    if via_token(session):
        values[TOKEN_PARAM] = session_token()
    return url_for(endpoint, **values)


def init_app(app):
    """Install the session interface and the template helpers that carry the token along."""
    app.session_interface = IframeSessionInterface()

    @app.context_processor
    def _helpers():
        return {"session_token": session_token, "app_url": app_url, "carries_token": via_token(session)}
