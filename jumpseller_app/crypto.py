"""Authenticated encryption of secrets at rest (AES-256-GCM, keys from the environment).

A stored value reads `v1$<key id>$<base64url(nonce || ciphertext+tag)>`. The key id names the key that
sealed it, so keys can rotate without a flag day; the caller binds each value to its owner (the store's code
and the field name) as associated data, so a ciphertext copied to another row or column fails to open.
"""

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"


class DecryptionError(Exception):
    """A stored secret could not be opened: unknown key, tampering, or the wrong owner."""


def generate_key():
    """A new random 256-bit key in the text form TOKEN_ENCRYPTION_KEYS expects."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def _decode_key(text):
    padded = text.strip() + "=" * (-len(text.strip()) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded)
    except (ValueError, TypeError) as exc:
        raise ValueError("TOKEN_ENCRYPTION_KEYS: a key is not valid base64") from exc
    if len(raw) != 32:
        raise ValueError("TOKEN_ENCRYPTION_KEYS: each key must be 32 bytes (base64 of 32 random bytes)")
    return raw


def key_id(raw_key):
    """A short public fingerprint of a key; never reveals the key."""
    return hashlib.sha256(b"key-id:" + raw_key).hexdigest()[:10]


class TokenCipher:
    """Seals and opens secrets with the newest key; opens with any configured key."""

    def __init__(self, keys_text):
        keys = [_decode_key(k) for k in keys_text.split(",") if k.strip()]
        if not keys:
            raise ValueError("TOKEN_ENCRYPTION_KEYS is empty: at least one key is required")
        self._keys = {key_id(k): AESGCM(k) for k in keys}
        self.current_key_id = key_id(keys[0])

    def __repr__(self):
        return f"<TokenCipher current={self.current_key_id} keys={len(self._keys)}>"

    def encrypt(self, plaintext, *, context):
        """Seal `plaintext` (str) bound to `context` (e.g. 'mystore|access_token')."""
        nonce = os.urandom(12)
        sealed = self._keys[self.current_key_id].encrypt(nonce, plaintext.encode(), context.encode())
        payload = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{PREFIX}${self.current_key_id}${payload}"

    def decrypt(self, value, *, context):
        """Open a value sealed by encrypt() with the same context."""
        try:
            prefix, kid, payload = value.split("$", 2)
        except (AttributeError, ValueError) as exc:
            raise DecryptionError("not an encrypted value") from exc
        if prefix != PREFIX:
            raise DecryptionError("unknown encryption format")
        aead = self._keys.get(kid)
        if aead is None:
            raise DecryptionError(f"no configured key with id {kid}")
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        try:
            return aead.decrypt(data[:12], data[12:], context.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError("integrity check failed (tampered, or bound to another owner)") from exc

    def key_id_of(self, value):
        """The key id a stored value was sealed with."""
        return value.split("$", 2)[1]
