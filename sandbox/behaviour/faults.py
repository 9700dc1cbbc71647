"""Fault switches: which requests fail and how (5xx, latency, timeouts, dropped connections).

Pure bookkeeping (settings, a seeded RNG, counters); fault_http.py acts on a request. One roll
per request picks at most one of error / timeout / drop / drop_after, so the rates add up.
"""
from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields

FAULT_KINDS = ("error", "timeout", "drop", "drop_after")
ERROR_STATUSES = (500, 502, 503, 504)
_RATES = ("error_rate", "timeout_rate", "drop_rate", "drop_after_rate")


@dataclass(frozen=True)
class FaultSettings:
    """The switches, as POST /_sandbox/faults takes them (all off by default)."""

    error_rate: float = 0.0
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0      # each delay drawn uniformly from latency_ms ± this (never below 0)
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    drop_rate: float = 0.0
    drop_after_rate: float = 0.0
    seed: int | None = None
    include_token_endpoint: bool = False


@dataclass(frozen=True)
class Fault:
    """The fault chosen for one request (status only for kind "error")."""

    kind: str
    status: int | None = None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_settings(data) -> FaultSettings:
    """Validate a settings object (missing keys mean off); raises ValueError listing every problem."""
    if data is None:
        return FaultSettings()
    if not isinstance(data, dict):
        raise ValueError("faults must be a JSON object")
    known = {f.name for f in fields(FaultSettings)}
    problems = [f"unknown fault setting {name!r}" for name in sorted(set(data) - known)]
    for name in _RATES:
        if name in data and not (_is_number(data[name]) and 0 <= data[name] <= 1):
            problems.append(f"{name} must be a number between 0 and 1")
    for name in ("latency_ms", "latency_jitter_ms", "timeout_seconds"):
        if name in data and not (_is_number(data[name]) and data[name] >= 0):
            problems.append(f"{name} must be a non-negative number")
    if "seed" in data and data["seed"] is not None and not (isinstance(data["seed"], int)
                                                            and not isinstance(data["seed"], bool)):
        problems.append("seed must be an integer or null")
    if "include_token_endpoint" in data and not isinstance(data["include_token_endpoint"], bool):
        problems.append("include_token_endpoint must be true or false")
    if not problems and sum(data.get(name, 0) for name in _RATES) > 1:
        problems.append("error_rate + timeout_rate + drop_rate + drop_after_rate must not exceed 1")
    if problems:
        raise ValueError("; ".join(problems))
    return FaultSettings(**{k: v for k, v in data.items() if k in known})


class FaultInjector:
    """The active settings, their RNG and how many faults of each kind were injected."""

    def __init__(self, settings: dict | None = None):
        self._lock = threading.Lock()  # its own: a roll must never wait on the sandbox's lock
        self._counts = self._zero()
        self.configure(settings)

    def configure(self, data: dict | None) -> dict:
        """Replace every setting (missing keys mean off) and restart the RNG from `seed`; counts stay."""
        settings = parse_settings(data)
        with self._lock:
            self.settings = settings
            self._rng = random.Random(settings.seed)
        return self.view()

    def view(self) -> dict:
        """The settings in effect, as JSON."""
        return asdict(self.settings)

    def applies(self, token_endpoint: bool) -> bool:
        """Whether faults apply to this kind of request at all."""
        return not token_endpoint or self.settings.include_token_endpoint

    def latency(self, token_endpoint: bool) -> float:
        """Seconds to delay this request (counted when non-zero)."""
        settings = self.settings
        if not self.applies(token_endpoint) or settings.latency_ms <= 0:
            return 0.0
        with self._lock:
            self._counts["latency"] += 1
            jitter = self._rng.uniform(-1.0, 1.0) * settings.latency_jitter_ms if settings.latency_jitter_ms else 0.0
        return max(0.0, settings.latency_ms + jitter) / 1000.0

    def roll(self, token_endpoint: bool) -> Fault | None:
        """Draw this request's fault, if any, and count it."""
        settings = self.settings
        if not self.applies(token_endpoint):
            return None
        with self._lock:
            draw = self._rng.random()
            edge = 0.0
            for kind, rate in zip(FAULT_KINDS, (settings.error_rate, settings.timeout_rate,
                                                settings.drop_rate, settings.drop_after_rate)):
                edge += rate
                if draw < edge:
                    self._counts[kind] += 1
                    status = self._rng.choice(ERROR_STATUSES) if kind == "error" else None
                    return Fault(kind, status)
            return None

    def counts(self) -> dict:
        """Injected faults by kind (plus how many requests were delayed)."""
        with self._lock:
            return dict(self._counts)

    def reset_counts(self) -> None:
        """Zero the counters (settings stay)."""
        with self._lock:
            self._counts = self._zero()

    @staticmethod
    def _zero() -> dict:
        return {"latency": 0, **{kind: 0 for kind in FAULT_KINDS}}
