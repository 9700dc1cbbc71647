"""The root route: what the merchant sees inside the Jumpseller admin."""

from flask import Blueprint, g, render_template, session

from ..services import stores

bp = Blueprint("main", __name__)


@bp.before_app_request
def _load_store():
    code = session.get("store_code")
    g.store = stores.get_store(code) if code else None


@bp.get("/")
def index():
    """The store's page when signed in, otherwise the Connect page."""
    if g.store is None:
        return render_template("connect.html")
    return render_template("index.html", store=g.store)


@bp.get("/healthz")
def healthz():
    """Liveness for the platform's health checks."""
    return {"status": "ok"}
