"""Bind the Huey queue to the app: a SQLite file by default (no server needed), Redis when REDIS_URL is set."""

import functools
from pathlib import Path

from flask import current_app, has_app_context
from huey.storage import RedisStorage, SqliteStorage

from ..extensions import queue

_bound = {}


def init_app(app):
    """Point the queue at the app's storage and remember the app its jobs run in (the last bound app wins)."""
    config = app.config
    if config.get("REDIS_URL"):
        queue.storage_class, queue.storage_kwargs = RedisStorage, {"url": config["REDIS_URL"]}
    else:
        Path(config["HUEY_DB"]).parent.mkdir(parents=True, exist_ok=True)
        queue.storage_class, queue.storage_kwargs = SqliteStorage, {"filename": config["HUEY_DB"]}
    # Immediate mode runs each job inside enqueue(), in-process, on a memory store: for tests without a worker.
    queue.immediate = bool(config.get("JOBS_IMMEDIATE"))
    queue.storage = queue.create_storage()
    _bound["app"] = app
    app.extensions["huey"] = queue
    # Importing the task modules registers their tasks.
    from . import document_tasks, heartbeat, inbox_tasks, lifecycle_tasks, sync_tasks, tasks, write_tasks  # noqa: F401


def bound_app():
    """The Flask app the queue was bound to (in a worker: the one app it created)."""
    return _bound["app"]


def in_app_context(fn):
    """Run a job inside the bound app's context (reused when the caller already runs in it: immediate mode)."""
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        app = bound_app()
        if has_app_context() and current_app._get_current_object() is app:
            return fn(*args, **kwargs)
        with app.app_context():
            return fn(*args, **kwargs)
    return inner
