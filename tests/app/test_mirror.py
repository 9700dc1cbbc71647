"""The mirror's writes on SQLite and PostgreSQL: newest wins, tombstones hold, children follow their parent."""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine.default import CACHE_HIT

from jumpseller_app.extensions import db
from jumpseller_app.models import (AuthMode, MirrorAddress, MirrorCustomer, MirrorOrder, MirrorOrderLine,
                                   MirrorProduct, MirrorVariant, Store)
from jumpseller_app.services import mirror, mirror_sql

T0 = datetime(2026, 1, 1, 12, 0, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
def store_id(app):
    with app.app_context():
        store = Store(code="shop", auth_mode=AuthMode.OAUTH)
        db.session.add(store)
        db.session.commit()
        return store.id


def _order(order_id, status, total="19990.0", **extra):
    return {"order": {"id": order_id, "status": status, "total": total, "created_at": "2026-01-01 10:00:00 UTC",
                      "customer": {"id": 7, "email": "ana@example.cl", "fullname": "Ana"},
                      "shipping_address": {"name": "Ana", "address": "Calle 1", "city": None},
                      "products": [{"id": 1, "variant_id": None, "name": "Té", "qty": "2", "price": "9995.0"}],
                      **extra}}


def test_newer_order_wins_whatever_the_processing_order(app, store_id):
    with app.app_context():
        assert mirror.apply(store_id, "orders", [_order(1, "Paid")], T0 + timedelta(seconds=5)) == 1
        # An older state processed later changes nothing.
        assert mirror.apply(store_id, "orders", [_order(1, "Pending Payment")], T0) == 0
        db.session.commit()
        row = db.session.scalar(select(MirrorOrder))
        assert (row.state, row.total, row.customer_email) == ("paid", 19990.0, "ana@example.cl")
        assert db.session.scalar(select(MirrorOrderLine.qty)) == 2.0


def test_a_page_with_the_same_id_twice_keeps_the_newest(app, store_id):
    with app.app_context():
        items = [{"id": 3, "name": "old", "updated_at": "2026-01-01 10:00:00 UTC", "variants": [{"id": 31}]},
                 {"id": 3, "name": "new", "updated_at": "2026-01-01 11:00:00 UTC",
                  "variants": [{"id": 32, "stock": "4"}]}]
        assert mirror.apply(store_id, "products", items, T0) == 1
        db.session.commit()
        assert db.session.scalar(select(MirrorProduct.name)) == "new"
        assert [(v.remote_id, v.stock) for v in db.session.scalars(select(MirrorVariant))] == [(32, 4)]


def test_a_deleted_product_stays_deleted_when_an_older_update_arrives_late(app, store_id):
    with app.app_context():
        body = json.dumps({"product": {"id": 9, "name": "x", "updated_at": "2026-01-01 12:00:00 UTC"}}).encode()
        mirror.apply_event(store_id, "product_deleted", body, "2026-01-01 12:00:01.000 UTC", T0 + timedelta(hours=1))
        mirror.apply_event(store_id, "product_updated", body, "2026-01-01 11:59:00.000 UTC", T0 + timedelta(hours=1))
        db.session.commit()
        assert db.session.scalar(select(MirrorProduct.deleted_at)) is not None
        assert mirror.counts(store_id)["products"] == 0


def test_a_forged_future_trigger_time_does_not_pin_a_record(app, store_id):
    with app.app_context():
        received = T0
        body = json.dumps(_order(2, "Pending Payment")).encode()
        mirror.apply_event(store_id, "order_updated", body, "2030-01-01 00:00:00 UTC", received)
        mirror.apply(store_id, "orders", [_order(2, "Paid")], T0 + timedelta(seconds=1))
        db.session.commit()
        assert db.session.scalar(select(MirrorOrder.state)) == "paid"


def test_real_bodies_with_nulls_and_strings_are_mirrored(app, store_id):
    with app.app_context():
        item = {"customer": {"id": "12", "email": None, "fullname": None, "name": "Rui", "surname": None,
                             "phone": 5551234, "accepts_marketing": "sim",
                             "billing_address": {"address": "Rua 2", "municipality": None},
                             "shipping_address": None}}
        assert mirror.apply(store_id, "customers", [item, {"customer": {"id": None}}, "junk"], T0) == 1
        db.session.commit()
        customer = db.session.scalar(select(MirrorCustomer))
        assert (customer.remote_id, customer.fullname, customer.phone, customer.accepts_marketing) == \
            (12, "Rui", "5551234", True)
        assert [a.kind for a in db.session.scalars(select(MirrorAddress))] == ["billing"]


def test_purge_removes_personal_data_only(app, store_id):
    with app.app_context():
        mirror.apply(store_id, "orders", [_order(1, "Paid")], T0)
        mirror.apply(store_id, "customers", [{"id": 7, "email": "ana@example.cl",
                                              "shipping_address": {"address": "Calle 1"}}], T0)
        mirror.apply(store_id, "products", [{"id": 1, "name": "Té"}], T0)
        summary = mirror.purge_personal_data(store_id)
        db.session.commit()
        assert summary == {"customers": 1, "addresses": 1, "orders_anonymized": 1}
        order = db.session.scalar(select(MirrorOrder))
        assert (order.customer_email, order.customer_name, order.shipping_address) == (None, None, None)
        assert order.total == 19990.0 and mirror.counts(store_id)["products"] == 1


# --- the statements (services/mirror_sql.py): cached compiled forms never shared between shapes ------------------

@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_upserts_of_other_columns_or_tables_never_share_a_cache_key(dialect):
    product = MirrorProduct.__table__
    keys = {
        "name": mirror_sql.upsert(dialect, product, ("name", "source_at")),
        "sku": mirror_sql.upsert(dialect, product, ("sku", "source_at")),
        "both": mirror_sql.upsert(dialect, product, ("name", "sku", "source_at")),
        "orders": mirror_sql.upsert(dialect, MirrorOrder.__table__, ("source_at",)),
        "customers": mirror_sql.upsert(dialect, MirrorCustomer.__table__, ("source_at",)),
        "insert": mirror_sql.insert(dialect, product, ("store_id", "remote_id", "source_at")),
    }
    forms = [form for writer in keys.values() for form in (writer.many, writer.json) if form is not None]
    cache_keys = [form._generate_cache_key() for form in forms]
    assert all(key is not None for key in cache_keys)                 # cacheable, and ...
    assert len({key.key for key in cache_keys}) == len(forms)         # ... no two shapes share a key
    # The same shape built anew (another process, an evicted lru entry) finds the same compiled form.
    mirror_sql.upsert.cache_clear()
    again = mirror_sql.upsert(dialect, product, ("name", "source_at"))
    assert again is not keys["name"]
    assert again.many._generate_cache_key().key == keys["name"].many._generate_cache_key().key


def _cache_hits(app, work):
    """What SQLAlchemy's compiled cache said for each statement `work()` ran (CACHE_HIT, CACHE_MISS…)."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split(" ", 3)[:3], context.cache_hit))

    engine = db.engines[None]
    event.listen(engine, "after_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "after_cursor_execute", record)
    return seen


def test_a_second_page_runs_compiled_statements_from_the_cache(app, store_id):
    page = [{"id": n, "name": f"P{n}", "updated_at": "2026-01-01 10:00:00 UTC", "variants": [{"id": n * 10}]}
            for n in range(1, 4)]
    with app.app_context():
        first = _cache_hits(app, lambda: mirror.apply(store_id, "products", page, T0))
        second = _cache_hits(app, lambda: mirror.apply(store_id, "products", page, T0))
        db.session.commit()
    assert [hit for _, hit in first if "INSERT" in _[0]]                # the upsert and the variants ran
    assert len(second) == len(first) and {hit for _, hit in second} == {CACHE_HIT}


def test_tombstone_and_full_rows_on_one_table_each_update_their_own_columns(app, store_id):
    # Two shapes of upsert on mirror_products, each meeting a conflict: a compiled form shared by mistake would
    # SET the product's columns for the tombstone (blanking its name), or the tombstone's for the product.
    def product(remote_id, name, updated_at):
        return {"id": remote_id, "name": name, "price": "10.5", "categories": [{"id": 2}], "updated_at": updated_at}

    with app.app_context():
        mirror.apply(store_id, "products", [product(5, "Té", "2026-01-01 12:00:00 UTC"),
                                            product(6, "Pan", "2026-01-01 12:00:00 UTC")], T0)
        mirror.mark_deleted(store_id, "products", 5, datetime(2026, 1, 1, 12, 0, 1))
        mirror.apply(store_id, "products", [product(6, "Pan integral", "2026-01-01 12:00:02.250 UTC")], T0)
        db.session.commit()
        rows = {row.remote_id: row for row in db.session.scalars(select(MirrorProduct))}
        assert (rows[5].deleted_at, rows[5].name, rows[5].category_ids) == (datetime(2026, 1, 1, 12, 0, 1), "Té", [2])
        assert (rows[6].deleted_at, rows[6].name, rows[6].price, rows[6].raw["name"]) == \
            (None, "Pan integral", 10.5, "Pan integral")
        # Microseconds survive the JSON batch.
        assert rows[6].source_at == datetime(2026, 1, 1, 12, 0, 2, 250000)


def test_a_missing_address_is_json_null_as_an_executemany_writes_it(app, store_id):
    with app.app_context():
        mirror.apply(store_id, "orders", [_order(1, "Paid", billing_address=None)], T0)
        db.session.commit()
        # SQLAlchemy's JSON type writes None as JSON null, not SQL NULL: the PostgreSQL batch keeps that.
        assert db.session.scalar(select(MirrorOrder.billing_address.is_(None))) is False
        assert db.session.scalar(select(MirrorOrder.billing_address)) is None


def test_a_price_no_json_can_carry_is_still_written(app, store_id):
    with app.app_context():
        assert mirror.apply(store_id, "products", [{"id": 1, "price": float("inf"), "variants": [{"id": 2}]}],
                            T0) == 1
        db.session.commit()
        assert db.session.scalar(select(MirrorProduct.price)) == float("inf")
        assert db.session.scalar(select(MirrorVariant.remote_id)) == 2


def test_an_older_product_leaves_the_newer_ones_variants_alone(app, store_id):
    newer = {"id": 4, "name": "new", "updated_at": "2026-01-01 12:00:00 UTC", "variants": [{"id": 41, "stock": 3}]}
    older = {"id": 4, "name": "old", "updated_at": "2026-01-01 11:00:00 UTC", "variants": [{"id": 40, "stock": 9}]}
    with app.app_context():
        assert mirror.apply(store_id, "products", [newer], T0) == 1
        assert mirror.apply(store_id, "products", [older], T0) == 0        # not applied: its children neither
        db.session.commit()
        assert [(v.remote_id, v.stock) for v in db.session.scalars(select(MirrorVariant))] == [(41, 3)]
