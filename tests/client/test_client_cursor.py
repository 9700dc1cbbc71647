"""Resource.page_after: the id cursor the sync walks products and orders with, over real HTTP to the sandbox."""

import pytest
import requests

from ..support.flows import basic_client


@pytest.fixture
def sandbox_options():
    return {"rate_limit": "off", "seed_products": 250, "seed_orders": 130}


def walk(resource, limit, cursor=0):
    """Every item above `cursor` by following it; returns the ids in the order they came and the pages asked."""
    ids, pages = [], 0
    while True:
        items = resource.page_after(cursor, limit=limit)
        pages += 1
        ids += [item["id"] for item in items]
        if len(items) < limit:
            return ids, pages
        cursor = items[-1]["id"]


@pytest.mark.parametrize("name", ["products", "orders"])
def test_the_cursor_walks_every_id_once_in_ascending_order(sandbox, tmp_path, name):
    api = basic_client(sandbox, tmp_path, budget=False)
    resource = getattr(api, name)
    ids, pages = walk(resource, 100)
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == resource.count()
    assert pages == len(ids) // 100 + 1
    assert all(isinstance(i, int) for i in ids)          # unwrapped: {"product": {...}} gives the inner object


def test_a_deletion_between_pages_does_not_shift_the_cursor(sandbox, tmp_path):
    api = basic_client(sandbox, tmp_path, budget=False)
    first = api.products.page_after(0, limit=50)
    api.products.delete(first[10]["id"])                 # a page-number walk would now skip one product
    rest, _ = walk(api.products, 50, cursor=first[-1]["id"])
    everything = [p["id"] for p in api.products.iter_all()]
    assert [p["id"] for p in first] + rest == sorted(everything + [first[10]["id"]])


def test_the_cursor_is_sent_as_page_one_of_after_id(sandbox, tmp_path):
    api = basic_client(sandbox, tmp_path, budget=False)
    api.orders.page_after(7, limit=20)
    log = requests.get(sandbox.url + "/_sandbox/requests", params={"store": "sandbox"}, timeout=5).json()["requests"]
    assert log[-1]["path"].startswith("/v1/orders/after/7.json")
