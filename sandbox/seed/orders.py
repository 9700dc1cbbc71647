"""Deterministic seeded orders: when and in which status (cheap), and the full record (on demand).

Orders are spread over the SPREAD_DAYS before the store's creation (sandbox time), ids grow with
time, lines quote seeded products and variants, buyers are seeded customers, totals add up.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from . import customers as seed_customers
from . import store as seed

SPREAD_DAYS = 60
# (status_enum, weight): most orders are paid, as in a healthy store.
_STATUSES = (("paid", 72), ("pending_payment", 10), ("canceled", 8), ("abandoned", 10))
_PAYMENTS = (("Webpay Plus", "webpay"), ("Transferencia Bancaria", "manual"), ("Mercado Pago", "mercadopago"))
_SHIPPING = ((1, 11, "Chilexpress", 3990.0), (2, 21, "Starken", 2990.0), (3, 31, "Blue Express", 4990.0))
_PICKUP = (4, 41, "Retiro en tienda", 0.0)
_SOURCES = ("google", "instagram", "facebook", "direct", "newsletter")
_COUNTRIES = {"CL": "Chile", "AR": "Argentina", "PE": "Perú", "MX": "México", "CO": "Colombia",
              "BR": "Brasil", "ES": "España", "PT": "Portugal", "US": "United States"}
ZERO_DECIMAL_CURRENCIES = frozenset({"CLP", "JPY", "KRW", "PYG", "VND", "COP", "ISK"})
# Value added tax included in line prices, by store country (OrderProductTax).
_VAT = {"CL": ("IVA", 19.0), "AR": ("IVA", 21.0), "PE": ("IGV", 18.0), "MX": ("IVA", 16.0), "CO": ("IVA", 19.0),
        "BR": ("ICMS", 18.0), "ES": ("IVA", 21.0), "PT": ("IVA", 23.0)}
NO_SHIPPING_SHARE = 0.12  # digital goods: nothing to ship, so no address, method or shipment status


@dataclass(frozen=True)
class Sources:
    """What a store's seeded orders draw on: its seeded products and customers."""

    store_code: str
    currency: str
    country: str
    first_product_id: int
    product_count: int
    categories: list
    first_customer_id: int
    customer_count: int


def skeleton(store_code: str, index: int, count: int, anchor: float) -> tuple[float, str]:
    """(created_at as a timestamp, status_enum) of seeded order `index` of `count`; ascending in index."""
    rng = seed.Draws(f"{store_code}:order:{index}")
    span = SPREAD_DAYS * 86400.0
    created = anchor - span + span * (index + rng.random()) / max(count, 1)
    status = rng.weighted([s for s, _ in _STATUSES], [w for _, w in _STATUSES])
    return float(int(created)), status


def money(amount: float, currency: str) -> float:
    """Round an amount the way the currency is shown (no decimals for CLP and friends)."""
    return float(round(amount)) if currency in ZERO_DECIMAL_CURRENCIES else round(amount, 2)


def order(src: Sources, order_id: int, index: int, created: float, status: str, anchor: float) -> dict:
    """Seeded order number `index`: a stored record (internal keys: history)."""
    rng = seed.Draws(f"{src.store_code}:order-details:{index}")
    when = datetime.fromtimestamp(created, tz=timezone.utc)
    buyer = _buyer(src, rng)
    lines = [_line(src, rng) for _ in range(rng.weighted((1, 2, 3), (60, 30, 10)))]
    subtotal = money(sum(line["price"] * line["qty"] for line in lines), src.currency)
    pickup = rng.random() < 0.15
    method_id, service_id, method_name, shipping = _PICKUP if pickup else rng.pick(_SHIPPING)
    coupon = "BIENVENIDA10" if rng.random() < 0.15 else ""
    discount = money(subtotal * 0.10, src.currency) if coupon else 0.0
    payment_name, payment_type = rng.pick(_PAYMENTS)
    shipment = _shipment(status, pickup, anchor - created, rng)
    shipped = shipment in ("in_transit", "delivered", "failed")
    base = f"https://{src.store_code}.jumpseller.com"
    record = {
        "id": order_id,
        "source": {"created_from": "checkout", "created_from_app_code": "", "source_name": rng.pick(_SOURCES),
                   "medium": "", "campaign": "", "referral_url": "", "referral_code": "",
                   "user_agent": "Mozilla/5.0", "first_page_visited": f"{base}/",
                   "first_page_visited_at": seed.timestamp(when - timedelta(minutes=rng.between(2, 90)))},
        "created_at": seed.timestamp(when),
        "currency": src.currency,
        "subtotal": subtotal,
        "tax": 0.0,
        "shipping_tax": 0.0,
        "shipping": shipping,
        "shipping_required": True,
        "total": money(subtotal - discount + shipping, src.currency),
        "discount": discount,
        "shipping_discount": 0.0,
        "gift_cards_discount": 0.0,
        "shipping_method_id": method_id,
        "shipping_service_id": service_id,
        "shipping_method_name": method_name,
        "payment_method_name": payment_name,
        "payment_method_type": payment_type,
        "payment_information": "",
        "payment_notification_id": f"PN-{order_id}" if status == "paid" else "",
        "additional_information": "",
        "duplicate_url": f"{base}/admin/orders/{order_id}/duplicate",
        "recovery_url": f"{base}/checkout/recover/{order_id}",
        "review_url": f"{base}/review/{order_id}",
        "checkout_url": f"{base}/checkout/{order_id}",
        "coupons": coupon,
        "promotions": [],
        "customer": buyer["customer"],
        "shipping_address": buyer["shipping_address"],
        "billing_address": buyer["billing_address"],
        "products": lines,
        "additional_fields": [],
        "shipping_taxes": [],
        "status_enum": status,
        "tracking_url": f"https://tracking.example.com/{order_id}" if shipped else "",
        "tracking_company": method_name if shipped else "",
        "tracking_number": f"TRK{order_id:09d}" if shipped else "",
        "shipping_option": "store_pickup" if pickup else "delivery",
        "same_day_delivery": False,
        "shipment_status_enum": shipment,
        "billing_information": {"business_activity": "", "company_name": "", "taxpayer_type": ""},
    }
    if pickup:
        record["shipping_branch"] = {"id": service_id, "name": "Tienda Providencia"}
        record["pickup_address"] = {"name": "Tienda Providencia", "address": "Avenida Providencia 1234",
                                    "city": "Santiago", "region": "Región Metropolitana",
                                    "country": _COUNTRIES.get(src.country, src.country),
                                    "country_code": src.country, "pickup_place_name": "Tienda Providencia"}
    history = [("Order created", when)]
    if status in ("paid", "canceled") and rng.random() < (1.0 if status == "paid" else 0.3):
        completed = min(when + timedelta(minutes=rng.between(1, 30)), datetime.fromtimestamp(anchor, timezone.utc))
        record["completed_at"] = seed.timestamp(completed)
        history.append((f"Payment received via {payment_name}", completed))
        if shipped:
            history.append(("Shipment status changed to In Transit", completed + timedelta(days=1)))
        if shipment == "delivered":
            history.append(("Shipment status changed to Delivered", completed + timedelta(days=3)))
    if status in ("canceled", "abandoned"):
        history.append((f"Order {status}", when + timedelta(hours=2)))
    record["history"] = [{"id": order_id * seed.SUB_ID_SPAN + n, "message": message, "created_at": seed.timestamp(at)}
                         for n, (message, at) in enumerate(history, start=1)]
    _add_taxes(record, src.country)
    # A separate stream, so the orders that do ship keep every value they were seeded with before.
    if seed.Draws(f"{src.store_code}:order-kind:{index}").random() < NO_SHIPPING_SHARE:
        _without_shipping(record)
    return record


