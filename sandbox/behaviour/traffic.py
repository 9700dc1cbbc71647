"""Per-store API request log and per-path counts, so tests can assert "exactly once"."""
from __future__ import annotations

from collections import deque

MAX_LOG = 10_000  # per store; older entries fall off (counts by path are kept in full)


class Traffic:
    """Not thread-safe by itself; SandboxState's lock guards it."""

    def __init__(self):
        self._log: dict[str, deque] = {}
        self._by_path: dict[str, dict[str, int]] = {}

    def record(self, store_code: str, at: float, method: str, path: str, status: int | None,
               fault: str | None) -> None:
        """Note one /v1 request; status None means no response was sent (dropped connection)."""
        self._log.setdefault(store_code, deque(maxlen=MAX_LOG)).append(
            {"at": at, "method": method, "path": path, "status": status, "fault": fault})
        counts = self._by_path.setdefault(store_code, {})
        key = f"{method} {path}"
        counts[key] = counts.get(key, 0) + 1

    def log(self, store_code: str) -> list[dict]:
        """The store's logged requests, oldest first."""
        return [dict(entry) for entry in self._log.get(store_code, ())]

    def by_path(self) -> dict[str, dict[str, int]]:
        """Request counts per store per "METHOD /v1/path"."""
        return {code: dict(counts) for code, counts in self._by_path.items()}

    def reset(self) -> None:
        """Forget everything."""
        self._log.clear()
        self._by_path.clear()
