"""The Products pages over real HTTP against the sandbox: every method through the page a merchant uses.

Pages read the database; each change is a write job (run inline in tests) whose status page leads to the record, or
back to the form with Jumpseller's errors. The sandbox's own API (Basic auth) is the witness of what changed.
"""

import re

import pytest
from sqlalchemy import select

from jumpseller_app import config
from jumpseller_app.extensions import db
from jumpseller_app.jumpseller.errors import NotFound
from jumpseller_app.models import ApiWrite, MirrorDocument, MirrorProduct, MirrorVariant

from ..support.flows import csrf_token, install
from ..support.iframe import api_requests
from ..support.pages import count_rows, live_rows


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def mirrored(app, remote_id):
    with app.app_context():
        return db.session.scalar(select(MirrorProduct).where(MirrorProduct.remote_id == remote_id))


def live_products(app):
    return live_rows(app, MirrorProduct)


def post(browser, live_app, path, token, **fields):
    return browser.post(live_app.url + path, data={"csrf_token": token, **fields}, timeout=30)


def listed(page):
    return [int(i) for i in re.findall(r'data-testid="product-(\d+)"', page.text)]


def get(browser, live_app, path, **params):
    return browser.get(live_app.url + path, params=params, timeout=10)


def test_the_list_searches_filters_sorts_and_pages_the_mirror_and_calls_nothing(app, live_app, sandbox, browser,
                                                                               signed_in, api):
    assert 'data-testid="nav-products"' in signed_in
    products = live_products(app)
    before = api_requests(sandbox)
    page = get(browser, live_app, "/products", per_page=3, sort="id")
    assert page.status_code == 200 and listed(page) == sorted(p.remote_id for p in products)[:3]
    assert f"{len(products)} products match." in page.text
    by_price = listed(get(browser, live_app, "/products", sort="price", desc="1", per_page=100))
    assert by_price[0] == max(products, key=lambda p: (p.price, p.id)).remote_id
    one = next(p for p in products if p.sku)
    assert one.remote_id in listed(get(browser, live_app, "/products", q=one.sku.lower()))
    assert one.remote_id in listed(get(browser, live_app, "/products", q=one.name[1:6].upper()))
    in_category = next(p for p in products if p.category_ids)
    category = in_category.category_ids[0]
    assert set(listed(get(browser, live_app, "/products", category=category, per_page=100))) == \
        {p.remote_id for p in products if category in p.category_ids}
    status = products[0].status
    assert set(listed(get(browser, live_app, "/products", status=status, per_page=100))) == \
        {p.remote_id for p in products if p.status == status}
    low, high = sorted(p.price for p in products)[3], sorted(p.price for p in products)[-4]
    assert set(listed(get(browser, live_app, "/products", price_min=str(low), price_max=str(high), per_page=100))) == \
        {p.remote_id for p in products if low <= p.price <= high}
    for state, test in (("in", lambda p: p.stock_unlimited or (p.stock or 0) > 0),
                        ("out", lambda p: not p.stock_unlimited and (p.stock or 0) <= 0),
                        ("unlimited", lambda p: bool(p.stock_unlimited))):
        assert set(listed(get(browser, live_app, "/products", stock=state, per_page=100))) == \
            {p.remote_id for p in products if test(p)}, state
    assert api_requests(sandbox) == before          # the pages read the mirror only


def test_the_list_page_survives_hostile_arguments(app, live_app, browser, signed_in):
    hostile = {"sort": "price;drop table stores", "desc": "<script>", "page": "-1", "per_page": str(10 ** 9),
               "q": "%_' or 1=1 --<script>alert(1)</script>", "category": "1 or 1=1", "stock": "all'--",
               "price_min": "nan", "price_max": "1e999", "status": "<b>"}
    page = get(browser, live_app, "/products", **hostile)
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert 'data-testid="products-empty"' in page.text


def test_info_shows_variants_and_images_from_the_mirror_and_a_variant_s_page(app, live_app, sandbox, browser,
                                                                            signed_in, api):
    with app.app_context():
        variant = db.session.scalars(select(MirrorVariant).order_by(MirrorVariant.id)).first()
        product = db.session.get(MirrorProduct, variant.product_row_id)
        variant_ids = {v.remote_id for v in db.session.scalars(select(MirrorVariant).where(
            MirrorVariant.product_row_id == product.id))}
        image_ids = {i["id"] for i in product.raw.get("images") or []}
    before = api_requests(sandbox)
    page = get(browser, live_app, f"/products/{product.remote_id}")
    assert page.status_code == 200
    assert {int(i) for i in re.findall(r'data-testid="variant-(\d+)"', page.text)} == variant_ids
    assert {int(i) for i in re.findall(r'data-testid="image-(\d+)"', page.text)} == image_ids
    shown = get(browser, live_app, f"/products/{product.remote_id}/variants/{variant.remote_id}")
    assert shown.status_code == 200 and f'data-testid="variant-id">{variant.remote_id}<' in shown.text
    assert api_requests(sandbox) == before
    assert get(browser, live_app, f"/products/{product.remote_id}/variants/1").status_code == 404
    assert variant_ids == {v["id"] for v in api.products.variants(product.remote_id).list()}


