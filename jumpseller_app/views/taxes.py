"""The Taxes pages: the store's tax classes and one tax's details, as Jumpseller last sent them.

Jumpseller's API lists, reads and creates taxes (no update or delete); this app offers the reads. The pages read
what the last refresh stored (services/documents.py); the Refresh button queues the fetch.
"""

from flask import Blueprint, abort, g, render_template
from flask_babel import lazy_gettext as _l

from .. import features
from ..jumpseller import scopes
from ..services import documents
from ..sessions import app_url
from ..web import documents as refresh_state
from ..web import navigation
from ..web.current_store import store_required

bp = Blueprint("taxes", __name__, url_prefix="/taxes")
navigation.add("taxes.index", _l("Taxes"), order=60)


@bp.get("")
@store_required
def index():
    """Every tax class of the store."""
    return render_template("taxes/index.html", taxes=documents.items(g.store.id, documents.TAXES),
                           state=refresh_state.state(documents.TAXES),
                           permissions=features.blocked(g.store, (scopes.TAXES,)))


@bp.get("/<int:remote_id>")
@store_required
def show(remote_id):
    """One tax class."""
    tax = documents.item(g.store.id, documents.TAXES, remote_id)
    if tax is None:
        abort(404)
    return render_template("taxes/show.html", tax=tax, state=refresh_state.state(documents.TAXES))


@bp.post("/refresh")
@store_required
def refresh():
    return refresh_state.refresh(documents.TAXES, back=app_url("taxes.index"))
