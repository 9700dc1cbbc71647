"""A product bulk edit by CSV in headless Chromium inside the sandbox admin's iframe, with the app's cookies refused
(the session lives in its token): the products list, the bulk edit page, a CSV upload (semicolons, a BOM, a decimal
comma, variants named by their SKU, rows that will not apply), its preview, the apply, and the batch's progress
page, which reloads itself until the job has sent every change. Afterwards the sandbox holds the new prices and
stock."""

import pytest
from sqlalchemy import select

from jumpseller_app import config
from jumpseller_app.extensions import db, queue
from jumpseller_app.jobs import write_tasks
from jumpseller_app.models import ApiWrite, MirrorProduct, MirrorVariant

from ..support import iframe as support
from ..support.browser import connect_with_popup, launch, open_app_in_admin
from ..support.flows import basic_client

pytestmark = pytest.mark.requires("chromium")


@pytest.fixture
def app_config(app_config, sandbox):
    return {**support.iframe_config(app_config, sandbox), "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def test_bulk_edit_by_csv_with_a_preview_in_the_admin_iframe(app, playwright, tmp_path, sandbox, live_app,
                                                               admin_setup):
    api = basic_client(sandbox, tmp_path, budget=False)
    context = launch(playwright, tmp_path, block_app_cookies_in=sandbox.url)
    try:
        page, frame = open_app_in_admin(context, sandbox, admin_setup)
        connect_with_popup(page, frame, expect_consent=True)
        frame.get_by_test_id("store-title").wait_for(timeout=15000)
        with app.app_context():
            # Two variants with a SKU (a merchant's sheet lists variants: their prices and stock are theirs).
            rows = db.session.execute(select(MirrorProduct.remote_id, MirrorVariant.remote_id, MirrorVariant.sku,
                                             MirrorVariant.price)
                                      .join(MirrorVariant, MirrorVariant.product_row_id == MirrorProduct.id)
                                      .where(MirrorVariant.sku != "").order_by(MirrorVariant.remote_id)).all()
        first, second = rows[0], next(row for row in rows if row[0] != rows[0][0])
        first_id, second_id = f"{first[0]}-{first[1]}", f"{second[0]}-{second[1]}"
        csv_text = (f"\ufeffsku;price;stock\n{first[2]};19.990,5;12\n{second[2]};;4\nNO-SUCH-SKU;1000;1\n"
                    f"{first[2]};-1;\n")
        frame.get_by_test_id("nav-products").click()
        frame.get_by_test_id("products-table").wait_for()
        frame.get_by_test_id("bulk-edit").click()
        frame.get_by_test_id("bulk-csv-file").set_input_files(
            {"name": "precios.csv", "mimeType": "text/csv", "buffer": csv_text.encode("utf-8")})
        frame.get_by_test_id("bulk-csv-preview").click()
        frame.get_by_test_id("bulk-preview").wait_for()
        # The preview: old → new per product, the rows that will not apply with their reason; nothing sent yet.
        assert "→ 19990.5" in frame.get_by_test_id(f"change-{first_id}").text_content()
        assert "→ 4" in frame.get_by_test_id(f"change-{second_id}").get_by_test_id("change-stock").text_content()
        reasons = frame.get_by_test_id("skipped-reason").all_text_contents()
        assert reasons == ["No product or variant of your store has this SKU.", "The price would be negative."]
        with app.app_context():
            assert db.session.scalar(select(ApiWrite)) is None
        queue.immediate = False                      # the batch waits in the queue: the progress page shows
        frame.get_by_test_id("bulk-apply").click()
        frame.get_by_test_id("bulk-batch").wait_for()
        assert frame.get_by_test_id("bulk-batch").get_attribute("data-finished") == "0"
        with app.app_context():
            ids = [w.id for w in db.session.scalars(select(ApiWrite).order_by(ApiWrite.id))]
            assert len(ids) == 2
            write_tasks.perform_batch_job.call_local("sandbox", ids)
        # The page reloads itself and shows every product's result.
        frame.locator('[data-testid="bulk-batch"][data-finished="1"]').wait_for(timeout=10000)
        assert frame.get_by_test_id(f"result-{first[0]}").get_attribute("data-status") == "done"
        assert frame.get_by_test_id(f"result-{second[0]}").get_attribute("data-status") == "done"
        progress = frame.get_by_test_id("batch-progress").text_content()
        assert "2 of 2 products answered: 2 changed, 0 refused." in progress
    finally:
        queue.immediate = True
        context.close()
    first_remote = api.products.variants(first[0]).get(first[1])
    second_remote = api.products.variants(second[0]).get(second[1])
    assert (first_remote["price"], first_remote["stock"]) == (19990.5, 12)
    assert second_remote["stock"] == 4 and second_remote["price"] == second[3]
