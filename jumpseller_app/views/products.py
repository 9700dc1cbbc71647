"""Products pages: list, info (variants, images, custom fields, reviews), add, edit, delete; variant info, add and
edit; image add, reorder and delete.

Every page reads the database; every change is a write job (services/api_writes.py) whose status page leads back
here. Ids in addresses are Jumpseller's (remote) ids, looked up within the signed-in store only. The bulk edit and
the CSV export are in views/products_bulk.py, on this blueprint.
"""

from flask import Blueprint, abort, g, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .. import features
from ..jumpseller import scopes
from ..services import categories, product_documents, products
from ..sessions import app_url
from ..web import documents, listing, navigation
from ..web.current_store import store_required
from . import writes

bp = Blueprint("products", __name__, url_prefix="/products")
navigation.add("products.index", _l("Products"), order=30)

P = products


writes.on_end(P.CREATE, done=lambda w: app_url("products.show", remote_id=w.result_id),
              failed=lambda w: app_url("products.new", write=w.id))
writes.on_end(P.UPDATE, done=lambda w: app_url("products.show", remote_id=w.target_id),
              failed=lambda w: app_url("products.edit", remote_id=w.target_id, write=w.id))
writes.on_end(P.DELETE, done=lambda w: app_url("products.index", deleted=w.target_id),
              failed=lambda w: app_url("products.confirm_delete", remote_id=w.target_id, write=w.id))
def _part_url(endpoint, w, **values):
    return app_url(endpoint, remote_id=w.payload["product_id"], **values)


writes.on_end(P.VARIANT_CREATE, done=lambda w: _part_url("products.variant", w, variant_id=w.result_id),
              failed=lambda w: _part_url("products.new_variant", w, write=w.id))
writes.on_end(P.VARIANT_UPDATE, done=lambda w: _part_url("products.variant", w, variant_id=w.target_id),
              failed=lambda w: _part_url("products.edit_variant", w, variant_id=w.target_id, write=w.id))
for _kind in (P.IMAGE_CREATE, P.IMAGE_UPDATE, P.IMAGE_DELETE):
    writes.on_end(_kind, done=lambda w: _part_url("products.show", w, _anchor="images"),
                  failed=lambda w: _part_url("products.show", w, write=w.id, _anchor="images"))


def _product_or_404(remote_id):
    product = products.get(g.store.id, remote_id)
    if product is None:
        abort(404)
    return product


def _refused():
    return features.blocked(g.store, (scopes.PRODUCTS,))


@bp.get("")
@store_required
def index():
    """The store's products from the mirror: search by name or SKU, filters, sort, pages."""
    page = listing.from_request(products.LISTING, g.store.id)
    return render_template("products/index.html", page=page, categories=categories.names(g.store.id),
                           statuses=products.STATUSES, permissions=_refused(),
                           deleted=request.args.get("deleted", type=int))


def _show(product, *, image_errors=None, image_values=None, status=200):
    return render_template("products/show.html", product=product, variants=products.variants(product),
                           images=products.images(product), categories=categories.names(g.store.id),
                           details=product_documents.details(g.store.id, product.remote_id),
                           detail_states={kind: documents.state(kind, product.remote_id)
                                          for kind in product_documents.KINDS},
                           image_errors=image_errors or {}, image_values=image_values or {},
                           permissions=_refused()), status


@bp.get("/<int:remote_id>")
@store_required
def show(remote_id):
    """One product: its facts, variants, images (with their forms), custom fields and reviews."""
    product = _product_or_404(remote_id)
    failed = writes.failed_named(P.IMAGE_CREATE, P.IMAGE_UPDATE, P.IMAGE_DELETE)
    if failed is None:
        return _show(product)
    return _show(product, image_errors=writes.errors_of(failed), image_values=products.form_values(failed),
                 status=422)


# --- add, edit, delete a product --------------------------------------------------------------------------------

def _form(product, values, errors, *, status=200, permissions=None):
    return render_template("products/form.html", product=product, values=values, errors=errors,
                           statuses=products.STATUSES, permissions=permissions or _refused()), status


def _failed_form(kind, product=None):
    failed = writes.failed_named(kind)
    if failed is None:
        return _form(product, products.product_values(product) if product else {"status": "available"}, {})
    return _form(product, products.form_values(failed), writes.errors_of(failed), status=422)


def _submit(kind, build, form_view, target=None, payload_extra=None):
    """Validate the form, then submit the write (or re-render: bad input, or scopes not granted)."""
    try:
        payload = build(request.form)
    except categories.Invalid as exc:
        return form_view(exc.values, exc.errors, status=422)
    refused = _refused()
    if refused:
        return form_view(dict(request.form), {}, status=403, permissions=refused)
    return writes.submitted(g.store, kind, {**payload, **(payload_extra or {})}, target)


@bp.get("/new")
@store_required
def new():
    """The form to add a product (with Jumpseller's errors when ?write= names a failed attempt)."""
    return _failed_form(P.CREATE)


@bp.post("")
@store_required
def create():
    return _submit(P.CREATE, products.product_payload, lambda *a, **k: _form(None, *a, **k))


@bp.get("/<int:remote_id>/edit")
@store_required
def edit(remote_id):
    return _failed_form(P.UPDATE, _product_or_404(remote_id))


