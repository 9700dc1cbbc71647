"""Background jobs: every Jumpseller call a page would otherwise wait on runs here, in the worker process.

queue.py binds the Huey queue (extensions.queue) to the app; tasks.py holds the jobs and their per-store
single-flight; heartbeat.py proves a worker is alive; worker.py runs the consumer (`flask --app app worker`).
"""

from .queue import init_app  # noqa: F401 - create_app binds the queue through this
