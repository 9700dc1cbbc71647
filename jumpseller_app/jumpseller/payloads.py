"""Tolerant, typed parsing of what Jumpseller sends: store info, orders, products, customers, categories, counts.

Real responses and hook deliveries differ from the official spec: numbers arrive as strings ("182000.0"), zero-decimal
currencies (CLP) as integers, any field may be null or missing, status names are translated ("Pagada",
"No Aplicable") and some values are outside the spec's enums ("not_applicable", "no_shipping"); objects come wrapped
(`{"order": {...}}`) or bare. Every model here takes all of that without raising: each field is optional with a
sane default, odd values are coerced or dropped, unknown keys are ignored, and translated statuses are mapped to a
canonical value (with "unknown" for anything new) while the raw text is kept for display.

Built on pydantic v2 rather than attrs + cattrs: `BeforeValidator` lets one small coercion function per kind of
value (money, count, timestamp, text) run before type checking, declared once in an `Annotated` alias and reused
by every model; `extra="ignore"` drops unknown keys without a custom structure hook; and pydantic-core's
validation is compiled Rust, so parsing thousands of orders per sync stays cheap. cattrs would need a hook per
type and per class for the same tolerance.
"""

import logging
import re
import unicodedata
from datetime import date, datetime, timezone
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

log = logging.getLogger(__name__)

UNKNOWN = "unknown"


# --- coercions: each takes anything and returns a value of its type (or None), never raises -------------------

def _text(value):
    """Strings stay; numbers become their text; null, objects and lists become ""."""
    if type(value) is str:                      # the common case first: a sync page has ~1,000 texts
        return value.strip()
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


_GROUPED_COMMA_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")   # 1.234,50
_GROUPED_DOT_DECIMAL = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")     # 1,234.50
_LEADING_SIGN = re.compile(r"^[^\d\-]+")
# What float() reads exactly as the rules below would: digits with no decimals, or decimals other than three (a
# "1.234" is a thousands group, read 1234 below).
_PLAIN_DECIMAL = re.compile(r"-?\d+(?:\.(?:\d{1,2}|\d{4,}))?")
# Integers a float holds exactly: within these, int → float → int gives the same int back.
_EXACT_INT = 2 ** 53


def to_number(value):
    """A float from a number or a numeric string ("19.0", "182000.0", "1.234,50", "1,234.50", "19,9"); else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value if _PLAIN_DECIMAL.fullmatch(value) else _normalized_number(value)
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _normalized_number(value):
    """The text of a number as float() reads it: spaces, currency and thousands separators gone, a decimal point."""
    text = value.strip().replace(" ", "").replace("\u00a0", "")
    text = _LEADING_SIGN.sub("", text)            # a currency sign or code in front ("$19.990", "CLP 5000")
    if _GROUPED_COMMA_DECIMAL.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _GROUPED_DOT_DECIMAL.match(text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")            # a lone decimal comma: "19,9"
    return text


def _money(value):
    if type(value) is float:
        return value                            # the common case first, as to_number() would give it
    number = to_number(value)
    return 0.0 if number is None else number


def _integer(value):
    """An int from an int, an integral float or a numeric string ("12", "12.0"); else None."""
    if type(value) is int and -_EXACT_INT <= value <= _EXACT_INT:
        return value                            # the common case first, as to_number() would give it
    number = to_number(value)
    if number is None or number != int(number):
        return None
    return int(number)


def _flag(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes", "si", "sí", "sim", "t"}:
            return True
        if lowered in {"false", "0", "no", "não", "nao", "f"}:
            return False
    return None


_UTC_SUFFIX = re.compile(r"\s*(UTC|GMT|Z)$", re.I)
_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}:?\d{2})$")


def to_datetime(value):
    """An aware UTC datetime from "2024-05-01 10:00:00 UTC", ISO 8601 (with or without offset), a bare date or
    a Unix time; None for null or anything unreadable."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        moment = _plain_utc(text)
        if moment is not None:
            return moment
        text = _UTC_SUFFIX.sub("+00:00", text)
        text = _SPACED_OFFSET.sub(r"\1", text)     # "10:00:00 -0400"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _plain_utc(text):
    """Jumpseller's own "2024-05-01 10:00:00 UTC" read directly (the rules below give the same); else None."""
    if not (text.endswith(" UTC") and len(text) >= 23 and text[10] == " " and text[-5] != " "):
        return None
    try:
        moment = datetime.fromisoformat(text[:-4])
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else None


