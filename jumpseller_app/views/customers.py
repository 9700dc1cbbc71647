"""Customers pages: list (search, filters by status and group, sort, pages, CSV export), info (addresses,
additional fields), add, edit, delete, add an address; customer groups: list and add.

Pages read the mirror and the documents table; every change is a write job (services/api_writes.py) whose status
page leads back here. Ids in addresses are Jumpseller's, looked up within the signed-in store only.
"""

from flask import Blueprint, Response, abort, g, render_template, request, stream_with_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .. import features
from ..jumpseller import scopes
from ..services import customers, documents
from ..services.forms import Invalid
from ..sessions import app_url
from ..web import documents as refresh_state
from ..web import listing, navigation
from ..web.current_store import store_required
from . import writes

bp = Blueprint("customers", __name__, url_prefix="/customers")
navigation.add("customers.index", _l("Customers"), order=50)

PAGE_FEATURES = (scopes.CUSTOMERS, scopes.CUSTOMER_WRITES)

writes.on_end(customers.CREATE, done=lambda w: app_url("customers.show", remote_id=w.result_id),
              failed=lambda w: app_url("customers.new", write=w.id))
writes.on_end(customers.UPDATE, done=lambda w: app_url("customers.show", remote_id=w.target_id),
              failed=lambda w: app_url("customers.edit", remote_id=w.target_id, write=w.id))
writes.on_end(customers.ADDRESS_CREATE, done=lambda w: app_url("customers.show", remote_id=w.target_id),
              failed=lambda w: app_url("customers.show", remote_id=w.target_id, write=w.id))
writes.on_end(customers.DELETE, done=lambda w: app_url("customers.index", deleted=w.target_id),
              failed=lambda w: app_url("customers.confirm_delete", remote_id=w.target_id, write=w.id))
writes.on_end(customers.GROUP_CREATE, done=lambda w: app_url("customers.groups", added=w.result_id),
              failed=lambda w: app_url("customers.groups", write=w.id))


def _customer_or_404(remote_id):
    customer = customers.get(g.store.id, remote_id)
    if customer is None:
        abort(404)
    return customer


def _refused():
    return features.blocked(g.store, (scopes.CUSTOMER_WRITES,))


@bp.get("")
@store_required
def index():
    """The store's customers from the mirror: search by name or email, filter by status or group, sort, pages."""
    page = listing.from_request(customers.LISTING, g.store.id)
    group = page.params.filters.get("group")
    unfiltered = not (page.params.q or page.params.filters)
    return render_template("customers/index.html", page=page,
                           count=page.total if unfiltered else customers.count(g.store.id),
                           groups=customers.groups(g.store.id),
                           statuses=customers.STATUSES,
                           members_state=refresh_state.state(customers.GROUP_MEMBERS, group) if group else None,
                           permissions=features.blocked(g.store, PAGE_FEATURES),
                           deleted=request.args.get("deleted", type=int))


@bp.get("/export.csv")
@store_required
def export():
    """The list's customers (same search, filters and sort) as CSV, streamed."""
    lines = customers.csv_lines(g.store.id, request.args)
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="customers.csv"',
                             "Cache-Control": "no-store"})


def _show(customer, *, values=None, errors=None, status=200):
    return render_template("customers/show.html", customer=customer, addresses=customers.addresses(customer),
                           fields=customers.fields_of(g.store.id, customer.remote_id),
                           fields_state=refresh_state.state(documents.CUSTOMER_FIELDS, customer.remote_id),
                           values=values or {"kind": "shipping"}, errors=errors or {},
                           address_fields=customers.ADDRESS_FIELDS,
                           permissions=features.blocked(g.store, PAGE_FEATURES)), status


@bp.get("/<int:remote_id>")
@store_required
def show(remote_id):
    """One customer, its addresses and additional fields; the form to add an address."""
    customer = _customer_or_404(remote_id)
    failed = writes.failed_named(customers.ADDRESS_CREATE)
    if failed is not None:
        return _show(customer, values=customers.form_values(failed), errors=writes.errors_of(failed), status=422)
    return _show(customer)


def _form(customer, values, errors, *, status=200, permissions=None):
    return render_template("customers/form.html", customer=customer, values=values, errors=errors,
                           groups=customers.groups(g.store.id), statuses=customers.STATUSES,
                           permissions=permissions or _refused()), status


