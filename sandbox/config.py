"""Sandbox options: defaults, validation, and the deterministic default credentials."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields

DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
DEFAULT_REDIRECT_URI = "http://localhost:5000/oauth/callback"
DEFAULT_STORE_CODE = "sandbox"
DEFAULT_APP_URL = "http://localhost:5000/"

ROTATIONS = ("immediate", "on_first_use")
RATE_LIMITS = ("legacy", "current", "off")
BAN_SCOPES = ("ip", "store")  # what a rate-limit ban covers: the client IP (as Jumpseller says) or one store
TOKEN_SCOPES = ("include", "omit")  # whether token responses carry `scope` (Doorkeeper may leave it out)
# realistic: bodies as real stores send them (nulls, numbers as strings, localized statuses; behaviour/realism.py);
# clean: exactly the spec's schemas.
PROFILES = ("realistic", "clean")
LANGUAGES = ("es", "pt", "en")

# Options that POST /_sandbox/config may change while the server runs.
RUNTIME_OPTIONS = (
    "token_expires_in", "rotation", "rate_limit", "auto_approve", "store_info_wrapped",
    "redirect_uris", "ban_threshold", "ban_seconds", "app_url", "token_scope", "profile", "ban_scope",
    "hook_time_scale", "hook_max_failures",
)


def derived_secret(purpose: str, store_code: str) -> str:
    """A deterministic 32-char hex string, so `make run` can know the credentials in advance."""
    return hashlib.sha256(f"jumpseller-sandbox:{purpose}:{store_code}".encode()).hexdigest()[:32]


def default_login(store_code: str = DEFAULT_STORE_CODE) -> str:
    """The Basic-auth login the sandbox gives a store unless told otherwise."""
    return derived_secret("login", store_code)


def default_authtoken(store_code: str = DEFAULT_STORE_CODE) -> str:
    """The Basic-auth authtoken the sandbox gives a store unless told otherwise."""
    return derived_secret("authtoken", store_code)


@dataclass
class SandboxConfig:
    """Every option of the sandbox; keyword names are those of create_sandbox/SandboxServer."""

    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    client_name: str = "Sandbox App"
    redirect_uris: list[str] = field(default_factory=lambda: [DEFAULT_REDIRECT_URI])
    auto_approve: bool = False
    seed_products: int = 25
    seed_orders: int = 40
    seed_customers: int = 30
    token_expires_in: int = 3600
    code_expires_in: int = 600
    rotation: str = "immediate"
    token_scope: str | None = None  # None: follows the profile (realistic omits scope, as Doorkeeper may; clean has it)
    profile: str = "realistic"
    language: str = "es"  # the default store's language, like a Chilean store's
    token_scope_explicit: bool = field(default=False, repr=False)  # set by from_options: token_scope was given
    rate_limit: str = "legacy"
    ban_threshold: int = 2000
    ban_seconds: int = 3600
    ban_scope: str = "ip"
    store_info_wrapped: bool = False
    store_code: str = DEFAULT_STORE_CODE
    store_name: str = "Sandbox Store"
    currency: str = "CLP"
    country: str = "CL"
    timezone: str = "America/Santiago"
    login: str | None = None
    authtoken: str | None = None
    app_url: str = DEFAULT_APP_URL  # what the sandbox admin frames, like the App URL registered with Jumpseller
    faults: dict | None = None  # initial fault switches, as POST /_sandbox/faults takes them
    prerender: bool = True      # SandboxServer renders seeded products' JSON in the background
    hook_time_scale: float = 1.0  # hook retries wait N⁴ minutes times this (0: retry at once)
    hook_max_failures: int = 8    # a hook is paused after this many failed attempts in a row, as in Jumpseller

    @classmethod
    def from_options(cls, options: dict) -> "SandboxConfig":
        """Build a config from keyword options, rejecting unknown names and bad values."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown sandbox option(s): {', '.join(unknown)}")
        config = cls(**{k: v for k, v in options.items() if v is not None})
        config.redirect_uris = list(config.redirect_uris)
        config.token_scope_explicit = config.token_scope is not None
        config.token_scope = config.token_scope or _profile_token_scope(config.profile)
        config.login = config.login or default_login(config.store_code)
        config.authtoken = config.authtoken or default_authtoken(config.store_code)
        problems = validate_options(vars(config))
        if problems:
            raise ValueError("; ".join(problems))
        return config

    def apply(self, changes: dict) -> None:
        """Set validated runtime options; a new profile brings its token_scope unless that was set explicitly."""
        for name, value in changes.items():
            setattr(self, name, list(value) if name == "redirect_uris" else value)
        if "token_scope" in changes:
            self.token_scope_explicit = True
        elif "profile" in changes and not self.token_scope_explicit:
            self.token_scope = _profile_token_scope(self.profile)

    def runtime_view(self) -> dict:
        """The options a running sandbox may change, as JSON."""
        return {name: getattr(self, name) for name in RUNTIME_OPTIONS}


def _profile_token_scope(profile: str) -> str:
    return "omit" if profile == "realistic" else "include"


def validate_options(values: dict) -> list[str]:
    """Return human-readable problems with the given option values (empty when all are fine)."""
    problems = []
    for name in ("token_expires_in", "ban_threshold", "ban_seconds", "seed_products", "seed_orders",
                 "seed_customers", "code_expires_in"):
        if name in values:
            v = values[name]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                problems.append(f"{name} must be a non-negative integer")
    if "hook_time_scale" in values:
        v = values["hook_time_scale"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            problems.append("hook_time_scale must be a non-negative number")
    if "hook_max_failures" in values:
        v = values["hook_max_failures"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            problems.append("hook_max_failures must be a positive integer")
    for name in ("auto_approve", "store_info_wrapped", "prerender"):
        if name in values and not isinstance(values[name], bool):
            problems.append(f"{name} must be true or false")
    choices = {"rotation": ROTATIONS, "ban_scope": BAN_SCOPES, "profile": PROFILES, "language": LANGUAGES,
               "token_scope": TOKEN_SCOPES, "rate_limit": RATE_LIMITS}
    for name, allowed in choices.items():
        if name in values and values[name] not in allowed:
            problems.append(f"{name} must be one of {', '.join(allowed)}")
    if "app_url" in values:
        url = values["app_url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            problems.append("app_url must be an http(s) URL")
    if "redirect_uris" in values:
        uris = values["redirect_uris"]
        if not isinstance(uris, list) or not all(isinstance(u, str) and u for u in uris):
            problems.append("redirect_uris must be a list of non-empty strings")
    return problems
