"""The Jumpseller App: create_app() reads like a table of contents."""

from flask import Flask

from .config import check_required, load_config


def create_app(test_config=None):
    """Build the Flask app: config → extensions → blueprints → errors → CLI."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=True)

    app.config.update(load_config())
    if test_config:
        app.config.update(test_config)
    check_required(app.config)

    from . import logging_setup
    logging_setup.init_app(app)

    from .extensions import csrf, db, limiter, migrate
    from .database import MIGRATIONS_DIR, prepare
    prepare(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    limiter.init_app(app)
    from . import jobs
    jobs.init_app(app)

    from . import i18n, page_cache, security, sessions
    sessions.init_app(app)
    page_cache.init_app(app)
    i18n.init_app(app)
    security.init_app(app)

    from .web import navigation
    navigation.init_app(app)
    from .views import categories, connect, iframe, main, oauth, sync, webhooks, webhooks_admin, writes
    app.register_blueprint(main.bp)
    app.register_blueprint(iframe.bp)
    app.register_blueprint(oauth.bp)
    app.register_blueprint(connect.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(webhooks_admin.bp)
    app.register_blueprint(sync.bp)
    app.register_blueprint(writes.bp)
    app.register_blueprint(categories.bp)
    from .views import products, products_bulk  # noqa: F401 - products_bulk adds its routes to products.bp
    app.register_blueprint(products.bp)
    from .views import customers, orders, store as store_pages, taxes
    app.register_blueprint(orders.bp)
    app.register_blueprint(customers.bp)
    app.register_blueprint(store_pages.bp)
    app.register_blueprint(taxes.bp)

    from . import errors
    errors.init_app(app)

    from . import cli
    cli.init_app(app)
    return app
