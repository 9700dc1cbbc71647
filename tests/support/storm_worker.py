"""One process of the refresh storm: N threads call the API at the same instant with an expired token.

Run as `python -m tests.support.storm_worker` with STORM_CONFIG (JSON app config), STORM_STORE and STORM_THREADS.
Every thread builds its client, then the process says ready and waits for the test's go (support/processes.py),
so all processes fire together however long each took to start. Each thread calls without the rate budget
(the storm is about refresh coordination: spacing the calls would hide a race). Prints one JSON line at the end.
"""

import faulthandler
import json
import os
import sys
import threading

from jumpseller_app import create_app
from jumpseller_app.extensions import db
from jumpseller_app.services import stores
from jumpseller_app.services.clients import client_for

from .processes import HANG_TIMEOUT, ready_then_wait


def main():
    """Run the storm in this process; exit status 0 unless the harness itself broke."""
    faulthandler.dump_traceback_later(HANG_TIMEOUT, exit=True)   # a hang shows every thread's stack
    app = create_app(json.loads(os.environ["STORM_CONFIG"]))
    code = os.environ["STORM_STORE"]
    threads = int(os.environ.get("STORM_THREADS", "25"))
    ready = threading.Barrier(threads + 1)       # every thread, and this one
    go = threading.Event()
    results, lock = [], threading.Lock()

    def call():
        try:
            with app.app_context():
                api = client_for(stores.get_store(code))
                db.session.remove()             # give the connection back: the client needs no app context
            api.budget = None
            ready.wait(timeout=HANG_TIMEOUT)
            if not go.wait(timeout=HANG_TIMEOUT):
                raise TimeoutError("no go from the test")
            outcome = api.store.info()["code"]
        except Exception as exc:  # reported, not hidden: the test asserts there are none
            ready.abort()
            outcome = f"error: {type(exc).__name__}: {exc}"
        with lock:
            results.append(outcome)

    workers = [threading.Thread(target=call) for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        ready.wait(timeout=HANG_TIMEOUT)
        ready_then_wait()
    except threading.BrokenBarrierError:
        pass                                     # a thread failed before the storm: its error is reported below
    go.set()
    for worker in workers:
        worker.join(timeout=HANG_TIMEOUT)
    print(json.dumps({"ok": results.count(code), "errors": [r for r in results if r != code]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
