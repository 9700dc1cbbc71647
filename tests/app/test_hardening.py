"""Hygiene: startup checks, forwarded headers, CSP, install throttling, purged states, log scrubbing, settings input."""

import logging
import re
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from jumpseller_app import create_app
from jumpseller_app.config import ConfigError, check_required, load_config
from jumpseller_app.crypto import generate_key
from jumpseller_app.extensions import db
from jumpseller_app.logging_setup import RedactingFilter, scrub
from jumpseller_app.models import OAuthState, Settings, utcnow

from ..support import iframe as support
from ..support.flows import query
from ..support.http import browser_session


def production(**overrides):
    """A complete production config, with `overrides`."""
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "s" * 32, "TOKEN_ENCRYPTION_KEYS": generate_key(),
                          "JUMPSELLER_CLIENT_ID": "id", "JUMPSELLER_CLIENT_SECRET": "secret",
                          "APP_URL": "https://app.example"})
    config.update(overrides)
    return config


def test_a_complete_production_config_starts():
    check_required(production())


@pytest.mark.parametrize("overrides, message", [
    ({"DEBUG": True}, "DEBUG"),
    ({"APP_URL": ""}, "APP_URL"),
    ({"TOKEN_ENCRYPTION_KEYS": "not-a-key"}, "TOKEN_ENCRYPTION_KEYS"),
    ({"TOKEN_ENCRYPTION_KEYS": generate_key() + ",c2hvcnQ"}, "32 bytes"),
    ({"FRAME_ANCESTORS": "https://*.jumpseller.com"}, "FRAME_ANCESTORS"),
    ({"TRUSTED_PROXIES": "proxy.internal"}, "TRUSTED_PROXIES"),
    ({"BASIC_CONNECT": "sometimes"}, "BASIC_CONNECT"),
])
def test_production_refuses_unsafe_or_malformed_settings(overrides, message):
    with pytest.raises(ConfigError) as caught:
        check_required(production(**overrides))
    assert message in str(caught.value)
    # The message names the setting, never a secret's value.
    assert "s" * 32 not in str(caught.value)


def test_debug_is_read_from_flask_debug():
    assert load_config({"APP_ENV": "production", "FLASK_DEBUG": "1"})["DEBUG"] is True


def test_a_malformed_encryption_key_stops_any_environment():
    with pytest.raises(ConfigError, match="TOKEN_ENCRYPTION_KEYS"):
        check_required(load_config({"APP_ENV": "development", "TOKEN_ENCRYPTION_KEYS": "abc"}))


def make_app(app_config, **overrides):
    application = create_app({**app_config, **overrides})
    with application.app_context():
        upgrade()
    return application


def redirect_uri_for(application, headers, remote_addr="127.0.0.1"):
    response = application.test_client().get("/oauth/install", headers=headers,
                                              environ_base={"REMOTE_ADDR": remote_addr})
    assert response.status_code == 302
    return query(response.headers["Location"])["redirect_uri"]


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}


def test_forwarded_headers_are_ignored_without_a_declared_proxy(app):
    assert app.config["PROXY_FIX_HOPS"] == 0
    assert redirect_uri_for(app, FORWARDED) == "http://localhost/oauth/callback"


def test_forwarded_headers_count_only_from_trusted_proxies(app_config):
    application = make_app(app_config, TRUSTED_PROXIES="10.0.0.0/8")
    assert redirect_uri_for(application, FORWARDED, remote_addr="203.0.113.9") == "http://localhost/oauth/callback"
    tunnel = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "abc123.ngrok.app"}
    assert redirect_uri_for(application, tunnel, remote_addr="10.1.2.3") == "https://abc123.ngrok.app/oauth/callback"


def test_proxy_fix_hops_alone_trusts_the_direct_peer(app_config):
    """A tunnel in development: PROXY_FIX_HOPS=1 without a list, as before."""
    application = make_app(app_config, PROXY_FIX_HOPS=1)
    tunnel = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "abc123.ngrok.app"}
    assert redirect_uri_for(application, tunnel) == "https://abc123.ngrok.app/oauth/callback"


def test_every_html_page_has_a_strict_content_security_policy(client, sandbox):
    for path in ("/", "/nope", "/connect/basic"):
        policy = client.get(path).headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'" and directives["object-src"] == "'none'"
        # The admin's origin exactly, plus the local sandbox admin these tests configure.
        assert directives["frame-ancestors"] == f"'self' https://jumpseller.com {sandbox.url}", path
        assert "unsafe" not in policy and "*" not in policy


