"""Pre-serialized JSON per record, so paging through a big catalog costs joins, not json.dumps.

A fragment is reused while the record object is the same (records are copy-on-write, so any
change makes a new object; untouched seeded records use a marker instead, and are never kept
as dicts), the version of what else shapes it (the category tree) holds and the profile
(realistic or clean) is the one it was rendered under: the store's presenter shapes the body
once, when the fragment is built, so pages served from fragments cost no more in either profile.
Sandbox-served URLs stay relative in fragments; absolutize() fixes them per response host.
"""
from __future__ import annotations

import json

_RELATIVE_URL = '":"/_sandbox/'


def dumps(value) -> str:
    """Compact JSON, as the API sends it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def absolutize(body: str, root: str) -> str:
    """Make every value starting "/_sandbox/" absolute; JSON escapes quotes inside strings, so only
    a key's closing quote, the colon and a value's opening quote can form the pattern."""
    return body.replace(_RELATIVE_URL, f'":"{root}/_sandbox/')


class FragmentCache:
    """JSON text per record id. Not thread-safe by itself; SandboxState's lock guards it."""

    def __init__(self, presenter=None):
        self._presenter = presenter  # behaviour.realism.Presenter of the store (None: bodies as built)
        self._entries: dict[int, tuple[object, tuple, str]] = {}

    def _version(self, version: int) -> tuple:
        return (version, self._presenter.profile if self._presenter is not None else None)

    def get(self, record_id: int, token: object, version: int, build) -> str:
        """The JSON of build() as the profile shows it, cached while `token` (the record object, or a marker),
        version and profile hold."""
        entry, current = self._entries.get(record_id), self._version(version)
        if entry is not None and entry[0] is token and entry[1] == current:
            return entry[2]
        body = build()
        text = dumps(self._presenter.body(body) if self._presenter is not None else body)
        self._entries[record_id] = (token, current, text)
        return text

    def has(self, record_id: int, token: object, version: int) -> bool:
        """Whether a current fragment exists."""
        entry = self._entries.get(record_id)
        return entry is not None and entry[0] is token and entry[1] == self._version(version)

    def forget(self, record_id: int) -> None:
        """Drop a record's fragment (it was deleted)."""
        self._entries.pop(record_id, None)
