"""Response headers that keep the app safe inside the Jumpseller admin iframe, and which proxies to believe."""

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

# On every response, HTML or not (the hook receiver, answered ahead of Flask, sets them itself).
COMMON_HEADERS = {"Referrer-Policy": "strict-origin-when-cross-origin", "X-Content-Type-Options": "nosniff"}


def frame_ancestors(config):
    """Origins allowed to frame the app: FRAME_ANCESTORS exactly, plus the local sandbox admin in development."""
    return " ".join(["'self'", *config["FRAME_ANCESTORS"].split(), *config.get("SANDBOX_ADMIN_ORIGINS", "").split()])


def content_security_policy(config):
    """The CSP of every HTML page: nothing loads from anywhere but the app itself, no inline code."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors(config)}",
        "object-src 'none'",
        "base-uri 'self'",
    ])


class TrustedProxyFix:
    """werkzeug's ProxyFix, applied only to requests that come from a configured proxy address.

    With no TRUSTED_PROXIES every direct peer counts as the proxy (the PROXY_FIX_HOPS contract); with a list,
    a client reaching the app directly cannot forge X-Forwarded-Host or -For.
    """

    def __init__(self, wsgi_app, *, hops, trusted):
        self.plain = wsgi_app
        self.fixed = ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
        self.trusted = [ipaddress.ip_network(p, strict=False) for p in trusted]

    def _from_proxy(self, environ):
        if not self.trusted:
            return True
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(peer in network for network in self.trusted)

    def __call__(self, environ, start_response):
        app = self.fixed if self._from_proxy(environ) else self.plain
        return app(environ, start_response)


def init_app(app):
    """Add the security headers to every response; trust forwarded headers only from declared proxies."""
    policy = content_security_policy(app.config)

    @app.after_request
    def _headers(response):
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in COMMON_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    # Declaring proxies without a hop count means the usual single reverse proxy.
    hops = app.config["PROXY_FIX_HOPS"] or (1 if app.config["TRUSTED_PROXIES"] else 0)
    if hops:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, hops=hops, trusted=app.config["TRUSTED_PROXIES"].split())
