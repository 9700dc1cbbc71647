"""`python -m jumpseller_app.devenv`: write a development .env wired to the local sandbox, if there is none.

Secrets are generated here, on the developer's machine, and never committed (.env is git-ignored).
"""

import os
import secrets
import sys

from .config import ROOT
from .crypto import generate_key


def render(port, sandbox_port):
    """The text of a development .env for the given ports."""
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    return "\n".join([
        "# Written by `make run` for local development against the sandbox. Never commit this file.",
        "APP_ENV=development",
        f"SECRET_KEY={secrets.token_urlsafe(48)}",
        f"TOKEN_ENCRYPTION_KEYS={generate_key()}",
        "JUMPSELLER_CLIENT_ID=sandbox-client-id",
        "JUMPSELLER_CLIENT_SECRET=sandbox-client-secret",
        f"JUMPSELLER_ACCOUNTS_URL={sandbox}",
        f"JUMPSELLER_API_URL={sandbox}/v1",
        f"APP_URL=http://localhost:{port}",
        f"SANDBOX_ADMIN_ORIGINS={sandbox}",
        "",
    ])


def main():
    """Create .env unless it exists."""
    target = ROOT / ".env"
    if target.exists():
        print(f"{target.name} exists; keeping it.")
        return 0
    port = os.environ.get("PORT", "5000")
    sandbox_port = os.environ.get("SANDBOX_PORT", "5001")
    target.write_text(render(port, sandbox_port))
    os.chmod(target, 0o600)
    print(f"Wrote {target.name} for local development (sandbox on port {sandbox_port}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
