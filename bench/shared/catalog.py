"""A big mirror for list benchmarks: N products and N orders of an installed store, written through
services/mirror.py's apply() with bodies taken from the sandbox and varied.

The sandbox's own seeded products and orders (read over its API, as Jumpseller sends them: nulls, localized
statuses, numbers as strings in places) are the models; each copy gets its own id, name, SKU, price, stock,
status and categories (products) or its own date over a year, customer and amounts (orders: every money field
and line quantity times the same whole factor, so the totals still add up). Deterministic (one seed).
"""

import copy
import random
from datetime import datetime, timedelta, timezone

import requests

BATCH = 500
YEAR_DAYS = 365
STAMP = "%Y-%m-%d %H:%M:%S UTC"
# Products: (status, weight) and stock: share out of stock, share unlimited.
_STATUSES = (("available", 85), ("not-available", 10), ("disabled", 5))
_OUT_OF_STOCK, _UNLIMITED = 0.10, 0.05
WRAPPERS = {"products": "product", "orders": "order", "categories": "category"}


def sample_bodies(sandbox, resource, pages=1, limit=100):
    """The sandbox default store's `resource` ("products", "orders", "categories"), unwrapped, over its API."""
    store = sandbox.state.default_store
    items = []
    for page in range(1, pages + 1):
        answer = requests.get(f"{sandbox.url}/v1/{resource}.json", params={"limit": limit, "page": page},
                              auth=(store.login, store.authtoken), timeout=60)
        answer.raise_for_status()
        items += [item.get(WRAPPERS[resource], item) for item in answer.json()]
    return items


def _stamp(moment):
    return moment.strftime(STAMP)


def _words(names):
    """The first and the other words of the sample names: "Taza Urbana" gives "Taza" and "Urbana"."""
    heads = sorted({name.split()[0] for name in names if name})
    tails = sorted({word for name in names for word in name.split()[1:]})
    return heads, tails or ["Clásica"]


def products(samples, categories, count, first_id, rng, now):
    """`count` product bodies varied from `samples`, ids from `first_id`, each in 1 or 2 of `categories`."""
    heads, tails = _words(p.get("name") for p in samples)
    for n in range(count):
        body = copy.deepcopy(samples[n % len(samples)])
        remote_id = first_id + n
        name = f"{rng.choice(heads)} {rng.choice(tails)} {rng.choice(tails)} {remote_id % 997}"
        factor = rng.choice((0.25, 0.5, 0.8, 1, 1.2, 1.5, 2, 3, 5))
        price = float(round(float(body.get("price") or 9990) * factor, -1))
        unlimited = rng.random() < _UNLIMITED
        stock = 0 if rng.random() < _OUT_OF_STOCK else rng.randint(1, 500)
        created = now - timedelta(days=rng.uniform(30, YEAR_DAYS))
        body.update(id=remote_id, name=name, sku=f"BN-{remote_id}", price=price, stock=stock,
                    stock_unlimited=unlimited, permalink=f"p-{remote_id}",
                    status=rng.choices([s for s, _ in _STATUSES], [w for _, w in _STATUSES])[0],
                    categories=rng.sample(categories, k=min(len(categories), rng.randint(1, 2))),
                    created_at=_stamp(created), updated_at=_stamp(created + timedelta(days=rng.uniform(0, 29))))
        for position, image in enumerate(body.get("images") or [], start=1):
            image["id"] = remote_id * 100 + position
        for position, variant in enumerate(body.get("variants") or [], start=1):
            variant.update(id=remote_id * 100 + position, sku=f"BN-{remote_id}-{position}", price=price,
                           stock=0 if stock == 0 else rng.randint(0, stock), stock_unlimited=unlimited)
            if isinstance(variant.get("image"), dict):
                variant["image"]["id"] = remote_id * 100 + 1
        yield body


def _people(samples, rng, count):
    """`count` buyers (id, first name, surname) mixing the first names and surnames of the sample orders."""
    firsts = sorted({(o.get("shipping_address") or {}).get("name") or "Ana" for o in samples})
    lasts = sorted({(o.get("shipping_address") or {}).get("surname") or "Pérez" for o in samples})
    return [(200000 + n, rng.choice(firsts), rng.choice(lasts)) for n in range(count)]


_MONEY = ("subtotal", "tax", "shipping_tax", "shipping", "total", "discount", "shipping_discount")


def orders(samples, count, first_id, rng, now, buyers=2000):
    """`count` order bodies varied from `samples`, ids from `first_id`, dated over the year before `now` (ids
    grow with the date, as Jumpseller's do)."""
    people = _people(samples, rng, buyers)
    moments = sorted(now - timedelta(seconds=rng.uniform(0, YEAR_DAYS * 86400)) for _ in range(count))
    for n, created in enumerate(moments):
        body = copy.deepcopy(samples[rng.randrange(len(samples))])
        remote_id = first_id + n
        person, first, last = rng.choice(people)
        email = f"{first}.{last}.{person}@example.com".lower().replace(" ", "")
        body.update(id=remote_id, created_at=_stamp(created),
                    completed_at=_stamp(created + timedelta(minutes=rng.randint(1, 30))))
        body["customer"] = {**(body.get("customer") or {}), "id": str(person), "email": email,
                            "fullname": f"{first} {last}"}
        for kind in ("shipping_address", "billing_address"):
            if isinstance(body.get(kind), dict):
                body[kind].update(name=first, surname=last)
        factor = rng.randint(1, 4)
        for key in _MONEY:
            if isinstance(body.get(key), (int, float)):
                body[key] = body[key] * factor
        for line in body.get("products") or []:
            if isinstance(line.get("qty"), int):
                line["qty"] *= factor
        yield body


def fill(env, store_code, sandbox, *, products_count, orders_count, seed=9):
    """Apply products and orders to the store's mirror until it holds `products_count` and `orders_count` live
    rows (the sandbox's own, already synced, count); returns mirror.counts() afterwards."""
    from jumpseller_app.extensions import db
    from jumpseller_app.services import mirror, stores

    from . import app_context

    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    product_samples = sample_bodies(sandbox, "products")
    order_samples = sample_bodies(sandbox, "orders")
    categories = [{key: c.get(key) for key in ("id", "name", "permalink", "parent_id", "description")}
                  for c in sample_bodies(sandbox, "categories")]
    with app_context(env):
        store = stores.get_store(store_code)
        have = mirror.counts(store.id)
        plan = (("products", products(product_samples, categories, products_count - have["products"],
                                      mirror.max_remote_id(store.id, "products") + 1, rng, now)),
                ("orders", orders(order_samples, orders_count - have["orders"],
                                  mirror.max_remote_id(store.id, "orders") + 1, rng, now)))
        for resource, bodies in plan:
            batch = []
            for body in bodies:
                batch.append(body)
                if len(batch) == BATCH:
                    mirror.apply(store.id, resource, batch, now)
                    batch = []
            mirror.apply(store.id, resource, batch, now)
            db.session.commit()
        return mirror.counts(store.id)
