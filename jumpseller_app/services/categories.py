"""Categories: the list and reads from the mirror, and the writes (add, update, delete, assign and unassign a product)
as api_writes kinds.

Jumpseller has no call that adds one product to a category: a product's categories are replaced as a whole by a
product update (`PUT /products/{id}.json` with `{"product": {"categories": [{"id": …}, …]}}`, ProductEditFields in
the spec). So assign and unassign read the product's current categories from Jumpseller in the job, not from the
mirror (which may be behind), and send the list with the one category added or removed. Their target is the
product: one change of a product's categories is under way at a time.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import cast, exists, func, select
from sqlalchemy.dialects.postgresql import JSONB

from ..extensions import db
from ..models import MirrorCategory, MirrorProduct
from . import api_writes, mirror
from .listing import Filter, Listing

CREATE = "categories.create"
UPDATE = "categories.update"
DELETE = "categories.delete"
ASSIGN = "categories.assign"
UNASSIGN = "categories.unassign"

LISTING = Listing(MirrorCategory, search=("name", "permalink"), filters={"parent": Filter("parent_id", kind="int")},
                  sorts={"name": "name", "id": "remote_id"}, default_sort="name")
PRODUCTS_SHOWN = 200


class Invalid(ValueError):
    """A form that cannot be sent: {field: [messages]} and the values as typed."""

    def __init__(self, errors, values):
        super().__init__("invalid form")
        self.errors = errors
        self.values = values


# --- reads (pages) ----------------------------------------------------------------------------------------------

def get(store_id, remote_id):
    """The store's live mirrored category with this remote id, or None."""
    return db.session.scalar(select(MirrorCategory).where(
        MirrorCategory.store_id == store_id, MirrorCategory.remote_id == remote_id,
        MirrorCategory.deleted_at.is_(None)))


def names(store_id):
    """{remote id: name} of the store's live categories (parents' names, the parent choices of a form)."""
    rows = db.session.execute(select(MirrorCategory.remote_id, MirrorCategory.name).where(
        MirrorCategory.store_id == store_id, MirrorCategory.deleted_at.is_(None)).order_by(MirrorCategory.name))
    return dict(rows.all())


def has_category(category_id):
    """SQL: the product row's category_ids holds `category_id` (a JSON array: per dialect)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(MirrorProduct.category_ids, JSONB).contains([category_id])
    members = func.json_each(MirrorProduct.category_ids).table_valued("value")
    return exists(select(members.c.value).where(members.c.value == category_id))


def products_in(store_id, category_id, limit=PRODUCTS_SHOWN):
    """The store's live mirrored products in the category (by name, at most `limit`), and how many there are."""
    where = (MirrorProduct.store_id == store_id, MirrorProduct.deleted_at.is_(None), has_category(category_id))
    total = db.session.scalar(select(func.count()).select_from(MirrorProduct).where(*where))
    rows = db.session.scalars(select(MirrorProduct).where(*where).order_by(MirrorProduct.name, MirrorProduct.id)
                              .limit(limit))
    return list(rows), total


def product(store_id, remote_id):
    """The store's live mirrored product with this remote id, or None."""
    return db.session.scalar(select(MirrorProduct).where(
        MirrorProduct.store_id == store_id, MirrorProduct.remote_id == remote_id,
        MirrorProduct.deleted_at.is_(None)))


# --- forms → payloads -------------------------------------------------------------------------------------------

def _id(text):
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise ValueError(text)
    return int(text)


def payload_from(store_id, form):
    """The category's fields from a form (name as typed: Jumpseller judges it; parent: one of the store's)."""
    values = {"name": form.get("name", ""), "parent_id": (form.get("parent_id") or "").strip()}
    try:
        parent = _id(values["parent_id"])
    except ValueError:
        raise Invalid({"parent_id": [_l("Choose a category from the list.")]}, values) from None
    if parent is not None and get(store_id, parent) is None:
        raise Invalid({"parent_id": [_l("Choose a category from the list.")]}, values)
    return {"name": values["name"], "parent_id": parent}


def product_id_from(store_id, form):
    """The product to assign, by its id, which must be one of the store's mirrored products."""
    values = {"product_id": (form.get("product_id") or "").strip()}
    try:
        remote_id = _id(values["product_id"])
    except ValueError:
        remote_id = None
    if remote_id is None or product(store_id, remote_id) is None:
        raise Invalid({"product_id": [_l("No product of your store has this id.")]}, values)
    return remote_id


def form_values(write):
    """The values a failed write was submitted with, as a form shows them."""
    payload = dict(write.payload or {})
    if payload.get("parent_id") is None:
        payload["parent_id"] = ""
    return {key: str(value) for key, value in payload.items()}


# --- the writes -------------------------------------------------------------------------------------------------

def _with_category(product_body, category_id, present):
    ids = [c.get("id") for c in product_body.get("categories") or [] if isinstance(c, dict)]
    ids = [cid for cid in ids if cid is not None and cid != category_id]
    if present:
        ids.append(category_id)
    return {"categories": [{"id": cid} for cid in ids]}


def _set_membership(present):
    def call(client, write):
        category_id = write.payload["category_id"]
        current = client.products.get(write.target_id)
        return client.products.update(write.target_id, _with_category(current, category_id, present))
    return call


def _mirror_product(store_id, write, answer, source_at):
    return api_writes.mirror_record(store_id, "products", answer, source_at)


def _mirror_category(store_id, write, answer, source_at):
    return api_writes.mirror_record(store_id, "categories", answer, source_at)


api_writes.register(CREATE, call=lambda client, write: client.categories.create(write.payload),
                    mirror=_mirror_category)
api_writes.register(UPDATE, call=lambda client, write: client.categories.update(write.target_id, write.payload),
                    mirror=_mirror_category)
def _mirror_deletion(store_id, write, answer, source_at):
    """The category becomes a tombstone; its subcategories move up to its parent, as Jumpseller moves them."""
    doomed = get(store_id, write.target_id)
    children = db.session.scalars(select(MirrorCategory).where(
        MirrorCategory.store_id == store_id, MirrorCategory.parent_id == write.target_id,
        MirrorCategory.deleted_at.is_(None))).all()
    moved = [{"id": child.remote_id, "name": child.name, "permalink": child.permalink,
              "parent_id": doomed.parent_id if doomed else None} for child in children]
    api_writes.mirror_deletion(store_id, "categories", write.target_id, source_at)
    if moved:
        mirror.apply(store_id, "categories", moved, source_at)
    return write.target_id


api_writes.register(DELETE, call=lambda client, write: client.categories.delete(write.target_id),
                    mirror=_mirror_deletion)
api_writes.register(ASSIGN, call=_set_membership(True), mirror=_mirror_product)
api_writes.register(UNASSIGN, call=_set_membership(False), mirror=_mirror_product)
