"""Turn a record change into deliveries: the events it fires, matched against the store's hooks."""
from __future__ import annotations

from . import signing
from .bodies import body
from .events import fired


def fire(state, store, kind: str, before: dict | None, after: dict | None, root: str) -> int:
    """Queue a delivery for every hook of `store` listening to an event this change fires; returns how many.

    Call it under the sandbox lock, right after the change: the body is rendered now, as the API shows it.
    """
    events = fired(kind, before, after)
    hooks = store.settings.hooks.select(lambda hook: hook["event"] in events) if events else []
    if not hooks:
        return 0
    payload = body(store, kind, after if after is not None else before, root)
    at = state.now()
    for hook in hooks:
        headers = signing.headers(store.code, hook["event"], payload, store.details["hooks_token"], at)
        state.hooks.enqueue(store.code, hook["id"], hook["event"], hook["url"], headers, payload)
    return len(hooks)
