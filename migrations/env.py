"""Alembic environment for Flask-Migrate: the app's engine and metadata, online or offline."""

from alembic import context
from flask import current_app

db = current_app.extensions["migrate"].db
config = context.config
# Logging stays the app's business: no fileConfig() here, it would silence the app's loggers.
config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline():
    """Emit SQL to stdout (`flask db upgrade --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=db.metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Apply migrations on a live connection; batch mode lets SQLite alter tables."""

    def skip_empty(ctx, revision, directives):
        # `flask db migrate` with no model change should not write an empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    with db.engine.connect() as connection:
        options = {"render_as_batch": True, **current_app.extensions["migrate"].configure_args}
        context.configure(connection=connection, target_metadata=db.metadata,
                          process_revision_directives=skip_empty, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
