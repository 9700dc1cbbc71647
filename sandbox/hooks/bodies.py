"""A delivery's body: the record wrapped like the REST resource, shaped exactly as the API's GET of it shows it."""
from __future__ import annotations

from ..records.catalog import public_view
from ..records.fragments import absolutize, dumps


def body(store, kind: str, record: dict, root: str) -> bytes:
    """The JSON body for a `kind` record of `store` (sandbox URLs made absolute against `root`); call under the lock."""
    if kind == "order":
        text = store.orders.json_of(record)
    elif kind == "product" and store.catalog.get(record["id"]) is not None:
        text = store.catalog.json_of(record["id"])
    elif kind == "product":   # deleted: shown as it was
        text = dumps(store.presenter.body({"product": public_view(record, store.catalog.tree)}))
    else:
        text = dumps(store.presenter.body({kind: store.customers.present(record)}))
    return absolutize(text, root).encode()