def _mapping(value):
    """Nested objects: a dict passes, anything else (null, a string, a list) becomes an empty object."""
    return value if isinstance(value, dict) else {}


def _optional_mapping(value):
    return value if isinstance(value, dict) and value else None


def _objects(value):
    """Lists of objects: non-lists become [], items that are not objects are dropped."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def canonical_key(text):
    """Lowercase, accents stripped, words joined by underscores: "Pendiente de Pago" → "pendiente_de_pago"."""
    plain = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


Text = Annotated[str, BeforeValidator(_text)]
Money = Annotated[float, BeforeValidator(_money)]
OptionalInt = Annotated[int | None, BeforeValidator(_integer)]
OptionalFlag = Annotated[bool | None, BeforeValidator(_flag)]
Timestamp = Annotated[datetime | None, BeforeValidator(to_datetime)]


# --- canonical values for translated or out-of-spec enums ----------------------------------------------------

ORDER_STATUSES = {
    "paid": ("paid", "pagada", "pagado", "pago", "paga", "aprovado", "aprobado"),
    "pending_payment": ("pending_payment", "pending", "pendiente_de_pago", "pago_pendiente", "pendiente",
                        "pagamento_pendente", "aguardando_pagamento", "pendente"),
    "canceled": ("canceled", "cancelled", "cancelada", "cancelado", "anulada", "anulado"),
    "abandoned": ("abandoned", "abandonada", "abandonado"),
}
SHIPMENT_STATUSES = {
    "delivered": ("delivered", "entregado", "entregada", "entregue"),
    "requested": ("requested", "solicitado", "solicitada"),
    "in_transit": ("in_transit", "en_transito", "em_transito"),
    "failed": ("failed", "fallido", "fallida", "falhou", "falha"),
    "pickup_available": ("pickup_available", "disponible_para_retiro", "listo_para_retiro",
                         "disponivel_para_retirada", "disponivel_para_retirar"),
    "unfulfilled": ("unfulfilled", "no_procesado", "no_procesada", "nao_processado", "sin_procesar",
                    "pendiente_de_envio", "nao_enviado"),
    "not_applicable": ("not_applicable", "no_aplicable", "no_aplica", "nao_aplicavel", "nao_se_aplica"),
}
SHIPPING_OPTIONS = {
    "delivery": ("delivery", "despacho", "envio", "entrega"),
    "store_pickup": ("store_pickup", "pickup", "retiro_en_tienda", "retirada_na_loja"),
    "no_shipping": ("no_shipping", "sin_envio", "sem_envio"),
}


def _index(table):
    return {alias: canonical for canonical, aliases in table.items() for alias in aliases}


_ORDER_STATUS_INDEX = _index(ORDER_STATUSES)
_SHIPMENT_STATUS_INDEX = _index(SHIPMENT_STATUSES)
_SHIPPING_OPTION_INDEX = _index(SHIPPING_OPTIONS)


def canonical(index, *candidates):
    """The first candidate (raw text, any language) the index knows, as its canonical value; else "unknown"."""
    for candidate in candidates:
        key = canonical_key(candidate)
        if key in index:
            return index[key]
    return UNKNOWN


def order_status(*candidates):
    """paid / pending_payment / canceled / abandoned / unknown from raw status texts."""
    return canonical(_ORDER_STATUS_INDEX, *candidates)


def shipment_status(*candidates):
    """delivered / requested / in_transit / failed / pickup_available / unfulfilled / not_applicable / unknown."""
    return canonical(_SHIPMENT_STATUS_INDEX, *candidates)


def shipping_option(*candidates):
    """delivery / store_pickup / no_shipping / unknown."""
    return canonical(_SHIPPING_OPTION_INDEX, *candidates)


# --- models ---------------------------------------------------------------------------------------------------

class Payload(BaseModel):
    """Base of every model: unknown keys ignored, wrapped or bare objects accepted, anything else read as {}."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    wrapper: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any) -> Any:
        if isinstance(data, BaseModel):
            return data.model_dump()
        if not isinstance(data, dict):
            return {}
        inner = data.get(cls.wrapper) if cls.wrapper else None
        # Only a wrapper alone, or a wrapper with none of the model's own keys, is an envelope.
        if isinstance(inner, dict) and not (set(data) - {cls.wrapper}) & set(cls.model_fields):
            return inner
        return data


