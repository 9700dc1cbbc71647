"""A small id-ordered record collection for a store's settings-like resources (hooks, taxes, locations…).

Not thread-safe by itself; SandboxState's lock guards it. Records are copy-on-write: a change stores
a new dict, so a view may serialize a record after the lock is gone. Seeds may be lazy (a function
called on first access), so a store with thousands of orders pays for its fulfillments only when asked.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import datetime

from .errors import RecordError

# (current record or None when creating, validated fields, when) → the new record; raises RecordError.
Apply = Callable[[dict | None, dict, datetime | None], dict]


class Collection:
    """Records of one kind, by id; `apply` turns validated fields into a stored record."""

    def __init__(self, seed: list[dict] | Callable[[], list[dict]], apply: Apply):
        self._seed = seed
        self._apply = apply
        self._records: dict[int, dict] | None = None
        self._ids: list[int] = []

    def _loaded(self) -> dict[int, dict]:
        if self._records is None:
            seeded = self._seed() if callable(self._seed) else self._seed
            self._records = {r["id"]: dict(r) for r in seeded}
            self._ids = sorted(self._records)
        return self._records

    def count(self) -> int:
        """How many records there are."""
        return len(self._loaded())

    def get(self, record_id: int) -> dict | None:
        """The stored record, or None."""
        return self._loaded().get(record_id)

    def page(self, page: int, limit: int) -> list[dict]:
        """One page of records in id order (page counts from 1)."""
        records = self._loaded()
        offset = (page - 1) * limit
        return [records[rid] for rid in self._ids[offset: offset + limit]]

    def select(self, keep: Callable[[dict], bool]) -> list[dict]:
        """Every record `keep` accepts, in id order."""
        records = self._loaded()
        return [records[rid] for rid in self._ids if keep(records[rid])]

    def create(self, record_id: int, fields: dict, now: datetime | None = None) -> dict:
        """Store a new record from validated fields; raises RecordError."""
        records = self._loaded()
        record = {"id": record_id, **self._apply(None, fields, now)}
        records[record_id] = record
        # Seeded ids may be small per-store numbers and new ones global, so keep the order explicitly.
        self._ids.insert(bisect_left(self._ids, record_id), record_id)
        return record

    def update(self, record_id: int, fields: dict, now: datetime | None = None) -> dict | None:
        """Apply validated fields; None when there is no such record."""
        records = self._loaded()
        current = records.get(record_id)
        if current is None:
            return None
        record = {**self._apply(dict(current), fields, now), "id": record_id}
        records[record_id] = record
        return record

    def delete(self, record_id: int) -> bool:
        """Remove a record; False when there is none with this id."""
        records = self._loaded()
        if records.pop(record_id, None) is None:
            return False
        del self._ids[bisect_left(self._ids, record_id)]
        return True


def merged(current: dict | None, defaults: dict, fields: dict, required: tuple[str, ...] = ()) -> dict:
    """`fields` over the current record (or the defaults when creating); RecordError if a required one is blank."""
    record = {**(defaults if current is None else current), **fields}
    blank = {key: ["can't be blank"] for key in required if not str(record.get(key, "")).strip()}
    if blank:
        raise RecordError(blank)
    return record
