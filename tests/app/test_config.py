"""Configuration: production refuses to start without its secrets; security headers on every page."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jumpseller_app.config import ConfigError, check_required, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_production_names_every_missing_secret():
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "s"})
    with pytest.raises(ConfigError) as caught:
        check_required(config)
    message = str(caught.value)
    for name in ("TOKEN_ENCRYPTION_KEYS", "JUMPSELLER_CLIENT_ID", "JUMPSELLER_CLIENT_SECRET"):
        assert name in message
    assert "SECRET_KEY," not in message


def test_gunicorn_entry_point_refuses_to_start_in_production_without_secrets(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUMPSELLER_", "TOKEN_", "SECRET_", "APP_"))}
    env["APP_ENV"] = "production"
    proc = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode != 0
    assert "missing required setting(s): SECRET_KEY, TOKEN_ENCRYPTION_KEYS, JUMPSELLER_CLIENT_ID, " \
           "JUMPSELLER_CLIENT_SECRET" in proc.stderr


def test_defaults_and_postgres_url_fix():
    config = load_config({"APP_ENV": "development", "DATABASE_URL": "postgres://u:p@db/app"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/app"
    assert config["JUMPSELLER_ACCOUNTS_URL"] == "https://accounts.jumpseller.com"
    assert config["JUMPSELLER_API_URL"] == "https://api.jumpseller.com/v1"
    assert load_config({})["APP_ENV"] == "production"          # safe by default
    with pytest.raises(ConfigError):
        load_config({"APP_ENV": "staging"})


def test_html_pages_carry_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://jumpseller.com;" in csp and "*" not in csp
    assert "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_is_partitioned_and_cross_site(app):
    assert app.config["SESSION_COOKIE_SAMESITE"] == "None"
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_PARTITIONED"]
    assert app.config["SESSION_COOKIE_HTTPONLY"]
