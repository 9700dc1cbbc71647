"""The view side of services/documents.py: the "fetched at … / Refresh" state of a page's documents, and the
Refresh button's POST (it queues the refresh job and goes back to the page).

    state = documents.state(documents_service.TAXES)       # in a view, for templates/_documents.html
    return documents.refresh(documents_service.TAXES, back=app_url("taxes.index"))
"""

from dataclasses import dataclass
from datetime import datetime

from flask import g, redirect

from ..jobs import document_tasks
from ..services import documents


@dataclass(frozen=True)
class State:
    kind: str
    fetched_at: datetime | None
    refreshing: bool
    failure: tuple | None = None        # (when, Jumpseller's message) of a failed refresh not yet followed by one


def state(kind, parent=None):
    """When the store's `kind` (of `parent`) was last fetched, whether a refresh is under way, a failure since."""
    return State(kind, documents.fetched_at(g.store.id, kind, parent),
                 document_tasks.refreshing(g.store.code, kind, parent), documents.failure(g.store.id, kind, parent))


def refresh(kind, parent=None, *, back):
    """Queue the refresh (one at a time per store, kind and parent) and redirect to `back`."""
    document_tasks.request_refresh(g.store.code, kind, parent)
    return redirect(back)
