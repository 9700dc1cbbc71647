"""What hangs off one product: its variants, images, options and custom field values.

Each is a small collection view over one list of the product record; a change goes through the
catalog's update (copy-on-write, stamped), so the product's JSON and updated_at follow. Sub-ids are
product_id * SUB_ID_SPAN + n, like the seeded variants and images; option values nest one level more.
"""
from __future__ import annotations

from datetime import datetime

from ..seed.store import SUB_ID_SPAN, Draws
from .collection import Collection
from .errors import RecordError
from .validation import parse_product

_MATERIALS = ["Algodón", "Lana", "Cerámica", "Cuero", "Madera nativa", "Lino"]
_ORIGINS = ["Chile", "Perú", "Argentina"]


class _Part:
    """A list inside one product record, seen as a collection of sub-records by id."""

    key = ""

    def __init__(self, catalog, product: dict, now: datetime):
        self.catalog = catalog
        self.product = product
        self.now = now   # every change is stamped with the time of the request that makes it

    def items(self) -> list[dict]:
        """The current sub-records, in order."""
        return list(self.product.get(self.key, []))

    def count(self) -> int:
        """How many sub-records the product has."""
        return len(self.items())

    def get(self, item_id: int) -> dict | None:
        """One sub-record by id, or None."""
        return next((item for item in self.items() if item["id"] == item_id), None)

    def page(self, page: int, limit: int) -> list[dict]:
        """One page of sub-records (page counts from 1)."""
        offset = (page - 1) * limit
        return self.items()[offset: offset + limit]

    def _next_id(self) -> int:
        used = max((item["id"] - self.product["id"] * SUB_ID_SPAN for item in self.items()), default=0)
        if used + 1 >= SUB_ID_SPAN:
            raise RecordError({self.key: [f"at most {SUB_ID_SPAN - 1} per product"]})
        return self.product["id"] * SUB_ID_SPAN + used + 1

    def _save(self, items: list[dict]) -> None:
        self.product = self.catalog.update(self.product["id"], {self.key: items}, self.now)

    def update(self, item_id: int, fields: dict) -> dict | None:
        """Apply validated fields to one sub-record; None when there is none with this id."""
        items = self.items()
        index = next((n for n, item in enumerate(items) if item["id"] == item_id), None)
        if index is None:
            return None
        items[index] = self._changed(dict(items[index]), fields)
        self._save(items)
        return self.get(item_id)

    def delete(self, item_id: int) -> bool:
        """Remove one sub-record; False when there is none with this id."""
        items = self.items()
        kept = [item for item in items if item["id"] != item_id]
        if len(kept) == len(items):
            return False
        self._save(kept)
        return True

    def _changed(self, item: dict, fields: dict) -> dict:
        item.update(fields)
        return item


class Variants(_Part):
    """A product's variants, changed through the catalog's nested-attributes rules."""

    key = "variants"

    def create(self, _id, fields: dict) -> dict:
        """Add a variant (the catalog numbers it)."""
        self.product = self.catalog.update(self.product["id"], {"variants": [fields]}, self.now)
        return self.product["variants"][-1]

    def update(self, item_id: int, fields: dict) -> dict | None:
        """Change one variant; None when the product has no such variant."""
        if self.get(item_id) is None:
            return None
        self.product = self.catalog.update(self.product["id"], {"variants": [{**fields, "id": item_id}]}, self.now)
        return self.get(item_id)


def parse_variant(data, *, partial: bool) -> tuple[dict, dict]:
    """Coerce a `variant` object by the product rules for one nested variant."""
    clean, errors = parse_product({"variants": [data]}, partial=True)
    fields = clean.get("variants", [{}])[0] if clean.get("variants") else {}
    if not fields.get("options"):
        fields.pop("options", None)   # no options given: leave the variant's own
    fields.pop("id", None)            # the path names the variant
    return fields, {key.replace("variants[0].", ""): messages for key, messages in errors.items()}


class Images(_Part):
    """A product's images (position orders them)."""

    key = "images"

    def create(self, _id, fields: dict) -> dict:
        """Add an image from its URL."""
        if not fields.get("url"):
            raise RecordError({"url": ["can't be blank"]})
        image = {"id": self._next_id(), "position": fields.get("position", self.count() + 1), "url": fields["url"]}
        self._save(self.items() + [image])
        return self.get(image["id"])

    def items(self) -> list[dict]:
        """The images, by position."""
        return sorted(self.product.get("images", []), key=lambda image: (image["position"], image["id"]))


