"""The sync page: the mirror's progress, and the button that starts a full sync.

Both pages read the database only (the checkpoints the sync commits after every page), so they answer at once
however slow Jumpseller is; the button only queues a job.
"""

from flask import Blueprint, current_app, g, redirect, render_template
from flask_babel import lazy_gettext as _l

from .. import page_cache
from ..jobs import sync_tasks
from ..services import sync_progress
from ..sessions import app_url
from ..web import navigation
from ..web.current_store import store_required

bp = Blueprint("sync", __name__, url_prefix="/sync")
navigation.add("sync.page", _l("Sync"), order=90)


def _progress():
    progress = sync_progress.progress_of(g.store.id)
    # A queued sync has written nothing yet: it still counts as under way for the page and its polling.
    progress["queued"] = sync_tasks.is_syncing(g.store.code)
    progress["running"] = progress["running"] or progress["queued"]
    return progress


@bp.get("/")
@bp.get("")          # registered first (decorators apply bottom-up): url_for builds /sync
@store_required
def page():
    """Progress per resource and overall, the last errors, and the Full sync button."""
    return render_template("sync.html", store=g.store, progress=_progress())


@bp.get("/progress.json")
@store_required
def progress_json():
    """The same progress for the page's polling while a sync runs."""
    response = current_app.json.response(sync_progress.as_json(_progress()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/full")
@store_required
def full():
    """Queue a full sync (one per store at a time); the page then shows its progress."""
    page_cache.of(current_app).forget(g.store.id)     # the dashboard's sync bar appears at once
    sync_tasks.request_sync(g.store.code, "full")
    return redirect(app_url("sync.page"))
