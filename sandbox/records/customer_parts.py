"""What hangs off customers: a customer's additional (checkout) fields, and the store's customer categories.

Both are collection views over the CustomerBook, so a customer's JSON shows every change at once.
"""
from __future__ import annotations

from ..seed.store import SUB_ID_SPAN, slugify
from .collection import Collection
from .errors import RecordError

_KEY = "customer_additional_field"


class AdditionalFields:
    """One customer's additional fields; each answers one of the store's checkout custom fields."""

    def __init__(self, customers, customer: dict, checkout_fields: Collection):
        self.customers = customers
        self.customer = customer
        self.checkout_fields = checkout_fields

    def items(self) -> list[dict]:
        """The fields, unwrapped, in order."""
        return [entry[_KEY] for entry in self.customer.get("customer_additional_fields", [])]

    def count(self) -> int:
        """How many fields the customer has."""
        return len(self.items())

    def get(self, field_id: int) -> dict | None:
        """One field by id, or None."""
        return next((item for item in self.items() if item["id"] == field_id), None)

    def page(self, page: int, limit: int) -> list[dict]:
        """One page of fields (page counts from 1)."""
        offset = (page - 1) * limit
        return self.items()[offset: offset + limit]

    def create(self, _id, fields: dict) -> dict:
        """Answer a checkout custom field for this customer."""
        definition = self.checkout_fields.get(fields.get("checkout_custom_field_id", 0))
        if definition is None:
            raise RecordError({"checkout_custom_field_id": ["does not exist"]})
        if any(item["checkout_custom_field_id"] == definition["id"] for item in self.items()):
            raise RecordError({"checkout_custom_field_id": ["has already been taken"]})
        used = max((item["id"] - self.customer["id"] * SUB_ID_SPAN for item in self.items()), default=0)
        item = {"id": self.customer["id"] * SUB_ID_SPAN + used + 1, "label": definition["label"],
                "value": fields.get("value", ""), "area": definition["area"], "customer_id": self.customer["id"],
                "checkout_custom_field_id": definition["id"]}
        self._save(self.items() + [item])
        return item

    def update(self, field_id: int, fields: dict) -> dict | None:
        """Change a field's value; None when the customer has no such field."""
        current = self.get(field_id)
        if current is None:
            return None
        if fields.get("checkout_custom_field_id", current["checkout_custom_field_id"]) \
                != current["checkout_custom_field_id"]:
            raise RecordError({"checkout_custom_field_id": ["cannot be changed"]})
        items = [{**item, "value": fields.get("value", item["value"])} if item["id"] == field_id else item
                 for item in self.items()]
        self._save(items)
        return self.get(field_id)

    def delete(self, field_id: int) -> bool:
        """Remove a field; False when the customer has no such field."""
        kept = [item for item in self.items() if item["id"] != field_id]
        if len(kept) == self.count():
            return False
        self._save(kept)
        return True

    def _save(self, items: list[dict]) -> None:
        self.customer = self.customers.update(self.customer["id"],
                                              {"customer_additional_fields": [{_KEY: item} for item in items]})


def additional_fields(store, customer_id: int) -> AdditionalFields | None:
    """The additional fields of a store's customer, or None without the customer."""
    customer = store.customers.get(customer_id)
    if customer is None:
        return None
    return AdditionalFields(store.customers, customer, store.settings.checkout_custom_fields)


class CustomerCategories:
    """The store's customer categories (the CustomerBook's own table, so customers show changes)."""

    def __init__(self, customers):
        self.table: dict[int, dict] = customers.categories

    def count(self) -> int:
        """How many categories there are."""
        return len(self.table)

    def get(self, category_id: int) -> dict | None:
        """One category by id, or None."""
        return self.table.get(category_id)

    def page(self, page: int, limit: int) -> list[dict]:
        """One page of categories by id (page counts from 1)."""
        offset = (page - 1) * limit
        return [self.table[cid] for cid in sorted(self.table)[offset: offset + limit]]

    def create(self, category_id: int, fields: dict) -> dict:
        """A new category; its code is made from the name, unique in the store."""
        name = self._name(fields)
        record = {"id": category_id, "name": name, "code": self._code(name, category_id)}
        self.table[category_id] = record
        return record

    def update(self, category_id: int, fields: dict) -> dict | None:
        """Rename a category (its code stays); None when there is no such category."""
        current = self.table.get(category_id)
        if current is None:
            return None
        record = {**current, "name": self._name(fields)} if "name" in fields else dict(current)
        self.table[category_id] = record
        return record

    def delete(self, category_id: int) -> bool:
        """Remove a category; its customers simply stop showing it."""
        return self.table.pop(category_id, None) is not None

    @staticmethod
    def _name(fields: dict) -> str:
        name = fields.get("name", "").strip()
        if not name:
            raise RecordError({"name": ["can't be blank"]})
        return name

    def _code(self, name: str, category_id: int) -> str:
        code = slugify(name).replace("-", "_")
        return code if code not in {c["code"] for c in self.table.values()} else f"{code}_{category_id}"
