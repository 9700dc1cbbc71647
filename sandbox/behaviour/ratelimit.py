"""Jumpseller's per-store request limits, as sliding windows over accepted requests."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Profile:
    """One limit profile: limits, the status of a refused request, and whether it is enforced."""

    per_second: int
    per_minute: int
    status: int
    enforced: bool
    bans: bool


PROFILES = {
    # Seeds / older docs: 8/s and 240/min, excess answered with 403 "Rate Limit Exceeded".
    "legacy": Profile(per_second=8, per_minute=240, status=403, enforced=True, bans=False),
    # Current spec: 20/s and 800/min, 429, and a temporary ban after many hits.
    "current": Profile(per_second=20, per_minute=800, status=429, enforced=True, bans=True),
    # Headers still sent (legacy numbers) so clients exercise their header handling.
    "off": Profile(per_second=8, per_minute=240, status=403, enforced=False, bans=False),
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
            reset = datetime.fromtimestamp(self.banned_until, tz=timezone.utc).replace(microsecond=0)
            headers["Jumpseller-BannedByRateLimit-Reset"] = reset.isoformat()
        return headers


class RateLimiter:
    """Sliding one-second and one-minute windows per bucket (a store code, or the client IP).

    Only accepted requests enter a window, so a client that backs off is let through again exactly
    when the oldest accepted request leaves the window. Not thread-safe: the caller holds the
    sandbox lock.
    """

    def __init__(self):
        self._accepted: dict[str, deque[float]] = {}
        self._hits: dict[str, int] = {}           # refused requests since the last ban / reset
        self._total_hits: dict[str, int] = {}     # refused requests since the last reset (stats)
        self._banned_until: dict[str, float] = {}

    def check(self, bucket: str, now: float, profile: Profile, ban_threshold: int, ban_seconds: int) -> Decision:
        """Count one request against the bucket and decide whether it may proceed."""
        window = self._accepted.setdefault(bucket, deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        in_minute = len(window)
        in_second = 0
        # Counting past the limit changes no decision or header, and keeps "off" cheap at any rate.
        for stamp in reversed(window):
            if stamp <= now - 1.0 or in_second >= profile.per_second:
                break
            in_second += 1

        banned_until = self._banned_until.get(bucket)
        if banned_until is not None and now >= banned_until:
            del self._banned_until[bucket]
            banned_until = None
        if banned_until is not None and profile.bans:
            self._record_hit(bucket)
            return Decision(False, 429, profile.per_second, 0, profile.per_minute, 0, banned_until)

        over = in_second >= profile.per_second or in_minute >= profile.per_minute
        if over and profile.enforced:
            self._record_hit(bucket)
            if profile.bans and self._hits[bucket] >= ban_threshold:
                self._hits[bucket] = 0
                self._banned_until[bucket] = now + ban_seconds
                return Decision(False, 429, profile.per_second, 0, profile.per_minute, 0, now + ban_seconds)
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

    def _record_hit(self, bucket: str) -> None:
        self._hits[bucket] = self._hits.get(bucket, 0) + 1
        self._total_hits[bucket] = self._total_hits.get(bucket, 0) + 1

    def hits(self) -> dict[str, int]:
        """Refused requests per bucket since the last reset."""
        return dict(self._total_hits)

    def reset(self) -> None:
        """Forget every window, hit count and ban."""
        self._accepted.clear()
        self._hits.clear()
        self._total_hits.clear()
        self._banned_until.clear()
