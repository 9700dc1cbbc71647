"""Jumpseller records the mirror tables do not hold, kept as sent in ONE table (MirrorDocument), and their refresh.

A page never waits on Jumpseller: it reads what the last refresh stored (`items`, `item`, `fetched_at`) and offers
a Refresh button, which queues `refresh` as a job (jobs/document_tasks.py). A refresh fetches a whole collection
(or one parent's: the fulfillments of one order), upserts every record it got, and makes tombstones of the ones
Jumpseller no longer lists; it also stamps a marker row, so "fetched at" is known even for an empty collection.

What each kind fetches is registered, like api_writes kinds:

    documents.register("taxes", fetch=lambda client, parent: client.taxes.list(limit=UNPAGED_LIMIT))

`fetch(client, parent)` returns the records (dicts with an "id"); a singleton kind (store info) returns one
record without an id and is stored under SINGLE. Writes that create a document (a customer category) apply
Jumpseller's answer with `apply_one`.
"""

from dataclasses import dataclass
from datetime import timezone
from itertools import islice
from typing import Callable

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import MirrorDocument, utcnow
from . import clients

SINGLE = "-"                # the remote id of a singleton document (store info)
ALL = "*"                   # the marker's parent for a collection without parent
MARKER_PREFIX = "fetched:"  # marker rows: kind "fetched:<kind>", remote id the parent (or ALL)
FAILED_PREFIX = "failed:"   # the last refresh's failure (until one succeeds): kind "failed:<kind>", same remote id
UNPAGED_LIMIT = 200         # lists Jumpseller answers whole (taxes, locations): asked with a generous limit
MAX_DOCUMENTS = 2000        # at most this many records of one kind (and parent) are kept per refresh
SECRET_KEYS = frozenset({"hooks_token", "access_token", "refresh_token", "authtoken", "password", "api_token"})


@dataclass(frozen=True)
class Kind:
    name: str
    fetch: Callable
    single: bool = False


_KINDS = {}


def register(name, *, fetch, single=False):
    """Declare a kind of document: how a refresh fetches it (`fetch(client, parent)`)."""
    _KINDS[name] = Kind(name, fetch, single)


def kind_of(name):
    return _KINDS.get(name)


def _parent_key(parent):
    return ALL if parent is None else str(parent)


def _naive(moment):
    """Naive UTC, as every timestamp column stores it."""
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


# --- writes -------------------------------------------------------------------------------------------------------

_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}
BATCH = 500


def _upsert(store_id, kind, records, parent, source_at):
    """Insert or update documents (remote_id, raw) of one kind in batches; revives tombstones; no commit.

    One statement per batch (INSERT … ON CONFLICT on the unique key), so a write's answer and a refresh racing for
    the same record cannot collide; an answer older than the stored one changes nothing.
    """
    now = utcnow()
    parent_id = None if parent is None else str(parent)
    rows = list({remote_id: {"store_id": store_id, "kind": kind, "remote_id": remote_id,
                             "parent_remote_id": parent_id, "raw": raw, "source_at": source_at, "synced_at": now,
                             "deleted_at": None} for remote_id, raw in records}.values())
    table = MirrorDocument.__table__
    insert = _INSERTS[db.session.get_bind().dialect.name]
    for start in range(0, len(rows), BATCH):
        statement = insert(table).values(rows[start:start + BATCH])
        changed = {name: statement.excluded[name] for name in ("raw", "source_at", "synced_at", "deleted_at")}
        if parent_id is not None:
            changed["parent_remote_id"] = statement.excluded.parent_remote_id
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["store_id", "kind", "remote_id"], set_=changed,
            where=table.c.source_at <= statement.excluded.source_at))


def _without_secrets(record):
    """The record without the secrets Jumpseller may send along (store info carries the hooks_token): those live
    sealed in the credentials (services/credentials.py), never in clear here."""
    return {key: value for key, value in record.items() if key not in SECRET_KEYS}


def _identified(kind, answer):
    """(remote id, raw) pairs from a fetch's answer."""
    if kind.single:
        return [(SINGLE, _without_secrets(answer) if isinstance(answer, dict) else {})]
    pairs = []
    for item in islice(answer or (), MAX_DOCUMENTS):
        if isinstance(item, dict) and item.get("id") is not None:
            pairs.append((str(item["id"])[:64], _without_secrets(item)))
    return pairs


def store_fetched(store_id, kind_name, answer, parent=None, source_at=None):
    """Store one complete answer of a kind (its records, tombstones for the missing, the marker); no commit."""
    kind = _KINDS[kind_name]
    moment = _naive(source_at) or utcnow()
    pairs = _identified(kind, answer)
    _upsert(store_id, kind_name, pairs, parent, moment)
    seen = [remote_id for remote_id, _ in pairs]
    where = [MirrorDocument.store_id == store_id, MirrorDocument.kind == kind_name,
             MirrorDocument.deleted_at.is_(None), MirrorDocument.source_at <= moment]
    if parent is not None:
        where.append(MirrorDocument.parent_remote_id == str(parent))
    if seen:
        where.append(MirrorDocument.remote_id.not_in(seen))
    db.session.execute(update(MirrorDocument).where(*where).values(deleted_at=moment, synced_at=utcnow())
                       .execution_options(synchronize_session=False))
    _upsert(store_id, MARKER_PREFIX + kind_name, [(_parent_key(parent), {"count": len(pairs)})], None, moment)
    return len(pairs)


