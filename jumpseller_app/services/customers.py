"""Customers: the list and reads from the mirror (MirrorCustomer + MirrorAddress), their groups and additional
fields from the documents table, and the writes (add, update, delete, address add, group add) as api_writes kinds.

Jumpseller has no address call: a customer's shipping or billing address is set by a customer update
(`PUT /customers/{id}.json` with `{"customer": {"shipping_address": {…}}}`, CustomerEditFields). A customer's
groups are `customer_category` (ids) in the same body. Group membership for the list's filter comes from
`GET /customer_categories/{id}/customers.json`, fetched per group into documents (ids only).
"""

from dataclasses import replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, select

from ..extensions import db
from ..models import MirrorAddress, MirrorCustomer, MirrorDocument
from . import api_writes, csv_io, documents
from .forms import Invalid, text_id
from .listing import Filter, Listing

CREATE = "customers.create"
UPDATE = "customers.update"
DELETE = "customers.delete"
ADDRESS_CREATE = "customers.address_create"
GROUP_CREATE = "customer_categories.create"

GROUP_MEMBERS = "customer_group_members"
STATUSES = ("approved", "pending", "disabled")
ADDRESS_KINDS = ("shipping", "billing")
ADDRESS_FIELDS = ("name", "surname", "address", "city", "postal", "region", "municipality", "country")


class GroupedListing(Listing):
    """The customers' Listing, with a filter by group: members fetched into documents (GROUP_MEMBERS)."""

    def where(self, store_id, params):
        group = params.filters.get("group")
        if group is None:
            return super().where(store_id, params)
        others = replace(params, filters={k: v for k, v in params.filters.items() if k != "group"})
        members = select(MirrorDocument.remote_id).where(
            MirrorDocument.store_id == store_id, MirrorDocument.kind == GROUP_MEMBERS,
            MirrorDocument.parent_remote_id == str(group), MirrorDocument.deleted_at.is_(None))
        return super().where(store_id, others) + [cast(MirrorCustomer.remote_id, String).in_(members)]


LISTING = GroupedListing(MirrorCustomer, search=("fullname", "email"),
                         filters={"status": Filter("status"), "group": Filter("remote_id", kind="int")},
                         sorts={"name": "fullname", "email": "email", "id": "remote_id"}, default_sort="id",
                         default_desc=True)


def _group_members(client, parent):
    members = client.get(f"customer_categories/{int(parent)}/customers.json") or []
    # Ids only: who is in a group is all the filter needs (no names or emails copied here).
    return [{"id": (item.get("customer") or item).get("id")} for item in members if isinstance(item, dict)]


documents.register(GROUP_MEMBERS, fetch=_group_members)


# --- reads (pages) ----------------------------------------------------------------------------------------------

def get(store_id, remote_id):
    return db.session.scalar(select(MirrorCustomer).where(
        MirrorCustomer.store_id == store_id, MirrorCustomer.remote_id == remote_id,
        MirrorCustomer.deleted_at.is_(None)))


def count(store_id):
    """How many live customers the store has in the mirror."""
    return db.session.scalar(select(func.count()).select_from(MirrorCustomer).where(
        MirrorCustomer.store_id == store_id, MirrorCustomer.deleted_at.is_(None)))


def addresses(customer):
    return list(db.session.scalars(select(MirrorAddress).where(MirrorAddress.customer_row_id == customer.id)
                                   .order_by(MirrorAddress.kind)))


def groups(store_id):
    """{group id: name} of the store's customer groups (as last fetched)."""
    return {item["id"]: item.get("name") or "" for item in documents.items(store_id, documents.CUSTOMER_CATEGORIES)}


def fields_of(store_id, remote_id):
    """The customer's additional fields (as last fetched)."""
    return documents.items(store_id, documents.CUSTOMER_FIELDS, remote_id)


# --- forms → payloads -------------------------------------------------------------------------------------------

def values_from(form):
    """The customer form's values as typed (groups: the ids ticked; set_groups: whether to send them)."""
    values = {key: (form.get(key) or "") for key in ("email", "phone", "status", "name", "surname")}
    values["accepts_marketing"] = "1" if form.get("accepts_marketing") else ""
    values["set_groups"] = "1" if form.get("set_groups") else ""
    values["groups"] = list(form.getlist("groups"))
    return values


def _billing(customer, name, surname):
    """The billing address to send with a new name: the mirrored one's fields kept (Jumpseller replaces it whole)."""
    current = next((a for a in addresses(customer) if a.kind == "billing"), None) if customer else None
    base = {key: getattr(current, key) for key in ADDRESS_FIELDS} if current else {}
    return {**base, "name": name, "surname": surname}


