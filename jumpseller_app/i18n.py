"""Languages: English, Spanish and Portuguese, from the store's setting or else the browser's Accept-Language."""

from flask import g, request
from flask_babel import Babel, get_locale, get_translations

from .config import ROOT

LOCALES = ("en", "es", "pt")
babel = Babel()


def select_locale():
    """The store's chosen language if it set one, else the browser's best match, else English."""
    store = getattr(g, "store", None)
    if store is not None and store.settings is not None and store.settings.locale in LOCALES:
        return store.settings.locale
    return request.accept_languages.best_match(LOCALES, default="en")


def init_app(app):
    """Bind Flask-Babel; the compiled catalogs live in translations/ at the project root."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    # Templates call gettext dozens of times per page: look the catalog up once per request, not per string.
    app.jinja_env.install_gettext_callables(
        lambda text: _request_translations().gettext(text),
        lambda singular, plural, n: _request_translations().ngettext(singular, plural, n),
        newstyle=True)


def _request_translations():
    cached = g.get("_translations")
    if cached is None:
        cached = g._translations = get_translations()
    return cached
