"""The shared rate budget (per store, and the deployment-wide ban pause): SQLite by default, Redis with REDIS_URL."""

from flask import current_app

from ..jumpseller.ratelimit import RedisBackend, SQLiteBackend, StoreBudget


def backend():
    """The app's rate-limit backend, built once per process."""
    ext = current_app.extensions
    if "rate_limit_backend" not in ext:
        redis_url = current_app.config["REDIS_URL"]
        ext["rate_limit_backend"] = (RedisBackend(redis_url) if redis_url
                                     else SQLiteBackend(current_app.config["RATE_LIMIT_DB"]))
    return ext["rate_limit_backend"]


def budget_for(store_code):
    """The rate budget of one store, shared with every other thread and process of this deployment."""
    return StoreBudget(backend(), store_code)