class Address(Payload):
    """A postal address of an order or customer."""

    name: Text = ""
    surname: Text = ""
    address: Text = ""
    city: Text = ""
    postal: Text = ""
    region: Text = ""
    country: Text = ""
    municipality: Text = ""


class StoreInfo(Payload):
    """GET /store/info.json."""

    wrapper: ClassVar[str] = "store"
    code: Text = ""
    name: Text = ""
    currency: Text = ""
    country: Text = ""
    timezone: Text = ""
    email: Text = ""
    url: Text = ""
    logo: Text = ""
    weight_unit: Text = ""
    subscription_plan: Text = ""
    subscription_status: Text = ""
    # The key that signs hook deliveries: a secret, so kept out of reprs.
    hooks_token: Text = Field(default="", repr=False)


class Customer(Payload):
    """A customer, as listed or as embedded in an order."""

    wrapper: ClassVar[str] = "customer"
    id: OptionalInt = None
    email: Text = ""
    fullname: Text = ""
    name: Text = ""
    surname: Text = ""
    phone: Text = ""
    status: Text = ""
    accepts_marketing: OptionalFlag = None
    shipping_address: Annotated[Address | None, BeforeValidator(_optional_mapping)] = None
    billing_address: Annotated[Address | None, BeforeValidator(_optional_mapping)] = None

    @property
    def display_name(self):
        """The full name, else name + surname, else the email."""
        return self.fullname or " ".join(filter(None, (self.name, self.surname))) or self.email


class OrderLine(Payload):
    """One product line of an order."""

    wrapper: ClassVar[str] = "product"
    id: OptionalInt = None
    variant_id: OptionalInt = None
    name: Text = ""
    sku: Text = ""
    qty: Annotated[float, BeforeValidator(_money)] = 0.0
    price: Money = 0.0
    discount: Money = 0.0


class Order(Payload):
    """An order; `status`, `shipment_status`… keep Jumpseller's text, `state`, `shipment`… the canonical value."""

    wrapper: ClassVar[str] = "order"
    id: OptionalInt = None
    created_at: Timestamp = None
    completed_at: Timestamp = None
    currency: Text = ""
    subtotal: Money = 0.0
    tax: Money = 0.0
    shipping: Money = 0.0
    discount: Money = 0.0
    total: Money = 0.0
    status: Text = ""
    status_name: Text = ""
    status_enum: Text = ""
    shipment_status: Text = ""
    shipment_status_enum: Text = ""
    fulfillment_status: Text = ""
    shipping_option: Text = ""
    shipping_required: OptionalFlag = None
    payment_method_name: Text = ""
    customer: Annotated[Customer, BeforeValidator(_mapping)] = Customer()
    shipping_address: Annotated[Address | None, BeforeValidator(_optional_mapping)] = None
    billing_address: Annotated[Address | None, BeforeValidator(_optional_mapping)] = None
    products: Annotated[list[OrderLine], BeforeValidator(_objects)] = []

    @property
    def state(self):
        """paid / pending_payment / canceled / abandoned / unknown, whatever the language of the raw status."""
        return order_status(self.status_enum, self.status, self.status_name)

    @property
    def shipment(self):
        """The canonical shipment status (see SHIPMENT_STATUSES), or "unknown"."""
        return shipment_status(self.shipment_status_enum, self.shipment_status, self.fulfillment_status)

    @property
    def delivery(self):
        """delivery / store_pickup / no_shipping / unknown."""
        return shipping_option(self.shipping_option)

    @property
    def status_text(self):
        """The status as Jumpseller words it for the merchant (translated), else the canonical value."""
        return self.status_name or self.status or self.status_enum or self.state


