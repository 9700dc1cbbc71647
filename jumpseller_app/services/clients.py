"""The one place that builds a JumpsellerClient: credentials, the store's shared rate budget, timeouts.

Everything here needs an application context and nothing more (no request, no session, no `g`), so the same
calls serve views, CLI commands, background jobs and feeds. The client that comes back needs not even that: it
may be handed to another thread after the app context ends.
"""

import hashlib

import requests
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app

from ..extensions import db
from ..jumpseller import BasicAuth, JumpsellerClient, JumpsellerOAuth2Session
from ..models import AuthMode
from . import budgets, stores
from .credentials import cipher, token_endpoint, unseal
from .token_store import DbTokenStore


class UnknownStore(LookupError):
    """No store with this code is connected."""


def _client(session, budget_key):
    config = current_app.config
    return JumpsellerClient(session=session, base_url=config["JUMPSELLER_API_URL"], timeout=config["HTTP_TIMEOUT"],
                            budget=budgets.budget_for(budget_key))


def oauth_session_for(store):
    """An authlib session for a store's OAuth2 tokens, refreshing through the shared DbTokenStore."""
    config = current_app.config
    return JumpsellerOAuth2Session(
        DbTokenStore(db.engine, cipher(), store.id, store.code),
        client_id=config["JUMPSELLER_CLIENT_ID"],
        client_secret=config["JUMPSELLER_CLIENT_SECRET"],
        token_endpoint=token_endpoint(),
        timeout=config["HTTP_TIMEOUT"],
    )


def basic_session(login, authtoken):
    """A requests session signing every call with Basic login:authtoken."""
    session = requests.Session()
    session.auth = BasicAuth(login, authtoken)
    return session


def client_for(store):
    """A JumpsellerClient authenticated as `store` (a Store row), whichever auth mode it uses."""
    if store.auth_mode == AuthMode.BASIC:
        cred = store.credential
        session = basic_session(unseal(cred.login_enc, store.code, "login"),
                                unseal(cred.authtoken_enc, store.code, "authtoken"))
    else:
        session = oauth_session_for(store)
    return _client(session, store.code)


def client_for_code(code):
    """A client for the store with this code, for jobs and commands that know only the code."""
    store = stores.get_store(code)
    if store is None or store.credential is None:
        raise UnknownStore(f"no connected store {code!r}")
    return client_for(store)


def _provisional_key(kind, secret_ish):
    # Keys of stores are their codes (subdomains, never with a colon), so these cannot collide with one.
    return f"{kind}:{hashlib.sha256(secret_ish.encode()).hexdigest()[:24]}"


def client_for_new_token(token, *, pending_key):
    """A client on a token just obtained at install, before /store/info.json says which store it is.

    Its rate budget cannot be the store's yet (budgets are keyed by store code), so it is a provisional one
    keyed by the pending install (`pending_key`, e.g. the OAuth state's hash): the call still waits out rate
    limits and bans like every other, and the store's own budget takes over from the next client on. No refresh
    either: the token is seconds old, and nothing is stored until the store is known.
    """
    config = current_app.config
    session = OAuth2Session(token=token, default_timeout=config["HTTP_TIMEOUT"])
    return _client(session, _provisional_key("install", pending_key))


def client_for_basic(login, authtoken):
    """A client on Basic credentials being verified (Basic connect), before the store is known.

    The provisional budget is keyed by the login, which belongs to one store: repeated attempts with the same
    credentials share it. Once connected, client_for() uses the store's own budget.
    """
    return _client(basic_session(login, authtoken), _provisional_key("basic", login))
