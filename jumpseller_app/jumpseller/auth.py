"""Authentication for the Jumpseller API: Basic login:authtoken, and OAuth2 bearer with automatic refresh.

The refresh is single-flight for a store across threads (a lock per store in this process) and across
processes (a lease in shared storage plus a version compare-and-swap, both behind TokenStore). That matters
because Jumpseller rotates refresh tokens like Doorkeeper: two concurrent refreshes with the same refresh
token leave one of them holding a revoked token.
"""

import logging
import threading
import time
import uuid
from collections import defaultdict
from typing import NamedTuple, Protocol

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.client import OAuth2Client
from requests.auth import HTTPBasicAuth

from .errors import AuthError, NetworkError, ReauthRequired, ServerError

log = logging.getLogger(__name__)


class BasicAuth(HTTPBasicAuth):
    """HTTP Basic with a store owner's API login and authtoken; never shows them in a repr."""

    def __repr__(self):
        return "<BasicAuth login=*** authtoken=***>"


class StoredToken(NamedTuple):
    """A token as stored: authlib's token dict (with integer expires_at), the row version, and whether the
    store was flagged for re-authorization (its refresh token was refused: calling again cannot help)."""

    token: dict
    version: int
    reauth_required: bool = False


class TokenStore(Protocol):
    """Shared storage for one store's token, with the lease and compare-and-swap the refresh relies on."""

    key: str

    def load(self) -> StoredToken:
        """The current token, its version and the store's re-authorization flag."""

    def acquire_lease(self, owner: str, ttl: float) -> bool:
        """Take the refresh lease when nobody holds an unexpired one."""

    def release_lease(self, owner: str) -> None:
        """Give the lease back if `owner` still holds it."""

    def save(self, token: dict, *, expected_version: int) -> bool:
        """Store a refreshed token if the version is still `expected_version`; False if someone else won."""

    def mark_reauth_required(self, *, expected_version: int) -> bool:
        """Flag the store for re-authorization unless its token changed since `expected_version`."""


# The refresh lease must outlive the token request it covers, or a second process could take it while the
# first is still waiting for its answer. requests applies the timeout to the connect and to each read, so a
# slow answer can take about twice the timeout; the margin covers saving the result.
LEASE_MARGIN = 10.0


def lease_ttl_for(timeout):
    """Seconds a refresh lease lasts for an HTTP timeout of `timeout` seconds: safely above the worst case."""
    return 2 * float(timeout) + LEASE_MARGIN


_locks_guard = threading.Lock()
_process_locks = defaultdict(threading.Lock)


def _process_lock(key):
    with _locks_guard:
        return _process_locks[key]


