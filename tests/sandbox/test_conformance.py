"""Every implemented /v1 operation, called over HTTP, validated against the official OpenAPI spec."""
import json
from pathlib import Path

import pytest
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData

from sandbox.accounts.scopes import ALL_SCOPES
from sandbox.api import ROUTE_SCOPES
from sandbox.server import SandboxServer

# The official spec, kept in the project beside the sandbox (sandbox/spec/SOURCE.md says where it comes from).
SPEC_PATH = Path(__file__).resolve().parents[2] / "sandbox" / "spec" / "jumpseller-openapi.json"
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


def validate_items(openapi, spec_request, response):
    """Validate each element of an array body as the single object the spec (mistakenly) declares."""
    body = response.json()
    assert isinstance(body, list) and body, body
    for item in body:
        single = requests.models.Response()
        single.status_code, single.headers, single.url = response.status_code, response.headers, response.url
        single._content = json.dumps(item).encode()
        single.headers["Content-Length"] = str(len(single._content))
        validate(openapi, spec_request, single)


@pytest.mark.parametrize("path, params", [
    ("/orders.json", {}),
    ("/orders.json", {"limit": 100, "page": 1}),
    ("/orders.json", {"status_filters[]": "paid", "dateFilter": "last30days"}),
    ("/orders.json", {"page": 99}),
    ("/orders/count.json", {}),
    ("/orders/5001.json", {}),
    ("/orders/5040.json", {}),
    ("/orders/status/paid.json", {}),
    ("/orders/status/abandoned.json", {"limit": 5}),
    ("/orders/5003/history.json", {}),
    ("/customers.json", {}),
    ("/customers.json", {"limit": 100, "page": 2}),
    ("/customers/count.json", {}),
    ("/customers/100001.json", {}),
    ("/categories/count.json", {}),
    ("/categories/12.json", {}),
])
def test_more_read_operations(srv, owner, openapi, path, params):
    response, spec_request = call(srv, owner, "GET", path, params=params)
    assert response.status_code == 200
    validate(openapi, spec_request, response)


def test_customer_by_email(srv, owner, openapi):
    email = requests.get(f"{srv.url}/v1/customers/100002.json", auth=owner, timeout=T).json()["customer"]["email"]
    response, spec_request = call(srv, owner, "GET", f"/customers/email/{email}.json")
    assert response.status_code == 200 and response.json()["customer"]["id"] == 100002
    validate(openapi, spec_request, response)


@pytest.mark.parametrize("path", ["/orders/after/5010.json", "/categories.json"])
def test_arrays_where_the_spec_declares_one_object(srv, owner, openapi, path):
    """The spec types these lists as a single wrapped object; Jumpseller sends an array of them."""
    response, spec_request = call(srv, owner, "GET", path)
    assert response.status_code == 200
    validate_items(openapi, spec_request, response)


def test_more_not_found_shapes(srv, owner, openapi):
    for method, path, kwargs in [
        ("GET", "/orders/999999.json", {}),
        ("PUT", "/orders/999999.json", {"json": {"order": {"status": "Paid"}}}),
        ("GET", "/orders/status/shipped.json", {}),
        ("GET", "/customers/999999.json", {}),
        ("PUT", "/customers/999999.json", {"json": {"customer": {"phone": "1"}}}),
        ("DELETE", "/customers/999999.json", {}),
        ("GET", "/customers/email/nobody@example.org.json", {}),
        ("GET", "/categories/999999.json", {}),
        ("PUT", "/categories/999999.json", {"json": {"category": {"name": "x"}}}),
        ("DELETE", "/categories/999999.json", {}),
    ]:
        response, spec_request = call(srv, owner, method, path, **kwargs)
        assert response.status_code == 404, (method, path)
        validate(openapi, spec_request, response)


def test_more_write_operations(srv, owner, openapi):
    edited, spec_request = call(srv, owner, "PUT", "/orders/5002.json", json={"order": {
        "status": "Paid", "shipment_status": "in_transit", "tracking_number": "T-1", "tracking_company": "Starken",
        "tracking_url": "https://tracking.example.com/T-1", "additional_information": "gift",
        "additional_fields": [{"label": "RUT", "value": "1-9"}]}})
    assert edited.status_code == 200, edited.text
    validate(openapi, spec_request, edited)

    created, spec_request = call(srv, owner, "POST", "/customers.json", json={"customer": {
        "email": "conformance@example.org", "phone": "+56911111111", "password": "secret123", "status": "approved",
        "shipping_address": {"name": "Ana", "surname": "Soto", "address": "Calle 1", "city": "Santiago",
                             "postal": "8320000", "municipality": "Santiago", "region": "RM", "country": "CL"},
        "billing_address": {"name": "Ana", "surname": "Soto", "taxid": "1-9"}, "customer_category": [1]}})
    assert created.status_code == 200, created.text
    validate(openapi, spec_request, created)
    cid = created.json()["customer"]["id"]
    updated, spec_request = call(srv, owner, "PUT", f"/customers/{cid}.json", json={"customer": {"phone": "+1"}})
    assert updated.status_code == 200
    validate(openapi, spec_request, updated)
    deleted, spec_request = call(srv, owner, "DELETE", f"/customers/{cid}.json")
    assert deleted.status_code == 200
    validate(openapi, spec_request, deleted)

    category, spec_request = call(srv, owner, "POST", "/categories.json",
                                  json={"category": {"name": "Conformance", "parent_id": 11}})
    assert category.status_code == 200, category.text
    validate(openapi, spec_request, category)
    kid = category.json()["category"]["id"]
    renamed, spec_request = call(srv, owner, "PUT", f"/categories/{kid}.json", json={"category": {"name": "C2"}})
    assert renamed.status_code == 200
    validate(openapi, spec_request, renamed)
    gone, spec_request = call(srv, owner, "DELETE", f"/categories/{kid}.json")
    assert gone.status_code == 200
    validate(openapi, spec_request, gone)


def test_every_route_is_conformance_tested():
    """Adding a route to ROUTE_SCOPES without a conformance case here should be a conscious act."""
    tested = {
        ("/store/info.json", "get"), ("/products.json", "get"), ("/products.json", "post"),
        ("/products/count.json", "get"), ("/products/after/{id}.json", "get"), ("/products/{id}.json", "get"),
        ("/products/{id}.json", "put"), ("/products/{id}.json", "delete"),
        ("/orders.json", "get"), ("/orders/count.json", "get"), ("/orders/status/{status}.json", "get"),
        ("/orders/after/{id}.json", "get"), ("/orders/{id}.json", "get"), ("/orders/{id}.json", "put"),
        ("/orders/{id}/history.json", "get"),
        ("/customers.json", "get"), ("/customers.json", "post"), ("/customers/count.json", "get"),
        ("/customers/email/{email}.json", "get"), ("/customers/{id}.json", "get"), ("/customers/{id}.json", "put"),
        ("/customers/{id}.json", "delete"),
        ("/categories.json", "get"), ("/categories.json", "post"), ("/categories/count.json", "get"),
        ("/categories/{id}.json", "get"), ("/categories/{id}.json", "put"), ("/categories/{id}.json", "delete"),
    }
    assert set(ROUTE_SCOPES) == tested


def test_validation_really_catches_a_bad_order(srv, owner, openapi):
    """Guard: the Order schema is really applied (an enum value the spec lacks is rejected)."""
    response, spec_request = call(srv, owner, "GET", "/orders/5001.json")
    body = response.json()
    body["order"]["shipment_status_enum"] = "not_applicable"
    response._content = json.dumps(body).encode()
    with pytest.raises(InvalidData):
        validate(openapi, spec_request, response)
