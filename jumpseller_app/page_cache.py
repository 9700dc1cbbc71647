"""Rendered pages kept per process, with holes for the per-request values (CSRF and session tokens).

A page is rendered once with unguessable markers in place of those values, split at the markers, and cached
under a key that holds everything else it depends on. Each request then only joins the pieces with its own,
freshly generated tokens. The key names the store first, so one store's page is never served to another.
"""

import re
import secrets
import threading
from collections import OrderedDict

from markupsafe import escape

SLOTS = ("csrf_token", "session_token")
# Random per process: no stored content (a store name, an order's customer) can forge a hole.
MARKERS = {name: f"slot-{secrets.token_hex(16)}-{name}" for name in SLOTS}
_NAMES = {marker: name for name, marker in MARKERS.items()}
_SPLIT = re.compile("(" + "|".join(map(re.escape, MARKERS.values())) + ")")


def marker_functions():
    """Template callables that emit the markers instead of real tokens."""
    return {name: (lambda marker=marker: marker) for name, marker in MARKERS.items()}


def split(html):
    """The page as a tuple: static text at even positions, slot names at odd ones."""
    pieces = _SPLIT.split(html)
    return tuple(piece if i % 2 == 0 else _NAMES[piece] for i, piece in enumerate(pieces))


def fill(parts, fillers):
    """Join the pieces, calling each slot's filler once and escaping what it returns."""
    values = {}
    out = []
    for i, piece in enumerate(parts):
        if i % 2 == 0:
            out.append(piece)
            continue
        if piece not in values:
            values[piece] = str(escape(fillers[piece]()))
        out.append(values[piece])
    return "".join(out)


class PageCache:
    """A small thread-safe LRU of split pages; keys are tuples whose first item is the store id."""

    def __init__(self, size=256):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The cached parts for `key`, or None."""
        with self._lock:
            parts = self._entries.get(key)
            if parts is not None:
                self._entries.move_to_end(key)
            return parts

    def put(self, key, parts):
        """Remember `parts` under `key`, dropping the least recently used entry when full."""
        with self._lock:
            self._entries[key] = parts
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, store_id):
        """Drop every page of one store (keys already change with its data; this frees the memory early)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == store_id]:
                del self._entries[key]

    def __len__(self):
        return len(self._entries)


def init_app(app):
    """Give the app its page cache (one per app and process: apps differ in config and database)."""
    app.extensions["page_cache"] = PageCache(app.config.get("PAGE_CACHE_SIZE", 256))


def of(app):
    """The app's page cache."""
    return app.extensions["page_cache"]
