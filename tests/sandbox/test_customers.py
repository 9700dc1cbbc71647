"""Sandbox customers over real HTTP: seeded data, paging, email lookup, create/update/delete rules."""
import pytest
import requests

from sandbox.server import SandboxServer

T = 10


@pytest.fixture(scope="module")
def srv():
    server = SandboxServer(port=0, rate_limit="off", seed_products=5, seed_orders=0, seed_customers=130).start()
    yield server
    server.stop()


def url(srv, path):
    return f"{srv.url}/v1{path}"


def test_seeded_customers_page_by_id(srv, owner):
    first = requests.get(url(srv, "/customers.json"), auth=owner, params={"limit": 100}, timeout=T).json()
    second = requests.get(url(srv, "/customers.json"), auth=owner, params={"limit": 100, "page": 2}, timeout=T).json()
    ids = [c["customer"]["id"] for c in first + second]
    assert ids == list(range(100001, 100131))
    assert requests.get(url(srv, "/customers/count.json"), auth=owner, timeout=T).json() == {"count": 130}
    emails = [c["customer"]["email"] for c in first + second]
    assert len(set(emails)) == 130
    sample = first[0]["customer"]
    assert sample["fullname"] == f"{sample['billing_address']['name']} {sample['billing_address']['surname']}"


def test_lookup_by_email_is_case_insensitive(srv, owner):
    customer = requests.get(url(srv, "/customers/100077.json"), auth=owner, timeout=T).json()["customer"]
    found = requests.get(url(srv, f"/customers/email/{customer['email'].upper()}.json"), auth=owner, timeout=T)
    assert found.status_code == 200 and found.json()["customer"]["id"] == 100077
    # A seeded-looking address that is not the seeded customer's is not found.
    wrong = "zed.zed.77@example.com"
    assert requests.get(url(srv, f"/customers/email/{wrong}.json"), auth=owner, timeout=T).status_code == 404
    miss = requests.get(url(srv, "/customers/email/zed.zed.999@example.com.json"), auth=owner, timeout=T)
    assert miss.status_code == 404 and miss.json()["message"]


def test_create_update_delete(srv, owner):
    created = requests.post(url(srv, "/customers.json"), auth=owner, timeout=T, json={"customer": {
        "email": "Nueva@Example.org", "phone": "+56900000000", "password": "x", "customer_category": [2],
        "billing_address": {"name": "Nueva", "surname": "Clienta"}}})
    assert created.status_code == 200, created.text
    body = created.json()["customer"]
    assert body["email"] == "nueva@example.org" and body["status"] == "approved"
    assert body["fullname"] == "Nueva Clienta" and "password" not in body
    assert body["customer_categories"] == [{"customer_category": {"id": 2, "name": "VIP", "code": "vip"}}]
    cid = body["id"]
    assert cid > 100130
    assert requests.get(url(srv, "/customers/count.json"), auth=owner, timeout=T).json() == {"count": 131}

    updated = requests.put(url(srv, f"/customers/{cid}.json"), auth=owner, timeout=T,
                           json={"customer": {"email": "otra@example.org", "status": "disabled"}})
    assert updated.status_code == 200
    assert (updated.json()["customer"]["email"], updated.json()["customer"]["phone"]) == ("otra@example.org",
                                                                                          "+56900000000")
    assert requests.get(url(srv, "/customers/email/nueva@example.org.json"), auth=owner, timeout=T).status_code == 404
    assert requests.get(url(srv, "/customers/email/otra@example.org.json"), auth=owner,
                        timeout=T).json()["customer"]["id"] == cid

    assert requests.delete(url(srv, f"/customers/{cid}.json"), auth=owner, timeout=T).json() == "Customer deleted."
    assert requests.get(url(srv, f"/customers/{cid}.json"), auth=owner, timeout=T).status_code == 404
    assert requests.delete(url(srv, f"/customers/{cid}.json"), auth=owner, timeout=T).status_code == 404


def test_seeded_customer_email_change_and_delete(srv, owner):
    old = requests.get(url(srv, "/customers/100010.json"), auth=owner, timeout=T).json()["customer"]["email"]
    requests.put(url(srv, "/customers/100010.json"), auth=owner, json={"customer": {"email": "moved@example.org"}},
                 timeout=T)
    assert requests.get(url(srv, f"/customers/email/{old}.json"), auth=owner, timeout=T).status_code == 404
    assert requests.delete(url(srv, "/customers/100011.json"), auth=owner, timeout=T).status_code == 200
    ids = [c["customer"]["id"] for c in requests.get(url(srv, "/customers.json"), auth=owner,
                                                      params={"limit": 15}, timeout=T).json()]
    assert 100011 not in ids and ids[10] == 100012


@pytest.mark.parametrize("customer, field", [
    ({"phone": "1"}, "email"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "a@example.org", "status": "vip"}, "status"),
    ({"email": "b@example.org", "customer_category": [99]}, "customer_category"),
    ({"email": "c@example.org", "shipping_address": "Santiago"}, "shipping_address"),
])
def test_invalid_customer_is_422(srv, owner, customer, field):
    response = requests.post(url(srv, "/customers.json"), auth=owner, json={"customer": customer}, timeout=T)
    assert response.status_code == 422 and field in response.json()["errors"]


def test_email_must_be_unique(srv, owner):
    taken = requests.get(url(srv, "/customers/100003.json"), auth=owner, timeout=T).json()["customer"]["email"]
    response = requests.post(url(srv, "/customers.json"), auth=owner, json={"customer": {"email": taken}}, timeout=T)
    assert response.status_code == 422 and response.json()["errors"]["email"] == ["has already been taken"]
    clash = requests.put(url(srv, "/customers/100004.json"), auth=owner, json={"customer": {"email": taken}},
                         timeout=T)
    assert clash.status_code == 422


def test_a_customer_category_lists_its_customers(srv, owner):
    categories = requests.get(url(srv, "/customer_categories.json"), auth=owner, timeout=T).json()
    category_id = categories[0]["customer_category"]["id"]
    everyone = [c["customer"] for page in (1, 2) for c in requests.get(
        url(srv, "/customers.json"), auth=owner, params={"limit": 100, "page": page}, timeout=T).json()]
    expected = [c["id"] for c in everyone
                if category_id in [k["customer_category"]["id"] for k in c["customer_categories"]]]
    members = requests.get(url(srv, f"/customer_categories/{category_id}/customers.json"), auth=owner, timeout=T)
    assert members.status_code == 200
    assert [m["customer"]["id"] for m in members.json()] == expected and expected
    missing = requests.get(url(srv, "/customer_categories/999999/customers.json"), auth=owner, timeout=T)
    assert missing.status_code == 404 and missing.json()["message"]
