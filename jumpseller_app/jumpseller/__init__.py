"""A Flask-free client for the Jumpseller API: usable from the app, a worker or a plain script."""

from .auth import BasicAuth, JumpsellerOAuth2Session, StoredToken, TokenStore
from .client import JumpsellerClient
from .errors import (
    AuthError,
    JumpsellerError,
    NetworkError,
    NotFound,
    RateLimited,
    ReauthRequired,
    ScopeError,
    ServerError,
    ValidationError,
)

__all__ = [
    "AuthError", "BasicAuth", "JumpsellerClient", "JumpsellerError", "JumpsellerOAuth2Session", "NetworkError",
    "NotFound", "RateLimited", "ReauthRequired", "ScopeError", "ServerError", "StoredToken", "TokenStore",
    "ValidationError",
]
