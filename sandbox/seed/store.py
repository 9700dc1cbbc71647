"""Deterministic seed data: store details, categories and products shaped like the spec's schemas."""
from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from ..config import derived_secret

SEED_EPOCH = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
# Room for this many variants / images per product: their ids are product_id * SUB_ID_SPAN + n.
SUB_ID_SPAN = 100

_NOUNS = ["Polera", "Chaqueta", "Taza", "Mochila", "Zapatilla", "Gorro", "Lámpara", "Cuaderno",
          "Botella", "Bufanda", "Cojín", "Reloj", "Cartera", "Polerón", "Vela", "Delantal"]
_QUALITIES = ["Clásica", "Premium", "Andina", "Urbana", "Artesanal", "Deportiva", "Vintage",
              "Minimalista", "Orgánica", "Eco", "Patagonia", "Esencial"]
_BRANDS = ["Cordillera", "Pacífico", "Atacama", "Lluvia Sur", "Maule", "Chiloé Works"]
_SIZES = ["S", "M", "L", "XL"]
_COLORS = [("Rojo", "#D32F2F"), ("Azul", "#1976D2"), ("Verde", "#388E3C"), ("Negro", "#212121"),
           ("Blanco", "#FAFAFA")]
_CATEGORIES = [("Ropa", None), ("Poleras", "Ropa"), ("Accesorios", None), ("Hogar", None),
               ("Cocina", "Hogar"), ("Ofertas", None)]
CATEGORY_COUNT = len(_CATEGORIES)


def timestamp(moment: datetime) -> str:
    """Format a time the way Jumpseller's JSON does ("2024-01-01 12:00:00 UTC")."""
    m = moment.astimezone(timezone.utc)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}:{m.second:02d} UTC"


