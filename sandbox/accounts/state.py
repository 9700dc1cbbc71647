"""The accounts side of the sandbox's state: the OAuth client, codes, tokens and Doorkeeper's rotation.

The lock is the sandbox's one re-entrant lock: refresh rotation must be atomic (two concurrent
refreshes with the same token must not both win by accident).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..behaviour.clock import Clock
from ..config import SandboxConfig

_INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client."
)


class OAuthError(Exception):
    """An OAuth2 error response: RFC 6749 code, description and HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict:
        """The JSON body Doorkeeper sends for this error."""
        return {"error": self.error, "error_description": self.description}


@dataclass
class Client:
    """A registered OAuth application."""

    client_id: str
    client_secret: str
    name: str
    redirect_uris: list[str]


@dataclass
class AuthCode:
    """An authorization code and everything it is bound to."""

    code: str
    client_id: str
    redirect_uri: str
    store_code: str
    scopes: tuple[str, ...]
    code_challenge: str | None
    expires_at: float
    used: bool = False


@dataclass
class Token:
    """An access/refresh token pair, like a row of Doorkeeper's oauth_access_tokens."""

    access_token: str
    refresh_token: str
    client_id: str
    store_code: str
    scopes: tuple[str, ...]
    created_at: float
    expires_in: int
    expires_at: float
    revoked_at: float | None = None
    # Set in on_first_use rotation: the refresh token to revoke when this token is first used.
    previous_refresh_token: str | None = None

    def is_revoked(self, now: float) -> bool:
        """Whether the pair has been revoked (a revoked pair can neither call nor refresh)."""
        return self.revoked_at is not None and self.revoked_at <= now

    def is_expired(self, now: float) -> bool:
        """Whether the access token's lifetime is over (the refresh token may still work)."""
        return now >= self.expires_at

    def response(self, include_scope: bool = True) -> dict:
        """The token endpoint's JSON for this pair (Doorkeeper writes the type in lower case)."""
        body = {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "scope": " ".join(self.scopes),
            "created_at": int(self.created_at),
        }
        if not include_scope:
            del body["scope"]
        return body


@dataclass
class Counters:
    """What tests and developers want to assert about the accounts side."""

    token_requests: dict[str, int] = field(default_factory=dict)
    refreshes_ok: int = 0
    refreshes_failed: int = 0
    authorizations: dict[str, int] = field(default_factory=lambda: {"approved": 0, "denied": 0, "skipped": 0})


