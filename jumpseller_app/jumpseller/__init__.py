"""A Flask-free client for the Jumpseller API: usable from the app, a worker or a plain script."""

from .auth import BasicAuth, JumpsellerOAuth2Session, StoredToken, TokenStore
from .client import JumpsellerClient
from .errors import (
    AuthError,
    ConnectionError,
    JumpsellerError,
    NotFound,
    RateLimited,
    ReauthRequired,
    ScopeError,
    ServerError,
    ValidationError,
)

__all__ = [
    "AuthError", "BasicAuth", "ConnectionError", "JumpsellerClient", "JumpsellerError", "JumpsellerOAuth2Session",
    "NotFound", "RateLimited", "ReauthRequired", "ScopeError", "ServerError", "StoredToken", "TokenStore",
    "ValidationError",
]
