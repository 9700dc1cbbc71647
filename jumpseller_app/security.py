"""Response headers that keep the app safe inside the Jumpseller admin iframe."""

DEFAULT_FRAME_ANCESTORS = "https://*.jumpseller.com https://jumpseller.com"


def frame_ancestors(config):
    """Origins allowed to frame the app: FRAME_ANCESTORS, plus the local sandbox in development."""
    origins = config.get("FRAME_ANCESTORS") or DEFAULT_FRAME_ANCESTORS
    extra = config.get("SANDBOX_ADMIN_ORIGINS", "")
    return " ".join(["'self'", *origins.split(), *extra.split()])


def init_app(app):
    """Add the security headers to every response."""
    policy = f"frame-ancestors {frame_ancestors(app.config)}; object-src 'none'; base-uri 'self'"

    @app.after_request
    def _headers(response):
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
