"""Categories pages: list, info (with its products), add, edit, delete, assign and unassign a product.

Every page reads the mirror; every change is a write job (services/api_writes.py) whose status page leads back
here. Ids in addresses are Jumpseller's (remote) ids, looked up within the signed-in store only.
"""

from flask import Blueprint, abort, g, render_template, request
from flask_babel import lazy_gettext as _l

from .. import features
from ..jumpseller import scopes
from ..services import api_writes, categories
from ..sessions import app_url
from ..web import listing, navigation
from ..web.current_store import store_required
from . import writes

bp = Blueprint("categories", __name__, url_prefix="/categories")
navigation.add("categories.index", _l("Categories"), order=20)

PAGE_FEATURES = (scopes.CATEGORIES, scopes.CATEGORY_PRODUCTS)

writes.on_end(categories.CREATE, done=lambda w: app_url("categories.show", remote_id=w.result_id),
              failed=lambda w: app_url("categories.new", write=w.id))
writes.on_end(categories.UPDATE, done=lambda w: app_url("categories.show", remote_id=w.target_id),
              failed=lambda w: app_url("categories.edit", remote_id=w.target_id, write=w.id))
writes.on_end(categories.DELETE, done=lambda w: app_url("categories.index", deleted=w.target_id),
              failed=lambda w: app_url("categories.confirm_delete", remote_id=w.target_id, write=w.id))
for _kind in (categories.ASSIGN, categories.UNASSIGN):
    writes.on_end(_kind, done=lambda w: app_url("categories.show", remote_id=w.payload["category_id"]),
                  failed=lambda w: app_url("categories.show", remote_id=w.payload["category_id"], write=w.id))


def _category_or_404(remote_id):
    category = categories.get(g.store.id, remote_id)
    if category is None:
        abort(404)
    return category


def _failed(kind):
    """The failed write of `kind` the address names (?write=id), of this store only."""
    return api_writes.failed_for(g.store.id, request.args.get("write", type=int), kind)


def _refused(feature):
    """The permission notes when the store did not grant `feature`'s scopes (the write would be refused)."""
    return features.blocked(g.store, (feature,))


@bp.get("")
@store_required
def index():
    """The store's categories from the mirror: search by name, filter by parent, sort, pages."""
    page = listing.from_request(categories.LISTING, g.store.id)
    return render_template("categories/index.html", page=page, parents=categories.names(g.store.id),
                           permissions=features.blocked(g.store, PAGE_FEATURES),
                           deleted=request.args.get("deleted", type=int))


def _show(category, *, failed=None, values=None, errors=None, permissions=None, status=200):
    products, total = categories.products_in(g.store.id, category.remote_id)
    if failed is not None:
        values, errors = {"product_id": str(failed.target_id)}, writes.errors_of(failed)
    return render_template("categories/show.html", category=category, products=products, total=total,
                           parents=categories.names(g.store.id), values=values or {},
                           form_errors=errors or {},
                           permissions=permissions or features.blocked(g.store, PAGE_FEATURES)), status


@bp.get("/<int:remote_id>")
@store_required
def show(remote_id):
    """One category, its parent and its products (from the mirror), the forms to assign and unassign products."""
    failed = _failed(categories.ASSIGN) or _failed(categories.UNASSIGN)
    return _show(_category_or_404(remote_id), failed=failed, status=422 if failed else 200)


def _form(category, values, errors, *, status=200, permissions=None):
    return render_template("categories/form.html", category=category, values=values, errors=errors,
                           parents=categories.names(g.store.id),
                           permissions=permissions or _refused(scopes.CATEGORIES)), status


def _failed_form(kind, category=None):
    failed = _failed(kind)
    if failed is None:
        values = {"name": category.name if category else "",
                  "parent_id": str(category.parent_id) if category and category.parent_id else ""}
        return _form(category, values, {})
    return _form(category, categories.form_values(failed), writes.errors_of(failed), status=422)


def _submit(kind, category=None):
    """Validate the form, then submit the write (or re-render the form: bad input, or scopes not granted)."""
    target = category.remote_id if category else None
    try:
        payload = categories.payload_from(g.store.id, request.form)
    except categories.Invalid as exc:
        return _form(category, exc.values, exc.errors, status=422)
    refused = _refused(scopes.CATEGORIES)
    if refused:
        return _form(category, dict(request.form), {}, status=403, permissions=refused)
    return writes.submitted(g.store, kind, payload, target)


@bp.get("/new")
@store_required
def new():
    """The form to add a category (with Jumpseller's errors when ?write= names a failed attempt)."""
    return _failed_form(categories.CREATE)


@bp.post("")
@store_required
def create():
    return _submit(categories.CREATE)


@bp.get("/<int:remote_id>/edit")
@store_required
def edit(remote_id):
    return _failed_form(categories.UPDATE, _category_or_404(remote_id))


@bp.post("/<int:remote_id>")
@store_required
def update(remote_id):
    return _submit(categories.UPDATE, _category_or_404(remote_id))


@bp.get("/<int:remote_id>/delete")
@store_required
def confirm_delete(remote_id):
    """Ask before deleting (a failed attempt's reason shown)."""
    category = _category_or_404(remote_id)
    failed = _failed(categories.DELETE)
    return render_template("categories/delete.html", category=category,
                           errors=writes.errors_of(failed) if failed else {},
                           permissions=_refused(scopes.CATEGORIES)), 422 if failed else 200


@bp.post("/<int:remote_id>/delete")
@store_required
def delete(remote_id):
    category = _category_or_404(remote_id)
    refused = _refused(scopes.CATEGORIES)
    if refused:
        return render_template("categories/delete.html", category=category, errors={}, permissions=refused), 403
    return writes.submitted(g.store, categories.DELETE, {}, category.remote_id)


def _membership(category, kind, product_id):
    refused = _refused(scopes.CATEGORY_PRODUCTS)
    if refused:
        return _show(category, values=dict(request.form), permissions=refused, status=403)
    return writes.submitted(g.store, kind, {"category_id": category.remote_id}, product_id)


@bp.post("/<int:remote_id>/products")
@store_required
def assign(remote_id):
    """Add a product (by its id) to the category."""
    category = _category_or_404(remote_id)
    try:
        product_id = categories.product_id_from(g.store.id, request.form)
    except categories.Invalid as exc:
        return _show(category, values=exc.values, errors=exc.errors, status=422)
    return _membership(category, categories.ASSIGN, product_id)


@bp.post("/<int:remote_id>/products/<int:product_id>/remove")
@store_required
def unassign(remote_id, product_id):
    """Take a product out of the category."""
    return _membership(_category_or_404(remote_id), categories.UNASSIGN, product_id)
