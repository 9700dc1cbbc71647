"""/v1/payment_methods: list, by id, create (the spec has no update or delete)."""
from __future__ import annotations

from ..records import setting_forms as forms
from ..records.settings import PAYMENT_METHOD_FIELDS, shown
from . import crud
from .simple import settings_resource

PAYMENT_METHODS = settings_resource("payment_method", "PaymentMethod",
                                    forms.parser("payment_method", forms.PAYMENT_METHOD, ("name",)),
                                    shown=lambda record: shown(record, PAYMENT_METHOD_FIELDS))
crud.register(PAYMENT_METHODS, "/payment_methods.json", "/payment_methods/{id}.json", "read_payment_methods",
              "write_payment_methods", ("list", "get", "create"))
