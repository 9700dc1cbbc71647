"""Product reviews: read-only in Jumpseller's API (the spec lists GET only; reviews are written by shoppers in the
storefront and moderated in the admin). Seeded from the product and store, like the rest of the catalog: a product
has 0 to 4 reviews, each quoting a seeded customer and an order, in Spanish as Chilean shoppers write them.

A review's id is product_id * SUB_ID_SPAN + n (as variants and images), so /products/reviews/{id}.json finds its
product without an index.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..seed.customers import identity
from ..seed.store import SUB_ID_SPAN, Draws

_TEXTS = {
    5: ["Excelente calidad, llegó antes de lo esperado.", "Me encantó, lo volvería a comprar.",
        "Tal cual la foto. ¡Recomendado!"],
    4: ["Muy bueno, aunque el envío se demoró un poco.", "Buena relación precio/calidad."],
    3: ["Cumple, pero esperaba algo mejor.", "Está bien; la talla es un poco pequeña."],
    2: ["La terminación no es la mejor.", "Llegó con un detalle, me lo cambiaron."],
    1: ["No corresponde a la descripción.", "Se rompió a la semana."],
}
_STATUSES = ("published", "published", "published", "unpublished", "unread")
_RATINGS = (5, 5, 5, 4, 4, 3, 2, 1)


def for_product(store_code: str, product: dict, customers: int = 100) -> list[dict]:
    """The reviews of one product (ProductReviewFields), oldest first; none when reviews are disabled."""
    if not product.get("reviews_enabled", True):
        return []
    rng = Draws(f"{store_code}:reviews:{product['id']}")
    count = rng.weighted((0, 1, 2, 3, 4), (4, 3, 2, 1, 1))
    reviews = []
    for n in range(1, count + 1):
        rating = rng.pick(_RATINGS)
        _, _, email = identity(store_code, rng.below(max(customers, 1)))
        created = str(product.get("created_at") or "2024-01-01 12:00:00 UTC")
        reviews.append({
            "id": product["id"] * SUB_ID_SPAN + n, "status": rng.pick(_STATUSES), "rating": rating,
            "review": rng.pick(_TEXTS[rating]), "date": _later(created, rng.between(3, 200)),
            "product_id": product["id"], "product_name": product.get("name", ""),
            "order_id": 10_000 + rng.below(90_000), "customer_email": email,
        })
    return reviews


def _later(stamp: str, days: int) -> str:
    """`days` after a catalog timestamp ("2024-01-01 12:00:00 UTC", as products carry them), in the same format."""
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        return stamp
    return (moment + timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S UTC")


def product_of(review_id: int) -> int:
    """The product id a review id belongs to."""
    return review_id // SUB_ID_SPAN