def payload_from(store_id, form, *, customer=None):
    """The customer's fields from a form: email (Jumpseller judges it), phone, status, marketing, name, groups.

    Group membership is not mirrored, so an edit sends groups only when the merchant chose to set them
    (`set_groups`): otherwise the customer's groups at Jumpseller stay as they are.
    """
    values = values_from(form)
    errors = {}
    if values["status"] and values["status"] not in STATUSES:
        errors["status"] = [_l("Choose a status from the list.")]
    known = groups(store_id)
    try:
        group_ids = [text_id(g) for g in values["groups"] if g.strip()]
    except ValueError:
        group_ids = None
    if group_ids is None or any(g not in known for g in group_ids):
        errors["groups"] = [_l("Choose groups from the list.")]
    if errors:
        raise Invalid(errors, values)
    payload = {"email": values["email"], "phone": values["phone"].strip(),
               "accepts_marketing": bool(values["accepts_marketing"])}
    if customer is None or values["set_groups"]:
        payload["customer_category"] = group_ids
    if values["status"]:
        payload["status"] = values["status"]
    if values["name"].strip() or values["surname"].strip() or customer is None:
        payload["billing_address"] = _billing(customer, values["name"].strip(), values["surname"].strip())
    return payload


def address_from(form):
    values = {key: (form.get(key) or "").strip() for key in ("kind",) + ADDRESS_FIELDS}
    if values["kind"] not in ADDRESS_KINDS:
        raise Invalid({"kind": [_l("Choose shipping or billing.")]}, values)
    return {f"{values['kind']}_address": {key: values[key] for key in ADDRESS_FIELDS}}


def group_from(form):
    return {"name": form.get("name") or ""}


def form_values(write):
    """The values a failed customer write was submitted with, as the form shows them."""
    payload = dict(write.payload or {})
    billing = payload.pop("billing_address", None) or {}
    values = {key: str(value) for key, value in payload.items() if isinstance(value, str)}
    values.update(name=billing.get("name", ""), surname=billing.get("surname", ""),
                  accepts_marketing="1" if payload.get("accepts_marketing") else "",
                  set_groups="1" if "customer_category" in payload else "",
                  groups=[str(g) for g in payload.get("customer_category") or []])
    for kind in ADDRESS_KINDS:
        if f"{kind}_address" in payload:
            values.update(payload[f"{kind}_address"], kind=kind)
    return values


def values_of(customer):
    """A mirrored customer as the edit form shows it."""
    billing = next((a for a in addresses(customer) if a.kind == "billing"), None)
    return {"email": customer.email, "phone": customer.phone, "status": customer.status,
            "accepts_marketing": "1" if customer.accepts_marketing else "",
            "name": billing.name if billing else "", "surname": billing.surname if billing else "", "groups": []}


# --- CSV export -------------------------------------------------------------------------------------------------

HEADER = ("id", "email", "fullname", "phone", "status", "accepts_marketing")
CHUNK = 500


def csv_lines(store_id, args):
    """The customers of the list's search, filters and sort, as encoded CSV lines, streamed from the mirror."""
    params = LISTING.parse(args)
    query = (select(MirrorCustomer.remote_id, MirrorCustomer.email, MirrorCustomer.fullname, MirrorCustomer.phone,
                    MirrorCustomer.status, MirrorCustomer.accepts_marketing)
             .where(*LISTING.where(store_id, params)).order_by(*LISTING.order(params))
             .execution_options(yield_per=CHUNK))
    return csv_io.rows_to_csv(HEADER, (tuple(row) for row in db.session.execute(query)))


# --- the writes -------------------------------------------------------------------------------------------------

def _mirror_customer(store_id, write, answer, source_at):
    return api_writes.mirror_record(store_id, "customers", answer, source_at)


def _mirror_deletion(store_id, write, answer, source_at):
    return api_writes.mirror_deletion(store_id, "customers", write.target_id, source_at)


def _mirror_group(store_id, write, answer, source_at):
    return documents.apply_one(store_id, documents.CUSTOMER_CATEGORIES, answer, source_at=source_at)


api_writes.register(CREATE, call=lambda client, write: client.customers.create(write.payload),
                    mirror=_mirror_customer)
api_writes.register(UPDATE, call=lambda client, write: client.customers.update(write.target_id, write.payload),
                    mirror=_mirror_customer)
api_writes.register(ADDRESS_CREATE, call=lambda client, write: client.customers.update(write.target_id,
                                                                                       write.payload),
                    mirror=_mirror_customer)
api_writes.register(DELETE, call=lambda client, write: client.customers.delete(write.target_id),
                    mirror=_mirror_deletion)
api_writes.register(GROUP_CREATE, call=lambda client, write: client.customer_categories.create(write.payload),
                    mirror=_mirror_group)
