"""The jobs, and the per-store single-flight that keeps one dashboard refresh per store queued or running."""

import time

from flask import current_app

from ..extensions import queue
from ..services import snapshots
from .queue import in_app_context


def _refresh_key(store_code):
    return f"refresh.{store_code}"


@queue.task(name="refresh_snapshot")
@in_app_context
def refresh_snapshot_job(store_code):
    """Fetch a store's dashboard figures from Jumpseller; frees the store's refresh slot whatever happens."""
    try:
        return snapshots.refresh_snapshot(store_code)
    finally:
        queue.delete(_refresh_key(store_code))


def _claim(store_code):
    """Take the store's refresh slot; a slot older than JOBS_REFRESH_TIMEOUT is a lost job's, taken over."""
    key, now = _refresh_key(store_code), time.time()
    if queue.put_if_empty(key, now):
        return True
    since = queue.get(key, peek=True)
    if since is not None and now - since < current_app.config["JOBS_REFRESH_TIMEOUT"]:
        return False
    # The worker died mid-job (or the job was lost): without this the store could never refresh again.
    queue.delete(key)
    return queue.put_if_empty(key, now)


def request_refresh(store_code):
    """Queue a refresh of the store's figures unless one is already queued or running; True if queued now."""
    if not _claim(store_code):
        return False
    try:
        refresh_snapshot_job(store_code)
    except Exception:
        queue.delete(_refresh_key(store_code))
        raise
    return True


def is_refreshing(store_code):
    """Whether a refresh of the store is queued or running."""
    return queue.get(_refresh_key(store_code), peek=True) is not None
