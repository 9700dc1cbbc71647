"""Every implemented operation refuses a token lacking its spec scope (403) and accepts one that has it."""
import pytest
import requests

from sandbox.accounts.scopes import ALL_SCOPES
from sandbox.api import ROUTE_SCOPES
from sandbox.server import SandboxServer
from sandbox.testing import obtain_tokens

T = 10
IDS = {"{id}": {"/products": "1001", "/orders": "5001", "/customers": "100001", "/categories": "11"},
       "{status}": "paid", "{email}": "nobody@example.org"}
BODIES = {("/products", "post"): {"product": {"name": "x", "price": 1}},
          ("/products", "put"): {"product": {"price": 2}},
          ("/orders", "put"): {"order": {"tracking_number": "1"}},
          ("/customers", "post"): {"customer": {"email": "scoped@example.org"}},
          ("/customers", "put"): {"customer": {"phone": "+1"}},
          ("/categories", "post"): {"category": {"name": "x"}},
          ("/categories", "put"): {"category": {"name": "y"}}}


@pytest.fixture(scope="module")
def srv():
    server = SandboxServer(port=0, rate_limit="off", auto_approve=True, seed_products=3, seed_orders=3,
                           seed_customers=3).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tokens(srv):
    """For each scope in use: a token with every scope but that one."""
    return {scope: obtain_tokens(srv.url, tuple(sorted(ALL_SCOPES - {scope})))["access_token"]
            for scope in set(ROUTE_SCOPES.values())}


def concrete(path: str) -> str:
    resource = "/" + path.split("/")[1].split(".")[0]
    return (path.replace("{id}", IDS["{id}"].get(resource, "1")).replace("{status}", IDS["{status}"])
            .replace("{email}", IDS["{email}"]))


@pytest.mark.parametrize("path, method", sorted(ROUTE_SCOPES))
def test_operation_requires_its_scope(srv, tokens, path, method):
    scope = ROUTE_SCOPES[(path, method)]
    resource = "/" + path.split("/")[1].split(".")[0]
    kwargs = {"json": BODIES[(resource, method)]} if method in ("post", "put") else {}
    refused = requests.request(method, f"{srv.url}/v1{concrete(path)}", timeout=T,
                               headers={"Authorization": f"Bearer {tokens[scope]}"}, **kwargs)
    assert refused.status_code == 403, refused.text
    assert refused.json()["required_scopes"] == [scope]
    granted = obtain_tokens(srv.url, (scope,))["access_token"]
    if method == "delete":
        return  # deleting with the right scope is covered elsewhere; keep the fixtures' data intact
    allowed = requests.request(method, f"{srv.url}/v1{concrete(path)}", timeout=T,
                               headers={"Authorization": f"Bearer {granted}"}, **kwargs)
    assert allowed.status_code in (200, 404), (path, method, allowed.status_code, allowed.text)
    assert allowed.status_code != 404 or "{email}" in path
