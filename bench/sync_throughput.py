"""How close does a full catalog pull run to Jumpseller's rate limit, without hitting it?

Starts the sandbox as its own process with the legacy limits (8 req/s and 240 req/min per store, 403 on
excess), seeds it, and pulls every product (variants included) three ways:

1. our client (JumpsellerClient + the shared StoreBudget) for one store;
2. the docs' advice as a baseline: plain requests, sleep 0.5 s after every call, retry on error;
3. 20 stores at once, each store's pages split between 2 worker processes that share its budget.

The physical limit for R requests is the time the limiter itself would need with zero latency: the start of
request R+1 when every request goes out at the earliest instant both windows allow. ratio = that / measured.
The sandbox renders its seeded catalogs before the timed runs (a single process; cold rendering of 480,000
products would otherwise be what this measures). Prints ONE JSON line.

    python bench/sync_throughput.py [--products 20000] [--stores 20] [--store-products 24000] [--skip-baseline]
                                    [--concurrency 4]
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jumpseller_app.jumpseller import JumpsellerClient  # noqa: E402
from jumpseller_app.jumpseller.auth import BasicAuth  # noqa: E402
from jumpseller_app.jumpseller.ratelimit import Limits, SQLiteBackend, StoreBudget  # noqa: E402

PAGE = 100


def bound_seconds(requests_made, limits=Limits()):
    """Seconds R requests occupy under the limits at best: when request R+1 could start."""
    recent, slot = [], 0.0
    for _ in range(requests_made + 1):
        slot = _tight_slot(recent, limits)
        recent.insert(0, slot)
        del recent[max(limits.per_second, limits.per_minute):]
    return slot


def _tight_slot(recent, limits):
    # ratelimit.earliest_slot's rule without its safety margins: the server's exact windows.
    slot = recent[0] if recent else 0.0
    if len(recent) >= limits.per_second:
        slot = max(slot, recent[limits.per_second - 1] + 1.0)
    if len(recent) >= limits.per_minute:
        slot = max(slot, recent[limits.per_minute - 1] + 60.0)
    return slot


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sandbox:
    """The sandbox in its own process, so its work does not share our interpreter."""

    def __init__(self, products):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Its access log goes to a file: an unread pipe would fill up and stall the server.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", str(self.port), "--seed-products", str(products),
             "--rate-limit", "legacy"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log, text=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("sandbox exited: " + self.log.read()[-2000:])
            try:
                if requests.get(self.url + "/_sandbox/stats", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("sandbox did not start")

    def control(self, method, path, **body):
        # Rendering a large seeded catalog ahead takes minutes; every other control call is instant.
        response = requests.request(method, f"{self.url}/_sandbox/{path}", json=body or None, timeout=900)
        response.raise_for_status()
        return response.json()

    def credentials(self, code):
        for entry in self.control("GET", "stores")["stores"]:
            if entry["store"]["code"] == code:
                return entry["login"], entry["authtoken"]
        raise KeyError(code)

    def hits(self, code=None):
        counts = self.control("GET", "stats")["rate_limit_hits"]
        return counts.get(code, 0) if code else sum(counts.values())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def our_client(api_url, login, authtoken, budget_db, store):
    session = requests.Session()
    session.auth = BasicAuth(login, authtoken)
    return JumpsellerClient(session=session, base_url=api_url, budget=StoreBudget(SQLiteBackend(budget_db), store))


def pull_ours(sandbox, login, authtoken, budget_db, concurrency):
    """The whole catalog through our client; returns (requests, seconds, products)."""
    client = our_client(sandbox.url + "/v1", login, authtoken, budget_db, "sandbox")
    start = time.perf_counter()
    expected = client.products.count()
    ids = [product["id"] for product in client.products.iter_all(limit=PAGE, concurrency=concurrency)]
    seconds = time.perf_counter() - start
    assert len(ids) == len(set(ids)) == expected, "catalog incomplete or duplicated"
    return client.stats["requests"], seconds, len(ids)


def pull_baseline(sandbox, login, authtoken):
    """The docs' advice: sleep 0.5 s after every call and retry on error."""
    session = requests.Session()
    session.auth = (login, authtoken)
    made = 0

    def get(path, **params):
        nonlocal made
        while True:
            made += 1
            response = session.get(f"{sandbox.url}/v1/{path}", params=params, timeout=30)
            time.sleep(0.5)
            if response.ok:
                return response.json()

    start = time.perf_counter()
    expected = get("products/count.json")["count"]
    ids, page = [], 1
    while True:
        items = get("products.json", page=page, limit=PAGE)
        ids.extend(item["product"]["id"] for item in items)
        if len(items) < PAGE:
            break
        page += 1
    seconds = time.perf_counter() - start
    assert len(ids) == expected
    return made, seconds


