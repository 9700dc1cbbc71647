"""How fast are the list pages (products, orders, categories) over a big mirror, next to a bare Flask endpoint?

Installs the sandbox's store (its seeded catalog synced by the app), then fills the mirror up to --products
products and --orders orders through services/mirror.py's apply(), with the sandbox's bodies varied
(bench/shared/catalog.py: names, prices, stock, statuses, categories; orders over a year, 2,000 buyers). Serves
the app and a one-line Flask app from ONE gunicorn (2 workers) and drives each list page, with search, filters,
sorts and a deep page, from the keep-alive load client on 127.0.0.1. No job worker: its start-up reconciliation
would put the sandbox's catalog back in place of the bench's (the pages read the database only, never the API).
Several rounds; medians are reported.

Prints ONE JSON line: p50_ms and p99_ms over every list request of a round, rps (list requests per second),
bare_rps, ratio (rps / bare_rps), and per page `<page>_p50_ms` and `<page>_cpu_ms` (gunicorn's CPU per request:
what a page costs, whatever else loads the machine); `matches` (products found per products page).

    python bench/lists.py [--rounds 3] [--requests 300] [--concurrency 4] [--seconds 10] [--db sqlite|pg]
                          [--products 10000] [--orders 10000] [--what-if-indexes]
"""

import argparse
import json
import re
import statistics
import sys
import tempfile
import urllib.request
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.shared import (BARE_PREFIX, Request, app_context, app_env, cpu, free_port, gunicorn,  # noqa: E402
                          install, load, percentile, repeat)
from bench.shared import catalog  # noqa: E402

SANDBOX_SEED = 100
PRODUCT_ROW, ORDER_ROW, CATEGORY_ROW = b'data-testid="product-row"', b'data-testid="order-row"', b"category-row"
MATCHES = re.compile(rb'data-testid="products-count">([\d,.\s]+)')
# --what-if-indexes: indexes the mirror does not have (no migration adds them), created in the bench's throwaway
# database only, to measure what they would change. The products one covers what search and filters read, so a
# scan never touches the rows (each carries its raw JSON, ~3 KB, before deleted_at).
WHAT_IF = {
    "sqlite": ("CREATE INDEX bench_products_name ON mirror_products (store_id, lower(name), id, lower(sku), "
               "category_ids, stock, stock_unlimited) WHERE deleted_at IS NULL",
               "CREATE INDEX bench_products_price ON mirror_products (store_id, price, id) WHERE deleted_at IS NULL",
               "CREATE INDEX bench_orders_total ON mirror_orders (store_id, total, id)", "ANALYZE"),
    "postgresql": ("CREATE INDEX bench_products_name ON mirror_products (store_id, lower(name), id) "
                   "WHERE deleted_at IS NULL",
                   "CREATE INDEX bench_products_price ON mirror_products (store_id, price, id) "
                   "WHERE deleted_at IS NULL",
                   "CREATE INDEX bench_orders_total ON mirror_orders (store_id, total, id)", "ANALYZE"),
}


def scenarios(env, code):
    """(name, path, marker a correct answer contains): each list page as a merchant uses it, its arguments
    taken from the mirror so that every search and filter finds rows."""
    from sqlalchemy import func, select

    from jumpseller_app.extensions import db
    from jumpseller_app.models import MirrorCategory, MirrorOrder, MirrorProduct
    from jumpseller_app.services import stores

    with app_context(env):
        store_id = stores.get_store(code).id
        word = db.session.scalar(select(MirrorProduct.name).where(MirrorProduct.store_id == store_id)
                                 .order_by(MirrorProduct.remote_id.desc()).limit(1)).split()[0].lower()
        category = db.session.scalar(select(MirrorCategory.remote_id).where(MirrorCategory.store_id == store_id)
                                     .order_by(MirrorCategory.remote_id).limit(1))
        email = db.session.scalar(select(MirrorOrder.customer_email).where(MirrorOrder.store_id == store_id)
                                  .order_by(MirrorOrder.remote_id.desc()).limit(1))
        products = db.session.scalar(select(func.count()).select_from(MirrorProduct)
                                     .where(MirrorProduct.store_id == store_id))
    fragment = email.split("@")[0].split(".", 1)[1][:-2]          # "rojas.20" of "ana.rojas.2017@…"
    today = date.today()
    deep = max(1, products // 25 - 10)
    return [
        ("products", "/products", PRODUCT_ROW),
        ("products_search", f"/products?q={word[:4]}", PRODUCT_ROW),
        ("products_category_stock", f"/products?category={category}&stock=in", PRODUCT_ROW),
        ("products_by_price", "/products?sort=price&desc=1", PRODUCT_ROW),
        ("products_deep_page", f"/products?page={deep}", PRODUCT_ROW),
        ("orders", "/orders", ORDER_ROW),
        ("orders_search_email", f"/orders?q={fragment}", ORDER_ROW),
        ("orders_status_dates",
         f"/orders?status=paid&from={today - timedelta(days=120)}&to={today - timedelta(days=30)}", ORDER_ROW),
        ("orders_by_total", "/orders?sort=total&desc=1", ORDER_ROW),
        ("categories", "/categories", CATEGORY_ROW),
    ]


def add_indexes(env):
    """Create the WHAT_IF indexes of the database's dialect."""
    from sqlalchemy import text

    from jumpseller_app.extensions import db

    with app_context(env):
        for statement in WHAT_IF[db.engine.dialect.name]:
            db.session.execute(text(statement))
        db.session.commit()


def matches(port, path, cookie):
    """How many products a products page says match (None for other pages)."""
    answer = urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                                           headers={"Cookie": cookie, "Accept-Language": "en"}))
    found = MATCHES.search(answer.read())
    return int(re.sub(rb"\D", b"", found.group(1))) if found else None


