"""Connecting a store with Basic auth (login + authtoken) instead of OAuth2.

BASIC_CONNECT decides who sees the form: `off` (nobody; the `connect-basic` CLI command still works),
`owner` (only a session signed in as a store, for that store) or `open` (anyone, but a store connected
through the OAuth install is still switched only by a session signed in as it). Posts are throttled per
client IP: each one spends a call of the app's own rate limit at Jumpseller.
"""

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from ..extensions import limiter
from ..services import connect as connect_service
from ..sessions import sign_in

bp = Blueprint("connect", __name__, url_prefix="/connect")

FIELDS = ("login", "authtoken", "client_id", "client_secret", "refresh_token")


def form_enabled(config):
    """Whether this deployment offers the Basic-auth form at all."""
    return config["BASIC_CONNECT"] != "off"


@bp.before_request
def _only_when_enabled():
    mode = current_app.config["BASIC_CONNECT"]
    if mode == "off" or (mode == "owner" and not session.get("store_code")):
        abort(404)


@bp.route("/basic", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["BASIC_CONNECT_RATE_LIMIT"], methods=["POST"])
def basic():
    """Show the form; on POST verify the credentials with Jumpseller and store them encrypted."""
    if request.method == "GET":
        return render_template("connect_basic.html", error=None, field=None, login="")
    values = {name: request.form.get(name, "") for name in FIELDS}
    try:
        store = connect_service.connect_basic(**values, signed_in_as=session.get("store_code"),
                                              owner_only=current_app.config["BASIC_CONNECT"] == "owner")
    except connect_service.ConnectError as exc:
        # Only the login is echoed back; secrets are never put back into the page.
        return render_template("connect_basic.html", error=str(exc), field=exc.field,
                               login=values["login"][:128]), exc.status
    sign_in(store)
    return redirect(url_for("main.index"))
