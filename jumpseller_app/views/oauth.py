"""The OAuth2 install: /oauth/install starts it, /oauth/callback is the Redirect URL registered with Jumpseller."""

from flask import Blueprint, redirect, render_template, request, session

from ..services import install

bp = Blueprint("oauth", __name__, url_prefix="/oauth")


def _opened_by_the_app():
    """Whether this navigation was started by the app's own page (its iframe opening the install popup).

    A handoff link sent by someone else (an email, another site) must not bind: otherwise whoever made the
    secret could have the merchant install, then claim a session for the merchant's store.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    referrer = request.referrer or ""
    return referrer.startswith(request.host_url)


@bp.get("/install")
def start():
    """Send the merchant to Jumpseller to approve the app's scopes."""
    handoff_hash = request.args.get("handoff") if _opened_by_the_app() else None
    return redirect(install.start_install(next_path=request.args.get("next", "/"), handoff_hash=handoff_hash))


@bp.get("/callback")
def callback():
    """Finish the install: check state, exchange the code, store the tokens, sign the merchant in."""
    error = request.args.get("error")
    if error:
        # Burn the state so the same link cannot be replayed after a denial.
        install.abandon(request.args.get("state", ""))
        if error == "access_denied":
            return render_template("access_denied.html"), 200
        return render_template("error.html", title="Install failed",
                               message="Jumpseller did not authorize the app. Start the install again."), 400
    try:
        store, pending = install.complete_install(state=request.args.get("state", ""),
                                                  code=request.args.get("code", ""))
    except install.InstallError as exc:
        return render_template("error.html", title="Install failed", message=exc.public_message,
                               retry_url="/oauth/install"), exc.status
    session.clear()
    session["store_code"] = store.code
    if pending.handoff_hash:
        # Opened as a popup by the admin iframe, which now claims its own session; this window is done.
        return render_template("connected.html", store=store)
    return redirect(pending.next_path)
