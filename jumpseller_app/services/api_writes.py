"""Writes to Jumpseller as jobs: a merchant's change is recorded (ApiWrite), sent by a job, and applied to the mirror.

A page never waits on Jumpseller: its POST calls `submit`, which stores the write and queues the job, and the page
shows the write's status (views/writes.py) until it is done or failed. The job (`perform`) sends the call through
clients.client_for and, in ONE transaction, applies Jumpseller's answer to the mirror and marks the write done.
When Jumpseller refuses (a 400/422 `{"errors": …}`, a 404, anything else) the write is marked failed with the
errors by field, and the mirror is left untouched: nothing is half-saved.

What each kind of write does is registered, not written here. A feature adds its kinds once, at import:

    api_writes.register("categories.create",
                        call=lambda client, write: client.categories.create(write.payload),
                        mirror=lambda store_id, write, answer, at: api_writes.mirror_record(
                            store_id, "categories", answer, at))

`call(client, write)` returns the API's answer (unwrapped); `mirror(store_id, write, answer, source_at)` applies it
to the mirror (mirror.apply / mark_deleted, no commit) and returns the remote id written, or None.

One write per (store, kind, target) is under way at a time: a second submit while one is pending or running gets
the first back instead of a new one (a double-click, two tabs); one under way for longer than JOBS_REFRESH_TIMEOUT
is taken for a lost job (a worker killed mid-way) and failed, so the record can be changed again. A create has no target; its payload's digest
stands in, so the same form sent twice is one write and two different new records are two. A write belongs to the
store that submitted it: `get` never finds another store's.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..jumpseller.errors import JumpsellerError, NotFound, ValidationError
from ..models import ApiWrite, Store, WriteStatus, utcnow
from . import clients, lifecycle, mirror

log = logging.getLogger(__name__)

BASE = "base"          # the errors key of a message that belongs to no field


def N_(text):
    """Marks the app's own messages for translation (extracted by pybabel); pages translate them when shown."""
    return text


NOT_CONNECTED = N_("The store is not connected.")
UNKNOWN_KIND = N_("The app does not know this change.")
GONE = N_("Jumpseller no longer has this record.")
MIRROR_BEHIND = N_("Jumpseller accepted the change; the app's copy catches up at the next sync.")
LOST = N_("The change was not confirmed in time; check the record before trying again.")


@dataclass(frozen=True)
class WriteKind:
    name: str
    call: Callable
    mirror: Callable


_KINDS = {}


def register(name, *, call, mirror):
    """Declare a kind of write: the API call it makes and how its answer reaches the mirror."""
    _KINDS[name] = WriteKind(name, call, mirror)


def kind_of(name):
    """The registered WriteKind, or None."""
    return _KINDS.get(name)


# --- mirror helpers for the common cases ------------------------------------------------------------------------

def mirror_record(store_id, resource, answer, source_at):
    """Apply one record Jumpseller answered with; returns its id."""
    mirror.apply(store_id, resource, [answer], source_at)
    return answer.get("id") if isinstance(answer, dict) else None


def mirror_deletion(store_id, resource, remote_id, source_at):
    """Make the deleted record a tombstone; returns its id."""
    mirror.mark_deleted(store_id, resource, remote_id, source_at)
    return remote_id


# --- submit (pages) ---------------------------------------------------------------------------------------------

def _active_key(store_id, kind, target, payload):
    if target is None:
        text = json.dumps(payload, sort_keys=True, default=str)
        target = "new-" + hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"{store_id}:{kind}:{target}"


def _active(key):
    """The write under way with this key; one older than JOBS_REFRESH_TIMEOUT is a lost job's: failed, freed."""
    write = db.session.scalar(select(ApiWrite).where(ApiWrite.active_key == key))
    if write is None:
        return None
    if write.created_at < utcnow() - timedelta(seconds=current_app.config["JOBS_REFRESH_TIMEOUT"]):
        log.warning("write %s (%s) lost its job; freed", write.id, write.kind)
        _finish(write, WriteStatus.FAILED, errors={BASE: [LOST]})
        return None
    return write


def record(store, kind, payload, target=None):
    """Record a write for `store` without queueing it; returns (the ApiWrite, whether it is new).

    The write under way with the same (store, kind, target) is returned instead of a new one. A caller that sends
    several writes in one job of its own (a bulk edit) records them here; `submit` queues one job per write.
    """
    if kind not in _KINDS:
        raise KeyError(f"unknown write kind {kind!r}")
    key = _active_key(store.id, kind, target, payload)
    existing = _active(key)
    if existing is not None:
        return existing, False
    write = ApiWrite(store_id=store.id, kind=kind, target_id=target, payload=payload, active_key=key,
                     status=WriteStatus.PENDING)
    db.session.add(write)
    try:
        db.session.commit()
    except IntegrityError:          # another request took the slot between our read and our insert
        db.session.rollback()
        return _active(key), False
    return write, True


