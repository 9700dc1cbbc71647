"""Jobs of a store's lifecycle: token revocation after a disconnect, the install-status check, the personal-data
purge. The decisions live in services/lifecycle.py; these only schedule and hand over."""

import time

from ..extensions import db, queue
from ..services import disconnection, lifecycle, revocation
from .queue import bound_app, in_app_context

INSTALL_CHECKED_KEY = "lifecycle.install_checked_at"
PURGE_CHECKED_KEY = "lifecycle.purge_checked_at"


# A revocation Jumpseller could not take (network error, 429, 5xx) is tried again after 30 s, 1, 2, 4 and 8 min.
REVOKE_RETRIES, REVOKE_RETRY_SECONDS, REVOKE_RETRY_BACKOFF = 5, 30, 2


@queue.task(name="revoke_tokens", retries=REVOKE_RETRIES, retry_delay=REVOKE_RETRY_SECONDS,
            retry_backoff=REVOKE_RETRY_BACKOFF, context=True)
@in_app_context
def revoke_tokens_job(store_code, sealed, task=None):
    """Give a disconnected store's tokens back to Jumpseller. `sealed` is [(hint, sealed token)]: the queue's
    storage only ever holds them encrypted with the app's credentials cipher.

    While Jumpseller fails or cannot be reached and retries remain, the job fails and the queue runs it again
    later (every token again: RFC 7009 accepts one already revoked). A refusal is final: no retry. The audit row
    is written once, when the job is done with the tokens.
    """
    outcome = revocation.revoke_sealed(store_code, sealed)
    if outcome.pending and task is not None and task.retries:
        raise revocation.RevocationPending(f"{outcome.pending} token(s) to send again")
    detail = {"sent": len(sealed), "accepted": outcome.accepted}
    if outcome.pending:
        detail["unreachable"] = outcome.pending
    disconnection.audit(db.session.connection(), store_code, "tokens_revoked", **detail)
    db.session.commit()
    return outcome.accepted


@queue.task(name="purge_personal_data")
@in_app_context
def purge_job(store_id):
    """Purge one store's personal data (re-checked inside: a reinstalled store is left alone)."""
    return lifecycle.purge_personal_data(store_id)


def after_disconnect(store_code, sealed):
    """What follows a connection's end: its tokens revoked by a job, and with a retention of 0 days, the purge."""
    if sealed:
        revoke_tokens_job(store_code, sealed)
    if bound_app().config["PERSONAL_DATA_RETENTION_DAYS"] <= 0:
        purge_stores()


def on_api_error(store_code, exc):
    """Hand a job's Jumpseller error to the uninstall detection (lifecycle.on_api_error): when it ends the
    connection, what follows a disconnect follows. Returns whether it did; any other error changes nothing."""
    sealed = lifecycle.on_api_error(store_code, exc)
    if sealed:
        after_disconnect(store_code, sealed)
    return bool(sealed)


def every(key, minutes_setting):
    """A periodic task's due-function: due `minutes_setting` minutes after it was last due (0 or less: never).

    Stamped when found due, not when the job ends, so the scheduler's next ticks do not queue it again.
    """
    def due(timestamp):
        minutes = bound_app().config[minutes_setting]
        if minutes <= 0:
            return False
        last = queue.get(key, peek=True)
        now = time.time()
        if last is not None and now - last < minutes * 60:
            return False
        queue.put(key, now)
        return True
    return due


@queue.task(name="check_install_status")
@in_app_context
def check_install_status_job(store_code):
    """Ask Jumpseller whether the app is still installed on one store; an uninstall ends the connection."""
    sealed = lifecycle.check_install_status(store_code)
    if sealed:
        after_disconnect(store_code, sealed)
    return bool(sealed)


@queue.periodic_task(every(INSTALL_CHECKED_KEY, "INSTALL_STATUS_CHECK_MINUTES"), name="check_install_statuses")
@in_app_context
def check_install_statuses():
    """Queue an install-status check of every store that can be asked (only with APP_CHECK_INSTALL_STATUS on)."""
    if not bound_app().config["APP_CHECK_INSTALL_STATUS"]:
        return 0
    codes = lifecycle.install_check_codes()
    for code in codes:
        check_install_status_job(code)
    return len(codes)


@queue.periodic_task(every(PURGE_CHECKED_KEY, "PURGE_CHECK_MINUTES"), name="purge_stores")
@in_app_context
def purge_stores():
    """Queue the purge of every store disconnected for longer than PERSONAL_DATA_RETENTION_DAYS."""
    ids = lifecycle.purge_due_ids()
    for store_id in ids:
        purge_job(store_id)
    return len(ids)
