"""A local stand-in for Jumpseller: OAuth2 server (accounts) and REST API v1, as a Flask app."""
from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from .config import SandboxConfig
from .state import SandboxState
from .web import json_response

MAX_BODY_BYTES = 1024 * 1024


def create_sandbox(**options) -> Flask:
    """Build the sandbox app; options are SandboxConfig's fields (all optional)."""
    from . import api, control
    from .accounts.views import bp as accounts_bp
    from .admin import actions  # noqa: F401 - registers the admin's action buttons on its blueprint
    from .admin.pages import bp as admin_bp

    config = SandboxConfig.from_options(options)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False  # keep the spec's field order, like Jumpseller's own JSON
    app.extensions["sandbox"] = SandboxState(config)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(admin_bp)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _http_error(exc: HTTPException):
    """JSON errors on the API and control paths, an HTML page on the accounts side."""
    if request.path.startswith(("/v1", "/_sandbox")):
        return json_response({"message": exc.name, "error": exc.description}, exc.code or 500)
    page = render_template("sandbox/error.html", error=exc.name, description=exc.description)
    return page, exc.code or 500


__all__ = ["create_sandbox"]
