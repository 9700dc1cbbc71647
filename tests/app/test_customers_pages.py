"""The Customers pages over real HTTP against the sandbox: every method through the page a merchant uses.

List, info and export read the mirror; groups, group members and additional fields read what a refresh job
stored; each change is a write job (run inline in tests) whose status page leads to the record, or back to the
form with Jumpseller's errors. The sandbox's own API (Basic auth) is the witness of what changed.
"""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.jumpseller.errors import NotFound
from jumpseller_app.models import ApiWrite, MirrorAddress, MirrorCustomer, MirrorDocument

from ..support.flows import csrf_token, install
from ..support.iframe import api_requests
from ..support.pages import post_page as post


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


@pytest.fixture
def token(live_app, browser, signed_in):
    return csrf_token(browser.get(live_app.url + "/customers/new", timeout=10).text)


def mirrored(app, remote_id):
    with app.app_context():
        return db.session.scalar(select(MirrorCustomer).where(MirrorCustomer.remote_id == remote_id))


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def ids_on(page):
    return [int(i) for i in re.findall(r'data-testid="customer-(\d+)"', page)]


def test_the_list_searches_filters_sorts_and_pages_the_mirror_and_calls_nothing(app, live_app, sandbox, browser,
                                                                              signed_in, api):
    assert 'data-testid="nav-customers"' in signed_in
    remote = list(api.customers.iter_all())
    before = api_requests(sandbox)
    page = browser.get(live_app.url + "/customers", params={"per_page": 3, "sort": "id"}, timeout=10).text
    assert f"Your store has {len(remote)} customers." in page
    assert ids_on(page) == sorted(c["id"] for c in remote)[:3]
    target = remote[1]
    found = browser.get(live_app.url + "/customers", params={"q": target["email"].upper()}, timeout=10).text
    assert ids_on(found) == [target["id"]]
    status = browser.get(live_app.url + "/customers", params={"status": target["status"], "per_page": 100},
                         timeout=10).text
    assert target["id"] in ids_on(status)
    assert all(c["status"] == target["status"] for c in remote if c["id"] in ids_on(status))
    assert api_requests(sandbox) == before          # the pages read the database only
    hostile = browser.get(live_app.url + "/customers", params={"q": "%_<script>", "group": "1 or 1=1",
                                                               "sort": "x;drop", "status": "<b>"}, timeout=10)
    assert hostile.status_code == 200 and "<script>" not in hostile.text


def test_groups_list_add_and_filter_the_list_by_group(app, live_app, browser, signed_in, api, token):
    page = browser.get(live_app.url + "/customers/groups", timeout=10).text
    assert 'data-testid="groups-empty"' in page
    page = post(browser, live_app, "/customers/groups/refresh", token).text
    remote = [c for c in api.customer_categories.iter_all()]
    assert {int(i) for i in re.findall(r'data-testid="group-(\d+)"', page)} == {c["id"] for c in remote}

    added = post(browser, live_app, "/customers/groups", token, name="Mayoristas")
    assert added.status_code == 200 and "added=" in added.url and "Mayoristas" in added.text
    new_id = int(re.search(r"added=(\d+)", added.url).group(1))
    assert api.customer_categories.get(new_id)["name"] == "Mayoristas"

    group = remote[0]["id"]
    listed = post(browser, live_app, f"/customers/groups/{group}/refresh", token)
    assert listed.status_code == 200 and f"group={group}" in listed.url
    expected = {c["id"] for c in api.customers.iter_all()
                if group in [k["customer_category"]["id"] for k in c.get("customer_categories") or []]}
    shown = set(ids_on(browser.get(live_app.url + "/customers", params={"group": group, "per_page": 100},
                                   timeout=10).text))
    assert shown == expected and expected
    # Who is in a group is kept as ids only: no names or emails copied into the documents.
    with app.app_context():
        raws = db.session.scalars(select(MirrorDocument.raw).where(
            MirrorDocument.kind == "customer_group_members")).all()
    assert raws and all(set(raw) == {"id"} for raw in raws)


