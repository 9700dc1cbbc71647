"""/v1/taxes: list, by id, create (the spec has no update or delete)."""
from __future__ import annotations

from ..records import setting_forms as forms
from . import crud
from .simple import settings_resource

TAXES = settings_resource("tax", "Tax", forms.parser("tax", forms.TAX, ("name", "country", "tax")),
                         collection="taxes")
crud.register(TAXES, "/taxes.json", "/taxes/{id}.json", "read_taxes", "write_taxes", ("list", "get", "create"))
