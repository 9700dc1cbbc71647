"""/_sandbox switches: counters, runtime options, the clock and faults."""
from __future__ import annotations

from flask import request

from ..behaviour.ratelimit import reset_header
from ..web import current_state, json_response
from .base import bad, bp, json_object, store_from_body


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
        step = state.registry.prerender_step(budget=500)
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
    data = json_object()
    if data is None:
        return bad("expected a JSON object")
    try:
        return json_response(current_state().update_config(data))
    except ValueError as exc:
        return bad(str(exc))


@bp.get("/clock")
def get_clock():
    """Sandbox time: offset from the wall clock, now, and whether it is frozen."""
    return json_response(current_state().clock.view())


@bp.post("/clock")
def clock():
    """`advance` sandbox time by N seconds and/or `freeze` it (true) or let it run again (false)."""
    data = json_object() or {}
    seconds, freeze = data.get("advance", 0), data.get("freeze")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        return bad("advance must be a non-negative number of seconds")
    if freeze is not None and not isinstance(freeze, bool):
        return bad("freeze must be true or false")
    if "advance" not in data and freeze is None:
        return bad("give advance (seconds) and/or freeze (true/false)")
    state = current_state()
    if freeze is not None:
        state.freeze_clock(freeze)
    state.advance_clock(seconds)
    return json_response(state.clock.view())


@bp.get("/faults")
def get_faults():
    """The fault switches in effect."""
    return json_response(current_state().behaviour.faults.view())


@bp.post("/faults")
def set_faults():
    """Replace the fault switches (keys left out are off) and restart their RNG from `seed`."""
    data = json_object()
    if data is None:
        return bad("expected a JSON object")
    try:
        return json_response(current_state().behaviour.faults.configure(data))
    except ValueError as exc:
        return bad(str(exc))


@bp.post("/ban")
def ban():
    """Ban now, as after too many limit hits: the caller's IP (ban_scope "ip") or `store` ("store") for `seconds`."""
    store, error = store_from_body()
    if error:
        return error
    seconds = json_object().get("seconds", current_state().config.ban_seconds)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
        return bad("seconds must be a positive number")
    banned, until = current_state().behaviour.ban(request.remote_addr or "", store.code, seconds)
    return json_response({"banned": banned, "reset": reset_header(until), "until": until})
