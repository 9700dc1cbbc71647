"""A store's products: seeded lazily (cheap for 20,000+), mutable, copy-on-write records.

Not thread-safe by itself; SandboxState calls it under its lock. Records are never mutated in
place (every change stores a new dict), so a view may serialize a record after the lock is gone.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime

from ..seed import store as seed
from ..seed.store import SUB_ID_SPAN
from .categories import CategoryTree
from .errors import RecordError
from .fragments import FragmentCache
from .validation import check_product

# The Product schema's fields, in the spec's order: what the API shows.
OUTPUT_FIELDS = (
    "id", "name", "page_title", "description", "type", "days_to_expire", "price", "discount",
    "weight", "stock", "stock_unlimited", "stock_threshold", "stock_notification",
    "back_in_stock_enabled", "cost_per_item", "compare_at_price", "sku", "brand", "barcode",
    "google_product_category_text", "quotable", "featured", "reviews_enabled", "status",
    "created_at", "updated_at", "package_format", "length", "width", "height", "diameter",
    "permalink", "categories", "images", "variants", "digital_products",
)

_NEW_PRODUCT_DEFAULTS = {
    "page_title": "", "description": "", "type": "physical", "days_to_expire": 365,
    "discount": 0.0, "weight": 1.0, "stock": 100, "stock_unlimited": False, "stock_threshold": 0,
    "stock_notification": False, "back_in_stock_enabled": False, "cost_per_item": 0.0,
    "compare_at_price": 0.0, "sku": "", "brand": "", "barcode": "",
    "google_product_category_text": "", "quotable": False, "featured": False,
    "reviews_enabled": True, "status": "available", "package_format": "box",
    "length": 0.0, "width": 0.0, "height": 0.0, "diameter": 0.0,
}

_VARIANT_OUTPUT = ("id", "price", "sku", "barcode", "stock", "stock_unlimited", "stock_threshold",
                   "stock_notification", "cost_per_item", "compare_at_price", "options")


_PRISTINE = object()  # fragment token of an untouched seeded product


class CatalogError(RecordError):
    """A product change that breaks a rule; `errors` maps field → messages (Rails style)."""

    kind = "product"


def public_view(product: dict, tree: CategoryTree | None = None) -> dict:
    """Only the Product schema's fields of a stored record, with its categories as they are now."""
    view = {key: product[key] for key in OUTPUT_FIELDS if key in product}
    if tree is not None and "categories" in view:
        view["categories"] = [dict(c) for c in tree.resolve(c["id"] for c in view["categories"])]
    return view


