"""OAuth2 scopes: which scope each API operation needs, and which operations (so scopes) each feature calls.

The operation → scope table follows the `security` of each operation in Jumpseller's OpenAPI spec (a test checks
it against the spec). Features list the operations they call, so the scopes the app asks for are derived from what
it does, and a feature whose scopes were not granted can be skipped instead of failing call by call.
"""

from dataclasses import dataclass


def parse(text):
    """Scopes as a set, from a space- or comma-separated string (None or "" give an empty set)."""
    return frozenset(str(text or "").replace(",", " ").split())


def normalize(text):
    """Scopes as one space-separated string, in their given order, without duplicates."""
    return " ".join(dict.fromkeys(str(text or "").replace(",", " ").split()))


@dataclass(frozen=True)
class Operation:
    """One API call as the spec names it: method and path (under /v1), and the OAuth2 scope it requires."""

    method: str
    path: str
    scope: str


STORE_INFO = Operation("GET", "/store/info.json", "read_store")
PRODUCTS_COUNT = Operation("GET", "/products/count.json", "read_products")
ORDERS_COUNT = Operation("GET", "/orders/count.json", "read_orders")
CUSTOMERS_COUNT = Operation("GET", "/customers/count.json", "read_customers")
ORDERS_LIST = Operation("GET", "/orders.json", "read_orders")
HOOKS_LIST = Operation("GET", "/hooks.json", "read_hooks")
HOOKS_CREATE = Operation("POST", "/hooks.json", "write_hooks")
HOOKS_DELETE = Operation("DELETE", "/hooks/{id}.json", "write_hooks")
APP_INSTALL_STATUS = Operation("GET", "/apps/{code}/install_status.json", "read_apps")
# The mirror's sync: counts for progress, an id cursor for products and orders, pages for the rest, and one-by-one
# reads that confirm a record missing from a page-numbered walk is really gone (pages shift under deletions).
CATEGORIES_COUNT = Operation("GET", "/categories/count.json", "read_store")
CATEGORIES_LIST = Operation("GET", "/categories.json", "read_store")
CATEGORIES_GET = Operation("GET", "/categories/{id}.json", "read_store")
PRODUCTS_AFTER = Operation("GET", "/products/after/{id}.json", "read_products")
ORDERS_AFTER = Operation("GET", "/orders/after/{id}.json", "read_orders")
CUSTOMERS_LIST = Operation("GET", "/customers.json", "read_customers")
CUSTOMERS_GET = Operation("GET", "/customers/{id}.json", "read_customers")

# Feature pages (issue 9). Categories need the store scopes: the spec's `security` of every /categories path names
# read_store / write_store (seed 000's table says read_categories / write_categories, which no category path of
# the spec lists; the spec, which the sandbox enforces, wins). A product's categories are changed by a product
# update with the whole `categories` list (ProductEditFields.categories): read_products to read the current
# list first, write_products to send the new one; seed 000 names the same pair for category.assign/unassign.
CATEGORIES_CREATE = Operation("POST", "/categories.json", "write_store")
CATEGORIES_UPDATE = Operation("PUT", "/categories/{id}.json", "write_store")
CATEGORIES_DELETE = Operation("DELETE", "/categories/{id}.json", "write_store")
PRODUCTS_GET = Operation("GET", "/products/{id}.json", "read_products")
PRODUCTS_UPDATE = Operation("PUT", "/products/{id}.json", "write_products")
# Orders, customers, taxes and the store (issue 9): paths and scopes as the spec's `security` names them (seed
# 000's read_locations, read_customer_categories and read_settings are in no path's security: locations need
# read_store, customer categories and fields the customers scopes, taxes read_taxes). A customer's address is
# set by a customer update (the spec has no address path); order and fulfillment statuses are the spec's enums.
LOCATIONS_LIST = Operation("GET", "/locations.json", "read_store")
ORDERS_GET = Operation("GET", "/orders/{id}.json", "read_orders")
ORDERS_BY_STATUS = Operation("GET", "/orders/status/{status}.json", "read_orders")
ORDERS_CREATE = Operation("POST", "/orders.json", "write_orders")
ORDERS_UPDATE = Operation("PUT", "/orders/{id}.json", "write_orders")
ORDER_FULFILLMENTS = Operation("GET", "/order/{id}/fulfillments.json", "read_fulfillments")
CUSTOMERS_CREATE = Operation("POST", "/customers.json", "write_customers")
CUSTOMERS_UPDATE = Operation("PUT", "/customers/{id}.json", "write_customers")
CUSTOMERS_DELETE = Operation("DELETE", "/customers/{id}.json", "write_customers")
CUSTOMER_CATEGORIES_LIST = Operation("GET", "/customer_categories.json", "read_customers")
CUSTOMER_CATEGORIES_CREATE = Operation("POST", "/customer_categories.json", "write_customers")
CUSTOMER_FIELDS_LIST = Operation("GET", "/customers/{id}/fields", "read_customers")
CUSTOMER_CATEGORY_CUSTOMERS = Operation("GET", "/customer_categories/{id}/customers.json", "read_customers")
TAXES_LIST = Operation("GET", "/taxes.json", "read_taxes")
TAXES_GET = Operation("GET", "/taxes/{id}.json", "read_taxes")

