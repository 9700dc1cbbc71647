"""Products bulk price and stock edit (by an operation over the current list, or by a CSV upload), always through a
preview, and the streamed CSV export. Routes of the products blueprint (views/products.py).

    GET  /products/bulk            the two forms (the list's search and filters carried along)
    POST /products/bulk/preview    an operation over the filtered list → the preview
    POST /products/bulk/csv        an uploaded CSV → the preview
    POST /products/bulk/apply      the preview's plan → one job; redirect to the batch's progress
    GET  /products/bulk/<batch>    the batch's progress and each product's result
    GET  /products/export.csv      the filtered list as CSV, streamed
"""

import re

from flask import Response, abort, g, redirect, render_template, request, stream_with_context
from flask_babel import gettext

from .. import features
from ..jumpseller import scopes
from ..models import WriteStatus
from ..services import categories, products, products_bulk, products_export
from ..sessions import app_url
from ..web.current_store import store_required
from .products import bp

FILTER_ARGS = ("q", "category", "status", "stock", "price_min", "price_max", "sort", "desc")
_BATCH = re.compile(r"^[0-9a-f]{32}$")
SKIPPED_SHOWN = 200          # rows that will not apply listed on a preview (a 1 MB file can hold 100,000)


def _filters(source):
    """The list's search and filters (as given) from a mapping: carried from the list to the bulk form and back."""
    return {name: source.get(name) for name in FILTER_ARGS if source.get(name)}


def _refused():
    return features.blocked(g.store, (scopes.PRODUCTS,))


def _form(*, error=None, status=200, permissions=None):
    filters = _filters(request.values)
    page = products.LISTING.run(g.store.id, products.LISTING.parse({**filters, "per_page": "1"}))
    return render_template("products/bulk.html", filters=filters, matching=page.total, error=error,
                           categories=categories.names(g.store.id), values=request.form,
                           permissions=permissions or _refused()), status


def _preview(build, source):
    """The preview page of what `build()` reads (nothing is sent yet), or the form with the reason it cannot."""
    try:
        preview = build()
    except products_bulk.BadFile as exc:
        return _form(error=str(exc), status=422)
    return render_template("products/preview.html", preview=preview, source=source, filters=_filters(request.values),
                           shown=SKIPPED_SHOWN, permissions=_refused())


@bp.get("/bulk")
@store_required
def bulk():
    """The bulk edit forms: an operation over the products the list shows, or a CSV file."""
    return _form()


@bp.post("/bulk/preview")
@store_required
def bulk_preview():
    """What the operation would change, product by product."""
    return _preview(lambda: products_bulk.from_operation(g.store.id, _filters(request.form), request.form),
                    "operation")


@bp.post("/bulk/csv")
@store_required
def bulk_csv():
    """What the uploaded CSV would change, and the rows that will not apply with their reason."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _form(error=gettext("Choose a CSV file."), status=422)
    return _preview(lambda: products_bulk.from_csv(g.store.id, upload.read()), "csv")


@bp.post("/bulk/apply")
@store_required
def bulk_apply():
    """Send the previewed changes: one job, under the store's rate budget; the page follows its progress."""
    refused = _refused()
    if refused:
        return _form(status=403, permissions=refused)
    try:
        batch, _ = products_bulk.apply(g.store, request.form.get("plan", ""))
    except products_bulk.BadFile as exc:
        return _form(error=str(exc), status=422)
    return redirect(app_url("products.bulk_batch", batch=batch))


@bp.get("/bulk/<batch>")
@store_required
def bulk_batch(batch):
    """A batch's progress (the page reloads itself until every product has its result) and each result."""
    if not _BATCH.match(batch):
        abort(404)
    writes = products_bulk.batch_writes(g.store.id, batch)
    if not writes:
        abort(404)
    progress = products_bulk.progress(writes)
    return render_template("products/batch.html", batch=batch, writes=writes, progress=progress,
                           finished=progress["finished"] == progress["total"], statuses=WriteStatus)


@bp.get("/export.csv")
@store_required
def export():
    """The products of the list's search and filters as CSV, streamed from the database."""
    lines = products_export.csv_lines(g.store.id, _filters(request.args))
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="products-{g.store.code}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
