"""Sandbox time: the wall clock plus an offset, or frozen (tokens, codes, windows and bans follow it)."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone


class Clock:
    """A clock tests can move forward or stop, through /_sandbox/clock."""

    def __init__(self):
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = None

    def now(self) -> float:
        """Sandbox time in seconds (the frozen time, or the wall clock plus the offset)."""
        frozen = self._frozen_at
        return frozen if frozen is not None else time.time() + self._offset

    def now_datetime(self) -> datetime:
        """Sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)

    def advance(self, seconds: float) -> float:
        """Move sandbox time forward; returns the new offset."""
        with self._lock:
            self._offset += seconds
            if self._frozen_at is not None:
                self._frozen_at += seconds
            return self._offset

    def freeze(self, frozen: bool) -> None:
        """Stop time where it is (True) or let it run on from there (False)."""
        with self._lock:
            if frozen and self._frozen_at is None:
                self._frozen_at = self.now()
            elif not frozen and self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None

    def view(self) -> dict:
        """The clock's state, as /_sandbox/clock shows it."""
        with self._lock:
            return {"offset": self._offset, "now": self.now(), "frozen": self._frozen_at is not None}
