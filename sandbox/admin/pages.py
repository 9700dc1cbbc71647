"""A stand-in for the Jumpseller store admin: sidebar, Apps gallery, and the App URL framed like the real one."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..config import DEFAULT_APP_URL
from ..web import current_state, logged_in_store

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def app_url() -> str:
    """The App URL the admin frames (option `app_url`)."""
    return getattr(current_state().config, "app_url", None) or DEFAULT_APP_URL


def _page(template: str, **context):
    state = current_state()
    store = logged_in_store(state, request)
    return render_template(template, store=store, stores=list(state.stores.values()), **context)


@bp.get("")
@bp.get("/")
def home():
    """The admin's home: the logged-in store at a glance."""
    store = logged_in_store(current_state(), request)
    with current_state().lock:
        products = store.catalog.count()
    return _page("admin/home.html", section="home", product_count=products)


@bp.get("/apps")
def apps():
    """The Apps gallery: every registered OAuth application, with Open and Install."""
    clients = list(current_state().accounts.clients.values())
    return _page("admin/apps.html", section="apps", clients=clients, app_url=app_url())


@bp.get("/apps/<client_id>")
def open_app(client_id: str):
    """The app's page: its App URL in an iframe, on another site than this admin (as in production)."""
    client = current_state().accounts.clients.get(client_id)
    if client is None:
        abort(404)
    return _page("admin/app.html", section="apps", client=client, app_url=app_url())


@bp.post("/apps/<client_id>/uninstall")
def uninstall_app(client_id: str):
    """The merchant uninstalls the app from the logged-in store: its tokens stop working, install_status says
    so, and the app is told nothing (as on Jumpseller)."""
    state = current_state()
    if client_id not in state.accounts.clients:
        abort(404)
    state.accounts.uninstall(client_id, logged_in_store(state, request).code)
    return redirect(url_for("admin.apps"))
