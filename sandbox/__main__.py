"""`python -m sandbox`: run the Jumpseller sandbox and print how to connect to it."""
from __future__ import annotations

import argparse
import sys

from .config import (BAN_SCOPES, DEFAULT_APP_URL, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI,
                     LANGUAGES, PROFILES, RATE_LIMITS, ROTATIONS, TOKEN_SCOPES)
from .server import SandboxServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Local Jumpseller stand-in.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed-products", type=int, default=25)
    parser.add_argument("--seed-orders", type=int, default=40)
    parser.add_argument("--seed-customers", type=int, default=30)
    parser.add_argument("--auto-approve", action="store_true")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--redirect-uri", action="append", dest="redirect_uris",
                        help=f"repeatable; default {DEFAULT_REDIRECT_URI}")
    parser.add_argument("--login", help="Basic login of the default store (default: derived from its code)")
    parser.add_argument("--authtoken", help="Basic authtoken of the default store (default: derived)")
    parser.add_argument("--token-expires-in", type=int, default=3600)
    parser.add_argument("--rotation", choices=ROTATIONS, default="immediate")
    parser.add_argument("--token-scope", choices=TOKEN_SCOPES, default=None,
                        help="whether token responses carry `scope` (omit: as Jumpseller may; default: omit in the "
                             "realistic profile, include in the clean one)")
    parser.add_argument("--profile", choices=PROFILES, default="realistic",
                        help="realistic: bodies as real stores send them (nulls, numbers as strings, localized "
                             "statuses); clean: exactly the spec's schemas")
    parser.add_argument("--language", choices=LANGUAGES, default="es", help="the default store's language")
    parser.add_argument("--rate-limit", choices=RATE_LIMITS, default="legacy")
    parser.add_argument("--ban-scope", choices=BAN_SCOPES, default="ip",
                        help="what a rate-limit ban covers: the client IP (as Jumpseller) or one store")
    parser.add_argument("--app-url", default=DEFAULT_APP_URL, help="the App URL the sandbox admin (/admin) frames")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start the server in the foreground and print its URL and credentials."""
    args = parse_args(argv)
    server = SandboxServer(
        host=args.host, port=args.port, seed_products=args.seed_products, seed_orders=args.seed_orders,
        seed_customers=args.seed_customers, auto_approve=args.auto_approve,
        client_id=args.client_id, client_secret=args.client_secret,
        redirect_uris=args.redirect_uris or [DEFAULT_REDIRECT_URI], login=args.login, authtoken=args.authtoken,
        token_expires_in=args.token_expires_in, rotation=args.rotation, token_scope=args.token_scope,
        profile=args.profile, language=args.language, rate_limit=args.rate_limit, ban_scope=args.ban_scope,
        app_url=args.app_url,
    )
    store, config = server.state.default_store, server.state.config
    lines = [
        f"Jumpseller sandbox running on {server.url}",
        f"  API base URL:         {server.url}/v1",
        f"  Authorize URL:        {server.url}/oauth/authorize",
        f"  Token URL:            {server.url}/oauth/token",
        f"  Store:                {store.code} ({store.details['name']}, {store.details['currency']})",
        f"  Basic login:          {store.login}",
        f"  Basic authtoken:      {store.authtoken}",
        f"  OAuth client id:      {config.client_id}",
        f"  OAuth client secret:  {config.client_secret}",
        *[f"  OAuth redirect URI:   {uri}" for uri in config.redirect_uris],
        f"  Rate limit: {config.rate_limit} (bans per {config.ban_scope}) · rotation: {config.rotation} · "
        f"token scope: {config.token_scope} · profile: {config.profile} · "
        f"token lifetime: {config.token_expires_in}s · controls: {server.url}/_sandbox/stats",
    ]
    print("\n".join(lines), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
