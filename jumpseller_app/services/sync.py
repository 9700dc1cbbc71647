"""The sync: Jumpseller's categories, products, orders and customers copied into the mirror, page by page.

Three modes, all through run_sync():

- full: every record of every resource the store granted. Products and orders follow an id cursor
  (`/…/after/{id}.json`, lowest ids first), categories and customers page numbers. Each page is written and its
  SyncCheckpoint advanced in one transaction, so a run killed anywhere (even kill -9) resumes on the next run
  from the last committed page, and the resources finished earlier in the same pass are not fetched again. A
  pass that completes knows every record Jumpseller still lists, so the mirror's rows it did not see (nothing
  wrote them since the pass started) are deletions no hook reported: they become tombstones.
- incremental: only products and orders with an id above the mirror's highest (new records); nothing else.
- reconcile: what the periodic job runs. New products and orders (incremental), then the orders created in the
  last RECONCILE_ORDER_DAYS days read again (their status changes), and a full pass when the last complete one
  started more than RECONCILE_FULL_HOURS ago (or one is unfinished). The README's "Sync and reconciliation"
  says what that guarantees.

Pages carry no update time for orders and customers, so each page is versioned by the moment its request was
sent (taken before it, so a hook delivered while the page was in flight still wins if newer). A failed call
(a JumpsellerError the client's retries did not absorb) leaves that resource's checkpoint where it was, marked
failed, and the next resource is tried; a revoked authorization stops the run at once.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select

from .. import features
from ..extensions import db
from ..jumpseller import AuthError, JumpsellerError, NotFound, ReauthRequired, payloads, scopes
from ..jumpseller.client import PAGE_LIMIT
from ..models import StoreStatus, SyncCheckpoint, SyncStatus, utcnow
from . import clients, mirror, stores

log = logging.getLogger(__name__)

MODES = ("full", "incremental", "reconcile")
RESOURCES = mirror.RESOURCES                       # categories, products, orders, customers: parents first
CURSORED = {"products": payloads.Product, "orders": payloads.Order}   # walked by id cursor
FEATURES = {"categories": scopes.SYNC_CATEGORIES, "products": scopes.SYNC_PRODUCTS, "orders": scopes.SYNC_ORDERS,
            "customers": scopes.SYNC_CUSTOMERS}
# Records missing from a page-numbered walk are confirmed one call each before they become tombstones (a deletion
# during the walk shifts later pages, so "not seen" alone is no proof there); at most this many per pass, the
# rest wait for the next pass, so a mass deletion cannot spend the store's whole rate budget at once.
MAX_CONFIRMATIONS = 500


@dataclass
class ResourceResult:
    """What a run did to one resource."""

    pages: int = 0
    items: int = 0
    deleted: int = 0
    skipped: str = ""                  # why the resource was not synced ("missing scope read_customers"), if so
    errors: list = field(default_factory=list)


@dataclass
class SyncResult:
    """What a run did: per resource pages, items, tombstones and errors; `reauth` if the store must reconnect."""

    mode: str
    resources: dict = field(default_factory=dict)
    reauth: bool = False
    auth_error: Exception | None = None         # a 401 that survived a refresh and stopped the run

    @property
    def ok(self):
        return not self.reauth and not any(r.errors for r in self.resources.values())

    def of(self, resource):
        return self.resources.setdefault(resource, ResourceResult())


class _Stop(Exception):
    """The authorization was revoked: nothing more can be fetched for this store."""


def run_sync(store_code, mode="full", progress=None):
    """Sync a store's mirror from Jumpseller (mode full, incremental or reconcile); returns a SyncResult.

    `progress(resource, pages_done, pages_total)` is called after each committed page (pages_total may be None).
    Needs an application context only. Raises clients.UnknownStore for a store that is not connected.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    store = stores.get_store(store_code)
    if store is None or store.credential is None or store.status == StoreStatus.DISCONNECTED:
        raise clients.UnknownStore(f"no connected store {store_code!r}")
    result = SyncResult(mode)
    if store.status == StoreStatus.REAUTH_REQUIRED:
        result.reauth = True
        return result
    run = _Run(store, clients.client_for(store), result, progress or (lambda *args: None))
    try:
        if mode == "full":
            run.full()
        elif mode == "incremental":
            run.incremental()
        else:
            run.reconcile()
    except _Stop:
        result.reauth = True
    return result


def checkpoints(store_id):
    """{resource: SyncCheckpoint} of the store (only the resources that have one)."""
    rows = db.session.scalars(select(SyncCheckpoint).where(SyncCheckpoint.store_id == store_id))
    return {row.resource: row for row in rows}


def _error_text(exc):
    # The class and status only: messages may quote response bodies, which may hold personal data.
    status = getattr(exc, "status", None)
    return f"{type(exc).__name__}" + (f" (HTTP {status})" if status else "")


