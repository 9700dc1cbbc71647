"""Jumpseller's hook deliveries: the raw body is verified and stored before anything parses it.

The receiver is the app's hottest path, and nothing of Flask's per-request pipeline concerns it: there is no
session, CSRF token, rate limit per IP (deliveries come from a few Jumpseller addresses), store to load, language
or page. So it is answered in front of that pipeline, as a WSGI endpoint inside an app context, which halves its
CPU per delivery; the blueprint keeps the URL for url_for. Every other request goes on to Flask untouched.
"""

import json

from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from .. import security
from ..jumpseller import webhooks as signing
from ..services import webhooks

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
# Built, never routed by Flask: Receiver answers it first.
bp.add_url_rule("/jumpseller", endpoint="jumpseller", build_only=True)

# One answer for every refusal, so a caller learns nothing about which check failed.
REFUSED = {"error": "invalid signature"}
READ_CHUNK = 64 * 1024


@bp.record_once
def _mount(state):
    state.app.wsgi_app = Receiver(state.app, state.app.wsgi_app, f"{state.url_prefix}/jumpseller")


class Receiver:
    """WSGI middleware: POST `path` is a hook delivery, answered here; anything else goes on to `wsgi_app`."""

    def __init__(self, app, wsgi_app, path):
        self.app, self.wsgi_app, self.path = app, wsgi_app, path

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            try:
                response = jumpseller(Request(environ), self.app.config["WEBHOOK_MAX_BYTES"])
            except Exception as exc:  # noqa: BLE001 - what Flask's 500 handler would do, in JSON
                self.app.logger.error("unhandled error: %r", exc, exc_info=True)
                response = _answer({"error": "internal error"}, 500)
        return response(environ, start_response)


def jumpseller(request, limit):
    """Receive one hook delivery: 200 once stored (or already stored), 401 unsigned, 413 too large, 503 retry."""
    try:
        body = _raw_body(request, limit)
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


def _raw_body(request, limit):
    """The request body as sent, refused (413) past `limit` bytes without reading the rest."""
    # One byte more than the limit is let through so a chunked body (no Content-Length) that goes over it can be
    # told apart.
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
    """A small JSON answer that no cache keeps, with the headers every response of the app carries."""
    return Response(json.dumps(payload), status, mimetype="application/json",
                    headers={"Cache-Control": "no-store", **security.COMMON_HEADERS})
