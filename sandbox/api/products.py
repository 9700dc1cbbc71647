"""/v1/products: list, count, after id, by id, create, update, delete."""
from __future__ import annotations

from flask import g

from ..records.validation import parse_product
from ..web import current_state
from . import crud
from .base import fragments_response, paging, route


def _present(record: dict):
    return fragments_response(g.principal.store.catalog.json_of(record["id"]))


PRODUCTS = crud.Resource("product", "Product", lambda store: store.catalog,
                         parse_product, _present, stamped=True)
crud.register(PRODUCTS, "/products.json", "/products/{id}.json", "read_products", "write_products")


@route("GET", "/products.json", "read_products")
def list_products():
    """GET /products.json: a page of wrapped products."""
    page, limit = paging()
    with current_state().lock:
        texts = g.principal.store.catalog.page_json(page, limit)
    return fragments_response(texts)



@route("GET", "/products/after/{id}.json", "read_products")
def products_after(record_id: int):
    """GET /products/after/{id}.json: products with a greater id, paged like the list."""
    page, limit = paging()
    with current_state().lock:
        texts = g.principal.store.catalog.page_json(page, limit, after_id=record_id)
    return fragments_response(texts)