def test_add_edit_address_and_delete_through_the_pages(app, live_app, browser, signed_in, api, token):
    post(browser, live_app, "/customers/groups/refresh", token)
    group = next(iter(api.customer_categories.iter_all()))["id"]
    added = post(browser, live_app, "/customers", token, email="nueva@cliente.cl", phone="+56911112222",
                 status="approved", name="Nueva", surname="Clienta", accepts_marketing="1", groups=str(group))
    assert added.status_code == 200, added.text
    new_id = int(re.search(r"/customers/(\d+)$", added.url).group(1))
    remote = api.customers.get(new_id)
    assert remote["email"] == "nueva@cliente.cl" and remote["accepts_marketing"] is True
    assert [k["customer_category"]["id"] for k in remote["customer_categories"]] == [group]
    row = mirrored(app, new_id)
    assert row.email == "nueva@cliente.cl" and row.fullname == "Nueva Clienta" and row.phone == "+56911112222"
    assert 'data-testid="customer-title">Nueva Clienta<' in added.text

    edited = post(browser, live_app, f"/customers/{new_id}", token, email="nueva@cliente.cl", phone="+56933334444",
                  status="disabled", name="Nueva", surname="Clienta")
    assert edited.status_code == 200 and edited.url.endswith(f"/customers/{new_id}")
    assert api.customers.get(new_id)["status"] == "disabled" and mirrored(app, new_id).phone == "+56933334444"

    address = post(browser, live_app, f"/customers/{new_id}/addresses", token, kind="shipping", name="Nueva",
                   surname="Clienta", address="Av. Providencia 1234", city="Santiago", postal="7500000",
                   region="Metropolitana", municipality="Providencia", country="CL")
    assert address.status_code == 200 and "Av. Providencia 1234" in address.text
    assert api.customers.get(new_id)["shipping_address"]["address"] == "Av. Providencia 1234"
    assert count(app, MirrorAddress, MirrorAddress.kind == "shipping",
                 MirrorAddress.address == "Av. Providencia 1234") == 1
    post(browser, live_app, f"/customers/{new_id}/addresses", token, kind="billing", name="Nueva", surname="Clienta",
         address="Los Leones 50", city="Santiago", country="CL")
    # An edit keeps what its form does not show: the billing address's other fields, and the groups unless the
    # merchant chose to set them.
    post(browser, live_app, f"/customers/{new_id}", token, email="nueva@cliente.cl", status="approved",
         name="Renata", surname="Clienta")
    remote = api.customers.get(new_id)
    assert (remote["billing_address"]["name"], remote["billing_address"]["address"]) == ("Renata", "Los Leones 50")
    assert [k["customer_category"]["id"] for k in remote["customer_categories"]] == [group]
    assert mirrored(app, new_id).fullname == "Renata Clienta"
    post(browser, live_app, f"/customers/{new_id}", token, email="nueva@cliente.cl", status="approved",
         name="Renata", surname="Clienta", set_groups="1")
    assert api.customers.get(new_id)["customer_categories"] == []
    bad_kind = post(browser, live_app, f"/customers/{new_id}/addresses", token, kind="moon", city="X")
    assert bad_kind.status_code == 422 and 'data-testid="error-kind"' in bad_kind.text

    checkout_field = api.checkout_custom_fields.list(limit=50)[0]
    made = api.customers.fields(new_id).create({"value": "Empresa <Ltda>",
                                                 "checkout_custom_field_id": checkout_field["id"]})
    fields = post(browser, live_app, f"/customers/{new_id}/fields/refresh", token)
    assert fields.status_code == 200 and "Fetched from Jumpseller at" in fields.text
    assert re.search(rf'data-testid="customer-field-{made["id"]}">Empresa &lt;Ltda&gt;<', fields.text)

    confirm = browser.get(live_app.url + f"/customers/{new_id}/delete", timeout=10)
    assert 'data-testid="customer-delete-confirm"' in confirm.text
    deleted = post(browser, live_app, f"/customers/{new_id}/delete", token)
    assert deleted.status_code == 200 and "deleted=" in deleted.url
    with pytest.raises(NotFound):
        api.customers.get(new_id)
    assert mirrored(app, new_id).deleted_at is not None
    assert browser.get(live_app.url + f"/customers/{new_id}", timeout=10).status_code == 404


