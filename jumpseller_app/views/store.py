"""The Store page: the store's information and its locations as Jumpseller last sent them (cart.info).

The page reads what the last refresh stored (services/documents.py); its Refresh button queues the fetch.
"""

from flask import Blueprint, g, render_template
from flask_babel import lazy_gettext as _l

from .. import features
from ..jumpseller import scopes
from ..services import documents
from ..sessions import app_url
from ..web import navigation
from ..web import documents as refresh_state
from ..web.current_store import store_required

bp = Blueprint("store", __name__, url_prefix="/store")
navigation.add("store.index", _l("Store"), order=70)


@bp.get("")
@store_required
def index():
    """Store information and locations, with when each was fetched."""
    return render_template("store/index.html", info=documents.item(g.store.id, documents.STORE_INFO),
                           locations=documents.items(g.store.id, documents.LOCATIONS),
                           info_state=refresh_state.state(documents.STORE_INFO),
                           locations_state=refresh_state.state(documents.LOCATIONS),
                           permissions=features.blocked(g.store, (scopes.STORE,)))


@bp.post("/refresh/<any(store_info, locations):kind>")
@store_required
def refresh(kind):
    """Fetch the store information or the locations again (a job)."""
    return refresh_state.refresh(kind, back=app_url("store.index"))
