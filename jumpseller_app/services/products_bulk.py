"""Bulk price and stock edit of products: a preview first (old → new per product, and the rows that will not apply
with their reason), then one job sending the changes under the store's rate budget.

Two ways to say what changes, one preview:
- `from_operation`: the products of the list's current search and filters, with one operation on each (price:
  set, increase by a percentage or an amount, a negative value decreases; stock: set);
- `from_csv`: an uploaded file with `id` or `sku`, and `price` and/or `stock` columns (see csv_io for the dialects
  and number formats read). An empty cell leaves that value as it is.
A product with variants has its price and stock on each variant (Jumpseller sums the variants' stock): the
operation changes each variant, and a CSV row names a variant by its SKU.

The preview carries its changes as a plan (a small CSV: id, variant_id, price, stock) that the apply form sends
back; `apply` reads the plan again with the same rules against the mirror as it is then, so nothing the merchant
did not see can slip in. Applying records one ApiWrite per product (kind products.bulk, the batch's key in its
payload; a product's variants go in the same product update, nested by id) and queues one job
(write_tasks.perform_batch_job); each product's result is its write's status and errors. No table is added: the
batch is its writes.
"""

import uuid
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import ApiWrite, MirrorProduct, MirrorVariant, WriteStatus
from . import api_writes, csv_io
from .products import LISTING

BULK = "products.bulk"
MAX_ROWS = 2000
_IN = 500

UNKNOWN_ID = _l("No product of your store has this id.")
UNKNOWN_SKU = _l("No product or variant of your store has this SKU.")
UNKNOWN_VARIANT = _l("The product has no variant with this id.")
HAS_VARIANTS = _l("The product has variants: give each variant's SKU (their prices and stock are theirs).")
NO_KEY = _l("The row gives neither an id nor a SKU.")
PRICE_NAN = _l("The price is not a number.")
STOCK_NAN = _l("The stock is not a whole number.")
PRICE_NEGATIVE = _l("The price would be negative.")
STOCK_NEGATIVE = _l("The stock would be negative.")
NOTHING = _l("Nothing to change.")
REPEATED = _l("The product is already changed by an earlier row.")
TOO_MANY = _l("Only the first %(max)s products are changed at once.", max=MAX_ROWS)
UNDER_WAY = _l("A change of this product is already under way.")
NOTHING_TO_APPLY = _l("Nothing of this preview can be applied any more; preview the changes again.")


class BadFile(ValueError):
    """A file that is not a CSV of products: the reason for the merchant."""


@dataclass
class Change:
    """One product's or one variant's new price and/or stock (None: unchanged), with the values it replaces."""

    remote_id: int
    variant_id: int | None
    name: str
    label: str              # the variant's options ("Talla: M, Color: Rojo"), "" for a product
    sku: str
    old_price: float
    new_price: float | None
    old_stock: int | None
    new_stock: int | None
    stock_unlimited: bool | None = None

    @property
    def key(self):
        return f"{self.remote_id}-{self.variant_id}" if self.variant_id else str(self.remote_id)


@dataclass
class Skipped:
    where: object       # "line 4" (a lazy string), or the product's id
    given: str          # what the row named (its id or sku)
    reason: object      # a lazy string


@dataclass
class Preview:
    changes: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    @property
    def plan(self):
        """The changes as the apply form sends them back: id,variant_id,price,stock (an empty cell: unchanged)."""
        lines = ["id,variant_id,price,stock"]
        for change in self.changes:
            price = "" if change.new_price is None else repr(change.new_price)
            stock = "" if change.new_stock is None else str(change.new_stock)
            lines.append(f"{change.remote_id},{change.variant_id or ''},{price},{stock}")
        return "\n".join(lines) + "\n"


# --- what a row names: a product, or one variant of a product ---------------------------------------------------

def _label(variant):
    return ", ".join(f"{o.get('name')}: {o.get('value')}" for o in variant.options or [] if isinstance(o, dict))


def _change(product, price, stock, variant=None):
    if variant is None:
        return Change(product.remote_id, None, product.name, "", product.sku, product.price, price, product.stock,
                      stock, product.stock_unlimited)
    return Change(product.remote_id, variant.remote_id, product.name, _label(variant), variant.sku, variant.price,
                  price, variant.stock, stock, variant.stock_unlimited)


def _chunks(keys):
    keys = list(keys)
    return (keys[start:start + _IN] for start in range(0, len(keys), _IN))


def _live_products(store_id):
    return (MirrorProduct.store_id == store_id, MirrorProduct.deleted_at.is_(None))


def _products_by(store_id, column, keys):
    """{key: product} of the store's live products whose `column` is one of `keys`."""
    found = {}
    for chunk in _chunks(keys):
        for row in db.session.scalars(select(MirrorProduct).where(*_live_products(store_id),
                                                                  getattr(MirrorProduct, column).in_(chunk))
                                      .order_by(MirrorProduct.remote_id)):
            found.setdefault(getattr(row, column), row)
    return found


