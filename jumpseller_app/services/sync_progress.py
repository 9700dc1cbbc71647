"""How far a store's sync has come, from its SyncCheckpoint rows alone (one query; never a Jumpseller call).

The sync commits a checkpoint after every page, so these rows are the live progress whichever process runs the
sync; the sync page and its JSON endpoint read them as they are. Totals come from count calls at the start of a
pass and may be missing (a count refused or not yet made): a percentage is then guessed only from what is known,
never divided by zero.
"""

from sqlalchemy import select

from ..extensions import db
from ..models import SyncCheckpoint, SyncStatus

RESOURCES = ("categories", "products", "orders", "customers")

_COLUMNS = (SyncCheckpoint.resource, SyncCheckpoint.status, SyncCheckpoint.mode, SyncCheckpoint.page,
            SyncCheckpoint.pages_total, SyncCheckpoint.items_done, SyncCheckpoint.items_total,
            SyncCheckpoint.last_error, SyncCheckpoint.started_at, SyncCheckpoint.finished_at)


def _percent(done, total):
    """done/total as a whole percentage in 0..100; None when the total is unknown."""
    if total is None:
        return None
    if total <= 0:
        return 100
    return max(0, min(100, int(done * 100 // total)))


def _resource(row):
    (resource, status, mode, page, pages_total, items_done, items_total, last_error, started_at,
     finished_at) = row
    pages_done = page or 0
    if status == SyncStatus.DONE:
        percent = 100
    else:
        # Pages measure the run best (every page is one request); items serve when only their total is known.
        percent = _percent(pages_done, pages_total)
        if percent is None:
            percent = _percent(items_done or 0, items_total)
        if percent is None:
            percent = 0
        percent = min(percent, 99)         # 100 % only once the sync says so
    return {"resource": resource, "status": status, "mode": mode, "pages_done": pages_done,
            "pages_total": pages_total, "items_done": items_done or 0, "items_total": items_total,
            "percent": percent, "last_error": last_error, "started_at": started_at, "finished_at": finished_at}


def _idle(resource):
    return {"resource": resource, "status": SyncStatus.IDLE, "mode": None, "pages_done": 0, "pages_total": None,
            "items_done": 0, "items_total": None, "percent": 0, "last_error": None, "started_at": None,
            "finished_at": None}


def progress_of(store_id):
    """{"resources": {name: {...}}, "percent", "pages_done", "pages_total", "running", "failed", "started"}.

    Every resource the sync knows appears, in sync order (a resource without a checkpoint yet is idle at 0 %).
    The overall percentage weighs resources by their pages when every total is known, else averages them; a
    resource without a checkpoint weighs in only while a sync runs (it may yet come), since a sync skips the
    resources the store granted no permission for.
    """
    query = select(*_COLUMNS).where(SyncCheckpoint.store_id == store_id)
    found = {row[0]: _resource(row) for row in db.session.execute(query)}
    names = [*RESOURCES, *sorted(set(found) - set(RESOURCES))]
    resources = {name: found.get(name) or _idle(name) for name in names}
    running = any(e["status"] == SyncStatus.RUNNING for e in found.values())
    entries = list(resources.values()) if running else list(found.values())
    if not entries:
        return {"resources": resources, "percent": 0, "pages_done": 0, "pages_total": None, "running": False,
                "failed": False, "started": False}
    totals = [e["pages_total"] for e in entries]
    pages_total = sum(totals) if all(t is not None for t in totals) else None
    pages_done = sum(min(e["pages_done"], e["pages_total"]) if e["pages_total"] is not None else e["pages_done"]
                     for e in entries)
    if pages_total:
        # A finished resource counts whole even if its total moved during the pass.
        done = sum(e["pages_total"] if e["status"] == SyncStatus.DONE else min(e["pages_done"], e["pages_total"])
                   for e in entries)
        percent = _percent(done, pages_total)
    else:
        percent = sum(e["percent"] for e in entries) // len(entries)
    if running or any(e["status"] != SyncStatus.DONE for e in entries):
        percent = min(percent, 99)
    return {"resources": resources, "percent": percent, "pages_done": pages_done, "pages_total": pages_total,
            "running": running, "failed": any(e["status"] == SyncStatus.FAILED for e in entries),
            "started": bool(found)}


def as_json(progress):
    """progress_of()'s answer with its times as ISO 8601 text (UTC), for the page's polling."""
    def plain(entry):
        return {key: (value.isoformat() + "Z" if hasattr(value, "isoformat") else value)
                for key, value in entry.items()}
    return {**progress, "resources": {name: plain(entry) for name, entry in progress["resources"].items()}}
