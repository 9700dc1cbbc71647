"""/v1/products/…/reviews: product reviews, read-only (the spec offers no review write)."""
from __future__ import annotations

from flask import g

from ..records import reviews
from ..web import current_state, json_response
from .base import not_found, paging, route

_ALL_REVIEWS_SCAN = 500     # products looked at by the store-wide list (a page of reviews comes from these)


def _of(product: dict) -> list[dict]:
    return reviews.for_product(g.principal.store.code, product)


def _wrapped(items: list[dict]):
    return json_response([{"review": item} for item in items])


@route("GET", "/products/{id}/reviews.json", "read_products")
def product_reviews(record_id: int):
    """GET /products/{id}/reviews.json: one product's reviews, paged."""
    page, limit = paging()
    with current_state().lock:
        product = g.principal.store.catalog.get(record_id)
        if product is None:
            return not_found()
        items = _of(product)
    return _wrapped(items[(page - 1) * limit:page * limit])


@route("GET", "/products/reviews.json", "read_products")
def all_reviews():
    """GET /products/reviews.json: the store's reviews, product by product, paged."""
    page, limit = paging()
    wanted = page * limit
    found = []
    with current_state().lock:
        catalog = g.principal.store.catalog
        first = catalog.first_id()
        for product_id in range(first, first + _ALL_REVIEWS_SCAN) if first is not None else ():
            product = catalog.get(product_id)
            if product is not None:
                found.extend(_of(product))
            if len(found) >= wanted:
                break
    return _wrapped(found[(page - 1) * limit:wanted])


@route("GET", "/products/reviews/{review_id}.json", "read_products")
def review(review_id: int):
    """GET /products/reviews/{review_id}.json: one review."""
    with current_state().lock:
        product = g.principal.store.catalog.get(reviews.product_of(review_id))
        found = next((r for r in _of(product) if r["id"] == review_id), None) if product else None
    if found is None:
        return not_found("Review")
    return json_response({"review": found})