def test_jumpseller_s_validation_error_shows_on_the_form_and_nothing_is_stored(app, live_app, browser, signed_in,
                                                                              api, token):
    taken = next(iter(api.customers.iter_all()))["email"]
    remote_count = api.customers.count()
    rows = count(app, MirrorCustomer)
    refused = post(browser, live_app, "/customers", token, email=taken, phone="+569", status="approved",
                   name="Copia", surname="Cliente")
    assert refused.status_code == 422 and "/customers/new?write=" in refused.url
    assert re.search(r'data-testid="error-email">has already been taken<', refused.text)
    assert f'value="{taken}"' in refused.text and 'value="Copia"' in refused.text
    # Nothing half-saved: Jumpseller has no new customer, the mirror no new row, no address of "Copia".
    assert api.customers.count() == remote_count and count(app, MirrorCustomer) == rows
    assert count(app, MirrorAddress, MirrorAddress.name == "Copia") == 0

    group_refused = post(browser, live_app, "/customers/groups", token, name="")
    assert group_refused.status_code == 422 and 'data-testid="error-name"' in group_refused.text
    assert count(app, MirrorDocument, MirrorDocument.kind == "customer_categories") == 0

    writes = count(app, ApiWrite)
    bad = post(browser, live_app, "/customers", token, email="x@y.cl", status="boss", groups="abc")
    assert bad.status_code == 422
    assert 'data-testid="error-status"' in bad.text and 'data-testid="error-groups"' in bad.text
    assert count(app, ApiWrite) == writes


def test_the_csv_export_streams_the_filtered_list_with_formulas_neutralized(app, live_app, browser, signed_in,
                                                                           api, token):
    added = post(browser, live_app, "/customers", token, email="formula@cliente.cl", phone="=HYPERLINK(\"x\")",
                 status="approved", name="@Evil", surname="-Name")
    assert added.status_code == 200
    export = browser.get(live_app.url + "/customers/export.csv", params={"q": "formula@"}, timeout=10)
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["id", "email", "fullname", "phone", "status", "accepts_marketing"]
    assert len(rows) == 2 and rows[1][1] == "formula@cliente.cl"
    assert rows[1][2] == "'@Evil -Name" and rows[1][3] == "'=HYPERLINK(\"x\")"
    everyone = browser.get(live_app.url + "/customers/export.csv", timeout=10).content.decode("utf-8-sig")
    assert len(everyone.strip().splitlines()) == count(app, MirrorCustomer, MirrorCustomer.deleted_at.is_(None)) + 1


def test_without_csrf_or_scopes_nothing_is_queued(app, live_app, browser, api):
    app.config["JUMPSELLER_SCOPES"] = "read_store read_customers"
    install(browser, live_app)
    page = browser.get(live_app.url + "/customers", timeout=10).text
    assert 'data-testid="permission-customer_writes"' in page and "change customers" in page
    target = next(iter(api.customers.iter_all()))["id"]
    for path in ("/customers", f"/customers/{target}", f"/customers/{target}/delete", "/customers/groups"):
        assert browser.post(live_app.url + path, data={"email": "x@y.cl"}, timeout=10).status_code == 400
    token = csrf_token(browser.get(live_app.url + "/customers/new", timeout=10).text)
    refused = post(browser, live_app, "/customers", token, email="x@y.cl", status="approved")
    assert refused.status_code == 403 and 'value="x@y.cl"' in refused.text
    assert post(browser, live_app, f"/customers/{target}/delete", token).status_code == 403
    assert count(app, ApiWrite) == 0
    assert api.customers.get(target)["email"] != "x@y.cl"
