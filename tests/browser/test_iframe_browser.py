"""The embedded app in headless Chromium: the sandbox admin (127.0.0.1) frames the app (localhost), cross-site.

Run once with the browser's defaults (third-party cookies blocked, Partitioned cookies allowed) and once with
every cookie of the app refused inside the admin (the Safari-like case), where the session token takes over.
"""

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from jumpseller_app.extensions import db
from jumpseller_app.models import Store

from ..support import iframe as support
from ..support.browser import CHROMIUM, connect_with_popup, launch, open_app_in_admin

pytestmark = pytest.mark.requires("chromium")


@pytest.fixture
def app_config(app_config, sandbox):
    """Framing allowed for the sandbox admin; scopes for the dashboard."""
    return support.iframe_config(app_config, sandbox)


@pytest.fixture
def shot(artifacts):
    """Save a full-page screenshot as <name>.png in this test's artifacts folder."""
    return lambda page, name: page.screenshot(path=os.path.join(artifacts, f"{name}.png"), full_page=True)


def in_admin_partition(context):
    """The app's cookies stored in the admin site's partition (http://127.0.0.1), i.e. the iframe's own."""
    return [c for c in context.cookies() if c["domain"] == "localhost" and c.get("partitionKey") == "http://127.0.0.1"]


def app_frame(page):
    """The app's frame object (for its URL)."""
    return next(f for f in page.frames if f.name == "" and f != page.main_frame)


@contextmanager
def hostile_site(app_url):
    """Another local origin (not in frame-ancestors) whose page frames the app."""
    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [f'<h1>Not Jumpseller</h1><iframe id="f" src="{app_url}"></iframe>'.encode()]

    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.mark.parametrize("cookies", ["partitioned", "blocked"])
def test_connect_in_the_admin_iframe_then_settings_persist(playwright, tmp_path, sandbox, live_app, admin_setup,
                                                           cookies, shot):
    blocked = cookies == "blocked"
    context = launch(playwright, tmp_path, block_app_cookies_in=sandbox.url if blocked else None)
    try:
        page, frame = open_app_in_admin(context, sandbox, admin_setup)
        assert frame.get_by_test_id("connect").is_visible()
        shot(page, f"{cookies}-1-connect")
        connect_with_popup(page, frame, expect_consent=True)

        frame.get_by_test_id("store-title").wait_for(timeout=15000)
        assert frame.get_by_test_id("store-title").text_content() == "Sandbox Store"
        assert frame.get_by_test_id("count-products").text_content() == "25"
        # Cookie mode keeps the token out of the address; the blocked browser lives on the token.
        assert ("t=" in app_frame(page).url) is blocked
        shot(page, f"{cookies}-2-dashboard")

        frame.locator("input[name=widget_title]").fill("Ofertas de la semana")
        frame.get_by_test_id("save").click()
        frame.get_by_test_id("saved").wait_for()

        if blocked:
            # Prove the browser really refuses the app's cookies in the frame: no partitioned one was stored
            # (the popup's top-level cookie exists, but the iframe can never see it).
            assert not in_admin_partition(context)
            # The app's own links carry the session: the saved page, fetched anew, still knows the store.
            app_frame(page).goto(app_frame(page).url)
            assert frame.locator("input[name=widget_title]").input_value() == "Ofertas de la semana"
            # A reload of the admin loses the token (no cookie can hold it): Connect again, instantly approved.
            page.reload()
            connect_with_popup(page, frame, expect_consent=False)
            frame.get_by_test_id("store-title").wait_for(timeout=15000)
        else:
            assert in_admin_partition(context)
            page.reload()
            frame.get_by_test_id("store-title").wait_for(timeout=15000)
        assert frame.locator("input[name=widget_title]").input_value() == "Ofertas de la semana"
        shot(page, f"{cookies}-3-after-reload")
    finally:
        context.close()


def test_a_site_not_in_frame_ancestors_cannot_frame_the_app(playwright, tmp_path, sandbox, live_app, admin_setup,
                                                            shot):
    context = launch(playwright, tmp_path)
    try:
        page = context.new_page()
        with hostile_site(live_app.url + "/") as hostile:
            with page.expect_response(live_app.url + "/") as answer:
                page.goto(hostile)
            assert "frame-ancestors" in answer.value.headers["content-security-policy"]   # the app answered...
            page.wait_for_timeout(1000)
            child = next(f for f in page.frames if f != page.main_frame)
            # ...but Chromium showed its error page in the frame instead of the app.
            assert child.url.startswith("chrome-error://"), child.url
            assert child.locator("[data-testid=connect]").count() == 0
        shot(page, "foreign-framing-refused")

        # Control: the sandbox admin (listed in frame-ancestors) does get the app.
        admin, frame = open_app_in_admin(context, sandbox, admin_setup)
        frame.get_by_test_id("connect").wait_for(timeout=10000)
    finally:
        context.close()


def test_chromium_is_on_the_expected_path():
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists()


def store_row(app):
    """What a takeover would change: the store's tokens, their version, its auth mode and session epoch."""
    with app.app_context():
        store = db.session.scalar(select(Store))
        return (store.auth_mode, store.session_epoch, store.credential.access_token_enc,
                store.credential.refresh_token_enc, store.credential.version)


def test_a_mailed_authorize_link_opened_by_the_merchant_gives_the_attacker_nothing(
        playwright, tmp_path, app, sandbox, live_app, admin_setup, shot):
    """The takeover by link, with the merchant in a real browser: Jumpseller approves silently, the app refuses."""
    context = launch(playwright, tmp_path)
    try:
        page, frame = open_app_in_admin(context, sandbox, admin_setup)
        connect_with_popup(page, frame, expect_consent=True)       # the merchant's store, installed before
        frame.get_by_test_id("store-title").wait_for(timeout=15000)
        before = store_row(app)

        attacker = requests.Session()
        attacker_page = attacker.get(live_app.url + "/", timeout=5)
        secret, handoff_hash = support.new_secret()
        start = attacker.get(live_app.url + "/oauth/install", params={"handoff": handoff_hash},
                             headers={"Sec-Fetch-Site": "same-origin"}, allow_redirects=False, timeout=5)
        mailed_link = start.headers["Location"]

        victim = context.new_page()                                 # the merchant clicks the link in a mail
        landing = victim.goto(mailed_link)
        assert landing.status == 400 and "another browser" in victim.content()
        shot(victim, "takeover-refused")

        claim = support.claim(attacker, live_app, secret, attacker_page.text)
        assert claim.status_code in (202, 410) and "token" not in claim.json()
        assert "Connect your Jumpseller store" in attacker.get(live_app.url + "/", timeout=5).text
        assert store_row(app) == before                             # no tokens changed, no session revoked
        page.reload()                                              # and the merchant's own session still works
        frame.get_by_test_id("store-title").wait_for(timeout=15000)
    finally:
        context.close()
