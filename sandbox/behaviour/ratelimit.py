"""Jumpseller's request limits: sliding windows per (client IP, store), and bans per IP (or per store).

Jumpseller counts requests "per IP and per store" and, after many limit hits, bans "your IP" for a while:
one store that keeps hitting its limit can stop every store an app serves from the same address.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone

BAN_HEADER = "Jumpseller-BannedByRateLimit-Reset"


@dataclass(frozen=True)
class Profile:
    """One limit profile: limits, the status of a refused request, and whether it is enforced (bans too)."""

    per_second: int
    per_minute: int
    status: int
    enforced: bool


PROFILES = {
    # Seeds / older docs: 8/s and 240/min, excess answered with 403 "Rate Limit Exceeded".
    "legacy": Profile(per_second=8, per_minute=240, status=403, enforced=True),
    # Current spec: 20/s and 800/min, excess answered with 429.
    "current": Profile(per_second=20, per_minute=800, status=429, enforced=True),
    # Headers still sent (legacy numbers) so clients exercise their header handling.
    "off": Profile(per_second=8, per_minute=240, status=403, enforced=False),
}


@dataclass(frozen=True)
class Decision:
    """The outcome for one request, with everything needed for the response headers."""

    allowed: bool
    status: int
    per_second_limit: int
    per_second_remaining: int
    per_minute_limit: int
    per_minute_remaining: int
    banned_until: float | None = None
    at: float = 0.0  # sandbox time the request was counted (the request log uses it)

    def headers(self) -> dict[str, str]:
        """The Jumpseller rate-limit headers for this decision."""
        headers = {
            "Jumpseller-PerMinuteRateLimit-Limit": str(self.per_minute_limit),
            "Jumpseller-PerMinuteRateLimit-Remaining": str(self.per_minute_remaining),
            "Jumpseller-PerSecondRateLimit-Limit": str(self.per_second_limit),
            "Jumpseller-PerSecondRateLimit-Remaining": str(self.per_second_remaining),
        }
        if self.banned_until is not None:
            headers[BAN_HEADER] = reset_header(self.banned_until)
        return headers


def reset_header(until: float) -> str:
    """A ban's end as Jumpseller writes it: 2024-05-23T16:13:47+00:00 (rounded up: never early)."""
    return datetime.fromtimestamp(math.ceil(until), tz=timezone.utc).isoformat()


def ban_key(ip: str, store: str | None, scope: str) -> str:
    """What a ban covers: the client IP (scope "ip", and always for unauthenticated calls) or one store."""
    return f"store:{store}" if scope == "store" and store is not None else f"ip:{ip}"


class RateLimiter:
    """Sliding one-second and one-minute windows per (client IP, store), and bans per ban key.

    Only accepted requests enter a window, so a client that backs off is let through again exactly
    when the oldest accepted request leaves the window. Every refusal is a limit hit; after
    `ban_threshold` hits under one ban key, that key is banned for `ban_seconds`. Not thread-safe:
    the caller holds the sandbox lock.
    """

    def __init__(self):
        self._accepted: dict[tuple[str, str], deque[float]] = {}
        self._hits: dict[str, int] = {}           # limit hits by ban key since its last ban / reset
        self._total_hits: dict[str, int] = {}     # refused requests by store (or "ip:<addr>") since reset
        self._banned_until: dict[str, float] = {}

    def check(self, ip: str, store: str | None, now: float, profile: Profile, *, ban_threshold: int,
              ban_seconds: float, ban_scope: str) -> Decision:
        """Count one request of `store` (None: unauthenticated) from `ip` and decide whether it may proceed."""
        window = self._accepted.setdefault((ip, store or ""), deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        in_minute = len(window)
        in_second = 0
        # Counting past the limit changes no decision or header, and keeps "off" cheap at any rate.
        for stamp in reversed(window):
            if stamp <= now - 1.0 or in_second >= profile.per_second:
                break
            in_second += 1
        key = ban_key(ip, store, ban_scope)
        counted_as = store if store is not None else f"ip:{ip}"
        banned_until = self.banned_until(key, now)
        if banned_until is not None and profile.enforced:
            self._record_hit(key, counted_as)
            return Decision(False, profile.status, profile.per_second, 0, profile.per_minute, 0, banned_until)

        over = in_second >= profile.per_second or in_minute >= profile.per_minute
        if over and profile.enforced:
            self._record_hit(key, counted_as)
            if self._hits[key] >= ban_threshold:
                until = self.ban(key, now + ban_seconds)
                return Decision(False, profile.status, profile.per_second, 0, profile.per_minute, 0, until)
            return Decision(
                False, profile.status,
                profile.per_second, max(0, profile.per_second - in_second),
                profile.per_minute, max(0, profile.per_minute - in_minute),
            )
        window.append(now)
        return Decision(
            True, 200,
            profile.per_second, max(0, profile.per_second - in_second - 1),
            profile.per_minute, max(0, profile.per_minute - in_minute - 1),
        )

    def ban(self, key: str, until: float) -> float:
        """Ban a key (see ban_key) until a time, or longer if it already is; returns when the ban ends."""
        self._hits[key] = 0
        self._banned_until[key] = max(until, self._banned_until.get(key, until))
        return self._banned_until[key]

    def banned_until(self, key: str, now: float) -> float | None:
        """When the key's ban ends, or None when it is not banned (an ended ban is forgotten)."""
        until = self._banned_until.get(key)
        if until is not None and now >= until:
            del self._banned_until[key]
            return None
        return until

    def bans(self, now: float) -> dict[str, float]:
        """Every ban in force: key → when it ends."""
        return {key: until for key in list(self._banned_until)
                if (until := self.banned_until(key, now)) is not None}

    def _record_hit(self, key: str, counted_as: str) -> None:
        self._hits[key] = self._hits.get(key, 0) + 1
        self._total_hits[counted_as] = self._total_hits.get(counted_as, 0) + 1

    def hits(self) -> dict[str, int]:
        """Refused requests per store (or "ip:<addr>" when unauthenticated) since the last reset."""
        return dict(self._total_hits)

    def reset(self) -> None:
        """Forget every window, hit count and ban."""
        self._accepted.clear()
        self._hits.clear()
        self._total_hits.clear()
        self._banned_until.clear()
