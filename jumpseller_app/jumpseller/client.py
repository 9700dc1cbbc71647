"""JumpsellerClient: JSON over HTTP with one error map, page generators and resource groups."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from . import errors, jsonio, payloads
from .errors import error_from_response

DEFAULT_API_URL = "https://api.jumpseller.com/v1"
PAGE_LIMIT = 100
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_UTF8 = frozenset({"utf-8", "utf8"})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry: capped exponential backoff with full jitter."""

    max_attempts: int = 8
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_rate_limit_wait: float = 4 * 3600.0   # a ban lasts as long as it lasts; past this, give up

    def backoff(self, attempt):
        """Seconds to wait before retry number `attempt` (1-based)."""
        return random.uniform(self.base_delay / 2, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def never_sent(exc):
    """True when the request certainly did not reach the server (refused or connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def unwrap(payload, key):
    """Jumpseller wraps objects (`{"product": {...}}`); accept both wrapped and bare objects."""
    if isinstance(payload, dict) and isinstance(payload.get(key), dict):
        return payload[key]
    return payload


class Resource:
    """CRUD for one collection such as /products.

    `key` wraps one item in responses (`{"product": {...}}`); `send_key` wraps request bodies when it differs
    (JSApps are sent as `{"app": ...}` and come back as `{"js_app": ...}`); None sends the fields bare.
    """

    _MISSING = object()

    def __init__(self, client, path, key, *, send_key=_MISSING):
        self._client = client
        self.path = path
        self.key = key
        self.send_key = key if send_key is Resource._MISSING else send_key

    def __repr__(self):
        return f"<Resource /{self.path}>"

    def _body(self, fields):
        return {self.send_key: fields} if self.send_key else fields

    def list(self, *, page=1, limit=50, **params):
        """One page of items, unwrapped."""
        items = self._client.get(f"{self.path}.json", params={"page": page, "limit": limit, **params})
        return [unwrap(item, self.key) for item in items]

    def iter_all(self, *, limit=PAGE_LIMIT, concurrency=1, **params):
        """Every item, page by page, stopping at the first short page.

        With `concurrency` > 1 the pages the count announces are fetched by that many threads, so the rate
        budget's slots are used even while some answers are slow; items still come out in page order.
        """
        path = f"{self.path}.json"
        if concurrency <= 1:
            return self._iter_pages(path, limit=limit, **params)
        return self._iter_pages_concurrently(path, limit=limit, concurrency=concurrency, **params)

    def _iter_pages_concurrently(self, path, *, limit, concurrency, **params):
        pages = max(1, -(-(self.count() or 0) // limit))

        def fetch(page):
            return self._client.get(path, params={**params, "page": page, "limit": limit})

        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="jumpseller-page") as pool:
            items = []
            # A window of futures ahead of the consumer: bounded memory, pages yielded in order.
            pending = {page: pool.submit(fetch, page) for page in range(1, min(pages, concurrency * 2) + 1)}
            for page in range(1, pages + 1):
                items = pending.pop(page).result()
                following = page + concurrency * 2
                if following <= pages:
                    pending[following] = pool.submit(fetch, following)
                yield from (unwrap(item, self.key) for item in items)
        if len(items) == limit:
            # The catalog grew during the pull: go on one page at a time until a short page.
            page = pages + 1
            while True:
                items = fetch(page)
                yield from (unwrap(item, self.key) for item in items)
                if len(items) < limit:
                    return
                page += 1

    def iter_after(self, after_id, *, limit=PAGE_LIMIT, **params):
        """Items with an id above `after_id` (`/{path}/after/{id}.json`), for incremental pulls."""
        return self._iter_pages(f"{self.path}/after/{int(after_id)}.json", limit=limit, **params)

    def page_after(self, after_id, *, limit=PAGE_LIMIT, **params):
        """The first page of items with an id above `after_id`, lowest ids first, unwrapped.

        Asking again with the highest id of the answer gives the next page: a cursor that deletions and inserts
        do not shift (page numbers do), so a walk stopped anywhere resumes exactly where it was.
        """
        path = f"{self.path}/after/{int(after_id)}.json"
        items = self._client.get(path, params={**params, "page": 1, "limit": limit})
        return [unwrap(item, self.key) for item in items]

    def _iter_pages(self, path, *, limit, **params):
        page = 1
        while True:
            items = self._client.get(path, params={**params, "page": page, "limit": limit})
            yield from (unwrap(item, self.key) for item in items)
            if len(items) < limit:
                return
            page += 1

    def count(self, **params):
        """The number of items; None when the answer carries no readable count."""
        return payloads.parse_count(self._client.get(f"{self.path}/count.json", params=params or None))

    def get(self, item_id):
        """One item by id."""
        return unwrap(self._client.get(f"{self.path}/{item_id}.json"), self.key)

    def create(self, fields):
        """Create an item from a dict of fields."""
        return unwrap(self._client.post(f"{self.path}.json", json=self._body(fields)), self.key)

    def update(self, item_id, fields):
        """Change some fields of an item."""
        return unwrap(self._client.put(f"{self.path}/{item_id}.json", json=self._body(fields)), self.key)

    def delete(self, item_id):
        """Delete an item."""
        return self._client.delete(f"{self.path}/{item_id}.json")


class Products(Resource):
    """Products and what hangs off each product: variants, images, options, custom fields."""

    def __init__(self, client):
        super().__init__(client, "products", "product")

    def variants(self, product_id):
        """The variants of one product."""
        return Resource(self._client, f"products/{int(product_id)}/variants", "variant")

    def images(self, product_id):
        """The images of one product."""
        return Resource(self._client, f"products/{int(product_id)}/images", "image")

    def options(self, product_id):
        """The options (size, colour…) of one product."""
        return Resource(self._client, f"products/{int(product_id)}/options", "option")

    def fields(self, product_id):
        """The custom field values of one product."""
        return Resource(self._client, f"products/{int(product_id)}/fields", "field")

    def reviews(self, product_id):
        """The reviews of one product (read-only: the API offers no review write)."""
        return Resource(self._client, f"products/{int(product_id)}/reviews", "review")

    def iter_by_status(self, status, *, limit=PAGE_LIMIT):
        """Products with a status (available, not-available, disabled)."""
        return self._iter_pages(f"products/status/{status}.json", limit=limit)


class Orders(Resource):
    """Orders, their history and their fulfillments."""

    def __init__(self, client):
        super().__init__(client, "orders", "order")

    def history(self, order_id):
        """The history entries of one order."""
        return Resource(self._client, f"orders/{int(order_id)}/history", "order_history")

    def fulfillments(self, order_id):
        """The fulfillments of one order."""
        items = self._client.get(f"order/{int(order_id)}/fulfillments.json")
        return [unwrap(item, "fulfillment") for item in items]

    def iter_by_status(self, status, *, limit=PAGE_LIMIT, **params):
        """Orders in a status (Paid, Pending Payment, Canceled…)."""
        return self._iter_pages(f"orders/status/{status}.json", limit=limit, **params)


class Customers(Resource):
    """Customers and their additional fields."""

    def __init__(self, client):
        super().__init__(client, "customers", "customer")

    def fields(self, customer_id):
        """The additional fields of one customer."""
        return Resource(self._client, f"customers/{int(customer_id)}/fields", "customer_additional_field")

    def by_email(self, email):
        """The customer with this email."""
        return unwrap(self._client.get(f"customers/email/{requests.utils.quote(email, safe='')}.json"), "customer")


class Countries:
    """Countries and their regions (static reference data, served bare)."""

    def __init__(self, client):
        self._client = client

    def list(self):
        """Every country."""
        return self._client.get("countries.json")

    def regions(self, country_code):
        """The regions of a country."""
        return self._client.get(f"countries/{country_code}/regions.json")


class StoreResource:
    """The store itself: `/store/info.json` and its languages."""

    def __init__(self, client):
        self._client = client

    def info(self):
        """Store name, code, currency, timezone…; unwrapped whether or not the API wraps it."""
        return unwrap(self._client.get("store/info.json"), "store")

    def languages(self):
        """The store's languages."""
        return self._client.get("store/languages.json")


class Apps:
    """What Jumpseller says about an app itself (`/apps/{code}/…`, paid-app endpoints, scope read_apps)."""

    def __init__(self, client):
        self._client = client

    def install_status(self, app_code):
        """The app's install status on this store (PaidAppInstallStatus: installed, app_code, code…), unwrapped."""
        path = f"apps/{requests.utils.quote(str(app_code), safe='')}/install_status.json"
        return unwrap(self._client.get(path), "install_status")


class JumpsellerClient:
    """A Jumpseller API client. Pass an authenticated requests.Session (OAuth2 or Basic); no Flask inside."""

    def __init__(self, *, session, base_url=DEFAULT_API_URL, timeout=15.0, budget=None, retry=RetryPolicy(),
                 sleep=time.sleep):
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.budget = budget
        self.retry = retry
        self.sleep = sleep
        self.stats = {"requests": 0, "retries": 0, "rate_limited": 0}
        self._stats_lock = threading.Lock()
        self._slots = threading.local()     # this thread's budget slot for the call in flight
        if budget is not None and hasattr(session, "before_resend"):
            session.before_resend = self._budget_resend
        self.store = StoreResource(self)
        self.locations = Resource(self, "locations", "location", send_key=None)
        self.categories = Resource(self, "categories", "category")
        self.products = Products(self)
        self.custom_fields = Resource(self, "custom_fields", "custom_field")
        self.orders = Orders(self)
        self.fulfillments = Resource(self, "fulfillments", "fulfillment")
        self.customers = Customers(self)
        self.customer_categories = Resource(self, "customer_categories", "customer_category")
        self.checkout_custom_fields = Resource(self, "checkout_custom_fields", "checkout_custom_field")
        self.taxes = Resource(self, "taxes", "tax")
        self.hooks = Resource(self, "hooks", "hook")
        self.jsapps = Resource(self, "jsapps", "js_app", send_key="app")
        self.countries = Countries(self)
        self.shipping_methods = Resource(self, "shipping_methods", "shipping_method")
        self.payment_methods = Resource(self, "payment_methods", "payment_method")
        self.apps = Apps(self)

    def __repr__(self):
        return f"<JumpsellerClient {self.base_url}>"

    def request(self, method, path, *, params=None, json=None):
        """Send one call and return its decoded JSON; raise the mapped exception on failure.

        Retries connection failures, 5xx and rate limits with backoff. A call that may have reached
        Jumpseller is retried only when repeating it is harmless (GET/PUT/DELETE): a POST that timed out
        or got a 5xx may have created something, so it is raised, never blindly sent again.
        """
        method = method.upper()
        url = f"{self.base_url}/{path.lstrip('/')}"
        attempt = 0
        waited_for_limits = 0.0
        while True:
            attempt += 1
            self._slots.current = self.budget.acquire() if self.budget is not None else None
            self._count("requests")
            try:
                response = self.session.request(method, url, params=params, json=json, timeout=self.timeout)
            except requests.RequestException as exc:
                kind = "timed out" if isinstance(exc, requests.Timeout) else f"failed: {type(exc).__name__}"
                failure = errors.NetworkError(f"{method} {path} {kind}")
                retryable = method in IDEMPOTENT or never_sent(exc)
                if retryable and attempt < self.retry.max_attempts:
                    self._pause(self.retry.backoff(attempt))
                    continue
                raise failure from exc
            slot = self._slots.current      # a resend after a token refresh took a slot of its own
            failure = error_from_response(response)
            if self.budget is not None:
                limited = isinstance(failure, errors.RateLimited)
                self.budget.observe(response.status_code, response.headers,
                                    retry_after=failure.retry_after if limited else None,
                                    banned=limited and failure.banned, slot=slot)
            if failure is None:
                return self._decode(response, method, path)
            if isinstance(failure, errors.RateLimited):
                # Refused before doing anything, so safe to repeat for any method; the budget now waits.
                self._count("rate_limited")
                waited_for_limits += failure.retry_after
                if waited_for_limits <= self.retry.max_rate_limit_wait:
                    if self.budget is None:
                        self._pause(failure.retry_after)
                    attempt -= 1      # waiting out a limit is not a failed attempt
                    continue
            elif isinstance(failure, errors.ServerError) and method in IDEMPOTENT \
                    and attempt < self.retry.max_attempts:
                self._pause(self.retry.backoff(attempt))
                continue
            raise failure

    def _budget_resend(self, refused):
        """The session's hook before it resends a call after a 401-triggered refresh: the refused answer settles
        the call's slot, and the resend waits for a slot of its own (unbudgeted resends made limit hits)."""
        self.budget.observe(refused.status_code, refused.headers, slot=self._slots.current)
        self._slots.current = self.budget.acquire()

    def _count(self, name):
        with self._stats_lock:
            self.stats[name] += 1

    def _pause(self, seconds):
        self._count("retries")
        self.sleep(seconds)

    @staticmethod
    def _decode(response, method, path):
        if not response.content:
            return None
        try:
            # orjson reads UTF-8 bytes only: a body declared in another charset keeps requests' own decoding.
            if (response.encoding or "utf-8").lower() in _UTF8:
                return jsonio.loads(response.content)
            return response.json()
        except ValueError as exc:
            raise errors.ServerError(f"{method} {path}: response is not JSON", status=response.status_code) from exc

    def get(self, path, *, params=None):
        """GET a path under the API base."""
        return self.request("GET", path, params=params)

    def post(self, path, *, json=None):
        """POST JSON to a path under the API base."""
        return self.request("POST", path, json=json)

    def put(self, path, *, json=None):
        """PUT JSON to a path under the API base."""
        return self.request("PUT", path, json=json)

    def delete(self, path):
        """DELETE a path under the API base."""
        return self.request("DELETE", path)
