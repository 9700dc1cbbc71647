"""The headers Jumpseller signs a hook delivery with."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timezone


def signature(body: bytes, hooks_token: str) -> str:
    """base64(HMAC-SHA256(key=the store's hooks_token, msg=the raw body)), as Jumpseller-Hmac-Sha256."""
    return base64.b64encode(hmac.new(hooks_token.encode(), body, hashlib.sha256).digest()).decode()


def triggered_at(timestamp: float) -> str:
    """Jumpseller-Triggered-At's format: "2025-01-01 10:18:51.829 UTC" (milliseconds)."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d} UTC"


def headers(store_code: str, event: str, body: bytes, hooks_token: str, at: float) -> dict[str, str]:
    """Every header of one delivery."""
    return {"Content-Type": "application/json", "Jumpseller-Store-Code": store_code, "Jumpseller-Event": event,
            "Jumpseller-Hmac-Sha256": signature(body, hooks_token), "Jumpseller-Triggered-At": triggered_at(at)}