class Category(Payload):
    """A product category."""

    wrapper: ClassVar[str] = "category"
    id: OptionalInt = None
    name: Text = ""
    parent_id: OptionalInt = None
    permalink: Text = ""


class Variant(Payload):
    """One variant of a product, as embedded in the product or listed on its own."""

    wrapper: ClassVar[str] = "variant"
    id: OptionalInt = None
    sku: Text = ""
    price: Money = 0.0
    stock: OptionalInt = None
    stock_unlimited: OptionalFlag = None
    options: Annotated[list[dict], BeforeValidator(_objects)] = []


class Product(Payload):
    """A product, with the variants it embeds (images and the rest stay in the raw body)."""

    wrapper: ClassVar[str] = "product"
    id: OptionalInt = None
    name: Text = ""
    sku: Text = ""
    price: Money = 0.0
    stock: OptionalInt = None
    stock_unlimited: OptionalFlag = None
    status: Text = ""
    permalink: Text = ""
    created_at: Timestamp = None
    updated_at: Timestamp = None
    categories: Annotated[list[Category], BeforeValidator(_objects)] = []
    variants: Annotated[list[Variant], BeforeValidator(_objects)] = []


class Count(Payload):
    """GET /…/count.json: `count` is None when the answer did not say."""

    count: OptionalInt = None


# --- parsing functions: never raise on a body from Jumpseller --------------------------------------------------

def parse(model, body):
    """`body` (wrapped, bare, or junk) as a `model`; junk gives the model's defaults, never an exception."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        # The coercions above accept every JSON value; reaching here means a new kind of oddity: log its shape.
        log.warning("unreadable %s payload: %s", model.__name__, exc.errors(include_input=False, include_url=False))
        return model()


def record_id(model, body):
    """The id of a body (wrapped or bare) as `model` would read it, without parsing the rest: a sync page's cursor
    needs only its ids, and the whole parse costs ~70 µs a product."""
    return _integer(model._unwrap(body).get("id"))


def parse_list(model, body):
    """A list of `model` from a JSON array of wrapped or bare objects; anything else gives []."""
    if not isinstance(body, list):
        return []
    return [parse(model, item) for item in body if isinstance(item, (dict, BaseModel))]


def parse_store_info(body):
    """GET /store/info.json → StoreInfo."""
    return parse(StoreInfo, body)


def parse_order(body):
    """One order → Order."""
    return parse(Order, body)


def parse_orders(body):
    """A page of orders → [Order]."""
    return parse_list(Order, body)


def parse_product(body):
    """One product → Product."""
    return parse(Product, body)


def parse_products(body):
    """A page of products → [Product]."""
    return parse_list(Product, body)


def parse_customer(body):
    """One customer → Customer."""
    return parse(Customer, body)


def parse_customers(body):
    """A page of customers → [Customer]."""
    return parse_list(Customer, body)


def parse_category(body):
    """One category → Category."""
    return parse(Category, body)


def parse_categories(body):
    """A page of categories → [Category]."""
    return parse_list(Category, body)


def parse_count(body):
    """GET /…/count.json → an int, or None when the body carries no readable count."""
    return parse(Count, body).count
