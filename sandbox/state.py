"""The sandbox's in-memory world, composed of its sides: stores, accounts (OAuth), behaviour and hook deliveries.

One re-entrant lock is shared by all of them: the server is threaded, a request may touch several
sides at once, and refresh rotation in particular must be atomic.
"""
from __future__ import annotations

import threading
from datetime import datetime

from .accounts.state import AccountsState
from .behaviour.clock import Clock
from .behaviour.state import BehaviourState
from .config import RUNTIME_OPTIONS, SandboxConfig, validate_options
from .hooks.queue import HookDeliveries
from .records.stores import Store, StoreRegistry


class SandboxState:
    """All mutable sandbox data, by side; every public method takes the lock itself."""

    def __init__(self, config: SandboxConfig):
        self.lock = threading.RLock()
        self.config = config
        self.clock = Clock()
        self.registry = StoreRegistry(self.clock, self.lock, config)
        self.stores: dict[str, Store] = self.registry.stores
        self.accounts = AccountsState(config, self.clock, self.stores, self.lock)
        self.behaviour = BehaviourState(config, self.clock, self.lock)
        self.hooks = HookDeliveries(config, self.clock)
        self.default_store = self.registry.add_store(
            code=config.store_code, name=config.store_name, currency=config.currency,
            country=config.country, timezone=config.timezone, language=config.language,
            seed_products=config.seed_products,
            seed_orders=config.seed_orders, seed_customers=config.seed_customers,
            login=config.login, authtoken=config.authtoken,
        )

    def now(self) -> float:
        """Sandbox time (wall clock plus any offset set through /_sandbox/clock, or the frozen time)."""
        return self.clock.now()

    def now_datetime(self) -> datetime:
        """Sandbox time as an aware UTC datetime."""
        return self.clock.now_datetime()

    def advance_clock(self, seconds: float) -> float:
        """Move sandbox time forward (tokens, codes, windows and bans all follow it)."""
        offset = self.clock.advance(seconds)
        self.hooks.wake()   # retries may be due now
        return offset

    def freeze_clock(self, frozen: bool) -> None:
        """Stop sandbox time where it is (True) or let it run on from there (False)."""
        self.clock.freeze(frozen)

    def update_config(self, changes: dict) -> dict:
        """Apply runtime option changes atomically; raises ValueError listing every problem."""
        with self.lock:
            unknown = sorted(set(changes) - set(RUNTIME_OPTIONS))
            problems = [f"unknown option {name!r}" for name in unknown] + validate_options(changes)
            if problems:
                raise ValueError("; ".join(problems))
            self.config.apply(changes)
            self.accounts.set_redirect_uris(self.config.redirect_uris)
            return self.config.runtime_view()

    def stats(self) -> dict:
        """A JSON snapshot of every counter."""
        with self.lock:
            return {**self.accounts.stats(), **self.behaviour.stats(list(self.stores))}

    def reset_counters(self) -> None:
        """Zero every counter, log, rate-limit window and ban (data, tokens and fault settings stay)."""
        with self.lock:
            self.accounts.reset_counts()
            self.behaviour.reset()
