"""The products list filters, the bulk edit's lookups and batch, and the export on SQLite and on PostgreSQL: the
queries that differ per dialect (JSON category ids, the batch key inside the write's JSON payload, case-blind
search), with the mirror filled as a sync fills it. No server: services over the database."""

import csv
import io
from datetime import datetime

import pytest

from jumpseller_app.extensions import db, queue
from jumpseller_app.models import AuthMode, Store
from jumpseller_app.services import mirror, products, products_bulk, products_export

from ..support.database import url_of_kind

@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    return url_of_kind(request, tmp_path, request.param)


def _variant(vid, sku, price, stock):
    return {"id": vid, "sku": sku, "price": str(price), "stock": stock, "stock_unlimited": False,
            "options": [{"name": "Talla", "value": sku[-1]}]}


@pytest.fixture
def store(app):
    at = datetime(2026, 1, 1)
    with app.app_context():
        mine, other = Store(code="mine", auth_mode=AuthMode.OAUTH), Store(code="other", auth_mode=AuthMode.OAUTH)
        db.session.add_all([mine, other])
        db.session.flush()
        mirror.apply(mine.id, "products", [
            {"id": 10, "name": "Polera Algodón", "sku": "POL", "price": "9990", "stock": 5, "stock_unlimited": False,
             "status": "available", "categories": [{"id": 1}], "variants": [
                 _variant(1001, "POL-S", 9990, 2), _variant(1002, "POL-M", 9990, 3)]},
            {"id": 11, "name": "Calcetines", "sku": "CAL", "price": 2990.0, "stock": 0, "stock_unlimited": False,
             "status": "available", "categories": [{"id": 1}, {"id": 2}]},
            {"id": 12, "name": "=cmd|' /C calc'!A0", "sku": "GOR", "price": 12990.0, "stock": None,
             "stock_unlimited": True, "status": "disabled", "categories": [{"id": 2}]}], at)
        mirror.apply(other.id, "products", [{"id": 50, "name": "Calcetines ajenos", "sku": "CAL", "price": 1.0}], at)
        db.session.commit()
        yield mine.id


def listed(store_id, **args):
    return [p.remote_id for p in products.LISTING.run(store_id, products.LISTING.parse(args)).items]


def test_filters_and_search_read_the_same_on_both_databases(app, store):
    with app.app_context():
        assert listed(store, sort="id") == [10, 11, 12]
        assert listed(store, category="2", sort="id") == [11, 12]
        assert listed(store, stock="in", sort="id") == [10, 12]
        assert listed(store, stock="out") == [11]
        assert listed(store, stock="unlimited") == [12]
        assert listed(store, price_min="3000", price_max="10000") == [10]
        assert listed(store, q="calcet") == [11]                # the other store's "Calcetines ajenos" is not
        assert listed(store, q="ALGOD") == [10]


def test_csv_preview_and_apply_find_variants_and_the_batch_on_both_databases(app, store):
    with app.test_request_context():            # previews are built for a page: their messages are translated
        preview = products_bulk.from_csv(store, "sku,price,stock\nPOL-M,10.990,7\nCAL,,4\nPOL,1,1\n")
        assert [(c.key, c.new_price, c.new_stock) for c in preview.changes] == [("10-1002", 10990, 7), ("11", None, 4)]
        assert [str(s.reason) for s in preview.skipped] == [str(products_bulk.HAS_VARIANTS)]
        queue.immediate = False                  # recorded and queued, not sent: there is no Jumpseller here
        try:
            batch, _ = products_bulk.apply(db.session.get(Store, store), preview.plan)
            again = products_bulk.from_csv(store, preview.plan)
            with pytest.raises(products_bulk.BadFile):
                products_bulk.apply(db.session.get(Store, store), again.plan)     # both products under way
        finally:
            queue.immediate = True
        writes = products_bulk.batch_writes(store, batch)
        assert [(w.target_id, w.status) for w in writes] == [(10, "pending"), (11, "pending")]
        assert writes[0].payload["variants"] == [{"id": 1002, "label": "Talla: M", "sku": "POL-M", "old_price": 9990.0,
                                                  "old_stock": 3, "price": 10990.0, "stock": 7}]
        assert products_bulk.batch_writes(store, "0" * 32) == []
        assert products_bulk.progress(writes)["total"] == 2 and products_bulk.progress(writes)["finished"] == 0


def test_the_export_on_both_databases(app, store):
    with app.app_context():
        text = b"".join(products_export.csv_lines(store, {"sort": "id"})).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["10", "11", "12"]
    assert rows[3][2] == "'=cmd|' /C calc'!A0" and rows[2][8] == "1 2" and rows[3][5] == "true"
