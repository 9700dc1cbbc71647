"""The sandbox's OAuth2 server over real HTTP: authorize, consent, code exchange, PKCE, refresh, token info."""
from urllib.parse import urlsplit

import pytest
import requests

from sandbox.server import SandboxServer
from sandbox.testing import authorize, consent_form, exchange_code, obtain_tokens, pkce_pair, refresh

REDIRECT = "http://localhost:5000/oauth/callback"
T = 10


@pytest.fixture(scope="module")
def srv():
    server = SandboxServer(port=0, rate_limit="off", seed_products=5, profile="clean").start()  # scope in tokens
    yield server
    server.stop()


@pytest.fixture
def fresh_store(srv):
    """A store of its own per test, logged in on a session, so grants never leak between tests."""
    code = f"store-{len(srv.state.stores) + 1}"
    created = requests.post(f"{srv.url}/_sandbox/stores", json={"code": code, "seed_products": 2}, timeout=T)
    assert created.status_code == 201
    session = requests.Session()
    assert session.get(f"{srv.url}/_sandbox/login", params={"store": code}, timeout=T).status_code == 200
    return code, session


def _get(url, token):
    return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=T)


def test_consent_page_names_client_store_and_every_scope(srv, fresh_store):
    code, session = fresh_store
    response = session.get(f"{srv.url}/oauth/authorize", params={
        "client_id": "sandbox-client-id", "redirect_uri": REDIRECT, "response_type": "code",
        "scope": "read_store read_products write_products", "state": "s1"}, allow_redirects=False, timeout=T)
    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]
    for text in ("Sandbox App", "sandbox-client-id", code, "read_store", "read_products", "write_products",
                 "Approve", "Deny"):
        assert text in response.text
    fields = consent_form(response.text)
    assert fields["state"] == "s1" and fields["store"] == code


def test_approve_then_exchange_then_call_api(srv, fresh_store):
    code, session = fresh_store
    params = authorize(srv.url, ("read_store",), state="a b&c=ü", session=session)
    assert params["state"] == "a b&c=ü"
    response = exchange_code(srv.url, params["code"])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope", "created_at"}
    # Doorkeeper writes the type in lower case (RFC 6749 §5.1: compare it case-insensitively).
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600 and body["scope"] == "read_store"
    assert response.headers["Cache-Control"] == "no-store"
    info = _get(f"{srv.url}/v1/store/info.json", body["access_token"])
    assert info.status_code == 200 and info.json()["code"] == code


def test_deny_redirects_with_access_denied_and_state(srv, fresh_store):
    _, session = fresh_store
    params = authorize(srv.url, ("read_store",), state="xyz", decision="deny", session=session)
    assert params["error"] == "access_denied" and params["state"] == "xyz" and "code" not in params


