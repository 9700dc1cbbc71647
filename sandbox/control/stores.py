"""/_sandbox stores: create and list stores, end or refuse their tokens, mark the app uninstalled, read their
request log, log the admin in."""
from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from flask import Response, redirect, request

from ..web import STORE_COOKIE, current_state, json_response
from .base import bad, bp, json_object, store_from_body


def _store_view(store) -> dict:
    return {"store": dict(store.details), "language": store.language, **store.credentials(),
            "product_count": store.catalog.count(), "order_count": store.orders.count(),
            "customer_count": store.customers.count(), "category_count": store.categories.count()}


@bp.get("/stores")
def list_stores():
    """Every store with its Basic credentials."""
    state = current_state()
    with state.lock:
        return json_response({"stores": [_store_view(s) for s in state.stores.values()]})


@bp.post("/stores")
def create_store():
    """Create a store with its own seeded products and Basic credentials (`language`: es, pt or en)."""
    data = json_object()
    if data is None:
        return bad("expected a JSON object")
    allowed = {"code", "name", "currency", "country", "timezone", "language", "seed_products", "seed_orders",
               "seed_customers", "login", "authtoken"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        return bad(f"unknown field(s): {', '.join(unknown)}")
    if "code" not in data:
        return bad("code is required")
    try:
        store = current_state().registry.add_store(**data)
    except (TypeError, ValueError) as exc:
        return bad(str(exc), 409 if "already exists" in str(exc) else 400)
    return json_response(_store_view(store), 201)


@bp.post("/tokens/expire")
def expire_tokens():
    """Make every access token of a store expire now (refresh tokens keep working)."""
    store, error = store_from_body()
    if error:
        return error
    return json_response({"store": store.code, "expired": current_state().accounts.expire_tokens(store.code)})


@bp.post("/tokens/revoke")
def revoke_tokens():
    """Revoke every access and refresh token of a store, as an uninstall would."""
    store, error = store_from_body()
    if error:
        return error
    return json_response({"store": store.code, "revoked": current_state().accounts.revoke_tokens(store.code)})


@bp.post("/tokens/refuse")
def refuse_tokens():
    """Make the API answer 401 to every access token of a store (`refused`: false undoes it) while the token
    endpoint keeps refreshing them: a 401 that survives a refresh."""
    store, error = store_from_body()
    if error:
        return error
    refused = (json_object() or {}).get("refused", True)
    if not isinstance(refused, bool):
        return bad("refused must be true or false")
    current_state().accounts.refuse_api(store.code, refused)
    return json_response({"store": store.code, "refused": refused})


@bp.post("/apps/install_status")
def set_install_status():
    """Mark the app (`client_id`, default the configured client) uninstalled from a store, or installed again
    (`installed`: true). Its tokens keep answering: only /v1/apps/{code}/install_status.json changes."""
    store, error = store_from_body()
    if error:
        return error
    data = json_object() or {}
    state = current_state()
    client_id = data.get("client_id", state.config.client_id)
    installed = data.get("installed", False)
    if client_id not in state.accounts.clients or not isinstance(installed, bool):
        return bad("client_id must be a registered client and installed a boolean")
    state.accounts.set_installed(client_id, store.code, installed)
    return json_response({"store": store.code, "client_id": client_id, "installed": installed})


@bp.get("/requests")
def request_log():
    """A store's /v1 requests, oldest first: at, method, path, status (null if dropped), fault."""
    state = current_state()
    code = request.args.get("store", state.default_store.code)
    if code not in state.stores:
        return bad(f"unknown store {code!r}", 404)
    return json_response({"store": code, "requests": state.behaviour.request_log(code)})


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
        return bad(f"unknown store {code!r}", 404)
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
