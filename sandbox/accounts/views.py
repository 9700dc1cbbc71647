"""The accounts.jumpseller.com side: Doorkeeper-like authorize, token, token info and revoke."""
from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

from flask import Blueprint, redirect, render_template, request, url_for

from ..behaviour import fault_http
from ..web import bearer_token, current_state, json_response, logged_in_store, no_store
from .scopes import ALL_SCOPES, describe
from .state import OAuthError

bp = Blueprint("oauth", __name__)

OOB_URI = "urn:ietf:wg:oauth:2.0:oob"
_PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class _ErrorPage(Exception):
    """An authorize error that must be shown, never redirected (bad client or redirect URI)."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error, self.description = error, description


class _RedirectError(Exception):
    """An authorize error that is safe to send back to the (verified) redirect URI."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error, self.description = error, description


def _pre_authorize(params) -> dict:
    """Validate authorize parameters in Doorkeeper's order; returns the accepted request."""
    state = current_state()
    client = state.accounts.clients.get(params.get("client_id", ""))
    if client is None:
        raise _ErrorPage("invalid_client", "Client authentication failed due to unknown client, "
                         "no client authentication included, or unsupported authentication method.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        raise _ErrorPage("invalid_request", "Missing required parameter: redirect_uri.")
    if redirect_uri not in client.redirect_uris:
        raise _ErrorPage("invalid_redirect_uri",
                         "The requested redirect uri is malformed or doesn't match client redirect URI.")
    accepted = {"client": client, "redirect_uri": redirect_uri, "state": params.get("state")}
    if params.get("response_type") != "code":
        raise _RedirectError("unsupported_response_type",
                             "The authorization server does not support this response type.")
    scopes = tuple(dict.fromkeys(params.get("scope", "").split()))
    if not scopes or not set(scopes) <= ALL_SCOPES:
        raise _RedirectError("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or None
    if challenge is None and method is not None:
        raise _RedirectError("invalid_request", "Missing required parameter: code_challenge.")
    if challenge is not None:
        if method != "S256":
            raise _RedirectError("invalid_request", "code_challenge_method must be S256 (plain is not accepted).")
        if not _PKCE_CHALLENGE.match(challenge):
            raise _RedirectError("invalid_request", "code_challenge is malformed.")
    accepted.update(scopes=scopes, code_challenge=challenge, code_challenge_method=method)
    return accepted


def _back_to_client(redirect_uri: str, params: dict):
    """Redirect to the client with params appended to any query it already has."""
    if redirect_uri == OOB_URI:
        # Doorkeeper's out-of-band flow shows the code (or error) on its own page.
        return redirect(url_for("oauth.native", **params))
    parts = urlsplit(redirect_uri)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return redirect(urlunsplit(parts._replace(query=query)), code=302)


def _with_state(accepted: dict, params: dict) -> dict:
    if accepted.get("state") is not None:
        params["state"] = accepted["state"]
    return params


def _grant(accepted: dict, store):
    code = current_state().accounts.issue_code(accepted["client"], accepted["redirect_uri"], store.code,
                                      accepted["scopes"], accepted["code_challenge"])
    return _back_to_client(accepted["redirect_uri"], _with_state(accepted, {"code": code}))


def _error_page(error: _ErrorPage):
    return render_template("sandbox/error.html", error=error.error, description=error.description), 400


def _accept(params):
    """(the accepted authorize request, None), or (None, the error page or redirect to answer with)."""
    try:
        return _pre_authorize(params), None
    except _ErrorPage as exc:
        return None, _error_page(exc)
    except _RedirectError as exc:
        return None, _back_to_client(params["redirect_uri"], _with_state(
            {"state": params.get("state")}, {"error": exc.error, "error_description": exc.description}))


@bp.get("/oauth/authorize")
def authorize():
    """Show the consent page, or skip it (auto-approve / an existing covering grant)."""
    state = current_state()
    accepted, answer = _accept(request.args)
    if answer is not None:
        return answer
    store = logged_in_store(state, request)
    if state.config.auto_approve or state.accounts.has_active_grant(accepted["client"].client_id, store.code,
                                                                    accepted["scopes"]):
        state.accounts.count_authorization("skipped")
        return _grant(accepted, store)
    return render_template(
        "sandbox/consent.html", client=accepted["client"], store=store, stores=list(state.stores.values()),
        scopes=[(s, describe(s)) for s in accepted["scopes"]], params=request.args,
        fields=("client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge",
                "code_challenge_method"),
    )


@bp.post("/oauth/authorize")
def decide():
    """The consent form's answer: approve → code, deny → access_denied."""
    state = current_state()
    accepted, answer = _accept(request.form)
    if answer is not None:
        return answer
    decision = request.form.get("decision")
    if decision == "deny":
        state.accounts.count_authorization("denied")
        return _back_to_client(accepted["redirect_uri"], _with_state(accepted, {
            "error": "access_denied",
            "error_description": "The resource owner or authorization server denied the request.",
        }))
    if decision != "approve":
        return _error_page(_ErrorPage("invalid_request", "decision must be approve or deny."))
    store = state.stores.get(request.form.get("store", "")) or logged_in_store(state, request)
    state.accounts.count_authorization("approved")
    return _grant(accepted, store)


@bp.get("/oauth/authorize/native")
def native():
    """The out-of-band page (redirect_uri urn:ietf:wg:oauth:2.0:oob) showing the code."""
    return render_template("sandbox/native.html", code=request.args.get("code"),
                           error=request.args.get("error"), description=request.args.get("error_description"))


def _client_credentials() -> tuple[str | None, str | None]:
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        # client_secret_basic: RFC 6749 §2.3.1 form-encodes both parts before base64.
        return unquote_plus(auth.username or ""), unquote_plus(auth.password or "")
    return request.form.get("client_id"), request.form.get("client_secret")


@bp.before_request
def _token_faults():
    """Faults reach the token and revocation endpoints only with include_token_endpoint (before the grant is
    used or the token revoked)."""
    if request.endpoint not in ("oauth.token", "oauth.revoke"):
        return None
    faults = current_state().behaviour.faults
    fault_http.delay(faults, token_endpoint=True)
    return fault_http.inject(faults, token_endpoint=True)


@bp.after_request
def _token_drop_after(response):
    """drop_after on the token endpoint: the grant was used (a refresh rotated), the client never hears."""
    return fault_http.finish(response) if request.endpoint == "oauth.token" else response


@bp.post("/oauth/token")
def token():
    """Exchange a code or rotate a refresh token."""
    state = current_state()
    is_form = request.mimetype in _FORM_TYPES
    grant_type = request.form.get("grant_type") if is_form else None
    state.accounts.count_token_request(grant_type or "")
    try:
        if not is_form:
            raise OAuthError("invalid_request", "The request must be application/x-www-form-urlencoded.")
        if not grant_type:
            raise OAuthError("invalid_request", "Missing required parameter: grant_type.")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError("unsupported_grant_type",
                             "The authorization grant type is not supported by the authorization server.")
        client = state.accounts.authenticate_client(*_client_credentials())
        if grant_type == "authorization_code":
            pair = state.accounts.exchange_code(client, request.form.get("code"), request.form.get("redirect_uri"),
                                       request.form.get("code_verifier"))
        else:
            pair = state.accounts.refresh(client, request.form.get("refresh_token"), request.form.get("scope"))
    except OAuthError as exc:
        headers = {}
        if exc.status == 401:
            headers["WWW-Authenticate"] = f'Basic realm="Doorkeeper", error="{exc.error}"'
        return no_store(json_response(exc.body(), exc.status, headers))
    return no_store(json_response(pair.response(include_scope=state.config.token_scope == "include")))


def invalid_token_response(description: str):
    """Doorkeeper's 401 for a missing, unknown, revoked or expired access token."""
    return json_response(
        {"error": "invalid_token", "error_description": description},
        401,
        {"WWW-Authenticate": f'Bearer realm="Doorkeeper", error="invalid_token", error_description="{description}"'},
    )


@bp.get("/oauth/token/info")
def token_info():
    """Doorkeeper's token introspection for the Bearer token presented."""
    state = current_state()
    access = bearer_token(request)
    found, problem = state.accounts.bearer(access) if access else (None, "The access token is invalid")
    if found is None:
        return no_store(invalid_token_response(problem))
    state.accounts.mark_used(found)
    store = state.stores[found.store_code]
    return no_store(json_response({
        "resource_owner_id": store.id,
        "scope": list(found.scopes),
        "expires_in": max(0, int(found.expires_at - state.now())),
        "application": {"uid": found.client_id},
        "created_at": int(found.created_at),
    }))


@bp.post("/oauth/revoke")
def revoke():
    """RFC 7009 revocation of an access or refresh token belonging to the authenticated client."""
    state = current_state()
    if request.mimetype not in _FORM_TYPES:
        return json_response({"error": "invalid_request", "error_description": "Form body required."}, 400)
    try:
        client = state.accounts.authenticate_client(*_client_credentials())
    except OAuthError as exc:
        return json_response(exc.body(), exc.status)
    state.accounts.revoke_token(client, request.form.get("token", ""))
    return json_response({})
