"""/v1/customers/{id}/fields: a customer's additional fields. The spec's paths have no ".json";
the ".json" forms (Rails' format suffix, which the client uses) answer too, with the same scopes."""
from __future__ import annotations

from ..records import setting_forms as forms
from ..records.customer_parts import additional_fields
from ..web import json_response
from . import crud
from .base import bp

_COLLECTION, _ITEM = "/customers/{id}/fields", "/customers/{id}/fields/{field_id}"


def _wrapped(item: dict) -> dict:
    return {"customer_additional_field": dict(item)}


def _bad_params(errors: dict):
    """The spec's BadParams (400), with the errors by field beside its message."""
    return json_response({"message": "Customer Additional Field Bad Parameters.", "errors": errors}, 400)


CUSTOMER_FIELDS = crud.Resource(
    "customer_additional_field", "Customer Additional Field", lambda store, record_id: additional_fields(store, record_id),
    forms.parser("customer_additional_field", forms.CUSTOMER_FIELD, ("value", "checkout_custom_field_id")),
    lambda item: json_response(_wrapped(item)), wrap=_wrapped, sequence=None, item="field_id",
    parent_label="Customer", reject=_bad_params)
crud.register(CUSTOMER_FIELDS, _COLLECTION, _ITEM, "read_customers", "write_customers",
              ("list", "get", "create", "update", "delete"))

# The same views under ".json" (endpoints as crud.register names them).
for _action, _rule, _method in (("list", "/customers/<int:record_id>/fields.json", "GET"),
                                ("create", "/customers/<int:record_id>/fields.json", "POST"),
                                ("get", "/customers/<int:record_id>/fields/<int:field_id>.json", "GET"),
                                ("update", "/customers/<int:record_id>/fields/<int:field_id>.json", "PUT"),
                                ("delete", "/customers/<int:record_id>/fields/<int:field_id>.json", "DELETE")):
    bp.add_url_rule(_rule, endpoint=f"{_action}_customer_additional_field", methods=[_method])
