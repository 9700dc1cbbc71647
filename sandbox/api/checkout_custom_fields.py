"""/v1/checkout_custom_fields: fields the checkout asks for (list, by id, create, update, delete)."""
from __future__ import annotations

from ..records import setting_forms as forms
from . import crud
from .simple import settings_resource

CHECKOUT_CUSTOM_FIELDS = settings_resource(
    "checkout_custom_field", "CheckoutCustomField",
    forms.parser("checkout_custom_field", forms.CHECKOUT_CUSTOM_FIELD, ("label", "type")), paged=True)
crud.register(CHECKOUT_CUSTOM_FIELDS, "/checkout_custom_fields.json", "/checkout_custom_fields/{id}.json",
              "read_settings", "write_settings", ("list", "get", "create", "update", "delete"))
