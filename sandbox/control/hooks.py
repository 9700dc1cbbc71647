"""/_sandbox/hooks: the delivery log, each hook's paused state (the API never shows it) and the chaos switch."""
from __future__ import annotations

from flask import request

from ..web import current_state, json_response
from .base import bad, bp, json_object, store_from_body


def _store_code():
    state = current_state()
    code = request.args.get("store", state.default_store.code)
    return (code, None) if code in state.stores else (None, bad(f"unknown store {code!r}", 404))


@bp.get("/hooks")
def hooks():
    """A store's hooks with their paused state and consecutive failures."""
    code, error = _store_code()
    if error:
        return error
    state = current_state()
    with state.lock:
        listed = [dict(hook) for hook in state.stores[code].settings.hooks.page(1, 1 << 30)]
    return json_response({"store": code, "hooks": [{**hook, **state.hooks.hook_state(code, hook["id"])}
                                                   for hook in listed]})


@bp.get("/hooks/deliveries")
def deliveries():
    """A store's deliveries, oldest first: event, url, headers, body, state, attempts (at, status, error)."""
    code, error = _store_code()
    if error:
        return error
    return json_response({"store": code, "deliveries": current_state().hooks.log(code)})


@bp.post("/hooks/pause")
def pause():
    """Pause (`paused`: true) or resume a hook of `store` by `hook_id`; resuming sends what it held back."""
    store, error = store_from_body()
    if error:
        return error
    data = json_object()
    hook_id, paused = data.get("hook_id"), data.get("paused", True)
    if isinstance(hook_id, bool) or not isinstance(hook_id, int):
        return bad("hook_id must be an integer")
    if not isinstance(paused, bool):
        return bad("paused must be true or false")
    state = current_state()
    with state.lock:
        if store.settings.hooks.get(hook_id) is None:
            return bad(f"unknown hook {hook_id}", 404)
    return json_response({"store": store.code, "hook_id": hook_id, **state.hooks.set_paused(store.code, hook_id,
                                                                                            paused)})


@bp.get("/hooks/chaos")
def get_chaos():
    """The delivery chaos rates (drop, duplicate, reorder) and seed."""
    return json_response(current_state().hooks.chaos_view())


@bp.post("/hooks/chaos")
def set_chaos():
    """Replace the delivery chaos rates (0..1; left out = 0) and restart their RNG from `seed`."""
    data = json_object()
    if data is None:
        return bad("expected a JSON object")
    try:
        return json_response(current_state().hooks.configure_chaos(data))
    except ValueError as exc:
        return bad(str(exc))
