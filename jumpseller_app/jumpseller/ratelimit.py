"""A per-store request budget shared by every thread and process that calls Jumpseller for that store.

Jumpseller counts requests per store in sliding windows (per second and per minute) and refuses the excess
(legacy: 8/s + 240/min, 403 "Rate Limit Exceeded"; current: 20/s + 800/min, 429, then a temporary ban).
This module mirrors those windows on our side, so calls are spaced to fit instead of bouncing off the limit:

* A *reservation log*: each caller takes, in one atomic step, the earliest send time at which both windows
  still have room (calls evenly spaced within the per-second limit), records it, and sleeps until then. Reservations are FIFO, so waiting callers never race
  each other (no thundering herd of retries) and the schedule is exact rather than approximate.
* The limits follow the `Jumpseller-Per*RateLimit-Limit` headers; the `-Remaining` headers reveal requests we
  did not make (another app or script on the same store), which are added to the log as phantom sends.
* A rate-limit answer pauses the store's budget for everyone until it ends. A ban is different: Jumpseller bans
  "your IP", so one store that kept hitting its limit stops every store behind the app's address. A ban seen on
  any store's call therefore pauses the whole deployment (every store, every process) until the ban's reset,
  and calls queued meanwhile go out after it instead of hammering the banned address.
* Jumpseller stamps a call somewhere between our send and its answer, and under load that can be hundreds of
  milliseconds after the send. So once the answer is in, the call's entry moves to the time it arrived: the
  latest its stamp can be. The windows are then measured from stamps we can be sure of, whatever the latency.
* A refusal despite all this doubles the store's shared margin (up to 250 ms), trading a little throughput for no
  more refusals.

Written by hand rather than with pyrate-limiter: its buckets have fixed rates, no pause, and a blocked caller
sleeps and retries instead of holding its place in line; the algorithm here is small and is tested against the
sandbox's own limiter. Two backends: SQLite (stdlib, the default, one file shared by the processes of a
machine) and Redis (for several machines).
"""

import os
import sqlite3
import threading
import time
from dataclasses import dataclass

LEGACY_PER_SECOND = 8
LEGACY_PER_MINUTE = 240

# Our send time and Jumpseller's arrival time differ by the network latency, which varies; a window a little
# longer than the server's absorbs that jitter. Costs ~2 % of the per-second and ~0.4 % of the per-minute throughput.
SECOND_MARGIN = 0.02
# A refusal despite the margin means the path jitters more than that: each one doubles the store's margin, up to
# this. The budget then runs a little slower for that store instead of bouncing off the limit again.
MAX_SECOND_MARGIN = 0.25
MINUTE_MARGIN = 0.25
KEEP_SECONDS = 120


@dataclass(frozen=True)
class Limits:
    """The two windows Jumpseller enforces for one store."""

    per_second: int = LEGACY_PER_SECOND
    per_minute: int = LEGACY_PER_MINUTE


def earliest_slot(now, recent, limits, paused_until=0.0, second_margin=SECOND_MARGIN):
    """The earliest send time that keeps both windows within limits.

    `recent` holds the already reserved send times, newest first; reservations are FIFO, so a new one is
    never earlier than the newest.
    """
    slot = max(now, paused_until)
    if recent:
        # Evenly spaced, never in bursts: Jumpseller stamps a burst one request after another, spreading it
        # over tens of milliseconds, and a burst stamped late would make the next second's first call the
        # ninth in a window. Spacing costs nothing in steady state and under 1 % at the start of a run.
        slot = max(slot, recent[0] + (1.0 + second_margin) / limits.per_second)
    if len(recent) >= limits.per_second:
        slot = max(slot, recent[limits.per_second - 1] + 1.0 + second_margin)
    if len(recent) >= limits.per_minute:
        slot = max(slot, recent[limits.per_minute - 1] + 60.0 + MINUTE_MARGIN)
    return slot


def limits_from_headers(headers):
    """The limits a response announces, or None when it carries no rate-limit headers."""
    try:
        second = int(headers["Jumpseller-PerSecondRateLimit-Limit"])
        minute = int(headers["Jumpseller-PerMinuteRateLimit-Limit"])
    except (KeyError, TypeError, ValueError):
        return None
    if second <= 0 or minute <= 0:
        return None
    return Limits(second, minute)


