"""The api.jumpseller.com side: /v1 with Bearer/Basic auth, scopes, rate limits, faults and products."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, Response, g, request

from . import fault_http
from .catalog import CatalogError
from .fragments import absolutize
from .oauth import bearer_token
from .state import Store, Token
from .validation import parse_product
from .web import current_state, json_response

bp = Blueprint("api", __name__, url_prefix="/v1")

# Required OAuth2 scope per implemented operation, as the spec's `security` lists it
# (tests/test_sandbox_conformance.py checks this table against the spec).
ROUTE_SCOPES = {
    ("/store/info.json", "get"): "read_store",
    ("/products.json", "get"): "read_products",
    ("/products.json", "post"): "write_products",
    ("/products/count.json", "get"): "read_products",
    ("/products/after/{id}.json", "get"): "read_products",
    ("/products/{id}.json", "get"): "read_products",
    ("/products/{id}.json", "put"): "write_products",
    ("/products/{id}.json", "delete"): "write_products",
    ("/orders.json", "get"): "read_orders",
    ("/orders/count.json", "get"): "read_orders",
    ("/orders/status/{status}.json", "get"): "read_orders",
    ("/orders/after/{id}.json", "get"): "read_orders",
    ("/orders/{id}.json", "get"): "read_orders",
    ("/orders/{id}.json", "put"): "write_orders",
    ("/orders/{id}/history.json", "get"): "read_orders",
    ("/customers.json", "get"): "read_customers",
    ("/customers.json", "post"): "write_customers",
    ("/customers/count.json", "get"): "read_customers",
    ("/customers/email/{email}.json", "get"): "read_customers",
    ("/customers/{id}.json", "get"): "read_customers",
    ("/customers/{id}.json", "put"): "write_customers",
    ("/customers/{id}.json", "delete"): "write_customers",
    # The spec guards categories with the store scopes, not read_/write_categories.
    ("/categories.json", "get"): "read_store",
    ("/categories.json", "post"): "write_store",
    ("/categories/count.json", "get"): "read_store",
    ("/categories/{id}.json", "get"): "read_store",
    ("/categories/{id}.json", "put"): "write_store",
    ("/categories/{id}.json", "delete"): "write_store",
}

DEFAULT_LIMIT, MAX_LIMIT = 50, 100


@dataclass(frozen=True)
class Principal:
    """Who is calling: a store, and the scopes granted (None = store owner, every scope)."""

    store: Store
    scopes: frozenset[str] | None
    token: Token | None


def _is_api_request() -> bool:
    return request.path == "/v1" or request.path.startswith("/v1/")


def _authenticate() -> tuple[Principal | None, str]:
    state = current_state()
    access = bearer_token(request)
    if access:
        token, problem = state.bearer(access)
        if token is None:
            return None, problem
        return Principal(state.stores[token.store_code], frozenset(token.scopes), token), ""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        store = state.store_by_basic(auth.username or "", auth.password or "")
        return (Principal(store, None, None), "") if store else (None, "Invalid login or authtoken")
    login, authtoken = request.args.get("login"), request.args.get("authtoken")
    if login and authtoken:  # the spec's deprecated query-string credentials
        store = state.store_by_basic(login, authtoken)
        return (Principal(store, None, None), "") if store else (None, "Invalid login or authtoken")
    return None, "Authentication required: send a Bearer access token or Basic login:authtoken"


@bp.before_app_request
def _gate():
    """Authenticate, count, rate-limit and maybe fault every /v1 request before routing (404s included)."""
    if not _is_api_request():
        return None
    state = current_state()
    fault_http.delay(state.faults, token_endpoint=False)
    principal, problem = _authenticate()
    # Limits are per store; unauthenticated traffic is limited per client IP instead.
    bucket = principal.store.code if principal else f"ip:{request.remote_addr}"
    if principal:
        state.count_api_request(principal.store.code)
        g.store_code = principal.store.code
    decision = state.rate_limit(bucket)
    g.rate_decision = decision
    if not decision.allowed:
        return Response("Rate Limit Exceeded", status=decision.status, mimetype="text/plain")
    # Faults strike after the limiter has counted the request: it reached Jumpseller and used
    # up budget, whatever happened next (a client must not assume failures were free).
    faulted = fault_http.inject(state.faults, token_endpoint=False)
    if faulted is not None:
        return faulted
    if principal is None:
        return json_response(
            {"message": problem, "error": "invalid_token", "error_description": problem}, 401,
            {"WWW-Authenticate": f'Bearer realm="Jumpseller", error="invalid_token", error_description="{problem}"'},
        )
    if principal.token is not None:
        state.mark_used(principal.token)
    g.principal = principal
    return None


@bp.after_app_request
def _finish(response):
    """Rate-limit headers on every /v1 response; log it; act out a drop_after fault."""
    if not _is_api_request():
        return response
    decision, fault = g.get("rate_decision"), fault_http.current_fault()
    if decision is not None and not fault_http.is_gateway_answer(fault):
        response.headers.update(decision.headers())
    store_code = g.get("store_code")
    if store_code is not None and decision is not None:
        status = None if fault is not None and fault.kind == "drop" else response.status_code
        current_state().record_request(store_code, decision.at, request.method, request.path, status,
                                       fault.kind if fault else None)
    return fault_http.finish(response)


def requires(scope: str):
    """Refuse with 403 insufficient_scope unless the caller's grant includes `scope`."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal: Principal = g.principal
            if principal.scopes is not None and scope not in principal.scopes:
                return json_response(
                    {"message": f"The access token does not grant the {scope} scope required here.",
                     "error": "insufficient_scope", "required_scopes": [scope]},
                    403,
                    {"WWW-Authenticate": f'Bearer realm="Jumpseller", error="insufficient_scope", scope="{scope}"'},
                )
            return view(*args, **kwargs)
        return wrapper
    return decorate


