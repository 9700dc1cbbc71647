"""The client under faults injected by the sandbox: 5xx, timeouts, dropped connections, lost POST answers."""

import pytest
import requests

from jumpseller_app.jumpseller import NetworkError
from jumpseller_app.jumpseller import ServerError

from ..support.flows import basic_client, stats


def set_faults(sandbox, **faults):
    response = requests.post(sandbox.url + "/_sandbox/faults", json={"seed": 11, **faults}, timeout=5)
    response.raise_for_status()


def request_log(sandbox):
    return requests.get(sandbox.url + "/_sandbox/requests", params={"store": "sandbox"}, timeout=5).json()["requests"]


def pull_catalog(client):
    ids = [product["id"] for product in client.products.iter_all(limit=100)]
    return ids


@pytest.fixture
def sandbox_options():
    return {"rate_limit": "legacy", "seed_products": 1200}


@pytest.mark.parametrize("faults", [
    {"error_rate": 0.3},
    {"timeout_rate": 0.3, "timeout_seconds": 1.5},
    {"drop_rate": 0.3},
], ids=["30%-5xx", "30%-timeouts", "30%-dropped"])
def test_the_catalog_arrives_complete_and_exactly_once(sandbox, tmp_path, faults):
    set_faults(sandbox, **faults)
    client = basic_client(sandbox, tmp_path)
    client.timeout = 0.5
    ids = pull_catalog(client)
    assert len(ids) == 1200 and len(set(ids)) == 1200 and ids == sorted(ids)
    injected = sum(stats(sandbox)["faults"].values())
    assert injected >= 1 and client.stats["retries"] >= 1      # faults really happened, and were survived
    # Rate-limit hits are not asserted here: faults plus a busy machine can push one call's arrival past the
    # budget's margin; tests/test_client.py checks the budget itself, and a hit is retried like any refusal.


def test_a_post_whose_answer_was_lost_is_not_sent_again(sandbox, tmp_path):
    client = basic_client(sandbox, tmp_path)
    before = client.products.count()
    set_faults(sandbox, drop_after_rate=1.0)
    with pytest.raises(NetworkError):
        client.products.create({"name": "Manta", "price": 19990})
    set_faults(sandbox)
    assert client.products.count() == before + 1                # created once, exactly
    posts = [r for r in request_log(sandbox) if r["method"] == "POST"]
    assert len(posts) == 1


def test_a_post_answered_with_5xx_is_not_retried_but_a_put_is(sandbox, tmp_path):
    client = basic_client(sandbox, tmp_path)
    product_id = client.products.list(limit=1)[0]["id"]
    set_faults(sandbox, error_rate=1.0)
    with pytest.raises(ServerError):
        client.products.create({"name": "Manta", "price": 19990})
    assert len([r for r in request_log(sandbox) if r["method"] == "POST"]) == 1
    set_faults(sandbox, error_rate=0.5)
    assert client.products.update(product_id, {"stock": 42})["stock"] == 42
    set_faults(sandbox)
    assert client.products.get(product_id)["stock"] == 42