def worker(args):
    """One of the 2 processes of the multi-store run: a thread per store, pages of this process's parity."""
    stores = json.loads(args.worker_stores)
    results, lock = {}, threading.Lock()
    start_at = float(args.start_at)

    def run(store):
        client = our_client(args.api_url, store["login"], store["authtoken"], args.budget_db, store["code"])
        time.sleep(max(0.0, start_at - time.time()))
        first = time.time()
        page, count, error = args.part + 1, 0, None
        try:
            while True:
                items = client.get("products.json", params={"page": page, "limit": PAGE})
                count += len(items)
                if len(items) < PAGE:
                    break
                page += args.parts
        except Exception as exc:  # reported in the JSON line: a failed pull must not pass for a short one
            error = f"page {page}: {type(exc).__name__}: {exc}"
        with lock:
            results[store["code"]] = {"requests": client.stats["requests"], "products": count,
                                      "first": first, "last": time.time(), "error": error}

    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(results))


def pull_many(sandbox, stores, per_store, budget_db):
    """Pull `stores` catalogs at once from 2 processes sharing each store's budget; returns (ratio, hits)."""
    entries = []
    for index in range(stores):
        code = f"bench-{index:02d}"
        created = sandbox.control("POST", "stores", code=code, name=f"Bench {index}", seed_products=per_store)
        entries.append({"code": code, "login": created["login"], "authtoken": created["authtoken"]})
    sandbox.control("POST", "prerender")        # untimed: the sandbox's first rendering is not the client's cost
    sandbox.control("POST", "reset")
    start_at = time.time() + 2.0
    procs = [subprocess.Popen(
        [sys.executable, __file__, "--worker", "--api-url", sandbox.url + "/v1", "--budget-db", budget_db,
         "--part", str(part), "--parts", "2", "--start-at", str(start_at), "--worker-stores", json.dumps(entries)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True) for part in range(2)]
    outputs = [json.loads(proc.communicate(timeout=3600)[0].strip().splitlines()[-1]) for proc in procs]
    merged_by_store = {}
    for output in outputs:
        for code, result in output.items():
            merged = merged_by_store.setdefault(code, {"requests": 0, "products": 0, "first": result["first"],
                                                 "last": result["last"]})
            merged["requests"] += result["requests"]
            merged["products"] += result["products"]
            merged["first"] = min(merged["first"], result["first"])
            merged["last"] = max(merged["last"], result["last"])
    errors = [r["error"] for output in outputs for r in output.values() if r["error"]]
    assert not errors, errors[:3]
    short = {code: m["products"] for code, m in merged_by_store.items() if m["products"] != per_store}
    assert not short, f"incomplete catalogs: {short}"
    runs = merged_by_store.values()
    bound = max(bound_seconds(m["requests"]) for m in runs)
    actual = max(m["last"] for m in runs) - min(m["first"] for m in runs)
    return bound / actual, sandbox.hits(), sum(m["requests"] for m in runs), actual


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--stores", type=int, default=20)
    # 24,000 products = 240 full pages: each store needs more than one minute's budget, so the run measures the
    # sustained, rate-bound regime a large sync lives in, not the first-second burst that this 2-core machine's
    # CPU (80+ pages of 100 products a second to decode) would bound instead.
    parser.add_argument("--store-products", type=int, default=24000,
                        help="products per store in the multi-store run (default 24,000)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--concurrency", type=int, default=4, help="threads pulling pages of one catalog")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--budget-db", help=argparse.SUPPRESS)
    parser.add_argument("--part", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--parts", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", help=argparse.SUPPRESS)
    parser.add_argument("--worker-stores", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    sandbox = Sandbox(args.products)
    tmp = tempfile.mkdtemp(prefix="bench-sync-")
    try:
        login, authtoken = sandbox.credentials("sandbox")
        sandbox.control("POST", "prerender")    # warm for both our client and the baseline
        sandbox.control("POST", "reset")
        made, seconds, products = pull_ours(sandbox, login, authtoken, os.path.join(tmp, "one.sqlite3"),
                                            args.concurrency)
        bound = bound_seconds(made)
        figures = {
            "products": products,
            "requests": made,
            "seconds": round(seconds, 2),
            "req_per_min": round(made / seconds * 60, 1),
            "bound_req_per_min": round(made / bound * 60, 1),
            "ratio": round(bound / seconds, 3),
            "limit_hits": sandbox.hits("sandbox"),
        }
        if not args.skip_baseline:
            sandbox.control("POST", "reset")
            base_made, base_seconds = pull_baseline(sandbox, login, authtoken)
            figures["baseline_requests"] = base_made
            figures["baseline_seconds"] = round(base_seconds, 2)
            figures["baseline_ratio"] = round(bound_seconds(base_made) / base_seconds, 3)
        if args.stores:
            per_store = args.store_products
            ratio, hits, total, actual = pull_many(sandbox, args.stores, per_store, os.path.join(tmp, "many.sqlite3"))
            figures.update({"stores": args.stores, "store_products": per_store, "stores20_requests": total,
                            "stores20_seconds": round(actual, 2), "stores20_ratio": round(ratio, 3),
                            "stores20_limit_hits": hits})
        print(json.dumps(figures))
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
