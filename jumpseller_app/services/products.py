"""Products: the list and reads from the mirror, and the writes (product add, update, delete; variant add and
update; image add, update, delete) as api_writes kinds.

A product's variants are MirrorVariant rows; its images and everything else are in the product's raw JSON, as
Jumpseller sent it. Variant and image calls answer with the variant or image only, so their job reads the product
back from Jumpseller after the change and applies it whole: the mirror holds what Jumpseller holds. Their target is
the part (one change of a variant or image under way at a time), its payload names the product.

Numbers are sent as the merchant typed them once read tolerantly ("12,5" is 12.5); what cannot be read is sent as
typed, for Jumpseller to judge (its `{"errors": …}` show on the form).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import MirrorProduct, MirrorVariant
from . import api_writes, csv_io
from .categories import Invalid, has_category
from .listing import Filter, Listing

CREATE = "products.create"
UPDATE = "products.update"
DELETE = "products.delete"
VARIANT_CREATE = "variants.create"
VARIANT_UPDATE = "variants.update"
IMAGE_CREATE = "images.create"
IMAGE_UPDATE = "images.update"
IMAGE_DELETE = "images.delete"

STATUSES = ("available", "not-available", "disabled")
STOCK_STATES = ("in", "out", "unlimited")


@dataclass(frozen=True)
class StockFilter(Filter):
    """in: unlimited or more than 0 · out: limited and 0 or less (or unknown) · unlimited."""

    def read(self, raw):
        text = (raw or "").strip()
        return text if text in STOCK_STATES else None

    def clause(self, model, value):
        unlimited = model.stock_unlimited.is_(True)
        if value == "unlimited":
            return unlimited
        in_stock = or_(unlimited, model.stock > 0)
        if value == "in":
            return in_stock
        return and_(or_(model.stock_unlimited.is_(None), model.stock_unlimited.is_(False)),
                    or_(model.stock.is_(None), model.stock <= 0))


@dataclass(frozen=True)
class CategoryFilter(Filter):
    """Products in one category (its id among the product's category ids)."""

    kind: str = "int"

    def clause(self, model, value):
        return has_category(value)


LISTING = Listing(MirrorProduct, search=("name", "sku"),
                  filters={"category": CategoryFilter("category_ids"), "status": Filter("status"),
                           "stock": StockFilter("stock"), "price_min": Filter("price", kind="min"),
                           "price_max": Filter("price", kind="max")},
                  sorts={"name": "name", "sku": "sku", "price": "price", "stock": "stock", "id": "remote_id",
                         "updated": "updated_at_remote"}, default_sort="name")


# --- reads (pages) ----------------------------------------------------------------------------------------------

def get(store_id, remote_id):
    """The store's live mirrored product with this remote id, or None."""
    return db.session.scalar(select(MirrorProduct).where(
        MirrorProduct.store_id == store_id, MirrorProduct.remote_id == remote_id,
        MirrorProduct.deleted_at.is_(None)))


def variants(product):
    """The product's mirrored variants, by id."""
    return list(db.session.scalars(select(MirrorVariant).where(MirrorVariant.product_row_id == product.id)
                                   .order_by(MirrorVariant.remote_id)))


def variant(product, variant_id):
    """One mirrored variant of the product, or None."""
    return db.session.scalar(select(MirrorVariant).where(MirrorVariant.product_row_id == product.id,
                                                         MirrorVariant.remote_id == variant_id))


def raw_variant(product, variant_id):
    """The variant as Jumpseller sent it inside the product (options, image…), or {}."""
    return next((v for v in _dicts(product.raw.get("variants")) if v.get("id") == variant_id), {})


def images(product):
    """The product's images as Jumpseller sent them, by position."""
    return sorted(_dicts(product.raw.get("images")), key=lambda i: (_position(i.get("position")), str(i.get("id"))))


def image(product, image_id):
    return next((i for i in images(product) if i.get("id") == image_id), None)


def _dicts(items):
    return [item for item in items or [] if isinstance(item, dict)]


def _position(value):
    number = csv_io.number(value)
    return number if number is not None else 0


# --- forms → payloads -------------------------------------------------------------------------------------------

PRODUCT_FIELDS = ("name", "sku", "price", "stock", "stock_unlimited", "status", "description")
VARIANT_FIELDS = ("sku", "price", "stock", "stock_unlimited", "option_name", "option_value")


def _typed(text):
    """A number field: the number when it reads as one, the text as typed otherwise (Jumpseller judges it)."""
    text = (text or "").strip()
    value = csv_io.number(text)
    if value is None:
        return text
    return int(value) if value.is_integer() else value


def _stock(form, payload):
    if form.get("stock_unlimited"):
        payload["stock_unlimited"] = True
    else:
        payload["stock_unlimited"] = False
        if (form.get("stock") or "").strip():
            payload["stock"] = _typed(form.get("stock"))


def values_of(form, fields):
    return {name: form.get(name, "") for name in fields}


def product_payload(form):
    """The product's fields from a form; the status must be one of Jumpseller's."""
    values = values_of(form, PRODUCT_FIELDS)
    status = (values["status"] or "available").strip()
    if status not in STATUSES:
        raise Invalid({"status": [_l("Choose a status from the list.")]}, values)
    payload = {"name": values["name"], "sku": values["sku"].strip(), "price": _typed(values["price"]),
               "status": status, "description": values["description"]}
    _stock(form, payload)
    return payload


def variant_payload(form):
    """A variant's fields from a form; an option (name and value) when both are given."""
    values = values_of(form, VARIANT_FIELDS)
    payload = {"sku": values["sku"].strip()}
    if values["price"].strip():
        payload["price"] = _typed(values["price"])
    _stock(form, payload)
    name, value = values["option_name"].strip(), values["option_value"].strip()
    if name or value:
        if not (name and value):
            raise Invalid({"option_value": [_l("Give the option's name and its value.")]}, values)
        payload["options"] = [{"name": name, "value": value}]
    return payload


def image_payload(form):
    """An image's address (a new image, judged by Jumpseller) or position (a whole number from 1)."""
    values = values_of(form, ("url", "position"))
    payload = {}
    if "url" in form:
        payload["url"] = values["url"].strip()
    if "position" in form:
        position = _typed(values["position"])
        if not isinstance(position, int) or position < 1:
            raise Invalid({"position": [_l("The position is a whole number from 1.")]}, values)
        payload["position"] = position
    return payload


def form_values(write):
    """The values a failed write was submitted with, as its form shows them."""
    payload = dict(write.payload or {})
    values = {key: "" if value is None else str(value) for key, value in payload.items() if key != "options"}
    if payload.get("stock_unlimited"):
        values["stock_unlimited"] = "1"
    else:
        values.pop("stock_unlimited", None)
    for option in payload.get("options") or []:
        values.update(option_name=option.get("name", ""), option_value=option.get("value", ""))
    return values


def product_values(product):
    """A mirrored product as its edit form shows it."""
    values = {"name": product.name, "sku": product.sku, "price": _number_text(product.price),
              "stock": "" if product.stock is None else str(product.stock), "status": product.status,
              "description": str(product.raw.get("description") or "")}
    if product.stock_unlimited:
        values["stock_unlimited"] = "1"
    return values


def variant_values(row):
    values = {"sku": row.sku, "price": _number_text(row.price), "stock": "" if row.stock is None else str(row.stock)}
    if row.stock_unlimited:
        values["stock_unlimited"] = "1"
    return values


def _number_text(value):
    return str(int(value)) if float(value).is_integer() else str(value)


# --- the writes -------------------------------------------------------------------------------------------------

def _mirror_product(store_id, write, answer, source_at):
    return api_writes.mirror_record(store_id, "products", answer, source_at)


def _mirror_part(store_id, write, answer, source_at):
    """A part's write answered {"product": the product read back, "part": the variant or image}: apply the product."""
    api_writes.mirror_record(store_id, "products", answer["product"], source_at)
    part = answer.get("part")
    return part.get("id") if isinstance(part, dict) else write.target_id


def _part_fields(write):
    return {key: value for key, value in write.payload.items() if key != "product_id"}


def _then_product(change):
    """A part's call: make the change, then read the whole product back for the mirror.

    A part's write names its product in the payload (`product_id`); its target is the part itself (a variant or
    image id), or none for a new one: changes of different parts of one product are under way side by side.
    """
    def call(client, write):
        product_id = write.payload["product_id"]
        part = change(client, product_id, write)
        return {"part": part, "product": client.products.get(product_id)}
    return call


def _image_update(client, product_id, write):
    """The spec takes the new position in the query (PUT /products/{product_id}/images/{image_id}.json?position=)."""
    path = f"products/{int(product_id)}/images/{int(write.target_id)}.json"
    return client.put(path + f"?position={int(write.payload['position'])}")


api_writes.register(CREATE, call=lambda client, write: client.products.create(write.payload),
                    mirror=_mirror_product)
api_writes.register(UPDATE, call=lambda client, write: client.products.update(write.target_id, write.payload),
                    mirror=_mirror_product)
api_writes.register(DELETE, call=lambda client, write: client.products.delete(write.target_id),
                    mirror=lambda store_id, write, answer, at: api_writes.mirror_deletion(
                        store_id, "products", write.target_id, at))
api_writes.register(VARIANT_CREATE, call=_then_product(
    lambda client, product_id, write: client.products.variants(product_id).create(_part_fields(write))),
    mirror=_mirror_part)
api_writes.register(VARIANT_UPDATE, call=_then_product(
    lambda client, product_id, write: client.products.variants(product_id).update(write.target_id,
                                                                                  _part_fields(write))),
    mirror=_mirror_part)
api_writes.register(IMAGE_CREATE, call=_then_product(
    lambda client, product_id, write: client.products.images(product_id).create({"url": write.payload["url"]})),
    mirror=_mirror_part)
api_writes.register(IMAGE_UPDATE, call=_then_product(_image_update), mirror=_mirror_part)
api_writes.register(IMAGE_DELETE, call=_then_product(
    lambda client, product_id, write: client.products.images(product_id).delete(write.target_id)), mirror=_mirror_part)
