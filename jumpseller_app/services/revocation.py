"""Giving OAuth2 tokens back: when the app stops using a pair, Jumpseller is told to revoke it (RFC 7009)."""

import requests
from flask import current_app

from . import credentials


def tokens_of(store):
    """The store's current OAuth2 tokens in plain text, refresh token first; [] without any."""
    cred = store.credential
    if cred is None:
        return []
    pairs = (("refresh_token", cred.refresh_token_enc), ("access_token", cred.access_token_enc))
    return [(hint, credentials.unseal(sealed, store.code, hint)) for hint, sealed in pairs if sealed]


def revoke(tokens):
    """POST each token to Doorkeeper's revoke endpoint; best effort (a failure is logged, never raised).

    Returns how many Jumpseller accepted (RFC 7009 answers 200 for a token it no longer knows, too).
    """
    config = current_app.config
    url = config["JUMPSELLER_ACCOUNTS_URL"] + "/oauth/revoke"
    accepted = 0
    for hint, token in tokens:
        try:
            response = requests.post(url, data={"token": token, "token_type_hint": hint,
                                                "client_id": config["JUMPSELLER_CLIENT_ID"],
                                                "client_secret": config["JUMPSELLER_CLIENT_SECRET"]},
                                     timeout=config["HTTP_TIMEOUT"])
        except requests.RequestException as exc:
            current_app.logger.warning("token revocation failed: %s", type(exc).__name__)
            continue
        if response.status_code != 200:
            current_app.logger.warning("token revocation answered %s", response.status_code)
            continue
        accepted += 1
    return accepted


def revoke_sealed(store_code, sealed):
    """Revoke tokens handed over sealed ([(hint, sealed)] as disconnection.end_connection returns them).

    They stay sealed with the app's credentials cipher wherever they wait (the job queue is a database too) and
    are opened only here, for the request that gives them back.
    """
    return revoke([(hint, credentials.unseal(value, store_code, hint)) for hint, value in sealed])
