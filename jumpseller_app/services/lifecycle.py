"""A store's lifecycle after install: whether jobs may work for it, disconnect and uninstall, purge, reinstall.

Jumpseller sends no uninstall notification. The app learns of one when a refresh token is refused (the token store
ends the connection itself, disconnection.end_connection), when install_status says so (check_install_status,
opt-in), or the merchant presses Disconnect. Every path ends in the same write, and every step leaves an
AuditEntry holding reasons and counts only.

Nothing here queues jobs (jobs/lifecycle_tasks.py imports this module, not the other way round): the functions
that end a connection return the tokens still to revoke, sealed, and the caller hands them to the revocation job.
"""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from .. import features
from ..extensions import db
from ..jumpseller import AuthError, JumpsellerError, ReauthRequired, scopes
from ..models import ApiWrite, AuthMode, Store, StoreSnapshot, StoreStatus, SyncCheckpoint, WebhookEvent, utcnow
from . import app_settings, clients, disconnection, documents, hooks, mirror, stores

log = logging.getLogger(__name__)


def is_active(store):
    """Whether jobs may work for `store` (a Store row or None): connected, with credentials, not flagged.

    The one predicate every per-store job asks before it calls Jumpseller or writes the store's data.
    """
    return store is not None and store.status == StoreStatus.ACTIVE and store.credential is not None


def is_active_code(store_code):
    """is_active() for a job that knows only the store's code."""
    return is_active(stores.get_store(store_code))


def _remove_hooks(store):
    """Delete this app's hooks at Jumpseller while the token still works; returns how many went.

    Only hooks pointing at our receiver are touched: other apps' and the merchant's stay. A failure is audited
    and does not stop the disconnect (Jumpseller drops hooks that keep failing anyway).
    """
    url = hooks.receiver_url()
    if url is None or scopes.HOOKS_REMOVAL.missing(features.granted(store)):
        return 0
    removed = 0
    try:
        api = clients.client_for(store)
        for hook in list(api.hooks.iter_all()):
            if hook.get("url") == url and hook.get("id") is not None:
                api.hooks.delete(hook["id"])
                removed += 1
    except JumpsellerError as exc:
        log.warning("hooks of %s not all removed: %s", store.code, type(exc).__name__)
        disconnection.audit(db.session.connection(), store.code, "hooks_not_removed", removed=removed,
                            error=type(exc).__name__)
        return removed
    disconnection.audit(db.session.connection(), store.code, "hooks_removed", removed=removed)
    return removed


def disconnect(store, *, reason=disconnection.MERCHANT_DISCONNECT):
    """End the store's connection: hooks removed (a merchant's Disconnect only), then in one transaction its tokens
    deleted, status DISCONNECTED, disconnected_at stamped, sessions ended, an audit row. Commits.

    Returns the deleted tokens, sealed, for jobs/lifecycle_tasks.after_disconnect to revoke at Jumpseller. An
    uninstall skips the hooks: its token no longer works, and Jumpseller drops the hooks of an uninstalled app.
    """
    if reason == disconnection.MERCHANT_DISCONNECT and is_active(store):
        _remove_hooks(store)
    sealed = disconnection.end_connection(db.session.connection(), store.id, store.code, reason)
    db.session.commit()
    return sealed


def on_api_error(store_code, exc):
    """A job's Jumpseller error, looked at for an uninstall: a 401 that survived the session's refresh (the
    OAuth2 session refreshes once on a 401 and resends) means the grant is gone although the refresh token was
    still taken. Ends the connection and returns the sealed tokens to revoke; [] for any other error.

    A refused refresh token (ReauthRequired) needs nothing here: the token store has ended the connection.
    """
    if not isinstance(exc, AuthError) or isinstance(exc, ReauthRequired) or exc.status != 401:
        return []
    store = stores.get_store(store_code)
    if not is_active(store) or store.auth_mode != AuthMode.OAUTH:
        return []
    return disconnect(store, reason=disconnection.UNAUTHORIZED)


def _installed(value):
    """PaidAppInstallStatus.installed read tolerantly: False only for a clear no (false, "false", 0)."""
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no")
    return value is None or bool(value)