def _variants_of(products):
    """{product row id: its variants by id} of these products."""
    found = {product.id: [] for product in products}
    for chunk in _chunks(found):
        for variant in db.session.scalars(select(MirrorVariant).where(MirrorVariant.product_row_id.in_(chunk))
                                          .order_by(MirrorVariant.remote_id)):
            found[variant.product_row_id].append(variant)
    return found


def _variants_by_sku(store_id, skus):
    """{sku: (product, variant)} of the store's live products' variants with one of `skus`."""
    found = {}
    for chunk in _chunks(skus):
        rows = db.session.execute(select(MirrorProduct, MirrorVariant)
                                  .join(MirrorVariant, MirrorVariant.product_row_id == MirrorProduct.id)
                                  .where(*_live_products(store_id), MirrorVariant.sku.in_(chunk))
                                  .order_by(MirrorVariant.remote_id))
        for product, variant in rows:
            found.setdefault(variant.sku, (product, variant))
    return found


# --- building a preview -----------------------------------------------------------------------------------------

def _price(value):
    return round(value, 2)


def operation_price(old, mode, amount):
    """The new price of one product, or None when the operation leaves prices alone."""
    if mode == "set":
        return _price(amount)
    if mode == "percent":
        return _price(old * (1 + amount / 100))
    if mode == "amount":
        return _price(old + amount)
    return None


def _negative(price, stock):
    if price is not None and price < 0:
        return PRICE_NEGATIVE
    if stock is not None and stock < 0:
        return STOCK_NEGATIVE
    return None


def from_operation(store_id, args, form):
    """The preview of an operation over the products the list arguments select: a product with variants changes
    each of its variants (their prices and stock are theirs). At most MAX_ROWS changes.

    `form`: price_mode ("", set, percent, amount) and price_value; stock_mode ("", set) and stock_value.
    Raises BadFile with the reason when the operation itself cannot be read.
    """
    price_mode = form.get("price_mode", "")
    stock_mode = form.get("stock_mode", "")
    price_value = csv_io.number(form.get("price_value")) if price_mode in ("set", "percent", "amount") else None
    stock_value = csv_io.number(form.get("stock_value")) if stock_mode == "set" else None
    if price_value is None and stock_value is None:
        raise BadFile(_l("Say what to change: a price operation with its number, or the stock to set."))
    if stock_value is not None and not stock_value.is_integer():
        raise BadFile(STOCK_NAN)
    params = LISTING.parse(args)
    products = list(db.session.scalars(select(MirrorProduct).where(*LISTING.where(store_id, params))
                                       .order_by(*LISTING.order(params)).limit(MAX_ROWS + 1)))
    variants = _variants_of(products)
    preview = Preview()
    for product in products:
        for variant in variants[product.id] or [None]:
            if len(preview.changes) >= MAX_ROWS:
                preview.skipped.append(Skipped("", "", TOO_MANY))
                return preview
            old = variant.price if variant is not None else product.price
            price = operation_price(old, price_mode, price_value) if price_value is not None else None
            stock = int(stock_value) if stock_value is not None else None
            reason = _negative(price, stock)
            if reason is not None:
                sku = (variant.sku if variant is not None else product.sku) or product.name
                preview.skipped.append(Skipped(str(product.remote_id), sku, reason))
            else:
                preview.changes.append(_change(product, price, stock, variant))
    return preview


def _row_id(text):
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


class _Targets:
    """What the rows of one file name, looked up in a few queries: products by id and SKU, variants by SKU."""

    def __init__(self, store_id, rows):
        self.by_id = _products_by(store_id, "remote_id", {i for i in (_row_id(r.get("id")) for _, r in rows) if i})
        skus = {r["sku"] for _, r in rows if r.get("sku") and not r.get("id")}
        self.variant_by_sku = _variants_by_sku(store_id, skus)
        self.by_sku = _products_by(store_id, "sku", skus - set(self.variant_by_sku))
        self.variants = _variants_of([*self.by_id.values(), *self.by_sku.values()])

    def of(self, row):
        """(product, variant or None, the reason the row names nothing it can change or None)."""
        if row.get("id"):
            product = self.by_id.get(_row_id(row["id"]))
            if product is None:
                return None, None, UNKNOWN_ID
            return self._in(product, row.get("variant_id"))
        if row.get("sku"):
            if row["sku"] in self.variant_by_sku:
                product, variant = self.variant_by_sku[row["sku"]]
                return product, variant, None
            product = self.by_sku.get(row["sku"])
            return (None, None, UNKNOWN_SKU) if product is None else self._in(product, None)
        return None, None, NO_KEY

    def _in(self, product, variant_text):
        variants = self.variants.get(product.id, [])
        if variant_text:
            variant = next((v for v in variants if v.remote_id == _row_id(variant_text)), None)
            return (product, variant, None) if variant else (None, None, UNKNOWN_VARIANT)
        return (None, None, HAS_VARIANTS) if variants else (product, None, None)


