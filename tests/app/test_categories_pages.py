"""The Categories pages over real HTTP against the sandbox: every method through the page a merchant uses.

Pages read the mirror; each change is a write job (run inline in tests) whose status page leads to the record, or
back to the form with Jumpseller's errors. The sandbox's own API (Basic auth) is the witness of what changed.
"""

import re

import pytest
from sqlalchemy import func, select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.jumpseller.errors import NotFound
from jumpseller_app.models import ApiWrite, MirrorCategory, MirrorProduct, Store

from ..support.flows import csrf_token, install
from ..support.iframe import api_requests


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def mirrored(app, remote_id):
    with app.app_context():
        return db.session.scalar(select(MirrorCategory).where(MirrorCategory.remote_id == remote_id))


def writes_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiWrite))


def post(browser, live_app, path, token, **fields):
    return browser.post(live_app.url + path, data={"csrf_token": token, **fields}, timeout=30)


def test_the_list_shows_the_mirror_with_search_sort_and_pages_and_calls_nothing(app, live_app, sandbox, browser,
                                                                               signed_in, api):
    assert 'data-testid="nav-categories"' in signed_in and 'data-testid="nav-main"' in signed_in
    remote = list(api.categories.iter_all())
    before = api_requests(sandbox)
    page = browser.get(live_app.url + "/categories", params={"per_page": 2, "sort": "id"}, timeout=10)
    assert page.status_code == 200
    ids = [int(i) for i in re.findall(r'data-testid="category-(\d+)"', page.text)]
    assert ids == sorted(c["id"] for c in remote)[:2]
    assert f"Your store has {len(remote)} categories." in page.text
    assert 'aria-current="page" data-testid="nav-categories"' in page.text
    name = remote[0]["name"]
    found = browser.get(live_app.url + "/categories", params={"q": name[1:4].upper()}, timeout=10).text
    assert f'data-testid="category-{remote[0]["id"]}"' in found
    assert api_requests(sandbox) == before          # the pages read the mirror only


def test_the_list_page_survives_hostile_arguments(app, live_app, browser, signed_in):
    hostile = {"sort": "name;drop table stores", "desc": "<script>", "page": "-1", "per_page": str(10 ** 9),
               "q": "%_' or 1=1 --<script>alert(1)</script>", "parent": "1 or 1=1"}
    page = browser.get(live_app.url + "/categories", params=hostile, timeout=10)
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert 'data-testid="categories-empty"' in page.text
    plain = browser.get(live_app.url + "/categories", params={"per_page": "2"}, timeout=10).text
    assert len(re.findall(r'data-testid="category-row"', plain)) == 2
    following = re.search(r'href="([^"]+)" rel="next"', plain).group(1).replace("&amp;", "&")
    assert "page=2" in following and "per_page=2" in following
    second = browser.get(live_app.url + following, timeout=10).text
    assert 'rel="prev"' in second and len(re.findall(r'data-testid="category-row"', second)) == 2


def test_info_lists_the_category_s_products_from_the_mirror(app, live_app, browser, signed_in):
    with app.app_context():
        products = db.session.scalars(select(MirrorProduct)).all()
        in_some = next(p for p in products if p.category_ids)
        category_id = in_some.category_ids[0]
        expected = {p.remote_id for p in products if category_id in p.category_ids and p.deleted_at is None}
    page = browser.get(live_app.url + f"/categories/{category_id}", timeout=10).text
    shown = {int(i) for i in re.findall(r'data-testid="product-(\d+)"', page)}
    assert shown == expected and in_some.remote_id in shown


