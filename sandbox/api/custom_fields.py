"""/v1/custom_fields: the store's product custom fields (list, by id, create, update, delete)."""
from __future__ import annotations

from ..records import setting_forms as forms
from . import crud
from .simple import settings_resource

CUSTOM_FIELDS = settings_resource("custom_field", "CustomField",
                                  forms.parser("custom_field", forms.CUSTOM_FIELD, ("label", "type")))
crud.register(CUSTOM_FIELDS, "/custom_fields.json", "/custom_fields/{id}.json", "read_products", "write_products",
              ("list", "get", "create", "update", "delete"))
