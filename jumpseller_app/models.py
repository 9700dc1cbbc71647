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
    # When the app lost the store (disconnect, uninstall detected); its personal data is purged after the retention.
    disconnected_at = db.Column(db.DateTime)
    personal_data_purged_at = db.Column(db.DateTime)
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
    # A failed row waits until then before its next attempt.
    next_attempt_at = db.Column(db.DateTime)
    # The worker that claimed the row, and until when the claim holds (a dead worker's claim expires).
    claimed_by = db.Column(db.String(64))
    claimed_until = db.Column(db.DateTime)

    def __repr__(self):
        return f"<WebhookEvent {self.id} store_id={self.store_id} {self.event} {self.status}>"


# --- the mirror: a per-store copy of the store's catalog, orders and customers, kept by jobs, read by pages -------
#
# Each mirrored record carries `source_at`, the moment Jumpseller's data is as of: a product's updated_at, else the
# delivery's trigger time or the fetch's start. A write applies only when its source_at is not older than the row's,
# so events processed out of order never put an older state back. A deleted record stays as a tombstone
# (deleted_at) for the same reason.


class MirrorCategory(db.Model):
    __tablename__ = "mirror_categories"
    __table_args__ = (db.UniqueConstraint("store_id", "remote_id", name="uq_mirror_categories_store_remote"),)

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    remote_id = db.Column(db.BigInteger, nullable=False)
    name = db.Column(db.String(255), nullable=False, default="")
    parent_id = db.Column(db.BigInteger)
    permalink = db.Column(db.String(500), nullable=False, default="")
    source_at = db.Column(db.DateTime, nullable=False)
    deleted_at = db.Column(db.DateTime)
    synced_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class MirrorProduct(db.Model):
    __tablename__ = "mirror_products"
    __table_args__ = (db.UniqueConstraint("store_id", "remote_id", name="uq_mirror_products_store_remote"),)

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    remote_id = db.Column(db.BigInteger, nullable=False)
    name = db.Column(db.String(500), nullable=False, default="")
    sku = db.Column(db.String(255), nullable=False, default="")
    price = db.Column(db.Float, nullable=False, default=0.0)
    stock = db.Column(db.Integer)
    stock_unlimited = db.Column(db.Boolean)
    status = db.Column(db.String(64), nullable=False, default="")
    permalink = db.Column(db.String(500), nullable=False, default="")
    category_ids = db.Column(db.JSON, nullable=False, default=list)
    created_at_remote = db.Column(db.DateTime)
    updated_at_remote = db.Column(db.DateTime)
    # The product as Jumpseller sent it (catalog data only, no personal data): what feature pages and feeds read.
    raw = db.Column(db.JSON, nullable=False, default=dict)
    source_at = db.Column(db.DateTime, nullable=False)
    deleted_at = db.Column(db.DateTime)
    synced_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class MirrorVariant(db.Model):
    __tablename__ = "mirror_variants"
    __table_args__ = (db.UniqueConstraint("product_row_id", "remote_id", name="uq_mirror_variants_product_remote"),)

    id = db.Column(db.Integer, primary_key=True)
    product_row_id = db.Column(db.Integer, db.ForeignKey("mirror_products.id", ondelete="CASCADE"), nullable=False,
                               index=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    remote_id = db.Column(db.BigInteger, nullable=False)
    sku = db.Column(db.String(255), nullable=False, default="")
    price = db.Column(db.Float, nullable=False, default=0.0)
    stock = db.Column(db.Integer)
    stock_unlimited = db.Column(db.Boolean)
    options = db.Column(db.JSON, nullable=False, default=list)


class MirrorOrder(db.Model):
    __tablename__ = "mirror_orders"
    __table_args__ = (db.UniqueConstraint("store_id", "remote_id", name="uq_mirror_orders_store_remote"),
                      db.Index("ix_mirror_orders_store_created", "store_id", "created_at_remote"))

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    remote_id = db.Column(db.BigInteger, nullable=False)
    created_at_remote = db.Column(db.DateTime)
    completed_at_remote = db.Column(db.DateTime)
    currency = db.Column(db.String(8), nullable=False, default="")
    subtotal = db.Column(db.Float, nullable=False, default=0.0)
    tax = db.Column(db.Float, nullable=False, default=0.0)
    shipping = db.Column(db.Float, nullable=False, default=0.0)
    discount = db.Column(db.Float, nullable=False, default=0.0)
    total = db.Column(db.Float, nullable=False, default=0.0)
    # Jumpseller's wording (translated) for display, and the canonical value (payloads.Order) for logic.
    status_text = db.Column(db.String(120), nullable=False, default="")
    state = db.Column(db.String(32), nullable=False, default="unknown")
    shipment_text = db.Column(db.String(120), nullable=False, default="")
    shipment = db.Column(db.String(32), nullable=False, default="unknown")
    delivery = db.Column(db.String(32), nullable=False, default="unknown")
    payment_method = db.Column(db.String(255), nullable=False, default="")
    customer_remote_id = db.Column(db.BigInteger)
    # Personal data (purged with the store's other personal data after a disconnect).
    customer_name = db.Column(db.String(255))
    customer_email = db.Column(db.String(255))
    shipping_address = db.Column(db.JSON)
    billing_address = db.Column(db.JSON)
    source_at = db.Column(db.DateTime, nullable=False)
    synced_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class MirrorOrderLine(db.Model):
    __tablename__ = "mirror_order_lines"

    id = db.Column(db.Integer, primary_key=True)
    order_row_id = db.Column(db.Integer, db.ForeignKey("mirror_orders.id", ondelete="CASCADE"), nullable=False,
                             index=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    product_remote_id = db.Column(db.BigInteger)
    variant_remote_id = db.Column(db.BigInteger)
    name = db.Column(db.String(500), nullable=False, default="")
    sku = db.Column(db.String(255), nullable=False, default="")
    qty = db.Column(db.Float, nullable=False, default=0.0)
    price = db.Column(db.Float, nullable=False, default=0.0)
    discount = db.Column(db.Float, nullable=False, default=0.0)


class MirrorCustomer(db.Model):
    """Personal data throughout: purged after a disconnect's retention."""

    __tablename__ = "mirror_customers"
    __table_args__ = (db.UniqueConstraint("store_id", "remote_id", name="uq_mirror_customers_store_remote"),)

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    remote_id = db.Column(db.BigInteger, nullable=False)
    email = db.Column(db.String(255), nullable=False, default="")
    fullname = db.Column(db.String(255), nullable=False, default="")
    phone = db.Column(db.String(64), nullable=False, default="")
    status = db.Column(db.String(64), nullable=False, default="")
    accepts_marketing = db.Column(db.Boolean)
    source_at = db.Column(db.DateTime, nullable=False)
    deleted_at = db.Column(db.DateTime)
    synced_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class MirrorAddress(db.Model):
    """A customer's shipping or billing address (personal data)."""

    __tablename__ = "mirror_addresses"

    id = db.Column(db.Integer, primary_key=True)
    customer_row_id = db.Column(db.Integer, db.ForeignKey("mirror_customers.id", ondelete="CASCADE"),
                                nullable=False, index=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False)          # shipping | billing
    name = db.Column(db.String(255), nullable=False, default="")
    surname = db.Column(db.String(255), nullable=False, default="")
    address = db.Column(db.String(500), nullable=False, default="")
    city = db.Column(db.String(255), nullable=False, default="")
    postal = db.Column(db.String(64), nullable=False, default="")
    region = db.Column(db.String(255), nullable=False, default="")
    country = db.Column(db.String(64), nullable=False, default="")
    municipality = db.Column(db.String(255), nullable=False, default="")


class SyncStatus:
    IDLE = "idle"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SyncCheckpoint(db.Model):
    """Where a store's sync of one resource stands: committed after every page, so a killed run resumes here."""

    __tablename__ = "sync_checkpoints"
    __table_args__ = (db.UniqueConstraint("store_id", "resource", name="uq_sync_checkpoints_store_resource"),)

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    resource = db.Column(db.String(32), nullable=False)      # categories | products | orders | customers
    mode = db.Column(db.String(16), nullable=False, default="full")   # full | incremental
    status = db.Column(db.String(16), nullable=False, default=SyncStatus.IDLE)
    # The resume point: the last page done (page-numbered resources) and the highest id seen (after/{id} ones).
    page = db.Column(db.Integer, nullable=False, default=0)
    last_remote_id = db.Column(db.BigInteger, nullable=False, default=0)
    pages_total = db.Column(db.Integer)
    items_total = db.Column(db.Integer)
    items_done = db.Column(db.Integer, nullable=False, default=0)
    started_at = db.Column(db.DateTime)
    finished_at = db.Column(db.DateTime)
    # When the last complete pass started: a reconciliation compares against it.
    completed_pass_started_at = db.Column(db.DateTime)
    last_error = db.Column(db.String(500))
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class AuditEntry(db.Model):
    """What the app did to a store's data that someone may ask about later (purges, disconnects, uninstalls).

    Keyed by the store's code, not its row, so it outlives the store's deletion; it never holds personal data.
    """

    __tablename__ = "audit_entries"

    id = db.Column(db.Integer, primary_key=True)
    store_code = db.Column(db.String(120), nullable=False, index=True)
    action = db.Column(db.String(64), nullable=False)
    detail = db.Column(db.JSON, nullable=False, default=dict)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class WriteStatus:
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    FINISHED = (DONE, FAILED)


class ApiWrite(db.Model):
    """A change a merchant asked for on a page, sent to Jumpseller by a job (services/api_writes.py).

    `active_key` is set while the write is pending or running and cleared when it ends: its unique constraint lets
    one write per (store, kind, target) be under way at a time, whatever the number of processes.
    """

    __tablename__ = "api_writes"
    __table_args__ = (db.UniqueConstraint("active_key", name="uq_api_writes_active_key"),)

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = db.Column(db.String(64), nullable=False)                 # e.g. categories.create
    target_id = db.Column(db.BigInteger)                            # the remote id written to (None: a create)
    payload = db.Column(db.JSON, nullable=False, default=dict)      # what the merchant submitted, as sent
    status = db.Column(db.String(16), nullable=False, default=WriteStatus.PENDING)
    active_key = db.Column(db.String(200))
    errors = db.Column(db.JSON)                                     # {"field": ["message"]} or {"base": [...]}
    result_id = db.Column(db.BigInteger)                            # the remote id Jumpseller answered with
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    finished_at = db.Column(db.DateTime)


class MirrorDocument(db.Model):
    """A Jumpseller record the other mirror tables do not hold, kept as Jumpseller sent it (services/documents.py).

    `kind` names the collection (store_info, locations, abandoned_orders, fulfillments, customer_categories, ...);
    `remote_id` is Jumpseller's id as text (or a fixed key for singletons and lists of names); `parent_remote_id`
    ties a child (a fulfillment) to its parent (an order). Abandoned orders and fulfillments carry personal data:
    a store's documents are purged with its other personal data after a disconnect.
    """

    __tablename__ = "mirror_documents"
    __table_args__ = (db.UniqueConstraint("store_id", "kind", "remote_id",
                                          name="uq_mirror_documents_store_kind_remote"),
                      db.Index("ix_mirror_documents_store_kind_parent", "store_id", "kind", "parent_remote_id"))

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(64), nullable=False)
    remote_id = db.Column(db.String(64), nullable=False)
    parent_remote_id = db.Column(db.String(64))
    raw = db.Column(db.JSON, nullable=False, default=dict)
    source_at = db.Column(db.DateTime, nullable=False)
    synced_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    deleted_at = db.Column(db.DateTime)
