"""Helpers that drive the sandbox's OAuth flow over real HTTP, the way a browser and an app would."""
from __future__ import annotations

import base64
import hashlib
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from .config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI

TIMEOUT = 10


class _FormFields(HTMLParser):
    """Collects the hidden inputs and selected options of the consent form."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""
        elif tag == "select":
            self._select = attributes.get("name")
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, S256 code_challenge) pair."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def consent_form(html: str) -> dict[str, str]:
    """The fields a consent page posts back with Approve/Deny (hidden inputs, selected store)."""
    parser = _FormFields()
    parser.feed(html)
    return parser.fields


def redirect_params(response: requests.Response) -> dict[str, str]:
    """The query parameters of a redirect response's Location."""
    assert response.status_code in (301, 302, 303), f"expected a redirect, got {response.status_code}"
    query = urlsplit(response.headers["Location"]).query
    return {key: values[0] for key, values in parse_qs(query, keep_blank_values=True).items()}


def authorize(base_url: str, scopes=("read_store",), *, client_id: str = DEFAULT_CLIENT_ID,
              redirect_uri: str = DEFAULT_REDIRECT_URI, state: str | None = "state-123",
              code_challenge: str | None = None, decision: str = "approve",
              session: requests.Session | None = None) -> dict[str, str]:
    """Run /oauth/authorize (answering the consent page with `decision` if shown); returns the redirect's params."""
    http = session or requests.Session()
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
              "scope": " ".join(scopes)}
    if state is not None:
        params["state"] = state
    if code_challenge is not None:
        params.update(code_challenge=code_challenge, code_challenge_method="S256")
    url = urljoin(base_url + "/", "oauth/authorize")
    response = http.get(url, params=params, allow_redirects=False, timeout=TIMEOUT)
    if response.status_code == 200:
        response = http.post(url, data={**consent_form(response.text), "decision": decision},
                             allow_redirects=False, timeout=TIMEOUT)
    return redirect_params(response)


def exchange_code(base_url: str, code: str, *, client_id: str = DEFAULT_CLIENT_ID,
                  client_secret: str = DEFAULT_CLIENT_SECRET, redirect_uri: str | None = DEFAULT_REDIRECT_URI,
                  code_verifier: str | None = None) -> requests.Response:
    """POST grant_type=authorization_code to /oauth/token (redirect_uri None: left out)."""
    data = {"grant_type": "authorization_code", "client_id": client_id, "client_secret": client_secret,
            "code": code}
    if redirect_uri is not None:
        data["redirect_uri"] = redirect_uri
    if code_verifier is not None:
        data["code_verifier"] = code_verifier
    return requests.post(base_url + "/oauth/token", data=data, timeout=TIMEOUT)


def refresh(base_url: str, refresh_token: str, *, client_id: str = DEFAULT_CLIENT_ID,
            client_secret: str = DEFAULT_CLIENT_SECRET) -> requests.Response:
    """POST grant_type=refresh_token to /oauth/token."""
    data = {"grant_type": "refresh_token", "client_id": client_id, "client_secret": client_secret,
            "refresh_token": refresh_token}
    return requests.post(base_url + "/oauth/token", data=data, timeout=TIMEOUT)


def obtain_tokens(base_url: str, scopes=("read_store",), *, client_id: str = DEFAULT_CLIENT_ID,
                  client_secret: str = DEFAULT_CLIENT_SECRET, redirect_uri: str = DEFAULT_REDIRECT_URI,
                  **kwargs) -> dict:
    """Authorize (approving consent) and exchange the code; returns the token response JSON."""
    params = authorize(base_url, scopes, client_id=client_id, redirect_uri=redirect_uri, **kwargs)
    response = exchange_code(base_url, params["code"], client_id=client_id, client_secret=client_secret,
                             redirect_uri=redirect_uri)
    response.raise_for_status()
    return response.json()
