"""TokenCipher: AES-GCM with the key id in the value and the owner as associated data."""

import pytest

from jumpseller_app.crypto import DecryptionError, TokenCipher, generate_key


def test_round_trip_and_randomised_nonce():
    cipher = TokenCipher(generate_key())
    a = cipher.encrypt("secret-token", context="shop|access_token")
    b = cipher.encrypt("secret-token", context="shop|access_token")
    assert a != b and "secret-token" not in a
    assert a.split("$")[1] == cipher.current_key_id
    assert cipher.decrypt(a, context="shop|access_token") == "secret-token"


def test_wrong_context_unknown_key_and_garbage_fail():
    cipher = TokenCipher(generate_key())
    sealed = cipher.encrypt("secret-token", context="shop|access_token")
    with pytest.raises(DecryptionError):
        cipher.decrypt(sealed, context="other|access_token")
    with pytest.raises(DecryptionError):
        TokenCipher(generate_key()).decrypt(sealed, context="shop|access_token")
    for garbage in ("", "plain-token", "v2$abc$def", None):
        with pytest.raises(DecryptionError):
            cipher.decrypt(garbage, context="shop|access_token")


def test_older_keys_still_open_values_after_rotation():
    old, new = generate_key(), generate_key()
    sealed = TokenCipher(old).encrypt("t", context="c")
    rotated = TokenCipher(f"{new},{old}")
    assert rotated.decrypt(sealed, context="c") == "t"
    assert rotated.key_id_of(rotated.encrypt("t", context="c")) == rotated.current_key_id != rotated.key_id_of(sealed)


@pytest.mark.parametrize("keys", ["", "not-base64!!", "c2hvcnQ"])
def test_bad_keys_are_refused_with_a_clear_message(keys):
    with pytest.raises(ValueError, match="TOKEN_ENCRYPTION_KEYS"):
        TokenCipher(keys)


def test_repr_shows_no_key():
    key = generate_key()
    assert key not in repr(TokenCipher(key))
