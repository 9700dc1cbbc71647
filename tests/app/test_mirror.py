"""The mirror's writes on SQLite and PostgreSQL: newest wins, tombstones hold, children follow their parent."""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from jumpseller_app.extensions import db
from jumpseller_app.models import (AuthMode, MirrorAddress, MirrorCustomer, MirrorOrder, MirrorOrderLine,
                                   MirrorProduct, MirrorVariant, Store)
from jumpseller_app.services import mirror

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