@bp.post("/<int:remote_id>")
@store_required
def update(remote_id):
    product = _product_or_404(remote_id)
    return _submit(P.UPDATE, products.product_payload, lambda *a, **k: _form(product, *a, **k), remote_id)


def _deletion(product):
    return writes.Deletion(title=gettext("Delete product"), name=product.name,
                           note=gettext("The product, its variants and images are deleted in your Jumpseller store."),
                           action=app_url("products.delete", remote_id=product.remote_id),
                           cancel=app_url("products.show", remote_id=product.remote_id), prefix="product")


@bp.get("/<int:remote_id>/delete")
@store_required
def confirm_delete(remote_id):
    """Ask before deleting (a failed attempt's reason shown)."""
    return writes.confirm_delete(_deletion(_product_or_404(remote_id)), P.DELETE, _refused())


@bp.post("/<int:remote_id>/delete")
@store_required
def delete(remote_id):
    return writes.delete(_deletion(_product_or_404(remote_id)), P.DELETE, remote_id, _refused())


# --- variants ---------------------------------------------------------------------------------------------------

def _variant_or_404(product, variant_id):
    row = products.variant(product, variant_id)
    if row is None:
        abort(404)
    return row


@bp.get("/<int:remote_id>/variants/<int:variant_id>")
@store_required
def variant(remote_id, variant_id):
    """One variant: price, stock, SKU and its options (from the mirror)."""
    product = _product_or_404(remote_id)
    row = _variant_or_404(product, variant_id)
    return render_template("products/variant.html", product=product, variant=row,
                           raw=products.raw_variant(product, variant_id), permissions=_refused())


def _variant_form(product, row, values, errors, *, status=200, permissions=None):
    return render_template("products/variant_form.html", product=product, variant=row, values=values,
                           errors=errors, permissions=permissions or _refused()), status


@bp.get("/<int:remote_id>/variants/new")
@store_required
def new_variant(remote_id):
    product = _product_or_404(remote_id)
    failed = writes.failed_named(P.VARIANT_CREATE)
    if failed is None:
        return _variant_form(product, None, {"price": products.product_values(product)["price"]}, {})
    return _variant_form(product, None, products.form_values(failed), writes.errors_of(failed), status=422)


@bp.post("/<int:remote_id>/variants")
@store_required
def create_variant(remote_id):
    product = _product_or_404(remote_id)
    return _submit(P.VARIANT_CREATE, products.variant_payload,
                   lambda *a, **k: _variant_form(product, None, *a, **k), None, {"product_id": remote_id})


@bp.get("/<int:remote_id>/variants/<int:variant_id>/edit")
@store_required
def edit_variant(remote_id, variant_id):
    product = _product_or_404(remote_id)
    row = _variant_or_404(product, variant_id)
    failed = writes.failed_named(P.VARIANT_UPDATE)
    if failed is None or failed.target_id != variant_id:
        return _variant_form(product, row, products.variant_values(row), {})
    return _variant_form(product, row, products.form_values(failed), writes.errors_of(failed), status=422)


@bp.post("/<int:remote_id>/variants/<int:variant_id>")
@store_required
def update_variant(remote_id, variant_id):
    product = _product_or_404(remote_id)
    row = _variant_or_404(product, variant_id)
    return _submit(P.VARIANT_UPDATE, products.variant_payload,
                   lambda *a, **k: _variant_form(product, row, *a, **k), variant_id, {"product_id": remote_id})


# --- images -----------------------------------------------------------------------------------------------------

def _image_write(remote_id, kind, build, target=None):
    """Queue an image write; a position that is not one re-renders the product page with its error (422)."""
    product = _product_or_404(remote_id)
    try:
        payload = {**build(request.form), "product_id": product.remote_id}
    except categories.Invalid as exc:
        return _show(product, image_errors=exc.errors, image_values=exc.values, status=422)
    if _refused():
        abort(403)
    return writes.submitted(g.store, kind, payload, target)


def _image_or_404(remote_id, image_id):
    if products.image(_product_or_404(remote_id), image_id) is None:
        abort(404)


@bp.post("/<int:remote_id>/images")
@store_required
def add_image(remote_id):
    """Add an image by its address (Jumpseller downloads it)."""
    return _image_write(remote_id, P.IMAGE_CREATE, products.image_payload)


@bp.post("/<int:remote_id>/images/<int:image_id>")
@store_required
def update_image(remote_id, image_id):
    """Move an image to another position."""
    _image_or_404(remote_id, image_id)
    return _image_write(remote_id, P.IMAGE_UPDATE, products.image_payload, image_id)


@bp.post("/<int:remote_id>/images/<int:image_id>/delete")
@store_required
def delete_image(remote_id, image_id):
    _image_or_404(remote_id, image_id)
    return _image_write(remote_id, P.IMAGE_DELETE, lambda form: {}, image_id)


@bp.post("/<int:remote_id>/details/<kind>")
@store_required
def refresh_details(remote_id, kind):
    """Fetch the product's custom fields or reviews again (a job; the page shows them once fetched)."""
    _product_or_404(remote_id)
    if kind not in product_documents.KINDS:
        abort(404)
    if _refused():
        abort(403)
    return documents.refresh(kind, remote_id, back=app_url("products.show", remote_id=remote_id, _anchor=kind))
