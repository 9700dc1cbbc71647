"""Hook deliveries: the signature check on the raw body (before anything parses it) and the replay key."""

import base64
import binascii
import hashlib
import hmac

STORE_HEADER = "Jumpseller-Store-Code"
EVENT_HEADER = "Jumpseller-Event"
SIGNATURE_HEADER = "Jumpseller-Hmac-Sha256"
# Not covered by the signature: informative only, never a reason to accept or refuse a delivery.
TRIGGERED_AT_HEADER = "Jumpseller-Triggered-At"


def signature(body: bytes, hooks_token: str) -> str:
    """base64(HMAC-SHA256(key=hooks_token, msg=body)): what Jumpseller sends in Jumpseller-Hmac-Sha256."""
    digest = hmac.new(hooks_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body: bytes, hooks_token: str | None, received: str | None) -> bool:
    """Whether `received` signs exactly these bytes under this hooks_token (constant-time compare)."""
    if not hooks_token or not received or not isinstance(body, bytes | bytearray):
        return False
    try:
        # Strict base64: a hex digest, or base64 with junk around it, is not a signature.
        given = base64.b64decode(received.strip().encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return False
    expected = hmac.new(hooks_token.encode("utf-8"), bytes(body), hashlib.sha256).digest()
    return hmac.compare_digest(expected, given)


def delivery_key(store_code: str, event: str, body: bytes) -> str:
    """The replay key of a delivery: sha256 over (store code, event, raw body), each part length-framed."""
    digest = hashlib.sha256()
    for part in (store_code.encode("utf-8"), event.encode("utf-8"), bytes(body)):
        # Framing keeps ("ab", "c") and ("a", "bc") apart.
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
