"""The sandbox's in-memory world: stores, the OAuth client, codes, tokens, counters and the clock.

One re-entrant lock guards everything: the server is threaded, and refresh rotation in particular
must be atomic (two concurrent refreshes with the same token must not both win by accident).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from . import seed
from .catalog import ProductCatalog
from .categories import CategoryTree
from .config import RUNTIME_OPTIONS, SandboxConfig, default_authtoken, default_login, validate_options
from .customers import CustomerBook
from .faults import FaultInjector
from .orders import OrderBook
from .ratelimit import PROFILES, Decision, RateLimiter
from .seed_customers import customer_categories
from .seed_orders import Sources
from .traffic import Traffic

_STORE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
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
class Store:
    """A Jumpseller store: its public details, owner credentials, catalog, customers and orders."""

    id: int
    code: str
    details: dict
    login: str
    authtoken: str
    categories: CategoryTree
    catalog: ProductCatalog
    customers: CustomerBook
    orders: OrderBook

    def credentials(self) -> dict:
        """The store's Basic-auth credentials, as the control endpoints show them."""
        return {"login": self.login, "authtoken": self.authtoken}


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

    def response(self) -> dict:
        """The token endpoint's JSON for this pair."""
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "scope": " ".join(self.scopes),
            "created_at": int(self.created_at),
        }


@dataclass
class Counters:
    """What tests and developers want to assert about traffic."""

    token_requests: dict[str, int] = field(default_factory=dict)
    refreshes_ok: int = 0
    refreshes_failed: int = 0
    api_requests: dict[str, int] = field(default_factory=dict)
    authorizations: dict[str, int] = field(default_factory=lambda: {"approved": 0, "denied": 0, "skipped": 0})


