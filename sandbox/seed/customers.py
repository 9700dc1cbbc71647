"""Deterministic seeded customers (CustomerFields of the spec) and the store's customer categories."""
from __future__ import annotations

import re
from datetime import timedelta

from .store import SEED_EPOCH, SUB_ID_SPAN, Draws, slugify

FIRST_NAMES = ["Camila", "Sofía", "Valentina", "Isidora", "Martina", "Catalina", "Josefa", "Antonia",
               "Benjamín", "Vicente", "Matías", "Agustín", "Tomás", "Joaquín", "Lucas", "Diego"]
SURNAMES = ["González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva",
            "Martínez", "Sepúlveda", "Morales", "Rodríguez", "López", "Fuentes", "Araya", "Flores"]
_STREETS = ["Los Aromos", "Avenida Italia", "Manuel Montt", "Irarrázaval", "Los Leones", "Bellavista"]
_CITIES = [("Santiago", "Providencia", "RM"), ("Santiago", "Ñuñoa", "RM"), ("Valparaíso", "Valparaíso", "VS"),
           ("Concepción", "Concepción", "BI"), ("La Serena", "La Serena", "CO")]
_CUSTOMER_CATEGORIES = [("Mayorista", "wholesale"), ("VIP", "vip")]
_EMAIL = re.compile(r"^[a-z]+\.[a-z]+\.(\d+)@example\.com$")


def customer_categories(first_id: int) -> list[dict]:
    """The customer categories every sandbox store has (CustomerCategoryFields)."""
    return [{"id": first_id + n, "name": name, "code": code} for n, (name, code) in enumerate(_CUSTOMER_CATEGORIES)]


def seed_index_of_email(email: str) -> int | None:
    """The seed index encoded in a seeded customer's email ("camila.rojas.17@…" → 16), else None."""
    match = _EMAIL.match(email)
    return int(match.group(1)) - 1 if match else None


def identity(store_code: str, index: int) -> tuple[str, str, str]:
    """(name, surname, email) of seeded customer `index`: cheap, so orders can quote it too."""
    rng = Draws(f"{store_code}:customer:{index}")
    name, surname = rng.pick(FIRST_NAMES), rng.pick(SURNAMES)
    return name, surname, f"{slugify(name)}.{slugify(surname)}.{index + 1}@example.com"


def phone(store_code: str, index: int) -> str:
    """The phone number of seeded customer `index`."""
    return f"+569{Draws(f'{store_code}:phone:{index}').between(10_000_000, 99_999_998)}"


def address(rng: Draws, name: str, surname: str, country: str) -> dict:
    """A plausible street address (ShippingAddress / BillingAddress fields)."""
    city, municipality, region = rng.pick(_CITIES)
    return {"name": name, "surname": surname, "address": f"{rng.pick(_STREETS)} {rng.between(100, 3999)}",
            "city": city, "postal": f"{rng.between(7500000, 8999999)}", "municipality": municipality,
            "region": region, "country": country}


def customer(store_code: str, customer_id: int, index: int, country: str, categories: list[dict]) -> dict:
    """Seeded customer number `index` of a store, fully determined by (store_code, index)."""
    name, surname, email = identity(store_code, index)
    rng = Draws(f"{store_code}:customer-details:{index}")
    home = address(rng, name, surname, country)
    billing = {**home, "taxid": f"{rng.between(5_000_000, 25_000_000)}-{rng.pick('0123456789K')}"}
    record = {
        "id": customer_id,
        "email": email,
        "phone": phone(store_code, index),
        "status": "approved" if rng.random() < 0.9 else rng.pick(("pending", "disabled")),
        "accepts_marketing": rng.random() < 0.4,
        "shipping_address": home,
        "billing_address": billing,
        "category_ids": [c["id"] for c in categories if rng.random() < 0.15],
        # The RUT every Chilean invoice asks for, answered at checkout (checkout custom field 1 of every store).
        "customer_additional_fields": [{"customer_additional_field": {
            "id": customer_id * SUB_ID_SPAN + 1, "label": "RUT", "value": billing["taxid"], "area": "billing_shipping",
            "customer_id": customer_id, "checkout_custom_field_id": 1}}],
    }
    if record["accepts_marketing"]:
        record["accepted_marketing_at"] = (SEED_EPOCH + timedelta(days=index % 365)).strftime("%Y-%m-%d")
    return record
