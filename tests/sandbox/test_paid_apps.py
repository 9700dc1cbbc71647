"""/v1/apps/{code}/install_status.json over real HTTP: the spec's shape, read_apps, an app asks only about itself,
and the control that marks the app uninstalled (tokens untouched) until it is authorized again."""
import json
from pathlib import Path

import pytest
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from sandbox.server import SandboxServer
from sandbox.testing import obtain_tokens

SPEC = json.loads((Path(__file__).resolve().parents[2] / "sandbox" / "spec" / "jumpseller-openapi.json").read_text())
APP = "sandbox-app"                      # the default client's name, "Sandbox App", as Jumpseller slugs it
OTHER = "chat-en-vivo"                   # the app seeded on every store
T = 10


@pytest.fixture
def srv(start_server):
    return start_server(SandboxServer(port=0, rate_limit="off", seed_products=3, auto_approve=True, profile="clean"))


def status(srv, code, *, token=None, auth=None):
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return requests.get(f"{srv.url}/v1/apps/{code}/install_status.json", headers=headers, auth=auth, timeout=T)


def mark(srv, **body):
    response = requests.post(f"{srv.url}/_sandbox/apps/install_status", json=body, timeout=T)
    response.raise_for_status()
    return response.json()


def test_the_answer_has_the_spec_shape(srv, owner):
    token = obtain_tokens(srv.url, ("read_apps",))["access_token"]
    response = status(srv, APP, token=token)
    assert response.status_code == 200
    spec_request = response.request.copy()
    spec_request.url = "https://api.jumpseller.com/v1" + spec_request.url[len(f"{srv.url}/v1"):]
    OpenAPI.from_dict(SPEC, config=Config(spec_validator_cls=None)).validate_response(
        RequestsOpenAPIRequest(spec_request), RequestsOpenAPIResponse(response))
    body = response.json()
    assert set(body) == set(SPEC["components"]["schemas"]["PaidAppInstallStatus"]["properties"])
    assert (body["app_code"], body["code"], body["installed"]) == (APP, "sandbox", True)


def test_read_apps_is_needed_and_an_app_asks_only_about_itself(srv, owner):
    without = obtain_tokens(srv.url, ("read_store",))["access_token"]
    assert status(srv, APP, token=without).status_code == 403
    token = obtain_tokens(srv.url, ("read_apps",))["access_token"]
    assert status(srv, OTHER, token=token).status_code == 403
    assert status(srv, "no-such-app", token=token).status_code == 404
    assert status(srv, OTHER, auth=owner).json()["installed"] is True     # the owner sees every app


def test_marked_uninstalled_until_authorized_again(srv, owner):
    token = obtain_tokens(srv.url, ("read_apps",))["access_token"]
    assert mark(srv, installed=False)["installed"] is False
    assert status(srv, APP, token=token).json()["installed"] is False      # the token still answers
    assert status(srv, APP, auth=owner).json()["installed"] is False
    fresh = obtain_tokens(srv.url, ("read_apps",))["access_token"]         # installing again
    assert status(srv, APP, token=fresh).json()["installed"] is True
    requests.post(f"{srv.url}/_sandbox/tokens/revoke", json={}, timeout=T).raise_for_status()
    assert status(srv, APP, auth=owner).json()["installed"] is False       # no live grant: not installed
    bad = requests.post(f"{srv.url}/_sandbox/apps/install_status", json={"installed": "no"}, timeout=T)
    assert bad.status_code == 400


def test_the_admin_uninstall_button_revokes_the_apps_tokens_and_says_so(srv, owner):
    token = obtain_tokens(srv.url, ("read_apps",))["access_token"]
    admin = requests.Session()
    admin.get(f"{srv.url}/_sandbox/login", params={"store": "sandbox"}, timeout=T).raise_for_status()
    page = admin.get(f"{srv.url}/admin/apps/{srv.state.config.client_id}", timeout=T).text
    assert 'data-testid="uninstall-app"' in page
    done = admin.post(f"{srv.url}/admin/apps/{srv.state.config.client_id}/uninstall", timeout=T,
                      allow_redirects=False)
    assert done.status_code == 302
    assert status(srv, APP, token=token).status_code == 401                 # the app's token is refused
    assert status(srv, APP, auth=owner).json()["installed"] is False
    assert status(srv, OTHER, auth=owner).json()["installed"] is True        # other apps stay
