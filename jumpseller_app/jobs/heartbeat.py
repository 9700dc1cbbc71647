"""The worker's heartbeat: a periodic job stamps the time in the queue's storage; pages and the CLI read it."""

import os
import socket
import time

from ..extensions import queue
from .queue import bound_app

HEARTBEAT_KEY = "worker.heartbeat"
# Pages show the worker's age in steps of this many seconds. The age is part of the page cache's key: to the
# second, a page would be rendered again every second while a worker runs; in steps, every AGE_STEP seconds.
# Whether the worker is down is still decided on the exact age (JOBS_WORKER_TIMEOUT), never on the step.
AGE_STEP = 5


def _every_check(timestamp):
    # The worker's scheduler checks periodic jobs every JOBS_HEARTBEAT_SECONDS (worker.py): beat on each check.
    return True


@queue.periodic_task(_every_check, name="heartbeat")
def heartbeat():
    """Record that a worker is alive and dequeuing jobs, now."""
    queue.put(HEARTBEAT_KEY, {"at": time.time(), "pid": os.getpid(), "host": socket.gethostname()})


def last_beat():
    """The last heartbeat ({"at", "pid", "host"}) or None if no worker ever beat."""
    return queue.get(HEARTBEAT_KEY, peek=True)


def worker_age():
    """Seconds since a worker last beat, rounded down to AGE_STEP, or None when it is not running (never beat,
    or silent for longer than JOBS_WORKER_TIMEOUT)."""
    beat = last_beat()
    if beat is None:
        return None
    age = max(0.0, time.time() - beat["at"])
    if age > bound_app().config["JOBS_WORKER_TIMEOUT"]:
        return None
    return int(age) // AGE_STEP * AGE_STEP


def status():
    """What `flask jobs status` prints: the last beat, its age in seconds, and the jobs waiting."""
    beat = last_beat()
    age = None if beat is None else max(0.0, time.time() - beat["at"])
    return {"beat": beat, "age": age, "alive": worker_age() is not None, "pending": queue.pending_count()}
