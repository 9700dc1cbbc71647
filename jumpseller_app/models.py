"""Database models. Models never commit: services own transactions."""

from datetime import datetime, timezone

from .extensions import db


def utcnow():
    """Naive UTC now; every timestamp column stores naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class StoreStatus:
    ACTIVE = "active"
    REAUTH_REQUIRED = "reauth_required"
    DISCONNECTED = "disconnected"


class AuthMode:
    OAUTH = "oauth"
    BASIC = "basic"


class Store(db.Model):
    """A Jumpseller store; its code (the subdomain) is its identity."""

    __tablename__ = "stores"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(120), nullable=False, unique=True)
    name = db.Column(db.String(255), nullable=False, default="")
    url = db.Column(db.String(500), nullable=False, default="")
    email = db.Column(db.String(255), nullable=False, default="")
    currency = db.Column(db.String(8), nullable=False, default="")
    country = db.Column(db.String(8), nullable=False, default="")
    timezone = db.Column(db.String(64), nullable=False, default="")
    plan = db.Column(db.String(64), nullable=False, default="")
    auth_mode = db.Column(db.String(16), nullable=False)
    scopes = db.Column(db.Text, nullable=False, default="")
    status = db.Column(db.String(32), nullable=False, default=StoreStatus.ACTIVE)
    # Every session and session token names the epoch it was issued in; bumping it ends them all at once.
    session_epoch = db.Column(db.Integer, nullable=False, default=1, server_default="1")
    info_fetched_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    credential = db.relationship("Credential", back_populates="store", uselist=False, cascade="all, delete-orphan")
    settings = db.relationship("Settings", back_populates="store", uselist=False, cascade="all, delete-orphan")
    snapshot = db.relationship("StoreSnapshot", back_populates="store", uselist=False, cascade="all, delete-orphan")

    def end_sessions(self):
        """Invalidate every session and session token issued for this store so far; caller commits."""
        self.session_epoch = (self.session_epoch or 0) + 1

    def __repr__(self):
        return f"<Store {self.code} {self.auth_mode} {self.status}>"


class Credential(db.Model):
    """A store's encrypted credentials: OAuth2 tokens or Basic login + authtoken, never both."""

    __tablename__ = "credentials"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, unique=True)
    access_token_enc = db.Column(db.Text)
    refresh_token_enc = db.Column(db.Text)
    login_enc = db.Column(db.Text)
    authtoken_enc = db.Column(db.Text)
    # The key Jumpseller signs this store's hook deliveries with (from /store/info.json), sealed like the rest.
    hooks_token_enc = db.Column(db.Text)
    expires_at = db.Column(db.DateTime)
    # Bumped on every token change: the compare-and-swap that keeps concurrent refreshes from clobbering.
    version = db.Column(db.Integer, nullable=False, default=1)
    # The refresh lease: who may call the token endpoint for this store right now, and until when.
    lease_owner = db.Column(db.String(64))
    lease_expires_at = db.Column(db.DateTime)
    last_refreshed_at = db.Column(db.DateTime)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    store = db.relationship("Store", back_populates="credential")

    def __repr__(self):
        # Never the secrets themselves, not even encrypted.
        return f"<Credential store_id={self.store_id} version={self.version} expires_at={self.expires_at}>"


class Settings(db.Model):
    """Per-store settings of the app."""

    __tablename__ = "settings"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, unique=True)
    locale = db.Column(db.String(8))
    values = db.Column(db.JSON, nullable=False, default=dict)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    store = db.relationship("Store", back_populates="settings")


class OAuthState(db.Model):
    """A pending authorization: single use, short-lived; only the state's hash is stored."""

    __tablename__ = "oauth_states"
    __table_args__ = (db.UniqueConstraint("handoff_hash", name="uq_oauth_states_handoff_hash"),)

    id = db.Column(db.Integer, primary_key=True)
    state_hash = db.Column(db.String(64), nullable=False, unique=True)
    code_verifier_enc = db.Column(db.Text, nullable=False)
    next_path = db.Column(db.String(500), nullable=False, default="/")
    scopes = db.Column(db.Text, nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False, index=True)
    used_at = db.Column(db.DateTime)
    # sha256 of the nonce in the starting browser's install cookie: only that browser may finish this install.
    browser_hash = db.Column(db.String(64))
    # The iframe's handoff: sha256 of a secret only the iframe holds, bound to the store once the callback succeeds.
    handoff_hash = db.Column(db.String(64))
    handoff_store_code = db.Column(db.String(120))
    handoff_expires_at = db.Column(db.DateTime)
    handoff_claimed_at = db.Column(db.DateTime)


class StoreSnapshot(db.Model):
    """Cached dashboard figures, so rendering a page never calls Jumpseller."""

    __tablename__ = "store_snapshots"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, unique=True)
    products_count = db.Column(db.Integer)
    orders_count = db.Column(db.Integer)
    customers_count = db.Column(db.Integer)
    # [{"date": "YYYY-MM-DD", "orders": n, "sales": x}, ...] for the last 30 days, oldest first.
    daily = db.Column(db.JSON, nullable=False, default=list)
    latest_orders = db.Column(db.JSON, nullable=False, default=list)
    fetched_at = db.Column(db.DateTime)
    last_error = db.Column(db.String(500))
    last_error_at = db.Column(db.DateTime)

    store = db.relationship("Store", back_populates="snapshot")


class WebhookStatus:
    PENDING = "pending"
    PROCESSED = "processed"
    FAILED = "failed"
    DEAD = "dead"


class WebhookEvent(db.Model):
    """The inbox: one verified hook delivery, stored before it is acknowledged and processed later by a worker."""

    __tablename__ = "webhook_events"
    __table_args__ = (db.Index("ix_webhook_events_status_received_at", "status", "received_at"),)

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    event = db.Column(db.String(64), nullable=False)
    # Jumpseller-Triggered-At as sent: not signed, so informative only.
    triggered_at = db.Column(db.String(64))
    # sha256 of (store code, event, raw body): the same delivery replayed any time later is the same row.
    delivery_key = db.Column(db.String(64), nullable=False, unique=True)
    content_type = db.Column(db.String(255), nullable=False, default="")
    # The exact bytes the signature covered; parsing waits for the worker.
    body = db.Column(db.LargeBinary, nullable=False)
    received_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    status = db.Column(db.String(16), nullable=False, default=WebhookStatus.PENDING)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.String(500))
    processed_at = db.Column(db.DateTime)

    def __repr__(self):
        return f"<WebhookEvent {self.id} store_id={self.store_id} {self.event} {self.status}>"
