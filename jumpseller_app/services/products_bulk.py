"""Bulk price and stock edit of products: a preview first (old → new per product, and the rows that will not apply
with their reason), then one job sending the changes under the store's rate budget.

Two ways to say what changes, one preview:
- `from_operation`: the products of the list's current search and filters, with one operation on each (price:
  set, increase by a percentage or an amount, a negative value decreases; stock: set);
- `from_csv`: an uploaded file with `id` or `sku`, and `price` and/or `stock` columns (see csv_io for the dialects
  and number formats read). An empty cell leaves that value as it is.

The preview carries its changes as a plan (a small CSV with id, price, stock) that the apply form sends back;
`apply` reads the plan again with the same rules against the mirror as it is then, so nothing the merchant did not
see can slip in. Applying records one ApiWrite per product (kind products.bulk, the batch's key in its payload)
and queues one job (write_tasks.perform_batch_job); each product's result is its write's status and errors. No
table is added: the batch is its writes.
"""

import uuid
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import ApiWrite, MirrorProduct, WriteStatus
from . import api_writes, csv_io
from .products import LISTING

BULK = "products.bulk"
MAX_ROWS = 2000
_IN = 500

UNKNOWN_ID = _l("No product of your store has this id.")
UNKNOWN_SKU = _l("No product of your store has this SKU.")
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
    remote_id: int
    name: str
    sku: str
    old_price: float
    new_price: float | None
    old_stock: int | None
    new_stock: int | None
    stock_unlimited: bool | None = None


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
        """The changes as the apply form sends them back: id,price,stock (an empty cell: unchanged)."""
        lines = ["id,price,stock"]
        for change in self.changes:
            price = "" if change.new_price is None else repr(change.new_price)
            stock = "" if change.new_stock is None else str(change.new_stock)
            lines.append(f"{change.remote_id},{price},{stock}")
        return "\n".join(lines) + "\n"


# --- building a preview -----------------------------------------------------------------------------------------

def _change(product, price, stock):
    return Change(product.remote_id, product.name, product.sku, product.price, price, product.stock, stock,
                  product.stock_unlimited)


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


def from_operation(store_id, args, form):
    """The preview of an operation over the products the list arguments select (at most MAX_ROWS of them).

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
    rows = db.session.scalars(select(MirrorProduct).where(*LISTING.where(store_id, params))
                              .order_by(*LISTING.order(params)).limit(MAX_ROWS + 1))
    preview = Preview()
    for product in rows:
        if len(preview.changes) >= MAX_ROWS:
            preview.skipped.append(Skipped("", "", TOO_MANY))
            break
        price = operation_price(product.price, price_mode, price_value) if price_value is not None else None
        stock = int(stock_value) if stock_value is not None else None
        reason = _negative(price, stock)
        if reason:
            preview.skipped.append(Skipped(str(product.remote_id), product.sku or product.name, reason))
        else:
            preview.changes.append(_change(product, price, stock))
    return preview


def _negative(price, stock):
    if price is not None and price < 0:
        return PRICE_NEGATIVE
    if stock is not None and stock < 0:
        return STOCK_NEGATIVE
    return None


def _by(store_id, column, keys):
    """{key: product} of the store's live products whose `column` is one of `keys` (queried in chunks)."""
    found = {}
    keys = list(keys)
    for start in range(0, len(keys), _IN):
        rows = db.session.scalars(select(MirrorProduct).where(
            MirrorProduct.store_id == store_id, MirrorProduct.deleted_at.is_(None),
            getattr(MirrorProduct, column).in_(keys[start:start + _IN])).order_by(MirrorProduct.remote_id))
        for row in rows:
            found.setdefault(getattr(row, column), row)
    return found


def _row_id(text):
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


def from_csv(store_id, data):
    """The preview of a CSV file's rows (bytes or text). Raises BadFile when it is not a CSV of products."""
    try:
        header, rows = csv_io.read_rows(data)
    except csv_io.CsvError:
        raise BadFile(_l("The file is not a CSV file in UTF-8.")) from None
    if "id" not in header and "sku" not in header:
        raise BadFile(_l("The file needs an id or a sku column."))
    if "price" not in header and "stock" not in header:
        raise BadFile(_l("The file needs a price or a stock column."))
    by_id = _by(store_id, "remote_id", {i for i in (_row_id(r.get("id", "")) for _, r in rows) if i is not None})
    by_sku = _by(store_id, "sku", {r["sku"] for _, r in rows if r.get("sku") and not r.get("id")})
    preview, seen = Preview(), set()
    for line, row in rows:
        where = _l("line %(line)s", line=line)
        given = row.get("id") or row.get("sku") or ""
        product, reason = _product_of(row, by_id, by_sku)
        if product is None:
            preview.skipped.append(Skipped(where, given, reason))
            continue
        price, stock, reason = _values(row)
        if reason is None and product.remote_id in seen:
            reason = REPEATED
        if reason is None and len(preview.changes) >= MAX_ROWS:
            reason = TOO_MANY
        if reason:
            preview.skipped.append(Skipped(where, given, reason))
            continue
        seen.add(product.remote_id)
        preview.changes.append(_change(product, price, stock))
    return preview


def _product_of(row, by_id, by_sku):
    if row.get("id"):
        product = by_id.get(_row_id(row["id"]))
        return product, None if product else UNKNOWN_ID
    if row.get("sku"):
        product = by_sku.get(row["sku"])
        return product, None if product else UNKNOWN_SKU
    return None, NO_KEY


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

def _write_payload(batch, change):
    payload = {"batch": batch, "name": change.name, "old_price": change.old_price, "old_stock": change.old_stock}
    if change.new_price is not None:
        payload["price"] = change.new_price
    if change.new_stock is not None:
        payload["stock"] = change.new_stock
    return payload


def apply(store, plan):
    """Record the plan's changes (read again now) as one batch and queue its job; returns (batch key, preview).

    A product with a change already under way is left out (a skipped row of the returned preview). Raises BadFile
    when nothing of the plan can be applied.
    """
    preview = from_csv(store.id, plan)
    batch = uuid.uuid4().hex
    ids = []
    for change in preview.changes:
        write, new = api_writes.record(store, BULK, _write_payload(batch, change), change.remote_id)
        if new:
            ids.append(write.id)
        else:
            preview.skipped.append(Skipped(str(change.remote_id), change.sku or change.name, UNDER_WAY))
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


def _send(client, write):
    fields = {key: write.payload[key] for key in ("price", "stock") if key in write.payload}
    if "stock" in fields:
        fields["stock_unlimited"] = False        # a stock that is set is counted from then on
    return client.products.update(write.target_id, fields)


api_writes.register(BULK, call=_send, mirror=lambda store_id, write, answer, at: api_writes.mirror_record(
    store_id, "products", answer, at))