def test_add_then_edit_then_delete_a_product_through_the_pages(app, live_app, browser, signed_in, api):
    token = csrf_token(get(browser, live_app, "/products/new").text)
    count = api.products.count()
    added = post(browser, live_app, "/products", token, name="Poncho <b>mapuche</b>", sku="PON-1", price="12.990,5",
                 stock="7", status="available", description="Lana")
    assert added.status_code == 200
    new_id = int(re.search(r"/products/(\d+)$", added.url).group(1))
    remote = api.products.get(new_id)
    assert remote["name"] == "Poncho <b>mapuche</b>" and remote["price"] == 12990.5 and remote["stock"] == 7
    assert api.products.count() == count + 1
    row = mirrored(app, new_id)
    # The realistic sandbox answers some products' SKU as null, as Jumpseller does: the mirror holds what came.
    assert (row.name, row.sku, row.price, row.stock) == ("Poncho <b>mapuche</b>", remote["sku"] or "", 12990.5, 7)
    assert "Poncho &lt;b&gt;mapuche&lt;/b&gt;" in added.text and "<b>mapuche</b>" not in added.text

    edited = post(browser, live_app, f"/products/{new_id}", token, name="Poncho", sku="PON-1", price="15000",
                  stock_unlimited="1", status="not-available", description="")
    assert edited.status_code == 200 and edited.url.endswith(f"/products/{new_id}")
    remote = api.products.get(new_id)
    assert (remote["name"], remote["price"], remote["stock_unlimited"], remote["status"]) == \
        ("Poncho", 15000, True, "not-available")
    row = mirrored(app, new_id)
    assert (row.name, row.price, row.stock_unlimited, row.status) == ("Poncho", 15000, True, "not-available")

    confirm = get(browser, live_app, f"/products/{new_id}/delete")
    assert confirm.status_code == 200 and 'data-testid="product-delete-confirm"' in confirm.text
    deleted = post(browser, live_app, f"/products/{new_id}/delete", token)
    assert deleted.status_code == 200 and "deleted=" in deleted.url
    with pytest.raises(NotFound):
        api.products.get(new_id)
    assert mirrored(app, new_id).deleted_at is not None
    assert get(browser, live_app, f"/products/{new_id}").status_code == 404


def test_jumpseller_s_validation_error_shows_on_the_product_form_and_nothing_is_stored(app, live_app, browser,
                                                                                      signed_in, api):
    token = csrf_token(get(browser, live_app, "/products/new").text)
    count, rows = api.products.count(), count_rows(app, MirrorProduct)
    refused = post(browser, live_app, "/products", token, name="Chal", sku="CH-1", price="-5", stock="3",
                   status="available")
    assert refused.status_code == 422 and "/products/new?write=" in refused.url
    assert re.search(r'data-testid="error-price">must be greater than or equal to 0<', refused.text)
    assert 'value="Chal"' in refused.text and 'value="-5"' in refused.text
    # Nothing stored: not at Jumpseller, not in the mirror.
    assert api.products.count() == count and count_rows(app, MirrorProduct) == rows

    product = live_products(app)[0]
    blank = post(browser, live_app, f"/products/{product.remote_id}", token, name=" ", price="1", status="available")
    assert blank.status_code == 422 and re.search(r'data-testid="error-name">can(&#39;|\')t be blank<', blank.text)
    assert api.products.get(product.remote_id)["name"] == product.name
    assert mirrored(app, product.remote_id).name == product.name

    writes = count_rows(app, ApiWrite)
    bad = post(browser, live_app, "/products", token, name="X", price="1", status="sold-out")
    assert bad.status_code == 422 and 'data-testid="error-status"' in bad.text
    assert count_rows(app, ApiWrite) == writes                  # refused before anything is queued