def pkce_matches(verifier: str, challenge: str) -> bool:
    """RFC 7636 S256: BASE64URL(SHA256(verifier)) without padding equals the challenge."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(expected, challenge)


class AccountsState:
    """Clients, codes and tokens; every public method takes the shared lock itself."""

    def __init__(self, config: SandboxConfig, clock: Clock, stores: Mapping, lock: threading.RLock):
        self.config = config
        self.clock = clock
        self.stores = stores  # only asked whether a store still exists
        self.lock = lock
        self.clients = {config.client_id: Client(config.client_id, config.client_secret,
                                                 config.client_name, config.redirect_uris)}
        self.codes: dict[str, AuthCode] = {}
        self.tokens: dict[str, Token] = {}             # by access token
        self._by_refresh: dict[str, Token] = {}        # by refresh token
        # (client_id, store_code) the store uninstalled although its tokens may still answer: install_status says so.
        self.uninstalled: set[tuple[str, str]] = set()
        # Stores whose API refuses every access token while the token endpoint still refreshes them.
        self.refused_stores: set[str] = set()
        self.counters = Counters()

    def authenticate_client(self, client_id: str | None, client_secret: str | None) -> Client:
        """The client these credentials belong to; raises invalid_client (401) otherwise."""
        client = self.clients.get(client_id or "")
        if client is None or not client_secret or not hmac.compare_digest(
                client.client_secret.encode(), client_secret.encode()):
            raise OAuthError("invalid_client", "Client authentication failed due to unknown client, "
                             "no client authentication included, or unsupported authentication method.", 401)
        return client

    def issue_code(self, client: Client, redirect_uri: str, store_code: str, scopes: tuple[str, ...],
                   code_challenge: str | None) -> str:
        """A fresh single-use authorization code bound to all of its parameters."""
        with self.lock:
            code = secrets.token_urlsafe(32)
            self.codes[code] = AuthCode(code, client.client_id, redirect_uri, store_code, scopes,
                                        code_challenge, self.clock.now() + self.config.code_expires_in)
            return code

    def exchange_code(self, client: Client, code: str | None, redirect_uri: str | None,
                      code_verifier: str | None) -> Token:
        """Redeem an authorization code for a token pair (grant_type=authorization_code)."""
        if not code:
            raise OAuthError("invalid_request", "Missing required parameter: code.")
        with self.lock:
            grant = self.codes.get(code)
            # Doorkeeper checks for missing parameters before it judges the grant (validate_params).
            if grant is not None and grant.code_challenge is not None and not code_verifier:
                raise OAuthError("invalid_request", "Missing required parameter: code_verifier.")
            if not redirect_uri:
                raise OAuthError("invalid_request", "Missing required parameter: redirect_uri.")
            if grant is None or grant.used or grant.client_id != client.client_id \
                    or self.clock.now() >= grant.expires_at or redirect_uri != grant.redirect_uri:
                raise OAuthError("invalid_grant", _INVALID_GRANT)
            if grant.code_challenge is not None and not pkce_matches(code_verifier, grant.code_challenge):
                raise OAuthError("invalid_grant", "The code verifier does not match the code challenge.")
            if grant.store_code not in self.stores:
                raise OAuthError("invalid_grant", _INVALID_GRANT)
            grant.used = True
            self.uninstalled.discard((client.client_id, grant.store_code))   # authorizing again installs again
            return self._issue(client.client_id, grant.store_code, grant.scopes)

    def refresh(self, client: Client, refresh_token: str | None, scope: str | None) -> Token:
        """Rotate a refresh token into a new pair (grant_type=refresh_token)."""
        if not refresh_token:
            raise OAuthError("invalid_request", "Missing required parameter: refresh_token.")
        with self.lock:
            old = self._by_refresh.get(refresh_token)
            now = self.clock.now()
            if old is None or old.client_id != client.client_id or old.is_revoked(now) \
                    or old.store_code not in self.stores:
                self.counters.refreshes_failed += 1
                raise OAuthError("invalid_grant", _INVALID_GRANT)
            scopes = old.scopes
            if scope:
                requested = tuple(dict.fromkeys(scope.split()))
                if not set(requested) <= set(old.scopes):
                    raise OAuthError("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
                scopes = requested
            if self.config.rotation == "immediate":
                old.revoked_at = now
                new = self._issue(client.client_id, old.store_code, scopes)
            else:
                new = self._issue(client.client_id, old.store_code, scopes, previous=old.refresh_token)
            self.counters.refreshes_ok += 1
            return new

    def _issue(self, client_id: str, store_code: str, scopes: tuple[str, ...], previous: str | None = None) -> Token:
        now = self.clock.now()
        expires_in = self.config.token_expires_in
        token = Token(secrets.token_urlsafe(32), secrets.token_urlsafe(32), client_id, store_code,
                      tuple(scopes), now, expires_in, now + expires_in, previous_refresh_token=previous)
        self.tokens[token.access_token] = token
        self._by_refresh[token.refresh_token] = token
        return token

    def bearer(self, access_token: str) -> tuple[Token | None, str | None]:
        """Look up an access token for use: (token, None) or (None, Doorkeeper's error description)."""
        with self.lock:
            token = self.tokens.get(access_token)
            now = self.clock.now()
            if token is None or token.store_code not in self.stores:
                return None, "The access token is invalid"
            if token.is_revoked(now):
                return None, "The access token was revoked"
            if token.is_expired(now):
                return None, "The access token expired"
            if token.store_code in self.refused_stores:
                return None, "The access token is invalid"
            return token, None

    def refuse_api(self, store_code: str, refused: bool = True) -> None:
        """Make the API refuse (or accept again) every access token of a store with a 401, while refreshes keep
        succeeding: a refresh does not help, the way an app's access cut at the store looks to it."""
        with self.lock:
            (self.refused_stores.add if refused else self.refused_stores.discard)(store_code)

    def mark_used(self, token: Token) -> None:
        """First use of a rotated token revokes the pair it replaced (on_first_use rotation)."""
        with self.lock:
            if token.previous_refresh_token:
                previous = self._by_refresh.get(token.previous_refresh_token)
                if previous is not None and previous.revoked_at is None:
                    previous.revoked_at = self.clock.now()
                token.previous_refresh_token = None

    def has_active_grant(self, client_id: str, store_code: str, scopes: tuple[str, ...]) -> bool:
        """Whether the client already holds a non-revoked token for the store covering these scopes."""
        with self.lock:
            now = self.clock.now()
            return any(t.client_id == client_id and t.store_code == store_code and not t.is_revoked(now)
                       and set(scopes) <= set(t.scopes) for t in self.tokens.values())

    def expire_tokens(self, store_code: str) -> int:
        """End the lifetime of every live access token of a store now; returns how many."""
        with self.lock:
            now, count = self.clock.now(), 0
            for token in self.tokens.values():
                if token.store_code == store_code and not token.is_revoked(now) and not token.is_expired(now):
                    token.expires_at = now
                    count += 1
            return count

    def revoke_tokens(self, store_code: str) -> int:
        """Revoke every token pair and unused code of a store (an uninstall); returns pairs revoked."""
        with self.lock:
            now, count = self.clock.now(), 0
            for token in self.tokens.values():
                if token.store_code == store_code and not token.is_revoked(now):
                    token.revoked_at = now
                    count += 1
            for grant in self.codes.values():
                if grant.store_code == store_code:
                    grant.used = True
            return count

    def set_installed(self, client_id: str, store_code: str, installed: bool) -> None:
        """Mark the client's app uninstalled from (or back on) a store; its tokens are left as they are."""
        with self.lock:
            (self.uninstalled.discard if installed else self.uninstalled.add)((client_id, store_code))

    def uninstall(self, client_id: str, store_code: str) -> int:
        """The merchant removes the app from the store: the client's pairs for it revoked, marked uninstalled.
        Nothing is sent to the app (Jumpseller has no uninstall notification); returns the pairs revoked."""
        with self.lock:
            now, count = self.clock.now(), 0
            for token in self.tokens.values():
                if token.client_id == client_id and token.store_code == store_code and not token.is_revoked(now):
                    token.revoked_at = now
                    count += 1
            self.uninstalled.add((client_id, store_code))
            return count

    def is_installed(self, client_id: str, store_code: str) -> bool:
        """Whether the app is installed on the store: a live grant, and not marked uninstalled."""
        with self.lock:
            now = self.clock.now()
            return (client_id, store_code) not in self.uninstalled and any(
                t.client_id == client_id and t.store_code == store_code and not t.is_revoked(now)
                for t in self.tokens.values())

    def revoke_token(self, client: Client, value: str) -> bool:
        """Revoke the pair an access or refresh token belongs to, if it is this client's."""
        with self.lock:
            token = self.tokens.get(value) or self._by_refresh.get(value)
            if token is None or token.client_id != client.client_id or token.revoked_at is not None:
                return False
            token.revoked_at = self.clock.now()
            return True

    def store_tokens(self, store_code: str) -> list[Token]:
        """Every token pair ever issued for a store (for assertions)."""
        with self.lock:
            return [t for t in self.tokens.values() if t.store_code == store_code]

    def count_token_request(self, grant_type: str) -> None:
        """Count one token endpoint request by grant type."""
        with self.lock:
            key = grant_type or "missing"
            self.counters.token_requests[key] = self.counters.token_requests.get(key, 0) + 1

    def count_authorization(self, outcome: str) -> None:
        """Count one authorize outcome: approved, denied or skipped (no consent shown)."""
        with self.lock:
            self.counters.authorizations[outcome] += 1

    def stats(self) -> dict:
        """Token requests by grant type, refresh outcomes and authorize outcomes."""
        with self.lock:
            c = self.counters
            return {"token_requests": dict(c.token_requests), "refreshes_ok": c.refreshes_ok,
                    "refreshes_failed": c.refreshes_failed, "authorizations": dict(c.authorizations)}

    def reset_counts(self) -> None:
        """Zero the counters (clients, codes and tokens stay)."""
        with self.lock:
            self.counters = Counters()

    def set_redirect_uris(self, uris: list[str]) -> None:
        """Point the configured client at new redirect URIs (a runtime config change)."""
        with self.lock:
            self.clients[self.config.client_id].redirect_uris = uris