def seeded_options(product: dict) -> list[dict]:
    """The ProductOption records implied by a seeded product's variants (Talla, Color)."""
    options: dict[int, dict] = {}
    for variant in product.get("variants", []):
        for chosen in variant.get("options", []):
            position = chosen["product_option_position"]
            option_id = product["id"] * SUB_ID_SPAN + position
            option = options.setdefault(position, {"id": option_id, "name": chosen["name"], "position": position,
                                                   "option_type": chosen["option_type"], "addon_price": None,
                                                   "values": []})
            if all(value["name"] != chosen["value"] for value in option["values"]):
                option["values"].append({"id": option_id * SUB_ID_SPAN + chosen["product_value_position"],
                                         "name": chosen["value"], "custom": chosen.get("custom", ""),
                                         "position": chosen["product_value_position"]})
    return [options[position] for position in sorted(options)]


class Options(_Part):
    """A product's options; until one is changed they are the ones its variants imply."""

    key = "options"

    def items(self) -> list[dict]:
        """The options, by position."""
        stored = self.product.get("options")
        return list(stored) if stored is not None else seeded_options(self.product)

    def create(self, _id, fields: dict) -> dict:
        """Add an option (no values yet)."""
        if not fields.get("name", "").strip():
            raise RecordError({"name": ["can't be blank"]})
        option = {"id": self._next_id(), "name": fields["name"], "position": fields.get("position", self.count() + 1),
                  "option_type": fields.get("option_type", "option"), "addon_price": fields.get("addon_price"),
                  "values": []}
        self._save(self.items() + [option])
        return self.get(option["id"])


class Fields(_Part):
    """A product's custom field values, each for one of the store's custom fields."""

    key = "fields"

    def __init__(self, catalog, product: dict, now: datetime, custom_fields: Collection):
        super().__init__(catalog, product, now)
        self.custom_fields = custom_fields

    def items(self) -> list[dict]:
        """The values; seeded products carry a material and an origin."""
        stored = self.product.get("fields")
        return list(stored) if stored is not None else self._seeded()

    def _seeded(self) -> list[dict]:
        rng = Draws(f"fields:{self.product['id']}")
        values = [(1, rng.pick(_MATERIALS)), (2, rng.pick(_ORIGINS))]
        return [self._value(self.product["id"] * SUB_ID_SPAN + n, definition, value)
                for n, (field_id, value) in enumerate(values, start=1)
                if (definition := self.custom_fields.get(field_id)) is not None]

    @staticmethod
    def _value(value_id: int, definition: dict, value: str, variant_id: int | None = None) -> dict:
        options = definition.get("values", [])
        record = {"id": value_id, "custom_field_id": definition["id"], "type": definition["type"],
                  "label": definition["label"], "value": value,
                  "value_id": str(options.index(value) + 1) if value in options else ""}
        if variant_id is not None:
            record["variant_id"] = variant_id
        return record

    def create(self, _id, fields: dict) -> dict:
        """Give the product a value for one of the store's custom fields (`id` names the custom field)."""
        definition = self.custom_fields.get(fields.get("id", 0))
        if definition is None:
            raise RecordError({"id": ["custom field does not exist"]})
        self._check(definition, fields.get("value", ""))
        variant_ids = {variant["id"] for variant in self.product.get("variants", [])}
        missing = [vid for vid in fields.get("variants", []) if vid not in variant_ids]
        if missing:
            raise RecordError({"variants": [f"variant {vid} does not exist" for vid in missing]})
        value = self._value(self._next_id(), definition, fields.get("value", ""),
                            (fields.get("variants") or [None])[0])
        self._save(self.items() + [value])
        return self.get(value["id"])

    def _changed(self, item: dict, fields: dict) -> dict:
        definition = self.custom_fields.get(item["custom_field_id"]) or {"id": item["custom_field_id"],
                                                                       "type": item["type"], "label": item["label"]}
        if "value" in fields:
            self._check(definition, fields["value"])
            return self._value(item["id"], definition, fields["value"], item.get("variant_id"))
        return item

    @staticmethod
    def _check(definition: dict, value: str) -> None:
        if not value.strip():
            raise RecordError({"value": ["can't be blank"]})
        if definition["type"] == "selection" and value not in definition.get("values", []):
            raise RecordError({"value": ["is not included in the list"]})


def part(kind: str, store, product_id: int, now: datetime):
    """The `kind` ("variants", "images", "options", "fields") of a store's product, or None without the product."""
    product = store.catalog.get(product_id)
    if product is None:
        return None
    if kind == "fields":
        return Fields(store.catalog, product, now, store.settings.custom_fields)
    return {"variants": Variants, "images": Images, "options": Options}[kind](store.catalog, product, now)
