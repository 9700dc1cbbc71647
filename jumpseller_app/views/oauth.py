"""The OAuth2 install: /oauth/install starts it, /oauth/callback is the Redirect URL registered with Jumpseller."""

from flask import Blueprint, redirect, render_template, request, session

from ..services import install

bp = Blueprint("oauth", __name__, url_prefix="/oauth")


@bp.get("/install")
def start():
    """Send the merchant to Jumpseller to approve the app's scopes."""
    return redirect(install.start_install(next_path=request.args.get("next", "/"),
                                          handoff_hash=request.args.get("handoff")))


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
