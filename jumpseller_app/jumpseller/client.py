"""JumpsellerClient: JSON over HTTP with one error map, page generators and resource groups."""

import requests

from . import errors
from .errors import error_from_response

DEFAULT_API_URL = "https://api.jumpseller.com/v1"
PAGE_LIMIT = 100


def unwrap(payload, key):
    """Jumpseller wraps objects (`{"product": {...}}`); accept both wrapped and bare objects."""
    if isinstance(payload, dict) and isinstance(payload.get(key), dict):
        return payload[key]
    return payload


class Resource:
    """CRUD for one collection such as /products; `key` is the wrapper name of one item."""

    def __init__(self, client, path, key):
        self._client = client
        self.path = path
        self.key = key

    def list(self, *, page=1, limit=50, **params):
        """One page of items, unwrapped."""
        items = self._client.get(f"{self.path}.json", params={"page": page, "limit": limit, **params})
        return [unwrap(item, self.key) for item in items]

    def iter_all(self, *, limit=PAGE_LIMIT, **params):
        """Every item, page by page, stopping at the first short page."""
        page = 1
        while True:
            items = self.list(page=page, limit=limit, **params)
            yield from items
            if len(items) < limit:
                return
            page += 1

    def iter_after(self, after_id, *, limit=PAGE_LIMIT):
        """Items with an id above `after_id` (`/{path}/after/{id}.json`), for incremental pulls."""
        page = 1
        while True:
            items = self._client.get(f"{self.path}/after/{int(after_id)}.json", params={"page": page, "limit": limit})
            yield from (unwrap(item, self.key) for item in items)
            if len(items) < limit:
                return
            page += 1

    def count(self, **params):
        """The number of items."""
        return int(self._client.get(f"{self.path}/count.json", params=params or None)["count"])

    def get(self, item_id):
        """One item by id."""
        return unwrap(self._client.get(f"{self.path}/{int(item_id)}.json"), self.key)

    def create(self, fields):
        """Create an item from a dict of fields."""
        return unwrap(self._client.post(f"{self.path}.json", json={self.key: fields}), self.key)

    def update(self, item_id, fields):
        """Change some fields of an item."""
        return unwrap(self._client.put(f"{self.path}/{int(item_id)}.json", json={self.key: fields}), self.key)

    def delete(self, item_id):
        """Delete an item."""
        return self._client.delete(f"{self.path}/{int(item_id)}.json")


class StoreResource:
    """The store itself: `/store/info.json`."""

    def __init__(self, client):
        self._client = client

    def info(self):
        """Store name, code, currency, timezone…; unwrapped whether or not the API wraps it."""
        return unwrap(self._client.get("store/info.json"), "store")


class JumpsellerClient:
    """A Jumpseller API client. Pass an authenticated requests.Session (OAuth2 or Basic); no Flask inside."""

    def __init__(self, *, session, base_url=DEFAULT_API_URL, timeout=15.0):
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.store = StoreResource(self)
        self.products = Resource(self, "products", "product")

    def __repr__(self):
        return f"<JumpsellerClient {self.base_url}>"

    def request(self, method, path, *, params=None, json=None):
        """Send one call and return its decoded JSON; raise the mapped exception on failure."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            response = self.session.request(method, url, params=params, json=json, timeout=self.timeout)
        except requests.Timeout as exc:
            raise errors.ConnectionError(f"{method} {path} timed out") from exc
        except requests.RequestException as exc:
            raise errors.ConnectionError(f"{method} {path} failed: {type(exc).__name__}") from exc
        failure = error_from_response(response)
        if failure is not None:
            raise failure
        if not response.content:
            return None
        try:
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