def apply_one(store_id, kind_name, record, parent=None, source_at=None):
    """Store one record Jumpseller answered with (a write's answer); returns its id. No commit."""
    pairs = _identified(_KINDS[kind_name], [record])
    _upsert(store_id, kind_name, pairs, parent, _naive(source_at) or utcnow())
    return record.get("id") if pairs else None


def refresh(store, kind_name, parent=None):
    """Fetch a kind (of one parent) from Jumpseller and store it; commits; returns how many records came.

    Jumpseller errors propagate (the job hands them to the uninstall detection); nothing is stored then.
    """
    kind = _KINDS[kind_name]
    started = utcnow()
    answer = kind.fetch(clients.client_for(store), parent)
    if not kind.single:
        answer = list(islice(answer, MAX_DOCUMENTS))
    count = store_fetched(store.id, kind_name, answer, parent, started)
    _clear_failure(store.id, kind_name, parent)
    db.session.commit()
    return count


def _failure_row(store_id, kind_name, parent):
    return (MirrorDocument.store_id == store_id, MirrorDocument.kind == FAILED_PREFIX + kind_name,
            MirrorDocument.remote_id == _parent_key(parent))


def _clear_failure(store_id, kind_name, parent):
    db.session.execute(delete(MirrorDocument).where(*_failure_row(store_id, kind_name, parent)))


def note_failure(store_id, kind_name, parent, message):
    """Remember that a refresh failed and why (Jumpseller's message, no personal data); commits."""
    _upsert(store_id, FAILED_PREFIX + kind_name, [(_parent_key(parent), {"message": str(message)[:300]})], None,
            utcnow())
    db.session.commit()


def failure(store_id, kind_name, parent=None):
    """(when, message) of the last refresh's failure if no refresh succeeded since; else None."""
    row = db.session.execute(select(MirrorDocument.synced_at, MirrorDocument.raw)
                             .where(*_failure_row(store_id, kind_name, parent))).first()
    return (row.synced_at, (row.raw or {}).get("message", "")) if row else None


def purge_store(store_id):
    """Delete every document of the store (personal data among them); the caller commits. Returns how many."""
    return db.session.execute(delete(MirrorDocument).where(MirrorDocument.store_id == store_id)).rowcount


# --- reads (pages) ------------------------------------------------------------------------------------------------

def _live(store_id, kind_name):
    return (MirrorDocument.store_id == store_id, MirrorDocument.kind == kind_name,
            MirrorDocument.deleted_at.is_(None))


def items(store_id, kind_name, parent=None, *, limit=MAX_DOCUMENTS, offset=0):
    """The raw records of a kind (of one parent), in Jumpseller's id order."""
    where = list(_live(store_id, kind_name))
    if parent is not None:
        where.append(MirrorDocument.parent_remote_id == str(parent))
    # Ids are digits kept as text: by length, then by text, is their numeric order on every database.
    order = (func.length(MirrorDocument.remote_id), MirrorDocument.remote_id)
    rows = db.session.scalars(select(MirrorDocument.raw).where(*where).order_by(*order).limit(limit).offset(offset))
    return list(rows)


def count(store_id, kind_name, parent=None):
    where = list(_live(store_id, kind_name))
    if parent is not None:
        where.append(MirrorDocument.parent_remote_id == str(parent))
    return db.session.scalar(select(func.count()).select_from(MirrorDocument).where(*where))


def item(store_id, kind_name, remote_id=SINGLE):
    """One live record's raw JSON, or None."""
    return db.session.scalar(select(MirrorDocument.raw).where(*_live(store_id, kind_name),
                                                              MirrorDocument.remote_id == str(remote_id)))


def fetched_at(store_id, kind_name, parent=None):
    """When the last refresh of a kind (of one parent) stored its answer; None if never."""
    return db.session.scalar(select(MirrorDocument.synced_at).where(
        MirrorDocument.store_id == store_id, MirrorDocument.kind == MARKER_PREFIX + kind_name,
        MirrorDocument.remote_id == _parent_key(parent)))


# --- the kinds the feature pages keep ---------------------------------------------------------------------------

def _pages(resource_iter):
    return islice(resource_iter, MAX_DOCUMENTS)


STORE_INFO = "store_info"
LOCATIONS = "locations"
ABANDONED_ORDERS = "abandoned_orders"
FULFILLMENTS = "fulfillments"
CUSTOMER_CATEGORIES = "customer_categories"
CUSTOMER_FIELDS = "customer_fields"
TAXES = "taxes"

register(STORE_INFO, fetch=lambda client, parent: client.store.info(), single=True)
# Locations and taxes come whole, not paged (the spec gives their lists no page parameter).
register(LOCATIONS, fetch=lambda client, parent: client.locations.list(limit=UNPAGED_LIMIT))
register(TAXES, fetch=lambda client, parent: client.taxes.list(limit=UNPAGED_LIMIT))
register(ABANDONED_ORDERS, fetch=lambda client, parent: _pages(client.orders.iter_by_status("abandoned")))
# Fulfillments of one order (`parent`: the order's id).
register(FULFILLMENTS, fetch=lambda client, parent: client.orders.fulfillments(int(parent)))
register(CUSTOMER_CATEGORIES, fetch=lambda client, parent: _pages(client.customer_categories.iter_all()))
# A customer's additional fields (`parent`: the customer's id).
register(CUSTOMER_FIELDS, fetch=lambda client, parent: client.customers.fields(int(parent)).list(limit=UNPAGED_LIMIT))
