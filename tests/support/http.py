"""A browser-like HTTP session for the tests (the servers they talk to are in servers.py)."""

from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import requests

LOOPBACK = {"localhost", "127.0.0.1"}


class LoopbackSecureCookiePolicy(DefaultCookiePolicy):
    """Send Secure cookies over plain http to loopback hosts, as browsers do (http.cookiejar never would)."""

    def return_ok_secure(self, cookie, request):
        if urlsplit(request.get_full_url()).hostname in LOOPBACK:
            return True
        return super().return_ok_secure(cookie, request)


class BrowserSession(requests.Session):
    """A requests.Session that treats cookies like a browser on localhost."""

    def __init__(self):
        super().__init__()
        self.cookies.set_policy(LoopbackSecureCookiePolicy())

    def prepare_request(self, request):
        # requests merges cookies into a fresh jar with the default policy; redo the header with ours.
        prepared = super().prepare_request(request)
        prepared.headers.pop("Cookie", None)
        prepared.prepare_cookies(self.cookies)
        return prepared


def browser_session():
    """A new BrowserSession."""
    return BrowserSession()
