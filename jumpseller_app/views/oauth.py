"""The OAuth2 install: /oauth/install starts it, /oauth/callback is the Redirect URL registered with Jumpseller.

Each install is bound to the browser that started it: /oauth/install leaves a random nonce in a first-party
SameSite=Lax cookie (scoped to /oauth) and keeps its hash with the pending state; the callback finishes only
in a browser that brings the same nonce back. An authorize link someone else started, mailed to a merchant
whom Jumpseller then approves silently, therefore installs nothing, signs nobody in and binds no handoff.
"""

from flask import Blueprint, current_app, redirect, render_template, request

from ..extensions import limiter
from ..services import install
from ..sessions import sign_in

bp = Blueprint("oauth", __name__, url_prefix="/oauth")

NONCE_COOKIE = "js_app_install"


def _browser_nonce():
    """This browser's install nonce, if it brought a well-formed one."""
    return install.valid_nonce(request.cookies.get(NONCE_COOKIE))


@bp.get("/install")
@limiter.limit(lambda: current_app.config["INSTALL_RATE_LIMIT"])
def start():
    """Send the merchant to Jumpseller to approve the app's scopes, remembering which browser asked."""
    # One nonce per browser, reused while it lasts: two installs started in one browser both stay completable.
    nonce = _browser_nonce() or install.new_browser_nonce()
    url = install.start_install(browser_nonce=nonce, next_path=request.args.get("next", "/"),
                                handoff_hash=request.args.get("handoff"))
    response = redirect(url)
    # Lax: sent on the top-level redirect back from Jumpseller, never on another site's subrequests or POSTs.
    response.set_cookie(NONCE_COOKIE, nonce, max_age=int(install.STATE_TTL.total_seconds()), path=bp.url_prefix,
                        secure=True, httponly=True, samesite="Lax")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/callback")
def callback():
    """Finish the install: check state and browser, exchange the code, store the tokens, sign the merchant in."""
    error = request.args.get("error")
    if error:
        # Burn the state so the same link cannot be replayed after a denial.
        install.abandon(request.args.get("state", ""), browser_nonce=_browser_nonce())
        if error == "access_denied":
            return render_template("access_denied.html"), 200
        return render_template("error.html", title="Install failed",
                               message="Jumpseller did not authorize the app. Start the install again."), 400
    try:
        store, pending = install.complete_install(state=request.args.get("state", ""),
                                                  code=request.args.get("code", ""), browser_nonce=_browser_nonce())
    except install.InstallError as exc:
        return render_template("error.html", title="Install failed", message=exc.public_message,
                               retry_url="/oauth/install"), exc.status
    sign_in(store)
    if pending.handoff_hash:
        # Opened as a popup by the admin iframe, which now claims its own session; this window is done.
        return render_template("connected.html", store=store)
    return redirect(pending.next_path)