def run(sandbox, database_url, args):
    """Install, fill, serve and measure; returns the figures (medians over the rounds)."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = app_env(sandbox.url, tmp, port, database_url)
        installed = install(env, sandbox)
        counts = catalog.fill(env, installed.code, sandbox,
                              products_count=args.products, orders_count=args.orders)
        if args.what_if_indexes:
            add_indexes(env)
        pages = scenarios(env, installed.code)
        headers = {"Cookie": installed.cookie, "Accept-Language": "en"}
        common = {"concurrency": args.concurrency, "seconds": args.seconds}
        bare = Request("GET", BARE_PREFIX + "/", {})
        with gunicorn(env, port) as server:
            found = {name: matches(port, path, installed.cookie) for name, path, _ in pages}
            for name, path, marker in pages:                                            # warm up
                load(port, repeat(Request("GET", path, headers), 20), expect=marker, **common)
            load(port, repeat(bare, 200), **common)
            pids = cpu.tree(server.pid)                 # gunicorn and its workers, booted by now
            rounds = []
            for _ in range(args.rounds):
                used = cpu.seconds(pids)
                bare_rps, bare_latencies, _ = load(port, repeat(bare, args.requests * 4), **common)
                bare_cpu = (cpu.seconds(pids) - used) / len(bare_latencies) * 1000
                every, seconds, per_page = [], 0.0, {}
                for name, path, marker in pages:
                    used = cpu.seconds(pids)
                    rps, latencies, _ = load(port, repeat(Request("GET", path, headers), args.requests),
                                             expect=marker, **common)
                    every += latencies
                    seconds += len(latencies) / rps
                    per_page[f"{name}_p50_ms"] = percentile(latencies, 0.5) * 1000
                    per_page[f"{name}_cpu_ms"] = (cpu.seconds(pids) - used) / len(latencies) * 1000
                rounds.append({"rps": len(every) / seconds, "bare_rps": bare_rps, "bare_cpu_ms": bare_cpu,
                               "p50_ms": percentile(every, 0.5) * 1000, "p99_ms": percentile(every, 0.99) * 1000,
                               **per_page})
    figures = {key: round(statistics.median(r[key] for r in rounds), 2) for key in rounds[0]}
    figures["ratio"] = round(figures["rps"] / figures["bare_rps"], 3)
    figures.update(mirror_products=counts["products"], mirror_orders=counts["orders"],
                   matches={name: value for name, value in found.items() if value is not None})
    return figures


def main(argv=None):
    """Run the rounds and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300, help="per page and round")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0, help="at most, per page and round")
    parser.add_argument("--products", type=int, default=10000)
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--what-if-indexes", action="store_true",
                        help="measure with the indexes of WHAT_IF added (bench database only; not a migration)")
    args = parser.parse_args(argv)

    from sandbox.server import SandboxServer
    from tests.support.servers import PostgresServer

    with SandboxServer(rate_limit="off", seed_products=SANDBOX_SEED, seed_orders=SANDBOX_SEED) as sandbox:
        if args.db == "sqlite":
            figures = run(sandbox, None, args)
        else:
            postgres = PostgresServer()
            try:
                postgres.start()
                figures = run(sandbox, postgres.create_database(), args)
            finally:
                postgres.stop()
    print(json.dumps({**figures, "db": args.db, "rounds": args.rounds, "concurrency": args.concurrency,
                      "what_if_indexes": args.what_if_indexes}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
