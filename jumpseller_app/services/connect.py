"""Connecting a store with Basic auth (login + authtoken), the store owner's alternative to OAuth2."""

import re

from ..extensions import db
from ..jumpseller import AuthError, JumpsellerError, ScopeError
from ..models import AuthMode
from . import clients, credentials, snapshots, stores

CREDENTIAL_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{8,128}$")


class ConnectError(ValueError):
    """The credentials were not accepted; nothing was stored. `field` names the input at fault, if any."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


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


def connect_basic(*, login, authtoken, client_id="", client_secret="", refresh_token=""):
    """Verify Basic credentials with GET /store/info.json, then store them encrypted; returns the store."""
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
        store = stores.upsert_store(info, auth_mode=AuthMode.BASIC, scopes="")
    except stores.StoreIdentityError as exc:
        db.session.rollback()
        raise ConnectError(str(exc)) from exc
    credentials.set_basic_credentials(store, login, authtoken)
    db.session.commit()
    snapshots.refresh_snapshot(store.code)
    return store