def from_csv(store_id, data):
    """The preview of a CSV file's rows (bytes or text). Raises BadFile when it is not a CSV of products.

    A row names a product by `id` or `sku`, or one variant by its `sku` (or `id` and `variant_id`); a product with
    variants is changed through its variants, so a row naming the product itself is refused with that reason.
    """
    try:
        header, rows = csv_io.read_rows(data)
    except csv_io.CsvError:
        raise BadFile(_l("The file is not a CSV file in UTF-8.")) from None
    if "id" not in header and "sku" not in header:
        raise BadFile(_l("The file needs an id or a sku column."))
    if "price" not in header and "stock" not in header:
        raise BadFile(_l("The file needs a price or a stock column."))
    targets = _Targets(store_id, rows)
    preview, seen = Preview(), set()
    for line, row in rows:
        where = _l("line %(line)s", line=line)
        given = row.get("sku") or row.get("id") or ""
        product, variant, reason = targets.of(row)
        if reason is None:
            price, stock, reason = _values(row)
        key = (product.remote_id, variant.remote_id if variant else None) if product else None
        if reason is None and key in seen:
            reason = REPEATED
        if reason is None and len(preview.changes) >= MAX_ROWS:
            reason = TOO_MANY
        if reason is not None:
            preview.skipped.append(Skipped(where, given, reason))
            continue
        seen.add(key)
        preview.changes.append(_change(product, price, stock, variant))
    return preview


def _values(row):
    """(price, stock, reason): each None when its cell is empty; the reason a row cannot apply, or None."""
    price = stock = None
    if row.get("price"):
        price = csv_io.number(row["price"])
        if price is None:
            return None, None, PRICE_NAN
        price = _price(price)
    if row.get("stock"):
        value = csv_io.number(row["stock"])
        if value is None or not value.is_integer():
            return None, None, STOCK_NAN
        stock = int(value)
    if price is None and stock is None:
        return None, None, NOTHING
    return price, stock, _negative(price, stock)


# --- applying ---------------------------------------------------------------------------------------------------

def _values_of(change):
    values = {"old_price": change.old_price, "old_stock": change.old_stock}
    if change.new_price is not None:
        values["price"] = change.new_price
    if change.new_stock is not None:
        values["stock"] = change.new_stock
    return values


def _write_payloads(batch, changes):
    """One write per product: its own new values, or its variants' ({"variants": [...]})."""
    payloads = {}
    for change in changes:
        payload = payloads.setdefault(change.remote_id, {"batch": batch, "name": change.name})
        if change.variant_id is None:
            payload.update(_values_of(change))
        else:
            payload.setdefault("variants", []).append({"id": change.variant_id, "label": change.label,
                                                       "sku": change.sku, **_values_of(change)})
    return payloads


def apply(store, plan):
    """Record the plan's changes (read again now) as one batch and queue its job; returns (batch key, preview).

    A product with a change already under way is left out (a skipped row of the returned preview). Raises BadFile
    when nothing of the plan can be applied.
    """
    preview = from_csv(store.id, plan)
    batch = uuid.uuid4().hex
    payloads = _write_payloads(batch, preview.changes)
    ids, busy = api_writes.record_many(store, BULK, payloads.items())
    for remote_id in busy:
        preview.skipped.append(Skipped(str(remote_id), payloads[remote_id]["name"], UNDER_WAY))
    if not ids:
        raise BadFile(NOTHING_TO_APPLY)
    from ..jobs import write_tasks  # the job module imports the services
    write_tasks.request_batch(store.code, ids)
    return batch, preview


def batch_writes(store_id, batch):
    """The writes of a batch of the store, in the order they were recorded."""
    return list(db.session.scalars(select(ApiWrite).where(
        ApiWrite.store_id == store_id, ApiWrite.kind == BULK,
        ApiWrite.payload["batch"].as_string() == batch).order_by(ApiWrite.id)))


def progress(writes):
    """{status: count} of a batch's writes, with `total` and `finished`."""
    counts = {WriteStatus.PENDING: 0, WriteStatus.RUNNING: 0, WriteStatus.DONE: 0, WriteStatus.FAILED: 0}
    for write in writes:
        counts[write.status] = counts.get(write.status, 0) + 1
    counts["total"] = len(writes)
    counts["finished"] = counts[WriteStatus.DONE] + counts[WriteStatus.FAILED]
    return counts


def _sent(values):
    fields = {key: values[key] for key in ("price", "stock") if key in values}
    if "stock" in fields:
        fields["stock_unlimited"] = False        # a stock that is set is counted from then on
    return fields


def _send(client, write):
    """One product update: its price/stock, or its variants' (nested, by id: the others stay as they are)."""
    fields = _sent(write.payload)
    if write.payload.get("variants"):
        fields["variants"] = [{"id": v["id"], **_sent(v)} for v in write.payload["variants"]]
    return client.products.update(write.target_id, fields)


api_writes.register(BULK, call=_send, mirror=lambda store_id, write, answer, at: api_writes.mirror_record(
    store_id, "products", answer, at))
