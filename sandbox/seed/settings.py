"""Deterministic store settings shaped like the spec's schemas, with a Chilean store's flavour.

Seeded ids are small per-store numbers (shipping methods 1-4 are the ones seeded orders quote);
records created through the API take ids from the registry's global sequences, which start above them.
"""
from __future__ import annotations

LANGUAGES = [{"code": "es", "name": "Español"}, {"code": "en", "name": "English"}]

# Another app already installed on every sandbox store, so "another app's JsApp" can be tried out.
OTHER_APP = {"application_id": 90001, "code": "chat-en-vivo", "name": "Chat en vivo"}


def taxes(country: str) -> list[dict]:
    """The store's taxes: Chile's IVA (19 %, prices include it), applied to shipping too."""
    return [{"id": 1, "name": "IVA", "country": country, "region": "", "category_id": 0, "tax_amount": 19.0,
             "fixed": False, "shipping": True}]


def _services(method_id: int, names: list[tuple[str, str]]) -> list[dict]:
    return [{"id": method_id * 10 + n, "service_name": name, "service_code": code, "name": name, "enabled": True,
             "original_service_name": name} for n, (name, code) in enumerate(names, start=1)]


def shipping_methods() -> list[dict]:
    """Chilexpress, Starken, Blue Express and store pickup (ids and service ids match seeded orders)."""
    def method(method_id, type_, name, fee, services, **extra):
        return {"id": method_id, "type": type_, "name": name, "enabled": True, "free_shipping": False,
                "free_shipping_minimum_purchase": False, "fee": [{"type": "fixed", "value": fee}],
                "callback_url": "", "fetch_services_url": "", "state": "RM", "city": "Santiago",
                "postal": "7500000", "services": _services(method_id, services), "tables": [], **extra}
    return [
        method(1, "chilexpress", "Chilexpress", 3990.0, [("Chilexpress Express", "3")]),
        method(2, "tables", "Starken", 2990.0, [("Starken Domicilio", "starken-home")],
               tables=[{"basedon": "weight", "values": {"amount": 5.0, "price": 2990.0},
                        "locations": {"country": "CL", "region": 12, "municipality": "",
                                      "postal_code_range_start": "", "postal_code_range_end": ""}}]),
        method(3, "external", "Blue Express", 4990.0, [("Blue Express Prioritario", "bx-priority")],
               callback_url="https://shipping.example.com/bluexpress/rates",
               fetch_services_url="https://shipping.example.com/bluexpress/services"),
        method(4, "free", "Retiro en tienda", 0.0, [("Retiro en tienda", "pickup")], free_shipping=True),
    ]


def payment_methods() -> list[dict]:
    """Webpay Plus, a bank transfer and Mercado Pago (the names seeded orders were paid with)."""
    return [{"id": 1, "type": "webpay_cl", "name": "Webpay Plus"},
            {"id": 2, "type": "manual", "name": "Transferencia Bancaria"},
            {"id": 3, "type": "mercado_pago", "name": "Mercado Pago"}]


def locations(code: str, country: str) -> list[dict]:
    """The store's warehouse (main, stock origin) and its pickup shop."""
    def location(location_id, name, main, pickup, street, number, municipality, postal, lat, lon):
        return {"id": location_id, "name": name, "email": f"{'bodega' if main else 'tienda'}@{code}.example.com",
                "active": True, "main": main, "pickup_point": pickup, "is_stock_origin": main,
                "location_address": {"id": location_id, "name": name, "surname": "", "address": street,
                                     "street_number": number, "complement": "", "city": "Santiago",
                                     "postal": postal, "country": country, "region": "Región Metropolitana",
                                     "type": "location", "taxid": "", "taxid_type": "", "default": main,
                                     "region_format": "region", "municipality": municipality,
                                     "latitude": lat, "longitude": lon}}
    return [location(1, "Bodega Central", True, False, "Avenida Providencia", "1234", "Providencia", "7500000",
                     -33.4263, -70.6200),
            location(2, "Tienda Providencia", False, True, "Avenida Nueva Providencia", "2155", "Providencia",
                     "7510000", -33.4210, -70.6070)]


def custom_fields() -> list[dict]:
    """Product custom fields: a free input, a selection and a text."""
    return [{"id": 1, "label": "Material", "type": "input", "values": [], "product_visibility": True},
            {"id": 2, "label": "Origen", "type": "selection", "values": ["Chile", "Perú", "Argentina"],
             "product_visibility": True},
            {"id": 3, "label": "Cuidados", "type": "text", "values": [], "product_visibility": False}]


def checkout_custom_fields() -> list[dict]:
    """Checkout fields: the RUT every Chilean invoice needs, a gift flag and a delivery window."""
    return [{"id": 1, "label": "RUT", "type": "input", "area": "billing_shipping", "required": True,
             "position": 1, "deletable": False, "custom_field_select_options": []},
            {"id": 2, "label": "¿Es un regalo?", "type": "checkbox", "area": "other", "required": False,
             "position": 2, "deletable": True, "custom_field_select_options": []},
            {"id": 3, "label": "Horario de entrega", "type": "select", "area": "other", "required": False,
             "position": 3, "deletable": True, "custom_field_select_options": ["Mañana", "Tarde"]}]


def jsapps(code: str) -> list[dict]:
    """The other app's storefront script (owned by OTHER_APP, so the calling app cannot delete it)."""
    return [{"id": 1, "url": f"https://chat.example.com/widget.js?store={code}", "template": "layout",
             "element": "body", "application_id": OTHER_APP["application_id"]}]