def test_add_then_edit_then_delete_through_the_pages(app, live_app, browser, signed_in, api):
    form = browser.get(live_app.url + "/categories/new", timeout=10)
    token = csrf_token(form.text)
    parent = next(iter(api.categories.iter_all()))
    added = post(browser, live_app, "/categories", token, name="Winter <b>sale</b>", parent_id=str(parent["id"]))
    assert added.status_code == 200
    new_id = int(re.search(r"/categories/(\d+)$", added.url).group(1))
    assert api.categories.get(new_id)["name"] == "Winter <b>sale</b>"
    assert api.categories.get(new_id)["parent_id"] == parent["id"]
    row = mirrored(app, new_id)
    assert row.name == "Winter <b>sale</b>" and row.parent_id == parent["id"] and row.deleted_at is None
    # The name is text on the page, never markup.
    assert "Winter &lt;b&gt;sale&lt;/b&gt;" in added.text and "<b>sale</b>" not in added.text

    edited = post(browser, live_app, f"/categories/{new_id}", token, name="Winter", parent_id="")
    assert edited.status_code == 200 and edited.url.endswith(f"/categories/{new_id}")
    assert api.categories.get(new_id)["name"] == "Winter" and "parent_id" not in api.categories.get(new_id)
    assert mirrored(app, new_id).name == "Winter" and mirrored(app, new_id).parent_id is None

    confirm = browser.get(live_app.url + f"/categories/{new_id}/delete", timeout=10)
    assert confirm.status_code == 200 and 'data-testid="category-delete-confirm"' in confirm.text
    deleted = post(browser, live_app, f"/categories/{new_id}/delete", token)
    assert deleted.status_code == 200 and "deleted=" in deleted.url
    with pytest.raises(NotFound):
        api.categories.get(new_id)
    assert mirrored(app, new_id).deleted_at is not None
    assert f'data-testid="category-{new_id}"' not in deleted.text
    assert browser.get(live_app.url + f"/categories/{new_id}", timeout=10).status_code == 404


def test_deleting_a_parent_moves_its_subcategories_up_in_the_mirror_as_at_jumpseller(app, live_app, browser,
                                                                                     signed_in, api):
    token = csrf_token(browser.get(live_app.url + "/categories/new", timeout=10).text)
    top = next(c for c in api.categories.iter_all() if not c.get("parent_id"))
    middle = post(browser, live_app, "/categories", token, name="Middle", parent_id=str(top["id"]))
    middle_id = int(middle.url.rsplit("/", 1)[1])
    child = post(browser, live_app, "/categories", token, name="Child", parent_id=str(middle_id))
    child_id = int(child.url.rsplit("/", 1)[1])
    assert mirrored(app, child_id).parent_id == middle_id
    post(browser, live_app, f"/categories/{middle_id}/delete", token)
    assert api.categories.get(child_id)["parent_id"] == top["id"]
    assert mirrored(app, child_id).parent_id == top["id"] and mirrored(app, middle_id).deleted_at is not None
    page = browser.get(live_app.url + f"/categories/{child_id}", timeout=10).text
    assert re.search(r'data-testid="category-parent-name"><a [^>]*>' + re.escape(top["name"]), page)


def test_jumpseller_s_validation_error_shows_on_the_form_with_what_was_typed(app, live_app, browser, signed_in,
                                                                            api):
    token = csrf_token(browser.get(live_app.url + "/categories/new", timeout=10).text)
    count = api.categories.count()
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(MirrorCategory))
    parent = next(iter(api.categories.iter_all()))
    refused = post(browser, live_app, "/categories", token, name="   ", parent_id=str(parent["id"]))
    assert refused.status_code == 422 and "/categories/new?write=" in refused.url
    assert re.search(r'data-testid="error-name">can(&#39;|\')t be blank<', refused.text)
    assert 'value="   "' in refused.text
    assert re.search(rf'<option value="{parent["id"]}" selected>', refused.text)
    assert api.categories.count() == count
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MirrorCategory)) == rows

    # A parent that is not one of the store's is refused before anything is queued.
    writes = writes_count(app)
    bad = post(browser, live_app, "/categories", token, name="Shoes", parent_id="99999999")
    assert bad.status_code == 422 and 'data-testid="error-parent_id"' in bad.text and 'value="Shoes"' in bad.text
    assert writes_count(app) == writes


