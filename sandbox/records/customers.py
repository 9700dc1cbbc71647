"""A store's customers: seeded lazily (cheap at any size), looked up by id or email, mutable.

Not thread-safe by itself; SandboxState's lock guards it. Records are copy-on-write.
"""
from __future__ import annotations

from bisect import bisect_left

from ..seed import customers as seed_customers
from .errors import RecordError

# CustomerFields in the spec's order.
OUTPUT_FIELDS = ("id", "email", "phone", "fullname", "status", "accepts_marketing", "accepted_marketing_at",
                 "cancelled_marketing_at", "shipping_address", "billing_address", "customer_categories",
                 "customer_additional_fields")


class CustomerError(RecordError):
    """A customer change that breaks a rule; `errors` maps field → messages (Rails style)."""

    kind = "customer"


class CustomerBook:
    """Customers of one store, ordered by id."""

    def __init__(self, store_code: str, first_id: int, seed_count: int, country: str, categories: list[dict]):
        self.store_code = store_code
        self.country = country
        self.categories = {c["id"]: c for c in categories}
        self.first_seed_id = first_id
        self.seed_count = seed_count
        self._ids = list(range(first_id, first_id + seed_count))
        self._records: dict[int, dict] = {}
        self._by_email: dict[str, int] = {}   # emails of built records only; seeded ones are parsed

    def count(self) -> int:
        """How many customers the store has."""
        return len(self._ids)

    def get(self, customer_id: int) -> dict | None:
        """The stored record, or None."""
        if customer_id in self._records:
            return self._records[customer_id]
        index = customer_id - self.first_seed_id
        if not 0 <= index < self.seed_count or not self._exists(customer_id):
            return None
        record = seed_customers.customer(self.store_code, customer_id, index, self.country,
                                         list(self.categories.values()))
        self._store(record)
        return record

    def by_email(self, email: str) -> dict | None:
        """The customer with this email (case-insensitive), or None."""
        key = email.strip().lower()
        if key in self._by_email:
            return self._records[self._by_email[key]]
        index = seed_customers.seed_index_of_email(key)
        if index is None or not 0 <= index < self.seed_count or self.first_seed_id + index in self._records:
            return None  # a built seeded record is found through _by_email, under its current email
        record = self.get(self.first_seed_id + index)
        return record if record is not None and record["email"] == key else None

    def page(self, page: int, limit: int) -> list[dict]:
        """One page of customers in id order (page counts from 1)."""
        offset = (page - 1) * limit
        return [self.get(cid) for cid in self._ids[offset: offset + limit]]

    def create(self, customer_id: int, fields: dict) -> dict:
        """Store a new customer from validated fields; raises CustomerError."""
        record = {"id": customer_id, "email": "", "phone": "", "status": "approved", "accepts_marketing": False,
                  "shipping_address": {}, "billing_address": {}, "category_ids": [],
                  "customer_additional_fields": []}
        self._apply(record, fields)
        self._ids.append(customer_id)  # ids only grow, so the list stays sorted
        self._store(record)
        return record

    def update(self, customer_id: int, fields: dict) -> dict | None:
        """Apply validated fields; None when the customer does not exist."""
        current = self.get(customer_id)
        if current is None:
            return None
        record = dict(current)
        self._apply(record, fields)
        self._by_email.pop(current["email"], None)
        self._store(record)
        return record

    def delete(self, customer_id: int) -> bool:
        """Remove a customer; False when there is none with this id."""
        record = self.get(customer_id)
        if record is None:
            return False
        del self._ids[bisect_left(self._ids, customer_id)]
        del self._records[customer_id]
        self._by_email.pop(record["email"], None)
        return True

    def present(self, record: dict) -> dict:
        """The spec's CustomerFields of a record."""
        billing = record.get("billing_address") or {}
        fullname = " ".join(p for p in (billing.get("name", ""), billing.get("surname", "")) if p)
        view = {**record, "fullname": fullname or record["email"],
                "customer_categories": [{"customer_category": dict(self.categories[cid])}
                                        for cid in record.get("category_ids", []) if cid in self.categories]}
        return {key: view[key] for key in OUTPUT_FIELDS if key in view}

    def _exists(self, customer_id: int) -> bool:
        index = bisect_left(self._ids, customer_id)
        return index < len(self._ids) and self._ids[index] == customer_id

    def _store(self, record: dict) -> None:
        self._records[record["id"]] = record
        self._by_email[record["email"]] = record["id"]

    def _apply(self, record: dict, fields: dict) -> None:
        errors: dict[str, list[str]] = {}
        if "email" in fields:
            email = fields["email"].strip().lower()
            owner = self.by_email(email) if email else None
            if owner is not None and owner["id"] != record["id"]:
                errors.setdefault("email", []).append("has already been taken")
            record["email"] = email
        if not record["email"]:
            errors.setdefault("email", []).append("can't be blank")
        for key in ("phone", "status", "accepts_marketing", "customer_additional_fields"):
            if key in fields:
                record[key] = fields[key]
        for key in ("shipping_address", "billing_address"):
            if key in fields:
                record[key] = {**record.get(key, {}), **fields[key]}
        if "customer_category" in fields:
            missing = [cid for cid in fields["customer_category"] if cid not in self.categories]
            if missing:
                errors.setdefault("customer_category", []).extend(
                    f"customer category {cid} does not exist" for cid in missing)
            record["category_ids"] = [cid for cid in fields["customer_category"] if cid in self.categories]
        if errors:
            raise CustomerError(errors)