def test_code_is_single_use(srv, fresh_store):
    _, session = fresh_store
    code = authorize(srv.url, session=session)["code"]
    assert exchange_code(srv.url, code).status_code == 200
    again = exchange_code(srv.url, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_code_bound_to_redirect_uri_and_client_secret(srv, fresh_store):
    _, session = fresh_store
    code = authorize(srv.url, session=session)["code"]
    wrong_uri = exchange_code(srv.url, code, redirect_uri="http://localhost:5000/other")
    assert wrong_uri.status_code == 400 and wrong_uri.json()["error"] == "invalid_grant"
    bad_client = exchange_code(srv.url, code, client_secret="nope")
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"
    assert exchange_code(srv.url, code).status_code == 200  # neither failure burned the code


def test_client_secret_basic_is_accepted(srv, fresh_store):
    _, session = fresh_store
    code = authorize(srv.url, session=session)["code"]
    response = requests.post(f"{srv.url}/oauth/token", auth=("sandbox-client-id", "sandbox-client-secret"),
                             data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
                             timeout=T)
    assert response.status_code == 200, response.text


def test_pkce_good_and_wrong_verifier(srv, fresh_store):
    _, session = fresh_store
    verifier, challenge = pkce_pair()
    code = authorize(srv.url, code_challenge=challenge, session=session)["code"]
    missing = exchange_code(srv.url, code)
    assert missing.status_code == 400 and missing.json() == {
        "error": "invalid_request", "error_description": "Missing required parameter: code_verifier."}
    wrong = exchange_code(srv.url, code, code_verifier=pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert exchange_code(srv.url, code, code_verifier=verifier).status_code == 200


def test_missing_redirect_uri_is_an_invalid_request_and_burns_nothing(srv, fresh_store):
    _, session = fresh_store
    verifier, challenge = pkce_pair()
    code = authorize(srv.url, code_challenge=challenge, session=session)["code"]
    before = requests.get(f"{srv.url}/_sandbox/stats", timeout=T).json()["token_requests"]
    missing = exchange_code(srv.url, code, redirect_uri=None, code_verifier=verifier)
    assert missing.status_code == 400 and missing.json() == {
        "error": "invalid_request", "error_description": "Missing required parameter: redirect_uri."}
    assert missing.headers["Cache-Control"] == "no-store" and "access_token" not in missing.text
    # The verifier is checked first, as Doorkeeper does; neither refusal used the code up.
    both = exchange_code(srv.url, code, redirect_uri=None)
    assert both.json()["error_description"] == "Missing required parameter: code_verifier."
    after = requests.get(f"{srv.url}/_sandbox/stats", timeout=T).json()["token_requests"]
    assert after["authorization_code"] == before.get("authorization_code", 0) + 2
    assert exchange_code(srv.url, code, code_verifier=verifier).status_code == 200


def test_token_scope_can_be_left_out_like_doorkeeper_may(srv, fresh_store):
    _, session = fresh_store
    try:
        changed = requests.post(f"{srv.url}/_sandbox/config", json={"token_scope": "omit"}, timeout=T)
        assert changed.status_code == 200 and changed.json()["token_scope"] == "omit"
        code = authorize(srv.url, ("read_store", "read_products"), session=session)["code"]
        issued = exchange_code(srv.url, code).json()
        assert set(issued) == {"access_token", "token_type", "expires_in", "refresh_token", "created_at"}
        rotated = refresh(srv.url, issued["refresh_token"]).json()
        assert "scope" not in rotated and rotated["token_type"] == "bearer"
        # Only the response leaves it out: the grant still holds both scopes.
        info = _get(f"{srv.url}/oauth/token/info", rotated["access_token"]).json()
        assert sorted(info["scope"]) == ["read_products", "read_store"]
    finally:
        requests.post(f"{srv.url}/_sandbox/config", json={"token_scope": "include"}, timeout=T)
    bad = requests.post(f"{srv.url}/_sandbox/config", json={"token_scope": "sometimes"}, timeout=T)
    assert bad.status_code == 400
    assert requests.get(f"{srv.url}/_sandbox/config", timeout=T).json()["token_scope"] == "include"


def test_token_scope_is_a_plain_sandbox_option():
    with SandboxServer(token_scope="omit", rate_limit="off", seed_products=1, prerender=False) as server:
        assert "scope" not in obtain_tokens(server.url)
    with pytest.raises(ValueError):
        SandboxServer(token_scope="never")


def test_pkce_plain_is_refused(srv):
    response = requests.get(f"{srv.url}/oauth/authorize", params={
        "client_id": "sandbox-client-id", "redirect_uri": REDIRECT, "response_type": "code",
        "scope": "read_store", "state": "p", "code_challenge": "x" * 43, "code_challenge_method": "plain"},
        allow_redirects=False, timeout=T)
    assert response.status_code == 302
    assert "error=invalid_request" in response.headers["Location"] and "state=p" in response.headers["Location"]


@pytest.mark.parametrize("overrides", [
    {"redirect_uri": "http://evil.example/cb"},
    {"redirect_uri": REDIRECT + "/"},          # exact match only
    {"client_id": "unknown-client"},
])
def test_bad_client_or_redirect_is_an_error_page_never_a_redirect(srv, overrides):
    params = {"client_id": "sandbox-client-id", "redirect_uri": REDIRECT, "response_type": "code",
              "scope": "read_store", "state": "s", **overrides}
    response = requests.get(f"{srv.url}/oauth/authorize", params=params, allow_redirects=False, timeout=T)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "text/html" in response.headers["Content-Type"]


def test_unknown_scope_redirects_with_invalid_scope(srv):
    response = requests.get(f"{srv.url}/oauth/authorize", params={
        "client_id": "sandbox-client-id", "redirect_uri": REDIRECT, "response_type": "code",
        "scope": "read_store rule_the_world", "state": "q"}, allow_redirects=False, timeout=T)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert "error=invalid_scope" in location.query and "state=q" in location.query


def test_existing_grant_with_superset_scopes_skips_consent(srv, fresh_store):
    code, session = fresh_store
    obtain_tokens(srv.url, ("read_store", "read_products"), session=session)
    base = {"client_id": "sandbox-client-id", "redirect_uri": REDIRECT, "response_type": "code", "state": "k"}
    subset = session.get(f"{srv.url}/oauth/authorize", params={**base, "scope": "read_products"},
                         allow_redirects=False, timeout=T)
    assert subset.status_code == 302 and "code=" in subset.headers["Location"]
    wider = session.get(f"{srv.url}/oauth/authorize", params={**base, "scope": "read_products write_products"},
                        allow_redirects=False, timeout=T)
    assert wider.status_code == 200  # more scopes than granted: ask again
    requests.post(f"{srv.url}/_sandbox/tokens/revoke", json={"store": code}, timeout=T)
    after_revoke = session.get(f"{srv.url}/oauth/authorize", params={**base, "scope": "read_products"},
                               allow_redirects=False, timeout=T)
    assert after_revoke.status_code == 200


def test_auto_approve_redirects_immediately():
    with SandboxServer(auto_approve=True, rate_limit="off", seed_products=0) as server:
        response = requests.get(f"{server.url}/oauth/authorize", params={
            "client_id": "sandbox-client-id", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "read_store", "state": "auto"}, allow_redirects=False, timeout=T)
        assert response.status_code == 302
        assert "code=" in response.headers["Location"] and "state=auto" in response.headers["Location"]


def test_token_endpoint_errors(srv):
    json_body = requests.post(f"{srv.url}/oauth/token", json={"grant_type": "refresh_token"}, timeout=T)
    assert json_body.status_code == 400 and json_body.json()["error"] == "invalid_request"
    unknown = requests.post(f"{srv.url}/oauth/token", data={"grant_type": "password", "client_id": "sandbox-client-id",
                                                            "client_secret": "sandbox-client-secret"}, timeout=T)
    assert unknown.status_code == 400 and unknown.json()["error"] == "unsupported_grant_type"
    no_client = requests.post(f"{srv.url}/oauth/token", data={"grant_type": "refresh_token", "refresh_token": "x"},
                              timeout=T)
    assert no_client.status_code == 401 and no_client.json()["error"] == "invalid_client"
    bogus = refresh(srv.url, "not-a-token")
    assert bogus.status_code == 400 and bogus.json()["error"] == "invalid_grant"


def test_immediate_rotation_revokes_old_pair_at_once():
    with SandboxServer(rate_limit="off", seed_products=0, auto_approve=True) as server:
        first = obtain_tokens(server.url)
        second = refresh(server.url, first["refresh_token"])
        assert second.status_code == 200
        second = second.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert second["access_token"] != first["access_token"]
        reuse = refresh(server.url, first["refresh_token"])
        assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
        old_access = _get(f"{server.url}/v1/store/info.json", first["access_token"])
        assert old_access.status_code == 401
        assert _get(f"{server.url}/v1/store/info.json", second["access_token"]).status_code == 200
        stats = requests.get(f"{server.url}/_sandbox/stats", timeout=T).json()
        assert stats["refreshes_ok"] == 1 and stats["refreshes_failed"] == 1
        assert stats["token_requests"] == {"authorization_code": 1, "refresh_token": 2}


def test_on_first_use_rotation_keeps_old_pair_until_new_token_is_used():
    with SandboxServer(rate_limit="off", seed_products=0, auto_approve=True, rotation="on_first_use") as server:
        first = obtain_tokens(server.url)
        second = refresh(server.url, first["refresh_token"]).json()
        # Until the new access token is used, the old pair keeps working (and can refresh again).
        assert _get(f"{server.url}/v1/store/info.json", first["access_token"]).status_code == 200
        third = refresh(server.url, first["refresh_token"])
        assert third.status_code == 200
        third = third.json()
        assert _get(f"{server.url}/v1/store/info.json", third["access_token"]).status_code == 200
        # First use of `third` revoked `first` (the pair it replaced).
        assert refresh(server.url, first["refresh_token"]).json()["error"] == "invalid_grant"
        assert _get(f"{server.url}/v1/store/info.json", first["access_token"]).status_code == 401
        assert _get(f"{server.url}/v1/store/info.json", second["access_token"]).status_code == 200


def test_token_info(srv, fresh_store):
    code, session = fresh_store
    tokens = obtain_tokens(srv.url, ("read_store", "read_products"), session=session)
    info = _get(f"{srv.url}/oauth/token/info", tokens["access_token"])
    assert info.status_code == 200
    body = info.json()
    assert body["scope"] == ["read_store", "read_products"]
    assert body["application"] == {"uid": "sandbox-client-id"}
    assert 3590 <= body["expires_in"] <= 3600
    assert body["resource_owner_id"] == srv.state.stores[code].id
    assert isinstance(body["created_at"], int)
    assert _get(f"{srv.url}/oauth/token/info", "garbage").status_code == 401


def test_expired_token_is_distinguishable_and_refreshable(srv, fresh_store):
    code, session = fresh_store
    tokens = obtain_tokens(srv.url, session=session)
    expired = requests.post(f"{srv.url}/_sandbox/tokens/expire", json={"store": code}, timeout=T)
    assert expired.json()["expired"] >= 1
    response = _get(f"{srv.url}/v1/store/info.json", tokens["access_token"])
    assert response.status_code == 401
    assert response.json()["error_description"] == "The access token expired"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    renewed = refresh(srv.url, tokens["refresh_token"])
    assert renewed.status_code == 200
    assert _get(f"{srv.url}/v1/store/info.json", renewed.json()["access_token"]).status_code == 200


def test_revoke_endpoint_kills_access_and_refresh(srv, fresh_store):
    code, session = fresh_store
    tokens = obtain_tokens(srv.url, session=session)
    result = requests.post(f"{srv.url}/_sandbox/tokens/revoke", json={"store": code}, timeout=T).json()
    assert result["revoked"] >= 1
    response = _get(f"{srv.url}/v1/store/info.json", tokens["access_token"])
    assert response.status_code == 401 and response.json()["error_description"] == "The access token was revoked"
    assert refresh(srv.url, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_refused_tokens_get_401_even_after_a_refresh_until_accepted_again(srv, fresh_store):
    code, session = fresh_store
    tokens = obtain_tokens(srv.url, session=session)

    def refused_so_far():
        return requests.get(f"{srv.url}/_sandbox/stats", timeout=T).json()["refused_api_requests"]

    before = refused_so_far()
    answer = requests.post(f"{srv.url}/_sandbox/tokens/refuse", json={"store": code}, timeout=T).json()
    assert answer == {"store": code, "refused": True}
    assert _get(f"{srv.url}/v1/store/info.json", tokens["access_token"]).status_code == 401
    renewed = refresh(srv.url, tokens["refresh_token"])
    assert renewed.status_code == 200                                  # the token endpoint still refreshes
    response = _get(f"{srv.url}/v1/store/info.json", renewed.json()["access_token"])
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"
    assert refused_so_far() == before + 2                              # counted, though no store is named
    requests.post(f"{srv.url}/_sandbox/tokens/refuse", json={"store": code, "refused": False}, timeout=T)
    assert _get(f"{srv.url}/v1/store/info.json", renewed.json()["access_token"]).status_code == 200
    assert requests.post(f"{srv.url}/_sandbox/tokens/refuse", json={"store": code, "refused": "yes"},
                         timeout=T).status_code == 400


def test_token_lifetime_is_configurable_and_clock_advances(srv, fresh_store):
    _, session = fresh_store
    requests.post(f"{srv.url}/_sandbox/config", json={"token_expires_in": 60}, timeout=T)
    try:
        tokens = obtain_tokens(srv.url, session=session)
        assert tokens["expires_in"] == 60
        requests.post(f"{srv.url}/_sandbox/clock", json={"advance": 61}, timeout=T)
        assert _get(f"{srv.url}/v1/store/info.json", tokens["access_token"]).json()["error_description"] \
            == "The access token expired"
    finally:
        requests.post(f"{srv.url}/_sandbox/config", json={"token_expires_in": 3600}, timeout=T)


def test_store_picker_on_consent_authorizes_the_chosen_store(srv, fresh_store):
    code, _ = fresh_store
    anonymous = requests.Session()  # no login cookie: the default store is preselected
    response = anonymous.get(f"{srv.url}/oauth/authorize", params={
        "client_id": "sandbox-client-id", "redirect_uri": REDIRECT, "response_type": "code",
        "scope": "read_store", "state": "pick"}, allow_redirects=False, timeout=T)
    assert response.status_code == 200
    fields = {**consent_form(response.text), "store": code, "decision": "approve"}
    approved = anonymous.post(f"{srv.url}/oauth/authorize", data=fields, allow_redirects=False, timeout=T)
    auth_code = approved.headers["Location"].split("code=")[1].split("&")[0]
    tokens = exchange_code(srv.url, auth_code).json()
    assert _get(f"{srv.url}/v1/store/info.json", tokens["access_token"]).json()["code"] == code


def test_redirect_uris_can_be_changed_at_runtime(srv):
    new_uri = "http://localhost:61234/oauth/callback"
    config = requests.post(f"{srv.url}/_sandbox/config", json={"redirect_uris": [REDIRECT, new_uri]}, timeout=T)
    assert config.json()["redirect_uris"] == [REDIRECT, new_uri]
    params = authorize(srv.url, redirect_uri=new_uri, decision="deny")
    assert params["error"] == "access_denied"
