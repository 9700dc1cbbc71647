"""The iframe's session: a Partitioned cookie when the browser keeps it, else a signed token the page carries.

Inside the Jumpseller admin the app is a third-party frame. Browsers that block even Partitioned cookies leave
the app with no cookie at all, so the session can also travel as a short-lived signed token (`t`) that the
app's own links, forms and fetches carry. Both hold the same data: the store code and the CSRF seed.
"""

from flask import current_app, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

TOKEN_SALT = "iframe-session-token"
TOKEN_MAX_AGE = 3600
TOKEN_PARAM = "t"
TOKEN_HEADER = "X-Session-Token"
# Only what the iframe needs travels in a token; anything else stays cookie-only.
TOKEN_KEYS = ("store_code", "csrf_token")


def token_serializer(app):
    """The signer for session tokens (its own salt: a session cookie is not a token, nor the reverse)."""
    return URLSafeTimedSerializer(app.secret_key, salt=TOKEN_SALT)


def dump_token(app, session):
    """A signed token carrying the session's store and CSRF seed."""
    return token_serializer(app).dumps({k: session[k] for k in TOKEN_KEYS if k in session})


def load_token(app, token):
    """The data of a valid, unexpired token, or None."""
    if not token or len(token) > 2000:
        return None
    try:
        data = token_serializer(app).loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return None
    return {k: v for k, v in data.items() if k in TOKEN_KEYS} if isinstance(data, dict) else None


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
        """The cookie's session if it names a store; otherwise the token's, marked `via_token`."""
        session = super().open_session(app, request)
        if session is None or session.get("store_code"):
            return session
        data = load_token(app, _request_token(request))
        if data is None:
            return session
        # The cookie (if any) knew no store: the token's session replaces it wholesale.
        restored = self.session_class(data)
        restored.via_token = True
        return restored


def via_token(session):
    """Whether this request's session came from a token rather than the cookie."""
    return getattr(session, "via_token", False)


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