def test_add_and_update_a_variant(app, live_app, browser, signed_in, api):
    product = live_products(app)[0]
    token = csrf_token(get(browser, live_app, f"/products/{product.remote_id}/variants/new").text)
    before = {v["id"] for v in api.products.variants(product.remote_id).list()}
    added = post(browser, live_app, f"/products/{product.remote_id}/variants", token, option_name="Talla",
                 option_value="XL", sku="V-XL", price="9990", stock="4")
    assert added.status_code == 200
    variant_id = int(re.search(r"/variants/(\d+)$", added.url).group(1))
    assert variant_id not in before
    remote = api.products.variants(product.remote_id).get(variant_id)
    assert (remote["sku"], remote["price"], remote["stock"]) == ("V-XL", 9990, 4)
    with app.app_context():
        row = db.session.scalar(select(MirrorVariant).where(MirrorVariant.remote_id == variant_id))
        assert (row.sku, row.price, row.stock) == ("V-XL", 9990, 4)
    assert 'data-testid="variant-sku">V-XL<' in added.text

    updated = post(browser, live_app, f"/products/{product.remote_id}/variants/{variant_id}", token, sku="V-XL2",
                   price="8990", stock="2")
    assert updated.status_code == 200 and updated.url.endswith(f"/variants/{variant_id}")
    assert api.products.variants(product.remote_id).get(variant_id)["price"] == 8990
    with app.app_context():
        row = db.session.scalar(select(MirrorVariant).where(MirrorVariant.remote_id == variant_id))
        assert (row.sku, row.price, row.stock) == ("V-XL2", 8990, 2)

    refused = post(browser, live_app, f"/products/{product.remote_id}/variants/{variant_id}", token, sku="V",
                   price="caro", stock="2")
    assert refused.status_code == 422 and 'data-testid="error-price">is not a number<' in refused.text
    assert 'value="caro"' in refused.text
    assert api.products.variants(product.remote_id).get(variant_id)["sku"] == "V-XL2"     # nothing half-saved
    with app.app_context():
        assert db.session.scalar(select(MirrorVariant.sku).where(MirrorVariant.remote_id == variant_id)) == "V-XL2"


def test_add_move_and_delete_an_image(app, live_app, browser, signed_in, api):
    product = next(p for p in live_products(app) if len(p.raw.get("images") or []) >= 1)
    token = csrf_token(get(browser, live_app, f"/products/{product.remote_id}").text)
    before = {i["id"] for i in api.products.images(product.remote_id).list()}
    added = post(browser, live_app, f"/products/{product.remote_id}/images", token,
                 url="https://cdn.example.com/poncho.jpg")
    assert added.status_code == 200 and added.url.endswith(f"/products/{product.remote_id}#images")
    images = api.products.images(product.remote_id).list()
    new = next(i for i in images if i["id"] not in before)
    assert new["url"] == "https://cdn.example.com/poncho.jpg"
    assert f'data-testid="image-{new["id"]}"' in added.text
    assert new["id"] in {i["id"] for i in mirrored(app, product.remote_id).raw["images"]}

    moved = post(browser, live_app, f"/products/{product.remote_id}/images/{new['id']}", token, position="1")
    assert moved.status_code == 200
    assert api.products.images(product.remote_id).get(new["id"])["position"] == 1
    assert next(i for i in mirrored(app, product.remote_id).raw["images"] if i["id"] == new["id"])["position"] == 1

    removed = post(browser, live_app, f"/products/{product.remote_id}/images/{new['id']}/delete", token)
    assert removed.status_code == 200 and f'data-testid="image-{new["id"]}"' not in removed.text
    assert new["id"] not in {i["id"] for i in api.products.images(product.remote_id).list()}
    assert new["id"] not in {i["id"] for i in mirrored(app, product.remote_id).raw["images"]}

    writes = count_rows(app, ApiWrite)
    bad = post(browser, live_app, f"/products/{product.remote_id}/images/{min(before)}", token, position="primero")
    assert bad.status_code == 422 and 'data-testid="error-position"' in bad.text
    assert count_rows(app, ApiWrite) == writes                  # refused before anything is queued

    refused = post(browser, live_app, f"/products/{product.remote_id}/images", token, url="")
    assert refused.status_code == 422 and 'data-testid="error-url">' in refused.text
    assert {i["id"] for i in api.products.images(product.remote_id).list()} == before
    assert {i["id"] for i in mirrored(app, product.remote_id).raw["images"]} == before


