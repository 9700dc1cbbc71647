"""Display names of order and shipment statuses in a store's language, as a realistic body shows them.

The shipment names follow what real bodies are reported to carry ("No Aplicable", shared/JUMPSELLER.md); the
other Spanish and Portuguese names are the admin's wording as best known (an inference, listed in realism.py).
An English store shows the spec's names, and the key itself where the spec has no name (not_applicable).
"""
from __future__ import annotations

LANGUAGES = ("es", "pt", "en")

_SHIPMENT = {
    "es": {"delivered": "Entregado", "requested": "Solicitado", "in_transit": "En Tránsito", "failed": "Fallido",
           "pickup_available": "Disponible para Retiro", "unfulfilled": "No Procesado",
           "not_applicable": "No Aplicable"},
    "pt": {"delivered": "Entregue", "requested": "Solicitado", "in_transit": "Em Trânsito", "failed": "Falhou",
           "pickup_available": "Disponível para Retirada", "unfulfilled": "Não Processado",
           "not_applicable": "Não Aplicável"},
    "en": {"delivered": "Delivered", "requested": "Requested", "in_transit": "In Transit", "failed": "Failed",
           "pickup_available": "Pickup Available", "unfulfilled": "Unfulfilled"},
}

_ORDER_STATUS = {
    "es": {"paid": "Pagada", "pending_payment": "Pendiente de Pago", "canceled": "Cancelada",
           "abandoned": "Abandonada"},
    "pt": {"paid": "Pago", "pending_payment": "Pagamento Pendente", "canceled": "Cancelado",
           "abandoned": "Abandonado"},
    "en": {"paid": "Paid", "pending_payment": "Pending Payment", "canceled": "Canceled", "abandoned": "Abandoned"},
}


def shipment_status(language: str, code: str) -> str:
    """The shipment status `code` as a store in `language` names it (the code itself when it has no name)."""
    return _SHIPMENT.get(language, _SHIPMENT["en"]).get(code, code)


def order_status(language: str, code: str) -> str:
    """The order status `code` as a store in `language` names it (the code itself when it has no name)."""
    return _ORDER_STATUS.get(language, _ORDER_STATUS["en"]).get(code, code)