def _add_taxes(record: dict, country: str) -> None:
    if country in _VAT:
        name, rate = _VAT[country]
        for line in record["products"]:
            line["taxes"] = [{"id": 1, "name": name, "rate": rate, "fixed": False, "tax_on_product_price": True}]


def _without_shipping(record: dict) -> None:
    """Turn a seeded order into one that ships nothing (a digital purchase): no address, method or tracking."""
    for key in ("shipping_address", "shipping_method_id", "shipping_service_id", "shipping_method_name",
                "shipping_branch", "pickup_address"):
        record.pop(key, None)
    record.update(shipping=0.0, shipping_required=False, shipping_option="no_shipping",
                  shipment_status_enum="not_applicable", tracking_url="", tracking_company="", tracking_number="",
                  total=money(record["subtotal"] - record["discount"], record["currency"]))
    record["history"] = [entry for entry in record["history"] if not entry["message"].startswith("Shipment")]


def _shipment(status: str, pickup: bool, age_seconds: float, rng: seed.Draws) -> str:
    if status != "paid":
        return "unfulfilled"
    days = age_seconds / 86400
    if days > 7:
        return "delivered" if rng.random() < 0.95 else "failed"
    if pickup:
        return "pickup_available"
    return "in_transit" if days > 2 else rng.pick(("unfulfilled", "requested"))


def _buyer(src: Sources, rng: seed.Draws) -> dict:
    if src.customer_count:
        index = rng.below(src.customer_count)
        name, surname, email = seed_customers.identity(src.store_code, index)
        customer = {"id": src.first_customer_id + index, "email": email,
                    "phone": seed_customers.phone(src.store_code, index), "phone_prefix": "+56",
                    "ip": f"190.{rng.between(0, 255)}.{rng.between(0, 255)}.{rng.between(1, 254)}"}
    else:  # a guest checkout
        name, surname = rng.pick(seed_customers.FIRST_NAMES), rng.pick(seed_customers.SURNAMES)
        email = f"{seed.slugify(name)}.{seed.slugify(surname)}@guest.example.com"
        customer = {"email": email, "phone": "", "phone_prefix": "+56", "ip": "190.0.0.1"}
    customer["fullname"] = f"{name} {surname}"
    street = seed_customers.address(rng, name, surname, src.country)
    country = _COUNTRIES.get(src.country, src.country)
    shipping = {**street, "country": country, "country_code": src.country, "region_code": street["region"],
                "street_number": float(rng.between(100, 3999)), "complement": "", "neighbourhood": ""}
    billing = {**street, "country": country, "country_code": src.country, "region_code": street["region"],
               "taxid": f"{rng.between(5_000_000, 25_000_000)}-{rng.pick('0123456789K')}",
               "street_number": shipping["street_number"], "complement": "", "neighbourhood": ""}
    return {"customer": customer, "shipping_address": shipping, "billing_address": billing}


def _line(src: Sources, rng: seed.Draws) -> dict:
    qty = rng.weighted((1, 2, 3), (75, 20, 5))
    if not src.product_count:
        price = float(1990 + 1000 * rng.below(28))
        return {"sku": "", "name": "Producto de ejemplo", "image": "", "qty": qty, "price": price,
                "discount": 0.0, "weight": 1.0, "taxes": [], "stock_locations": []}
    index = rng.below(src.product_count)
    product_id = src.first_product_id + index
    product = seed.product(src.store_code, product_id, index, src.categories)
    variant = rng.pick(product["variants"])
    return {"id": product_id, "variant_id": variant["id"], "sku": variant["sku"], "name": product["name"],
            "image": variant["image"]["url"], "qty": qty, "price": variant["price"], "discount": 0.0,
            "weight": product["weight"], "taxes": [], "stock_locations": []}