def slugify(text: str) -> str:
    """A URL path segment from a product or category name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "product"


def store_details(code: str, name: str, currency: str, country: str, timezone_name: str) -> dict:
    """The Store schema fields of a sandbox store."""
    return {
        "name": name,
        "code": code,
        "currency": currency,
        "country": country,
        "timezone": timezone_name,
        "email": f"admin@{code}.example.com",
        "hooks_token": derived_secret("hooks_token", code),
        "url": f"https://{code}.jumpseller.com",
        "logo": f"https://{code}.jumpseller.com/logo.png",
        "weight_unit": "kg",
        "subscription_status": "active",
        "subscription_plan": "plus",
        "fb_pixel_id": "",
        "address": {
            "address": "Avenida Providencia 1234",
            "city": "Santiago",
            "postal": "7500000",
            "region": "Región Metropolitana",
            "country": country,
            "region_code": "RM",
            "country_code": country,
        },
        "whatsapp_phone": "+56 9 1234 5678",
    }


def categories(first_id: int) -> list[dict]:
    """The seeded category tree of a store (root categories carry no parent_id)."""
    by_name: dict[str, dict] = {}
    result = []
    for offset, (name, parent) in enumerate(_CATEGORIES):
        category = {"id": first_id + offset, "name": name, "permalink": slugify(name)}
        if parent is not None:
            category["parent_id"] = by_name[parent]["id"]
        by_name[name] = category
        result.append(category)
    return result


def image_path(product_id: int, position: int) -> str:
    """Where the sandbox serves a product image (made absolute when presented)."""
    return f"/_sandbox/assets/products/{product_id}/{position}.svg"


class Draws:
    """Cheap deterministic draws: only Random.random() (C code), ~3x faster than randrange & co.

    Seeded products are built on first access, page by page, so their cost is per-request cost.
    """

    __slots__ = ("random",)

    def __init__(self, seed_text: str):
        digest = hashlib.blake2b(seed_text.encode(), digest_size=8).digest()
        self.random = random.Random(int.from_bytes(digest, "big")).random

    def below(self, n: int) -> int:
        """An int in [0, n)."""
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        """An int in [low, high], like randint."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, items):
        """One element."""
        return items[int(self.random() * len(items))]

    def weighted(self, items, weights):
        """One element, with probability proportional to its weight."""
        point, edge = self.random() * sum(weights), 0.0
        for item, weight in zip(items, weights):
            edge += weight
            if point < edge:
                return item
        return items[-1]

    def some(self, items, k: int) -> list:
        """k distinct elements, in draw order."""
        pool = list(items)
        for i in range(k):
            j = i + int(self.random() * (len(pool) - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


def product(store_code: str, product_id: int, index: int, store_categories: list[dict]) -> dict:
    """Seeded product number `index` of a store, fully determined by (store_code, index)."""
    rng = Draws(f"{store_code}:{index}")
    noun, quality = rng.pick(_NOUNS), rng.pick(_QUALITIES)
    name = f"{noun} {quality}"
    price = float(1990 + 1000 * rng.below(88))
    created = SEED_EPOCH + timedelta(minutes=index * 7)
    updated = created + timedelta(days=rng.below(30))

    images = [
        {"id": product_id * SUB_ID_SPAN + n, "position": n, "url": image_path(product_id, n)}
        for n in range(1, rng.between(1, 3) + 1)
    ]
    sizes = _SIZES[: rng.between(1, 3)]
    colors = rng.some(_COLORS, rng.between(1, 2))
    cost, compare = round(price * 0.55, 2), round(price * 1.2, 2)
    variants = []
    for size_pos, size in enumerate(sizes, start=1):
        for color_pos, (color, hex_code) in enumerate(colors, start=1):
            n = len(variants) + 1
            variants.append({
                "id": product_id * SUB_ID_SPAN + n,
                "price": price,
                "sku": f"SB-{product_id}-{size}-{color[:3].upper()}",
                "barcode": f"780{product_id:07d}{n:02d}",
                "stock": rng.below(50),
                "stock_unlimited": False,
                "stock_threshold": 0,
                "stock_notification": False,
                "cost_per_item": cost,
                "compare_at_price": compare,
                "options": [
                    {"name": "Talla", "option_type": "option", "value": size, "custom": "",
                     "product_option_position": 1, "product_value_position": size_pos},
                    {"name": "Color", "option_type": "color", "value": color, "custom": hex_code,
                     "product_option_position": 2, "product_value_position": color_pos},
                ],
                "image": dict(images[(n - 1) % len(images)]),
            })
    chosen = rng.some(store_categories, min(len(store_categories), rng.between(1, 2)))
    return {
        "id": product_id,
        "name": name,
        "page_title": f"{name} | {store_code}",
        "description": f"<p>{name}, hecha con cuidado. Producto de ejemplo número {index + 1}.</p>",
        "type": "physical",
        "days_to_expire": 365,
        "price": price,
        "discount": 0.0,
        "weight": round(0.1 + 2.9 * rng.random(), 2),
        "stock": sum(v["stock"] for v in variants),
        "stock_unlimited": False,
        "stock_threshold": 0,
        "stock_notification": False,
        "back_in_stock_enabled": False,
        "cost_per_item": cost,
        "compare_at_price": compare,
        "sku": f"SB-{product_id}",
        "brand": rng.pick(_BRANDS),
        "barcode": f"780{product_id:07d}00",
        "google_product_category_text": "Apparel & Accessories",
        "quotable": False,
        "featured": rng.random() < 0.1,
        "reviews_enabled": True,
        "status": "available" if rng.random() < 0.9 else "not-available",
        "created_at": timestamp(created),
        "updated_at": timestamp(updated),
        "package_format": "box",
        "length": float(rng.between(5, 40)),
        "width": float(rng.between(5, 40)),
        "height": float(rng.between(1, 20)),
        "diameter": 0.0,
        "permalink": f"{_slug(name)}-{index + 1}",
        "categories": [dict(c) for c in chosen],
        "images": images,
        "variants": variants,
        "digital_products": [],
    }


@lru_cache(maxsize=1024)
def _slug(name: str) -> str:
    return slugify(name)
