"""The status page of a write a merchant submitted (services/api_writes.py), and where it leads when it ends.

A form's POST submits the write and redirects here. While the write is pending or running the page says so and
looks again: static/writes.js polls /writes/<id>.json and follows its `next` address; without JavaScript a meta
refresh reloads the page. Once the write has ended, the page itself redirects: to the record when done, back to the
form (which shows the submitted values and Jumpseller's errors) when failed. Where those are is said by the page
that submits each kind:

    writes.on_end("categories.create", done=lambda w: app_url("categories.show", remote_id=w.result_id),
                  failed=lambda w: app_url("categories.new", write=w.id))

Writes are looked up within the signed-in store only: another store's write id is a 404.
"""

from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, abort, current_app, g, redirect, render_template, request
from flask_babel import gettext

from ..models import WriteStatus
from ..services import api_writes
from ..sessions import app_url
from ..web.current_store import store_required

bp = Blueprint("writes", __name__, url_prefix="/writes")


@dataclass(frozen=True)
class Ends:
    done: Callable
    failed: Callable


_ENDS = {}


def on_end(kind, *, done, failed):
    """Where a finished write of `kind` leads: `done(write)` and `failed(write)` give app addresses."""
    _ENDS[kind] = Ends(done, failed)


def submitted(store, kind, payload, target=None):
    """Submit a write for a view and answer with the redirect to its status page."""
    write = api_writes.submit(store, kind, payload, target)
    return redirect(app_url("writes.status", write_id=write.id))


@dataclass(frozen=True)
class Deletion:
    """What templates/_confirm_delete.html says about the record to delete, and where its buttons lead."""

    title: str
    name: str
    note: str
    action: str
    cancel: str
    prefix: str


def confirm_delete(deletion, kind, permissions):
    """The delete confirmation page; with ?write= naming a failed delete of `kind`, its reason (a 422)."""
    failed = failed_named(kind)
    return render_template("_confirm_delete.html", deletion=deletion, errors=errors_of(failed) if failed else {},
                           permissions=permissions), 422 if failed else 200


def delete(deletion, kind, target, permissions):
    """Queue the delete of `target`, or show the confirmation again with the permission notes (a 403)."""
    if permissions:
        return render_template("_confirm_delete.html", deletion=deletion, errors={}, permissions=permissions), 403
    return submitted(g.store, kind, {}, target)


def failed_named(*kinds):
    """The failed write of one of `kinds` the request's address names (?write=id), of this store only; or None."""
    write_id = request.args.get("write", type=int)
    return next((w for w in (api_writes.failed_for(g.store.id, write_id, kind) for kind in kinds) if w), None)


def errors_of(write):
    """A failed write's errors for a form, the app's own messages translated (Jumpseller's are shown as sent)."""
    return {field: [gettext(message) for message in messages] for field, messages in (write.errors or {}).items()}


def _next(write):
    ends = _ENDS.get(write.kind)
    if ends is None or write.status not in WriteStatus.FINISHED:
        return None
    return ends.done(write) if write.status == WriteStatus.DONE else ends.failed(write)


def _write_or_404(write_id):
    write = api_writes.get(g.store.id, write_id)
    if write is None:
        abort(404)
    return write


@bp.get("/<int:write_id>")
@store_required
def status(write_id):
    """The write's status while it is under way; its destination once it has ended."""
    write = _write_or_404(write_id)
    destination = _next(write)
    if destination:
        return redirect(destination)
    return render_template("write_status.html", write=write, poll_url=app_url("writes.status_json",
                                                                              write_id=write.id))


@bp.get("/<int:write_id>.json")
@store_required
def status_json(write_id):
    """The write's status for the page's polling: status, and `next` once it has ended."""
    write = _write_or_404(write_id)
    response = current_app.json.response({"id": write.id, "status": write.status, "next": _next(write)})
    response.headers["Cache-Control"] = "no-store"
    return response
