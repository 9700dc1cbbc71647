"""The jobs, and the per-store single-flight that keeps one dashboard recompute (and one hooks check) per store
queued or running."""

import logging
import time

from flask import current_app
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR

from ..extensions import queue
from ..services import hooks, lifecycle, snapshots
from . import lifecycle_tasks
from .queue import bound_app, in_app_context

log = logging.getLogger(__name__)

HOOKS_CHECKED_KEY = "hooks.checked_at"
# The jobs that write a store's mirror, by module: when one of them ends (done or failed) for a store, the store's
# dashboard figures are recomputed from what it wrote. Listening here keeps the sync free of dashboard concerns.
MIRROR_JOB_MODULES = ("jumpseller_app.jobs.sync_tasks",)
# Jobs that apply hook deliveries of many stores at once (jobs/inbox_tasks.py): after one, every store whose
# mirror they changed since its last recompute gets one.
MIRROR_BATCH_JOBS = ("drain_inbox",)


def _recompute_key(store_code):
    return f"recompute.{store_code}"


def _hooks_key(store_code):
    return f"hooks.{store_code}"


@queue.task(name="recompute_snapshot")
@in_app_context
def recompute_snapshot_job(store_code):
    """Recompute a store's dashboard figures from its mirror (no Jumpseller call); frees its slot whatever happens."""
    try:
        return snapshots.refresh_snapshot(store_code)
    finally:
        queue.delete(_recompute_key(store_code))


@queue.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)
def _recompute_after_mirror_job(signal, task, *args, **kwargs):
    """After a job that wrote the mirror ends (done or failed), queue the recomputes of the stores it changed.

    Never raises: a signal handler's exception would be taken for the finished job's own failure.
    """
    try:
        if type(task).__module__ in MIRROR_JOB_MODULES and task.args and isinstance(task.args[0], str):
            in_app_context(request_recompute)(task.args[0])
        elif task.name in MIRROR_BATCH_JOBS:
            in_app_context(recompute_after_hooks)()
    except Exception:  # noqa: BLE001 - the figures catch up after the next sync or drain
        log.warning("queueing the dashboard recompute after %s failed", task.name, exc_info=True)


def recompute_after_hooks():
    """Queue a recompute for every store the applied hook deliveries made stale; returns how many were queued."""
    return sum(request_recompute(code) for code in snapshots.stale_after_hooks())


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


def request_recompute(store_code):
    """Queue a recompute of the store's figures unless one is already queued (a cheap, database-only job)."""
    return _queue_once(_recompute_key(store_code), recompute_snapshot_job, store_code)


def _queue_once(key, job, store_code):
    """Queue `job` for the store unless the slot `key` shows one queued or running; True if queued now.

    A store that is not active (disconnected, uninstalled) gets no job at all: lifecycle.is_active decides.
    """
    if not lifecycle.is_active_code(store_code):
        return False
    if not _claim(key):
        return False
    try:
        job(store_code)
    except Exception:
        queue.delete(key)
        raise
    return True


@queue.task(name="ensure_hooks")
@in_app_context
def ensure_hooks_job(store_code):
    """Create the store's missing hooks; frees the store's hooks slot whatever happens."""
    try:
        outcome = hooks.ensure_hooks(store_code)
    finally:
        queue.delete(_hooks_key(store_code))
    if outcome.error is not None:
        lifecycle_tasks.on_api_error(store_code, outcome.error)
    return outcome


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
