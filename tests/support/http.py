"""Test helpers shared by several test modules: live servers, a browser-like HTTP session, DB inspection."""

import threading
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import requests
from werkzeug.serving import make_server

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


class LiveServer:
    """Serve a WSGI app on a real loopback port from a daemon thread."""

    def __init__(self, app, host="localhost"):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)
