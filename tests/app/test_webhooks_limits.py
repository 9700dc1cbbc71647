"""Hook deliveries are not rate limited per IP: Jumpseller sends every store's hooks from a few addresses."""

import pytest
import requests

from jumpseller_app.extensions import limiter


@pytest.fixture
def app_config(app_config):
    """A tight default limit on every route, so one that applied to the receiver would show.

    The limiter is a process-wide singleton that keeps the first default limits it is given, so they are
    taken back afterwards: later tests' apps (and their pages) must not inherit 2 per minute.
    """
    yield {**app_config, "RATELIMIT_DEFAULT": "2 per minute"}
    limiter.limit_manager.set_default_limits([])


def test_the_receiver_is_exempt_from_the_default_limit(live_app):
    answers = [requests.post(live_app.url + "/webhooks/jumpseller", data=b"{}",
                             headers={"Jumpseller-Store-Code": "nobody", "Jumpseller-Event": "order_paid",
                                      "Jumpseller-Hmac-Sha256": "AAAA"}, timeout=10).status_code
               for _ in range(6)]
    assert answers == [401] * 6
    # The default does apply elsewhere (the test could fail).
    pages = [requests.get(live_app.url + "/", timeout=10).status_code for _ in range(4)]
    assert 429 in pages
