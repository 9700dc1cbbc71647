"""The root route: what the merchant sees inside the Jumpseller admin (dashboard, settings, connection)."""

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from .. import charts
from ..models import StoreStatus
from ..services import app_settings, connection, snapshots, stores
from ..sessions import TOKEN_PARAM, app_url, via_token

bp = Blueprint("main", __name__)


@bp.before_app_request
def _load_store():
    code = session.get("store_code")
    store = stores.load_store(code) if code else None
    # A disconnected store's old sessions and tokens open nothing.
    g.store = store if store is not None and store.status != StoreStatus.DISCONNECTED else None


@bp.app_template_filter("money")
def _money(value, currency=""):
    return f"{charts.money(value)} {currency}".strip()


def _page(*, settings=None, errors=None, status=200):
    store = g.store
    snapshot = snapshots.snapshot_of(store)
    chart = charts.orders_and_sales(snapshot.daily or [])
    page = render_template(
        "index.html", store=store, snapshot=snapshot, chart=chart, chart_marks=charts.svg_marks(chart, store.currency),
        settings=settings or app_settings.current(store), errors=errors or {},
        connection=connection.status(store), locales=app_settings.LOCALES,
        saved=request.args.get("saved") == "1", refreshed=request.args.get("refreshed"),
    )
    return page, status


@bp.get("/")
def index():
    """The store's dashboard and settings when signed in, otherwise the Connect page."""
    if g.store is None:
        return render_template("connect.html", reconnect=request.args.get("reconnect") == "1")
    if TOKEN_PARAM in request.args and not via_token(session):
        # The cookie stuck: drop the token from the address so it does not linger in history.
        return redirect(url_for("main.index"))
    return _page()


def _require_store():
    if g.store is None:
        return redirect(url_for("main.index", reconnect="1"))
    return None


@bp.post("/settings")
def save_settings():
    """Validate and save the store's settings; errors are shown next to their fields."""
    if (response := _require_store()) is not None:
        return response
    try:
        app_settings.save(g.store, request.form)
    except app_settings.SettingsInvalid as exc:
        return _page(settings=exc.values, errors=exc.errors, status=422)
    return redirect(app_url("main.index", saved="1", _anchor="settings"))


@bp.post("/refresh")
def refresh():
    """Fetch fresh figures from Jumpseller now; on failure the cached ones stay, with a note."""
    if (response := _require_store()) is not None:
        return response
    problems = snapshots.refresh_quietly(g.store)
    return redirect(app_url("main.index", refreshed="partial" if problems else "ok"))


@bp.post("/disconnect")
def disconnect():
    """Forget the store's credentials and end this session."""
    if (response := _require_store()) is not None:
        return response
    connection.disconnect(g.store)
    session.clear()
    return redirect(url_for("main.index"))


@bp.get("/healthz")
def healthz():
    """Liveness for the platform's health checks."""
    return {"status": "ok"}