def test_pages_have_no_inline_script_or_style(client):
    """default-src 'self' without 'unsafe-inline' would silently break inline code: there must be none."""
    for path in ("/", "/connect/basic"):
        page = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert "<style" not in page and " style=" not in page and not re.search(r"\son[a-z]+=", page), path


def test_install_is_throttled_per_client_ip(app, live_app, browser):
    app.config["INSTALL_RATE_LIMIT"] = "3 per minute"
    answers = [browser.get(live_app.url + "/oauth/install", allow_redirects=False, timeout=5).status_code
               for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    with app.app_context():
        assert db.session.scalar(select(func.count(OAuthState.id))) == 3     # the throttled one stored nothing


def test_expired_states_are_purged_when_installs_are_started(app, live_app, browser):
    browser.get(live_app.url + "/oauth/install", allow_redirects=False, timeout=5)
    with app.app_context():
        first = db.session.scalar(select(OAuthState))
        first.expires_at = utcnow() - timedelta(hours=2)      # long expired
        db.session.commit()
        first_id = first.state_hash
    browser.get(live_app.url + "/oauth/install", allow_redirects=False, timeout=5)
    with app.app_context():
        recent = db.session.scalar(select(OAuthState).where(OAuthState.state_hash != first_id))
        recent.expires_at = utcnow() - timedelta(minutes=5)   # expired recently: kept to answer "expired"
        db.session.commit()
        recent_id = recent.state_hash
    browser.get(live_app.url + "/oauth/install", allow_redirects=False, timeout=5)
    with app.app_context():
        ids = db.session.scalars(select(OAuthState.state_hash)).all()
        assert first_id not in ids and recent_id in ids and len(ids) == 2


@pytest.mark.parametrize("line", [
    '127.0.0.1 - - "GET /?t=gAAAAABnSecretToken_-= HTTP/1.1" 200 -',
    '"POST /settings?saved=1&t=gAAAAABnSecretToken HTTP/1.1" 302',
    "headers: {'X-Session-Token': 'gAAAAABnSecretToken'}",
    "X-Session-Token: gAAAAABnSecretToken",
    '{"secret": "gAAAAABnSecretToken"}',
])
def test_logs_never_show_a_session_token(line):
    assert "gAAAAABnSecretToken" not in scrub(line)
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "%s", (line,), None)
    RedactingFilter().filter(record)
    assert "gAAAAABnSecretToken" not in record.getMessage()


def test_logs_keep_ordinary_parameters():
    assert scrub("GET /?at=5&list=3&refreshed=ok") == "GET /?at=5&list=3&refreshed=ok"


@pytest.fixture
def app_config(app_config, sandbox):
    """Framing allowed for the sandbox admin; scopes for the dashboard."""
    return support.iframe_config(app_config, sandbox)


def settings_fields(page_text):
    form = re.search(r'<form[^>]*data-testid="settings-form"[^>]*>(.*?)</form>', page_text, re.S).group(1)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


@pytest.mark.parametrize("field, value", [
    ("notification_email", "ops@localhost"),
    ("notification_email", "a@b"),
    ("notification_email", "ops@example.com\r\nBcc: victim@example.com"),
    ("notification_email", "ops\x00@example.com"),
    ("widget_title", "Ofertas\nde la semana"),
    ("widget_title", "Ofertas\x1b[31m"),
    ("widget_title", "Ofertas \u202egnp.exe"),
    ("locale", "es\x00"),
])
def test_settings_refuse_bad_emails_and_control_characters(app, live_app, sandbox, field, value):
    frame = browser_session()
    assert support.connect_iframe(frame, browser_session(), live_app).status_code == 200
    fields = settings_fields(frame.get(live_app.url + "/", timeout=5).text)
    form = {**fields, "widget_title": "Ofertas", "notification_email": "ops@example.com", "locale": "es",
            field: value}
    answer = frame.post(live_app.url + "/settings", data=form, timeout=5)
    assert answer.status_code == 422 and f'data-testid="error-{field}"' in answer.text
    with app.app_context():
        row = db.session.scalar(select(Settings))
        assert row.values.get("widget_title") is None and row.locale is None      # nothing was stored


def test_settings_store_the_normalised_email(app, live_app, sandbox):
    frame = browser_session()
    assert support.connect_iframe(frame, browser_session(), live_app).status_code == 200
    fields = settings_fields(frame.get(live_app.url + "/", timeout=5).text)
    saved = frame.post(live_app.url + "/settings", data={**fields, "widget_title": "Ofertas",
                                                         "notification_email": " Ops@EXAMPLE.com "}, timeout=5)
    assert saved.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Settings)).values["notification_email"] == "Ops@example.com"
