"""One app process of the shared-budget test: N threads each make M API calls for one store through client_for,
keeping the store's shared rate budget (the point of the test: every process spaces its calls through it).

Run as `python -m tests.support.budget_worker` with BUDGET_CONFIG (JSON app config), BUDGET_STORE, BUDGET_THREADS
and BUDGET_CALLS (per thread). Says ready once every thread has its client, waits for the test's go
(support/processes.py), then prints one JSON line: calls that succeeded and the errors, by kind.
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
    """Make the calls in this process; exit status 0 unless the harness itself broke."""
    faulthandler.dump_traceback_later(HANG_TIMEOUT, exit=True)   # a hang shows every thread's stack
    app = create_app(json.loads(os.environ["BUDGET_CONFIG"]))
    code = os.environ["BUDGET_STORE"]
    threads, calls = int(os.environ["BUDGET_THREADS"]), int(os.environ["BUDGET_CALLS"])
    ready = threading.Barrier(threads + 1)
    go = threading.Event()
    ok, errors, lock = [0], [], threading.Lock()

    def run():
        try:
            with app.app_context():
                api = client_for(stores.get_store(code))
                db.session.remove()             # the client needs no app context, nor this session's connection
            ready.wait(timeout=HANG_TIMEOUT)
            if not go.wait(timeout=HANG_TIMEOUT):
                raise TimeoutError("no go from the test")
        except Exception as exc:  # reported, not hidden: the test asserts there are none
            ready.abort()
            with lock:
                errors.append(f"setup: {type(exc).__name__}")
            return
        for _ in range(calls):
            try:
                api.products.count()
                with lock:
                    ok[0] += 1
            except Exception as exc:  # noqa: BLE001 - the kind of every failure goes to the test
                with lock:
                    errors.append(type(exc).__name__)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        ready.wait(timeout=HANG_TIMEOUT)
        ready_then_wait()
    except threading.BrokenBarrierError:
        pass                                     # a thread failed before the start: its error is reported below
    go.set()
    for worker in workers:
        worker.join(timeout=HANG_TIMEOUT)
    print(json.dumps({"ok": ok[0], "errors": errors}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
