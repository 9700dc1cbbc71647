"""Every setting comes from the environment (a `.env` file is read in development)."""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from .crypto import TokenCipher
from .jumpseller import scopes

ROOT = Path(__file__).resolve().parent.parent

# What the app asks for at install: the union of the scopes its features call for (jumpseller/scopes.py).
DEFAULT_SCOPES = " ".join(scopes.required())

# The Jumpseller admin's origin: the only site allowed to frame the app unless FRAME_ANCESTORS says otherwise.
DEFAULT_FRAME_ANCESTORS = "https://jumpseller.com"
# Who may use the Basic-auth form: nobody (the CLI still works), a session signed in as the store, or anyone.
BASIC_CONNECT_MODES = ("off", "owner", "open")

# Settings without which a production deployment must not start.
REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "TOKEN_ENCRYPTION_KEYS",
    "JUMPSELLER_CLIENT_ID",
    "JUMPSELLER_CLIENT_SECRET",
    "APP_URL",
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


def _words(value):
    return " ".join((value or "").replace(",", " ").split())


def _default_scopes(environ):
    """The scopes the app's enabled features call for: DEFAULT_SCOPES, plus read_apps with the install check."""
    enabled = scopes.enabled(check_install_status=_bool(environ.get("APP_CHECK_INSTALL_STATUS")))
    return " ".join(scopes.required(enabled))


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
        "JUMPSELLER_SCOPES": _words(environ.get("JUMPSELLER_SCOPES", _default_scopes(environ))),
        # The app's own code at Jumpseller (its slug in the App Store; the sandbox's is its app name slugified).
        "JUMPSELLER_APP_CODE": environ.get("JUMPSELLER_APP_CODE", "").strip(),
        # Ask /apps/{code}/install_status.json whether the app is still installed (paid apps only; adds read_apps
        # to the default scopes). Off by default: an uninstall is otherwise learnt from a refused refresh token.
        "APP_CHECK_INSTALL_STATUS": _bool(environ.get("APP_CHECK_INSTALL_STATUS")),
        "INSTALL_STATUS_CHECK_MINUTES": int(environ.get("INSTALL_STATUS_CHECK_MINUTES", "360")),
        # A disconnected store's personal data (mirrored customers, addresses, order contacts, hook bodies) is
        # purged this many days after the disconnect; 0 purges at once. Checked every PURGE_CHECK_MINUTES.
        "PERSONAL_DATA_RETENTION_DAYS": int(environ.get("PERSONAL_DATA_RETENTION_DAYS", "30")),
        "PURGE_CHECK_MINUTES": int(environ.get("PURGE_CHECK_MINUTES", "60")),
        "APP_URL": environ.get("APP_URL", "").rstrip("/"),
        "SQLALCHEMY_DATABASE_URI": _database_url(environ.get("DATABASE_URL", "")),
        "DB_POOL_SIZE": int(environ.get("DB_POOL_SIZE", "10")),
        "DB_MAX_OVERFLOW": int(environ.get("DB_MAX_OVERFLOW", "10")),
        "REDIS_URL": environ.get("REDIS_URL", ""),
        # Where the per-store rate budgets live when there is no Redis: one file shared by this machine's processes.
        # The job queue's SQLite file when there is no REDIS_URL (then Redis holds the queue).
        "HUEY_DB": environ.get("HUEY_DB", str(ROOT / "instance" / "jobs.sqlite3")),
        # Run each job in-process as it is queued (no worker): only for tests and one-off scripts.
        "JOBS_IMMEDIATE": _bool(environ.get("JOBS_IMMEDIATE")),
        "JOBS_WORKERS": int(environ.get("JOBS_WORKERS", "2")),
        "JOBS_HEARTBEAT_SECONDS": int(environ.get("JOBS_HEARTBEAT_SECONDS", "10")),
        # A worker silent this long counts as not running. Generous: the heartbeat queues behind the jobs, so a
        # worker whose threads all wait on a slow Jumpseller beats late without being gone.
        "JOBS_WORKER_TIMEOUT": int(environ.get("JOBS_WORKER_TIMEOUT", "120")),
        # A store's refresh counts as lost (its slot is freed for a new one) after this long queued or running.
        "JOBS_REFRESH_TIMEOUT": int(environ.get("JOBS_REFRESH_TIMEOUT", "900")),
        # How often the worker re-lists every active store's hooks and re-creates those Jumpseller dropped.
        "HOOKS_CHECK_MINUTES": int(environ.get("HOOKS_CHECK_MINUTES", "30")),
        # Reconciliation (services/sync.py, README "Sync and reconciliation"): every RECONCILE_SECONDS each active
        # store gets its new products and orders and the orders of the last RECONCILE_ORDER_DAYS days again; a full
        # pass (with deletion detection) when the last complete one started over RECONCILE_FULL_HOURS ago.
        "RECONCILE_SECONDS": int(environ.get("RECONCILE_SECONDS", "300")),
        "RECONCILE_ORDER_DAYS": int(environ.get("RECONCILE_ORDER_DAYS", "7")),
        "RECONCILE_FULL_HOURS": float(environ.get("RECONCILE_FULL_HOURS", "24")),
        "RATE_LIMIT_DB": environ.get("RATE_LIMIT_DB", str(ROOT / "instance" / "ratelimit.sqlite3")),
        # Origins allowed to frame the app (CSP frame-ancestors), exactly; the sandbox admin is added in development.
        "FRAME_ANCESTORS": _words(environ.get("FRAME_ANCESTORS")) or DEFAULT_FRAME_ANCESTORS,
        "SANDBOX_ADMIN_ORIGINS": _words(environ.get("SANDBOX_ADMIN_ORIGINS")),
        "HTTP_TIMEOUT": float(environ.get("HTTP_TIMEOUT", "15")),
        # X-Forwarded-* are trusted only when a proxy is declared: otherwise any client could pick the
        # host the app builds its OAuth redirect_uri from.
        "PROXY_FIX_HOPS": int(environ.get("PROXY_FIX_HOPS", "0")),
        "TRUSTED_PROXIES": _words(environ.get("TRUSTED_PROXIES")),
        # "" until check_required(): its default follows APP_ENV, which a test config may still change.
        "BASIC_CONNECT": environ.get("BASIC_CONNECT", "").strip().lower(),
        # A session (cookie or token) dies this long after its sign-in, however often it is renewed.
        "SESSION_MAX_AGE": int(environ.get("SESSION_MAX_AGE", str(12 * 3600))),
        # Flask-Limiter: per client IP; shared through Redis when there is one, else per process.
        "RATELIMIT_ENABLED": _bool(environ.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI") or environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_SWALLOW_ERRORS": True,
        "INSTALL_RATE_LIMIT": environ.get("INSTALL_RATE_LIMIT", "30 per minute;300 per hour"),
        "BASIC_CONNECT_RATE_LIMIT": environ.get("BASIC_CONNECT_RATE_LIMIT", "5 per minute;30 per hour"),
        "LOG_LEVEL": environ.get("LOG_LEVEL", "INFO").upper(),
        "MAX_CONTENT_LENGTH": int(environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        # The largest hook delivery accepted (bytes); larger ones get 413 before their body is read.
        "WEBHOOK_MAX_BYTES": int(environ.get("WEBHOOK_MAX_BYTES", str(2 * 1024 * 1024))),
        # The inbox worker (services/inbox.py): rows claimed per batch, how long a claim holds before another worker
        # may take the row over, the tries before a delivery is a dead letter, and the retry backoff (doubling from
        # the base, capped).
        "INBOX_BATCH": int(environ.get("INBOX_BATCH", "50")),
        "INBOX_CLAIM_SECONDS": int(environ.get("INBOX_CLAIM_SECONDS", "300")),
        "INBOX_MAX_ATTEMPTS": int(environ.get("INBOX_MAX_ATTEMPTS", "8")),
        "INBOX_BACKOFF_SECONDS": int(environ.get("INBOX_BACKOFF_SECONDS", "30")),
        "INBOX_BACKOFF_MAX_SECONDS": int(environ.get("INBOX_BACKOFF_MAX_SECONDS", "3600")),
        # The Webhooks page shows this many hours; past them a finished delivery's body (personal data) is cleared.
        "WEBHOOK_LOG_HOURS": int(environ.get("WEBHOOK_LOG_HOURS", "24")),
        # A delivery's row (its delivery_key) is kept this long so a replay by Jumpseller is still recognised.
        "WEBHOOK_DEDUP_DAYS": int(environ.get("WEBHOOK_DEDUP_DAYS", "30")),
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
    """Refuse to start with unsafe or malformed settings; in production also without every required one.

    Also settles the defaults that depend on the final APP_ENV (BASIC_CONNECT: off in production, else open).
    """
    if not config.get("BASIC_CONNECT"):
        config["BASIC_CONNECT"] = "off" if config.get("APP_ENV") == "production" else "open"
    _check_wellformed(config)
    if config.get("APP_ENV") != "production":
        return
    missing = [name for name in REQUIRED_IN_PRODUCTION if not config.get(name)]
    if missing:
        raise ConfigError(
            "Refusing to start in production: missing required setting(s): " + ", ".join(missing)
            + ". Set them in the environment (see README.md, 'Configuration')."
        )
    if config.get("DEBUG"):
        raise ConfigError("Refusing to start in production with DEBUG on (FLASK_DEBUG): the debugger runs code.")


def _check_wellformed(config):
    """Settings that are wrong in any environment: fail now, with the setting's name, not on first use."""
    keys = config.get("TOKEN_ENCRYPTION_KEYS")
    if keys:
        try:
            TokenCipher(keys)
        except ValueError as exc:
            raise ConfigError(f"Refusing to start: {exc}. Generate a key with `flask --app app generate-key`.") \
                from None
    if config.get("BASIC_CONNECT") not in BASIC_CONNECT_MODES:
        raise ConfigError(f"BASIC_CONNECT must be one of {', '.join(BASIC_CONNECT_MODES)}, "
                          f"not {config.get('BASIC_CONNECT')!r}")
    for origin in str(config.get("FRAME_ANCESTORS", "")).split():
        parts = urlsplit(origin)
        if "*" in origin or parts.scheme not in ("https", "http") or not parts.netloc or parts.path not in ("", "/"):
            raise ConfigError(f"FRAME_ANCESTORS lists exact origins such as https://jumpseller.com; "
                              f"{origin!r} is not one (wildcards would let any store's own pages frame the app)")
    for proxy in str(config.get("TRUSTED_PROXIES", "")).split():
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(f"TRUSTED_PROXIES lists IP addresses or networks; {proxy!r} is not one") from None
