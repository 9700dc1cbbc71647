"""The tolerant parsing layer: realistic, messy bodies go through every parsing function without raising."""

from datetime import datetime, timezone

import pytest

from jumpseller_app.jumpseller import payloads

UTC = timezone.utc

# An order as live Jumpseller deliveries send them: numbers as strings, translated statuses, values outside the
# spec's enums, nulls, an extra key the spec does not know, no shipping address (a digital order).
CHILEAN_ORDER = {"order": {
    "id": "10432", "created_at": "2024-05-01 10:00:00 UTC", "completed_at": None, "currency": "CLP",
    "subtotal": 182000, "tax": "0.0", "shipping": None, "discount": "182000.0", "total": "182000.0",
    "status": "Pagada", "status_name": "Pagada", "status_enum": None,
    "shipment_status": "No Aplicable", "shipment_status_enum": "not_applicable", "fulfillment_status": "No Procesado",
    "shipping_option": "no_shipping", "shipping_required": "false",
    "customer": {"id": 77, "email": "ana@example.cl", "fullname": None, "name": "Ana", "surname": "Pérez",
                 "phone": None},
    "products": [{"id": 5, "name": "Curso online", "qty": "1", "price": "182000.0"}, None, "junk"],
    "billing_address": None,
    "brand_new_field": {"nested": [1, 2, 3]},
}}


def test_a_messy_chilean_order_reads_right():
    order = payloads.parse_order(CHILEAN_ORDER)
    assert order.id == 10432
    assert order.created_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert order.completed_at is None
    assert (order.total, order.subtotal, order.tax, order.shipping, order.discount) == (182000.0, 182000.0, 0, 0, 182000.0)
    assert (order.state, order.status_text) == ("paid", "Pagada")
    assert order.shipment == "not_applicable" and order.shipment_status == "No Aplicable"
    assert order.delivery == "no_shipping" and order.shipping_required is False
    assert order.shipping_address is None and order.billing_address is None
    assert order.customer.display_name == "Ana Pérez" and order.customer.phone == ""
    assert [line.name for line in order.products] == ["Curso online"] and order.products[0].qty == 1.0
    assert not hasattr(order, "brand_new_field")


@pytest.mark.parametrize("raw, state", [
    ({"status": "Paid"}, "paid"),
    ({"status_enum": "pending_payment", "status": "Pendiente de Pago"}, "pending_payment"),
    ({"status": "Pagamento Pendente"}, "pending_payment"),
    ({"status": "Pago"}, "paid"),
    ({"status": "Cancelado"}, "canceled"),
    ({"status": "Cancelled"}, "canceled"),
    ({"status_name": "Abandonada"}, "abandoned"),
    ({"status": "Reembolsada"}, "unknown"),                  # a status we do not know yet: kept, not an error
    ({"status": None}, "unknown"),
    ({}, "unknown"),
])
def test_order_status_in_any_language_maps_to_a_canonical_value(raw, state):
    order = payloads.parse_order({"order": raw})
    assert order.state == state
    if raw.get("status"):
        assert order.status == raw["status"]                  # the raw text is kept for display


@pytest.mark.parametrize("raw, shipment", [
    ({"shipment_status": "No Aplicable"}, "not_applicable"),
    ({"shipment_status": "Não Aplicável"}, "not_applicable"),
    ({"shipment_status_enum": "in_transit", "shipment_status": "En Tránsito"}, "in_transit"),
    ({"shipment_status": "Entregue"}, "delivered"),
    ({"fulfillment_status": "No Procesado"}, "unfulfilled"),
    ({"shipment_status": "Teleported"}, "unknown"),
])
def test_shipment_status_tolerates_translations_and_new_values(raw, shipment):
    assert payloads.parse_order(raw).shipment == shipment


@pytest.mark.parametrize("text, number", [
    ("19.0", 19.0), ("182000.0", 182000.0), ("1.234,50", 1234.5), ("1,234.50", 1234.5), ("19,9", 19.9),
    ("$19.990,00", 19990.0), (" 42 ", 42.0), (15990, 15990.0), (0, 0.0), ("", None), ("n/a", None),
    (None, None), (True, None), ([], None), ("NaN", None),
    # The plain-decimal shortcut must not read these otherwise than the rules: three decimals are a thousands
    # group, a number too big for a float is none, a minus sign alone is none.
    ("1.234", 1234.0), ("12.345", 12345.0), ("1234.567", 1234.567), ("1.2345", 1.2345), ("-7", -7.0),
    ("9" * 400, None), ("-", None),
])
def test_numbers_from_strings_and_integers(text, number):
    assert payloads.to_number(text) == number


@pytest.mark.parametrize("value, expected", [
    (12, 12), ("12", 12), (12.0, 12), ("12.5", None), (True, None), (None, None),
    # Beyond 2**53 an int goes through a float, as it always did: the shortcut for ints stops at 2**53.
    (2 ** 53, 2 ** 53), (2 ** 53 + 1, 2 ** 53), (-(2 ** 53) - 1, -(2 ** 53)),
])
def test_integers_keep_one_reading(value, expected):
    assert payloads.parse_count({"count": value}) == expected


@pytest.mark.parametrize("body, expected", [
    ({"product": {"id": "31", "name": "Poncho"}}, 31), ({"id": 32}, 32), ({"id": "x"}, None), ("junk", None),
    # A "product" key beside the model's own keys is a field, not an envelope (as the full parse reads it).
    ({"id": 5, "product": {"id": 6}}, 5), (payloads.Product(id=7), 7),
])
def test_record_id_reads_the_id_as_the_full_parse_does(body, expected):
    assert payloads.record_id(payloads.Product, body) == expected == payloads.parse_product(body).id