class JumpsellerOAuth2Session(OAuth2Session):
    """authlib's OAuth2Session whose refresh is coordinated through a TokenStore.

    Refreshes `leeway` seconds before expiry, and once more when the API answers 401 to a token that
    looked valid (revoked early, clock skew).
    """

    def __init__(self, token_store, *, client_id, client_secret, token_endpoint, leeway=120,
                 lease_ttl=None, wait_timeout=None, poll_interval=0.05, timeout=15.0):
        stored = token_store.load()
        lease_ttl = lease_ttl_for(timeout) if lease_ttl is None else lease_ttl
        super().__init__(
            client_id=client_id,
            client_secret=client_secret,
            token=stored.token,
            token_endpoint=token_endpoint,
            token_endpoint_auth_method="client_secret_post",
            update_token=self._save_refreshed,
            leeway=leeway,
            default_timeout=timeout,
        )
        self.token_store = token_store
        self.version = stored.version
        self.lease_ttl = lease_ttl
        # A waiter outlasts a holder that died mid-refresh: its lease expires, then the waiter takes over.
        self.wait_timeout = lease_ttl + LEASE_MARGIN if wait_timeout is None else wait_timeout
        self.poll_interval = poll_interval
        self.reauth_required = stored.reauth_required
        self._saved = None
        self._expected_version = stored.version
        # Called with the refused response just before a call is sent again after a 401-triggered refresh; the
        # client sets it so the resend takes a slot of the store's rate budget like any other call.
        self.before_resend = None

    def __repr__(self):
        return f"<JumpsellerOAuth2Session store={self.token_store.key} version={self.version}>"

    # authlib calls this before signing every request.
    def ensure_active_token(self, token=None):
        """Refresh (single-flight) when the token is within `leeway` of expiry."""
        if not self.token.is_expired(leeway=self.leeway):
            return True
        self.refresh_if_stale(self.version)
        return True

    def request(self, method, url, withhold_token=False, auth=None, **kwargs):
        """Send; on a 401 to a token we believed valid, refresh once and resend.

        Once the store is flagged for re-authorization, raise ReauthRequired without any HTTP call: its refresh
        token was refused, and every further call would only fail again (and try the token endpoint again).
        """
        if self.reauth_required and not withhold_token and self._is_api_call(url):
            raise ReauthRequired("The store must authorize the app again")
        version_used = self.version
        response = super().request(method, url, withhold_token=withhold_token, auth=auth, **kwargs)
        if response.status_code == 401 and not withhold_token and auth is None and self._is_api_call(url):
            self.refresh_if_stale(version_used, force=True)
            if self.before_resend is not None:
                self.before_resend(response)
            response.close()
            response = super().request(method, url, withhold_token=withhold_token, auth=auth, **kwargs)
        return response

    def _is_api_call(self, url):
        return url != self.metadata.get("token_endpoint")

    def _adopt(self, stored):
        self.token = stored.token
        self.version = stored.version
        self.reauth_required = stored.reauth_required

    def _refuse_if_flagged(self, stored):
        if stored.reauth_required:
            self._adopt(stored)
            raise ReauthRequired("The store must authorize the app again")

    def refresh_if_stale(self, stale_version, *, force=False):
        """Make sure the token is newer than `stale_version`, refreshing at most once across all processes."""
        store = self.token_store
        with _process_lock(store.key):
            current = store.load()
            self._refuse_if_flagged(current)
            if current.version != stale_version:
                self._adopt(current)
                if force or not self.token.is_expired(leeway=self.leeway):
                    return
                stale_version = current.version
            owner = uuid.uuid4().hex
            deadline = time.monotonic() + self.wait_timeout
            while True:
                if store.acquire_lease(owner, self.lease_ttl):
                    try:
                        current = store.load()
                        self._refuse_if_flagged(current)
                        if current.version != stale_version:
                            self._adopt(current)
                            return
                        self._refresh_now(current)
                        return
                    finally:
                        store.release_lease(owner)
                # Another process holds the lease: wait for its result instead of refreshing too.
                time.sleep(self.poll_interval)
                current = store.load()
                self._refuse_if_flagged(current)
                if current.version != stale_version:
                    self._adopt(current)
                    return
                if time.monotonic() > deadline:
                    raise AuthError("Timed out waiting for another process to refresh the access token")

    def _refresh_now(self, current):
        refresh_token = current.token.get("refresh_token")
        if not refresh_token:
            store_flagged = self.token_store.mark_reauth_required(expected_version=current.version)
            self.reauth_required = store_flagged
            raise ReauthRequired("No refresh token stored; the store must authorize the app again",
                                 body={"flagged": store_flagged})
        self._saved = None
        self._expected_version = current.version
        try:
            OAuth2Client.refresh_token(self, self.metadata["token_endpoint"], refresh_token=refresh_token)
        except requests.HTTPError as exc:
            raise ServerError(f"Token endpoint failed: HTTP {exc.response.status_code}",
                              status=exc.response.status_code) from exc
        except requests.RequestException as exc:
            raise NetworkError(f"Token endpoint unreachable: {type(exc).__name__}") from exc
        except OAuthError as exc:
            if exc.error != "invalid_grant":
                raise AuthError(f"Token refresh failed: {exc.error}") from exc
            # Maybe another process refreshed with this same refresh token a moment ago: re-read first.
            latest = self.token_store.load()
            if latest.version != current.version:
                self._adopt(latest)
                return
            self.reauth_required = self.token_store.mark_reauth_required(expected_version=current.version)
            log.warning("refresh token refused for %s: marked reauth_required", self.token_store.key)
            raise ReauthRequired("The refresh token was revoked; the store must authorize the app again") from exc
        if self._saved is None:
            raise AuthError("Token refresh returned no token")
        self._adopt(self._saved)

    def _save_refreshed(self, token, refresh_token=None, access_token=None):
        """authlib's update_token hook: persist the new pair with a compare-and-swap."""
        fresh = dict(token)
        if not fresh.get("refresh_token"):
            # Never trade a refresh token for an empty one.
            fresh["refresh_token"] = refresh_token
        expected = self._expected_version
        if self.token_store.save(fresh, expected_version=expected):
            self._saved = StoredToken(fresh, expected + 1)
        else:
            self._saved = self.token_store.load()
