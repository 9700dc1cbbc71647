"""/_sandbox: switches and counters for tests and developers (not part of Jumpseller)."""
from __future__ import annotations

from . import hooks, stores, switches  # noqa: F401 - registers the routes
from .base import bp

__all__ = ["bp"]