# Products (issue 9): the list and info read the mirror (SYNC_PRODUCTS); these are the writes and the reads of
# what the mirror does not hold (a product's custom field values and reviews, fetched into MirrorDocument).
# Reviews are read-only: the spec has no review write. Every /products path names read_products/write_products.
PRODUCTS_CREATE = Operation("POST", "/products.json", "write_products")
PRODUCTS_DELETE = Operation("DELETE", "/products/{id}.json", "write_products")
VARIANTS_CREATE = Operation("POST", "/products/{id}/variants.json", "write_products")
VARIANTS_UPDATE = Operation("PUT", "/products/{id}/variants/{variant_id}.json", "write_products")
IMAGES_CREATE = Operation("POST", "/products/{id}/images.json", "write_products")
IMAGES_UPDATE = Operation("PUT", "/products/{product_id}/images/{image_id}.json", "write_products")
IMAGES_DELETE = Operation("DELETE", "/products/{id}/images/{image_id}.json", "write_products")
PRODUCT_FIELDS_LIST = Operation("GET", "/products/{id}/fields.json", "read_products")
PRODUCT_REVIEWS_LIST = Operation("GET", "/products/{id}/reviews.json", "read_products")

OPERATIONS = (STORE_INFO, PRODUCTS_COUNT, ORDERS_COUNT, CUSTOMERS_COUNT, ORDERS_LIST, HOOKS_LIST, HOOKS_CREATE,
              CATEGORIES_COUNT, CATEGORIES_LIST, CATEGORIES_GET, PRODUCTS_AFTER, ORDERS_AFTER, CUSTOMERS_LIST,
              CUSTOMERS_GET, HOOKS_DELETE, APP_INSTALL_STATUS, CATEGORIES_CREATE, CATEGORIES_UPDATE,
              CATEGORIES_DELETE, PRODUCTS_GET, PRODUCTS_UPDATE, LOCATIONS_LIST, ORDERS_GET, ORDERS_BY_STATUS,
              ORDERS_CREATE, ORDERS_UPDATE, ORDER_FULFILLMENTS, CUSTOMERS_CREATE, CUSTOMERS_UPDATE,
              CUSTOMERS_DELETE, CUSTOMER_CATEGORIES_LIST, CUSTOMER_CATEGORIES_CREATE, CUSTOMER_FIELDS_LIST,
              TAXES_LIST, TAXES_GET, PRODUCTS_CREATE, PRODUCTS_DELETE, VARIANTS_CREATE, VARIANTS_UPDATE,
              IMAGES_CREATE, IMAGES_UPDATE, IMAGES_DELETE, PRODUCT_FIELDS_LIST, PRODUCT_REVIEWS_LIST,
              CUSTOMER_CATEGORY_CUSTOMERS)


@dataclass(frozen=True)
class Feature:
    """Something the app does for a merchant, and the API operations it calls to do it."""

    key: str
    operations: tuple

    @property
    def scopes(self):
        """The scopes this feature needs, in the order its operations are listed."""
        return tuple(dict.fromkeys(op.scope for op in self.operations))

    def missing(self, granted):
        """The needed scopes not in `granted` (None means every scope: a store owner's Basic credentials)."""
        if granted is None:
            return ()
        return tuple(scope for scope in self.scopes if scope not in granted)


# The app must know which store it talks to before anything else (install, Basic connect).
STORE_IDENTITY = Feature("store_identity", (STORE_INFO,))
# The dashboard: store info, products/orders/customers counts, and the last 30 days of orders (chart + latest).
DASHBOARD = Feature("dashboard", (STORE_INFO, PRODUCTS_COUNT, ORDERS_COUNT, CUSTOMERS_COUNT, ORDERS_LIST))

# The mirror of orders, products and customers: hooks on every event of the spec's enum (HookEditFields), so each
# change reaches the receiver. Orders have no order_created: a new order fires the event of its first status, so
# every order_* event is needed, not only order_updated.
WEBHOOKS = Feature("webhooks", (HOOKS_LIST, HOOKS_CREATE))
WEBHOOK_EVENTS = (
    "order_updated", "order_pending_payment", "order_paid", "order_shipped", "order_canceled", "order_abandoned",
    "product_created", "product_updated", "product_deleted", "product_stock_updated",
    "customer_created", "customer_updated", "customer_deleted",
)

