"""The iframe's side of the handoff: redeem the secret whose hash the install popup carried."""

from flask import Blueprint, jsonify, request, url_for

from ..services import handoff
from ..sessions import session_token, sign_in

bp = Blueprint("iframe", __name__, url_prefix="/session")


@bp.post("/claim")
def claim():
    """Exchange the iframe's secret for a session (cookie + token), once; CSRF-checked like every POST."""
    data = request.get_json(silent=True) if request.is_json else None
    secret = data.get("secret") if isinstance(data, dict) else None
    try:
        store = handoff.claim(secret)
    except handoff.HandoffError as exc:
        status = 410 if exc.final else 202
        body = {"status": exc.kind}
        if exc.final:
            body["reconnect_url"] = url_for("main.index", reconnect="1")
        response = jsonify(body)
        response.status_code = status
        return response
    sign_in(store)
    token = session_token()
    response = jsonify({"status": "ok", "token": token, "next_url": url_for("main.index", t=token)})
    response.headers["Cache-Control"] = "no-store"
    return response
