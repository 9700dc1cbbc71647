"""/v1/products/{id}/…: a product's variants, images, options and custom field values.

Paths and parameter names are the spec's, which are not uniform (image PUT and field PUT/DELETE name
the product {product_id}); every change goes through the shared CRUD flow and the catalog.
"""
from __future__ import annotations

from flask import g, request

from ..records import setting_forms as forms
from ..records.product_parts import parse_variant, part
from ..web import current_state, json_response
from . import crud
from .base import fragments_response, resource_body

_BASE = "/products/{id}"


def _parts(kind: str):
    def records(store, **ids):
        # Spec paths name the product {id} or {product_id}; either arrives here.
        product_id = ids.get("record_id", ids.get("product_id"))
        return part(kind, store, product_id, current_state().now_datetime())
    return records


def _absolute(item: dict) -> dict:
    """Sandbox-served image paths made absolute, as the product's own JSON shows them."""
    root = request.host_url.rstrip("/")
    shown = dict(item)
    if str(shown.get("url", "")).startswith("/_sandbox/"):
        shown["url"] = root + shown["url"]
    if isinstance(shown.get("image"), dict):
        shown["image"] = _absolute(shown["image"])
    return shown


def _resource(kind: str, name: str, label: str, parse, **options) -> crud.Resource:
    def wrap(item: dict) -> dict:
        return {name: _absolute(item)}
    return crud.Resource(name, label, _parts(kind), parse, lambda item: json_response(wrap(item)), wrap=wrap,
                         sequence=None, parent_label="Product", **options)


VARIANTS = _resource("variants", "variant", "Variant", parse_variant, item="variant_id")
crud.register(VARIANTS, f"{_BASE}/variants.json", f"{_BASE}/variants/{{variant_id}}.json", "read_products",
              "write_products", ("list", "count", "get", "create", "update"))


def _image_request():
    """PUT …/images/{image_id}.json takes `position` in the query (the spec); a JSON `image` body works too."""
    if request.content_length:
        body, error = resource_body("image")
        if error or not isinstance(body, dict):
            return body, error
    else:
        body = {}
    if "position" in request.args:
        body = {**body, "position": request.args["position"]}
    return body, None


IMAGES = _resource("images", "image", "Image", forms.parser("image", forms.IMAGE, ("url",)), item="image_id",
                   body=_image_request)
crud.register(IMAGES, f"{_BASE}/images.json", f"{_BASE}/images/{{image_id}}.json", "read_products",
              "write_products", ("list", "count", "get", "create", "delete"))
crud.register(IMAGES, f"{_BASE}/images.json", "/products/{product_id}/images/{image_id}.json", "read_products",
              "write_products", ("update",))

OPTIONS = _resource("options", "option", "Option", forms.parser("option", forms.OPTION, ("name",)), item="option_id")
crud.register(OPTIONS, f"{_BASE}/options.json", f"{_BASE}/options/{{option_id}}.json", "read_products",
              "write_products", ("list", "count", "get", "create", "update", "delete"))


def _product_of_request(_field: dict):
    """POST …/fields.json answers the whole product (the spec's Product), not the new value."""
    return fragments_response(g.principal.store.catalog.json_of(request.view_args["record_id"]))


FIELDS = _resource("fields", "field", "Custom Field Value", forms.parser("field", forms.PRODUCT_FIELD, ("id", "value")),
                   item="field_id", created=_product_of_request,
                   deleted=lambda: json_response({"message": "Custom Field Value deleted."}))
crud.register(FIELDS, f"{_BASE}/fields.json", "/products/{product_id}/fields/{field_id}.json", "read_products",
              "write_products", ("list", "count", "create", "update", "delete"))