class ProductCatalog:
    """Products of one store, ordered by id (the order Jumpseller pages them in)."""

    def __init__(self, store_code: str, first_id: int, seed_count: int, seeded_categories: list[dict],
                 tree: CategoryTree, presenter=None):
        self.store_code = store_code
        # Seeding draws from the categories the store was created with, so a later category
        # change never reshuffles seeded products; the live tree is applied when showing them.
        self.seeded_categories = seeded_categories
        self.tree = tree
        self._first_seed_id = first_id
        self._seed_count = seed_count
        # A sorted id list is the catalog's truth; seeded records are built on first access.
        self._ids = list(range(first_id, first_id + seed_count))
        # Only created or changed products are kept as dicts; untouched seeded ones are rebuilt
        # on demand (cheap) and otherwise live as cached JSON, which is all a page needs.
        self._records: dict[int, dict] = {}
        self._fragments = FragmentCache(presenter)
        self._prerendered = (0, -1)  # (seed index reached, tree version it was reached under)

    def json_of(self, product_id: int) -> str:
        """The wrapped product as JSON text (sandbox image URLs still relative); the id must exist."""
        record = self._records.get(product_id)
        token = record if record is not None else _PRISTINE
        return self._fragments.get(product_id, token, self.tree.version,
                                   lambda: {"product": public_view(record or self.get(product_id), self.tree)})

    def page_json(self, page: int, limit: int, after_id: int | None = None) -> list[str]:
        """One page as JSON fragments (page counts from 1), optionally only ids > after_id."""
        start = 0 if after_id is None else bisect_right(self._ids, after_id)
        offset = start + (page - 1) * limit
        return [self.json_of(pid) for pid in self._ids[offset: offset + limit]]

    def prerender(self, budget: int) -> int:
        """Render up to `budget` untouched seeded products ahead of requests; returns how many."""
        reached, version = self._prerendered
        if version != self.tree.version:
            reached, version = 0, self.tree.version
        done = 0
        while reached < self._seed_count and done < budget:
            product_id = self._first_seed_id + reached
            reached += 1
            if product_id not in self._records and self._exists(product_id) and \
                    not self._fragments.has(product_id, _PRISTINE, version):
                self.json_of(product_id)
                done += 1
        self._prerendered = (reached, version)
        return done

    def _exists(self, product_id: int) -> bool:
        index = bisect_left(self._ids, product_id)
        return index < len(self._ids) and self._ids[index] == product_id

    def first_id(self) -> int | None:
        """The lowest product id, or None in an empty catalog."""
        return self._ids[0] if self._ids else None

    def count(self) -> int:
        """How many products the store has."""
        return len(self._ids)

    def get(self, product_id: int) -> dict | None:
        """The record of a product (a fresh dict for an untouched seeded one), or None."""
        if product_id in self._records:
            return self._records[product_id]
        seed_index = product_id - self._first_seed_id
        if not 0 <= seed_index < self._seed_count or not self._exists(product_id):
            return None
        return seed.product(self.store_code, product_id, seed_index, self.seeded_categories)

    def create(self, product_id: int, fields: dict, now: datetime) -> dict:
        """Store a new product from validated fields; raises CatalogError on rule violations."""
        stamp = seed.timestamp(now)
        record = dict(_NEW_PRODUCT_DEFAULTS)
        record.update({"id": product_id, "created_at": stamp, "updated_at": stamp,
                       "images": [], "variants": [], "digital_products": [], "categories": []})
        self._apply(record, fields)
        if not fields.get("permalink"):
            record["permalink"] = self._unique_permalink(seed.slugify(record["name"]), product_id)
        errors = check_product(record)
        if errors:
            raise CatalogError(errors)
        self._ids.append(product_id)  # ids only grow, so the list stays sorted
        self._records[product_id] = record
        return record

    def update(self, product_id: int, fields: dict, now: datetime) -> dict | None:
        """Apply validated fields to a product; None when it does not exist."""
        current = self.get(product_id)
        if current is None:
            return None
        record = dict(current)
        self._apply(record, fields)
        errors = check_product(record)
        if errors:
            raise CatalogError(errors)
        record["updated_at"] = seed.timestamp(now)
        self._records[product_id] = record
        return record

    def delete(self, product_id: int) -> bool:
        """Remove a product; False when it does not exist."""
        if self.get(product_id) is None:
            return False
        del self._ids[bisect_left(self._ids, product_id)]
        self._records.pop(product_id, None)
        self._fragments.forget(product_id)
        return True

    def _apply(self, record: dict, fields: dict) -> None:
        errors: dict[str, list[str]] = {}
        for key, value in fields.items():
            if key not in ("variants", "category_ids"):
                record[key] = value
        if "category_ids" in fields:
            missing = [cid for cid in fields["category_ids"] if self.tree.get(cid) is None]
            if missing:
                errors["categories"] = [f"category {cid} does not exist" for cid in missing]
            record["categories"] = [dict(c) for c in self.tree.resolve(fields["category_ids"])]
        if "variants" in fields:
            record["variants"] = self._merge_variants(record, fields["variants"], errors)
        if errors:
            raise CatalogError(errors)

    def _merge_variants(self, record: dict, incoming: list[dict], errors: dict) -> list[dict]:
        # Nested-attributes semantics: an id updates that variant, no id adds one, others stay.
        variants = [dict(v) for v in record.get("variants", [])]
        by_id = {v["id"]: v for v in variants}
        images = {image["id"]: image for image in record.get("images", [])}
        next_n = max((v["id"] - record["id"] * SUB_ID_SPAN for v in variants), default=0) + 1
        for i, change in enumerate(incoming):
            change = dict(change)
            variant_id = change.pop("id", None)
            if variant_id is not None:
                target = by_id.get(variant_id)
                if target is None:
                    errors.setdefault(f"variants[{i}].id", []).append("does not exist")
                    continue
            else:
                if next_n >= SUB_ID_SPAN:
                    errors.setdefault("variants", []).append(f"at most {SUB_ID_SPAN - 1} variants")
                    break
                target = {"id": record["id"] * SUB_ID_SPAN + next_n, "price": record.get("price", 0.0),
                          "sku": "", "barcode": "", "stock": 0, "stock_unlimited": False,
                          "stock_threshold": 0, "stock_notification": False, "cost_per_item": 0.0,
                          "compare_at_price": 0.0, "options": []}
                next_n += 1
                variants.append(target)
                by_id[target["id"]] = target
            image_id = change.pop("image_id", None)
            if image_id is not None:
                if image_id not in images:
                    errors.setdefault(f"variants[{i}].image_id", []).append("does not exist")
                else:
                    target["image"] = dict(images[image_id])
            if "options" in change:
                change["options"] = [_option(o, n) for n, o in enumerate(change["options"], start=1)]
            target.update(change)
        return [{k: v[k] for k in (*_VARIANT_OUTPUT, "image") if k in v} for v in variants]

    def _unique_permalink(self, slug: str, product_id: int) -> str:
        # Seeded permalinks end in "-<n>", so only stored records can clash with a plain slug.
        taken = {r.get("permalink") for r in self._records.values()}
        return slug if slug not in taken else f"{slug}-{product_id}"


def _option(option: dict, position: int) -> dict:
    return {
        "name": option["name"],
        "option_type": option.get("option_type", "option"),
        "value": option["value"],
        "custom": option.get("custom", ""),
        "product_option_position": option.get("product_option_position", position),
        "product_value_position": option.get("product_value_position", 1),
    }