def _failed_form(kind, customer=None):
    failed = writes.failed_named(kind)
    if failed is None:
        values = customers.values_of(customer) if customer else {"status": "approved", "groups": []}
        return _form(customer, values, {})
    return _form(customer, customers.form_values(failed), writes.errors_of(failed), status=422)


def _submit(kind, customer=None):
    target = customer.remote_id if customer else None
    try:
        payload = customers.payload_from(g.store.id, request.form, customer=customer)
    except Invalid as exc:
        return _form(customer, exc.values, exc.errors, status=422)
    refused = _refused()
    if refused:
        return _form(customer, customers.values_from(request.form), {}, status=403, permissions=refused)
    return writes.submitted(g.store, kind, payload, target)


@bp.get("/new")
@store_required
def new():
    return _failed_form(customers.CREATE)


@bp.post("")
@store_required
def create():
    return _submit(customers.CREATE)


@bp.get("/<int:remote_id>/edit")
@store_required
def edit(remote_id):
    return _failed_form(customers.UPDATE, _customer_or_404(remote_id))


@bp.post("/<int:remote_id>")
@store_required
def update(remote_id):
    return _submit(customers.UPDATE, _customer_or_404(remote_id))


@bp.post("/<int:remote_id>/addresses")
@store_required
def add_address(remote_id):
    """Add (set) the customer's shipping or billing address: a customer update at Jumpseller."""
    customer = _customer_or_404(remote_id)
    try:
        payload = customers.address_from(request.form)
    except Invalid as exc:
        return _show(customer, values=exc.values, errors=exc.errors, status=422)
    if _refused():
        return _show(customer, values=dict(request.form), status=403)
    return writes.submitted(g.store, customers.ADDRESS_CREATE, payload, customer.remote_id)


def _deletion(customer):
    name = customer.fullname or customer.email
    return writes.Deletion(title=gettext("Delete customer"), name=name,
                           note=gettext("The customer is deleted in your Jumpseller store. Their orders stay."),
                           action=app_url("customers.delete", remote_id=customer.remote_id),
                           cancel=app_url("customers.show", remote_id=customer.remote_id), prefix="customer")


@bp.get("/<int:remote_id>/delete")
@store_required
def confirm_delete(remote_id):
    return writes.confirm_delete(_deletion(_customer_or_404(remote_id)), customers.DELETE, _refused())


@bp.post("/<int:remote_id>/delete")
@store_required
def delete(remote_id):
    return writes.delete(_deletion(_customer_or_404(remote_id)), customers.DELETE, remote_id, _refused())


@bp.post("/<int:remote_id>/fields/refresh")
@store_required
def refresh_fields(remote_id):
    customer = _customer_or_404(remote_id)
    return refresh_state.refresh(documents.CUSTOMER_FIELDS, customer.remote_id,
                                 back=app_url("customers.show", remote_id=customer.remote_id))


# --- groups (customer categories) -------------------------------------------------------------------------------

def _groups_page(values=None, errors=None, status=200, permissions=None):
    return render_template("customers/groups.html", groups=documents.items(g.store.id, documents.CUSTOMER_CATEGORIES),
                           state=refresh_state.state(documents.CUSTOMER_CATEGORIES), values=values or {},
                           errors=errors or {}, added=request.args.get("added", type=int),
                           permissions=permissions or features.blocked(g.store, PAGE_FEATURES)), status


@bp.get("/groups")
@store_required
def groups():
    """The store's customer groups (as last fetched) and the form to add one."""
    failed = writes.failed_named(customers.GROUP_CREATE)
    if failed is not None:
        return _groups_page(dict(failed.payload or {}), writes.errors_of(failed), 422)
    return _groups_page()


@bp.post("/groups")
@store_required
def create_group():
    refused = _refused()
    if refused:
        return _groups_page(dict(request.form), {}, 403, refused)
    return writes.submitted(g.store, customers.GROUP_CREATE, customers.group_from(request.form))


@bp.post("/groups/refresh")
@store_required
def refresh_groups():
    return refresh_state.refresh(documents.CUSTOMER_CATEGORIES, back=app_url("customers.groups"))


@bp.post("/groups/<int:group_id>/refresh")
@store_required
def refresh_members(group_id):
    """Fetch who is in a group (the list's group filter reads it)."""
    if group_id not in customers.groups(g.store.id):
        abort(404)
    return refresh_state.refresh(customers.GROUP_MEMBERS, group_id, back=app_url("customers.index", group=group_id))
