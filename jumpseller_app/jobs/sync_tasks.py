"""The sync job, its per-store single-flight, and the periodic reconciliation of every active store.

One slot per store covers every mode: a full pass and a reconciliation of the same store at once would walk the
same pages twice and fight over the checkpoints. The running job stamps the slot after each page, so a long
full pass of a big store is not mistaken for a lost job (tasks._claim frees slots older than
JOBS_REFRESH_TIMEOUT), while a worker killed mid-sync frees it after that timeout; the next run resumes from
the checkpoints.
"""

import functools
import logging
import time

from ..extensions import queue
from ..services import hooks, sync
from ..services.clients import UnknownStore
from . import lifecycle_tasks
from .queue import bound_app, in_app_context
from .tasks import _queue_once

log = logging.getLogger(__name__)

RECONCILED_KEY = "sync.reconciled_at"


def _sync_key(store_code):
    return f"sync.{store_code}"


@queue.task(name="sync_store")
@in_app_context
def sync_job(store_code, mode="full"):
    """Run a sync of the store; frees the store's sync slot whatever happens."""
    key = _sync_key(store_code)

    def keep_slot(resource, pages_done, pages_total):
        queue.put(key, time.time())

    try:
        result = sync.run_sync(store_code, mode, progress=keep_slot)
    except UnknownStore:
        log.info("sync of %s skipped: not connected", store_code)
        return None
    finally:
        queue.delete(key)
    if result.auth_error is not None:
        lifecycle_tasks.on_api_error(store_code, result.auth_error)
    return {"ok": result.ok, "reauth": result.reauth}


def request_sync(store_code, mode="full"):
    """Queue a sync of the store (mode full, incremental or reconcile) unless one is already queued or running;
    True if queued now."""
    if mode not in sync.MODES:
        raise ValueError(f"mode must be one of {', '.join(sync.MODES)}")
    return _queue_once(_sync_key(store_code), functools.partial(sync_job, mode=mode), store_code)


def is_syncing(store_code):
    """Whether a sync of the store is queued or running."""
    return queue.get(_sync_key(store_code), peek=True) is not None


def _reconcile_due(timestamp):
    # Checked every JOBS_HEARTBEAT_SECONDS by the scheduler; stamped here so the checks before the jobs run do
    # not queue them again (the same pattern as tasks._hooks_due).
    last = queue.get(RECONCILED_KEY, peek=True)
    now = time.time()
    if last is not None and now - last < bound_app().config["RECONCILE_SECONDS"]:
        return False
    queue.put(RECONCILED_KEY, now)
    return True


@queue.periodic_task(_reconcile_due, name="reconcile_stores")
@in_app_context
def reconcile_stores():
    """Queue a reconciliation of every active store: the changes hooks did not deliver are caught up."""
    for store_code in hooks.active_store_codes():
        request_sync(store_code, "reconcile")
