"""The api.jumpseller.com side: /v1 with Bearer/Basic auth, scopes, rate limits and products."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, Response, g, request

from .catalog import CatalogError, public_view
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
    """Authenticate, count and rate-limit every /v1 request before routing (404s included)."""
    if not _is_api_request():
        return None
    state = current_state()
    principal, problem = _authenticate()
    # Limits are per store; unauthenticated traffic is limited per client IP instead.
    bucket = principal.store.code if principal else f"ip:{request.remote_addr}"
    if principal:
        state.count_api_request(principal.store.code)
    decision = state.rate_limit(bucket)
    g.rate_decision = decision
    if not decision.allowed:
        return Response("Rate Limit Exceeded", status=decision.status, mimetype="text/plain")
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
def _rate_limit_headers(response):
    """Every /v1 response carries the Jumpseller rate-limit headers."""
    decision = g.get("rate_decision")
    if decision is not None and _is_api_request():
        response.headers.update(decision.headers())
    return response


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


def _present(product: dict) -> dict:
    """The spec's wrapped product, with sandbox-served image paths made absolute."""
    root = request.host_url.rstrip("/")
    body = public_view(product)
    body["images"] = [_absolute(image, root) for image in body.get("images", [])]
    body["variants"] = [
        {**v, "image": _absolute(v["image"], root)} if "image" in v else v for v in body.get("variants", [])
    ]
    return {"product": body}


def _absolute(image: dict, root: str) -> dict:
    url = image.get("url", "")
    return {**image, "url": root + url} if url.startswith("/") else image


def _int_arg(name: str, default: int) -> int:
    # Lenient like Rails' to_i: junk or non-positive values fall back to the default.
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def _paging() -> tuple[int, int]:
    return _int_arg("page", 1), min(_int_arg("limit", DEFAULT_LIMIT), MAX_LIMIT)


def _not_found():
    return json_response({"message": "Product not found"}, 404)


def _product_body():
    """The `product` object of a JSON request, or an error response."""
    if request.mimetype != "application/json":
        return None, json_response({"message": "Content-Type must be application/json"}, 415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, json_response({"message": "The request body is not a valid JSON object"}, 400)
    if "product" not in data:
        return None, json_response({"message": "param is missing or the value is empty: product"}, 400)
    return data["product"], None


def _invalid(errors: dict):
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
    page, limit = _paging()
    with current_state().lock:
        products = g.principal.store.catalog.page(page, limit)
    return json_response([_present(p) for p in products])


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
    page, limit = _paging()
    with current_state().lock:
        products = g.principal.store.catalog.page(page, limit, after_id=product_id)
    return json_response([_present(p) for p in products])


@bp.get("/products/<int:product_id>.json")
@requires("read_products")
def get_product(product_id: int):
    """GET /products/{id}.json."""
    with current_state().lock:
        product = g.principal.store.catalog.get(product_id)
    return json_response(_present(product)) if product else _not_found()


@bp.post("/products.json")
@requires("write_products")
def create_product():
    """POST /products.json: validate, store, answer the stored product (200, as the spec says)."""
    body, error = _product_body()
    if error:
        return error
    fields, errors = parse_product(body, partial=False)
    if errors:
        return _invalid(errors)
    state = current_state()
    with state.lock:
        try:
            product = g.principal.store.catalog.create(state.allocate_product_id(), fields, state.now_datetime())
        except CatalogError as exc:
            return _invalid(exc.errors)
    return json_response(_present(product))


@bp.put("/products/<int:product_id>.json")
@requires("write_products")
def update_product(product_id: int):
    """PUT /products/{id}.json: partial update of the given fields."""
    body, error = _product_body()
    if error:
        return error
    fields, errors = parse_product(body, partial=True)
    state = current_state()
    with state.lock:
        if g.principal.store.catalog.get(product_id) is None:
            return _not_found()
        if errors:
            return _invalid(errors)
        try:
            product = g.principal.store.catalog.update(product_id, fields, state.now_datetime())
        except CatalogError as exc:
            return _invalid(exc.errors)
    return json_response(_present(product))


@bp.delete("/products/<int:product_id>.json")
@requires("write_products")
def delete_product(product_id: int):
    """DELETE /products/{id}.json: the spec's 200 body is a JSON string."""
    with current_state().lock:
        deleted = g.principal.store.catalog.delete(product_id)
    return json_response("Product deleted.") if deleted else _not_found()
