"""The mirror: Jumpseller records written into the per-store tables, the newest version of each winning.

Every write is one `INSERT … ON CONFLICT (store_id, remote_id) DO UPDATE … WHERE stored.source_at <=
incoming.source_at` per batch, on SQLite and PostgreSQL alike. That makes it safe against the two races a mirror
has: events processed out of order (an older state never overwrites a newer one) and two processes writing the
same record at once (a sync page and a hook delivery; the database settles it, no lock is held in Python). The
child rows (variants, order lines, customer addresses) of exactly the parents that were applied are replaced.

What `source_at` is: a product's own `updated_at` when it has one; otherwise (orders and customers carry no
update time) the moment the data is as of: the hook delivery's trigger time, or the start of the fetch that read
it. A deletion keeps the row as a tombstone, stamped no earlier than the deleted record's own time, so a late
update of a deleted record does not bring it back.

Functions here take raw bodies (wrapped or bare objects, as the API and the hooks send them) and parse them with
the tolerant payload models; they never commit (the caller's transaction decides).
"""

import json
import logging
from datetime import timezone

from sqlalchemy import case, delete, func, select, update

from ..extensions import db
from ..jumpseller import payloads
from ..models import (MirrorAddress, MirrorCategory, MirrorCustomer, MirrorOrder, MirrorOrderLine, MirrorProduct,
                      MirrorVariant, utcnow)
from . import mirror_sql

log = logging.getLogger(__name__)

RESOURCES = ("categories", "products", "orders", "customers")
_MODELS = {"categories": MirrorCategory, "products": MirrorProduct, "orders": MirrorOrder,
           "customers": MirrorCustomer}
# Rows per INSERT statement: well under SQLite's 32,766 bound parameters with the widest table.
BATCH = 200


class UnknownEvent(ValueError):
    """A hook event this app does not mirror."""


def _naive(moment):
    """Naive UTC (how every timestamp column is stored), from an aware or naive datetime; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _clip(text, size):
    return (text or "")[:size]


def _upsert(model, rows):
    """Write `rows` (dicts with store_id, remote_id, source_at…); returns {remote_id: row id} of those applied."""
    # One row per remote id (the newest) per statement: PostgreSQL refuses to update a row twice in one INSERT.
    newest = {}
    for row in rows:
        known = newest.get(row["remote_id"])
        if known is None or known["source_at"] <= row["source_at"]:
            newest[row["remote_id"]] = row
    if not newest:
        return {}
    columns = tuple(name for name in next(iter(newest.values())) if name not in mirror_sql.KEY)
    writer = mirror_sql.upsert(_dialect(), model.__table__, columns)
    applied = {}
    values = list(newest.values())
    for start in range(0, len(values), BATCH):
        result = writer.execute(db.session, values[start:start + BATCH])
        applied.update({remote_id: row_id for row_id, remote_id in result})
    return applied


def _dialect():
    return db.session.get_bind().dialect.name


def _replace_children(model, parent_column, parents, children):
    """Delete the children of the `parents` row ids and insert `children` (dicts naming their parent row id)."""
    if not parents:
        return
    ids, table = list(parents), model.__table__
    for start in range(0, len(ids), BATCH):
        # A Core DELETE on the table: no mirrored row lives in the session, so the ORM's bulk-delete bookkeeping
        # (its session synchronization) would only cost time.
        db.session.execute(delete(table).where(table.c[parent_column].in_(ids[start:start + BATCH])))
    if children:
        writer = mirror_sql.insert(_dialect(), model.__table__, tuple(children[0]))
        for start in range(0, len(children), BATCH):
            writer.execute(db.session, children[start:start + BATCH])


# --- one function per resource: raw items in, number of rows applied out ----------------------------------------

def apply_categories(store_id, items, source_at):
    rows = []
    for category in (payloads.parse_category(item) for item in items):
        if category.id is None:
            continue
        rows.append({"store_id": store_id, "remote_id": category.id, "name": _clip(category.name, 255),
                     "parent_id": category.parent_id, "permalink": _clip(category.permalink, 500),
                     "source_at": _naive(source_at), "deleted_at": None, "synced_at": utcnow()})
    return len(_upsert(MirrorCategory, rows))


def _product_row(store_id, product, raw, source_at):
    return {"store_id": store_id, "remote_id": product.id, "name": _clip(product.name, 500),
            "sku": _clip(product.sku, 255), "price": product.price, "stock": product.stock,
            "stock_unlimited": product.stock_unlimited, "status": _clip(product.status, 64),
            "permalink": _clip(product.permalink, 500),
            "category_ids": [c.id for c in product.categories if c.id is not None],
            "created_at_remote": _naive(product.created_at), "updated_at_remote": _naive(product.updated_at),
            "raw": raw, "source_at": _naive(product.updated_at or source_at), "deleted_at": None,
            "synced_at": utcnow()}


def _unwrapped(item, wrapper):
    return item[wrapper] if isinstance(item, dict) and isinstance(item.get(wrapper), dict) else item


def apply_products(store_id, items, source_at):
    rows, variants = [], {}
    for item in items:
        product = payloads.parse_product(item)
        if product.id is None:
            continue
        rows.append(_product_row(store_id, product, _unwrapped(item, "product"), source_at))
        variants[product.id] = product.variants
    applied = _upsert(MirrorProduct, rows)
    children = [{"product_row_id": row_id, "store_id": store_id, "remote_id": v.id, "sku": _clip(v.sku, 255),
                 "price": v.price, "stock": v.stock, "stock_unlimited": v.stock_unlimited, "options": v.options}
                for remote_id, row_id in applied.items() for v in variants[remote_id] if v.id is not None]
    _replace_children(MirrorVariant, "product_row_id", applied.values(), children)
    return len(applied)


def _address(address):
    if address is None:
        return None
    return {key: _clip(value, 255) for key, value in address.model_dump().items()}


def apply_orders(store_id, items, source_at):
    rows, lines = [], {}
    for order in (payloads.parse_order(item) for item in items):
        if order.id is None:
            continue
        customer = order.customer
        rows.append({
            "store_id": store_id, "remote_id": order.id, "created_at_remote": _naive(order.created_at),
            "completed_at_remote": _naive(order.completed_at), "currency": _clip(order.currency, 8),
            "subtotal": order.subtotal, "tax": order.tax, "shipping": order.shipping, "discount": order.discount,
            "total": order.total, "status_text": _clip(order.status_text, 120), "state": order.state,
            "shipment_text": _clip(order.shipment_status, 120), "shipment": order.shipment,
            "delivery": order.delivery, "payment_method": _clip(order.payment_method_name, 255),
            "customer_remote_id": customer.id, "customer_name": _clip(customer.display_name, 255) or None,
            "customer_email": _clip(customer.email, 255) or None,
            "shipping_address": _address(order.shipping_address), "billing_address": _address(order.billing_address),
            "source_at": _naive(source_at), "synced_at": utcnow()})
        lines[order.id] = order.products
    applied = _upsert(MirrorOrder, rows)
    children = [{"order_row_id": row_id, "store_id": store_id, "product_remote_id": line.id,
                 "variant_remote_id": line.variant_id, "name": _clip(line.name, 500), "sku": _clip(line.sku, 255),
                 "qty": line.qty, "price": line.price, "discount": line.discount}
                for remote_id, row_id in applied.items() for line in lines[remote_id]]
    _replace_children(MirrorOrderLine, "order_row_id", applied.values(), children)
    return len(applied)


def apply_customers(store_id, items, source_at):
    rows, addresses = [], {}
    for customer in (payloads.parse_customer(item) for item in items):
        if customer.id is None:
            continue
        rows.append({"store_id": store_id, "remote_id": customer.id, "email": _clip(customer.email, 255),
                     "fullname": _clip(customer.display_name, 255), "phone": _clip(customer.phone, 64),
                     "status": _clip(customer.status, 64), "accepts_marketing": customer.accepts_marketing,
                     "source_at": _naive(source_at), "deleted_at": None, "synced_at": utcnow()})
        addresses[customer.id] = [(kind, address) for kind, address in
                                  (("shipping", customer.shipping_address), ("billing", customer.billing_address))
                                  if address is not None]
    applied = _upsert(MirrorCustomer, rows)
    children = [dict(_address(address), customer_row_id=row_id, store_id=store_id, kind=kind)
                for remote_id, row_id in applied.items() for kind, address in addresses[remote_id]]
    _replace_children(MirrorAddress, "customer_row_id", applied.values(), children)
    return len(applied)


_APPLY = {"categories": apply_categories, "products": apply_products, "orders": apply_orders,
          "customers": apply_customers}


def apply(store_id, resource, items, source_at):
    """Write a page (or one item) of `resource` read at `source_at`; returns how many rows it changed."""
    return _APPLY[resource](store_id, list(items), source_at)


def mark_deleted(store_id, resource, remote_id, source_at):
    """Make `remote_id` a tombstone as of `source_at` (a row is created if the record was never mirrored)."""
    model = _MODELS[resource]
    stamp = _naive(source_at)
    row = {"store_id": store_id, "remote_id": remote_id, "source_at": stamp, "deleted_at": stamp,
           "synced_at": utcnow()}
    return len(_upsert(model, [row]))


def unseen_since(store_id, resource, moment):
    """Remote ids of the live rows of `resource` nothing wrote since `moment` (no sync page, no hook).

    After a complete walk that started at `moment`, these are the records Jumpseller no longer lists: deletions
    no hook reported. Orders have no tombstones (Jumpseller does not delete orders), so they have none.
    """
    model = _MODELS[resource]
    if not hasattr(model, "deleted_at"):
        return []
    return list(db.session.scalars(select(model.remote_id).where(
        model.store_id == store_id, model.deleted_at.is_(None), model.synced_at < _naive(moment))
        .order_by(model.remote_id)))


def tombstone_unseen(store_id, resource, remote_ids, moment):
    """Make tombstones of those `remote_ids` still unseen since `moment`; returns how many.

    The condition is checked again in the UPDATE, so a hook that wrote one of them meanwhile keeps it alive. The
    tombstone's version is `moment`, or the row's own when that is later: a deletion never rolls a version back.
    """
    model = _MODELS[resource]
    stamp = _naive(moment)
    ids, changed = list(remote_ids), 0
    for start in range(0, len(ids), BATCH):
        changed += db.session.execute(
            update(model).where(model.store_id == store_id, model.remote_id.in_(ids[start:start + BATCH]),
                                model.deleted_at.is_(None), model.synced_at < stamp)
            .values(deleted_at=stamp, synced_at=utcnow(),
                    source_at=case((model.source_at > stamp, model.source_at), else_=stamp))
            .execution_options(synchronize_session=False)).rowcount
    return changed


# --- hook deliveries ---------------------------------------------------------------------------------------------

def resource_of(event):
    """The mirrored resource a hook event changes: order_* → orders, product_* → products, customer_* → customers."""
    prefix = (event or "").split("_", 1)[0]
    resource = {"order": "orders", "product": "products", "customer": "customers"}.get(prefix)
    if resource is None:
        raise UnknownEvent(event)
    return resource


def apply_event(store_id, event, body, triggered_at, received_at):
    """Apply one verified hook delivery (raw bytes) to the mirror; returns the rows changed (0: older than ours).

    The version is the trigger time, but never later than the receipt: the trigger header is not signed, and a
    replayed body with a forged future time must not pin a record against the real updates that follow.
    Raises ValueError (json) on a body that is not JSON, UnknownEvent on an event the app does not mirror.
    """
    resource = resource_of(event)
    data = json.loads(body)
    received = _naive(received_at)
    moment = _naive(payloads.to_datetime(triggered_at)) if triggered_at else None
    source_at = min(moment, received) if moment is not None else received
    if event.endswith("_deleted"):
        record = {"products": payloads.parse_product, "customers": payloads.parse_customer}[resource](data)
        if record.id is None:
            raise ValueError("a deletion without the record's id")
        # Not older than the record's own updated_at, so an update delivered late cannot win against its deletion.
        own = _naive(getattr(record, "updated_at", None))
        return mark_deleted(store_id, resource, record.id, max(source_at, own) if own else source_at)
    return apply(store_id, resource, [data], source_at)


# --- reads for pages ---------------------------------------------------------------------------------------------

def counts(store_id):
    """{resource: live rows} for the store, in one query."""
    queries = [select(func.count()).select_from(model).where(model.store_id == store_id,
                                                             *((model.deleted_at.is_(None),)
                                                               if hasattr(model, "deleted_at") else ()))
               .scalar_subquery() for model in (MirrorProduct, MirrorOrder, MirrorCustomer, MirrorCategory)]
    products, orders, customers, categories = db.session.execute(select(*queries)).one()
    return {"products": products, "orders": orders, "customers": customers, "categories": categories}


def max_remote_id(store_id, resource):
    """The highest id mirrored for the resource (0 when none): where `/…/after/{id}` picks up."""
    model = _MODELS[resource]
    return db.session.scalar(select(func.coalesce(func.max(model.remote_id), 0)).where(model.store_id == store_id))


def forget_store(store_id):
    """Delete every mirrored row of the store (a clean reinstall); the caller commits."""
    for model in (MirrorVariant, MirrorOrderLine, MirrorAddress, MirrorProduct, MirrorOrder, MirrorCustomer,
                  MirrorCategory):
        db.session.execute(delete(model).where(model.store_id == store_id))


def purge_personal_data(store_id):
    """Remove the store's personal data (customers, their addresses, orders' contacts); returns what went."""
    addresses = db.session.execute(delete(MirrorAddress).where(MirrorAddress.store_id == store_id)).rowcount
    customers = db.session.execute(delete(MirrorCustomer).where(MirrorCustomer.store_id == store_id)).rowcount
    orders = db.session.execute(
        update(MirrorOrder).where(MirrorOrder.store_id == store_id)
        .values(customer_name=None, customer_email=None, shipping_address=None, billing_address=None)).rowcount
    return {"customers": customers, "addresses": addresses, "orders_anonymized": orders}

