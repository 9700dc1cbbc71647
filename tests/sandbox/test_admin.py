"""The sandbox's store admin: store name from the login cookie, the Apps gallery, the framed App URL."""

import html

import requests

from ..support.http import browser_session


def test_admin_shows_the_logged_in_store_and_frames_the_app_url(sandbox):
    created = requests.post(sandbox.url + "/_sandbox/stores", json={"code": "loja", "name": "Loja <Um>"}, timeout=5)
    assert created.status_code == 201, created.text
    admin = browser_session()
    assert "Sandbox Store" in admin.get(sandbox.url + "/admin", timeout=5).text       # the default store
    admin.get(sandbox.url + "/_sandbox/login", params={"store": "loja"}, timeout=5).raise_for_status()
    home = admin.get(sandbox.url + "/admin", timeout=5).text
    assert html.escape("Loja <Um>", quote=False) in home and "Loja <Um>" not in home

    apps = admin.get(sandbox.url + "/admin/apps", timeout=5).text
    client = sandbox.state.config
    assert client.client_name in apps and f"/admin/apps/{client.client_id}" in apps

    framed = admin.get(sandbox.url + f"/admin/apps/{client.client_id}", timeout=5).text
    assert '<iframe class="app-frame" id="app-frame"' in framed and 'src="http://localhost:5000/"' in framed

    changed = requests.post(sandbox.url + "/_sandbox/config", json={"app_url": "http://localhost:7777/app"}, timeout=5)
    assert changed.status_code == 200 and changed.json()["app_url"] == "http://localhost:7777/app"
    assert 'src="http://localhost:7777/app"' in admin.get(sandbox.url + f"/admin/apps/{client.client_id}",
                                                          timeout=5).text
    bad = requests.post(sandbox.url + "/_sandbox/config", json={"app_url": "javascript:alert(1)"}, timeout=5)
    assert bad.status_code == 400
    assert admin.get(sandbox.url + "/admin/apps/nope", timeout=5).status_code == 404