@pytest.mark.parametrize("text, moment", [
    ("2024-05-01 10:00:00 UTC", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ("2025-01-01 10:18:51.829 UTC", datetime(2025, 1, 1, 10, 18, 51, 829000, tzinfo=UTC)),
    ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ("2024-05-01T06:00:00-04:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ("2024-05-01 06:00:00 -0400", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
    (1714557600, datetime(2024, 5, 1, 10, tzinfo=UTC)),
    (None, None), ("", None), ("yesterday", None), ({"date": "2024"}, None),
])
def test_dates_in_every_shape(text, moment):
    assert payloads.to_datetime(text) == moment


def test_orders_page_of_wrapped_bare_and_junk_items():
    page = [CHILEAN_ORDER, {"id": 2, "total": 5000, "currency": "CLP"}, None, 7, "x", {"order": None}]
    orders = payloads.parse_orders(page)
    assert [o.id for o in orders] == [10432, 2, None]
    assert orders[1].total == 5000.0 and orders[2].total == 0.0
    for junk in (None, {"orders": []}, "error", 3):
        assert payloads.parse_orders(junk) == []


@pytest.mark.parametrize("body", [None, "", "Internal error", 42, [], [1, 2], {"order": "gone"}, {"order": None}])
def test_an_unreadable_order_gives_defaults_never_an_exception(body):
    order = payloads.parse_order(body)
    assert (order.id, order.total, order.state, order.created_at, order.customer.display_name) == \
        (None, 0.0, "unknown", None, "")


def test_a_customer_that_is_not_an_object_is_an_empty_customer():
    for customer in (None, "ana@example.cl", [], 5):
        assert payloads.parse_order({"order": {"id": 1, "customer": customer}}).customer.email == ""


def test_store_info_wrapped_or_bare_with_nulls_and_extras():
    wrapped = {"store": {"code": "tienda", "name": "Tienda", "currency": "CLP", "country": "CL", "timezone": None,
                         "email": None, "url": "https://tienda.jumpseller.com", "subscription_plan": 3,
                         "hooks_token": "s3cret-hooks-token", "address": {"city": "Santiago"}, "whatsapp_phone": None,
                         "new_thing": True}}
    info = payloads.parse_store_info(wrapped)
    assert (info.code, info.name, info.currency, info.timezone, info.email, info.subscription_plan) == \
        ("tienda", "Tienda", "CLP", "", "", "3")
    assert "s3cret-hooks-token" not in repr(info)             # a signing secret stays out of logs
    assert payloads.parse_store_info(wrapped["store"]) == info
    assert payloads.parse_store_info(None).code == ""
    # A bare object whose own field is called "store" is not mistaken for a wrapper.
    assert payloads.parse_store_info({"code": "x", "store": {"code": "y"}}).code == "x"


def test_products_with_string_prices_null_stock_and_categories():
    page = [{"product": {"id": "31", "name": "Poncho", "price": "45990.0", "stock": None, "stock_unlimited": "true",
                         "status": "available", "created_at": "2024-04-30T12:00:00-04:00",
                         "categories": [{"id": 3, "name": "Ropa", "parent_id": None}, None],
                         "variants": [{"id": 1}], "images": None}},
            {"id": 32, "name": None, "price": 1500, "stock": "12"}]
    first, second = payloads.parse_products(page)
    assert (first.id, first.price, first.stock, first.stock_unlimited) == (31, 45990.0, None, True)
    assert first.created_at == datetime(2024, 4, 30, 16, tzinfo=UTC)
    assert [(c.id, c.name, c.parent_id) for c in first.categories] == [(3, "Ropa", None)]
    assert (second.name, second.price, second.stock) == ("", 1500.0, 12)
    assert payloads.parse_product({"product": {"id": 9}}).id == 9


def test_customers_and_categories():
    customers = payloads.parse_customers([
        {"customer": {"id": 1, "email": "a@b.cl", "fullname": "Ana Pérez", "status": "approved",
                      "accepts_marketing": None, "shipping_address": None, "billing_address": {"city": "Valparaíso"}}},
        {"id": "2", "email": None, "name": "João", "surname": None, "accepts_marketing": "1"},
    ])
    assert [c.display_name for c in customers] == ["Ana Pérez", "João"]
    assert customers[0].billing_address.city == "Valparaíso" and customers[0].shipping_address is None
    assert customers[1].id == 2 and customers[1].accepts_marketing is True
    assert payloads.parse_customer({"customer": {"email": "x@y.cl"}}).display_name == "x@y.cl"
    categories = payloads.parse_categories([{"category": {"id": 4, "name": "Ropa", "parent_id": "3",
                                                          "permalink": "ropa"}}, {"id": 5, "name": 7}])
    assert [(c.id, c.name, c.parent_id) for c in categories] == [(4, "Ropa", 3), (5, "7", None)]
    assert payloads.parse_category(None).id is None


@pytest.mark.parametrize("body, count", [
    ({"count": 25}, 25), ({"count": "25"}, 25), ({"count": "25.0"}, 25), ({"count": None}, None), ({}, None),
    (None, None), ("25", None), ({"count": "many"}, None), ({"count": 2.5}, None),
])
def test_counts(body, count):
    assert payloads.parse_count(body) == count
