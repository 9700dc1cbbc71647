"""Input rules for product create/update, with Rails-like coercion and error messages."""
from __future__ import annotations

_NOT_A_NUMBER = "is not a number"


class Invalid(Exception):
    """A single field value that cannot be accepted."""


def _string(value):
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise Invalid("is invalid")
    return value if isinstance(value, str) else str(value)


def _number(value):
    if isinstance(value, bool) or value is None:
        raise Invalid(_NOT_A_NUMBER)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise Invalid(_NOT_A_NUMBER)


def _integer(value):
    number = _number(value)
    if number != int(number):
        raise Invalid("must be an integer")
    return int(number)


def _boolean(value):
    if isinstance(value, bool):
        return value
    if value in (1, "1", "true", "True"):
        return True
    if value in (0, "0", "false", "False"):
        return False
    raise Invalid("is invalid")


def _enum(*allowed):
    def convert(value):
        if value not in allowed:
            raise Invalid("is not included in the list")
        return value
    return convert


PRODUCT_FIELDS = {
    "name": _string, "description": _string, "page_title": _string, "meta_description": _string,
    "type": _enum("physical", "digital", "gift_card"), "days_to_expire": _integer,
    "price": _number, "discount": _number, "weight": _number, "stock": _integer,
    "stock_unlimited": _boolean, "stock_threshold": _integer, "stock_notification": _boolean,
    "back_in_stock_enabled": _boolean, "cost_per_item": _number, "compare_at_price": _number,
    "minimum_quantity": _number, "maximum_quantity": _number, "sku": _string, "brand": _string,
    "barcode": _string, "google_product_category_text": _string, "quotable": _boolean,
    "featured": _boolean, "reviews_enabled": _boolean, "shipping_required": _boolean,
    "status": _enum("available", "not-available", "disabled"),
    "package_format": _enum("box", "cylinder"),
    "length": _number, "width": _number, "height": _number, "diameter": _number,
    "permalink": _string,
}

VARIANT_FIELDS = {
    "id": _integer, "price": _number, "sku": _string, "barcode": _string, "stock": _integer,
    "stock_unlimited": _boolean, "stock_threshold": _integer, "stock_notification": _boolean,
    "cost_per_item": _number, "compare_at_price": _number, "image_id": _integer,
}

OPTION_FIELDS = {
    "name": _string, "option_type": _enum("option", "color"), "value": _string, "custom": _string,
    "product_option_position": _integer, "product_value_position": _integer,
}


def _convert_all(data: dict, rules: dict, errors: dict, prefix: str = "") -> dict:
    clean = {}
    for key, convert in rules.items():
        if key not in data:
            continue
        try:
            clean[key] = convert(data[key])
        except Invalid as exc:
            errors.setdefault(prefix + key, []).append(str(exc))
    return clean


def _variants(raw, errors: dict) -> list[dict]:
    if not isinstance(raw, list):
        errors.setdefault("variants", []).append("must be a list")
        return []
    result = []
    for i, item in enumerate(raw):
        # The create schema wraps each variant ({"variant": {...}}); the edit schema does not.
        body = item.get("variant", item) if isinstance(item, dict) else None
        if not isinstance(body, dict):
            errors.setdefault(f"variants[{i}]", []).append("is invalid")
            continue
        variant = _convert_all(body, VARIANT_FIELDS, errors, f"variants[{i}].")
        options = []
        raw_options = body.get("options", [])
        if not isinstance(raw_options, list):
            errors.setdefault(f"variants[{i}].options", []).append("must be a list")
            raw_options = []
        for j, option in enumerate(raw_options):
            where = f"variants[{i}].options[{j}]."
            if not isinstance(option, dict):
                errors.setdefault(where.rstrip("."), []).append("is invalid")
                continue
            clean = _convert_all(option, OPTION_FIELDS, errors, where)
            for required in ("name", "value"):
                if not clean.get(required, "").strip() and where + required not in errors:
                    errors.setdefault(where + required, []).append("can't be blank")
            options.append(clean)
        variant["options"] = options
        result.append(variant)
    return result


def _category_ids(raw, errors: dict) -> list[int]:
    if not isinstance(raw, list):
        errors.setdefault("categories", []).append("must be a list")
        return []
    ids = []
    for item in raw:
        value = item.get("id") if isinstance(item, dict) else item
        try:
            ids.append(_integer(value))
        except Invalid:
            errors.setdefault("categories", []).append("must reference categories by id")
    return ids


def parse_product(data, *, partial: bool) -> tuple[dict, dict]:
    """Coerce a request's `product` object; returns (clean fields, errors by field)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        return {}, {"product": ["must be an object"]}
    clean = _convert_all(data, PRODUCT_FIELDS, errors)
    if "variants" in data:
        clean["variants"] = _variants(data["variants"], errors)
    if "categories" in data:
        clean["category_ids"] = _category_ids(data["categories"], errors)
    if not partial:
        for required in ("name", "price"):
            if required not in data:
                errors.setdefault(required, []).append("can't be blank")
    return clean, errors


def check_product(product: dict) -> dict:
    """Whole-record rules on a product after the change is applied; returns errors by field."""
    errors: dict[str, list[str]] = {}
    if not product.get("name", "").strip():
        errors.setdefault("name", []).append("can't be blank")
    if product.get("price", 0) < 0:
        errors.setdefault("price", []).append("must be greater than or equal to 0")
    compare = product.get("compare_at_price")
    if compare and compare <= product.get("price", 0):
        errors.setdefault("compare_at_price", []).append("must be greater than price")
    minimum, maximum = product.get("minimum_quantity"), product.get("maximum_quantity")
    if minimum is not None and minimum <= 0:
        errors.setdefault("minimum_quantity", []).append("must be greater than 0")
    if maximum is not None and minimum is not None and maximum < minimum:
        errors.setdefault("maximum_quantity", []).append("must be greater than or equal to minimum_quantity")
    for field in ("stock", "weight"):
        if product.get(field, 0) < 0:
            errors.setdefault(field, []).append("must be greater than or equal to 0")
    return errors
