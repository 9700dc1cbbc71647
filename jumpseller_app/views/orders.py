"""Orders pages: list (count, search by number or customer, filters by payment status, shipment status and dates,
sort, pages, CSV export), info (lines, addresses, shipments; the form to change status and tracking), add an order,
abandoned orders, and the order and shipment status lists.

Pages read the mirror and the documents table; every change is a write job (services/api_writes.py) whose status
page leads back here. Ids in addresses are Jumpseller's, looked up within the signed-in store only.
"""

from flask import Blueprint, Response, abort, g, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l

from .. import features
from ..jumpseller import scopes
from ..services import documents, orders
from ..services.forms import Invalid
from ..sessions import app_url
from ..web import documents as refresh_state
from ..web import listing, navigation
from ..web.current_store import store_required
from . import writes

bp = Blueprint("orders", __name__, url_prefix="/orders")
navigation.add("orders.index", _l("Orders"), order=40)

PAGE_FEATURES = (scopes.ORDERS, scopes.ORDER_WRITES, scopes.SHIPMENTS)

writes.on_end(orders.CREATE, done=lambda w: app_url("orders.show", remote_id=w.result_id),
              failed=lambda w: app_url("orders.new", write=w.id))
writes.on_end(orders.UPDATE, done=lambda w: app_url("orders.show", remote_id=w.target_id),
              failed=lambda w: app_url("orders.show", remote_id=w.target_id, write=w.id))


def _order_or_404(remote_id):
    order = orders.get(g.store.id, remote_id)
    if order is None:
        abort(404)
    return order


def _refused():
    return features.blocked(g.store, (scopes.ORDER_WRITES,))


@bp.get("")
@store_required
def index():
    """The store's orders from the mirror."""
    page = listing.from_request(orders.LISTING, g.store.id)
    return render_template("orders/index.html", page=page, count=orders.count(g.store.id),
                           statuses=orders.ORDER_STATUSES, shipments=orders.SHIPMENT_STATUSES,
                           permissions=features.blocked(g.store, PAGE_FEATURES))


@bp.get("/export.csv")
@store_required
def export():
    """The list's orders (same search, filters and sort) as CSV, streamed."""
    return Response(stream_with_context(orders.csv_lines(g.store.id, request.args)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="orders.csv"', "Cache-Control": "no-store"})


@bp.get("/statuses")
@store_required
def statuses():
    """Jumpseller's order statuses and shipment (fulfillment) statuses: fixed lists, no call needed."""
    return render_template("orders/statuses.html", statuses=orders.ORDER_STATUSES,
                           shipments=orders.SHIPMENT_STATUSES)


@bp.get("/abandoned")
@store_required
def abandoned():
    """Abandoned checkouts, as last fetched (they are not in the mirror)."""
    return render_template("orders/abandoned.html", items=orders.abandoned(g.store.id),
                           state=refresh_state.state(documents.ABANDONED_ORDERS),
                           permissions=features.blocked(g.store, (scopes.ORDERS,)))


@bp.post("/abandoned/refresh")
@store_required
def refresh_abandoned():
    return refresh_state.refresh(documents.ABANDONED_ORDERS, back=app_url("orders.abandoned"))


def _show(order, *, values=None, errors=None, status=200, permissions=None):
    return render_template("orders/show.html", order=order, lines=orders.lines(order),
                           shipments=orders.shipments(g.store.id, order.remote_id),
                           shipments_state=refresh_state.state(documents.FULFILLMENTS, order.remote_id),
                           values=values or orders.values_of(order), errors=errors or {},
                           statuses=orders.ORDER_STATUSES, shipment_statuses=orders.SHIPMENT_STATUSES,
                           permissions=permissions or features.blocked(g.store, PAGE_FEATURES)), status


@bp.get("/<int:remote_id>")
@store_required
def show(remote_id):
    """One order: lines, buyer, addresses, shipments; the form to change its status and tracking."""
    order = _order_or_404(remote_id)
    failed = writes.failed_named(orders.UPDATE)
    if failed is not None:
        return _show(order, values=orders.update_form_values(failed), errors=writes.errors_of(failed), status=422)
    return _show(order)


@bp.post("/<int:remote_id>")
@store_required
def update(remote_id):
    """Change the order's status, shipment status and tracking (a write job)."""
    order = _order_or_404(remote_id)
    try:
        payload = orders.update_from(request.form)
    except Invalid as exc:
        return _show(order, values=exc.values, errors=exc.errors, status=422)
    refused = _refused()
    if refused:
        return _show(order, values=dict(request.form), status=403, permissions=refused)
    return writes.submitted(g.store, orders.UPDATE, payload, order.remote_id)


@bp.post("/<int:remote_id>/shipments/refresh")
@store_required
def refresh_shipments(remote_id):
    order = _order_or_404(remote_id)
    return refresh_state.refresh(documents.FULFILLMENTS, order.remote_id,
                                 back=app_url("orders.show", remote_id=order.remote_id))


@bp.get("/<int:remote_id>/shipments/<int:fulfillment_id>")
@store_required
def shipment(remote_id, fulfillment_id):
    """One shipment (fulfillment) of the order, as last fetched."""
    order = _order_or_404(remote_id)
    found = orders.shipment(g.store.id, order.remote_id, fulfillment_id)
    if found is None:
        abort(404)
    return render_template("orders/shipment.html", order=order, shipment=found,
                           state=refresh_state.state(documents.FULFILLMENTS, order.remote_id))


def _form(values, errors, *, status=200, permissions=None):
    return render_template("orders/form.html", values=values, errors=errors, statuses=orders.ORDER_STATUSES,
                           lines=range(orders.LINES_ON_FORM), form_fields=orders.CREATE_FIELDS,
                           permissions=permissions or _refused()), status


@bp.get("/new")
@store_required
def new():
    """The form to add an order (with Jumpseller's errors when ?write= names a failed attempt)."""
    failed = writes.failed_named(orders.CREATE)
    if failed is not None:
        return _form(orders.create_form_values(failed), writes.errors_of(failed), status=422)
    return _form({"status": "pending_payment", "qty_0": "1"}, {})


@bp.post("")
@store_required
def create():
    try:
        payload = orders.create_from(request.form, g.store.currency)
    except Invalid as exc:
        return _form(exc.values, exc.errors, status=422)
    refused = _refused()
    if refused:
        return _form(orders.create_values(request.form), {}, status=403, permissions=refused)
    return writes.submitted(g.store, orders.CREATE, payload)