def record_many(store, kind, items, *, chunk=500):
    """Record several writes of one kind at once, without queueing them (a bulk edit's batch, sent by one job).

    `items` are (target, payload) pairs. Returns (the new writes' ids in the order given, the targets left out
    because a write of theirs is under way). One query per `chunk` targets finds those under way and ONE commit
    inserts the rest; should another request take a slot in between, the writes are recorded one by one instead.
    """
    if kind not in _KINDS:
        raise KeyError(f"unknown write kind {kind!r}")
    keyed = {_active_key(store.id, kind, target, payload): (target, payload) for target, payload in items}
    keys, busy = list(keyed), set()
    for start in range(0, len(keys), chunk):
        found = db.session.scalars(select(ApiWrite.active_key).where(
            ApiWrite.active_key.in_(keys[start:start + chunk]))).all()
        busy.update(key for key in found if _active(key) is not None)
    writes = [ApiWrite(store_id=store.id, kind=kind, target_id=target, payload=payload, active_key=key,
                       status=WriteStatus.PENDING) for key, (target, payload) in keyed.items() if key not in busy]
    db.session.add_all(writes)
    try:
        db.session.commit()
    except IntegrityError:          # a slot was taken meanwhile: one by one, each finding its own
        db.session.rollback()
        ids = []
        for key, (target, payload) in keyed.items():
            write, new = (None, False) if key in busy else record(store, kind, payload, target)
            if new:
                ids.append(write.id)
            else:
                busy.add(key)
        return ids, [keyed[key][0] for key in keyed if key in busy]
    return [write.id for write in writes], [keyed[key][0] for key in keyed if key in busy]


def submit(store, kind, payload, target=None):
    """Record a write for `store` and queue its job; returns the ApiWrite (the one under way if there is one)."""
    write, new = record(store, kind, payload, target)
    if not new:
        return write
    write_id = write.id
    from ..jobs import write_tasks  # the job module imports this one
    write_tasks.request_write(store.code, write_id)
    return db.session.get(ApiWrite, write_id)


def get(store_id, write_id):
    """The store's write with this id; None for another store's or an unknown one."""
    return db.session.scalar(select(ApiWrite).where(ApiWrite.id == write_id, ApiWrite.store_id == store_id))


def failed_for(store_id, write_id, kind):
    """The store's failed write of `kind` with this id (a form re-rendered with it), else None."""
    write = get(store_id, write_id) if write_id else None
    return write if write is not None and write.kind == kind and write.status == WriteStatus.FAILED else None


# --- perform (the job) ------------------------------------------------------------------------------------------

def _field_errors(exc):
    """Jumpseller's {"errors": …} as {field: [messages]}; a message without fields goes under BASE."""
    errors = exc.errors
    if isinstance(errors, dict) and errors:
        return {str(field): [str(m) for m in (messages if isinstance(messages, list) else [messages])]
                for field, messages in errors.items()}
    if isinstance(errors, list) and errors:
        return {BASE: [str(m) for m in errors]}
    return {BASE: [exc.message]}


def _finish(write, status, *, errors=None, result_id=None):
    write.status = status
    write.errors = errors
    write.result_id = result_id
    write.active_key = None
    write.finished_at = utcnow()
    db.session.commit()


def _fail(write_id, errors):
    db.session.rollback()
    write = db.session.get(ApiWrite, write_id)
    _finish(write, WriteStatus.FAILED, errors=errors)


def perform(write_id):
    """Send one write and apply its answer; returns (status, the Jumpseller error for the uninstall detection).

    Any other Jumpseller error than a validation error or a 404 is returned, not judged here: the job hands it to
    lifecycle_tasks.on_api_error, which ends the connection on an uninstall (a 401 that survived the refresh).
    """
    write = db.session.get(ApiWrite, write_id)
    if write is None or write.status in WriteStatus.FINISHED:
        return None, None
    store = db.session.get(Store, write.store_id)
    kind = _KINDS.get(write.kind)
    if kind is None or not lifecycle.is_active(store):
        _fail(write_id, {BASE: [NOT_CONNECTED if kind else UNKNOWN_KIND]})
        return WriteStatus.FAILED, None
    write.status = WriteStatus.RUNNING
    db.session.commit()
    try:
        # No transaction is held across the call (a token refresh on the way writes the database too).
        answer = kind.call(clients.client_for(store), write)
    except ValidationError as exc:
        _fail(write_id, _field_errors(exc))
        return WriteStatus.FAILED, None
    except NotFound:
        _fail(write_id, {BASE: [GONE]})
        return WriteStatus.FAILED, None
    except JumpsellerError as exc:
        log.info("write %s (%s) of %s failed: %s", write_id, write.kind, store.code, type(exc).__name__)
        _fail(write_id, {BASE: [exc.message or type(exc).__name__]})
        return WriteStatus.FAILED, exc
    write = db.session.get(ApiWrite, write_id)
    try:
        result_id = kind.mirror(write.store_id, write, answer, utcnow())
        _finish(write, WriteStatus.DONE, result_id=result_id)
    except Exception:
        log.exception("write %s: Jumpseller took it, the mirror did not", write_id)
        _fail(write_id, {BASE: [MIRROR_BEHIND]})
        return WriteStatus.FAILED, None
    return WriteStatus.DONE, None
