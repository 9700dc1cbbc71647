"""The products CSV export: the mirror's products of the list's search and filters, streamed row by row.

Rows are read in chunks (yield_per) as plain columns, never as a whole list, so memory stays flat whatever the size
of the catalog; csv_io neutralizes cells a spreadsheet would run as formulas (a name starting with "=").
"""

from sqlalchemy import select

from ..extensions import db
from ..models import MirrorProduct
from . import csv_io
from .products import LISTING

HEADER = ("id", "sku", "name", "price", "stock", "stock_unlimited", "status", "permalink", "category_ids",
          "updated_at")
CHUNK = 500


def _cells(row):
    (remote_id, sku, name, price, stock, unlimited, status, permalink, category_ids, updated) = row
    return (remote_id, sku, name, price, stock, unlimited, status, permalink,
            " ".join(str(c) for c in category_ids or []), updated.isoformat() if updated else "")


def rows(store_id, args):
    """The store's live products of the list arguments (search, filters, sort), as CSV cells, one at a time."""
    params = LISTING.parse(args)
    columns = [getattr(MirrorProduct, name) for name in ("remote_id", "sku", "name", "price", "stock",
                                                         "stock_unlimited", "status", "permalink", "category_ids",
                                                         "updated_at_remote")]
    query = (select(*columns).where(*LISTING.where(store_id, params)).order_by(*LISTING.order(params))
             .execution_options(yield_per=CHUNK))
    for row in db.session.execute(query):
        yield _cells(row)


def csv_lines(store_id, args):
    """The export as encoded CSV lines (a BOM first, so spreadsheets read UTF-8)."""
    return csv_io.rows_to_csv(HEADER, rows(store_id, args))
