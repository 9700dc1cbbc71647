"""The delivery chaos switch: drop, duplicate or reorder deliveries at given rates, from a seeded RNG."""
from __future__ import annotations

import random
from dataclasses import dataclass

_RATES = ("drop", "duplicate", "reorder")


@dataclass(frozen=True)
class Draw:
    """What chaos does to one delivery."""

    drop: bool = False
    duplicate: bool = False
    reorder: bool = False


class DeliveryChaos:
    """Rates and their RNG; not thread-safe by itself (the delivery queue's lock guards it)."""

    def __init__(self):
        self.configure({})

    def configure(self, data: dict) -> dict:
        """Replace the rates (keys left out are 0) and restart the RNG from `seed`; ValueError when invalid."""
        unknown = sorted(set(data) - {*_RATES, "seed"})
        problems = [f"unknown field {name!r}" for name in unknown]
        for name in _RATES:
            value = data.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                problems.append(f"{name} must be a rate between 0 and 1")
        seed = data.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            problems.append("seed must be an integer")
        if problems:
            raise ValueError("; ".join(problems))
        self.rates = {name: float(data.get(name, 0)) for name in _RATES}
        self.seed = seed
        self._rng = random.Random(seed)
        return self.view()

    def view(self) -> dict:
        """The rates and seed in effect."""
        return {**self.rates, "seed": self.seed}

    def draw(self) -> Draw:
        """Decide one delivery's fate; three numbers are drawn every time, so a seed replays exactly."""
        drop, duplicate, reorder = (self._rng.random() < self.rates[name] for name in _RATES)
        return Draw(drop=drop, duplicate=duplicate and not drop, reorder=reorder and not drop)