# The mirror's sync, one feature per resource: a store that did not grant a resource's scope is synced without it.
SYNC_CATEGORIES = Feature("sync_categories", (CATEGORIES_COUNT, CATEGORIES_LIST, CATEGORIES_GET))
SYNC_PRODUCTS = Feature("sync_products", (PRODUCTS_COUNT, PRODUCTS_AFTER))
SYNC_ORDERS = Feature("sync_orders", (ORDERS_COUNT, ORDERS_AFTER, ORDERS_LIST))
SYNC_CUSTOMERS = Feature("sync_customers", (CUSTOMERS_COUNT, CUSTOMERS_LIST, CUSTOMERS_GET))

# Feature pages: the page reads the mirror (kept by the sync features above); these are the calls its writes make.
CATEGORIES = Feature("categories", (CATEGORIES_COUNT, CATEGORIES_LIST, CATEGORIES_GET, CATEGORIES_CREATE,
                                    CATEGORIES_UPDATE, CATEGORIES_DELETE))
CATEGORY_PRODUCTS = Feature("category_products", (PRODUCTS_GET, PRODUCTS_UPDATE))
PRODUCTS = Feature("products", (PRODUCTS_COUNT, PRODUCTS_GET, PRODUCTS_CREATE, PRODUCTS_UPDATE, PRODUCTS_DELETE,
                                VARIANTS_CREATE, VARIANTS_UPDATE, IMAGES_CREATE, IMAGES_UPDATE, IMAGES_DELETE,
                                PRODUCT_FIELDS_LIST, PRODUCT_REVIEWS_LIST,
              CUSTOMER_CATEGORY_CUSTOMERS))
STORE = Feature("store", (STORE_INFO, LOCATIONS_LIST))
ORDERS = Feature("orders", (ORDERS_COUNT, ORDERS_LIST, ORDERS_GET, ORDERS_BY_STATUS))
ORDER_WRITES = Feature("order_writes", (ORDERS_CREATE, ORDERS_UPDATE))
SHIPMENTS = Feature("shipments", (ORDER_FULFILLMENTS,))
CUSTOMERS = Feature("customers", (CUSTOMERS_COUNT, CUSTOMERS_LIST, CUSTOMERS_GET, CUSTOMER_FIELDS_LIST,
                                  CUSTOMER_CATEGORIES_LIST, CUSTOMER_CATEGORY_CUSTOMERS))
CUSTOMER_WRITES = Feature("customer_writes", (CUSTOMERS_CREATE, CUSTOMERS_UPDATE, CUSTOMERS_DELETE,
                                              CUSTOMER_CATEGORIES_CREATE))
TAXES = Feature("taxes", (TAXES_LIST, TAXES_GET))

FEATURES = (STORE_IDENTITY, DASHBOARD, WEBHOOKS, SYNC_CATEGORIES, SYNC_PRODUCTS, SYNC_ORDERS, SYNC_CUSTOMERS,
            CATEGORIES, CATEGORY_PRODUCTS, PRODUCTS, STORE, ORDERS, ORDER_WRITES, SHIPMENTS, CUSTOMERS, CUSTOMER_WRITES, TAXES)

# Disconnect removes the app's hooks while its token still works. Not in FEATURES: WEBHOOKS already asks for
# write_hooks, and a store that did not grant it has no hooks of ours to remove.
HOOKS_REMOVAL = Feature("hooks_removal", (HOOKS_LIST, HOOKS_DELETE))

# Optional: Jumpseller sends no uninstall notification, and /apps/{code}/install_status.json is the one direct way
# to learn of one. The endpoint is for paid apps and needs read_apps, so it is asked for only when the deployment
# says so (APP_CHECK_INSTALL_STATUS); otherwise the default scopes stay exactly FEATURES'.
INSTALL_STATUS = Feature("install_status", (APP_INSTALL_STATUS,))
OPTIONAL_FEATURES = (INSTALL_STATUS,)


def enabled(*, check_install_status=False):
    """The features a deployment uses: FEATURES, plus INSTALL_STATUS when the app checks its install status."""
    return FEATURES + ((INSTALL_STATUS,) if check_install_status else ())


def required(features=FEATURES):
    """The union of the scopes the features need, in a stable order: what the app asks for at install."""
    return tuple(dict.fromkeys(scope for feature in features for scope in feature.scopes))


def allows(operation, granted):
    """Whether `granted` (a set, or None for every scope) lets the app call `operation`."""
    return granted is None or operation.scope in granted