def test_custom_fields_and_reviews_are_fetched_by_a_job_and_reviews_are_read_only(app, live_app, sandbox, browser,
                                                                                 signed_in, api):
    products = live_products(app)
    product = next(p for p in products if api.products.reviews(p.remote_id).list())
    page = get(browser, live_app, f"/products/{product.remote_id}")
    assert 'data-testid="reviews-read-only"' in page.text and "Not fetched from Jumpseller yet." in page.text
    assert "write, answer or moderate" in page.text
    token = csrf_token(page.text)
    for kind in ("product_fields", "product_reviews"):
        done = post(browser, live_app, f"/products/{product.remote_id}/details/{kind}", token)
        assert done.status_code == 200
    page = get(browser, live_app, f"/products/{product.remote_id}")
    fields = api.products.fields(product.remote_id).list()
    reviews = api.products.reviews(product.remote_id).list()
    assert len(re.findall(r'data-testid="field-row"', page.text)) == len(fields) > 0
    assert len(re.findall(r'data-testid="review-row"', page.text)) == len(reviews)
    assert fields[0]["value"] in page.text and "Fetched from Jumpseller at" in page.text
    before = api_requests(sandbox)
    get(browser, live_app, f"/products/{product.remote_id}")
    assert api_requests(sandbox) == before          # shown from the database
    with app.app_context():
        kinds = set(db.session.scalars(select(MirrorDocument.kind).where(
            MirrorDocument.parent_remote_id == str(product.remote_id))))
    assert {"product_fields", "product_reviews"} <= kinds
    assert post(browser, live_app, f"/products/{product.remote_id}/details/orders", token).status_code == 404


def test_without_csrf_nothing_is_queued(app, live_app, browser, signed_in, api):
    product = live_products(app)[0]
    writes = count_rows(app, ApiWrite)
    for path, fields in (("/products", {"name": "X", "price": "1"}), (f"/products/{product.remote_id}", {"name": "X"}),
                         (f"/products/{product.remote_id}/delete", {}),
                         (f"/products/{product.remote_id}/variants", {"price": "1"}),
                         (f"/products/{product.remote_id}/images", {"url": "https://e.example/x.jpg"})):
        refused = browser.post(live_app.url + path, data=fields, allow_redirects=False, timeout=10)
        assert refused.status_code == 400, path
    assert count_rows(app, ApiWrite) == writes
    assert api.products.get(product.remote_id)["name"] != "X"


def test_a_page_without_its_scopes_says_what_is_missing_and_queues_nothing(app, live_app, browser, api):
    app.config["JUMPSELLER_SCOPES"] = "read_store read_products"
    install(browser, live_app)
    page = get(browser, live_app, "/products").text
    assert 'data-testid="permission-products"' in page and "change products" in page
    token = csrf_token(get(browser, live_app, "/products/new").text)
    refused = post(browser, live_app, "/products", token, name="Chal", price="1", status="available")
    assert refused.status_code == 403 and 'value="Chal"' in refused.text
    product = live_products(app)[0]
    assert post(browser, live_app, f"/products/{product.remote_id}/images", token,
                url="https://e.example/x.jpg").status_code == 403
    assert count_rows(app, ApiWrite) == 0


def test_two_variants_of_one_product_change_side_by_side(app, live_app, browser, signed_in, api):
    from jumpseller_app.extensions import queue
    from jumpseller_app.jobs import write_tasks
    with app.app_context():
        product = next(p for p in live_rows(app, MirrorProduct)
                       if db.session.query(MirrorVariant).filter_by(product_row_id=p.id).count() >= 2)
        first, second = db.session.scalars(select(MirrorVariant.remote_id).where(
            MirrorVariant.product_row_id == product.id).order_by(MirrorVariant.remote_id).limit(2))
    token = csrf_token(get(browser, live_app, f"/products/{product.remote_id}").text)
    queue.immediate = False                      # both wait in the queue: neither is taken for the other
    try:
        for variant_id, price in ((first, "1111"), (second, "2222")):
            pending = post(browser, live_app, f"/products/{product.remote_id}/variants/{variant_id}", token,
                           sku=f"SIDE-{variant_id}", price=price, stock="1")
            assert pending.status_code == 200 and 'data-testid="write-status"' in pending.text
        with app.app_context():
            writes = db.session.scalars(select(ApiWrite).order_by(ApiWrite.id)).all()
            assert [(w.kind, w.target_id) for w in writes] == [("variants.update", first), ("variants.update", second)]
            for write in writes:
                write_tasks.perform_write_job.call_local("sandbox", write.id)
    finally:
        queue.immediate = True
    assert api.products.variants(product.remote_id).get(first)["price"] == 1111
    assert api.products.variants(product.remote_id).get(second)["price"] == 2222
    page = get(browser, live_app, f"/products/{product.remote_id}/variants/{second}")
    assert 'data-testid="variant-price">2222<' in page.text
