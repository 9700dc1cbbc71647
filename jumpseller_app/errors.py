"""HTML error pages that say what went wrong without leaking internals."""

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError


def init_app(app):
    """Register the error handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_template("error.html", title=_("Session expired"),
                               message=_("This form expired or did not come from this app. Reload the page "
                                         "and try again.")), 400

    @app.errorhandler(404)
    def _not_found(error):
        return render_template("error.html", title=_("Not found"), message=_("There is nothing here.")), 404

    @app.errorhandler(413)
    def _too_large(error):
        return render_template("error.html", title=_("Too large"), message=_("That request is too large.")), 413

    @app.errorhandler(500)
    def _server_error(error):
        app.logger.error("unhandled error: %r", getattr(error, "original_exception", error), exc_info=True)
        return render_template("error.html", title=_("Something went wrong"),
                               message=_("The app hit an unexpected error. Try again in a moment.")), 500
