"""One HTTP POST of a delivery, as Jumpseller makes it: 15 s timeout, no proxy, 2xx = delivered."""
from __future__ import annotations

import urllib.error
import urllib.request

TIMEOUT_SECONDS = 15

# Jumpseller reaches the app directly: environment proxies must not route a local receiver elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    """(status, None) when the receiver answered, (None, the error) when it could not be reached."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
            return response.status, None
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, None
    except (OSError, ValueError) as exc:   # refused, timed out, reset, or a url urllib cannot use
        return None, f"{type(exc).__name__}: {exc}"
