"""Connecting a store with Basic auth (login + authtoken), the store owner's alternative to OAuth2."""

import re

from ..extensions import db
from ..jumpseller import AuthError, JumpsellerError, ScopeError
from ..models import AuthMode, StoreStatus
from . import clients, credentials, lifecycle, revocation, stores
from ..jobs import sync_tasks

CREDENTIAL_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{8,128}$")


class ConnectError(ValueError):
    """The credentials were not accepted; nothing was stored. `field` names the input at fault, if any."""

    def __init__(self, message, *, field=None, status=400):
        super().__init__(message)
        self.field = field
        self.status = status


def validate_modes(*, login="", authtoken="", client_id="", client_secret="", refresh_token=""):
    """Basic (login + authtoken) and OAuth2 (client id/secret + refresh token) are mutually exclusive."""
    basic = any(v.strip() for v in (login, authtoken))
    oauth = any(v.strip() for v in (client_id, client_secret, refresh_token))
    if basic and oauth:
        raise ConnectError("Basic auth (login + authtoken) and OAuth2 credentials are mutually exclusive: "
                           "give one or the other, not both.")
    if not basic:
        raise ConnectError("Give the store's API login and authtoken.")
    for name, value in (("login", login), ("authtoken", authtoken)):
        if not CREDENTIAL_PATTERN.match(value.strip()):
            raise ConnectError(f"The {name} does not look like a Jumpseller API {name}.", field=name)


def may_replace(store, *, signed_in_as, owner_only):
    """Whether a request signed in as `signed_in_as` (None: anonymous) may put Basic credentials on `store`.

    A store connected through the OAuth install is switched only by a session already signed in as it: a
    form anyone can post must not replace an install. With `owner_only`, that holds for every store.
    """
    if store is not None and signed_in_as == store.code:
        return True
    if owner_only:
        return False
    return store is None or store.auth_mode != AuthMode.OAUTH or store.status == StoreStatus.DISCONNECTED


def connect_basic(*, login, authtoken, client_id="", client_secret="", refresh_token="", signed_in_as=None,
                  owner_only=False, operator=False):
    """Verify Basic credentials with GET /store/info.json, then store them encrypted; returns the store.

    `operator` (the CLI) may connect any store; otherwise may_replace() decides, from `signed_in_as` (the code
    of the store the request's session opens, if any) and `owner_only`. OAuth tokens that Basic credentials
    replace are revoked at Jumpseller.
    """
    validate_modes(login=login, authtoken=authtoken, client_id=client_id, client_secret=client_secret,
                   refresh_token=refresh_token)
    login, authtoken = login.strip(), authtoken.strip()
    api = clients.client_for_basic(login, authtoken)
    try:
        info = api.store.info()
    except AuthError as exc:
        raise ConnectError("Jumpseller refused this login and authtoken. Check them under Settings → Account "
                           "→ Preferences → your account → API.") from exc
    except ScopeError as exc:
        raise ConnectError("These credentials cannot read the store information.") from exc
    except JumpsellerError as exc:
        raise ConnectError(f"Could not verify the credentials with Jumpseller: {exc.message}") from exc
    try:
        code = stores.store_code_from_info(info)
    except stores.StoreIdentityError as exc:
        raise ConnectError(str(exc)) from exc
    existing = stores.get_store(code)
    if not operator and not may_replace(existing, signed_in_as=signed_in_as, owner_only=owner_only):
        raise ConnectError("This store is already connected to the app. To switch it to API credentials, open "
                           "the app from your Jumpseller admin first and sign in as the store.", status=403)
    replaced = revocation.tokens_of(existing) if existing is not None else []
    lifecycle.start_clean(code)   # a store back after a disconnect: the old installation's mirror goes first
    store = stores.upsert_store(info, auth_mode=AuthMode.BASIC, scopes="")
    credentials.set_basic_credentials(store, login, authtoken)
    # A new set of credentials, possibly a new auth mode: every earlier session of the store ends here.
    store.end_sessions()
    db.session.commit()
    revocation.revoke(replaced)
    sync_tasks.request_sync(store.code, "full")
    return store