def _products_response(texts: list[str] | str):
    """A JSON response from cached product fragments (one, or a list), with absolute image URLs."""
    body = texts if isinstance(texts, str) else "[" + ",".join(texts) + "]"
    return Response(absolutize(body, request.host_url.rstrip("/")), mimetype="application/json")


def int_arg(name: str, default: int) -> int:
    """A positive integer query parameter, or the default."""
    # Lenient like Rails' to_i: junk or non-positive values fall back to the default.
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def paging() -> tuple[int, int]:
    """(page, limit) of the request: page from 1, limit default 50, at most 100."""
    return int_arg("page", 1), min(int_arg("limit", DEFAULT_LIMIT), MAX_LIMIT)


def not_found(resource: str = "Product"):
    """The spec's NotFound body."""
    return json_response({"message": f"{resource} not found"}, 404)


def resource_body(name: str):
    """The `name` object of a JSON request body, or (None, an error response)."""
    if request.mimetype != "application/json":
        return None, json_response({"message": "Content-Type must be application/json"}, 415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, json_response({"message": "The request body is not a valid JSON object"}, 400)
    if name not in data:
        return None, json_response({"message": f"param is missing or the value is empty: {name}"}, 400)
    return data[name], None


def invalid(errors: dict):
    """422 with Rails-style errors by field."""
    return json_response({"message": "Unprocessable Entity", "errors": errors}, 422)


@bp.get("/store/info.json")
@requires("read_store")
def store_info():
    """GET /store/info.json: unwrapped as the spec shows, or {"store": ...} when so configured."""
    details = dict(g.principal.store.details)
    return json_response({"store": details} if current_state().config.store_info_wrapped else details)


@bp.get("/products.json")
@requires("read_products")
def list_products():
    """GET /products.json: a page of wrapped products."""
    page, limit = paging()
    catalog = g.principal.store.catalog
    with current_state().lock:
        texts = catalog.page_json(page, limit)
    return _products_response(texts)


@bp.get("/products/count.json")
@requires("read_products")
def count_products():
    """GET /products/count.json."""
    with current_state().lock:
        return json_response({"count": g.principal.store.catalog.count()})


@bp.get("/products/after/<int:product_id>.json")
@requires("read_products")
def products_after(product_id: int):
    """GET /products/after/{id}.json: products with a greater id, paged like the list."""
    page, limit = paging()
    catalog = g.principal.store.catalog
    with current_state().lock:
        texts = catalog.page_json(page, limit, after_id=product_id)
    return _products_response(texts)


@bp.get("/products/<int:product_id>.json")
@requires("read_products")
def get_product(product_id: int):
    """GET /products/{id}.json."""
    catalog = g.principal.store.catalog
    with current_state().lock:
        text = catalog.json_of(product_id) if catalog.get(product_id) is not None else None
    return _products_response(text) if text else not_found()


@bp.post("/products.json")
@requires("write_products")
def create_product():
    """POST /products.json: validate, store, answer the stored product (200, as the spec says)."""
    body, error = resource_body("product")
    if error:
        return error
    fields, errors = parse_product(body, partial=False)
    if errors:
        return invalid(errors)
    state = current_state()
    with state.lock:
        try:
            product = g.principal.store.catalog.create(state.allocate_product_id(), fields, state.now_datetime())
        except CatalogError as exc:
            return invalid(exc.errors)
        text = g.principal.store.catalog.json_of(product["id"])
    return _products_response(text)


@bp.put("/products/<int:product_id>.json")
@requires("write_products")
def update_product(product_id: int):
    """PUT /products/{id}.json: partial update of the given fields."""
    body, error = resource_body("product")
    if error:
        return error
    fields, errors = parse_product(body, partial=True)
    state = current_state()
    with state.lock:
        if g.principal.store.catalog.get(product_id) is None:
            return not_found()
        if errors:
            return invalid(errors)
        try:
            product = g.principal.store.catalog.update(product_id, fields, state.now_datetime())
        except CatalogError as exc:
            return invalid(exc.errors)
        text = g.principal.store.catalog.json_of(product["id"])
    return _products_response(text)


@bp.delete("/products/<int:product_id>.json")
@requires("write_products")
def delete_product(product_id: int):
    """DELETE /products/{id}.json: the spec's 200 body is a JSON string."""
    with current_state().lock:
        deleted = g.principal.store.catalog.delete(product_id)
    return json_response("Product deleted.") if deleted else not_found()


# The other resources register their routes on this blueprint; imported last because they use it.
from . import api_categories, api_customers, api_orders  # noqa: E402,F401
