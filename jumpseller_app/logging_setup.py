"""Logging with secrets scrubbed: tokens never reach a log line, even by accident."""

import logging
import re

# Bearer tokens, Basic credentials and OAuth parameters that may appear in URLs or messages.
_SECRET_PATTERNS = [
    # Authorization header values as they appear in headers and debug dumps.
    (re.compile(r"\b(Bearer\s+|Basic\s+|bearer\s+)[A-Za-z0-9._~+/=-]{12,}"), r"\1[redacted]"),
    (re.compile(r"(?i)\b(access_token|refresh_token|authtoken|client_secret|code|code_verifier|state|password"
                r"|secret|token|csrf_token)(=|\":\s*\"|': ')[^&\s\"']+"), r"\1\2[redacted]"),
    # The iframe's session token: the `t` query/form parameter (a whole session) and its header.
    (re.compile(r"([?&;\s]t=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"(?i)\b(X-Session-Token|X-CSRFToken)(:\s*|\":\s*\"|': ')[^\s\"',}]+"), r"\1\2[redacted]"),
]


def scrub(text):
    """Replace anything that looks like a credential in `text`."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with secrets removed."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def init_app(app):
    """Attach the redacting filter to the app's and the libraries' loggers."""
    redactor = RedactingFilter()
    level = getattr(logging, app.config["LOG_LEVEL"], logging.INFO)
    app.logger.setLevel(level)
    for name in ("", "jumpseller_app", "authlib", "urllib3", "werkzeug", "gunicorn.access", "gunicorn.error",
                 app.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(redactor)
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(redactor)
