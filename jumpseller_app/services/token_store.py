"""DbTokenStore: one store's OAuth2 token pair in the app database, with the refresh lease and compare-and-swap.

Short Core transactions on the engine (no ORM session), so it is safe from any thread or process and needs no
app context once built: the refresh coordinator in jumpseller/auth.py drives it.
"""

from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from ..jumpseller import StoredToken, scopes
from ..models import Credential, Store, StoreStatus, utcnow
from . import disconnection
from .credentials import epoch, from_epoch, seal, unseal

credentials_table = Credential.__table__
stores_table = Store.__table__


class DbTokenStore:
    """TokenStore on the app database: short Core transactions, safe from any thread or process."""

    def __init__(self, engine, token_cipher, store_id, store_code):
        self.engine = engine
        self.cipher = token_cipher
        self.store_id = store_id
        self.store_code = store_code
        self.key = f"store:{store_code}"

    def __repr__(self):
        return f"<DbTokenStore {self.store_code}>"

    def load(self):
        """The stored token, decrypted, its version, and whether the store must authorize the app again.

        A store whose connection ended (its credentials row is gone) loads as flagged with an empty token: the
        session then raises ReauthRequired before any call, so a job still holding a client sends nothing.
        """
        with self.engine.connect() as conn:
            row = conn.execute(
                select(credentials_table.c.access_token_enc, credentials_table.c.refresh_token_enc,
                       credentials_table.c.expires_at, credentials_table.c.version, stores_table.c.status)
                .join(stores_table, stores_table.c.id == credentials_table.c.store_id)
                .where(credentials_table.c.store_id == self.store_id)
            ).first()
        if row is None:
            return StoredToken({"access_token": "", "refresh_token": "", "token_type": "Bearer", "expires_at": 0},
                               -1, True)
        token = {
            "access_token": unseal(row.access_token_enc, self.store_code, "access_token", using=self.cipher),
            "refresh_token": unseal(row.refresh_token_enc, self.store_code, "refresh_token", using=self.cipher),
            "token_type": "Bearer",
            "expires_at": epoch(row.expires_at),
        }
        return StoredToken(token, row.version, row.status in (StoreStatus.REAUTH_REQUIRED, StoreStatus.DISCONNECTED))

    def acquire_lease(self, owner, ttl):
        """UPDATE … WHERE the lease is free or expired: atomic on SQLite and PostgreSQL alike."""
        now = utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                update(credentials_table)
                .where(credentials_table.c.store_id == self.store_id)
                .where(or_(credentials_table.c.lease_expires_at.is_(None), credentials_table.c.lease_expires_at < now))
                .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=ttl))
            )
        return result.rowcount == 1

    def release_lease(self, owner):
        """Free the lease if `owner` still holds it."""
        with self.engine.begin() as conn:
            conn.execute(
                update(credentials_table)
                .where(and_(credentials_table.c.store_id == self.store_id, credentials_table.c.lease_owner == owner))
                .values(lease_owner=None, lease_expires_at=None)
            )

    def save(self, token, *, expected_version):
        """Compare-and-swap the new pair in; also frees the lease and stamps the refresh time."""
        if not token.get("access_token") or not token.get("refresh_token"):
            raise ValueError("refusing to store a token without an access token and a refresh token")
        now = utcnow()
        values = {
            "access_token_enc": seal(token["access_token"], self.store_code, "access_token", using=self.cipher),
            "refresh_token_enc": seal(token["refresh_token"], self.store_code, "refresh_token", using=self.cipher),
            "expires_at": from_epoch(token.get("expires_at")),
            "version": expected_version + 1,
            "lease_owner": None,
            "lease_expires_at": None,
            "last_refreshed_at": now,
            "updated_at": now,
        }
        with self.engine.begin() as conn:
            result = conn.execute(
                update(credentials_table)
                .where(and_(credentials_table.c.store_id == self.store_id,
                            credentials_table.c.version == expected_version))
                .values(**values)
            )
            if result.rowcount == 1:
                store_values = {"status": StoreStatus.ACTIVE, "updated_at": now}
                if token.get("scope"):
                    store_values["scopes"] = scopes.normalize(token["scope"])
                conn.execute(update(stores_table).where(stores_table.c.id == self.store_id).values(**store_values))
        return result.rowcount == 1

    def mark_reauth_required(self, *, expected_version):
        """Jumpseller refused the refresh token: the app was uninstalled or its grant revoked. End the connection
        (tokens deleted, store disconnected, sessions ended, audited: disconnection.end_connection) unless the
        token changed since `expected_version`, in which case someone else refreshed it and all is well.

        Jumpseller sends no uninstall notification; this refusal is how the app learns of one. The tokens are not
        handed to a revocation: Jumpseller already refuses them.
        """
        with self.engine.begin() as conn:
            current = conn.execute(
                select(credentials_table.c.version).where(credentials_table.c.store_id == self.store_id)
            ).scalar_one_or_none()
            unchanged = current is None or current == expected_version
            if unchanged:
                disconnection.end_connection(conn, self.store_id, self.store_code, disconnection.GRANT_REFUSED)
        return unchanged
