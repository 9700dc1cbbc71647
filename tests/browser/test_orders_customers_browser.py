"""The Orders, Customers and Store pages in headless Chromium inside the sandbox admin's iframe, with the app's
cookies refused (the session lives in its token): a search form, an order's status change (a write job) and a
Refresh (a document job) all carry the token, and each lands back on its page."""

import pytest

from jumpseller_app import config

from ..support import iframe as support
from ..support.browser import connect_with_popup, launch, open_app_in_admin
from ..support.flows import basic_client

pytestmark = pytest.mark.requires("chromium")


@pytest.fixture
def app_config(app_config, sandbox):
    return {**support.iframe_config(app_config, sandbox), "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def test_orders_customers_and_store_in_the_admin_iframe(app, playwright, tmp_path, sandbox, live_app, admin_setup):
    api = basic_client(sandbox, tmp_path, budget=False)
    order = next(o for o in api.orders.iter_by_status("pending_payment"))
    context = launch(playwright, tmp_path, block_app_cookies_in=sandbox.url)
    try:
        page, frame = open_app_in_admin(context, sandbox, admin_setup)
        connect_with_popup(page, frame, expect_consent=True)
        frame.get_by_test_id("store-title").wait_for(timeout=15000)

        frame.get_by_test_id("nav-orders").click()
        frame.get_by_test_id("orders-table").wait_for()
        frame.get_by_test_id("list-q").fill(f"#{order['id']}")
        frame.get_by_test_id("list-q").press("Enter")
        frame.get_by_test_id(f"order-{order['id']}").click()
        frame.get_by_test_id("order-status-field").select_option("paid")
        frame.get_by_test_id("order-tracking_number").fill("CX-777")
        frame.get_by_test_id("order-save").click()
        frame.get_by_test_id("order-title").wait_for(timeout=10000)
        assert frame.get_by_test_id("order-status").text_content().strip()

        frame.get_by_test_id("nav-customers").click()
        frame.get_by_test_id("customer-groups").click()
        frame.get_by_test_id("groups-empty").wait_for()
        frame.get_by_test_id("refresh-customer_categories").get_by_test_id("refresh-button").click()
        frame.get_by_test_id("groups-table").wait_for()
        first = next(iter(api.customer_categories.iter_all()))
        frame.get_by_test_id(f"group-{first['id']}").wait_for(timeout=10000)

        frame.get_by_test_id("nav-store").click()
        frame.get_by_test_id("refresh-store_info").get_by_test_id("refresh-button").click()
        frame.get_by_test_id("store-info").wait_for(timeout=10000)
        assert frame.get_by_test_id("fact-code").text_content() == api.store.info()["code"]
    finally:
        context.close()
    remote = api.orders.get(order["id"])
    assert remote["status_enum"] == "paid" and remote["tracking_number"] == "CX-777"
