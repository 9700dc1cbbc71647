"""Connecting a store with Basic auth (login + authtoken) instead of OAuth2."""

from flask import Blueprint, redirect, render_template, request, session, url_for

from ..services import connect as connect_service

bp = Blueprint("connect", __name__, url_prefix="/connect")

FIELDS = ("login", "authtoken", "client_id", "client_secret", "refresh_token")


@bp.route("/basic", methods=["GET", "POST"])
def basic():
    """Show the form; on POST verify the credentials with Jumpseller and store them encrypted."""
    if request.method == "GET":
        return render_template("connect_basic.html", error=None, field=None, login="")
    values = {name: request.form.get(name, "") for name in FIELDS}
    try:
        store = connect_service.connect_basic(**values)
    except connect_service.ConnectError as exc:
        # Only the login is echoed back; secrets are never put back into the page.
        return render_template("connect_basic.html", error=str(exc), field=exc.field,
                               login=values["login"][:128]), 400
    session.clear()
    session["store_code"] = store.code
    return redirect(url_for("main.index"))
