"""The behaviour side of the sandbox's state: rate limits, faults, the request log and API counts."""
from __future__ import annotations

import threading
from dataclasses import replace

from ..config import SandboxConfig
from .clock import Clock
from .faults import FaultInjector
from .ratelimit import PROFILES, Decision, RateLimiter, ban_key, reset_header
from .traffic import Traffic


class BehaviourState:
    """Counts and limits /v1 traffic; every public method takes the shared lock itself."""

    def __init__(self, config: SandboxConfig, clock: Clock, lock: threading.RLock):
        self.config = config
        self.clock = clock
        self.lock = lock
        self.limiter = RateLimiter()
        self.faults = FaultInjector(config.faults)
        self.traffic = Traffic()
        self.api_requests: dict[str, int] = {}
        self.refused_requests = 0

    def rate_limit(self, ip: str, store_code: str | None) -> Decision:
        """Count one API request of a store (None: unauthenticated) from a client IP under the current profile."""
        with self.lock:
            cfg, now = self.config, self.clock.now()
            decision = self.limiter.check(ip, store_code, now, PROFILES[cfg.rate_limit],
                                          ban_threshold=cfg.ban_threshold, ban_seconds=cfg.ban_seconds,
                                          ban_scope=cfg.ban_scope)
            return replace(decision, at=now)

    def ban(self, ip: str, store_code: str, seconds: float) -> tuple[str, float]:
        """Ban the client IP, or the store under ban_scope "store", for `seconds`; returns (what, until)."""
        with self.lock:
            key = ban_key(ip, store_code, self.config.ban_scope)
            return key, self.limiter.ban(key, self.clock.now() + seconds)

    def count_api_request(self, store_code: str) -> None:
        """Count one API request made with a store's credentials."""
        with self.lock:
            self.api_requests[store_code] = self.api_requests.get(store_code, 0) + 1

    def count_refused_request(self) -> None:
        """Count one API request whose credentials were missing or refused (no store to count it for)."""
        with self.lock:
            self.refused_requests += 1

    def record_request(self, store_code: str, at: float, method: str, path: str, status: int | None,
                       fault: str | None) -> None:
        """Log one /v1 request of a store, counted at `at` (status None: dropped unanswered)."""
        with self.lock:
            self.traffic.record(store_code, at, method, path, status, fault)

    def request_log(self, store_code: str) -> list[dict]:
        """A store's logged /v1 requests, oldest first."""
        with self.lock:
            return self.traffic.log(store_code)

    def stats(self, store_codes) -> dict:
        """API requests, rate-limit hits, requests by path and faults, with a zero for every store."""
        with self.lock:
            zero = {code: 0 for code in store_codes}
            return {
                "api_requests": {**zero, **self.api_requests},
                "refused_api_requests": self.refused_requests,
                "rate_limit_hits": {**zero, **self.limiter.hits()},
                "bans": {key: reset_header(until) for key, until in self.limiter.bans(self.clock.now()).items()},
                "api_requests_by_path": {**{code: {} for code in store_codes}, **self.traffic.by_path()},
                "faults": self.faults.counts(),
            }

    def reset(self) -> None:
        """Zero the counts, log, windows and bans (fault settings stay)."""
        with self.lock:
            self.api_requests = {}
            self.refused_requests = 0
            self.limiter.reset()
            self.traffic.reset()
            self.faults.reset_counts()
