"""Sandbox product reviews over real HTTP: read-only, seeded per product, found by id, refused without the scope."""
import pytest
import requests

from sandbox.server import SandboxServer

T = 10


@pytest.fixture
def srv():
    server = SandboxServer(port=0, rate_limit="off", seed_products=40, seed_orders=0, seed_customers=0,
                           profile="clean").start()
    yield server
    server.stop()


def call(srv, owner, method, path, **kwargs):
    return requests.request(method, f"{srv.url}/v1{path}", auth=owner, timeout=T, **kwargs)


def test_reviews_are_seeded_per_product_stable_and_found_by_id(srv, owner):
    products = [p["product"] for p in call(srv, owner, "GET", "/products.json", params={"limit": 40}).json()]
    by_product = {p["id"]: [r["review"] for r in call(srv, owner, "GET", f"/products/{p['id']}/reviews.json").json()]
                  for p in products}
    reviewed = [pid for pid, items in by_product.items() if items]
    assert reviewed and len(reviewed) < len(products)          # some products have reviews, some none
    product_id = reviewed[0]
    first = by_product[product_id][0]
    assert set(first) == {"id", "status", "rating", "review", "date", "product_id", "product_name", "order_id",
                          "customer_email"}
    assert first["product_id"] == product_id and 1 <= first["rating"] <= 5
    created = next(p["created_at"] for p in products if p["id"] == product_id)
    assert first["date"].endswith(" UTC") and first["date"] > created          # written after the product existed
    assert first["status"] in ("unread", "unpublished", "published") and "@" in first["customer_email"]
    again = call(srv, owner, "GET", f"/products/{product_id}/reviews.json").json()
    assert [r["review"] for r in again] == by_product[product_id]
    one = call(srv, owner, "GET", f"/products/reviews/{first['id']}.json").json()
    assert one == {"review": first}
    everything = call(srv, owner, "GET", "/products/reviews.json", params={"limit": 3}).json()
    assert len(everything) == 3 and everything[0]["review"]["product_id"] == reviewed[0]


def test_reviews_cannot_be_written_and_unknown_ones_are_404(srv, owner):
    product_id = call(srv, owner, "GET", "/products.json", params={"limit": 1}).json()[0]["product"]["id"]
    assert call(srv, owner, "POST", f"/products/{product_id}/reviews.json",
                json={"review": {"rating": 5}}).status_code in (404, 405)
    assert call(srv, owner, "GET", "/products/999999/reviews.json").status_code == 404
    assert call(srv, owner, "GET", "/products/reviews/1.json").status_code == 404
