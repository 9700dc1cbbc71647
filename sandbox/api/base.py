"""The /v1 blueprint and what every resource shares: auth, rate limits, faults, scopes, paging, errors."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, Response, g, request

from ..accounts.state import Token
from ..behaviour import fault_http
from ..records.fragments import absolutize, dumps
from ..records.stores import Store
from ..web import bearer_token, current_state, json_response

bp = Blueprint("api", __name__, url_prefix="/v1")

# Required OAuth2 scope per implemented operation, as the spec's `security` lists it; filled by
# route() as the resource modules register their views (tests/sandbox/test_conformance.py checks it).
ROUTE_SCOPES: dict[tuple[str, str], str] = {}

# Spec path parameters → Flask converters (every `{id}` reaches the view as `record_id`).
_PATH_PARAMS = {"{id}": "<int:record_id>", "{status}": "<status>", "{email}": "<path:email>"}

DEFAULT_LIMIT, MAX_LIMIT = 50, 100
_PARAM = re.compile(r"\{(\w+)\}")


def _converter(match: re.Match) -> str:
    # Other placeholders keep their spec name; the spec types every `…_id` as an integer.
    name = match.group(1)
    return _PATH_PARAMS.get(match.group(0)) or (f"<int:{name}>" if name.endswith("_id") else f"<{name}>")


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
        token, problem = state.accounts.bearer(access)
        if token is None:
            return None, problem
        return Principal(state.stores[token.store_code], frozenset(token.scopes), token), ""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        store = state.registry.by_basic(auth.username or "", auth.password or "")
        return (Principal(store, None, None), "") if store else (None, "Invalid login or authtoken")
    login, authtoken = request.args.get("login"), request.args.get("authtoken")
    if login and authtoken:  # the spec's deprecated query-string credentials
        store = state.registry.by_basic(login, authtoken)
        return (Principal(store, None, None), "") if store else (None, "Invalid login or authtoken")
    return None, "Authentication required: send a Bearer access token or Basic login:authtoken"


@bp.before_app_request
def _gate():
    """Authenticate, count, rate-limit and maybe fault every /v1 request before routing (404s included)."""
    if not _is_api_request():
        return None
    state = current_state()
    behaviour = state.behaviour
    fault_http.delay(behaviour.faults, token_endpoint=False)
    principal, problem = _authenticate()
    # Limits count per (client IP, store); unauthenticated traffic per client IP alone.
    store_code = principal.store.code if principal else None
    if store_code is not None:
        behaviour.count_api_request(store_code)
        g.store_code = store_code
    else:
        behaviour.count_refused_request()
    decision = behaviour.rate_limit(request.remote_addr or "", store_code)
    g.rate_decision = decision
    if not decision.allowed:
        return Response("Rate Limit Exceeded", status=decision.status, mimetype="text/plain")
    # Faults strike after the limiter has counted the request: it reached Jumpseller and used
    # up budget, whatever happened next (a client must not assume failures were free).
    faulted = fault_http.inject(behaviour.faults, token_endpoint=False)
    if faulted is not None:
        return faulted
    if principal is None:
        return json_response(
            {"message": problem, "error": "invalid_token", "error_description": problem}, 401,
            {"WWW-Authenticate": f'Bearer realm="Jumpseller", error="invalid_token", error_description="{problem}"'},
        )
    if principal.token is not None:
        state.accounts.mark_used(principal.token)
    g.principal = principal
    return None


@bp.after_app_request
def _finish(response):
    """Rate-limit headers on every /v1 response; log it; act out a drop_after fault."""
    if not _is_api_request():
        return response
    _present(response)
    decision, fault = g.get("rate_decision"), fault_http.current_fault()
    if decision is not None and not fault_http.is_gateway_answer(fault):
        response.headers.update(decision.headers())
    store_code = g.get("store_code")
    if store_code is not None and decision is not None:
        status = None if fault is not None and fault.kind == "drop" else response.status_code
        current_state().behaviour.record_request(store_code, decision.at, request.method, request.path, status,
                                       fault.kind if fault else None)
    return fault_http.finish(response)


def _present(response) -> None:
    """Shape a successful JSON body the way the store's profile shows it (realistic: nulls, localized values…).

    Bodies built from fragments were shaped when the fragment was; any other view's body is shaped here, so a
    new resource gets the generic treatment without doing anything.
    """
    principal: Principal | None = g.get("principal")
    if principal is None or g.get("presented") or not 200 <= response.status_code < 300 \
            or response.mimetype != "application/json" or principal.store.presenter.profile == "clean":
        return
    body = response.get_json(silent=True)
    if body is not None:
        response.set_data(dumps(principal.store.presenter.body(body, bare=g.get("bare_resource"))))


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


def route(method: str, path: str, scope: str, endpoint: str | None = None):
    """Register a view for the spec's `path` and `method`, refused unless the grant has `scope`."""
    rule = _PARAM.sub(_converter, path)

    def decorate(view):
        ROUTE_SCOPES[(path, method.lower())] = scope
        return bp.route(rule, methods=[method.upper()], endpoint=endpoint)(requires(scope)(view))
    return decorate


def fragments_response(texts: list[str] | str) -> Response:
    """A JSON response from cached JSON fragments (one, or a list), with sandbox image paths made absolute."""
    body = texts if isinstance(texts, str) else "[" + ",".join(texts) + "]"
    g.presented = True  # fragments are shaped for the profile already
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


def resource_body(name: str | None):
    """The `name` object of a JSON request body (the whole object when None), or (None, an error response)."""
    if request.mimetype != "application/json":
        return None, json_response({"message": "Content-Type must be application/json"}, 415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, json_response({"message": "The request body is not a valid JSON object"}, 400)
    if name is None:
        return data, None
    if name not in data:
        return None, json_response({"message": f"param is missing or the value is empty: {name}"}, 400)
    return data[name], None


def invalid(errors: dict):
    """422 with Rails-style errors by field."""
    return json_response({"message": "Unprocessable Entity", "errors": errors}, 422)
