"""Acting out a fault on the current request: sleep, answer 5xx, or cut the connection."""
from __future__ import annotations

import socket
import time

from flask import Response, g, request

from .faults import Fault, FaultInjector
from ..web import json_response

# 502/503/504 come from the proxy in front of the app: an HTML page, no rate-limit headers.
GATEWAY_STATUSES = frozenset({502, 503, 504})
_REASONS = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def delay(faults: FaultInjector, token_endpoint: bool) -> None:
    """Apply the configured latency (network time: before anything else happens)."""
    seconds = faults.latency(token_endpoint)
    if seconds:
        time.sleep(seconds)


def inject(faults: FaultInjector, token_endpoint: bool) -> Response | None:
    """Roll this request's fault; a response means "answer this instead of doing the operation"."""
    fault = faults.roll(token_endpoint)
    if fault is None:
        return None
    g.fault = fault
    if fault.kind == "error":
        return error_response(fault.status)
    if fault.kind == "timeout":
        time.sleep(faults.settings.timeout_seconds)
        return error_response(504)
    if fault.kind == "drop":
        drop_connection()
        return Response(status=500)  # never delivered: writing it fails and werkzeug lets go
    return None  # drop_after: perform the operation, cut the connection in finish()


def finish(response: Response) -> Response:
    """After the operation: cut the connection if this request drew drop_after."""
    fault = g.get("fault")
    if fault is not None and fault.kind == "drop_after":
        drop_connection()
    return response


def current_fault() -> Fault | None:
    """The fault injected into the current request, if any."""
    return g.get("fault")


def is_gateway_answer(fault: Fault | None) -> bool:
    """Whether the response stands for a proxy's (no Jumpseller headers on it)."""
    return fault is not None and (fault.kind == "timeout" or fault.status in GATEWAY_STATUSES)


def error_response(status: int) -> Response:
    """A 500 from the app (JSON) or a proxy's 502/503/504 page (HTML), as clients really see them."""
    if status in GATEWAY_STATUSES:
        reason = _REASONS[status]
        page = f"<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>"
        return Response(page, status=status, mimetype="text/html")
    return json_response({"message": "Internal Server Error"}, status)


def drop_connection() -> None:
    """Shut the client's socket down so it gets no (further) bytes of an HTTP response."""
    sock = request.environ.get("werkzeug.socket")
    if sock is None:  # not served by werkzeug (e.g. Flask's test client): nothing to cut
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone
