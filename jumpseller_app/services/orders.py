"""Orders: the list, count and reads from the mirror (MirrorOrder + lines), abandoned orders and an order's shipments
(fulfillments) from the documents table, the status lists, and the writes (add, update status and tracking) as
api_writes kinds.

Jumpseller's order and shipment statuses are fixed lists (the spec's enums, OrderEditFields): no call lists them.
An order's number is its id. Only status, shipment_status and tracking_* of an order can be changed
(OrderEditFields); a new order is POST /orders.json (OrderCreateFields) with the buyer and the lines.
"""

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..charts import ZERO_DECIMAL_CURRENCIES
from ..extensions import db
from ..models import MirrorOrder, MirrorOrderLine
from . import api_writes, csv_io, documents
from .forms import Invalid, text_id
from .listing import Filter, Listing

CREATE = "orders.create"
UPDATE = "orders.update"

# The spec's enums: OrderEditFields.status (sent as these names) and shipment_status; canonical value → name.
ORDER_STATUSES = {"pending_payment": "Pending Payment", "paid": "Paid", "canceled": "Canceled",
                  "abandoned": "Abandoned"}
SHIPMENT_STATUSES = {"requested": "Requested", "in_transit": "In Transit", "delivered": "Delivered",
                     "failed": "Failed", "pickup_available": "Pickup Available"}
TRACKING_FIELDS = ("tracking_number", "tracking_company", "tracking_url")
LINES_ON_FORM = 3
THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")
LINE_FIELDS = tuple(f"{key}_{n}" for n in range(LINES_ON_FORM) for key in ("product_id", "qty", "price"))
CREATE_FIELDS = ("email", "name", "surname", "status", "shipping_method_name", "shipping_price") + LINE_FIELDS


@dataclass(frozen=True)
class DateFilter(Filter):
    """A day (YYYY-MM-DD) bounding a datetime column: "from" includes the day, "to" includes the whole day."""

    def read(self, raw):
        try:
            return datetime.strptime((raw or "").strip()[:10], "%Y-%m-%d").date()
        except ValueError:
            return None

    def clause(self, model, value):
        column = getattr(model, self.column)
        start = datetime(value.year, value.month, value.day)
        return column >= start if self.kind == "min" else column < start + timedelta(days=1)


class OrderListing(Listing):
    """The orders' Listing: a search that is an order number ("5123" or "#5123") finds that order only."""

    def where(self, store_id, params):
        number = params.q.removeprefix("#")
        if not number.isdigit() or len(number) > 18:
            return super().where(store_id, params)
        return super().where(store_id, replace(params, q="")) + [MirrorOrder.remote_id == int(number)]


# Jumpseller's order status is the payment status (Paid, Pending Payment, Canceled, Abandoned); the shipment status
# is the fulfillment's. Both are canonical values in the mirror (payloads.order_status / shipment_status).
LISTING = OrderListing(MirrorOrder, search=("customer_name", "customer_email"),
                       filters={"status": Filter("state"), "shipment": Filter("shipment"),
                                "from": DateFilter("created_at_remote", kind="min"),
                                "to": DateFilter("created_at_remote", kind="max")},
                       sorts={"created": "created_at_remote", "total": "total", "id": "remote_id",
                              "customer": "customer_name"}, default_sort="created", default_desc=True)


# --- reads (pages) ----------------------------------------------------------------------------------------------

def get(store_id, remote_id):
    return db.session.scalar(select(MirrorOrder).where(MirrorOrder.store_id == store_id,
                                                       MirrorOrder.remote_id == remote_id))


def lines(order):
    return list(db.session.scalars(select(MirrorOrderLine).where(MirrorOrderLine.order_row_id == order.id)
                                   .order_by(MirrorOrderLine.id)))


def count(store_id):
    return db.session.scalar(select(func.count()).select_from(MirrorOrder).where(MirrorOrder.store_id == store_id))


def shipments(store_id, order_remote_id):
    """The order's fulfillments, as last fetched."""
    return documents.items(store_id, documents.FULFILLMENTS, order_remote_id)


def shipment(store_id, order_remote_id, fulfillment_id):
    """One fulfillment of the order (as last fetched), or None."""
    found = documents.item(store_id, documents.FULFILLMENTS, fulfillment_id)
    return found if found is not None and str(found.get("order_id", order_remote_id)) == str(order_remote_id) \
        else None


def abandoned(store_id):
    return documents.items(store_id, documents.ABANDONED_ORDERS)


# --- forms → payloads -------------------------------------------------------------------------------------------

def update_from(form):
    """Status, shipment status and tracking from the order's form (empty ones left out: unchanged)."""
    values = {key: (form.get(key) or "").strip() for key in ("status", "shipment_status") + TRACKING_FIELDS}
    errors = {}
    if values["status"] and values["status"] not in ORDER_STATUSES:
        errors["status"] = [_l("Choose a status from the list.")]
    if values["shipment_status"] and values["shipment_status"] not in SHIPMENT_STATUSES:
        errors["shipment_status"] = [_l("Choose a status from the list.")]
    if errors:
        raise Invalid(errors, values)
    # Tracking is not mirrored, so the form starts empty: an empty field leaves Jumpseller's value as it is.
    payload = {key: values[key] for key in TRACKING_FIELDS if values[key]}
    if values["status"]:
        payload["status"] = ORDER_STATUSES[values["status"]]
    if values["shipment_status"]:
        payload["shipment_status"] = values["shipment_status"]
    return payload


def create_values(form):
    return {key: (form.get(key) or "") for key in CREATE_FIELDS}


def _number(text, field, errors, *, integer=False, whole_currency=False):
    """A number typed in the form; in a currency without decimals (CLP) "1.500" and "1,500" are 1500."""
    text = text.strip()
    if not text:
        return None
    if (integer or whole_currency) and THOUSANDS.match(text):
        text = re.sub(r"[.,]", "", text)
    value = csv_io.number(text)
    if value is None or value < 0 or (integer and not value.is_integer()):
        errors.setdefault(field, []).append(_l("Type a number."))
        return None
    return int(value) if integer else value


def create_from(form, currency=""):
    """A new order from the form: the buyer, up to LINES_ON_FORM lines (product id, quantity, price), shipping.

    Amounts are read in the store's `currency`: where it has no decimals, a dot or comma groups thousands.
    """
    whole = str(currency).upper() in ZERO_DECIMAL_CURRENCIES
    values = create_values(form)
    errors = {}
    if values["status"] not in ORDER_STATUSES:
        errors["status"] = [_l("Choose a status from the list.")]
    products = []
    for n in range(LINES_ON_FORM):
        if not values[f"product_id_{n}"].strip():
            continue
        try:
            product_id = text_id(values[f"product_id_{n}"])
        except ValueError:
            errors.setdefault(f"product_id_{n}", []).append(_l("Type a product id."))
            continue
        qty = _number(values[f"qty_{n}"], f"qty_{n}", errors, integer=True)
        price = _number(values[f"price_{n}"], f"price_{n}", errors, whole_currency=whole)
        line = {"id": product_id, "qty": 1 if qty is None else qty}
        if price is not None:
            line["price"] = price
        products.append(line)
    if not products and "product_id_0" not in errors:
        errors["product_id_0"] = [_l("Add at least one product.")]
    shipping_price = _number(values["shipping_price"], "shipping_price", errors, whole_currency=whole)
    if errors:
        raise Invalid(errors, values)
    customer = {"email": values["email"].strip(), "name": values["name"].strip(), "surname": values["surname"].strip()}
    payload = {"status": ORDER_STATUSES[values["status"]], "customer": customer, "products": products}
    if values["shipping_method_name"].strip():
        payload["shipping_method_name"] = values["shipping_method_name"].strip()
        payload["shipping_price"] = shipping_price or 0.0
    else:
        payload["shipping_required"] = False
    return payload


def create_form_values(write):
    """The values a failed order create was submitted with, as the form shows them."""
    payload = write.payload or {}
    customer = payload.get("customer") or {}
    status = next((key for key, name in ORDER_STATUSES.items() if name == payload.get("status")), "")
    values = {"email": customer.get("email", ""), "name": customer.get("name", ""),
              "surname": customer.get("surname", ""), "status": status,
              "shipping_method_name": payload.get("shipping_method_name", ""),
              "shipping_price": str(payload.get("shipping_price", "") or "")}
    for n, line in enumerate((payload.get("products") or [])[:LINES_ON_FORM]):
        values.update({f"product_id_{n}": str(line.get("id", "")), f"qty_{n}": str(line.get("qty", "")),
                       f"price_{n}": str(line.get("price", ""))})
    return values


def update_form_values(write):
    payload = dict(write.payload or {})
    status = next((key for key, name in ORDER_STATUSES.items() if name == payload.get("status")), "")
    return {**{key: str(payload.get(key) or "") for key in ("shipment_status",) + TRACKING_FIELDS}, "status": status}


def values_of(order):
    """A mirrored order as the update form shows it (tracking is not mirrored: left empty)."""
    return {"status": order.state if order.state in ORDER_STATUSES else "",
            "shipment_status": order.shipment if order.shipment in SHIPMENT_STATUSES else ""}


# --- CSV export -------------------------------------------------------------------------------------------------

HEADER = ("number", "created_at", "status", "shipment", "payment_method", "customer", "email", "currency",
          "subtotal", "shipping", "discount", "tax", "total")
CHUNK = 500


def csv_lines(store_id, args):
    """The orders of the list's search, filters and sort, as encoded CSV lines, streamed from the mirror."""
    params = LISTING.parse(args)
    query = (select(MirrorOrder.remote_id, MirrorOrder.created_at_remote, MirrorOrder.status_text,
                    MirrorOrder.shipment_text, MirrorOrder.payment_method, MirrorOrder.customer_name,
                    MirrorOrder.customer_email, MirrorOrder.currency, MirrorOrder.subtotal, MirrorOrder.shipping,
                    MirrorOrder.discount, MirrorOrder.tax, MirrorOrder.total)
             .where(*LISTING.where(store_id, params)).order_by(*LISTING.order(params))
             .execution_options(yield_per=CHUNK))
    rows = ((row[0], row[1].isoformat(sep=" ") if row[1] else "", *row[2:]) for row in db.session.execute(query))
    return csv_io.rows_to_csv(HEADER, rows)


# --- the writes -------------------------------------------------------------------------------------------------

def _mirror_order(store_id, write, answer, source_at):
    return api_writes.mirror_record(store_id, "orders", answer, source_at)


api_writes.register(CREATE, call=lambda client, write: client.orders.create(write.payload), mirror=_mirror_order)
api_writes.register(UPDATE, call=lambda client, write: client.orders.update(write.target_id, write.payload),
                    mirror=_mirror_order)
