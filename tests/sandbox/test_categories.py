"""Sandbox categories over real HTTP: the tree, CRUD rules, and products staying consistent."""
import pytest
import requests

from sandbox.server import SandboxServer

T = 10


@pytest.fixture
def srv():
    server = SandboxServer(port=0, rate_limit="off", seed_products=40, seed_orders=0, seed_customers=0,
                           profile="clean").start()  # exact shapes; the realistic ones: test_realism.py
    yield server
    server.stop()


def call(srv, owner, method, path, **kwargs):
    return requests.request(method, f"{srv.url}/v1{path}", auth=owner, timeout=T, **kwargs)


def categories_of(srv, owner, product_id):
    return call(srv, owner, "GET", f"/products/{product_id}.json").json()["product"]["categories"]


def product_in(srv, owner, category_id):
    products = call(srv, owner, "GET", "/products.json", params={"limit": 40}).json()
    return next(p["product"]["id"] for p in products if category_id in [c["id"] for c in p["product"]["categories"]])


def test_seeded_tree_list_count_and_paging(srv, owner):
    listed = call(srv, owner, "GET", "/categories.json").json()
    assert [c["category"]["id"] for c in listed] == list(range(11, 17))
    assert listed[1]["category"] == {"id": 12, "name": "Poleras", "permalink": "poleras", "parent_id": 11}
    assert "parent_id" not in listed[0]["category"]
    assert call(srv, owner, "GET", "/categories/count.json").json() == {"count": 6}
    page = call(srv, owner, "GET", "/categories.json", params={"limit": 4, "page": 2}).json()
    assert [c["category"]["id"] for c in page] == [15, 16]


def test_create_generates_a_unique_permalink_and_products_can_use_it(srv, owner):
    first = call(srv, owner, "POST", "/categories.json", json={"category": {"name": "Ropa", "parent_id": 13}})
    assert first.status_code == 200, first.text
    body = first.json()["category"]
    assert body["permalink"] == f"ropa-{body['id']}" and body["parent_id"] == 13  # "ropa" is taken
    fresh = call(srv, owner, "POST", "/categories.json", json={"category": {"name": "Té & Café"}}).json()["category"]
    assert fresh["permalink"] == "te-cafe" and "parent_id" not in fresh
    product = call(srv, owner, "POST", "/products.json",
                   json={"product": {"name": "Taza", "price": 10, "categories": [{"id": fresh["id"]}]}})
    assert product.status_code == 200 and product.json()["product"]["categories"] == [fresh]


def test_rename_shows_in_products(srv, owner):
    pid = product_in(srv, owner, 14)
    renamed = call(srv, owner, "PUT", "/categories/14.json", json={"category": {"name": "Casa"}})
    assert renamed.status_code == 200
    assert renamed.json()["category"] == {"id": 14, "name": "Casa", "permalink": "hogar"}
    assert {"id": 14, "name": "Casa", "permalink": "hogar"} in categories_of(srv, owner, pid)


def test_delete_removes_it_from_products_and_lifts_children(srv, owner):
    pid = product_in(srv, owner, 11)
    assert call(srv, owner, "DELETE", "/categories/11.json").json() == "Category deleted."
    assert 11 not in [c["id"] for c in categories_of(srv, owner, pid)]
    assert "parent_id" not in call(srv, owner, "GET", "/categories/12.json").json()["category"]
    assert call(srv, owner, "GET", "/categories/11.json").status_code == 404
    refused = call(srv, owner, "POST", "/products.json",
                   json={"product": {"name": "x", "price": 1, "categories": [{"id": 11}]}})
    assert refused.status_code == 422 and "categories" in refused.json()["errors"]


@pytest.mark.parametrize("method, path, category, field", [
    ("POST", "/categories.json", {"parent_id": 11}, "name"),
    ("POST", "/categories.json", {"name": " "}, "name"),
    ("POST", "/categories.json", {"name": "x", "parent_id": 999}, "parent_id"),
    ("POST", "/categories.json", {"name": "x", "parent_id": "eleven"}, "parent_id"),
    ("PUT", "/categories/11.json", {"parent_id": 12}, "parent_id"),   # 12 is 11's child: a cycle
    ("PUT", "/categories/11.json", {"parent_id": 11}, "parent_id"),
])
def test_invalid_category_is_422(srv, owner, method, path, category, field):
    response = call(srv, owner, method, path, json={"category": category})
    assert response.status_code == 422 and field in response.json()["errors"]


def test_reparent_and_make_root(srv, owner):
    moved = call(srv, owner, "PUT", "/categories/15.json", json={"category": {"parent_id": 13}}).json()["category"]
    assert moved["parent_id"] == 13
    root = call(srv, owner, "PUT", "/categories/15.json", json={"category": {"parent_id": None}}).json()["category"]
    assert "parent_id" not in root
