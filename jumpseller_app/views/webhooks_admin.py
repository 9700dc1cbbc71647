"""The Webhooks page: the last 24 h of hook deliveries, failures and dead letters, with replay.

It reads the database only (never Jumpseller), and never a delivery's body: that is personal data.
"""

from flask import Blueprint, g, redirect, render_template, request

from ..services import inbox
from ..sessions import app_url
from ..web.current_store import store_required

bp = Blueprint("webhooks_admin", __name__, url_prefix="/webhooks-log")


def _page(notice=None, status=200):
    return render_template("webhooks_log.html", store=g.store, log=inbox.log_summary(g.store.id),
                           notice=notice), status


@bp.get("/")
@store_required
def index():
    """The signed-in store's deliveries of the log window, counted by status, with its failures listed."""
    return _page(notice="queued" if request.args.get("replayed") == "1" else None)


@bp.post("/<int:event_id>/replay")
@store_required
def replay(event_id):
    """Put one of the store's failed or dead deliveries back in line; another store's row is refused alike
    (404: the page does not say whether the row exists)."""
    try:
        inbox.replay(g.store, event_id)
    except inbox.ReplayRefused:
        return _page(notice="refused", status=404)
    return redirect(app_url("webhooks_admin.index", replayed="1"))
