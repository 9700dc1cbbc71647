"""Jobs that turn hook deliveries in the inbox into mirror rows, and the inbox's retention.

The receiver never queues a job per delivery (it must answer Jumpseller fast, and a burst would flood the queue):
the scheduler looks at the inbox on every tick instead. Its check is one indexed read; a drain is queued only when
a row is due and no drain is already waiting in the queue. Drains started on later ticks while a backlog lasts run
side by side, in any worker process: the claims in services/inbox.py keep them from taking the same rows.
"""

import logging
import os
import time

from ..extensions import queue
from ..services import inbox
from .queue import bound_app, in_app_context

log = logging.getLogger(__name__)

# Set while a drain is queued and not yet started: the next ticks do not queue another behind it.
DRAIN_QUEUED_KEY = "inbox.drain_queued_at"
RETENTION_AT_KEY = "inbox.retention_at"
RETENTION_SECONDS = 3600


def _drain_due(timestamp):
    # The scheduler asks every JOBS_HEARTBEAT_SECONDS (worker.py), outside any app context.
    app = bound_app()
    with app.app_context():
        if not inbox.has_due():
            return False
    now = time.time()
    if queue.put_if_empty(DRAIN_QUEUED_KEY, now):
        return True
    since = queue.get(DRAIN_QUEUED_KEY, peek=True)
    if since is not None and now - since < app.config["INBOX_CLAIM_SECONDS"]:
        return False
    # The queued drain was lost (its worker died before starting it): without this the inbox would never drain.
    queue.delete(DRAIN_QUEUED_KEY)
    return queue.put_if_empty(DRAIN_QUEUED_KEY, now)


@queue.periodic_task(_drain_due, name="drain_inbox")
@in_app_context
def drain_inbox():
    """Apply every due delivery to the mirror, batch after batch, until none is due."""
    queue.delete(DRAIN_QUEUED_KEY)          # started: a later tick may queue a drain to run beside this one
    done = inbox.drain()
    if done:
        log.info("inbox drained by pid %s: %s", os.getpid(), " ".join(f"{k}={v}" for k, v in sorted(
            done.items(), key=lambda item: str(item[0]))))
    return done


def _retention_due(timestamp):
    # Hourly; stamped here, not in the job, so the ticks before the job runs do not queue it again.
    last = queue.get(RETENTION_AT_KEY, peek=True)
    now = time.time()
    if last is not None and now - last < RETENTION_SECONDS:
        return False
    queue.put(RETENTION_AT_KEY, now)
    return True


@queue.periodic_task(_retention_due, name="inbox_retention")
@in_app_context
def inbox_retention():
    """Clear old bodies (personal data) and delete rows past the de-duplication window."""
    return inbox.apply_retention()
