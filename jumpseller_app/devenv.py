"""`python -m jumpseller_app.devenv`: write or update the development .env wired to the local sandbox.

Secrets are generated here, on the developer's machine, once, and never committed (.env is git-ignored); a later
run keeps them. The values that follow from the ports (PORT, SANDBOX_PORT) are rewritten on every run, so
`PORT=5400 SANDBOX_PORT=5401 make run` after a plain `make run` points the app and the sandbox admin at the new
ports. JUMPSELLER_SCOPES follows the app's features too, unless the developer edited it.
"""

import os
import re
import secrets
import sys

from .config import DEFAULT_SCOPES, ROOT
from .crypto import generate_key

HEADER = "# Written by `make run` for local development against the sandbox. Never commit this file."
# The scopes devenv last wrote, so a later run can tell a developer's own choice (kept) from its default (updated).
SCOPES_MARK = "# make run's JUMPSELLER_SCOPES: "
LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")


def port_values(port, sandbox_port):
    """The settings that follow from the two ports: rewritten on every run."""
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    return {
        "JUMPSELLER_ACCOUNTS_URL": sandbox,
        "JUMPSELLER_API_URL": f"{sandbox}/v1",
        "APP_URL": f"http://localhost:{port}",
        "SANDBOX_ADMIN_ORIGINS": sandbox,
    }


def fixed_values():
    """Settings written once: new secrets and the sandbox's client credentials."""
    return {
        "APP_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "TOKEN_ENCRYPTION_KEYS": generate_key(),
        "JUMPSELLER_CLIENT_ID": "sandbox-client-id",
        "JUMPSELLER_CLIENT_SECRET": "sandbox-client-secret",
    }


def render(port, sandbox_port):
    """The text of a new development .env for the given ports."""
    return update("", port, sandbox_port)


def _value(raw):
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def update(text, port, sandbox_port):
    """`text` (an existing .env, or "") with the port values and the default scopes brought up to date.

    Every other line is kept as it is: the secrets, the developer's own settings and comments.
    """
    lines = text.splitlines() or [HEADER]
    found = {}
    for index, line in enumerate(lines):
        match = LINE.match(line)
        if match:
            found[match.group(1)] = (index, _value(match.group(2)))
    marked = next((line[len(SCOPES_MARK):].strip() for line in lines if line.startswith(SCOPES_MARK)), None)
    wanted = dict(port_values(port, sandbox_port))
    current_scopes = found.get("JUMPSELLER_SCOPES", (None, None))[1]
    # Absent, or still what make run wrote last time: follow the features. Anything else is the developer's.
    if current_scopes is None or current_scopes == marked:
        wanted["JUMPSELLER_SCOPES"] = DEFAULT_SCOPES
    for key, value in {**fixed_values(), **wanted}.items():
        if key in found and key not in wanted:
            continue                                        # a secret or setting already chosen: kept
        if key in found:
            lines[found[key][0]] = f"{key}={value}"
        else:
            lines.append(f"{key}={value}")
    if "JUMPSELLER_SCOPES" in wanted:
        lines = [line for line in lines if not line.startswith(SCOPES_MARK)]
        position = next(i for i, line in enumerate(lines) if line.startswith("JUMPSELLER_SCOPES="))
        lines.insert(position, SCOPES_MARK + DEFAULT_SCOPES)
    return "\n".join(lines) + "\n"


def main():
    """Create .env, or bring an existing one up to date with the ports and the features' scopes."""
    target = ROOT / ".env"
    port = os.environ.get("PORT", "5000")
    sandbox_port = os.environ.get("SANDBOX_PORT", "5001")
    existed = target.exists()
    before = target.read_text() if existed else ""
    after = update(before, port, sandbox_port)
    if after != before:
        target.write_text(after)
    os.chmod(target, 0o600)
    verb = "Updated" if existed else "Wrote"
    print(f"{verb} {target.name} for local development (app on port {port}, sandbox on port {sandbox_port}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
