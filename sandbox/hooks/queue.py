"""The delivery queue: a log of every delivery, one background sender, retries on the schedule, pausing.

Deliveries are sent by one daemon thread, never inside the API request that fired them, one at a time in
(due, order) order. Due times are on the sandbox clock, so tests can advance it to the next retry; the sender
looks again every POLL_SECONDS because the clock may jump. Its own condition lock is never held while the
global sandbox lock is taken, nor while a receiver is being called.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ..behaviour.clock import Clock
from . import schedule, transport
from .chaos import DeliveryChaos, Draw

POLL_SECONDS = 0.05
# A reordered delivery waits for the next one of its hook, or this long (sandbox seconds × hook_time_scale).
_REORDER_HOLD = 60.0


@dataclass
class Delivery:
    """One event for one hook: what is sent, where, and what became of it."""

    id: int
    store: str
    hook_id: int
    event: str
    url: str
    headers: dict
    body: bytes
    due: float
    order: int
    state: str = "pending"          # pending, sending, delivered, failed (retries used up), dropped
    held: bool = False              # reordered: waits for the next delivery of its hook
    duplicate_of: int | None = None
    attempts: list[dict] = field(default_factory=list)

    def view(self) -> dict:
        """The delivery as /_sandbox/hooks/deliveries shows it."""
        return {"id": self.id, "store": self.store, "hook_id": self.hook_id, "event": self.event, "url": self.url,
                "state": self.state, "held": self.held, "duplicate_of": self.duplicate_of,
                "next_attempt_at": self.due if self.state == "pending" else None,
                "attempts": list(self.attempts), "headers": dict(self.headers),
                "body": self.body.decode()}


class HookDeliveries:
    """Every store's deliveries, the paused hooks and consecutive failures; public methods lock themselves."""

    def __init__(self, config, clock: Clock):
        self.config = config
        self.clock = clock
        self.chaos = DeliveryChaos()
        self._cond = threading.Condition()
        self._log: list[Delivery] = []
        self._failures: dict[tuple[str, int], int] = {}
        self._paused: set[tuple[str, int]] = set()
        self._counter = 0
        self._thread: threading.Thread | None = None
        self._stopping = False

    def enqueue(self, store: str, hook_id: int, event: str, url: str, headers: dict, body: bytes) -> None:
        """Queue one delivery (chaos may drop, duplicate or hold it back) and wake the sender."""
        with self._cond:
            draw: Draw = self.chaos.draw()
            now = self.clock.now()
            delivery = self._new(store, hook_id, event, url, headers, body, now)
            if draw.drop:
                delivery.state = "dropped"
            elif draw.reorder and not self._held(store, hook_id):
                delivery.held = True
                delivery.due = now + _REORDER_HOLD * self.config.hook_time_scale
            else:
                for earlier in self._held(store, hook_id):   # overtaken: goes right after this one
                    earlier.held, earlier.due, earlier.order = False, now, self._next()
            if draw.duplicate:
                twin = self._new(store, hook_id, event, url, headers, body, delivery.due)
                twin.duplicate_of, twin.held = delivery.id, delivery.held
            self._start()
            self._cond.notify_all()

    def log(self, store: str | None = None) -> list[dict]:
        """Deliveries (of one store, or all), oldest first."""
        with self._cond:
            return [d.view() for d in self._log if store is None or d.store == store]

    def hook_state(self, store: str, hook_id: int) -> dict:
        """Whether a hook is paused and how many of its attempts in a row failed."""
        with self._cond:
            key = (store, hook_id)
            return {"paused": key in self._paused, "consecutive_failures": self._failures.get(key, 0)}

    def set_paused(self, store: str, hook_id: int, paused: bool) -> dict:
        """Pause a hook, or resume it: its failures are forgiven and what it holds is due now."""
        with self._cond:
            key = (store, hook_id)
            if paused:
                self._paused.add(key)
            elif key in self._paused:
                self._paused.discard(key)
                self._failures[key] = 0
                now = self.clock.now()
                for delivery in self._log:
                    if (delivery.store, delivery.hook_id) == key and delivery.state == "pending":
                        delivery.due = min(delivery.due, now)
            self._cond.notify_all()
            return self.hook_state(store, hook_id)

    def configure_chaos(self, data: dict) -> dict:
        """Replace the chaos rates and seed; ValueError when invalid."""
        with self._cond:
            return self.chaos.configure(data)

    def chaos_view(self) -> dict:
        """The chaos rates and seed in effect."""
        with self._cond:
            return self.chaos.view()

    def wake(self) -> None:
        """Look for due deliveries now (the sandbox clock moved)."""
        with self._cond:
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop the sender (an attempt in flight finishes first, within the transport's timeout)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=transport.TIMEOUT_SECONDS + 5)

    def _new(self, store, hook_id, event, url, headers, body, due) -> Delivery:
        delivery = Delivery(len(self._log) + 1, store, hook_id, event, url, dict(headers), body, due, self._next())
        self._log.append(delivery)
        return delivery

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def _held(self, store: str, hook_id: int) -> list[Delivery]:
        return [d for d in self._log if d.held and d.state == "pending" and (d.store, d.hook_id) == (store, hook_id)]

    def _start(self) -> None:
        if self._thread is None and not self._stopping:
            self._thread = threading.Thread(target=self._run, name="jumpseller-sandbox-hooks", daemon=True)
            self._thread.start()

    def _due(self) -> Delivery | None:
        now = self.clock.now()
        ready = [d for d in self._log if d.state == "pending" and d.due <= now
                 and (d.store, d.hook_id) not in self._paused]
        return min(ready, key=lambda d: (d.due, d.order)) if ready else None

    def _run(self) -> None:
        while True:
            with self._cond:
                delivery = None if self._stopping else self._due()
                while delivery is None and not self._stopping:
                    self._cond.wait(POLL_SECONDS)
                    delivery = self._due()
                if self._stopping:
                    return
                delivery.state = "sending"
            status, error = transport.post(delivery.url, delivery.body, delivery.headers)
            self._settle(delivery, status, error)

    def _settle(self, delivery: Delivery, status: int | None, error: str | None) -> None:
        with self._cond:
            now = self.clock.now()
            delivery.attempts.append({"at": now, "status": status, "error": error})
            key = (delivery.store, delivery.hook_id)
            delivery.held = False
            if status is not None and 200 <= status < 300:
                delivery.state = "delivered"
                self._failures[key] = 0
                return
            self._failures[key] = self._failures.get(key, 0) + 1
            if self._failures[key] >= self.config.hook_max_failures:
                self._paused.add(key)
            failed = len(delivery.attempts)
            if schedule.gives_up(failed):
                delivery.state = "failed"
            else:
                delivery.state = "pending"
                delivery.due = now + schedule.retry_delay(failed, self.config.hook_time_scale)
