"""The root route: what the merchant sees inside the Jumpseller admin (dashboard, settings, connection)."""

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf

from .. import charts, features, i18n, page_cache
from ..jobs import heartbeat, sync_tasks
from ..services import app_settings, connection, snapshots, stores
from ..sessions import TOKEN_PARAM, app_url, session_token, via_token
from ..web import current_store, navigation
from ..web.current_store import store_required

bp = Blueprint("main", __name__)
navigation.add("main.index", _l("Dashboard"), order=0)


@bp.before_app_request
def _load_store():
    # A read-only view is enough to render pages; views that change the store load the ORM object.
    current_store.load()


@bp.app_template_filter("money")
def _money(value, currency=""):
    return f"{charts.money(value, currency)} {currency}".strip()


def _render(store, conn, *, settings, errors, saved, **extra):
    """index.html for `store`; `extra` may override template callables (the cache's token markers)."""
    snapshot = snapshots.snapshot_of(store)
    chart = charts.orders_and_sales(snapshot.daily or [], store.currency)
    return render_template(
        "index.html", store=store, snapshot=snapshot, chart=chart, chart_marks=charts.svg_marks(chart, store.currency),
        settings=settings or app_settings.current(store), errors=errors or {}, connection=conn,
        permissions=features.blocked(store), locales=i18n.LOCALES, saved=saved, **extra,
    )


def _page(store, *, settings=None, errors=None, status=200):
    """The dashboard and settings page, from the per-process page cache unless it echoes a submitted form."""
    conn = connection.status(store)
    # Read apart from the store's row: the worker's state changes without touching it.
    jobs = {"syncing": sync_tasks.is_syncing(store.code), "worker_age": heartbeat.worker_age()}
    saved = request.args.get("saved") == "1"
    if errors or settings is not None:
        # A rejected form echoes what was typed: rendered afresh, never cached.
        return _render(store, conn, settings=settings, errors=errors, saved=saved,
                       jobs=jobs), status
    expires_in = conn["expires_in"]
    # Everything the page depends on besides its tokens: the store's whole row (so any change from any process
    # is a new key), the language, the token mode, the notices, and the minutes left on the access token.
    key = (store.id, store.stamp, i18n.select_locale(), request.script_root, via_token(session), saved,
           jobs["syncing"], jobs["worker_age"],
           None if expires_in is None else expires_in // 60)
    cache = page_cache.of(current_app)
    parts = cache.get(key)
    if parts is None:
        parts = page_cache.split(_render(store, conn, settings=None, errors=None, saved=saved,
                                         jobs=jobs, **page_cache.marker_functions()))
        cache.put(key, parts)
    return page_cache.fill(parts, {"csrf_token": generate_csrf, "session_token": session_token}), status


@bp.get("/")
def index():
    """The store's dashboard and settings when signed in, otherwise the Connect page."""
    if g.store is None:
        return render_template("connect.html", reconnect=request.args.get("reconnect") == "1")
    if TOKEN_PARAM in request.args and not via_token(session):
        # The cookie stuck: drop the token from the address so it does not linger in history.
        return redirect(url_for("main.index"))
    return _page(g.store)


def _editable_store():
    """The signed-in store as an ORM object, to change it; its cached pages are dropped in this process."""
    page_cache.of(current_app).forget(g.store.id)
    return stores.load_store(g.store.code)


@bp.post("/settings")
@store_required
def save_settings():
    """Validate and save the store's settings; errors are shown next to their fields."""
    store = _editable_store()
    try:
        app_settings.save(store, request.form)
    except app_settings.SettingsInvalid as exc:
        return _page(store, settings=exc.values, errors=exc.errors, status=422)
    return redirect(app_url("main.index", saved="1", _anchor="settings"))


@bp.post("/refresh")
@store_required
def refresh():
    """Queue an incremental sync (new orders and products; one sync per store at a time) and answer at once.

    The figures follow from the mirror when the sync ends; the page never waits on Jumpseller.
    """
    page_cache.of(current_app).forget(g.store.id)
    sync_tasks.request_sync(g.store.code, "incremental")
    return redirect(app_url("main.index"))


@bp.post("/disconnect")
@store_required
def disconnect():
    """Forget the store's credentials and end this session."""
    connection.disconnect(_editable_store())
    session.clear()
    return redirect(url_for("main.index"))


@bp.get("/healthz")
def healthz():
    """Liveness for the platform's health checks."""
    return {"status": "ok"}
