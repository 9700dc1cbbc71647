"""A store's category tree: ordered by id, copy-on-write records, permalinks unique per store.

Not thread-safe by itself; SandboxState's lock guards it. Products keep only category ids that
are resolved here when shown, so a renamed or deleted category is reflected in every product.
"""
from __future__ import annotations

from bisect import bisect_left

from ..seed.store import slugify
from .errors import RecordError


class CategoryError(RecordError):
    """A category change that breaks a rule; `errors` maps field → messages (Rails style)."""

    kind = "category"


class CategoryTree:
    """Categories of one store; records are never mutated in place."""

    def __init__(self, seeded: list[dict]):
        self._records = {c["id"]: dict(c) for c in seeded}
        self._ids = sorted(self._records)
        self.version = 0  # bumped on every change, so cached product JSON knows to refresh

    def count(self) -> int:
        """How many categories the store has."""
        return len(self._ids)

    def get(self, category_id: int) -> dict | None:
        """The stored record, or None."""
        return self._records.get(category_id)

    def page(self, page: int, limit: int) -> list[dict]:
        """One page of categories in id order (page counts from 1)."""
        offset = (page - 1) * limit
        return [self._records[cid] for cid in self._ids[offset: offset + limit]]

    def resolve(self, category_ids) -> list[dict]:
        """The current records of these ids, skipping deleted ones (how products show them)."""
        return [self._records[cid] for cid in category_ids if cid in self._records]

    def create(self, category_id: int, fields: dict) -> dict:
        """Store a new category from validated fields; raises CategoryError."""
        if not fields.get("name", "").strip():
            raise CategoryError({"name": ["can't be blank"]})
        record = {"id": category_id, "name": fields["name"],
                  "permalink": self._unique_permalink(slugify(fields["name"]), category_id)}
        self._set_parent(record, fields)
        self._ids.append(category_id)  # ids only grow, so the list stays sorted
        self._records[category_id] = record
        self.version += 1
        return record

    def update(self, category_id: int, fields: dict) -> dict | None:
        """Apply validated fields (name, parent_id); None when the category does not exist."""
        current = self._records.get(category_id)
        if current is None:
            return None
        record = dict(current)
        if "name" in fields:
            if not fields["name"].strip():
                raise CategoryError({"name": ["can't be blank"]})
            record["name"] = fields["name"]
        self._set_parent(record, fields)
        self._records[category_id] = record
        self.version += 1
        return record

    def delete(self, category_id: int) -> bool:
        """Remove a category; its children move up to its parent (nothing else is deleted)."""
        doomed = self._records.pop(category_id, None)
        if doomed is None:
            return False
        del self._ids[bisect_left(self._ids, category_id)]
        for cid, record in list(self._records.items()):
            if record.get("parent_id") == category_id:
                moved = {k: v for k, v in record.items() if k != "parent_id"}
                if "parent_id" in doomed:
                    moved["parent_id"] = doomed["parent_id"]
                self._records[cid] = moved
        self.version += 1
        return True

    def _set_parent(self, record: dict, fields: dict) -> None:
        if "parent_id" not in fields:
            return
        parent_id = fields["parent_id"]
        if parent_id is None:  # the spec's root categories simply carry no parent_id
            record.pop("parent_id", None)
            return
        if parent_id not in self._records:
            raise CategoryError({"parent_id": [f"category {parent_id} does not exist"]})
        ancestor = parent_id
        while ancestor is not None:  # a category may not become its own descendant
            if ancestor == record["id"]:
                raise CategoryError({"parent_id": ["would create a cycle"]})
            ancestor = self._records[ancestor].get("parent_id")
        record["parent_id"] = parent_id

    def _unique_permalink(self, slug: str, category_id: int) -> str:
        taken = {r["permalink"] for r in self._records.values()}
        return slug if slug not in taken else f"{slug}-{category_id}"
