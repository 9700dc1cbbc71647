"""The receiver keeps unsealed hooks_tokens per process: a changed or resealed token must never be served stale."""

from sqlalchemy import select

from jumpseller_app.extensions import db
from jumpseller_app.models import Credential
from jumpseller_app.services import credentials, stores

from ..support.inbox import stored
from ..support.webhooks import BODY, deliver, sign


def test_a_new_hooks_token_takes_effect_at_once_and_the_old_one_is_refused(app, live_app, installed):
    assert deliver(live_app, BODY, signature=sign(BODY, installed)).status_code == 200     # the old token cached
    with app.app_context():
        credentials.set_hooks_token(stores.get_store("sandbox"), "a-brand-new-hooks-token")
        db.session.commit()
    other = BODY + b" "
    assert deliver(live_app, other, signature=sign(other, installed)).status_code == 401
    assert deliver(live_app, other, signature=sign(other, "a-brand-new-hooks-token")).status_code == 200
    assert len(stored(app)) == 2


def test_a_token_that_no_longer_opens_refuses_every_delivery(app, live_app, installed):
    assert deliver(live_app, BODY, signature=sign(BODY, installed)).status_code == 200
    with app.app_context():
        cred = db.session.scalar(select(Credential))
        # Sealed for another store: it does not open under this one's context, as with a retired key.
        cred.hooks_token_enc = credentials.seal(installed, "another-store", "hooks_token")
        db.session.commit()
    other = BODY + b"  "
    response = deliver(live_app, other, signature=sign(other, installed))
    assert response.status_code == 401 and response.json() == {"error": "invalid signature"}
    assert len(stored(app)) == 1                                   # nothing stored for the refused delivery