def check_install_status(store_code):
    """Ask Jumpseller whether the app is still installed on the store; on a clear "no", end the connection.

    Returns the sealed tokens to revoke when it ended one, else []. Runs only when the deployment enables it
    (APP_CHECK_INSTALL_STATUS) and the store granted read_apps. A refused refresh on the way ends the connection
    by itself (token store).
    """
    config = current_app.config
    store = stores.get_store(store_code)
    app_code = config["JUMPSELLER_APP_CODE"]
    if not (config["APP_CHECK_INSTALL_STATUS"] and app_code and is_active(store)):
        return []
    if scopes.INSTALL_STATUS.missing(features.granted(store)):
        return []
    try:
        status = clients.client_for(store).apps.install_status(app_code)
    except ReauthRequired:
        return []
    except JumpsellerError as exc:
        log.warning("install status of %s not read: %s", store_code, type(exc).__name__)
        return on_api_error(store_code, exc)
    if not isinstance(status, dict) or _installed(status.get("installed")):
        return []
    return disconnect(store, reason=disconnection.UNINSTALLED)


def install_check_codes():
    """The active OAuth stores that granted read_apps: the ones check_install_status can ask about."""
    rows = db.session.execute(select(Store.code, Store.scopes).where(Store.status == StoreStatus.ACTIVE,
                                                                     Store.auth_mode == AuthMode.OAUTH)
                              .order_by(Store.id)).all()
    return [code for code, granted in rows if not scopes.INSTALL_STATUS.missing(scopes.parse(granted))]


def purge_due_ids(now=None):
    """The stores disconnected for PERSONAL_DATA_RETENTION_DAYS or longer whose personal data is still here."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["PERSONAL_DATA_RETENTION_DAYS"])
    return list(db.session.scalars(
        select(Store.id).where(Store.status == StoreStatus.DISCONNECTED, Store.disconnected_at <= cutoff,
                               Store.personal_data_purged_at.is_(None)).order_by(Store.id)))


def purge_personal_data(store_id):
    """Remove a disconnected store's personal data; commits; returns the counts, or None if it is not due.

    Goes: mirrored customers and their addresses, orders' names, emails and addresses (mirror.purge_personal_data),
    every hook delivery of the store (their bodies are customers' data), the cached dashboard (its latest orders
    name customers), the merchant's contact email, the notification address in the app's settings and the
    record of the writes sent from the pages (their payloads may name customers), the documents fetched for the
    pages (services/documents.py). Kept: products, categories,
    orders' totals and states, the audit trail. Re-checked under the row lock: a store reinstalled meanwhile is
    left alone.
    """
    store = db.session.scalar(select(Store).where(Store.id == store_id, Store.status == StoreStatus.DISCONNECTED,
                                                  Store.personal_data_purged_at.is_(None)).with_for_update())
    if store is None:
        db.session.rollback()
        return None
    counts = mirror.purge_personal_data(store.id)
    counts["hook_deliveries"] = db.session.execute(
        delete(WebhookEvent).where(WebhookEvent.store_id == store.id)).rowcount
    counts["snapshots"] = db.session.execute(
        delete(StoreSnapshot).where(StoreSnapshot.store_id == store.id)).rowcount
    counts["settings_cleared"] = app_settings.forget_personal_data(store)
    # What the merchant submitted on the pages, as sent to Jumpseller: it may name customers.
    counts["writes"] = db.session.execute(delete(ApiWrite).where(ApiWrite.store_id == store.id)).rowcount
    # Records fetched for the pages (abandoned orders name customers, fulfillments carry addresses).
    counts["documents"] = documents.purge_store(store.id)
    store.email = ""
    store.personal_data_purged_at = utcnow()
    disconnection.audit(db.session.connection(), store.code, "personal_data_purged", **counts)
    db.session.commit()
    return counts


def start_clean(store_code):
    """Before a disconnected store's new tokens are stored (reinstall, Basic connect): drop what the old
    installation left (mirror, sync checkpoints, hook deliveries) so the new one starts from a full sync.

    Part of the caller's transaction (no commit): if the install fails, nothing was dropped. Returns whether the
    store was a returning one. An active store installing again (new scopes, say) keeps its mirror.
    """
    store = stores.get_store(store_code)
    if store is None or store.status != StoreStatus.DISCONNECTED:
        return False
    mirror.forget_store(store.id)
    documents.purge_store(store.id)
    checkpoints = db.session.execute(delete(SyncCheckpoint).where(SyncCheckpoint.store_id == store.id)).rowcount
    deliveries = db.session.execute(delete(WebhookEvent).where(WebhookEvent.store_id == store.id)).rowcount
    disconnection.audit(db.session.connection(), store.code, "reinstalled", checkpoints_dropped=checkpoints,
                        hook_deliveries_dropped=deliveries,
                        personal_data_purged_before=store.personal_data_purged_at is not None)
    store.disconnected_at = store.personal_data_purged_at = None
    return True
