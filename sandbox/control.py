"""/_sandbox: switches and counters for tests and developers (not part of Jumpseller)."""
from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, request

from .web import STORE_COOKIE, current_state, json_response

bp = Blueprint("control", __name__, url_prefix="/_sandbox")


def _json_object() -> dict | None:
    data = request.get_json(silent=True) if request.mimetype == "application/json" else None
    if data is None and not request.get_data():
        return {}
    return data if isinstance(data, dict) else None


def _bad(message: str, status: int = 400):
    return json_response({"error": message}, status)


def _store_view(store) -> dict:
    return {"store": dict(store.details), **store.credentials(), "product_count": store.catalog.count(),
            "order_count": store.orders.count(), "customer_count": store.customers.count(),
            "category_count": store.categories.count()}


def _store_from_body():
    data = _json_object()
    if data is None:
        return None, _bad("expected a JSON object")
    state = current_state()
    code = data.get("store", state.default_store.code)
    store = state.stores.get(code) if isinstance(code, str) else None
    if store is None:
        return None, _bad(f"unknown store {code!r}", 404)
    return store, None


@bp.get("/stats")
def stats():
    """Counters: token requests by grant type, refresh outcomes, API requests and rate-limit hits."""
    return json_response(current_state().stats())


@bp.post("/reset")
def reset():
    """Zero the counters, rate-limit windows and bans (data stays)."""
    state = current_state()
    state.reset_counters()
    return json_response(state.stats())


@bp.post("/prerender")
def prerender():
    """Render every seeded record's JSON now (benchmarks warm up with this so they measure the client)."""
    state = current_state()
    rendered = 0
    while True:
        step = state.prerender_step(budget=500)
        if not step:
            return json_response({"rendered": rendered})
        rendered += step


@bp.get("/config")
def get_config():
    """The runtime-changeable options in effect."""
    return json_response(current_state().config.runtime_view())


@bp.post("/config")
def set_config():
    """Change runtime options (token_expires_in, rotation, rate_limit, auto_approve, ...)."""
    data = _json_object()
    if data is None:
        return _bad("expected a JSON object")
    try:
        return json_response(current_state().update_config(data))
    except ValueError as exc:
        return _bad(str(exc))


@bp.get("/stores")
def list_stores():
    """Every store with its Basic credentials."""
    state = current_state()
    with state.lock:
        return json_response({"stores": [_store_view(s) for s in state.stores.values()]})


@bp.post("/stores")
def create_store():
    """Create a store with its own seeded products and Basic credentials."""
    data = _json_object()
    if data is None:
        return _bad("expected a JSON object")
    allowed = {"code", "name", "currency", "country", "timezone", "seed_products", "seed_orders", "seed_customers",
               "login", "authtoken"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        return _bad(f"unknown field(s): {', '.join(unknown)}")
    if "code" not in data:
        return _bad("code is required")
    try:
        store = current_state().add_store(**data)
    except (TypeError, ValueError) as exc:
        return _bad(str(exc), 409 if "already exists" in str(exc) else 400)
    return json_response(_store_view(store), 201)


@bp.post("/tokens/expire")
def expire_tokens():
    """Make every access token of a store expire now (refresh tokens keep working)."""
    store, error = _store_from_body()
    if error:
        return error
    return json_response({"store": store.code, "expired": current_state().expire_tokens(store.code)})


@bp.post("/tokens/revoke")
def revoke_tokens():
    """Revoke every access and refresh token of a store, as an uninstall would."""
    store, error = _store_from_body()
    if error:
        return error
    return json_response({"store": store.code, "revoked": current_state().revoke_tokens(store.code)})


@bp.get("/clock")
def get_clock():
    """Sandbox time: offset from the wall clock, now, and whether it is frozen."""
    return json_response(current_state().clock_view())


@bp.post("/clock")
def clock():
    """`advance` sandbox time by N seconds and/or `freeze` it (true) or let it run again (false)."""
    data = _json_object() or {}
    seconds, freeze = data.get("advance", 0), data.get("freeze")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        return _bad("advance must be a non-negative number of seconds")
    if freeze is not None and not isinstance(freeze, bool):
        return _bad("freeze must be true or false")
    if "advance" not in data and freeze is None:
        return _bad("give advance (seconds) and/or freeze (true/false)")
    state = current_state()
    if freeze is not None:
        state.freeze_clock(freeze)
    state.advance_clock(seconds)
    return json_response(state.clock_view())


@bp.get("/faults")
def get_faults():
    """The fault switches in effect."""
    return json_response(current_state().faults.view())


@bp.post("/faults")
def set_faults():
    """Replace the fault switches (keys left out are off) and restart their RNG from `seed`."""
    data = _json_object()
    if data is None:
        return _bad("expected a JSON object")
    try:
        return json_response(current_state().faults.configure(data))
    except ValueError as exc:
        return _bad(str(exc))


@bp.get("/requests")
def request_log():
    """A store's /v1 requests, oldest first: at, method, path, status (null if dropped), fault."""
    state = current_state()
    code = request.args.get("store", state.default_store.code)
    if code not in state.stores:
        return _bad(f"unknown store {code!r}", 404)
    return json_response({"store": code, "requests": state.request_log(code)})


def _safe_next(target: str | None) -> str | None:
    # Only same-origin relative paths: this must not become an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.get("/login")
def login():
    """Log the sandbox admin into a store (cookie on the sandbox origin), then go to `next`."""
    state = current_state()
    code = request.args.get("store", "")
    store = state.stores.get(code)
    if store is None:
        return _bad(f"unknown store {code!r}", 404)
    target = _safe_next(request.args.get("next"))
    response = redirect(target) if target else json_response({"store": store.code, "logged_in": True})
    response.set_cookie(STORE_COOKIE, store.code, httponly=True, samesite="Lax", path="/")
    return response


@bp.get("/assets/products/<int:product_id>/<int:position>.svg")
def product_image(product_id: int, position: int):
    """A small generated picture, so seeded image URLs resolve."""
    hue = (product_id * 47 + position * 97) % 360
    label = escape(f"#{product_id} · {position}")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">'
           f'<rect width="100%" height="100%" fill="hsl({hue},60%,70%)"/>'
           f'<text x="50%" y="50%" font-size="32" text-anchor="middle" font-family="sans-serif">{label}</text></svg>')
    return Response(svg, mimetype="image/svg+xml")
