"""The receiver's fast path: answered ahead of Flask's pipeline with the app's headers, SQLite writers taking turns
across processes; and sessionless views open no session."""

import fcntl
import sqlite3
import threading

import requests
from flask import session
from sqlalchemy.engine import make_url

from jumpseller_app.sessions import sessionless

from ..support.inbox import stored
from ..support.webhooks import BODY, deliver, sign


def test_the_receiver_answers_with_the_app_headers_and_no_session(live_app):
    refused = deliver(live_app, BODY, code="nobody", signature=sign(BODY, "any"),
                      Cookie="session=whatever")
    assert refused.status_code == 401 and refused.json() == {"error": "invalid signature"}
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.headers["Cache-Control"] == "no-store"
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert refused.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Set-Cookie" not in refused.headers
    # Only POST is the receiver's; anything else is Flask's, where the URL is built but never routed.
    assert requests.get(live_app.url + "/webhooks/jumpseller", timeout=10).status_code == 404


def test_a_delivery_waits_for_another_process_turn_at_the_sqlite_file(app, live_app, installed):
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    answers = []
    # Another open file description on the turn file: to flock, the same as another process holding the turn.
    with open(f"{database}.hooks-lock", "a+") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        sender = threading.Thread(target=lambda: answers.append(
            deliver(live_app, BODY, signature=sign(BODY, installed)).status_code))
        sender.start()
        sender.join(timeout=1.0)
        waiting = sender.is_alive()
        rows_meanwhile = len(stored(app))
        fcntl.flock(other, fcntl.LOCK_UN)
    sender.join(timeout=30)
    assert waiting and rows_meanwhile == 0                  # nothing written while the other process had its turn
    assert answers == [200] and len(stored(app)) == 1       # then stored and acknowledged


def test_a_delivery_waits_for_the_sqlite_write_lock_another_writer_holds_and_is_stored(app, live_app, installed):
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    answers = []
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")                     # the worker in a write transaction
        sender = threading.Thread(target=lambda: answers.append(
            deliver(live_app, BODY, signature=sign(BODY, installed)).status_code))
        sender.start()
        sender.join(timeout=1.0)
        waiting = sender.is_alive()
        other.execute("COMMIT")
    finally:
        other.close()
    sender.join(timeout=30)
    # Neither refused (503) at the busy lock nor stored before it was free; then stored and acknowledged.
    assert waiting and answers == [200] and len(stored(app)) == 1


def test_a_sessionless_view_with_url_arguments_opens_no_session_either(app):
    seen = {}

    @app.get("/machine/<name>")
    @sessionless
    def machine(name):
        seen[name] = session.__class__.__name__
        return "ok"

    @app.get("/person/<name>")
    def person(name):
        seen[name] = session.__class__.__name__
        return "ok"

    client = app.test_client()
    assert client.get("/machine/a").status_code == 200
    assert client.get("/person/b").status_code == 200
    assert seen["a"] == "NullSession" and seen["b"] != "NullSession"
