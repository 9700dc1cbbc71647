"""jumpseller/webhooks.py on its own: the signature over raw bytes and the replay key."""

import base64
import hashlib
import hmac

import pytest

from jumpseller_app.jumpseller.webhooks import delivery_key, signature, verify

TOKEN = "a8ebca53df24995b4e59a57633cb8819"
BODY = b'{"order":{"id":1}}'


def test_signature_is_base64_of_hmac_sha256_over_the_raw_body():
    expected = base64.b64encode(hmac.new(TOKEN.encode(), BODY, hashlib.sha256).digest()).decode()
    assert signature(BODY, TOKEN) == expected
    assert verify(BODY, TOKEN, expected)


@pytest.mark.parametrize("received", [
    None, "", "not base64!", hmac.new(TOKEN.encode(), BODY, hashlib.sha256).hexdigest(),
    signature(BODY, "another-token"), signature(BODY + b"\n", TOKEN), signature(BODY, TOKEN)[:-4],
    signature(BODY, TOKEN) + "AAAA", "ñandú",
])
def test_anything_but_the_exact_signature_fails(received):
    assert not verify(BODY, TOKEN, received)


def test_no_token_verifies_nothing():
    assert not verify(BODY, "", signature(BODY, ""))
    assert not verify(BODY, None, signature(BODY, ""))


def test_the_body_must_be_bytes_not_a_parsed_or_decoded_value():
    assert not verify(BODY.decode(), TOKEN, signature(BODY, TOKEN))


def test_delivery_key_changes_with_each_part_and_frames_them():
    key = delivery_key("sandbox", "order_paid", BODY)
    assert key == delivery_key("sandbox", "order_paid", BODY) and len(key) == 64
    assert key != delivery_key("otra", "order_paid", BODY)
    assert key != delivery_key("sandbox", "order_updated", BODY)
    assert key != delivery_key("sandbox", "order_paid", BODY + b" ")
    assert delivery_key("ab", "c", b"") != delivery_key("a", "bc", b"")
