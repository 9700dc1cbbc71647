"""The job that sends one merchant's write to Jumpseller (services/api_writes.py decides everything).

Several writes of one store may run at once (each holds only its own (store, kind, target) slot, a database row);
the store's calls share its rate budget through client_for. After a write is done the store's dashboard figures are
recomputed from the mirror it changed; a Jumpseller error goes to the uninstall detection like every job's.
"""

from ..extensions import queue
from ..models import WriteStatus
from ..services import api_writes
from .lifecycle_tasks import on_api_error
from .queue import in_app_context
from .tasks import request_recompute


@queue.task(name="perform_write")
@in_app_context
def perform_write_job(store_code, write_id):
    """Perform write `write_id` of the store `store_code`; returns its final status."""
    status, error = api_writes.perform(write_id)
    if error is not None:
        on_api_error(store_code, error)         # an uninstall ends the connection, as in every job
    elif status == WriteStatus.DONE:
        request_recompute(store_code)
    return status


@queue.task(name="perform_write_batch")
@in_app_context
def perform_batch_job(store_code, write_ids):
    """Perform a batch of writes recorded together (a bulk edit) one after another, under the store's rate budget.

    Each write ends on its own (done or failed with its errors); an uninstall seen on the way ends the connection
    and the writes left fail as not connected. Returns {status: count}.
    """
    ended = {}
    for write_id in write_ids:
        status, error = api_writes.perform(write_id)
        ended[status] = ended.get(status, 0) + 1
        if error is not None:
            on_api_error(store_code, error)
    if ended.get(WriteStatus.DONE):
        request_recompute(store_code)
    return ended


def request_batch(store_code, write_ids):
    """Queue the one job that sends a batch of recorded writes."""
    perform_batch_job(store_code, list(write_ids))


def request_write(store_code, write_id):
    """Queue the job of a write just recorded (its pending row is the write's single-flight slot)."""
    perform_write_job(store_code, write_id)
