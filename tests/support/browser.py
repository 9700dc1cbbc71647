"""Chromium for the browser tests (Playwright): a fresh profile, the sandbox admin framing the app, the Connect popup.

Registered as a pytest plugin by tests/conftest.py: the fixtures playwright and admin_setup are shared by every
browser test module; the functions are imported from here.
"""

import json

import pytest
import requests

from . import system

CHROMIUM = system.read_requirements()["chromium"].path() or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture
def playwright():
    """Playwright's sync API for one test."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        yield driver


def launch(playwright, tmp_path, *, block_app_cookies_in=None):
    """A fresh Chromium profile; optionally refusing the app's cookies when embedded under another site.

    Chromium has no switch that blocks Partitioned cookies too, so the profile carries a cookie content
    setting instead: cookies of http://localhost:* are blocked when the top-level site is the admin's.
    """
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    if block_app_cookies_in:
        pattern = f"http://localhost:*,{block_app_cookies_in}"
        prefs = {"profile": {"content_settings": {"exceptions": {"cookies": {pattern: {"setting": 2}}}}}}
        (profile / "Default" / "Preferences").write_text(json.dumps(prefs))
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, viewport={"width": 1280, "height": 1100})


def open_app_in_admin(context, sandbox, client_id):
    """Sandbox admin → Apps → Open: the app framed in the admin; returns (page, frame locator)."""
    page = context.new_page()
    page.goto(sandbox.url + "/_sandbox/login?store=sandbox&next=/admin")
    assert page.get_by_test_id("admin-store-name").text_content() == "Sandbox Store"
    page.get_by_test_id("nav-apps").click()
    page.get_by_test_id("open-app").first.click()
    page.wait_for_url(f"**/admin/apps/{client_id}")
    return page, page.frame_locator("#app-frame")


def connect_with_popup(page, frame, *, expect_consent):
    """Press Connect in the iframe, approve in the popup, and wait for the popup to close itself."""
    button = frame.get_by_test_id("connect")
    button.wait_for()
    frame.locator("[data-connect][data-ready='1']").wait_for()
    with page.expect_popup() as popup_info:
        button.click()
    popup = popup_info.value
    if expect_consent:
        popup.get_by_role("button", name="Approve").click()
    popup.wait_for_event("close", timeout=15000)


@pytest.fixture
def admin_setup(app, live_app, sandbox):
    """The sandbox admin frames this test's app."""
    requests.post(sandbox.url + "/_sandbox/config", json={"app_url": live_app.url + "/"}, timeout=5).raise_for_status()
    return sandbox.state.config.client_id
