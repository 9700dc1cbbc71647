"""Every setting comes from the environment (a `.env` file is read in development)."""

import os
from pathlib import Path

from dotenv import dotenv_values

from .jumpseller import scopes

ROOT = Path(__file__).resolve().parent.parent

# What the app asks for at install: the union of the scopes its features call for (jumpseller/scopes.py).
DEFAULT_SCOPES = " ".join(scopes.required())

# Settings without which a production deployment must not start.
REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "TOKEN_ENCRYPTION_KEYS",
    "JUMPSELLER_CLIENT_ID",
    "JUMPSELLER_CLIENT_SECRET",
)


class ConfigError(RuntimeError):
    """The environment is missing or has malformed settings."""


def _database_url(raw):
    """Normalise DATABASE_URL; hosting platforms still hand out the old postgres:// scheme."""
    if not raw:
        return f"sqlite:///{ROOT / 'instance' / 'app.sqlite3'}"
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://"):]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://"):]
    return raw


def _environment():
    """The process environment, plus `.env` when running in development; real variables always win."""
    environ = dict(os.environ)
    dotenv_file = ROOT / ".env"
    if dotenv_file.exists():
        values = {k: v for k, v in dotenv_values(dotenv_file).items() if v is not None}
        env = environ.get("APP_ENV") or values.get("APP_ENV", "production")
        # A production process never picks up a developer's .env by accident.
        if env.strip().lower() in {"development", "testing"}:
            environ = {**values, **environ}
    return environ


def _bool(value, default=False):
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(environ=None):
    """Build the Flask config mapping from the environment."""
    if environ is None:
        environ = _environment()
    env = environ.get("APP_ENV", "production").strip().lower()
    if env not in {"production", "development", "testing"}:
        raise ConfigError(f"APP_ENV must be production, development or testing, not {env!r}")
    accounts = environ.get("JUMPSELLER_ACCOUNTS_URL", "https://accounts.jumpseller.com").rstrip("/")
    return {
        "APP_ENV": env,
        "SECRET_KEY": environ.get("SECRET_KEY", ""),
        "TOKEN_ENCRYPTION_KEYS": environ.get("TOKEN_ENCRYPTION_KEYS", ""),
        "JUMPSELLER_CLIENT_ID": environ.get("JUMPSELLER_CLIENT_ID", ""),
        "JUMPSELLER_CLIENT_SECRET": environ.get("JUMPSELLER_CLIENT_SECRET", ""),
        "JUMPSELLER_ACCOUNTS_URL": accounts,
        "JUMPSELLER_API_URL": environ.get("JUMPSELLER_API_URL", "https://api.jumpseller.com/v1").rstrip("/"),
        "JUMPSELLER_SCOPES": " ".join(environ.get("JUMPSELLER_SCOPES", DEFAULT_SCOPES).replace(",", " ").split()),
        "APP_URL": environ.get("APP_URL", "").rstrip("/"),
        "SQLALCHEMY_DATABASE_URI": _database_url(environ.get("DATABASE_URL", "")),
        "DB_POOL_SIZE": int(environ.get("DB_POOL_SIZE", "10")),
        "DB_MAX_OVERFLOW": int(environ.get("DB_MAX_OVERFLOW", "10")),
        "REDIS_URL": environ.get("REDIS_URL", ""),
        # Where the per-store rate budgets live when there is no Redis: one file shared by this machine's processes.
        "RATE_LIMIT_DB": environ.get("RATE_LIMIT_DB", str(ROOT / "instance" / "ratelimit.sqlite3")),
        # Origins allowed to frame the app (CSP frame-ancestors); the sandbox admin is added in development.
        "FRAME_ANCESTORS": environ.get("FRAME_ANCESTORS", ""),
        "SANDBOX_ADMIN_ORIGINS": environ.get("SANDBOX_ADMIN_ORIGINS", ""),
        "HTTP_TIMEOUT": float(environ.get("HTTP_TIMEOUT", "15")),
        "PROXY_FIX_HOPS": int(environ.get("PROXY_FIX_HOPS", "1")),
        "LOG_LEVEL": environ.get("LOG_LEVEL", "INFO").upper(),
        "MAX_CONTENT_LENGTH": int(environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        # The admin frames the app cross-site: only a SameSite=None, Secure, Partitioned cookie survives there.
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_PARTITIONED": True,
        "SESSION_COOKIE_NAME": "js_app_session",
        "TESTING": env == "testing",
        "DEBUG": _bool(environ.get("FLASK_DEBUG")),
    }


def check_required(config):
    """Refuse to start in production without the secrets, naming every missing one."""
    if config.get("APP_ENV") != "production":
        return
    missing = [name for name in REQUIRED_IN_PRODUCTION if not config.get(name)]
    if missing:
        raise ConfigError(
            "Refusing to start in production: missing required setting(s): " + ", ".join(missing)
            + ". Set them in the environment (see README.md, 'Configuration')."
        )