def test_assign_and_unassign_a_product(app, live_app, browser, signed_in, api):
    categories = list(api.categories.iter_all())
    with app.app_context():
        product = db.session.scalars(select(MirrorProduct).order_by(MirrorProduct.remote_id)).first()
        target = next(c["id"] for c in categories if c["id"] not in product.category_ids)
        before = list(product.category_ids)
    page = browser.get(live_app.url + f"/categories/{target}", timeout=10)
    token = csrf_token(page.text)
    assigned = post(browser, live_app, f"/categories/{target}/products", token, product_id=str(product.remote_id))
    assert assigned.status_code == 200 and assigned.url.endswith(f"/categories/{target}")
    assert f'data-testid="product-{product.remote_id}"' in assigned.text
    remote_ids = [c["id"] for c in api.products.get(product.remote_id)["categories"]]
    assert set(remote_ids) == set(before) | {target}          # the others kept
    with app.app_context():
        assert target in db.session.get(MirrorProduct, product.id).category_ids

    removed = post(browser, live_app, f"/categories/{target}/products/{product.remote_id}/remove", token)
    assert removed.status_code == 200 and f'data-testid="product-{product.remote_id}"' not in removed.text
    assert {c["id"] for c in api.products.get(product.remote_id)["categories"]} == set(before)
    with app.app_context():
        assert sorted(db.session.get(MirrorProduct, product.id).category_ids) == sorted(before)

    writes = writes_count(app)
    unknown = post(browser, live_app, f"/categories/{target}/products", token, product_id="12abc")
    assert unknown.status_code == 422 and 'data-testid="error-product_id"' in unknown.text
    assert writes_count(app) == writes


def test_without_csrf_nothing_is_queued(app, live_app, browser, signed_in, api):
    target = next(iter(api.categories.iter_all()))["id"]
    writes = writes_count(app)
    for path, fields in (("/categories", {"name": "X"}), (f"/categories/{target}", {"name": "X"}),
                         (f"/categories/{target}/delete", {}), (f"/categories/{target}/products", {"product_id": "1"})):
        refused = browser.post(live_app.url + path, data=fields, allow_redirects=False, timeout=10)
        assert refused.status_code == 400, path
    assert writes_count(app) == writes
    assert api.categories.get(target)["name"] != "X"


def test_a_page_without_its_scopes_says_what_is_missing_and_queues_nothing(app, live_app, browser, api):
    app.config["JUMPSELLER_SCOPES"] = "read_store read_products"
    install(browser, live_app)
    page = browser.get(live_app.url + "/categories", timeout=10).text
    assert 'data-testid="permission-categories"' in page and "change store information" in page
    assert 'data-testid="permission-category_products"' in page and 'data-testid="permission-reauthorize"' in page
    token = csrf_token(browser.get(live_app.url + "/categories/new", timeout=10).text)
    refused = post(browser, live_app, "/categories", token, name="Shoes")
    assert refused.status_code == 403 and 'value="Shoes"' in refused.text
    assert writes_count(app) == 0


def test_a_second_store_cannot_see_or_change_the_first_s_categories(app, live_app, sandbox, signed_in, api):
    from ..support.http import browser_session
    from ..support.iframe import sandbox_login
    with app.app_context():
        first = db.session.scalar(select(Store))
        category = db.session.scalar(select(MirrorCategory).where(MirrorCategory.store_id == first.id))
    other_code = _second_store(sandbox)
    with browser_session() as other:
        sandbox_login(other, sandbox, other_code)
        install(other, live_app)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Store)) == 2
        mine = other.get(live_app.url + "/categories", timeout=10).text
        assert f'data-testid="category-{category.remote_id}"' not in mine
        token = csrf_token(other.get(live_app.url + "/categories/new", timeout=10).text)
        for path in (f"/categories/{category.remote_id}", f"/categories/{category.remote_id}/edit",
                     f"/categories/{category.remote_id}/delete"):
            assert other.get(live_app.url + path, timeout=10).status_code == 404, path
        changed = other.post(live_app.url + f"/categories/{category.remote_id}",
                             data={"csrf_token": token, "name": "Taken"}, timeout=10)
        assert changed.status_code == 404
    assert api.categories.get(category.remote_id)["name"] == category.name


def _second_store(sandbox):
    import requests
    body = requests.post(sandbox.url + "/_sandbox/stores", json={"code": "second"}, timeout=10)
    body.raise_for_status()
    return "second"
