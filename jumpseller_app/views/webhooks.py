"""Jumpseller's hook deliveries: the raw body is verified and stored before anything parses it."""

import json

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import csrf, limiter
from ..jumpseller import webhooks as signing
from ..services import webhooks
from ..sessions import sessionless

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

# One answer for every refusal, so a caller learns nothing about which check failed.
REFUSED = {"error": "invalid signature"}
READ_CHUNK = 64 * 1024


@limiter.request_filter
def _unlimited():
    # `limiter.exempt` alone still has Flask-Limiter resolve every limit on each delivery before it finds none.
    return request.endpoint == "webhooks.jumpseller"


@bp.post("/jumpseller")
@sessionless          # no cookie read or set, and the body stays unparsed for the signature check
@csrf.exempt          # signed by Jumpseller instead; there is no browser and no form here
@limiter.exempt       # deliveries come from a few Jumpseller IPs: a per-IP limit would drop real events
def jumpseller():
    """Receive one hook delivery: 200 once stored (or already stored), 401 unsigned, 413 too large, 503 retry."""
    try:
        body = _raw_body(current_app.config["WEBHOOK_MAX_BYTES"])
    except RequestEntityTooLarge:
        return _answer({"error": "too large"}, 413)
    delivery = webhooks.Delivery(
        store_code=request.headers.get(signing.STORE_HEADER, ""),
        event=request.headers.get(signing.EVENT_HEADER, ""),
        signature=request.headers.get(signing.SIGNATURE_HEADER, ""),
        triggered_at=request.headers.get(signing.TRIGGERED_AT_HEADER, ""),
        content_type=request.headers.get("Content-Type", ""),
        body=body,
    )
    try:
        outcome = webhooks.receive(delivery)
    except webhooks.InboxUnavailable:
        # Not stored, so not acknowledged: Jumpseller delivers it again later.
        response = _answer({"error": "temporarily unavailable"}, 503)
        response.headers["Retry-After"] = "60"
        return response
    if outcome is webhooks.Outcome.REJECTED:
        return _answer(REFUSED, 401)
    return _answer({"status": outcome.value}, 200)


def _raw_body(limit):
    """The request body as sent, refused (413) past `limit` bytes without reading the rest."""
    # Per request: the app-wide MAX_CONTENT_LENGTH is sized for forms, hook bodies may be larger. One byte more
    # than the limit is let through so a chunked body (no Content-Length) that goes over it can be told apart.
    request.max_content_length = limit + 1
    stream = request.stream                            # a declared Content-Length over the cap raises here
    body = bytearray()
    while len(body) <= limit:
        chunk = stream.read(min(READ_CHUNK, limit + 1 - len(body)))
        if not chunk:
            return bytes(body)
        body += chunk
    raise RequestEntityTooLarge()


def _answer(payload, status):
    """A small JSON answer that no cache keeps."""
    return Response(json.dumps(payload), status, mimetype="application/json", headers={"Cache-Control": "no-store"})