def remaining_from_headers(headers):
    """(remaining this second, remaining this minute) as the server counted, or None."""
    try:
        return (int(headers["Jumpseller-PerSecondRateLimit-Remaining"]),
                int(headers["Jumpseller-PerMinuteRateLimit-Remaining"]))
    except (KeyError, TypeError, ValueError):
        return None


class SQLiteBackend:
    """Reservation logs in a SQLite file; BEGIN IMMEDIATE makes each reservation atomic across processes."""

    def __init__(self, path):
        self.path = str(path)
        if self.path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self._local = threading.local()
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS rl_budget (store TEXT PRIMARY KEY, per_second INTEGER, "
                         "per_minute INTEGER, paused_until REAL NOT NULL DEFAULT 0, margin REAL)")
            # Files made by an older version lack the margin column; the budget is scratch data, so add it in place.
            columns = {row[1] for row in conn.execute("PRAGMA table_info(rl_budget)")}
            if "margin" not in columns:
                conn.execute("ALTER TABLE rl_budget ADD COLUMN margin REAL")
            conn.execute("CREATE TABLE IF NOT EXISTS rl_deployment (id INTEGER PRIMARY KEY CHECK (id = 1), "
                         "paused_until REAL NOT NULL DEFAULT 0)")
            conn.execute("CREATE TABLE IF NOT EXISTS rl_sends (store TEXT NOT NULL, ts REAL NOT NULL)")
            conn.execute("CREATE INDEX IF NOT EXISTS rl_sends_store_ts ON rl_sends (store, ts)")

    def __repr__(self):
        return f"<SQLiteBackend {self.path}>"

    def _connect(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return _Transaction(conn)

    def _budget(self, conn, store, default):
        row = conn.execute("SELECT per_second, per_minute, paused_until, margin FROM rl_budget WHERE store = ?",
                           (store,)).fetchone()
        if row is None:
            return default, 0.0, SECOND_MARGIN
        return Limits(row[0], row[1]), row[2], row[3] if row[3] is not None else SECOND_MARGIN

    def reserve(self, store, default_limits, now, margin=SECOND_MARGIN):
        """Record the next free slot for `store` (at least `margin` of timing slack) and return it."""
        with self._connect() as conn:
            limits, paused_until, stored_margin = self._budget(conn, store, default_limits)
            paused_until = max(paused_until, self._deployment_pause(conn))
            margin = max(margin, stored_margin)
            depth = max(limits.per_second, limits.per_minute)
            recent = [r[0] for r in conn.execute(
                "SELECT ts FROM rl_sends WHERE store = ? ORDER BY ts DESC LIMIT ?", (store, depth))]
            slot = earliest_slot(now, recent, limits, paused_until, margin)
            conn.execute("INSERT INTO rl_sends (store, ts) VALUES (?, ?)", (store, slot))
            if len(recent) >= depth:
                conn.execute("DELETE FROM rl_sends WHERE store = ? AND ts < ?", (store, now - KEEP_SECONDS))
        return slot

    def set_limits(self, store, limits):
        """Adopt the limits the server announced."""
        with self._connect() as conn:
            conn.execute("INSERT INTO rl_budget (store, per_second, per_minute) VALUES (?, ?, ?) "
                         "ON CONFLICT(store) DO UPDATE SET per_second = excluded.per_second, "
                         "per_minute = excluded.per_minute", (store, limits.per_second, limits.per_minute))

    def pause(self, store, until, default_limits):
        """Hold every caller of `store` until `until` (epoch seconds)."""
        with self._connect() as conn:
            conn.execute("INSERT INTO rl_budget (store, per_second, per_minute, paused_until) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(store) DO UPDATE SET paused_until = MAX(paused_until, excluded.paused_until)",
                         (store, default_limits.per_second, default_limits.per_minute, until))

    def pause_deployment(self, until):
        """Hold every caller of every store until `until` (epoch seconds): the IP is banned."""
        with self._connect() as conn:
            conn.execute("INSERT INTO rl_deployment (id, paused_until) VALUES (1, ?) ON CONFLICT(id) DO UPDATE "
                         "SET paused_until = MAX(paused_until, excluded.paused_until)", (until,))

    def deployment_paused_until(self):
        """Until when (epoch seconds) every store is held; 0 when no ban was seen."""
        with self._connect() as conn:
            return self._deployment_pause(conn)

    @staticmethod
    def _deployment_pause(conn):
        row = conn.execute("SELECT paused_until FROM rl_deployment WHERE id = 1").fetchone()
        return row[0] if row else 0.0

    def settle(self, store, slot, answered_at):
        """Move the send reserved at `slot` to `answered_at`, the latest instant the server can have stamped it."""
        with self._connect() as conn:
            conn.execute("UPDATE rl_sends SET ts = ? WHERE rowid = (SELECT rowid FROM rl_sends WHERE store = ? "
                         "AND ts = ? LIMIT 1) AND ts < ?", (answered_at, store, slot, answered_at))

    def widen_margin(self, store, default_limits):
        """Double the store's timing margin (up to MAX_SECOND_MARGIN) after a refusal."""
        with self._connect() as conn:
            conn.execute("INSERT INTO rl_budget (store, per_second, per_minute, margin) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(store) DO UPDATE SET margin = MIN(?, 2 * COALESCE(margin, ?))",
                         (store, default_limits.per_second, default_limits.per_minute, 2 * SECOND_MARGIN,
                          MAX_SECOND_MARGIN, SECOND_MARGIN))

    def add_phantoms(self, store, now, second_used, minute_used):
        """Log sends the server saw but we did not make, so the windows match the server's count."""
        with self._connect() as conn:
            ours_second = conn.execute("SELECT COUNT(*) FROM rl_sends WHERE store = ? AND ts > ? AND ts <= ?",
                                       (store, now - 1.0, now)).fetchone()[0]
            ours_minute = conn.execute("SELECT COUNT(*) FROM rl_sends WHERE store = ? AND ts > ? AND ts <= ?",
                                       (store, now - 60.0, now)).fetchone()[0]
            missing = max(second_used - ours_second, minute_used - ours_minute, 0)
            if missing:
                conn.executemany("INSERT INTO rl_sends (store, ts) VALUES (?, ?)", [(store, now)] * missing)
        return missing


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT around a block (ROLLBACK on error), on a connection in autocommit mode."""

    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


_RESERVE_LUA = """
local sends, budget, deployment = KEYS[1], KEYS[2], KEYS[3]
local now, dps, dpm, second_margin, minute_margin, keep =
  tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ps = tonumber(redis.call('HGET', budget, 'per_second')) or dps
local pm = tonumber(redis.call('HGET', budget, 'per_minute')) or dpm
local slot = math.max(now, tonumber(redis.call('HGET', budget, 'paused_until')) or 0,
                      tonumber(redis.call('HGET', deployment, 'paused_until')) or 0)
second_margin = math.max(second_margin, tonumber(redis.call('HGET', budget, 'margin')) or 0)
local depth = math.max(ps, pm)
local recent = redis.call('ZREVRANGE', sends, 0, depth - 1, 'WITHSCORES')
local n = #recent / 2
if n >= 1 then slot = math.max(slot, tonumber(recent[2]) + (1.0 + second_margin) / ps) end
if n >= ps then slot = math.max(slot, tonumber(recent[ps * 2]) + 1.0 + second_margin) end
if n >= pm then slot = math.max(slot, tonumber(recent[pm * 2]) + 60.0 + minute_margin) end
local seq = redis.call('INCR', budget .. ':seq')
redis.call('ZADD', sends, slot, tostring(slot) .. ':' .. seq)
redis.call('ZREMRANGEBYSCORE', sends, '-inf', now - keep)
redis.call('EXPIRE', sends, keep * 2)
return string.format('%.17g', slot)
"""


# Raise a hash field to a value, never lower it, in one step (two processes may report a pause at once).
_RAISE_LUA = """
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
"""


class RedisBackend:
    """Reservation logs in Redis sorted sets; a Lua script makes each reservation atomic."""

    def __init__(self, url, *, prefix="jsapp:rl:"):
        import redis  # optional dependency: only the scale-out mode needs it

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self._reserve = self.redis.register_script(_RESERVE_LUA)
        self._raise = self.redis.register_script(_RAISE_LUA)
        self._deployment = f"{prefix}deployment"    # no store key looks like this: theirs end in :sends / :budget

    def __repr__(self):
        return "<RedisBackend>"

    def _keys(self, store):
        return f"{self.prefix}{store}:sends", f"{self.prefix}{store}:budget"

    def reserve(self, store, default_limits, now, margin=SECOND_MARGIN):
        """Record the next free slot for `store` (at least `margin` of timing slack) and return it."""
        sends, budget = self._keys(store)
        return float(self._reserve(keys=[sends, budget, self._deployment], args=[
            repr(now), default_limits.per_second, default_limits.per_minute, repr(margin), MINUTE_MARGIN,
            KEEP_SECONDS]))

    def set_limits(self, store, limits):
        """Adopt the limits the server announced."""
        self.redis.hset(self._keys(store)[1], mapping={"per_second": limits.per_second,
                                                       "per_minute": limits.per_minute})

    def pause(self, store, until, default_limits):
        """Hold every caller of `store` until `until` (epoch seconds)."""
        self._raise(keys=[self._keys(store)[1]], args=["paused_until", repr(until)])

    def pause_deployment(self, until):
        """Hold every caller of every store until `until` (epoch seconds): the IP is banned."""
        self._raise(keys=[self._deployment], args=["paused_until", repr(until)])

    def deployment_paused_until(self):
        """Until when (epoch seconds) every store is held; 0 when no ban was seen."""
        return float(self.redis.hget(self._deployment, "paused_until") or 0)

    def settle(self, store, slot, answered_at):
        """Move the send reserved at `slot` to `answered_at`, the latest instant the server can have stamped it."""
        sends = self._keys(store)[0]
        # The slot came back from Lua as text: match it within 0.1 ms (our own sends are >= 100 ms apart).
        for member in self.redis.zrangebyscore(sends, slot - 1e-4, slot + 1e-4):
            if b":p" not in member:                          # phantoms are not ours to move
                self.redis.zadd(sends, {member: answered_at}, xx=True, gt=True)
                return

    def widen_margin(self, store, default_limits):
        """Double the store's timing margin (up to MAX_SECOND_MARGIN) after a refusal."""
        budget = self._keys(store)[1]
        current = float(self.redis.hget(budget, "margin") or SECOND_MARGIN)
        self.redis.hset(budget, "margin", repr(min(MAX_SECOND_MARGIN, 2 * current)))

    def add_phantoms(self, store, now, second_used, minute_used):
        """Log sends the server saw but we did not make, so the windows match the server's count."""
        sends = self._keys(store)[0]
        ours_second = self.redis.zcount(sends, now - 1.0, now)
        ours_minute = self.redis.zcount(sends, now - 60.0, now)
        missing = max(second_used - ours_second, minute_used - ours_minute, 0)
        if missing:
            base = self.redis.incrby(self._keys(store)[1] + ":seq", missing)
            self.redis.zadd(sends, {f"{now!r}:p{base - i}": now for i in range(missing)})
        return missing


class StoreBudget:
    """The rate budget of one store: `acquire()` before each call, `observe()` every response."""

    def __init__(self, backend, store_key, *, limits=Limits(), clock=time.time, sleep=time.sleep):
        self.backend = backend
        self.store_key = store_key
        self.default_limits = limits
        self.clock = clock
        self.sleep = sleep
        self._known_limits = None

    def __repr__(self):
        return f"<StoreBudget {self.store_key}>"

    def acquire(self):
        """Wait for this store's next free slot; returns the slot, to hand back to observe()."""
        now = self.clock()
        slot = self.backend.reserve(self.store_key, self._known_limits or self.default_limits, now)
        if slot > now:
            self.sleep(slot - now)
            # Another store's call may have met a ban while this one waited: the ban is on the address.
            now = self.clock()
            paused_until = self.backend.deployment_paused_until()
            if paused_until > now:
                self.sleep(paused_until - now)
        return slot

    def observe(self, status, headers, *, retry_after=None, banned=False, slot=None):
        """Learn from a response: when it was answered, announced limits, calls we did not make, refusals.

        A ban (`banned`, `retry_after` seconds left) covers the IP, so it pauses every store of the deployment.
        During a ban the remaining counts say nothing about the windows after it, so only the pause applies.
        """
        if slot is not None:
            self.backend.settle(self.store_key, slot, self.clock())
        limits = limits_from_headers(headers)
        if limits and limits != self._known_limits:
            self.backend.set_limits(self.store_key, limits)
            self._known_limits = limits
        limits = limits or self._known_limits or self.default_limits
        remaining = remaining_from_headers(headers)
        now = self.clock()
        if remaining is not None and not banned:
            second_left, minute_left = remaining
            self.backend.add_phantoms(self.store_key, now, limits.per_second - second_left,
                                      limits.per_minute - minute_left)
        if retry_after is not None and banned:
            self.backend.pause_deployment(now + retry_after)
        elif retry_after is not None:
            self.backend.pause(self.store_key, now + retry_after, limits)
            self.backend.widen_margin(self.store_key, limits)
