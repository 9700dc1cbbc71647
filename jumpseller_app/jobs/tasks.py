"""The jobs, and the per-store single-flight that keeps one dashboard refresh (and one hooks check) per store
queued or running."""

import time

from flask import current_app

from ..extensions import queue
from ..services import hooks, snapshots
from .queue import bound_app, in_app_context

HOOKS_CHECKED_KEY = "hooks.checked_at"


def _refresh_key(store_code):
    return f"refresh.{store_code}"


def _hooks_key(store_code):
    return f"hooks.{store_code}"


@queue.task(name="refresh_snapshot")
@in_app_context
def refresh_snapshot_job(store_code):
    """Fetch a store's dashboard figures from Jumpseller; frees the store's refresh slot whatever happens."""
    try:
        return snapshots.refresh_snapshot(store_code)
    finally:
        queue.delete(_refresh_key(store_code))


def _claim(key):
    """Take a single-flight slot; a slot older than JOBS_REFRESH_TIMEOUT is a lost job's, taken over."""
    now = time.time()
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
    return _queue_once(_refresh_key(store_code), refresh_snapshot_job, store_code)


def _queue_once(key, job, store_code):
    """Queue `job` for the store unless the slot `key` shows one queued or running; True if queued now."""
    if not _claim(key):
        return False
    try:
        job(store_code)
    except Exception:
        queue.delete(key)
        raise
    return True


def is_refreshing(store_code):
    """Whether a refresh of the store is queued or running."""
    return queue.get(_refresh_key(store_code), peek=True) is not None


@queue.task(name="ensure_hooks")
@in_app_context
def ensure_hooks_job(store_code):
    """Create the store's missing hooks; frees the store's hooks slot whatever happens."""
    try:
        return hooks.ensure_hooks(store_code)
    finally:
        queue.delete(_hooks_key(store_code))


def request_hooks(store_code):
    """Queue a hooks check of the store unless one is queued or running (two at once could both create)."""
    return _queue_once(_hooks_key(store_code), ensure_hooks_job, store_code)


def _hooks_due(timestamp):
    # The scheduler asks every JOBS_HEARTBEAT_SECONDS (worker.py); the check is due HOOKS_CHECK_MINUTES after the
    # last one. Stamped here, not in the job, so the checks before the job runs do not queue it again.
    last = queue.get(HOOKS_CHECKED_KEY, peek=True)
    now = time.time()
    if last is not None and now - last < bound_app().config["HOOKS_CHECK_MINUTES"] * 60:
        return False
    queue.put(HOOKS_CHECKED_KEY, now)
    return True


@queue.periodic_task(_hooks_due, name="check_hooks")
@in_app_context
def check_hooks():
    """Queue a hooks check of every active store: Jumpseller drops failing hooks without saying so."""
    for store_code in hooks.active_store_codes():
        request_hooks(store_code)