def pkce_matches(verifier: str, challenge: str) -> bool:
    """RFC 7636 S256: BASE64URL(SHA256(verifier)) without padding equals the challenge."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(expected, challenge)


class SandboxState:
    """All mutable sandbox data; every public method takes the lock itself."""

    def __init__(self, config: SandboxConfig):
        self.lock = threading.RLock()
        self.config = config
        self.stores: dict[str, Store] = {}
        self.clients = {config.client_id: Client(config.client_id, config.client_secret,
                                                 config.client_name, config.redirect_uris)}
        self.codes: dict[str, AuthCode] = {}
        self.tokens: dict[str, Token] = {}             # by access token
        self._by_refresh: dict[str, Token] = {}        # by refresh token
        self.limiter = RateLimiter()
        self.counters = Counters()
        self.faults = FaultInjector(config.faults)
        self.traffic = Traffic()
        self._clock_offset = 0.0
        self._frozen_at: float | None = None
        self._next_store_id = 1
        # Id sequences are global like database sequences (ids never clash between stores).
        self._next_ids = {"product": 1001, "category": 11, "customer": 100001, "customer_category": 1,
                          "order": 5001}
        self.default_store = self.add_store(
            code=config.store_code, name=config.store_name, currency=config.currency,
            country=config.country, timezone=config.timezone, seed_products=config.seed_products,
            seed_orders=config.seed_orders, seed_customers=config.seed_customers,
            login=config.login, authtoken=config.authtoken,
        )

    # -- clock ---------------------------------------------------------------------------------
    def now(self) -> float:
        """Sandbox time (wall clock plus any offset set through /_sandbox/clock, or the frozen time)."""
        frozen = self._frozen_at
        return frozen if frozen is not None else time.time() + self._clock_offset

    def now_datetime(self) -> datetime:
        """Sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)

    def advance_clock(self, seconds: float) -> float:
        """Move sandbox time forward (tokens, codes, windows and bans all follow it)."""
        with self.lock:
            self._clock_offset += seconds
            if self._frozen_at is not None:
                self._frozen_at += seconds
            return self._clock_offset

    def freeze_clock(self, frozen: bool) -> None:
        """Stop sandbox time where it is (True) or let it run on from there (False)."""
        with self.lock:
            if frozen and self._frozen_at is None:
                self._frozen_at = self.now()
            elif not frozen and self._frozen_at is not None:
                self._clock_offset = self._frozen_at - time.time()
                self._frozen_at = None

    def clock_view(self) -> dict:
        """The clock's state, as /_sandbox/clock shows it."""
        with self.lock:
            return {"offset": self._clock_offset, "now": self.now(), "frozen": self._frozen_at is not None}

    # -- configuration -------------------------------------------------------------------------
    def update_config(self, changes: dict) -> dict:
        """Apply runtime option changes atomically; raises ValueError listing every problem."""
        with self.lock:
            unknown = sorted(set(changes) - set(RUNTIME_OPTIONS))
            problems = [f"unknown option {name!r}" for name in unknown] + validate_options(changes)
            if problems:
                raise ValueError("; ".join(problems))
            for name, value in changes.items():
                setattr(self.config, name, list(value) if name == "redirect_uris" else value)
            self.clients[self.config.client_id].redirect_uris = self.config.redirect_uris
            return self.config.runtime_view()

    def rate_limit(self, bucket: str) -> Decision:
        """Count one API request against a bucket under the current profile."""
        with self.lock:
            cfg, now = self.config, self.now()
            decision = self.limiter.check(bucket, now, PROFILES[cfg.rate_limit], cfg.ban_threshold, cfg.ban_seconds)
            return replace(decision, at=now)

    # -- stores --------------------------------------------------------------------------------
    def add_store(self, *, code: str, name: str | None = None, currency: str = "CLP", country: str = "CL",
                  timezone: str = "America/Santiago", seed_products: int = 25, seed_orders: int = 40,
                  seed_customers: int = 30, login: str | None = None, authtoken: str | None = None) -> Store:
        """Create a store with seeded categories, products, customers and orders; ValueError on bad input."""
        with self.lock:
            if not isinstance(code, str) or not _STORE_CODE.match(code):
                raise ValueError("code must be lowercase letters, digits and dashes")
            if code in self.stores:
                raise ValueError(f"store {code!r} already exists")
            problems = validate_options({"seed_products": seed_products, "seed_orders": seed_orders,
                                         "seed_customers": seed_customers})
            if problems:
                raise ValueError("; ".join(problems))
            seeded = seed.categories(self._take("category", seed.CATEGORY_COUNT))
            tree = CategoryTree(seeded)
            first_product = self._take("product", seed_products)
            first_customer = self._take("customer", seed_customers)
            groups = customer_categories(self._take("customer_category", 2))
            sources = Sources(code, currency, country, first_product, seed_products, seeded,
                              first_customer, seed_customers)
            # Seeded orders lead up to the store's creation, to the second, on the sandbox clock.
            anchor = float(int(self.now()))
            store = Store(
                id=self._next_store_id, code=code,
                details=seed.store_details(code, name or code.replace("-", " ").title(), currency, country, timezone),
                login=login or default_login(code), authtoken=authtoken or default_authtoken(code),
                categories=tree,
                catalog=ProductCatalog(code, first_product, seed_products, seeded, tree),
                customers=CustomerBook(code, first_customer, seed_customers, country, groups),
                orders=OrderBook(sources, self._take("order", seed_orders), seed_orders, anchor),
            )
            self._next_store_id += 1
            self.stores[code] = store
            self.counters.api_requests.setdefault(code, 0)
            return store

    def prerender_step(self, budget: int = 25) -> int:
        """Render a few untouched seeded products' JSON ahead of requests; 0 when all are done."""
        with self.lock:
            for store in list(self.stores.values()):
                done = store.catalog.prerender(budget) or store.orders.prerender(budget)
                if done:
                    return done
            return 0

    def store_by_basic(self, login: str, authtoken: str) -> Store | None:
        """The store whose owner credentials these are, compared in constant time."""
        with self.lock:
            for store in self.stores.values():
                if hmac.compare_digest(store.login.encode(), login.encode()) and \
                        hmac.compare_digest(store.authtoken.encode(), authtoken.encode()):
                    return store
            return None

    def allocate_id(self, kind: str) -> int:
        """A new, globally unique id of a kind ("product", "category", "customer"); ids only grow."""
        with self.lock:
            return self._take(kind, 1)

    def allocate_product_id(self) -> int:
        """A new, globally unique product id."""
        return self.allocate_id("product")

    def _take(self, kind: str, count: int) -> int:
        first = self._next_ids[kind]
        self._next_ids[kind] = first + count
        return first

    # -- OAuth ---------------------------------------------------------------------------------
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
                                        code_challenge, self.now() + self.config.code_expires_in)
            return code

    def exchange_code(self, client: Client, code: str | None, redirect_uri: str | None,
                      code_verifier: str | None) -> Token:
        """Redeem an authorization code for a token pair (grant_type=authorization_code)."""
        if not code:
            raise OAuthError("invalid_request", "Missing required parameter: code.")
        with self.lock:
            grant = self.codes.get(code)
            if grant is None or grant.used or grant.client_id != client.client_id \
                    or self.now() >= grant.expires_at or redirect_uri != grant.redirect_uri:
                raise OAuthError("invalid_grant", _INVALID_GRANT)
            if grant.code_challenge is not None:
                if not code_verifier:
                    raise OAuthError("invalid_grant", "Missing required parameter: code_verifier.")
                if not pkce_matches(code_verifier, grant.code_challenge):
                    raise OAuthError("invalid_grant", "The code verifier does not match the code challenge.")
            if grant.store_code not in self.stores:
                raise OAuthError("invalid_grant", _INVALID_GRANT)
            grant.used = True
            return self._issue(client.client_id, grant.store_code, grant.scopes)

    def refresh(self, client: Client, refresh_token: str | None, scope: str | None) -> Token:
        """Rotate a refresh token into a new pair (grant_type=refresh_token)."""
        if not refresh_token:
            raise OAuthError("invalid_request", "Missing required parameter: refresh_token.")
        with self.lock:
            old = self._by_refresh.get(refresh_token)
            now = self.now()
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
        now = self.now()
        expires_in = self.config.token_expires_in
        token = Token(secrets.token_urlsafe(32), secrets.token_urlsafe(32), client_id, store_code,
                      tuple(scopes), now, expires_in, now + expires_in, previous_refresh_token=previous)
        self.tokens[token.access_token] = token
        self._by_refresh[token.refresh_token] = token
        return token

    def bearer(self, access_token: str) -> tuple[Token | None, str | None]:
        """Look up an access token for use: (token, None) or (None, Doorkeeper's error description).

        A successful use completes on_first_use rotation by revoking the previous pair.
        """
        with self.lock:
            token = self.tokens.get(access_token)
            now = self.now()
            if token is None or token.store_code not in self.stores:
                return None, "The access token is invalid"
            if token.is_revoked(now):
                return None, "The access token was revoked"
            if token.is_expired(now):
                return None, "The access token expired"
            return token, None

    def mark_used(self, token: Token) -> None:
        """First use of a rotated token revokes the pair it replaced (on_first_use rotation)."""
        with self.lock:
            if token.previous_refresh_token:
                previous = self._by_refresh.get(token.previous_refresh_token)
                if previous is not None and previous.revoked_at is None:
                    previous.revoked_at = self.now()
                token.previous_refresh_token = None

    def has_active_grant(self, client_id: str, store_code: str, scopes: tuple[str, ...]) -> bool:
        """Whether the client already holds a non-revoked token for the store covering these scopes."""
        with self.lock:
            now = self.now()
            return any(t.client_id == client_id and t.store_code == store_code and not t.is_revoked(now)
                       and set(scopes) <= set(t.scopes) for t in self.tokens.values())

    def expire_tokens(self, store_code: str) -> int:
        """End the lifetime of every live access token of a store now; returns how many."""
        with self.lock:
            now, count = self.now(), 0
            for token in self.tokens.values():
                if token.store_code == store_code and not token.is_revoked(now) and not token.is_expired(now):
                    token.expires_at = now
                    count += 1
            return count

    def revoke_tokens(self, store_code: str) -> int:
        """Revoke every token pair and unused code of a store (an uninstall); returns pairs revoked."""
        with self.lock:
            now, count = self.now(), 0
            for token in self.tokens.values():
                if token.store_code == store_code and not token.is_revoked(now):
                    token.revoked_at = now
                    count += 1
            for grant in self.codes.values():
                if grant.store_code == store_code:
                    grant.used = True
            return count

    def revoke_token(self, client: Client, value: str) -> bool:
        """Revoke the pair an access or refresh token belongs to, if it is this client's."""
        with self.lock:
            token = self.tokens.get(value) or self._by_refresh.get(value)
            if token is None or token.client_id != client.client_id or token.revoked_at is not None:
                return False
            token.revoked_at = self.now()
            return True

    def store_tokens(self, store_code: str) -> list[Token]:
        """Every token pair ever issued for a store (for assertions)."""
        with self.lock:
            return [t for t in self.tokens.values() if t.store_code == store_code]

    # -- counters ------------------------------------------------------------------------------
    def count_token_request(self, grant_type: str) -> None:
        """Count one token endpoint request by grant type."""
        with self.lock:
            key = grant_type or "missing"
            self.counters.token_requests[key] = self.counters.token_requests.get(key, 0) + 1

    def count_api_request(self, store_code: str) -> None:
        """Count one API request made with a store's credentials."""
        with self.lock:
            self.counters.api_requests[store_code] = self.counters.api_requests.get(store_code, 0) + 1

    def record_request(self, store_code: str, at: float, method: str, path: str, status: int | None,
                       fault: str | None) -> None:
        """Log one /v1 request of a store, counted at `at` (status None: dropped unanswered)."""
        with self.lock:
            self.traffic.record(store_code, at, method, path, status, fault)

    def request_log(self, store_code: str) -> list[dict]:
        """A store's logged /v1 requests, oldest first."""
        with self.lock:
            return self.traffic.log(store_code)

    def count_authorization(self, outcome: str) -> None:
        """Count one authorize outcome: approved, denied or skipped (no consent shown)."""
        with self.lock:
            self.counters.authorizations[outcome] += 1

    def stats(self) -> dict:
        """A JSON snapshot of every counter."""
        with self.lock:
            c = self.counters
            hits = {code: 0 for code in self.stores}
            hits.update(self.limiter.hits())
            return {
                "token_requests": dict(c.token_requests),
                "refreshes_ok": c.refreshes_ok,
                "refreshes_failed": c.refreshes_failed,
                "api_requests": {**{code: 0 for code in self.stores}, **c.api_requests},
                "rate_limit_hits": hits,
                "authorizations": dict(c.authorizations),
                "api_requests_by_path": {**{code: {} for code in self.stores}, **self.traffic.by_path()},
                "faults": self.faults.counts(),
            }

    def reset_counters(self) -> None:
        """Zero every counter, log, rate-limit window and ban (data, tokens and fault settings stay)."""
        with self.lock:
            self.counters = Counters()
            self.limiter.reset()
            self.traffic.reset()
            self.faults.reset_counts()
