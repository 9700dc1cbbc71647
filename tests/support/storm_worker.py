"""One process of the refresh storm: N threads call the API at the same instant with an expired token.

Run as `python -m tests.storm_worker` with STORM_CONFIG (JSON app config), STORM_STORE, STORM_THREADS and
STORM_START_AT (a time.time() to start at, so both processes fire together). Prints one JSON line.
"""

import faulthandler
import json
import os
import sys
import threading
import time

from jumpseller_app import create_app
from jumpseller_app.extensions import db
from jumpseller_app.services import stores
from jumpseller_app.services.clients import client_for


def main():
    faulthandler.dump_traceback_later(60, exit=True)   # a hang shows every thread's stack instead of nothing
    app = create_app(json.loads(os.environ["STORM_CONFIG"]))
    code = os.environ["STORM_STORE"]
    threads = int(os.environ.get("STORM_THREADS", "25"))
    start_at = float(os.environ["STORM_START_AT"])
    barrier = threading.Barrier(threads)
    results, lock = [], threading.Lock()

    def call():
        try:
            with app.app_context():
                api = client_for(stores.get_store(code))
                db.session.remove()             # give the connection back: the client needs no app context
            barrier.wait(timeout=60)
            time.sleep(max(0.0, start_at - time.time()))
            outcome = api.store.info()["code"]
        except Exception as exc:  # reported, not hidden: the test asserts there are none
            barrier.abort()
            outcome = f"error: {type(exc).__name__}: {exc}"
        with lock:
            results.append(outcome)

    workers = [threading.Thread(target=call) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    print(json.dumps({"ok": results.count(code), "errors": [r for r in results if r != code]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
