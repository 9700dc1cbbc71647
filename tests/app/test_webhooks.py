"""The hook receiver over real HTTP: raw body → signature → inbox → 200; every refusal alike and nothing stored."""

import hashlib
import hmac
import json

import pytest
import requests
from sqlalchemy import select, text

from jumpseller_app.crypto import DecryptionError
from jumpseller_app.extensions import db
from jumpseller_app.models import Credential, Store
from jumpseller_app.services.credentials import unseal

from ..support.database import database_bytes, dump_database, url_of_kind
from ..support.flows import post_form, sandbox_credentials
from ..support.inbox import stored
from ..support.webhooks import BODY, deliver, hooks_token, sign


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Every receiver test runs on the SQLite default and on PostgreSQL."""
    return url_of_kind(request, tmp_path, request.param)


def make_inserts_fail(app, failing):
    """Make every INSERT into the inbox fail (as a full disk would), or stop doing so."""
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    if failing and postgres:
        statements = ["CREATE FUNCTION inbox_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ "
                      "LANGUAGE plpgsql",
                      "CREATE TRIGGER inbox_full BEFORE INSERT ON webhook_events FOR EACH ROW "
                      "EXECUTE FUNCTION inbox_full()"]
    elif failing:
        statements = ["CREATE TRIGGER inbox_full BEFORE INSERT ON webhook_events "
                      "BEGIN SELECT RAISE(ABORT, 'disk full'); END"]
    else:
        statements = ["DROP TRIGGER inbox_full" + (" ON webhook_events" if postgres else "")]
    with app.app_context():
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()


def test_a_signed_delivery_is_stored_pending_and_acknowledged(app, live_app, sandbox, installed):
    response = deliver(live_app, BODY, signature=sign(BODY, installed))
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "stored"}
    assert "Set-Cookie" not in response.headers                  # no session for a machine
    rows = stored(app)
    assert len(rows) == 1
    assert rows[0][1:] == ("order_paid", "2025-01-01 10:18:51.829 UTC", "pending", 0, "application/json", BODY)


def test_the_hooks_token_is_kept_sealed_from_store_info(app, live_app, sandbox, installed):
    with app.app_context():
        store = db.session.scalar(select(Store))
        sealed = db.session.scalar(select(Credential.hooks_token_enc))
        assert sealed and installed not in sealed
        assert unseal(sealed, store.code, "hooks_token") == installed
        with pytest.raises(DecryptionError):
            unseal(sealed, "another-store", "hooks_token")          # bound to its store
    # Must NOT be stored: the hooks_token in clear, anywhere in the database file.
    assert installed not in dump_database(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert installed.encode() not in database_bytes(app)       # nor in the file's free pages or its WAL


def test_every_refusal_is_the_same_401_and_stores_nothing(app, live_app, sandbox, browser, installed):
    requests.post(sandbox.url + "/_sandbox/stores", json={"code": "otra", "name": "Otra"}, timeout=5)
    login, authtoken = sandbox_credentials(sandbox, "otra")
    assert post_form(browser, live_app, login=login, authtoken=authtoken).status_code == 200
    other = hooks_token(sandbox, "otra")
    assert other != installed
    good = sign(BODY, installed)
    reencoded = json.dumps(json.loads(BODY)).encode()                # same data, other bytes
    cases = {
        "forged": dict(body=BODY, signature=sign(BODY, "guessed-token")),
        "missing": dict(body=BODY, signature=None),
        "empty": dict(body=BODY, signature=""),
        "hex instead of base64": dict(
            body=BODY, signature=hmac.new(installed.encode(), BODY, hashlib.sha256).hexdigest()),
        "another store's token": dict(body=BODY, signature=sign(BODY, other)),
        "signed for another body": dict(body=BODY + b" ", signature=good),
        "re-encoded by a JSON parser": dict(body=reencoded, signature=good),
        "unknown store": dict(body=BODY, signature=good, code="no-such-store"),
        "no store header": dict(body=BODY, signature=good, code=""),
        "no event": dict(body=BODY, signature=good, event=""),
    }
    answers = {name: deliver(live_app, **case) for name, case in cases.items()}
    for name, response in answers.items():
        assert response.status_code == 401, name
        assert response.content == answers["forged"].content, name
    assert stored(app) == []
    # The other store's own token still opens the other store's deliveries, and only those.
    assert deliver(live_app, BODY, code="otra", signature=sign(BODY, other)).status_code == 200
    with app.app_context():
        otra = db.session.scalar(select(Store.id).where(Store.code == "otra"))
    assert [row[0] for row in stored(app)] == [otra]


def test_a_replay_is_acknowledged_without_a_second_row(app, live_app, installed):
    first = deliver(live_app, BODY, signature=sign(BODY, installed))
    # Days later, the triggered-at header (unsigned) says something else: still the same delivery.
    again = deliver(live_app, BODY, signature=sign(BODY, installed),
                    **{"Jumpseller-Triggered-At": "2025-01-05 08:00:00.000 UTC"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"status": "duplicate"}
    assert len(stored(app)) == 1
    # The same body under another event is another delivery.
    assert deliver(live_app, BODY, signature=sign(BODY, installed), event="order_updated").status_code == 200
    assert [row[1] for row in stored(app)] == ["order_paid", "order_updated"]


def test_a_huge_body_is_refused_before_it_is_read(app, live_app, installed):
    huge = b"x" * (10 * 1024 * 1024)
    response = deliver(live_app, huge, signature=sign(huge, installed))
    assert response.status_code == 413
    # Without a Content-Length (chunked), the read stops at the cap too.
    parts = [b"y" * (1024 * 1024)] * 3
    chunked = deliver(live_app, iter(parts), signature=sign(b"".join(parts), installed))
    assert chunked.status_code == 413
    assert stored(app) == []
    # Over the app's form limit (1 MB) but under WEBHOOK_MAX_BYTES (2 MB): accepted.
    big = json.dumps({"order": {"id": 7, "note": "z" * (1536 * 1024)}}).encode()
    assert deliver(live_app, big, signature=sign(big, installed)).status_code == 200
    assert len(stored(app)) == 1


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", b"not JSON at all \xff\xfe"),
    ("application/x-www-form-urlencoded", b"order%5Bid%5D=1&session_token=abc"),
    ("", BODY),
])
def test_any_content_type_is_verified_on_its_raw_bytes(app, live_app, installed, content_type, body):
    assert deliver(live_app, body, signature=sign(body, installed), content_type=content_type).status_code == 200
    assert deliver(live_app, body, signature=sign(body + b"!", installed),
                   content_type=content_type).status_code == 401
    rows = stored(app)
    assert len(rows) == 1 and rows[0][-1] == body


def test_a_database_failure_answers_503_so_jumpseller_retries(app, live_app, installed):
    make_inserts_fail(app, True)
    response = deliver(live_app, BODY, signature=sign(BODY, installed))
    assert response.status_code == 503 and response.headers.get("Retry-After")
    assert stored(app) == []                                         # nothing half-stored
    make_inserts_fail(app, False)
    # Jumpseller's retry of the same delivery is then stored, once.
    assert deliver(live_app, BODY, signature=sign(BODY, installed)).status_code == 200
    assert len(stored(app)) == 1


def test_a_missing_inbox_table_answers_503(app, live_app, installed):
    with app.app_context():
        db.session.execute(text("DROP TABLE webhook_events"))
        db.session.commit()
    response = deliver(live_app, BODY, signature=sign(BODY, installed))
    assert response.status_code == 503
    assert response.json() == {"error": "temporarily unavailable"}
