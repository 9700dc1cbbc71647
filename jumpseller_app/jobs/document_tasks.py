"""The job that refreshes one kind of document of a store (services/documents.py decides what is stored).

One refresh per (store, kind, parent) is queued or running at a time (a slot in the queue's storage, freed when the
job ends); pages show the slot as "refreshing". A Jumpseller error goes to the uninstall detection like every job's.
"""

import logging

from ..extensions import db, queue
from ..jumpseller import JumpsellerError
from ..services import documents, stores
from . import tasks
from .lifecycle_tasks import on_api_error
from .queue import in_app_context

log = logging.getLogger(__name__)


def _key(store_code, kind, parent):
    return f"documents.{store_code}.{kind}.{documents.ALL if parent is None else parent}"


@queue.task(name="refresh_documents")
@in_app_context
def refresh_documents_job(store_code, kind, parent=None):
    """Fetch `kind` (of `parent`) for the store; returns how many records came (None: not done)."""
    try:
        store = stores.get_store(store_code)
        if store is None:
            return None
        try:
            return documents.refresh(store, kind, parent)
        except JumpsellerError as exc:
            db.session.rollback()
            log.info("refresh of %s for %s failed: %s", kind, store_code, type(exc).__name__)
            documents.note_failure(store.id, kind, parent, exc.message or type(exc).__name__)
            on_api_error(store_code, exc)
            return None
    finally:
        queue.delete(_key(store_code, kind, parent))


def request_refresh(store_code, kind, parent=None):
    """Queue a refresh unless one of the same (store, kind, parent) is queued or running; True if queued now."""
    if documents.kind_of(kind) is None:
        raise KeyError(kind)
    return tasks._queue_once(_key(store_code, kind, parent), lambda code: refresh_documents_job(code, kind, parent),
                            store_code)


def refreshing(store_code, kind, parent=None):
    """Whether a refresh of this (store, kind, parent) is queued or running."""
    return queue.get(_key(store_code, kind, parent), peek=True) is not None
