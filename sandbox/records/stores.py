"""The store registry: every store with its seeded records, and the global id sequences."""
from __future__ import annotations

import hmac
import re
import threading
from dataclasses import dataclass, field

from ..behaviour.clock import Clock
from ..behaviour.realism import Presenter
from ..config import SandboxConfig, default_authtoken, default_login, validate_options
from ..seed import store as seed
from ..seed.customers import customer_categories
from ..seed.orders import Sources
from .catalog import ProductCatalog
from .categories import CategoryTree
from .customers import CustomerBook
from .fulfillments import FulfillmentBook
from .orders import OrderBook
from .settings import StoreSettings

_STORE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass
class Store:
    """A Jumpseller store: its public details, owner credentials, catalog, customers and orders."""

    id: int
    code: str
    details: dict
    language: str          # what its statuses are shown in (realistic profile); the spec's Store has no field
    presenter: Presenter   # how its bodies look under the current profile
    login: str
    authtoken: str
    categories: CategoryTree
    catalog: ProductCatalog
    customers: CustomerBook
    orders: OrderBook
    settings: StoreSettings = field(init=False)         # hooks, JSApps, taxes, locations, methods, custom fields
    fulfillments: FulfillmentBook = field(init=False)

    def __post_init__(self):
        self.settings = StoreSettings(self.code, self.details["country"])
        self.fulfillments = FulfillmentBook(self.orders, self.settings.locations)

    def credentials(self) -> dict:
        """The store's Basic-auth credentials, as the control endpoints show them."""
        return {"login": self.login, "authtoken": self.authtoken}


class StoreRegistry:
    """Stores by code; every public method takes the shared lock itself."""

    def __init__(self, clock: Clock, lock: threading.RLock, config: SandboxConfig):
        self.clock = clock
        self.lock = lock
        self.config = config
        self.stores: dict[str, Store] = {}
        self._next_store_id = 1
        # Id sequences are global like database sequences (ids never clash between stores).
        self._next_ids = {"product": 1001, "category": 11, "customer": 100001, "customer_category": 1,
                          "order": 5001}
        # Settings-like records: seeded per store with small ids, so API-made ones start above them.
        self._next_ids.update({"hook": 1, "js_app": 101, "tax": 101, "location": 101, "shipping_method": 101,
                               "payment_method": 101, "custom_field": 101, "checkout_custom_field": 101,
                               "fulfillment": 10_000_001})

    def add_store(self, *, code: str, name: str | None = None, currency: str = "CLP", country: str = "CL",
                  timezone: str = "America/Santiago", language: str = "es", seed_products: int = 25,
                  seed_orders: int = 40, seed_customers: int = 30, login: str | None = None,
                  authtoken: str | None = None) -> Store:
        """Create a store with seeded categories, products, customers and orders; ValueError on bad input."""
        with self.lock:
            if not isinstance(code, str) or not _STORE_CODE.match(code):
                raise ValueError("code must be lowercase letters, digits and dashes")
            if code in self.stores:
                raise ValueError(f"store {code!r} already exists")
            problems = validate_options({"seed_products": seed_products, "seed_orders": seed_orders,
                                         "seed_customers": seed_customers, "language": language})
            if problems:
                raise ValueError("; ".join(problems))
            seeded = seed.categories(self._take("category", seed.CATEGORY_COUNT))
            tree = CategoryTree(seeded)
            first_product = self._take("product", seed_products)
            first_customer = self._take("customer", seed_customers)
            groups = customer_categories(self._take("customer_category", 2))
            sources = Sources(code, currency, country, first_product, seed_products, seeded,
                              first_customer, seed_customers)
            # Seeded orders lead up to the store's creation, to the second, on the sandbox clock.
            anchor = float(int(self.clock.now()))
            presenter = Presenter(self.config, code, language, currency)
            store = Store(
                id=self._next_store_id, code=code,
                details=seed.store_details(code, name or code.replace("-", " ").title(), currency, country, timezone),
                language=language, presenter=presenter,
                login=login or default_login(code), authtoken=authtoken or default_authtoken(code),
                categories=tree,
                catalog=ProductCatalog(code, first_product, seed_products, seeded, tree, presenter),
                customers=CustomerBook(code, first_customer, seed_customers, country, groups),
                orders=OrderBook(sources, self._take("order", seed_orders), seed_orders, anchor, presenter),
            )
            self._next_store_id += 1
            self.stores[code] = store
            return store

    def prerender_step(self, budget: int = 25) -> int:
        """Render a few untouched seeded records' JSON ahead of requests; 0 when all are done."""
        with self.lock:
            for store in list(self.stores.values()):
                done = store.catalog.prerender(budget) or store.orders.prerender(budget)
                if done:
                    return done
            return 0

    def by_basic(self, login: str, authtoken: str) -> Store | None:
        """The store whose owner credentials these are, compared in constant time."""
        with self.lock:
            for store in self.stores.values():
                if hmac.compare_digest(store.login.encode(), login.encode()) and \
                        hmac.compare_digest(store.authtoken.encode(), authtoken.encode()):
                    return store
            return None

    def allocate_id(self, kind: str) -> int:
        """A new, globally unique id of a kind ("product", "category", "customer"); ids only grow."""
        with self.lock:
            return self._take(kind, 1)

    def _take(self, kind: str, count: int) -> int:
        first = self._next_ids[kind]
        self._next_ids[kind] = first + count
        return first
