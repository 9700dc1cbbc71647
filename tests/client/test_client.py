"""The API client against the live sandbox: errors, rate limits, bans, refresh in the middle of a pull."""

import json
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from jumpseller_app.extensions import db
from jumpseller_app.jumpseller import NotFound, ScopeError, ValidationError
from jumpseller_app.models import Store
from jumpseller_app.services.clients import client_for

from ..support.flows import basic_client, control, flood, install, sandbox_credentials, stats
from ..support.processes import finish, start_together

ROOT = Path(__file__).resolve().parents[2]


def test_crud_and_error_mapping(sandbox, tmp_path):
    client = basic_client(sandbox, tmp_path)
    created = client.products.create({"name": "Poncho de alpaca", "price": 45990, "stock": 3})
    assert client.products.get(created["id"])["name"] == "Poncho de alpaca"
    assert client.products.update(created["id"], {"stock": 7})["stock"] == 7
    with pytest.raises(ValidationError) as invalid:
        client.products.create({"price": 10})
    assert invalid.value.status == 422 and invalid.value.errors
    client.products.delete(created["id"])
    with pytest.raises(NotFound):
        client.products.get(created["id"])


def test_scope_error_is_raised_at_once_not_retried(app, live_app, browser, sandbox):
    app.config["JUMPSELLER_SCOPES"] = "read_store"
    install(browser, live_app)
    before = stats(sandbox)["api_requests"]["sandbox"]
    with app.app_context():
        client = client_for(db.session.scalar(select(Store)))
        with pytest.raises(ScopeError):
            client.products.count()
    assert stats(sandbox)["api_requests"]["sandbox"] == before + 1


@pytest.mark.parametrize("sandbox_options", [{"rate_limit": "legacy"}, {"rate_limit": "current"}],
                         ids=["legacy-403", "current-429"])
def test_a_rate_limit_refusal_is_waited_out_the_same_way_in_both_profiles(sandbox, sandbox_options, tmp_path):
    limit = 8 if sandbox_options["rate_limit"] == "legacy" else 20
    refused = [s for s in flood(sandbox, "sandbox", limit + 4) if s != 200]
    assert refused and set(refused) == {403 if limit == 8 else 429}
    client = basic_client(sandbox, tmp_path, budget=False)
    started = time.monotonic()
    assert client.products.count() == 25
    assert client.stats["rate_limited"] >= 1 and time.monotonic() - started < 10


@pytest.mark.parametrize("sandbox_options", [{"rate_limit": "current", "ban_threshold": 3, "ban_seconds": 2}])
def test_a_ban_is_waited_out(sandbox, tmp_path):
    flood(sandbox, "sandbox", 30)                             # many refusals: the store is banned
    banned = requests.get(sandbox.url + "/v1/products/count.json", auth=sandbox_credentials(sandbox), timeout=5)
    assert banned.status_code == 429 and "Jumpseller-BannedByRateLimit-Reset" in banned.headers
    client = basic_client(sandbox, tmp_path)
    started = time.monotonic()
    assert client.products.count() == 25
    assert 0.5 <= time.monotonic() - started < 10


@pytest.mark.parametrize("sandbox_options", [{"rate_limit": "legacy", "seed_products": 350}])
def test_token_expiring_in_the_middle_of_a_pull_refreshes_once_and_skips_nothing(app, live_app, browser, sandbox):
    install(browser, live_app)
    ids = []
    with app.app_context():
        client = client_for(db.session.scalar(select(Store)))
        for product in client.products.iter_all(limit=100):
            ids.append(product["id"])
            if len(ids) == 150:                               # in the middle of page 2
                control(sandbox, "tokens/expire", store="sandbox")
    assert len(ids) == 350 and len(set(ids)) == 350
    assert ids == sorted(ids)
    assert stats(sandbox)["token_requests"].get("refresh_token") == 1
    assert stats(sandbox)["rate_limit_hits"]["sandbox"] == 0


@pytest.mark.parametrize("sandbox_options", [{"rate_limit": "legacy"}])
def test_two_processes_sharing_a_budget_never_exceed_the_limit(sandbox, tmp_path):
    login, authtoken = sandbox_credentials(sandbox)
    script = "\n".join([
        "import json, sys, time, requests",
        "from jumpseller_app.jumpseller import JumpsellerClient",
        "from jumpseller_app.jumpseller.auth import BasicAuth",
        "from jumpseller_app.jumpseller.ratelimit import SQLiteBackend, StoreBudget",
        "from tests.support.processes import ready_then_wait",
        "url, login, token, db = sys.argv[1:5]",
        "session = requests.Session(); session.auth = BasicAuth(login, token)",
        "client = JumpsellerClient(session=session, base_url=url,",
        "                          budget=StoreBudget(SQLiteBackend(db), 'sandbox'))",
        "ready_then_wait()",
        "end = time.time() + 4.0",
        "while time.time() < end: client.products.list(page=1, limit=5)",
        "print(json.dumps(client.stats))",
    ])
    procs, _ = start_together([[sys.executable, "-c", script, sandbox.url + "/v1", login, authtoken,
                                str(tmp_path / "budget.sqlite3")]] * 2, cwd=ROOT)
    results = [json.loads(out) for out in finish(procs)]
    made = sum(r["requests"] for r in results)
    assert stats(sandbox)["rate_limit_hits"]["sandbox"] == 0
    assert sum(r["rate_limited"] for r in results) == 0
    # 4 seconds at 8/s for both processes together: the budget is used (with slack for a busy machine),
    # and neither process starves.
    assert 24 <= made <= 8 * 5 + 1
    assert min(r["requests"] for r in results) >= 6


def test_customer_additional_fields_are_sent_and_read_under_the_spec_key(sandbox, tmp_path):
    client = basic_client(sandbox, tmp_path)
    customer = next(iter(client.customers.iter_all()))
    fields = client.customers.fields(customer["id"])
    made = fields.create({"checkout_custom_field_id": 3, "value": "Entregar por la tarde"})
    assert made["value"] == "Entregar por la tarde"
    assert fields.update(made["id"], {"value": "Mañana"})["value"] == "Mañana"
