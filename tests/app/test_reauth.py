"""A store whose refresh token is dead costs one refused refresh, then no call at all (the store is disconnected and
its tokens are gone); installing again starts over; the refresh lease outlives the HTTP timeout."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from jumpseller_app.extensions import db
from jumpseller_app.jumpseller import NetworkError, ReauthRequired
from jumpseller_app.models import Credential, Store, utcnow
from jumpseller_app.services import sync
from jumpseller_app.services.clients import UnknownStore, client_for, client_for_code

from ..support.flows import control, install, stats


def token_calls(sandbox):
    return sum(stats(sandbox)["token_requests"].values())


def api_calls(sandbox):
    return stats(sandbox)["api_requests"]["sandbox"]


def expire_locally(app):
    with app.app_context():
        db.session.execute(update(Credential).values(expires_at=utcnow() - timedelta(seconds=10)))
        db.session.commit()


def the_store():
    return db.session.scalar(select(Store))


@pytest.fixture
def installed(app, live_app, browser, sandbox):
    control(sandbox, "config", rotation="immediate")
    install(browser, live_app)
    return app


def test_a_refresh_answer_lost_in_transit_costs_one_refused_refresh_then_no_calls(installed, sandbox):
    app = installed
    expire_locally(app)
    # Jumpseller rotates the pair, but its answer never reaches us: our refresh token is now revoked.
    control(sandbox, "faults", drop_after_rate=1.0, include_token_endpoint=True)
    with app.app_context():
        with pytest.raises(NetworkError):
            client_for(the_store()).store.info()
    control(sandbox, "faults", drop_after_rate=0.0, include_token_endpoint=False)
    assert stats(sandbox)["refreshes_ok"] == 1 and stats(sandbox)["refreshes_failed"] == 0

    # One sync (many calls): the first refused refresh disconnects the store and stops the rest.
    with app.app_context():
        assert sync.run_sync("sandbox", "incremental").reauth
        assert the_store().status == "disconnected"
        assert db.session.scalar(select(Credential)) is None          # the dead tokens are not kept
    assert stats(sandbox)["refreshes_failed"] == 1
    tokens, api = token_calls(sandbox), api_calls(sandbox)

    # From then on nothing reaches Jumpseller: not the token endpoint, not the API.
    with app.app_context():
        with pytest.raises(UnknownStore):
            sync.run_sync("sandbox", "incremental")
        with pytest.raises(UnknownStore):
            client_for_code("sandbox")
    assert (token_calls(sandbox), api_calls(sandbox)) == (tokens, api)


def test_the_same_client_stops_calling_after_its_refresh_is_refused(installed, sandbox):
    app = installed
    control(sandbox, "tokens/revoke", store="sandbox")
    with app.app_context():
        api_client = client_for(the_store())
        with pytest.raises(ReauthRequired):
            api_client.products.count()                       # 401, one refresh, refused
        tokens, api = token_calls(sandbox), api_calls(sandbox)
        for _ in range(3):
            with pytest.raises(ReauthRequired):
                api_client.products.count()
    assert (token_calls(sandbox), api_calls(sandbox)) == (tokens, api)
    assert stats(sandbox)["refreshes_failed"] == 1


def test_installing_again_reconnects_the_store(installed, live_app, browser, sandbox):
    app = installed
    control(sandbox, "tokens/revoke", store="sandbox")
    with app.app_context():
        assert sync.run_sync("sandbox", "incremental").reauth
        assert the_store().status == "disconnected"
    install(browser, live_app)
    with app.app_context():
        assert the_store().status == "active"
        assert client_for(the_store()).products.count() is not None


@pytest.mark.parametrize("timeout", [5.0, 40.0])
def test_the_refresh_lease_outlives_the_http_timeout(installed, sandbox, timeout):
    app = installed
    app.config["HTTP_TIMEOUT"] = timeout
    expire_locally(app)
    seen = []
    with app.app_context():
        api_client = client_for(the_store())

        def while_refreshing(url, headers, body):
            # The token request is about to go out: the lease is held, for how long?
            with db.engine.connect() as conn:
                seen.append((conn.execute(select(Credential.lease_expires_at)).scalar_one() - utcnow())
                            .total_seconds())
            return url, headers, body

        api_client.session.register_compliance_hook("refresh_token_request", while_refreshing)
        api_client.store.info()
    assert len(seen) == 1
    # requests' timeout bounds the connect and each read: the answer may take about twice the timeout.
    assert seen[0] > 2 * timeout
    assert stats(sandbox)["refreshes_ok"] == 1