def _pages(items_total):
    return None if items_total is None else max(1, -(-items_total // PAGE_LIMIT))


class _Run:
    """One run for one store: the client, what is allowed, and the result being filled."""

    def __init__(self, store, api, result, progress):
        self.store, self.api, self.result, self.progress = store, api, result, progress
        granted = features.granted(store)
        self.allowed = []
        for resource in RESOURCES:
            missing = FEATURES[resource].missing(granted)
            if missing:
                result.of(resource).skipped = "missing scope " + " ".join(missing)
            else:
                self.allowed.append(resource)
        self.checkpoints = checkpoints(store.id)

    def checkpoint(self, resource):
        cp = self.checkpoints.get(resource)
        if cp is None:
            cp = SyncCheckpoint(store_id=self.store.id, resource=resource, mode="full", status=SyncStatus.IDLE,
                                page=0, last_remote_id=0, items_done=0)
            db.session.add(cp)
            self.checkpoints[resource] = cp
        return cp

    # --- full passes -----------------------------------------------------------------------------------------

    def pass_start(self):
        """When the unfinished full pass started, or None when no pass is under way."""
        starts = [cp.started_at for r, cp in self.checkpoints.items()
                  if r in self.allowed and cp.mode == "full" and cp.started_at is not None and cp.finished_at is None]
        return min(starts) if starts else None

    def full(self):
        """Resume the unfinished pass, or start one; every allowed resource in order, each from its checkpoint."""
        start = self.pass_start()
        if start is None:
            start = utcnow()
        for resource in self.allowed:
            cp = self.checkpoint(resource)
            if cp.mode == "full" and cp.started_at == start and cp.finished_at is not None:
                continue                                  # finished earlier in this pass
            if not (cp.mode == "full" and cp.started_at == start):
                _begin(cp, "full", start)
        db.session.commit()
        for resource in self.allowed:
            cp = self.checkpoints[resource]
            if cp.finished_at is None:
                self.walk(resource, cp, full=True)

    def walk(self, resource, cp, *, full):
        """Fetch pages of `resource` from its checkpoint until a short page; tombstones after a full walk."""
        outcome = self.result.of(resource)
        with self.guarded(outcome, cp):
            # Never hold a write transaction across a Jumpseller call: a token refresh during the call writes
            # the credentials from another connection, and on SQLite it would wait on us until it times out.
            db.session.commit()
            if cp.items_total is None:
                cp.items_total = getattr(self.api, resource).count()
                cp.pages_total = _pages(cp.items_total)
            cp.status, cp.last_error = SyncStatus.RUNNING, None
            db.session.commit()
            self.progress(resource, cp.page, cp.pages_total)
            self.pull(resource, cp)
            if full:
                outcome.deleted += self.tombstone(resource, cp.started_at)
                cp.completed_pass_started_at = cp.started_at
            cp.status, cp.finished_at = SyncStatus.DONE, utcnow()
            db.session.commit()

    def pull(self, resource, cp, fetch=None):
        """Pages from `fetch(resource, cp)` (default: the checkpoint's own walk) until a short one; each page
        applied with `cp` advanced in one transaction."""
        cursor, fetch = fetch is None, fetch or self.fetch
        outcome = self.result.of(resource)
        db.session.commit()                               # no write transaction open across a call (see walk)
        while True:
            source_at = utcnow()                          # before the request: the page is as of no later
            items = fetch(resource, cp)
            mirror.apply(self.store.id, resource, items, source_at)
            self.advance(resource, cp, items, cursor=cursor)
            _commit_page()
            outcome.pages += 1
            outcome.items += len(items)
            self.progress(resource, cp.page, cp.pages_total)
            if len(items) < PAGE_LIMIT:
                return

    @contextmanager
    def guarded(self, outcome, cp):
        """Record a JumpsellerError on `cp` and the outcome and go on; a revoked authorization stops the run."""
        try:
            yield
        except ReauthRequired as exc:
            self.fail(cp, outcome, exc)
            raise _Stop() from exc
        except JumpsellerError as exc:
            self.fail(cp, outcome, exc)
            if isinstance(exc, AuthError) and exc.status == 401:
                # Refused even after the session's refresh: so would every next call be. The job hands it to
                # the uninstall detection (jobs/lifecycle_tasks.on_api_error).
                self.result.auth_error = exc
                raise _Stop() from exc

    def fetch(self, resource, cp):
        """The page after the checkpoint: by id cursor for products and orders, by page number for the rest."""
        api = getattr(self.api, resource)
        if resource in CURSORED:
            return api.page_after(cp.last_remote_id, limit=PAGE_LIMIT)
        return api.list(page=cp.page + 1, limit=PAGE_LIMIT)

    def advance(self, resource, cp, items, *, cursor):
        """Move the checkpoint past a page just applied (same transaction as the page)."""
        cp.page += 1
        cp.items_done += len(items)
        if cursor and resource in CURSORED:
            ids = [payloads.record_id(CURSORED[resource], item) for item in items]
            highest = max((i for i in ids if i is not None), default=None)
            if len(items) == PAGE_LIMIT and (highest is None or highest <= cp.last_remote_id):
                # A full page that does not move the cursor would be asked again forever.
                raise JumpsellerError(f"{resource}/after/{cp.last_remote_id} did not advance")
            if highest is not None:
                cp.last_remote_id = max(cp.last_remote_id, highest)

    def fail(self, cp, outcome, exc):
        db.session.rollback()                             # the page in flight, if any; committed ones stay
        cp.status, cp.last_error = SyncStatus.FAILED, _error_text(exc)[:500]
        db.session.commit()
        outcome.errors.append(cp.last_error)
        log.warning("sync of %s for store %s failed: %s", cp.resource, self.store.code, cp.last_error)

    def tombstone(self, resource, started_at):
        """Tombstones for the rows a complete walk did not see; page-numbered ones confirmed gone first."""
        unseen = mirror.unseen_since(self.store.id, resource, started_at)
        if not unseen:
            return 0
        if resource not in CURSORED:
            unseen = self.confirm_gone(resource, unseen[:MAX_CONFIRMATIONS])
        return mirror.tombstone_unseen(self.store.id, resource, unseen, started_at)

    def confirm_gone(self, resource, remote_ids):
        """The ids Jumpseller answers 404 for; those it still has are written as read instead (a shifted page)."""
        api, gone = getattr(self.api, resource), []
        for remote_id in remote_ids:
            source_at = utcnow()
            try:
                item = api.get(remote_id)
            except NotFound:
                gone.append(remote_id)
                continue
            mirror.apply(self.store.id, resource, [item], source_at)
        return gone

    # --- incremental and reconciliation ----------------------------------------------------------------------

    def incremental(self):
        """New products and orders: the cursor starts at the mirror's highest id. Their checkpoints show the
        progress, unless a full pass is under way: its resume point must survive, so a scratch one is used."""
        in_pass = self.pass_start() is not None
        for resource in (r for r in CURSORED if r in self.allowed):
            if in_pass:
                cp = _scratch(resource)
                with self.guarded(self.result.of(resource), cp):
                    cp.last_remote_id = mirror.max_remote_id(self.store.id, resource)
                    self.pull(resource, cp)
            else:
                cp = self.checkpoint(resource)
                _begin(cp, "incremental", utcnow())
                cp.last_remote_id = mirror.max_remote_id(self.store.id, resource)
                self.walk(resource, cp, full=False)

    def reconcile(self):
        """New records, recent orders again, and a full pass when the last complete one is too old."""
        self.incremental()
        if "orders" in self.allowed:
            self.recent_orders(current_app.config["RECONCILE_ORDER_DAYS"])
        if self.full_due(current_app.config["RECONCILE_FULL_HOURS"]):
            self.full()

    def full_due(self, hours):
        if self.pass_start() is not None:
            return True
        oldest = utcnow() - timedelta(hours=hours)
        for resource in self.allowed:
            cp = self.checkpoints.get(resource)
            if cp is None or cp.completed_pass_started_at is None or cp.completed_pass_started_at <= oldest:
                return True
        return False

    def recent_orders(self, days):
        """Re-read the orders created in the last `days` days (store's calendar): their status changes."""
        try:
            zone = ZoneInfo(self.store.timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        today = utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
        window = {"dateFilter": "customDate", "initialDate": (today - timedelta(days=days - 1)).isoformat(),
                  # a day ahead: a Jumpseller clock a little ahead of ours still falls inside the window
                  "finalDate": (today + timedelta(days=1)).isoformat()}

        def fetch(resource, cp):
            return self.api.orders.list(page=cp.page + 1, limit=PAGE_LIMIT, **window)

        cp = _scratch("orders")
        with self.guarded(self.result.of("orders"), cp):
            self.pull("orders", cp, fetch)


def _commit_page():
    """Commit a page with its checkpoint, the loaded objects kept as they are (not expired).

    Expired, the checkpoint would be read again before the next page: one more query a page, and a transaction
    (and a pooled connection) held open across the next Jumpseller call. What is kept stays true: a store's
    checkpoints are written by its one running sync alone (one sync slot per store).
    """
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def _scratch(resource):
    """A checkpoint that is never stored: walks that must not move the real one (it stays out of the session)."""
    return SyncCheckpoint(resource=resource, page=0, last_remote_id=0, items_done=0)

def _begin(cp, mode, start):
    """Reset a checkpoint to the start of a walk that began at `start`."""
    cp.mode, cp.status, cp.started_at, cp.finished_at = mode, SyncStatus.IDLE, start, None
    cp.page, cp.last_remote_id, cp.items_done = 0, 0, 0
    cp.items_total = cp.pages_total = None
    cp.last_error = None
