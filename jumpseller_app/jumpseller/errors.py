"""Every Jumpseller API failure is an exception, mapped from the response in ONE place."""

from datetime import datetime, timezone

RATE_LIMIT_TEXT = "rate limit exceeded"
BAN_HEADER = "Jumpseller-BannedByRateLimit-Reset"


class JumpsellerError(Exception):
    """Base of every error raised by the client."""

    def __init__(self, message, *, status=None, body=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


class AuthError(JumpsellerError):
    """401: the credentials were refused, or a token refresh failed."""


class ReauthRequired(AuthError):
    """The refresh token was revoked: the merchant has to authorize the app again."""


class ScopeError(JumpsellerError):
    """403 that is not a rate limit: the token lacks a scope the call needs."""


class NotFound(JumpsellerError):
    """404."""


class ValidationError(JumpsellerError):
    """400/422: Jumpseller refused the payload; `errors` holds its field messages."""

    def __init__(self, message, *, status=None, body=None, errors=None):
        super().__init__(message, status=status, body=body)
        self.errors = errors or {}


class RateLimited(JumpsellerError):
    """429, or a 403 'Rate Limit Exceeded': wait `retry_after` seconds."""

    def __init__(self, message, *, status=None, body=None, retry_after=1.0, banned=False):
        super().__init__(message, status=status, body=body)
        self.retry_after = retry_after
        self.banned = banned


class ServerError(JumpsellerError):
    """5xx."""


class NetworkError(JumpsellerError):
    """The request did not complete: refused, reset, or timed out."""


def _json_or_text(response):
    try:
        return response.json()
    except ValueError:
        return response.text


def _message(body, fallback):
    if isinstance(body, dict):
        for key in ("message", "error_description", "error"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
    if isinstance(body, str) and body.strip():
        return body.strip()[:300]
    return fallback


def _retry_after(response, now=None):
    """Seconds to wait before the next call, from a ban header or Retry-After; 1 s when unsaid."""
    ban = response.headers.get(BAN_HEADER)
    if ban:
        try:
            reset = datetime.fromisoformat(ban.replace("Z", "+00:00"))
            now = now or datetime.now(timezone.utc)
            return max(0.0, (reset - now).total_seconds()), True
        except ValueError:
            pass
    retry = response.headers.get("Retry-After")
    if retry:
        try:
            return max(0.0, float(retry)), bool(ban)
        except ValueError:
            pass
    return 1.0, bool(ban)


def is_rate_limited(response):
    """Jumpseller answers an exceeded limit with 429 (current) or 403 'Rate Limit Exceeded' (legacy)."""
    if response.status_code == 429:
        return True
    return response.status_code == 403 and RATE_LIMIT_TEXT in response.text.lower()


def error_from_response(response):
    """The exception for a failed response, or None when it succeeded."""
    status = response.status_code
    if status < 400:
        return None
    body = _json_or_text(response)
    if is_rate_limited(response):
        wait, banned = _retry_after(response)
        return RateLimited("Jumpseller rate limit exceeded", status=status, body=body, retry_after=wait, banned=banned)
    message = _message(body, f"HTTP {status}")
    if status == 401:
        return AuthError(message, status=status, body=body)
    if status == 403:
        return ScopeError(message, status=status, body=body)
    if status == 404:
        return NotFound(message, status=status, body=body)
    if status in (400, 409, 413, 415, 422):
        errors = body.get("errors") if isinstance(body, dict) else None
        return ValidationError(message, status=status, body=body, errors=errors)
    if status >= 500:
        return ServerError(message, status=status, body=body)
    return JumpsellerError(message, status=status, body=body)
