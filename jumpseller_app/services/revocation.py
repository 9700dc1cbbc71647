"""Giving OAuth2 tokens back: when the app stops using a pair, Jumpseller is told to revoke it (RFC 7009)."""

from dataclasses import dataclass

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


class RevocationPending(Exception):
    """Jumpseller could not be reached or failed (network error, 429, 5xx): worth asking again later."""


@dataclass
class Revoked:
    """What a revocation came to: how many tokens Jumpseller accepted, and how many are worth sending again
    (`pending`); a refusal (any other 4xx) is final and counted in neither."""

    accepted: int = 0
    pending: int = 0


def _is_transient(status):
    return status == 429 or status >= 500


def revoke(tokens):
    """POST each token to Doorkeeper's revoke endpoint; best effort (a failure is logged, never raised).

    Returns a Revoked (RFC 7009 answers 200 for a token it no longer knows, too, so sending one again is safe).
    """
    config = current_app.config
    url = config["JUMPSELLER_ACCOUNTS_URL"] + "/oauth/revoke"
    outcome = Revoked()
    for hint, token in tokens:
        try:
            response = requests.post(url, data={"token": token, "token_type_hint": hint,
                                                "client_id": config["JUMPSELLER_CLIENT_ID"],
                                                "client_secret": config["JUMPSELLER_CLIENT_SECRET"]},
                                     timeout=config["HTTP_TIMEOUT"])
        except requests.RequestException as exc:
            current_app.logger.warning("token revocation failed: %s", type(exc).__name__)
            outcome.pending += 1
            continue
        if response.status_code != 200:
            current_app.logger.warning("token revocation answered %s", response.status_code)
            outcome.pending += _is_transient(response.status_code)
            continue
        outcome.accepted += 1
    return outcome


def revoke_sealed(store_code, sealed):
    """Revoke tokens handed over sealed ([(hint, sealed)] as disconnection.end_connection returns them).

    They stay sealed with the app's credentials cipher wherever they wait (the job queue is a database too) and
    are opened only here, for the request that gives them back.
    """
    return revoke([(hint, credentials.unseal(value, store_code, hint)) for hint, value in sealed])
