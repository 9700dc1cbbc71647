"""The Categories page in headless Chromium inside the sandbox admin's iframe, with the app's cookies refused (the
session lives in its token): the navigation, the add form, and the write's status page, which waits until the job
has run and then opens the new category (writes.js polls; the meta refresh would get there too)."""

import pytest
from sqlalchemy import select

from jumpseller_app import config
from jumpseller_app.extensions import db, queue
from jumpseller_app.jobs import write_tasks
from jumpseller_app.models import ApiWrite

from ..support import iframe as support
from ..support.flows import basic_client
from ..support.browser import connect_with_popup, launch, open_app_in_admin

pytestmark = pytest.mark.requires("chromium")


@pytest.fixture
def app_config(app_config, sandbox):
    return {**support.iframe_config(app_config, sandbox), "JUMPSELLER_SCOPES": config.DEFAULT_SCOPES}


def test_add_a_category_in_the_admin_iframe_and_follow_its_job(app, playwright, tmp_path, sandbox, live_app,
                                                                admin_setup):
    context = launch(playwright, tmp_path, block_app_cookies_in=sandbox.url)
    try:
        page, frame = open_app_in_admin(context, sandbox, admin_setup)
        connect_with_popup(page, frame, expect_consent=True)
        frame.get_by_test_id("store-title").wait_for(timeout=15000)
        frame.get_by_test_id("nav-categories").click()
        frame.get_by_test_id("categories-table").wait_for()
        frame.get_by_test_id("category-add").click()
        frame.get_by_test_id("category-name").fill("Made <i>in</i> Chromium")
        queue.immediate = False                      # the write waits in the queue: the status page shows
        frame.get_by_test_id("category-save").click()
        frame.get_by_test_id("write-status").wait_for()
        with app.app_context():
            write = db.session.scalar(select(ApiWrite))
            assert write.status == "pending"
            write_tasks.perform_write_job.call_local("sandbox", write.id)
            created = db.session.get(ApiWrite, write.id).result_id
        # The status page notices the end and opens the category (still on the session token: no cookie here).
        frame.get_by_test_id("category-title").wait_for(timeout=10000)
        assert frame.get_by_test_id("category-title").text_content() == "Made <i>in</i> Chromium"
        assert frame.get_by_test_id("category-id").text_content() == str(created)
    finally:
        queue.immediate = True
        context.close()
    assert basic_client(sandbox, tmp_path, budget=False).categories.get(created)["name"] == "Made <i>in</i> Chromium"
