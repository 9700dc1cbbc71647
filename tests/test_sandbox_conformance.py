"""Every implemented /v1 operation, called over HTTP, validated against the official OpenAPI spec."""
import json
import os
from pathlib import Path

import pytest
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData

from sandbox.api import ROUTE_SCOPES
from sandbox.scopes import ALL_SCOPES
from sandbox.server import SandboxServer

# The official spec lives in the team's shared/ folder beside the checkout (JUMPSELLER_OPENAPI overrides).
SPEC_PATH = Path(os.environ.get("JUMPSELLER_OPENAPI") or
                 Path(__file__).resolve().parents[2] / "shared" / "reference" / "jumpseller-openapi.json")
SPEC_SERVER = "https://api.jumpseller.com/v1"
T = 10


@pytest.fixture(scope="module")
def spec_dict():
    return json.loads(SPEC_PATH.read_text())


@pytest.fixture(scope="module")
def openapi(spec_dict):
    # The published spec is not strictly valid (optional path params, empty `required`), so skip spec validation.
    return OpenAPI.from_dict(spec_dict, config=Config(spec_validator_cls=None))


@pytest.fixture(scope="module")
def srv():
    server = SandboxServer(port=0, rate_limit="off", seed_products=30).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def owner(srv):
    return srv.state.default_store.login, srv.state.default_store.authtoken


def call(srv, owner, method, path, **kwargs):
    """Make a real request to the sandbox and return (response, the same request addressed to the spec server)."""
    response = requests.request(method, f"{srv.url}/v1{path}", auth=owner, timeout=T, **kwargs)
    spec_request = response.request.copy()
    spec_request.url = SPEC_SERVER + spec_request.url[len(f"{srv.url}/v1"):]
    return response, spec_request


def validate(openapi, spec_request, response):
    """Raise if the response does not match the spec's schema for that operation and status."""
    openapi.validate_response(RequestsOpenAPIRequest(spec_request), RequestsOpenAPIResponse(response))


def test_route_scopes_match_the_spec(spec_dict):
    for (path, method), scope in ROUTE_SCOPES.items():
        security = spec_dict["paths"][path][method]["security"]
        oauth = [entry["OAuth2"] for entry in security if "OAuth2" in entry]
        assert oauth == [[scope]], (path, method)


def test_known_scopes_match_the_spec(spec_dict):
    flows = spec_dict["components"]["securitySchemes"]["OAuth2"]["flows"]["authorizationCode"]
    assert ALL_SCOPES == set(flows["scopes"])


def test_store_info_unwrapped(srv, owner, openapi):
    response, spec_request = call(srv, owner, "GET", "/store/info.json")
    assert response.status_code == 200
    validate(openapi, spec_request, response)


def test_store_info_wrapped_inner_object(srv, owner, openapi):
    requests.post(f"{srv.url}/_sandbox/config", json={"store_info_wrapped": True}, timeout=T)
    try:
        response, spec_request = call(srv, owner, "GET", "/store/info.json")
    finally:
        requests.post(f"{srv.url}/_sandbox/config", json={"store_info_wrapped": False}, timeout=T)
    assert list(response.json()) == ["store"]
    # Validate the inner object by presenting it as the body the spec describes.
    inner = requests.models.Response()
    inner.status_code, inner.headers, inner.url = 200, response.headers, response.url
    inner._content = json.dumps(response.json()["store"]).encode()
    inner.headers["Content-Length"] = str(len(inner._content))
    validate(openapi, spec_request, inner)


@pytest.mark.parametrize("path, params", [
    ("/products.json", {}),
    ("/products.json", {"limit": 100, "page": 1}),
    ("/products.json", {"page": 99}),
    ("/products/count.json", {}),
    ("/products/after/1010.json", {}),
    ("/products/1001.json", {}),
    ("/products/1030.json", {}),
])
def test_read_operations(srv, owner, openapi, path, params):
    response, spec_request = call(srv, owner, "GET", path, params=params)
    assert response.status_code == 200
    validate(openapi, spec_request, response)


def test_not_found_shapes(srv, owner, openapi):
    for method, path, kwargs in [
        ("GET", "/products/999999.json", {}),
        ("PUT", "/products/999999.json", {"json": {"product": {"name": "x", "price": 1}}}),
        ("DELETE", "/products/999999.json", {}),
    ]:
        response, spec_request = call(srv, owner, method, path, **kwargs)
        assert response.status_code == 404
        validate(openapi, spec_request, response)


def test_write_operations(srv, owner, openapi):
    created, spec_request = call(srv, owner, "POST", "/products.json", json={"product": {
        "name": "Conformance", "price": 1234.5, "description": "d", "page_title": "p",
        "variants": [{"variant": {"price": 1300, "sku": "C-1", "stock": 3,
                                  "options": [{"name": "Talla", "option_type": "option", "value": "M"}]}}],
        "categories": [{"id": 11}],
    }})
    assert created.status_code == 200, created.text
    validate(openapi, spec_request, created)
    pid = created.json()["product"]["id"]

    updated, spec_request = call(srv, owner, "PUT", f"/products/{pid}.json",
                                 json={"product": {"name": "Conformance 2", "price": 99.99}})
    assert updated.status_code == 200
    validate(openapi, spec_request, updated)

    deleted, spec_request = call(srv, owner, "DELETE", f"/products/{pid}.json")
    assert deleted.status_code == 200
    validate(openapi, spec_request, deleted)


def test_validation_really_catches_a_wrong_type(srv, owner, openapi):
    """Guard against a validator that cannot fail: a string where the spec says integer is rejected."""
    response, spec_request = call(srv, owner, "GET", "/products/1001.json")
    body = response.json()
    body["product"]["variants"][0]["stock"] = "12"
    response._content = json.dumps(body).encode()
    with pytest.raises(InvalidData) as caught:
        validate(openapi, spec_request, response)
    assert "'12' is not of type 'integer'" in str(caught.value.__cause__)
