"""The app's navigation bar: ONE list of the merchant's pages, shown by templates/base.html when a store is signed in.

A feature page adds itself when its views module is imported (at blueprint registration), e.g. in views/products.py:

    navigation.add("products.index", _l("Products"), order=30)

Only pages that exist are listed: no placeholders. `order` places an entry (the dashboard is 0, categories 20;
products, orders, customers, taxes, store can take 30, 40, 50, 60, 70); the entry is marked current on every page of
its blueprint.
"""

from dataclasses import dataclass

from flask import request

_ENTRIES = {}


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: object          # a lazy string (_l), translated when rendered
    order: int

    @property
    def blueprint(self):
        return self.endpoint.partition(".")[0]

    def current(self):
        """Whether the page being rendered belongs to this entry's blueprint."""
        return request.blueprint == self.blueprint if self.blueprint != "main" else request.endpoint == self.endpoint


def add(endpoint, label, *, order):
    """Put a page in the navigation (added again under the same endpoint, it replaces the entry)."""
    _ENTRIES[endpoint] = Entry(endpoint, label, order)


def entries():
    """The navigation's entries in their order."""
    return sorted(_ENTRIES.values(), key=lambda entry: (entry.order, entry.endpoint))


def init_app(app):
    """Give the templates `navigation()`."""
    app.context_processor(lambda: {"navigation": entries})
