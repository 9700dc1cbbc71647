"""/v1/customers: list, count, by id, by email, create, update, delete."""
from __future__ import annotations

from flask import g

from .api import bp, invalid, not_found, paging, requires, resource_body
from .customers import CustomerError
from .forms import parse_customer
from .web import current_state, json_response


def _present(record: dict) -> dict:
    return {"customer": g.principal.store.customers.present(record)}


@bp.get("/customers.json")
@requires("read_customers")
def list_customers():
    """GET /customers.json: a page of wrapped customers, by id."""
    page, limit = paging()
    with current_state().lock:
        return json_response([_present(r) for r in g.principal.store.customers.page(page, limit)])


@bp.get("/customers/count.json")
@requires("read_customers")
def count_customers():
    """GET /customers/count.json."""
    with current_state().lock:
        return json_response({"count": g.principal.store.customers.count()})


@bp.get("/customers/email/<path:email>.json")
@requires("read_customers")
def customer_by_email(email: str):
    """GET /customers/email/{email}.json (case-insensitive)."""
    with current_state().lock:
        record = g.principal.store.customers.by_email(email)
        return json_response(_present(record)) if record else not_found("Customer")


@bp.get("/customers/<int:customer_id>.json")
@requires("read_customers")
def get_customer(customer_id: int):
    """GET /customers/{id}.json."""
    with current_state().lock:
        record = g.principal.store.customers.get(customer_id)
        return json_response(_present(record)) if record else not_found("Customer")


@bp.post("/customers.json")
@requires("write_customers")
def create_customer():
    """POST /customers.json: email required and unique in the store."""
    body, error = resource_body("customer")
    if error:
        return error
    fields, errors = parse_customer(body, partial=False)
    if errors:
        return invalid(errors)
    state = current_state()
    with state.lock:
        try:
            record = g.principal.store.customers.create(state.allocate_id("customer"), fields)
        except CustomerError as exc:
            return invalid(exc.errors)
        return json_response(_present(record))


@bp.put("/customers/<int:customer_id>.json")
@requires("write_customers")
def update_customer(customer_id: int):
    """PUT /customers/{id}.json: partial update."""
    body, error = resource_body("customer")
    if error:
        return error
    fields, errors = parse_customer(body, partial=True)
    with current_state().lock:
        customers = g.principal.store.customers
        if customers.get(customer_id) is None:
            return not_found("Customer")
        if errors:
            return invalid(errors)
        try:
            return json_response(_present(customers.update(customer_id, fields)))
        except CustomerError as exc:
            return invalid(exc.errors)


@bp.delete("/customers/<int:customer_id>.json")
@requires("write_customers")
def delete_customer(customer_id: int):
    """DELETE /customers/{id}.json: the spec's 200 body is a JSON string."""
    with current_state().lock:
        deleted = g.principal.store.customers.delete(customer_id)
    return json_response("Customer deleted.") if deleted else not_found("Customer")
