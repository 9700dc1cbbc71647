"""Short, latency-critical writes (the hook receiver's inserts) on SQLite: whose turn it is, and no sleepy waits.

SQLite has one write lock per database file. A connection that finds it taken waits in SQLite's busy handler,
which sleeps 1, 2, 5 … up to 100 ms between tries: with two web processes and a worker writing, those sleeps were
the receiver's p99 (over 400 ms while the worker drained the inbox). Here:
- the receiver's writers take turns, first among the process's threads, then across processes with an flock on
  a file beside the database, and a writer waiting for its turn wakes the moment the previous one is done;
- the writer whose turn it is meets the other writers (the worker's transactions) at SQLite's lock with a busy
  timeout of 3 ms, which SQLite spends as two sleeps of 1 and 2 ms, then tries again: it takes the lock within a
  millisecond or two of a gap between their transactions (the worker, in the background, is the one that waits
  longer). A busy timeout of 0 retried from Python every millisecond cost as much CPU as the worker's own work.
PostgreSQL locks rows, not the database: there a write is simply executed and committed.
"""

import contextlib
import fcntl
import os
import threading
import time

from sqlalchemy.exc import OperationalError

# SQLite's busy handler sleeps 1, 2, 5 … ms between its tries: a 3 ms timeout is two tries, 1 and 2 ms apart.
SHORT_BUSY_MS = 3
_turns = {}
_turns_lock = threading.Lock()


def execute_and_commit(conn, statement, params, *, wait_seconds=30.0):
    """Execute one write on `conn` and commit it; returns its rowcount. On SQLite, in the receiver's turn."""
    if conn.dialect.name != "sqlite":
        rowcount = conn.execute(statement, params).rowcount
        conn.commit()
        return rowcount
    # On the sqlite3 connection itself: through SQLAlchemy the three PRAGMAs cost more than the insert.
    sqlite = conn.connection.dbapi_connection
    with _turn(conn.engine.url.database or ":memory:"):
        previous = int(sqlite.execute("PRAGMA busy_timeout").fetchone()[0])
        sqlite.execute(f"PRAGMA busy_timeout = {SHORT_BUSY_MS}")
        try:
            return _retried(conn, statement, params, time.monotonic() + wait_seconds)
        finally:
            sqlite.execute(f"PRAGMA busy_timeout = {previous}")


def _retried(conn, statement, params, deadline):
    while True:
        tried = time.monotonic()
        try:
            rowcount = conn.execute(statement, params).rowcount
            conn.commit()
            return rowcount
        except OperationalError as exc:
            conn.rollback()
            if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                raise
        if time.monotonic() - tried < SHORT_BUSY_MS / 2000:
            time.sleep(SHORT_BUSY_MS / 3000)       # an SQLite built without usleep() returns busy at once


@contextlib.contextmanager
def _turn(database):
    with _turns_lock:
        # Keyed by process too: a turn opened before a fork would be one shared lock for the parent and child.
        turn = _turns.get((os.getpid(), database))
        if turn is None:
            side = None if database == ":memory:" else os.open(f"{database}.hooks-lock", os.O_RDWR | os.O_CREAT, 0o600)
            turn = _turns[(os.getpid(), database)] = (threading.Lock(), side)
    threads, side = turn
    with threads:
        if side is not None:
            fcntl.flock(side, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if side is not None:
                fcntl.flock(side, fcntl.LOCK_UN)
